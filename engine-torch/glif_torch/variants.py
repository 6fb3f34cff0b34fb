"""Neuron variants as the workbench names them (src-main/engine/glif/variants.ts)."""

from dataclasses import dataclass
from typing import Optional, Tuple

SIMPLEX_IDS = tuple(f"simplex-{a}{b}{c}" for a in "01" for b in "01" for c in "01")
VARIANT_IDS = ("glif", "glif-static", "glif-hard", "glif-f") + SIMPLEX_IDS
RESET_FORMS = ("code", "paper-figure")

# How a variant's gates enter the update: learned, frozen soft, frozen 0/1, learned 0/1 with a
# straight-through gradient, or no gates at all (GLIF_f).
GATE_MODES = ("learnable", "static-soft", "static-binary", "hard-ste", "none")


@dataclass(frozen=True)
class NeuronSpec:
    variant: str
    layerwise: bool = False
    reset: str = "code"

    def __post_init__(self) -> None:
        if self.variant not in VARIANT_IDS:
            raise ValueError(f"unknown neuron variant '{self.variant}' (allowed: {', '.join(VARIANT_IDS)})")
        if self.reset not in RESET_FORMS:
            raise ValueError(f"unknown reset form '{self.reset}' (allowed: {', '.join(RESET_FORMS)})")

    @property
    def gate_mode(self) -> str:
        return {
            "glif": "learnable",
            "glif-static": "static-soft",
            "glif-hard": "hard-ste",
            "glif-f": "none",
        }.get(self.variant, "static-binary")

    @property
    def simplex_bits(self) -> Optional[Tuple[int, int, int]]:
        if not self.variant.startswith("simplex-"):
            return None
        a, b, c = (int(d) for d in self.variant[len("simplex-") :])
        return (a, b, c)

    @property
    def gates_trainable(self) -> bool:
        return self.gate_mode in ("learnable", "hard-ste")
