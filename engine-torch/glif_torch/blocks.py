"""Building blocks shared by the architectures, with the official module names.

SeqToANN folds time into the batch ([T, N, ...] -> [T*N, ...]) around stateless layers, as
SpikingJelly's SeqToANNContainer does, so tdBN's statistics span time and batch.
"""

from torch import nn

from .neuron import GLIF, SQRT_HALF
from .tdbn import TdBatchNorm
from .variants import NeuronSpec


class SeqToANN(nn.Sequential):
    def forward(self, x):  # type: ignore[override]
        T, N = x.shape[0], x.shape[1]
        y = super().forward(x.flatten(0, 1))
        return y.view((T, N) + tuple(y.shape[1:]))


def conv_bn(in_c: int, out_c: int, k: int, stride: int, alpha: float) -> SeqToANN:
    return SeqToANN(
        nn.Conv2d(in_c, out_c, k, stride=stride, padding=k // 2, bias=False),
        TdBatchNorm(out_c, alpha=alpha),
    )


class BasicBlock(nn.Module):
    """The official BasicBlock_CW: out = lif(body(x) + downsample(x)).

    body = conv3x3 + tdBN(alpha 1), GLIF, conv3x3 + tdBN(alpha 1/sqrt 2); the shortcut is
    conv1x1 + tdBN(1/sqrt 2) when the shape changes, else tdBN(1/sqrt 2) on the identity.
    """

    def __init__(self, in_c: int, out_c: int, stride: int, T: int, spec: NeuronSpec):
        super().__init__()
        self.body = nn.Sequential(
            conv_bn(in_c, out_c, 3, stride, 1.0),
            GLIF(out_c, T, spec),
            conv_bn(out_c, out_c, 3, 1, SQRT_HALF),
        )
        if stride != 1 or in_c != out_c:
            self.downsample = nn.Sequential(conv_bn(in_c, out_c, 1, stride, SQRT_HALF))
        else:
            self.downsample = SeqToANN(TdBatchNorm(out_c, alpha=SQRT_HALF))
        self.lif = GLIF(out_c, T, spec)

    def forward(self, x):  # type: ignore[override]
        return self.lif(self.body(x) + self.downsample(x))
