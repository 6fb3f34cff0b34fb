"""The workbench's architectures on PyTorch, with its parameter names and counts
(src-main/engine/models/), and its initial values drawn from the same seeded stream in the same
order, so a run starts from the same weights on either engine.

Conv weights are drawn in the workbench's HWIO order and transposed to PyTorch's OIHW; linear
weights in [in, out] and transposed to [out, in]. Flattening before a classifier follows the
workbench's (h, w, c) order, so the classifier sees its features in the same order too.
fmnist-cnn and mlp are here; the paper's architectures in archs.py.
"""

import math
from typing import Callable, List, Optional, Tuple

import numpy as np
import torch
from torch import nn

from .archs import ARCHS, TimeFolded
from .neuron import GLIF
from .rng import Rng
from .tdbn import TdBatchNorm
from .variants import NeuronSpec

SUPPORTED_ARCHS = ("fmnist-cnn", "mlp") + tuple(ARCHS)

# Initial primitive values (src-main/engine/glif/init.ts PRIMITIVE_PRESETS) and gate ranges.
PRIMITIVE_PRESETS = {
    "cifar": dict(tau=0.25, vth=0.5, reVth=0.5, leak=0.5 / (2 * 4), conduct=0.5),
    "imagenet-t4": dict(tau=0.25, vth=0.5, reVth=0.5, leak=0.5 / (2 * 4), conduct=0.5),
    "imagenet-t6": dict(tau=0.25, vth=0.5, reVth=0.5, leak=0.5 / (2 * 4), conduct=0.9),
    "dvs": dict(tau=0.5, vth=0.99999, reVth=0.99999, leak=0.99999 / (2 * 16), conduct=0.9),
}


FIXED_GATES = (0.6, 0.8, 0.6)


def logit(p: float) -> float:
    return -math.log(1 / p - 1)


class Activity:
    """What an evaluation pass records: spikes per GLIF layer; per weighted layer call its path,
    summed |input| (spiking inputs only), fan-out, multiply-accumulates and whether its input is
    real-valued (energy.ts)."""

    def __init__(self) -> None:
        self.spikes: List[Tuple[str, float, int]] = []
        self.synaptic: List[Tuple[str, float, float, float, bool]] = []


class Recorded(nn.Module):
    """A weighted layer that reports what a call costs when an Activity is attached. `real`: it
    receives real values (no neuron before it), so it multiplies; otherwise spikes, accumulated."""

    activity: Optional[Activity] = None
    path = ""
    real = False

    def fan_out(self) -> float:
        raise NotImplementedError

    def macs_per_output(self) -> int:
        """Multiply-accumulates behind one output value of the dense computation."""
        raise NotImplementedError

    def record(self, x: torch.Tensor, y: torch.Tensor) -> None:
        if self.activity is not None:
            activity = 0.0 if self.real else float(x.detach().abs().sum())
            macs = float(y.numel() * self.macs_per_output())
            self.activity.synaptic.append((self.path, activity, self.fan_out(), macs, self.real))


class Conv(Recorded):
    def __init__(
        self, in_c: int, out_c: int, k: int, stride: int, padding: int, weight: torch.Tensor, real: bool
    ):
        super().__init__()
        self.weight = nn.Parameter(weight)
        self.in_c, self.out_c, self.k, self.stride, self.padding = in_c, out_c, k, stride, padding
        self.real = real

    def fan_out(self) -> float:
        return self.out_c * self.k * self.k / (self.stride * self.stride)

    def macs_per_output(self) -> int:
        return self.in_c * self.k * self.k

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
        y = nn.functional.conv2d(x, self.weight, stride=self.stride, padding=self.padding)
        self.record(x, y)
        return y


class Linear(Recorded):
    def __init__(self, in_f: int, out_f: int, weight: torch.Tensor, bias: Optional[torch.Tensor], real: bool):
        super().__init__()
        self.weight = nn.Parameter(weight)
        self.bias = nn.Parameter(bias) if bias is not None else None
        self.in_f, self.out_f = in_f, out_f
        self.real = real

    def fan_out(self) -> float:
        return float(self.out_f)

    def macs_per_output(self) -> int:
        return self.in_f

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
        y = nn.functional.linear(x, self.weight, self.bias)
        self.record(x, y)
        return y


