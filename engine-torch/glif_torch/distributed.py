"""What the processes of one run share: the cancel they agree on, tdBN's synchronised
statistics, and each one's share of a batch."""

import json
import sys
import threading
from typing import List, TypeVar

import torch
import torch.distributed as dist

T_ = TypeVar("T_")


class Cancel:
    """Rank 0 hears `cancel` on stdin; every rank learns it at the next step (one all-reduce)."""

    def __init__(self, listen: bool, world: int):
        self.requested = False
        self.world = world
        if listen:
            threading.Thread(target=self._listen, daemon=True).start()

    def _listen(self) -> None:
        for line in sys.stdin:
            try:
                if json.loads(line).get("type") == "cancel":
                    self.requested = True
            except ValueError:
                continue

    def agreed(self) -> bool:
        if self.world == 1:
            return self.requested
        flag = torch.tensor([1.0 if self.requested else 0.0])
        dist.all_reduce(flag)
        return bool(flag.item() > 0)


def sync_statistics(world: int):
    """tdBN's all-reduce in data-parallel runs: sums over every process, differentiable."""
    from torch.distributed.nn.functional import all_reduce

    def reduce(local_sum: torch.Tensor, n: int):
        total = all_reduce(local_sum)
        return total, n * world

    return reduce


def shard(indices: List[T_], rank: int, world: int) -> List[T_]:
    """A global batch's share of one process: contiguous, as equal as possible."""
    per, extra = divmod(len(indices), world)
    start = rank * per + min(rank, extra)
    return indices[start : start + per + (1 if rank < extra else 0)]
