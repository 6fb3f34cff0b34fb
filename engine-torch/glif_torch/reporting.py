"""Rank 0's reports: JSON lines, one message each, with the non-finite numbers JSON lacks."""

import json
import math
from typing import Any, Dict, Optional, TextIO


def finite_json(value: Any) -> Any:
    """JSON has no NaN or infinities: they travel as the strings "NaN", "Infinity", "-Infinity"
    (the workbench's own JSON convention, contract/json-numbers.ts), so a diverged value is
    recorded as what it is instead of breaking the line."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, dict):
        return {k: finite_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite_json(v) for v in value]
    return value


class Reporter:
    """Rank 0's event stream; other ranks report nothing."""

    def __init__(self, out: Optional[TextIO]):
        self.out = out

    def send(self, message: Dict[str, Any]) -> None:
        if self.out is not None:
            self.out.write(json.dumps(finite_json(message), allow_nan=False) + "\n")
            self.out.flush()

    def event(self, event: Dict[str, Any]) -> None:
        self.send({"type": "event", "event": event})