class AvgPool(nn.Module):
    def __init__(self, k: int):
        super().__init__()
        self.pool = nn.AvgPool2d(k)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
        return self.pool(x)


class Factory:
    """The workbench's LayerFactory (models/factory.ts): layers with the run's neuron and init."""

    def __init__(
        self, T: int, spec: NeuronSpec, neuron: dict, weight_init: str, rng: Rng, plain_norm: bool = False
    ):
        self.T, self.spec, self.rng, self.weight_init = T, spec, rng, weight_init
        # Plain BatchNorm2d instead of tdBN: the DVS model (train/build.ts plainNorm).
        self.plain_norm = plain_norm
        self.prim = PRIMITIVE_PRESETS[neuron["init"]]
        self.gate_range = neuron["gateRange"]
        self.width = neuron["surrogateWidth"]

    def _draw(self, n: int, f: Callable[[], float]) -> torch.Tensor:
        return torch.tensor([f() for _ in range(n)], dtype=torch.float32)

    def _normal(self, n: int, std: float) -> torch.Tensor:
        """n of the workbench's normalTensor draws: normal() * std, rounded to float32."""
        return torch.from_numpy((self.rng.normal_block(n) * std).astype(np.float32))

    def _uniform(self, n: int, bound: float) -> torch.Tensor:
        """n of uniformTensor's draws: (next() * 2 - 1) * bound, rounded to float32."""
        return torch.from_numpy(((self.rng.uniform_block(n) * 2 - 1) * bound).astype(np.float32))

    def conv(self, in_c: int, out_c: int, k: int, stride: int, padding: int, real: bool = False) -> Conv:
        """`real`: the conv receives real values, not spikes (energy estimate; factory.ts `input`)."""
        n = k * k * in_c * out_c
        if self.weight_init == "kaiming":
            hwio = self._normal(n, math.sqrt(2 / (out_c * k * k)))
        else:
            hwio = self._uniform(n, 1 / math.sqrt(in_c * k * k))
        oihw = hwio.view(k, k, in_c, out_c).permute(3, 2, 0, 1).contiguous()
        return Conv(in_c, out_c, k, stride, padding, oihw, real)

    def linear(self, in_f: int, out_f: int, bias: bool, real: bool = False) -> Linear:
        n = in_f * out_f
        bound = 1 / math.sqrt(in_f)
        if self.weight_init == "kaiming":
            w = self._normal(n, 0.01)
            b = torch.zeros(out_f) if bias else None
        else:
            w = self._uniform(n, bound)
            b = self._uniform(out_f, bound) if bias else None
        return Linear(in_f, out_f, w.view(in_f, out_f).t().contiguous(), b, real)

    def norm(self, channels: int, alpha: float) -> TdBatchNorm:
        return TdBatchNorm(channels, alpha=alpha, plain=self.plain_norm)

    def glif(self, channels: int) -> GLIF:
        layer = GLIF(channels, self.T, self.spec, self.width)
        size = 1 if self.spec.layerwise else channels
        shape = () if self.spec.layerwise else (channels,)
        with torch.no_grad():
            for i, name in enumerate(("alpha", "beta", "gamma")):
                p = getattr(layer, name)
                raw = self._gate_raw(i, size)
                if p is not None:
                    p.copy_(raw.view(shape))
            for name, key in (("tau", "tau"), ("Vth", "vth"), ("leak", "leak"), ("reVth", "reVth")):
                getattr(layer, name).fill_(logit(self.prim[key]))
            layer.conduct.fill_(logit(self.prim["conduct"]))
        return layer

    def _gate_raw(self, gate: int, size: int) -> torch.Tensor:
        """glif/init.ts initialGateRaw, drawing exactly what it draws."""
        bits = self.spec.simplex_bits
        if bits is not None:
            return torch.full((size,), logit(0.25 + 0.5 * bits[gate]))
        if self.spec.gate_mode == "none":
            return torch.zeros(size)
        if self.gate_range == "fixed":  # init.ts GATE_RANGES.fixed: --gate 0.6 0.8 0.6, no draw
            raw = logit(0.25 + 0.5 * FIXED_GATES[gate])
            # The official layer-wise constructor drops logit's minus: ln(1/p - 1), sigmoid 1 - p.
            return torch.full((size,), -raw if self.spec.layerwise else raw)
        if self.gate_range == "code":
            return self._draw(size, lambda: -0.1 + 0.2 * self.rng.next())
        return self._draw(size, lambda: logit(0.4502 + (0.5498 - 0.4502) * self.rng.next()))


