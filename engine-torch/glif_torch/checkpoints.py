"""Checkpoint files: written under a temporary name and renamed, the last two kept."""

import hashlib
import os
from typing import Any, Dict

import torch

from .rng import Rng


def file_sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def checkpoint_path(directory: str, epoch: int) -> str:
    return os.path.join(directory, f"epoch-{epoch + 1:04d}.ckpt")


def save_checkpoint(directory: str, model, opt, rng: Rng, epoch: int, step: int) -> Dict[str, Any]:
    """Written under a temporary name and renamed, as the TF.js trainer does (checkpoint-files.ts)."""
    os.makedirs(directory, exist_ok=True)
    path = checkpoint_path(directory, epoch)
    tmp = f"{path}.tmp-{os.getpid()}"
    state = {
        "engine": "torch",
        "model": model.state_dict(),
        "optimizer": opt.state_dict(),
        "rng": rng.get_state(),
        "epoch": epoch,
        "step": step,
    }
    torch.save(state, tmp)
    os.replace(tmp, path)
    return {"path": path, "sha256": file_sha256(path), "bytes": os.path.getsize(path)}


def prune_checkpoints(directory: str, epoch: int, keep: int = 2) -> None:
    old = epoch - keep
    if old >= 0:
        try:
            os.remove(checkpoint_path(directory, old))
        except FileNotFoundError:
            pass
