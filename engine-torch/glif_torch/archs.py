"""The paper's architectures on PyTorch (reference glif.md section 7), one class per official model,
built through the Factory in exactly the order src-main/engine/models/ builds them, so parameter
names, counts and initial values are the workbench's.

Each builder takes the Factory (models.py) as `f`. Activations are [T, N, ...]. TimeFolded runs stateless layers (convs, norms, pools, linears) on
time folded into the batch, as SpikingJelly's SeqToANNContainer does, and hands GLIF layers and
blocks the time axis.
"""

from collections import OrderedDict
from typing import List, Tuple, Union

import torch
from torch import nn

from .neuron import GLIF, SQRT_HALF


class Temporal(nn.Module):
    """A module that takes and returns [T, N, ...] (a block): TimeFolded does not fold it."""


class TimeFolded(nn.Sequential):
    """Runs its layers on [T, N, ...] activations: GLIF layers and blocks see time, the others
    folded batches."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
        T, N = x.shape[0], x.shape[1]
        for layer in self:
            if isinstance(layer, (GLIF, TimeFolded, Temporal)):
                x = layer(x)
            else:
                y = layer(x.flatten(0, 1))
                x = y.view((T, N) + tuple(y.shape[1:]))
        return x


class Network(TimeFolded):
    """A whole model: its named parts in forward order, logits averaged over T (the official
    decoding; the affine heads commute with the mean)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
        return super().forward(x).mean(0)


class AvgPool(nn.Module):
    def __init__(self, k: int):
        super().__init__()
        self.k = k

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
        return nn.functional.avg_pool2d(x, self.k)


class GlobalAvgPool(nn.Module):
    """[M, C, H, W] -> [M, C], per step (nn/linear.ts GlobalAvgPool)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
        return x.mean(dim=(2, 3))


class FlattenRows(nn.Module):
    """[M, C, H, W] -> [M, H*W*C]: the workbench's (h, w, c) order, so the linear after it sees
    its features in the same order as on the tfjs engine (units.ts flattenRows)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
        return x.permute(0, 2, 3, 1).flatten(1) if x.dim() == 4 else x


def out_size(size: int, k: int, stride: int, padding: int) -> int:
    return (size + 2 * padding - k) // stride + 1


def conv_norm(
    f, in_c: int, out_c: int, k: int, stride: int, padding: int, alpha: float = 1.0, real: bool = False
):
    """units.ts convNorm: one SeqToANNContainer(conv, norm); `real`: the conv gets real values."""
    return nn.Sequential(f.conv(in_c, out_c, k, stride, padding, real), f.norm(out_c, alpha))


def conv_norm_glif(f, in_c: int, out_c: int, k: int) -> TimeFolded:
    """units.ts convNormGlif: the DVS model's conv3x3_GLIF / conv1x1_GLIF unit."""
    return TimeFolded(conv_norm(f, in_c, out_c, k, 1, 1 if k == 3 else 0), f.glif(out_c))


def resnet_head(f, in_features: int, classes: int, single: bool = False, real: bool = False) -> TimeFolded:
    """units.ts resnetHead: 512 -> 256 -> classes (no biases), one 512 -> classes above 50 or
    when `single`. `real`: the first linear gets real values; the second always does."""
    if single or classes > 50:
        return TimeFolded(f.linear(in_features, classes, False, real))
    return TimeFolded(f.linear(in_features, 256, False, real), f.linear(256, classes, False, True))


def shortcut(f, in_c: int, out_c: int, stride: int, real: bool = False) -> TimeFolded:
    """The blocks' `downsample`: conv1x1 + tdBN(1/sqrt 2) where the shape changes, else
    tdBN(1/sqrt 2) on the identity (basic-block.ts, ms-block.ts)."""
    if in_c != out_c or stride != 1:
        return TimeFolded(conv_norm(f, in_c, out_c, 1, stride, 0, SQRT_HALF, real))
    return TimeFolded(f.norm(out_c, SQRT_HALF))


