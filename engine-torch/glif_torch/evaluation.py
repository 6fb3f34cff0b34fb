"""The test pass: loss, accuracy, firing rates, SOPs and MACs, shared out over the processes."""

from typing import Any, Dict

import torch
import torch.distributed as dist
import torch.nn.functional as F

from .data import DataSplit
from .distributed import shard
from .models import Activity, Recorded


def model_input(x: torch.Tensor, T: int) -> torch.Tensor:
    """[T, N, C, H, W]: a static batch [N, C, H, W] shown at every step (direct encoding), or
    frames [N, T, C, H, W] with time first."""
    if x.dim() == 5:
        if x.shape[1] != T:
            raise ValueError(f"the dataset gives {x.shape[1]} frames per sample but the model has T={T}")
        return x.transpose(0, 1)
    return x.unsqueeze(0).expand((T,) + tuple(x.shape))


@torch.no_grad()
def evaluate(
    model, layers, test_set: DataSplit, batch: int, T: int, device, rank: int = 0, world: int = 1
) -> Dict[str, Any]:
    """evaluate.ts: loss and accuracy in eval mode, firing rates, SOPs and MACs per sample
    (energy.ts: spiking inputs cost their activity times fan-out in accumulates, real-valued ones
    their dense multiply-accumulates; the first layer of a static-image model gets the image, real
    values). Each process evaluates its contiguous share of the test set; the sums are
    all-reduced, so every rank returns the figures of the whole set."""
    model.eval()
    activity = Activity()
    recorded = [m for m in model.modules() if isinstance(m, Recorded)]
    for m in recorded:
        m.activity = activity

    def record(path: str, spikes: torch.Tensor, membrane) -> None:
        activity.spikes.append((path, float(spikes.sum()), spikes.numel()))

    for layer in layers:
        layer.recorder = record
    loss_sum, hits = 0.0, 0.0
    n = len(test_set)
    mine = shard(list(range(n)), rank, world)
    try:
        for start in range(0, len(mine), batch):
            part = torch.tensor(mine[start : start + batch], dtype=torch.int64)
            x = test_set.batch(part).to(device)
            y = test_set.labels[part].to(device)
            logits = model(model_input(x, T))
            loss_sum += float(F.cross_entropy(logits, y, reduction="sum"))
            hits += float((logits.argmax(1) == y).sum())
    finally:
        for m in recorded:
            m.activity = None
        for layer in layers:
            layer.recorder = None
    # Fixed orders (forward order: every model registers its layers in the order it runs them),
    # so that the sums of every process line up, whatever share each had.
    paths = [layer.path for layer in layers]
    weighted = [m.path for m in recorded]
    spikes = {p: [0.0, 0.0] for p in paths}
    for path, s, count in activity.spikes:
        spikes[path][0] += s
        spikes[path][1] += count
    # Static images: the first layer gets the analog image, not spikes (direct encoding); event
    # frames are spikes already.
    real = {p: m.real or (i == 0 and not test_set.frames) for i, (p, m) in enumerate(zip(weighted, recorded))}
    sops = {p: 0.0 for p in weighted}
    macs = {p: 0.0 for p in weighted}
    for path, a, fan, dense, _ in activity.synaptic:
        if real[path]:
            macs[path] += dense
        else:
            sops[path] += a * fan
    sums = torch.tensor(
        [loss_sum, hits] + [v for p in paths for v in spikes[p]] + [sum(sops.values()), sum(macs.values())],
        dtype=torch.float64,
    )
    if world > 1:
        sums = sums.to(device)
        dist.all_reduce(sums)
        sums = sums.cpu()
    total = sums.tolist()
    loss_sum, hits = total[0], total[1]
    rates = {
        p: (total[2 + 2 * i] / total[3 + 2 * i] if total[3 + 2 * i] else 0.0) for i, p in enumerate(paths)
    }
    sop_sum, mac_sum = total[2 + 2 * len(paths) :]
    return {
        "loss": loss_sum / n if n else float("nan"),
        "accuracy": hits / n if n else float("nan"),
        "firingRates": rates,
        "sopsPerSample": sop_sum / n if n else 0.0,
        "macsPerSample": mac_sum / n if n else 0.0,
    }