class Model(nn.Module):
    """Input [T, N, C, H, W]; `features` run on [T, N, ...]; the classifier on the flattened
    per-step features; logits averaged over T (the official decoding)."""

    def __init__(self, features: nn.Module, classifier: nn.Module, T: int, flatten_input: bool):
        super().__init__()
        self.features = features
        self.classifier = classifier
        self.T = T
        self.flatten_input = flatten_input

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
        T, N = x.shape[0], x.shape[1]
        if self.flatten_input:
            x = channels_last_flat(x)
        y = channels_last_flat(self.features(x)).flatten(0, 1)
        return self.classifier(y).view(T, N, -1).mean(0)


def channels_last_flat(x: torch.Tensor) -> torch.Tensor:
    """[T, N, C, H, W] -> [T, N, H*W*C], the workbench's order; dense [T, N, F] stays."""
    return x.permute(0, 1, 3, 4, 2).flatten(2) if x.dim() == 5 else x


def single_resnet_head(config: dict) -> bool:
    """train/build.ts singleResNetHead: config.model.head, the authors' choice by default."""
    head = config["model"].get("head", "by-classes")  # runs stored before the field: by classes
    if head in ("single", "by-classes"):
        return head == "single"
    neuron = config["neuron"]
    arch = config["model"]["arch"]
    return arch == "resnet34" or (
        arch == "resnet18" and (neuron["layerwise"] or neuron["variant"] == "glif-f")
    )


def plain_norm(config: dict) -> bool:
    """train/build.ts plainNorm: plain BatchNorm instead of tdBN (model.norm; `official` is the
    authors' choice, plain only in 7B-wideNet)."""
    norm = config["model"].get("norm", "official")
    return norm == "plain" or (norm == "official" and config["model"]["arch"] == "wide7b")


def build_model(config: dict, in_shape: Tuple[int, int, int], classes: int, rng: Rng) -> nn.Module:
    """The run config's architecture, initialised as the workbench initialises it."""
    model_cfg, neuron = config["model"], config["neuron"]
    arch = model_cfg["arch"]
    if arch not in SUPPORTED_ARCHS:
        raise ValueError(
            f"the torch engine does not build '{arch}' yet (it builds {', '.join(SUPPORTED_ARCHS)}); "
            "train it on the tfjs engine"
        )
    T = model_cfg["timeSteps"]
    spec = NeuronSpec(neuron["variant"], neuron["layerwise"], neuron["reset"])
    f = Factory(T, spec, neuron, model_cfg["weightInit"], rng, plain_norm=plain_norm(config))
    h, w, c = in_shape
    model: nn.Module
    if arch in ARCHS:
        model = ARCHS[arch](f, in_shape, classes, single_resnet_head(config))
    elif arch == "fmnist-cnn":
        features = TimeFolded(
            nn.Sequential(f.conv(c, 32, 3, 1, 1), f.norm(32, 1)),
            f.glif(32),
            AvgPool(2),
            nn.Sequential(f.conv(32, 64, 3, 1, 1), f.norm(64, 1)),
            f.glif(64),
            AvgPool(2),
        )
        model = Model(features, f.linear((h // 4) * (w // 4) * 64, classes, True), T, flatten_input=False)
    else:
        in_f = h * w * c
        blocks = []
        for width in model_cfg["mlpHidden"]:
            blocks.append(TimeFolded(f.linear(in_f, width, False), f.norm(width, 1), f.glif(width)))
            in_f = width
        model = Model(TimeFolded(*blocks), f.linear(in_f, classes, True), T, flatten_input=True)
    for path, m in model.named_modules():
        if isinstance(m, (GLIF, Recorded)):
            m.path = path
    return model
