"""The torch engine's generator against the workbench's (src-main/engine/random.ts): the same
seed must give the same draws, so both engines start from the same weights and sample order.
The expected values were printed by the TypeScript Rng."""

import unittest

from glif_torch.rng import Rng


class RngTest(unittest.TestCase):
    def test_same_draws_as_the_workbench(self):
        r = Rng(9)
        self.assertEqual(r.uint32(), 1363781792)
        self.assertEqual(r.next(), 0.5486522468272597)
        self.assertEqual(r.normal(), -0.3829936258258502)
        self.assertEqual(r.int(1000), 44)
        self.assertEqual(r.permutation(10), [8, 4, 3, 1, 9, 5, 0, 6, 2, 7])

    def test_seeds_above_32_bits_differ(self):
        self.assertEqual(Rng(2**40 + 5).uint32(), 3786830630)
        self.assertNotEqual(Rng(2**40 + 5).uint32(), Rng(5).uint32())

    def test_state_round_trip(self):
        r = Rng(3)
        r.next()
        saved = r.get_state()
        a = [r.uint32() for _ in range(5)]
        r.set_state(saved)
        self.assertEqual([r.uint32() for _ in range(5)], a)
        with self.assertRaises(ValueError):
            r.set_state({"algorithm": "mt19937", "s": [1, 2, 3, 4]})

    def test_block_draws_are_the_single_draws(self):
        # Below and above the size where lanes take over, and a length the lanes do not divide.
        for m in (3, 70_001, 300_007):
            block, single = Rng(11), Rng(11)
            block.next()
            single.next()
            drawn = block.uint32_block(m)
            self.assertEqual(drawn.tolist(), [single.uint32() for _ in range(m)], m)
            self.assertEqual(block.s, single.s, m)
        a, b = Rng(4), Rng(4)
        # The same uniforms through numpy's vectorised log and cos, which on CPUs with AVX-512
        # are its own SIMD routines and may differ from libm's in the last bit: the same draws
        # to rounding (a draw out of step would differ by about 1).
        block, single = a.normal_block(500).tolist(), [b.normal() for _ in range(500)]
        self.assertLess(max(abs(x - y) for x, y in zip(block, single)), 1e-14)
        self.assertEqual(len(block), len(single))
        self.assertEqual(a.uniform_block(7).tolist(), [b.next() for _ in range(7)])


if __name__ == "__main__":
    unittest.main()
