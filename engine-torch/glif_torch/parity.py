"""Runs the torch engine's neuron and blocks on parity fixtures (`glif parity --engine torch`).

python -m glif_torch.parity FILE...   prints one JSON line per file: what the engine computed
(spikes, membranes, gradients, tdBN running statistics), or {"file", "error"}. The workbench
compares them with the fixtures' references and tolerances (src-main/engine/torch/parity.ts), the
same comparisons as for its own engine, so both are held to one standard.
"""

import json
import sys
from typing import Any, Dict, List, Optional

import torch

from .blocks import BasicBlock
from .neuron import GLIF, name_glif_layers
from .tdbn import TdBatchNorm
from .variants import NeuronSpec


class FixtureError(Exception):
    pass


def spec_for(official_class: str, kwargs: Optional[Dict[str, Any]]) -> NeuronSpec:
    """The neuron a fixture's official class selects (src-main/engine/parity/neuron-spec.ts)."""
    k = kwargs or {"static_gate": False, "static_param": False, "time_wise": False, "soft_mode": True}
    if k.get("time_wise"):
        raise FixtureError("time-wise primitives (time_wise=True) are not supported")
    if k.get("static_param"):
        raise FixtureError("static primitives (static_param=True) are not supported")
    bits = "".join("1" if g > 0.5 else "0" for g in (k.get("gate") or [0, 0, 0]))
    binary = f"simplex-{bits}"
    if official_class == "LIFSpike_CW":
        if k.get("static_gate"):
            variant = "glif-static" if k.get("soft_mode") else binary
        else:
            variant = "glif" if k.get("soft_mode") else "glif-hard"
        return NeuronSpec(variant, layerwise=False)
    if official_class == "LIFSpike":
        return NeuronSpec(binary if k.get("static_gate") else "glif", layerwise=True)
    if official_class == "LIFSpike_CW_softsimple":
        return NeuronSpec("glif-f", layerwise=False)
    raise FixtureError(f"unsupported official class '{official_class}'")


def tensor(t: Dict[str, Any]) -> torch.Tensor:
    # float32 throughout, as the workbench's engines compute (the DVS fixture's float64 gates too).
    return torch.tensor(t["data"], dtype=torch.float32).reshape(t["shape"])


def out(t: Optional[torch.Tensor]) -> Optional[Dict[str, Any]]:
    if t is None:
        return None
    t = t.detach().to(torch.float32)
    return {"shape": list(t.shape), "data": t.reshape(-1).tolist()}


def load_params(module: torch.nn.Module, params: Dict[str, Any]) -> Dict[str, torch.nn.Parameter]:
    own = dict(module.named_parameters())
    for name, p in params.items():
        if name not in own:
            raise FixtureError(f"parameter '{name}' has no counterpart in the torch module")
        with torch.no_grad():
            own[name].copy_(tensor({"shape": p["shape"], "data": p["raw"]}))
    return own


def run_fixture(f: Dict[str, Any]) -> Dict[str, Any]:
    official = f["official"]
    cls = official["class"]
    T = f["T"]
    ctor = official.get("constructor") or {}
    x = tensor(f["tensors"]["input"]).requires_grad_(True)
    R = tensor(f["tensors"]["R"])
    recorded: Dict[str, Any] = {}

    def record(path: str, spikes: torch.Tensor, membrane: Optional[torch.Tensor]) -> None:
        recorded[path] = (spikes, membrane)

    buffers_out: Dict[str, Any] = {}
    if cls == "BasicBlock_CW":
        if ctor.get("ksize", 3) != 3:
            raise FixtureError(f"only ksize 3 blocks are supported, got {ctor.get('ksize')}")
        spec = spec_for("LIFSpike_CW", ctor.get("lif_param"))
        module: torch.nn.Module = BasicBlock(ctor["inplanes"], ctor["planes"], ctor.get("stride", 1), T, spec)
        norms = {n: m for n, m in module.named_modules() if isinstance(m, TdBatchNorm)}
        for name, b in (f.get("buffers") or {}).items():
            norm = norms.get(name)
            if norm is None:
                raise FixtureError(f"tdBN buffer '{name}' has no counterpart in the block")
            if (
                abs(norm.scale - b["alpha"] * b["Vth"]) > 1e-7
                or norm.eps != b["eps"]
                or norm.momentum != b["momentum"]
            ):
                raise FixtureError(f"tdBN '{name}' has unsupported alpha*Vth/eps/momentum")
            with torch.no_grad():
                norm.running_mean.copy_(tensor(b["running_mean_before"]))
                norm.running_var.copy_(tensor(b["running_var_before"]))
    else:
        spec = spec_for(cls, ctor.get("kwargs"))
        channels = 1 if spec.layerwise else x.shape[2]
        module = GLIF(channels, T, spec)
    module.train()
    for layer in name_glif_layers(module):
        layer.recorder = record
        layer.record_membrane = True
    own = load_params(module, f["params"])
    spikes = module(x)
    loss = (spikes * R).sum()
    loss.backward()

    tensors: Dict[str, Any] = {"spikes": out(spikes)}
    if cls == "BasicBlock_CW":
        for path, (s, m) in recorded.items():
            tensors[f"spikes.{path}"] = out(s)
            tensors[f"membrane.{path}"] = out(m)
        for name, norm in norms.items():
            buffers_out[name] = {"running_mean": out(norm.running_mean), "running_var": out(norm.running_var)}
    else:
        tensors["membrane"] = out(recorded[""][1])
    grads: Dict[str, Any] = {}
    for name in f["grads"]:
        if name == "input":
            grads[name] = out(x.grad)
        else:
            p = own.get(name)
            if p is None:
                raise FixtureError(f"gradient given for unknown tensor '{name}'")
            grads[name] = out(p.grad)
    return {"tensors": tensors, "grads": grads, "buffers": buffers_out}


def main(argv: List[str]) -> int:
    torch.set_num_threads(1)
    for path in argv:
        try:
            with open(path, encoding="utf-8") as fh:
                fixture = json.load(fh)
            result: Dict[str, Any] = {"file": path, **run_fixture(fixture)}
        except FixtureError as e:
            result = {"file": path, "error": str(e), "source": "fixture"}
        except Exception as e:  # noqa: BLE001 - reported per file, the others still run
            result = {"file": path, "error": f"{type(e).__name__}: {e}", "source": "run"}
        sys.stdout.write(json.dumps(result) + "\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
