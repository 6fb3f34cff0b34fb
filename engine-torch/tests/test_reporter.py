import io
import json
import math
import unittest

from glif_torch.reporting import Reporter, finite_json


def strict(text: str):
    """JSON as JavaScript's JSON.parse reads it: no NaN or Infinity tokens."""

    def refuse(token: str):
        raise ValueError(f"not JSON: {token}")

    return json.loads(text, parse_constant=refuse)


class ReporterTest(unittest.TestCase):
    def test_non_finite_numbers_travel_as_strings(self):
        out = io.StringIO()
        Reporter(out).event({"type": "step", "loss": math.nan, "values": [1.0, math.inf, -math.inf]})
        line = out.getvalue()
        self.assertTrue(line.endswith("\n"))
        self.assertEqual(
            strict(line),
            {
                "type": "event",
                "event": {"type": "step", "loss": "NaN", "values": [1.0, "Infinity", "-Infinity"]},
            },
        )

    def test_finite_values_are_unchanged(self):
        value = {"a": [1, 2.5, {"b": -0.0}], "c": "NaN-looking text", "d": None, "e": True}
        self.assertEqual(finite_json(value), value)


if __name__ == "__main__":
    unittest.main()
