"""The datasets the torch engine reads, in the workbench's formats (src-main/engine/data/).

So far the IDX pair sets (Fashion-MNIST, MNIST): pixels x / 255 in [0, 1], the first `limit`
samples of a split. The workbench resolves the folder (data.path or the default) and passes it.
"""

import gzip
import os
import struct
from typing import Optional, Tuple

import torch

STEMS = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
SUPPORTED_DATASETS = ("fashion-mnist", "mnist")


def _open(directory: str, stem: str):
    dotted = stem.replace("-idx", ".idx")
    for name in (stem, stem + ".gz", dotted, dotted + ".gz"):
        path = os.path.join(directory, name)
        if os.path.exists(path):
            return gzip.open(path, "rb") if name.endswith(".gz") else open(path, "rb")
    raise FileNotFoundError(f"missing file {stem}(.gz) in {directory}")


def _read_idx(directory: str, stem: str, limit: Optional[int]) -> torch.Tensor:
    with _open(directory, stem) as fh:
        magic = struct.unpack(">I", fh.read(4))[0]
        if magic >> 8 != 0x08:
            raise ValueError(f"{stem}: not an unsigned-byte IDX file (magic {magic:#x})")
        dims = [struct.unpack(">I", fh.read(4))[0] for _ in range(magic & 0xFF)]
        n = dims[0] if limit is None else min(limit, dims[0])
        per = 1
        for d in dims[1:]:
            per *= d
        data = fh.read(n * per)
    if len(data) != n * per:
        raise ValueError(f"{stem}: truncated ({len(data)} of {n * per} bytes)")
    return torch.frombuffer(bytearray(data), dtype=torch.uint8).view([n] + dims[1:])


def load_split(
    dataset: str, directory: str, split: str, limit: Optional[int]
) -> Tuple[torch.Tensor, torch.Tensor]:
    """Images [N, 1, H, W] float32 in [0, 1] and labels [N] int64."""
    if dataset not in SUPPORTED_DATASETS:
        raise ValueError(
            f"the torch engine does not read '{dataset}' yet (it reads {', '.join(SUPPORTED_DATASETS)}); "
            "train it on the tfjs engine"
        )
    images_stem, labels_stem = STEMS[split]
    images = _read_idx(directory, images_stem, limit)
    labels = _read_idx(directory, labels_stem, limit)
    if images.shape[0] != labels.shape[0]:
        raise ValueError(f"{split}: {images.shape[0]} images but {labels.shape[0]} labels")
    return images.to(torch.float32).div_(255).unsqueeze(1), labels.to(torch.int64)
