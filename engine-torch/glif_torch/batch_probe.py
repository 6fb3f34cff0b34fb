"""The first training batch of a split as the torch engine makes it, for the workbench to compare
with its own (test/integration/torch-engine-data.test.ts): python -m glif_torch.batch_probe reads
{"dataset", "dir", "limit", "seed", "batchSize", "augment"[, "frames"][, "images"]} on stdin and prints the batch's
sample indices, labels, shape ([n, C, H, W], frames [n, T, C, H, W]) and values (flat, in the
workbench's order: HWC, frames THWC).
"""

import json
import sys

import torch

from .data import load_split
from .rng import Rng


def main() -> int:
    job = json.loads(sys.stdin.readline())
    data = load_split(
        job["dataset"], job["dir"], "train", job["limit"], job["seed"], job.get("frames"), job.get("images")
    )
    rng = Rng(job["seed"])
    order = rng.permutation(len(data))[: job["batchSize"]]
    crops = data.draw_crops(rng, order) if job["augment"] and data.augments else None
    indices = torch.tensor(order, dtype=torch.int64)
    x = data.batch(indices, crops)
    # Back to the workbench's layout: [n, H, W, C], or [n, T, H, W, C] for frames.
    pixels = x.permute(0, 2, 3, 1) if x.dim() == 4 else x.permute(0, 1, 3, 4, 2)
    print(
        json.dumps(
            {
                "indices": order,
                "labels": data.labels[indices].tolist(),
                "shape": list(x.shape),
                "pixels": pixels.flatten().tolist(),
                "classes": data.classes,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
