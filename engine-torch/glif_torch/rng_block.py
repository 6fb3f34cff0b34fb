"""Many draws of the workbench's generator at once, bit for bit the draws Rng.uint32 would give
one by one, so that a ResNet's 12.7 M initial weights take a fraction of a second, not a minute.

xoshiro128**'s state update is linear over GF(2): 128 state bits times a 128x128 bit matrix M.
The block of m draws is cut into lanes of L consecutive draws; lane k starts at position k*L,
whose state is (M^L)^k times the current one. All lanes then step together as numpy uint32
vectors, and the generator continues from position m.
"""

from typing import List

import numpy as np

from .rng import Rng

M32 = 0xFFFFFFFF
LANES = 4096
# Below this many draws the plain loop is as fast as setting up the lanes.
SCALAR_BELOW = 262144


def _at(state: List[int]) -> Rng:
    """A generator at `state` (what Rng.uint32 steps is the one definition of the transition)."""
    r = Rng(0)
    r.s = list(state)
    return r


def _update(s: List[int]) -> List[int]:
    """The state transition of Rng.uint32, the output aside."""
    r = _at(s)
    r.uint32()
    return r.s


def _bits(s: List[int]) -> np.ndarray:
    return np.array([(s[i // 32] >> (i % 32)) & 1 for i in range(128)], dtype=np.int64)


def _words(bits: np.ndarray) -> np.ndarray:
    """[128, n] bit columns -> [4, n] uint32 words."""
    weights = (np.uint64(1) << np.arange(32, dtype=np.uint64)).reshape(1, 32, 1)
    w = (bits.reshape(4, 32, -1).astype(np.uint64) * weights).sum(axis=1)
    return w.astype(np.uint32)


def _step_matrix() -> np.ndarray:
    m = np.zeros((128, 128), dtype=np.int64)
    for i in range(128):
        unit = [0, 0, 0, 0]
        unit[i // 32] = 1 << (i % 32)
        m[:, i] = _bits(_update(unit))
    return m


_M = _step_matrix()


def _power(m: np.ndarray, k: int) -> np.ndarray:
    result = np.eye(128, dtype=np.int64)
    while k:
        if k & 1:
            result = (m @ result) % 2
        m = (m @ m) % 2
        k >>= 1
    return result


def _rotl(x: np.ndarray, k: int) -> np.ndarray:
    return (x << np.uint32(k)) | (x >> np.uint32(32 - k))


def uint32_block(state: List[int], m: int) -> "tuple[np.ndarray, List[int]]":
    """The next m draws from `state` and the state after them."""
    if m < SCALAR_BELOW:
        r = _at(state)
        return np.array([r.uint32() for _ in range(m)], dtype=np.uint32), r.s
    length = -(-m // LANES)
    lanes = -(-m // length)
    # Lane starts by doubling: columns k and k + 2^j from column k through M^(2^j * L).
    jump = _power(_M, length)
    starts = _bits(state).reshape(128, 1)
    while starts.shape[1] < lanes:
        starts = np.concatenate([starts, (jump @ starts) % 2], axis=1)
        jump = (jump @ jump) % 2
    s0, s1, s2, s3 = _words(starts[:, :lanes])
    out = np.empty((lanes, length), dtype=np.uint32)
    last_used = m - (lanes - 1) * length
    final: List[int] = []
    with np.errstate(over="ignore"):
        for j in range(length):
            out[:, j] = _rotl(s1 * np.uint32(5), 7) * np.uint32(9)
            t = s1 << np.uint32(9)
            s2 = s2 ^ s0
            s3 = s3 ^ s1
            s1 = s1 ^ s2
            s0 = s0 ^ s3
            s2 = s2 ^ t
            s3 = _rotl(s3, 11)
            if j + 1 == last_used:
                final = [int(s0[-1]), int(s1[-1]), int(s2[-1]), int(s3[-1])]
    return out.reshape(-1)[:m], final
