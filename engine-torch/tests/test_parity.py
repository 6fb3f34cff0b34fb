"""The torch neuron and block against every parity fixture of the authors' code.

The workbench runs the same comparison through `glif parity --engine torch`
(test/integration/torch-engine-parity.test.ts); this is the package's own check. Fixtures are
read from GLIF_PARITY_FIXTURES, else ../shared/fixtures/glif-parity beside the repository.
"""

import json
import math
import os
import unittest
from pathlib import Path

from glif_torch.parity import run_fixture

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(os.environ.get("GLIF_PARITY_FIXTURES", ROOT.parent / "shared" / "fixtures" / "glif-parity"))


def close(actual, expected, atol, rtol):
    bad = [
        (i, a, b) for i, (a, b) in enumerate(zip(actual, expected)) if not abs(a - b) <= atol + rtol * abs(b)
    ]
    return bad


class ParityTest(unittest.TestCase):
    def test_every_fixture(self):
        files = sorted(FIXTURES.glob("*.json"))
        self.assertGreater(len(files), 0, f"no fixtures in {FIXTURES}")
        for path in files:
            with self.subTest(fixture=path.name):
                f = json.loads(path.read_text())
                block = f["official"]["class"] == "BasicBlock_CW"
                atol = rtol = 1e-4 if block else 1e-5
                got = run_fixture(f)
                for name, ref in f["tensors"].items():
                    if name in ("input", "R"):
                        continue
                    mine = got["tensors"][name]
                    self.assertEqual(mine["shape"], ref["shape"], name)
                    if name.startswith("spikes"):
                        self.assertEqual(mine["data"], [float(v) for v in ref["data"]], name)
                    else:
                        self.assertEqual(close(mine["data"], ref["data"], atol, rtol)[:3], [], name)
                for name, ref in f["grads"].items():
                    mine = got["grads"][name]
                    if ref is None:
                        self.assertTrue(mine is None or all(v == 0 for v in mine["data"]), f"grad.{name}")
                        continue
                    self.assertIsNotNone(mine, f"grad.{name} missing")
                    if all(v == 0 for v in ref["data"]):
                        self.assertTrue(all(v == 0 for v in mine["data"]), f"grad.{name}: structural zero")
                    self.assertEqual(close(mine["data"], ref["data"], atol, rtol)[:3], [], f"grad.{name}")
                for name, b in (f.get("buffers") or {}).items():
                    for key in ("running_mean", "running_var"):
                        ref = b.get(f"{key}_after")
                        if ref:
                            mine = got["buffers"][name][key]["data"]
                            self.assertEqual(close(mine, ref["data"], atol, rtol)[:3], [], f"{name}.{key}")
                self.assertFalse(math.isnan(sum(got["tensors"]["spikes"]["data"])))


if __name__ == "__main__":
    unittest.main()
