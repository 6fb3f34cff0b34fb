"""What a run config's network is on the torch engine, for the workbench to compare with its own
(test/integration/torch-engine-archs.test.ts): python -m glif_torch.describe reads
{"config": <run config>, "inputShape": [h, w, c], "classes": k} on stdin and prints one JSON
object: every parameter's name, shape (in the workbench's layout: HWIO convs, [in, out] linears),
sum and sum of squares of its initial values, the GLIF layers' paths, and the counts; given
"input" (a static batch [N, H, W, C], flat), also the logits and each GLIF layer's firing rate
of a training-mode pass, and each weighted layer's input kind (real values or spikes) and
multiply-accumulates in that pass (the energy estimate's).
"""

import json
import sys

import torch

from .models import Activity, Recorded, build_model
from .neuron import GLIF
from .rng import Rng


def workbench_shape(name: str, p: torch.Tensor):
    if p.dim() == 4:  # a conv's OIHW -> HWIO
        return [p.shape[2], p.shape[3], p.shape[1], p.shape[0]]
    if p.dim() == 2 and name.endswith(".weight"):  # a linear's [out, in] -> [in, out]
        return [p.shape[1], p.shape[0]]
    return list(p.shape)  # GLIF's conduct is [T, C] on both


def main() -> int:
    job = json.loads(sys.stdin.readline())
    config = job["config"]
    h, w, c = job["inputShape"]
    model = build_model(config, (h, w, c), job["classes"], Rng(config["train"]["seed"]))
    layers = [m for m in model.modules() if isinstance(m, GLIF)]
    logits = None
    rates: dict = {}
    activity = Activity()
    if job.get("input") is not None:
        # A static batch [N, H, W, C] (the workbench's layout), shown at every step.
        n = len(job["input"]) // (h * w * c)
        x = torch.tensor(job["input"], dtype=torch.float32).view(n, h, w, c).permute(0, 3, 1, 2)
        T = config["model"]["timeSteps"]
        model.train()

        def record(path: str, spikes: torch.Tensor, membrane) -> None:
            rates[path] = float(spikes.float().mean())

        for m in layers:
            m.recorder = record
        for m in model.modules():
            if isinstance(m, Recorded):
                m.activity = activity
        with torch.no_grad():
            logits = model(x.unsqueeze(0).expand((T,) + tuple(x.shape))).flatten().tolist()
    params = [
        {
            "name": name,
            "shape": workbench_shape(name, p),
            "sum": float(p.detach().double().sum()),
            "sumSquares": float((p.detach().double() ** 2).sum()),
        }
        for name, p in model.named_parameters()
    ]
    print(
        json.dumps(
            {
                "parameters": params,
                "layers": [m.path for m in layers],
                "total": sum(p.numel() for p in model.parameters()),
                "glif": sum(p.numel() for m in layers for p in m.parameters()),
                "logits": logits,
                "firingRates": rates,
                "operations": [
                    {"path": path, "input": "real" if real else "spikes", "macs": macs}
                    for path, _, _, macs, real in activity.synaptic
                ],
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
