"""The GLIF neuron (reference glif.md sections 1.2-1.4) as a PyTorch module.

The same float32 operations in the same order as the workbench's tf-ops neuron
(src-main/engine/glif/coefficients.ts and neuron.ts), so spikes are identical and membranes and
gradients agree to float32 rounding. Time is axis 0; each step is [N, C, H, W] (conv layers, the
channel on axis 1 as PyTorch lays it out) or [N, F] (dense layers). Parameter names are the
official module's (checkpoint keys): alpha, beta, gamma, tau, Vth, leak, reVth, conduct.
"""

import math
from typing import Callable, Dict, List, Optional, Tuple

import torch
from torch import nn

from .variants import NeuronSpec


class SpikeRect(torch.autograd.Function):
    """S = 1[z > 0]; dS/dz = height on |z| < width / 2 (the authors' rectangle, height 1 / width)."""

    @staticmethod
    def forward(ctx, z: torch.Tensor, width: float) -> torch.Tensor:  # type: ignore[override]
        ctx.save_for_backward(z)
        ctx.width = width
        return (z > 0).to(z.dtype)

    @staticmethod
    def backward(ctx, dy: torch.Tensor):  # type: ignore[override]
        (z,) = ctx.saved_tensors
        window = (z.abs() < ctx.width / 2).to(dy.dtype)
        height = 1 / ctx.width
        grad = dy * window if height == 1 else dy * window * height
        return grad, None


class StepStraightThrough(torch.autograd.Function):
    """Forward 1[s > 0.5]; backward the identity into s (hard-mode gates)."""

    @staticmethod
    def forward(ctx, s: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
        return (s > 0.5).to(s.dtype)

    @staticmethod
    def backward(ctx, dy: torch.Tensor):  # type: ignore[override]
        return dy.clone()


def effective_gate(raw: torch.Tensor, mode: str) -> torch.Tensor:
    """The value the neuron multiplies with, from a gate's raw logit (gates.ts effectiveGate)."""
    if mode == "learnable":
        return torch.sigmoid(raw)
    if mode == "static-soft":
        return torch.sigmoid(raw).detach()
    if mode == "static-binary":
        return (raw > 0).to(raw.dtype).detach()
    if mode == "hard-ste":
        return StepStraightThrough.apply(torch.sigmoid(raw))
    raise ValueError(f"no gates in mode '{mode}'")


Recorder = Callable[[str, torch.Tensor, Optional[torch.Tensor]], None]


class GLIF(nn.Module):
    """GLIF over T steps; state restarts from u = 0, S = 0 on every call, nothing detached."""

    def __init__(self, channels: int, T: int, spec: NeuronSpec, surrogate_width: float = 1.0):
        super().__init__()
        if not surrogate_width > 0:
            raise ValueError(f"surrogate width must be > 0, got {surrogate_width}")
        self.channels = channels
        self.T = T
        self.spec = spec
        self.surrogate_width = surrogate_width
        shape: Tuple[int, ...] = () if spec.layerwise else (channels,)
        gates_trainable = spec.gates_trainable
        if spec.gate_mode != "none":
            self.alpha = nn.Parameter(torch.zeros(shape), requires_grad=gates_trainable)
            self.beta = nn.Parameter(torch.zeros(shape), requires_grad=gates_trainable)
        else:
            self.alpha = None
            self.beta = None
        # GLIF_f owns a reset gate it never reads, as the official LIFSpike_CW_softsimple does.
        self.gamma = nn.Parameter(torch.zeros(shape), requires_grad=gates_trainable)
        self.tau = nn.Parameter(torch.zeros(shape))
        self.Vth = nn.Parameter(torch.zeros(shape))
        self.leak = nn.Parameter(torch.zeros(shape))
        self.reVth = nn.Parameter(torch.zeros(shape))
        self.conduct = nn.Parameter(torch.zeros((T,) + shape))
        # Set by the trainer's and the parity runner's probes: called with (path, spikes, membrane).
        self.recorder: Optional[Recorder] = None
        self.record_membrane = False
        self.path = ""

    def glif_parameter_names(self) -> List[str]:
        names = ["tau", "Vth", "leak", "reVth", "conduct", "gamma"]
        return (["alpha", "beta"] if self.alpha is not None else []) + names

    def _coefficients(self) -> Dict[str, torch.Tensor]:
        """coefficients.ts stepCoefficients: the same ops, the same roundings."""
        tau = torch.sigmoid(self.tau)
        leak = torch.sigmoid(self.leak)
        re_vth = torch.sigmoid(self.reVth)
        g = torch.sigmoid(self.conduct)
        threshold = torch.sigmoid(self.Vth)
        mode = self.spec.gate_mode
        if mode == "none":
            return dict(
                decay=tau, hard=torch.ones_like(tau), linear=leak, soft=re_vth, gain=g, threshold=threshold
            )
        assert self.alpha is not None and self.beta is not None
        a = effective_gate(self.alpha, mode)
        b = effective_gate(self.beta, mode)
        c = effective_gate(self.gamma, mode)
        return dict(
            decay=1 - a * (1 - tau),
            hard=c,
            linear=(1 - a) * leak,
            soft=(1 - c) * re_vth,
            gain=1 - b * (1 - g),
            threshold=threshold,
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        T = self.T
        if x.shape[0] != T:
            raise ValueError(
                f"GLIF input has {x.shape[0]} time steps on axis 0; the layer was built for T={T}"
            )
        if not self.spec.layerwise and x.shape[2] != self.channels:
            raise ValueError(f"GLIF input has {x.shape[2]} channels, the layer has {self.channels}")
        k = self._coefficients()
        # Per-channel values broadcast over a step's spatial axes: [C] -> [C, 1, 1].
        trailing = x.dim() - 3

        def per_step(v: torch.Tensor) -> torch.Tensor:
            return v.view(v.shape + (1,) * trailing) if v.dim() > 0 and trailing > 0 else v

        decay, hard, linear, soft, threshold = (
            per_step(k[n]) for n in ("decay", "hard", "linear", "soft", "threshold")
        )
        gains = [per_step(k["gain"][t]) for t in range(T)]
        width = self.surrogate_width
        paper = self.spec.reset == "paper-figure"
        spikes: List[torch.Tensor] = []
        membranes: List[torch.Tensor] = []
        u: Optional[torch.Tensor] = None
        s: Optional[torch.Tensor] = None
        for t in range(T):
            drive = gains[t] * x[t]
            if u is None or s is None:
                # u_{-1} = 0 and S_{-1} = 0: every term but the leak and the input vanishes.
                u = drive - linear
            else:
                keep = 1 - hard * s
                soft_reset = soft * s
                if paper:
                    # The overview figure: the hard reset removes the linear leak too.
                    u = (decay * u - linear) * keep - soft_reset + drive
                else:
                    # The code: the hard reset scales only the exponential part.
                    u = decay * u * keep - linear + drive - soft_reset
            s = SpikeRect.apply(u - threshold, width)
            spikes.append(s)
            membranes.append(u)
        out = torch.stack(spikes)
        if self.recorder is not None:
            self.recorder(self.path, out, torch.stack(membranes) if self.record_membrane else None)
        return out


def name_glif_layers(root: nn.Module) -> List[GLIF]:
    """Gives every GLIF layer its module path (for probes and events); returns them in order."""
    layers = []
    for path, module in root.named_modules():
        if isinstance(module, GLIF):
            module.path = path
            layers.append(module)
    return layers


SQRT_HALF = 1 / math.sqrt(2)
