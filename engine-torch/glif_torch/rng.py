"""The workbench's seeded generator (src-main/engine/random.ts), bit for bit: xoshiro128** seeded
through splitmix32, with the same uniform, normal and permutation draws. A run on either engine
with the same seed starts from the same weights and sees its samples in the same order.
"""

import math
from typing import Dict, List

M32 = 0xFFFFFFFF
TWO_POW_32 = 4294967296


def _imul(a: int, b: int) -> int:
    return (a * b) & M32


def _splitmix32(x: int) -> int:
    z = (x + 0x9E3779B9) & M32
    z = _imul(z ^ (z >> 16), 0x85EBCA6B)
    z = _imul(z ^ (z >> 13), 0xC2B2AE35)
    return (z ^ (z >> 16)) & M32


def _rotl(x: int, k: int) -> int:
    return ((x << k) | (x >> (32 - k))) & M32


class Rng:
    def __init__(self, seed: int):
        lo = seed & M32
        hi = (seed // TWO_POW_32) & M32
        x = _splitmix32(lo ^ 0x6A09E667)
        x = _splitmix32(x ^ hi)
        self.s = [x]
        for _ in range(3):
            x = _splitmix32(x)
            self.s.append(x)
        if not any(self.s):
            self.s[0] = 1

    def uint32(self) -> int:
        s0, s1, s2, s3 = self.s
        result = _imul(_rotl(_imul(s1, 5), 7), 9)
        t = (s1 << 9) & M32
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = _rotl(s3, 11)
        self.s = [s0, s1, s2, s3]
        return result

    def next(self) -> float:
        return self.uint32() / TWO_POW_32

    def int(self, n: int) -> int:
        limit = TWO_POW_32 - (TWO_POW_32 % n)
        x = self.uint32()
        while x >= limit:
            x = self.uint32()
        return x % n

    def normal(self) -> float:
        u1 = 1 - self.next()
        u2 = self.next()
        return math.sqrt(-2 * math.log(u1)) * math.cos(2 * math.pi * u2)

    def permutation(self, n: int) -> List[int]:
        p = list(range(n))
        for i in range(n - 1, 0, -1):
            j = self.int(i + 1)
            p[i], p[j] = p[j], p[i]
        return p

    def uint32_block(self, m: int):
        """The next m uint32 draws as a numpy array, fast (rng_block.py)."""
        from .rng_block import uint32_block

        out, self.s = uint32_block(self.s, m)
        return out

    def uniform_block(self, n: int):
        """n draws of next(), float64."""
        return self.uint32_block(n) / TWO_POW_32

    def normal_block(self, n: int):
        """n draws of normal(), float64: each takes two uniforms, as normal() does (equal to
        rounding: numpy's SIMD log and cos may differ from libm's in the last bit)."""
        import numpy as np

        u = self.uniform_block(2 * n)
        return np.sqrt(-2 * np.log(1 - u[0::2])) * np.cos(2 * math.pi * u[1::2])

    def get_state(self) -> Dict[str, object]:
        return {"algorithm": "xoshiro128**", "s": list(self.s)}

    def set_state(self, state: Dict[str, object]) -> None:
        s = state.get("s")
        if state.get("algorithm") != "xoshiro128**" or not isinstance(s, list) or len(s) != 4:
            raise ValueError(f"not an Rng state: {state}")
        self.s = [int(v) & M32 for v in s]
