"""Runs ../shared/bench/torch_reference.py unchanged as __main__, with one seed in place of its 0s.

Usage: python3 reference_seeded.py SEED SCRIPT [ARGS...]

The reference seeds torch with torch.manual_seed(0) (the weights) and its fmnist-accuracy loader
with torch.Generator().manual_seed(0) (the data order). One run of 32 SGD steps varies by several
points of test accuracy with either seed, so comparing one run of each side compares luck; the
bench runs several seeds of both. Here both of the reference's seeds become SEED, as ours both
follow train.seed. SEED 0 is the reference exactly as shipped.
"""
import runpy
import sys

import torch

seed = int(sys.argv[1])
script = sys.argv[2]

_manual_seed = torch.manual_seed
torch.manual_seed = lambda _s: _manual_seed(seed)


class SeededGenerator(torch.Generator):
    def manual_seed(self, _s):
        return super().manual_seed(seed)


torch.Generator = SeededGenerator
sys.argv = [script, *sys.argv[3:]]
runpy.run_path(script, run_name="__main__")
