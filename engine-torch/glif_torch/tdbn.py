"""Threshold-dependent batch norm (tdBN), as src-main/engine/glif/tdbn.ts computes it.

y = alpha * V_bn * (x - mean) / sqrt(var + eps) * w + b per channel (axis 1), statistics over
every other axis of the time-folded [T*N, C, ...] input, so they span time and batch. Training
uses the batch mean and biased variance and updates running statistics with momentum 0.1, the
variance with the unbiased factor n / (n - 1).
"""

from typing import Optional

import torch
from torch import nn


class TdBatchNorm(nn.Module):
    def __init__(
        self,
        channels: int,
        alpha: float = 1.0,
        v_bn: float = 0.5,
        eps: float = 1e-5,
        momentum: float = 0.1,
        plain: bool = False,
    ):
        super().__init__()
        self.scale = 1.0 if plain else alpha * v_bn
        self.eps = eps
        self.momentum = momentum
        self.weight = nn.Parameter(torch.ones(channels))
        self.bias = nn.Parameter(torch.zeros(channels))
        self.register_buffer("running_mean", torch.zeros(channels))
        self.register_buffer("running_var", torch.ones(channels))
        # Set by the trainer in data-parallel runs: sums every process's statistics (sync BN).
        self.all_reduce: Optional[object] = None

    def _view(self, v: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        return v.view((1, -1) + (1,) * (x.dim() - 2))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training:
            # Running statistics fixed: one per-channel affine map (tdbn.ts inference).
            a = self.weight * self.scale / torch.sqrt(self.running_var + self.eps)
            b = self.bias - a * self.running_mean
            return x * self._view(a, x) + self._view(b, x)
        axes = [0] + list(range(2, x.dim()))
        n = x.numel() // x.shape[1]
        mean, variance, n = self._statistics(x, axes, n)
        with torch.no_grad():
            m = self.momentum
            unbiased = n / (n - 1) if n > 1 else 1.0
            self.running_mean.copy_(mean.detach() * m + self.running_mean * (1 - m))
            self.running_var.copy_(variance.detach() * (m * unbiased) + self.running_var * (1 - m))
        normalised = (x - self._view(mean, x)) / torch.sqrt(self._view(variance, x) + self.eps)
        scaled = normalised if self.scale == 1 else normalised * self.scale
        return scaled * self._view(self.weight, x) + self._view(self.bias, x)

    def _statistics(self, x: torch.Tensor, axes, n: int):
        reduce = self.all_reduce
        if reduce is None:
            mean = x.mean(dim=axes)
            variance = ((x - self._view(mean, x)) ** 2).mean(dim=axes)
            return mean, variance, n
        # Synchronised: the statistics of the whole batch over every process, differentiable.
        total, count = reduce(x.sum(dim=axes), n)  # type: ignore[operator]
        mean = total / count
        sq, _ = reduce(((x - self._view(mean, x)) ** 2).sum(dim=axes), n)  # type: ignore[operator]
        return mean, sq / count, count