class BasicBlock(Temporal):
    """BasicBlock_CW (basic-block.ts): out = lif(body(x) + downsample(x))."""

    def __init__(self, f, in_c: int, out_c: int, stride: int):
        super().__init__()
        self.body = TimeFolded(
            conv_norm(f, in_c, out_c, 3, stride, 1),
            f.glif(out_c),
            conv_norm(f, out_c, out_c, 3, 1, 1, SQRT_HALF),
        )
        self.downsample = shortcut(f, in_c, out_c, stride)
        self.lif = f.glif(out_c)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
        return self.lif(self.body(x) + self.downsample(x))


class MsBasicBlock(Temporal):
    """BasicBlock_CW_MS (ms-block.ts): pre-activation, the shortcut carries the membrane-like
    input; out = body(x) + downsample(x), no neuron after the sum. `real`: the block receives the
    real-valued sum of the block before (every block but the first, which gets the stem's spikes)."""

    def __init__(self, f, in_c: int, out_c: int, stride: int, real: bool):
        super().__init__()
        self.body = TimeFolded(
            f.glif(in_c),
            conv_norm(f, in_c, out_c, 3, stride, 1),
            f.glif(out_c),
            conv_norm(f, out_c, out_c, 3, 1, 1, SQRT_HALF),
        )
        self.downsample = shortcut(f, in_c, out_c, stride, real)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
        return self.body(x) + self.downsample(x)


class SewBlock(Temporal):
    """SEWBlock_GLIF with ADD (wide7b.ts): two conv-norm-GLIF units, spikes added to the input."""

    def __init__(self, f, channels: int):
        super().__init__()
        self.conv = TimeFolded(
            conv_norm_glif(f, channels, channels, 3), conv_norm_glif(f, channels, channels, 3)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
        return self.conv(x) + x


Shape = Tuple[int, int, int]

CIFARNET_CFG: List[Union[int, str]] = [128, 256, "A", 512, "A", 1024, 512]
RESNET19 = dict(stem=128, repeats=[3, 3, 2], widths=[128, 256, 512], strides=[1, 2, 2])
RESNET18 = dict(stem=64, repeats=[2, 2, 2, 2], widths=[64, 128, 256, 512], strides=[1, 1, 2, 2])
RESNET34 = dict(stem=64, repeats=[3, 4, 6, 3], widths=[64, 128, 256, 512], strides=[2, 2, 2, 2])
WIDE7B_CFG = [(64, False), (64, False), (64, False), (64, True), (128, True), (128, True), (128, True)]


def _divisible(arch: str, shape: Shape, by: int) -> None:
    if shape[0] % by or shape[1] % by:
        raise ValueError(
            f"{arch}: input height and width must be multiples of {by}, got {shape[0]}x{shape[1]}"
        )


def cifarnet(f, shape: Shape, classes: int, single_head: bool = False) -> Network:
    _divisible("cifarnet", shape, 4)
    h, w, c = shape
    layers: List[nn.Module] = []
    in_c, pools = c, 0
    for v in CIFARNET_CFG:
        if v == "A":
            layers.append(AvgPool(2))
            pools += 1
        else:
            layers += [conv_norm(f, in_c, int(v), 3, 1, 1), f.glif(int(v))]
            in_c = int(v)
    features = TimeFolded(*layers)
    flat = in_c * (h >> pools) * (w >> pools)
    # No neuron between the linears: the second and third get real values (energy estimate).
    classifier = TimeFolded(
        f.linear(flat, 1024, False), f.linear(1024, 512, False, True), f.linear(512, classes, False, True)
    )
    return Network(OrderedDict(features=features, flatten=FlattenRows(), classifier=classifier))


def resnet(
    f, conv1: TimeFolded, blocks: List[nn.Module], width: int, classes: int, single: bool, real_head: bool
) -> Network:
    """The ResNets' shape: stem, blocks, global average pool per step, head (the names of
    resnet.ts and ms-resnet18.ts: conv1, features, globalave, lastave). `real_head`: the
    pooled features are real values (MS-ResNet), not pooled spikes."""
    return Network(
        OrderedDict(
            conv1=conv1,
            features=TimeFolded(*blocks),
            globalave=GlobalAvgPool(),
            lastave=resnet_head(f, width, classes, single, real_head),
        )
    )


def spike_resnet(f, stages: dict, shape: Shape, classes: int, single_head: bool, stem=None) -> Network:
    """resnet.ts SpikeResNet: ResNet-19 and ResNet-18 for CIFAR (3x3 stem), ResNet-34 (`stem`)."""
    if stem is None:
        stem = TimeFolded(conv_norm(f, shape[2], stages["stem"], 3, 1, 1), f.glif(stages["stem"]))
    blocks = []
    in_c = stages["stem"]
    for n, width, stride in zip(stages["repeats"], stages["widths"], stages["strides"]):
        for i in range(n):
            blocks.append(BasicBlock(f, in_c, width, stride if i == 0 else 1))
            in_c = width
    return resnet(f, stem, blocks, in_c, classes, single_head, False)


def imagenet_stem(f, arch: str, shape: Shape, width: int = 64) -> TimeFolded:
    """units.ts imagenetStem: conv7x7 stride 2 padding 1 + norm + GLIF(64), no max-pool."""
    size = out_size(min(shape[0], shape[1]), 7, 2, 1)
    for _ in range(4):
        size = out_size(size, 3, 2, 1)
    if size < 1:
        raise ValueError(f"{arch}: input {shape[0]}x{shape[1]} is too small (five stride-2 stages)")
    return TimeFolded(conv_norm(f, shape[2], width, 7, 2, 1), f.glif(width))


def resnet34(f, shape: Shape, classes: int, single_head: bool = True) -> Network:
    """resnet34.ts: ResNet_34_stand_CW, 3-4-6-3 BasicBlocks, stride 2 at every stage start."""
    stem = imagenet_stem(f, "resnet34", shape, RESNET34["stem"])
    return spike_resnet(f, RESNET34, shape, classes, single_head, stem)


def ms_resnet18(f, shape: Shape, classes: int, single_head: bool = False) -> Network:
    conv1 = imagenet_stem(f, "ms-resnet18", shape)
    blocks = []
    in_c = 64
    for width in (64, 128, 256, 512):
        for i in range(2):
            blocks.append(MsBasicBlock(f, in_c, width, 2 if i == 0 else 1, real=len(blocks) > 0))
            in_c = width
    return resnet(f, conv1, blocks, in_c, classes, single_head, True)


def wide7b(f, shape: Shape, classes: int, single_head: bool = False) -> Network:
    h, w, in_c = shape
    layers: List[nn.Module] = []
    for channels, pool in WIDE7B_CFG:
        if in_c != channels:
            layers.append(conv_norm_glif(f, in_c, channels, 1))
        in_c = channels
        layers.append(SewBlock(f, in_c))
        if pool:
            layers.append(AvgPool(2))
            h, w = out_size(h, 2, 2, 0), out_size(w, 2, 2, 0)
    if h < 1 or w < 1:
        raise ValueError(f"wide7b: input {shape[0]}x{shape[1]} is too small (four 2x2 pools)")
    conv = TimeFolded(*layers)
    return Network(OrderedDict(conv=conv, flatten=FlattenRows(), out=f.linear(in_c * h * w, classes, True)))


ARCHS = {
    "cifarnet": cifarnet,
    "resnet19": lambda f, s, k, single: spike_resnet(f, RESNET19, s, k, single),
    "resnet18": lambda f, s, k, single: spike_resnet(f, RESNET18, s, k, single),
    "resnet34": resnet34,
    "ms-resnet18": ms_resnet18,
    "wide7b": wide7b,
}
