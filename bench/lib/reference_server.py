#!/usr/bin/env python3
"""Persistent PyTorch reference for the interleaved benchmarks (bench/lib/reference.ts).

Usage: /usr/bin/python3 reference_server.py <dir of torch_reference.py>

Imports ../shared/bench/torch_reference.py (never a copy of it) and builds each workload from its
own classes and functions (ref.GLIF, ref.FmnistNet, ref.ResNet19, ref.train_step_fn, ref.timed)
with the shapes of its bench_* functions, so the reference figures are that script's figures. The
process then stays up and answers one JSON command per stdin line with one JSON line on stdout,
which lets the TypeScript side alternate ours and the reference round by round:

  {"cmd": "setup", "workload": "fmnist-cnn"}  -> {"ok": true, "workload": ..., "threads": N}
  {"cmd": "warmup"}                           -> {"ok": true}  (one untimed call of each timed function)
  {"cmd": "round", "reps": 3}                 -> {"ok": true, <figures>, "threads": N}
  {"cmd": "threads", "n": 1}                  -> {"ok": true, "threads": 1}  (torch.set_num_threads;
                                                 bench:scaling measures the reference's own scaling)
  {"cmd": "quit"}                             -> {"ok": true}, then exit

The first line, before any command, says whether torch and the reference imported:
{"ok": true, "framework": ..., "threads": N} or {"ok": false, "error": ...}. Any failure of a
command is {"ok": false, "error": ...}. Figures use torch_reference.py's keys (forward_ms,
forward_backward_ms, forward_backward_Melem_per_s, train_step_ms, train_samples_per_s,
eval_samples_per_s), plus eval_ms (the inference time itself, B / eval_samples_per_s).
Threads: the reference's default, os.cpu_count(), set as torch_reference.main does.
"""
import json
import os
import sys
import traceback


def reply(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


class GlifLayerWorkload:
    """ref.bench_glif_layer: one channel-wise GLIF layer, x [T=4, N=32, C=64, H=W=16]."""

    def __init__(self, torch, ref):
        self.torch, self.ref = torch, ref
        T, N, C, H, W = 4, 32, 64, 16, 16
        # Same creation order as bench_glif_layer (layer, x, R), so the same random draws.
        self.layer = ref.GLIF(C, T)
        self.x = (torch.randn(T, N, C, H, W) * 0.6 + 0.4).requires_grad_()
        self.R = torch.randn(T, N, C, H, W)
        self.elems = T * N * C * H * W

    def forward(self):
        return self.layer(self.x)

    def step(self):
        self.layer.zero_grad(set_to_none=True)
        self.x.grad = None
        (self.layer(self.x) * self.R).sum().backward()

    def warmup(self):
        with self.torch.no_grad():
            self.forward()
        self.step()

    def round(self, reps):
        with self.torch.no_grad():
            fwd = self.ref.timed(self.forward, reps, warmup=0)
        both = self.ref.timed(self.step, reps, warmup=0)
        return {"forward_ms": fwd * 1e3, "forward_backward_ms": both * 1e3,
                "forward_backward_Melem_per_s": self.elems / both / 1e6}


class TrainWorkload:
    """ref.bench_fmnist_cnn / ref.bench_resnet19: a training step and, optionally, inference."""

    def __init__(self, torch, ref, model, batch, with_eval):
        self.torch, self.ref = torch, ref
        self.model, self.batch, self.with_eval = model, batch, with_eval
        self.B = batch[0].shape[0]
        self.train_step = ref.train_step_fn(model, batch)

    def infer(self):
        return self.model(self.batch[0])

    def warmup(self):
        self.model.train()
        self.train_step()
        if self.with_eval:
            self.model.eval()
            with self.torch.no_grad():
                self.infer()

    def round(self, reps):
        self.model.train()
        train = self.ref.timed(self.train_step, reps, warmup=0)
        out = {"train_step_ms": train * 1e3, "train_samples_per_s": self.B / train}
        if self.with_eval:
            self.model.eval()
            with self.torch.no_grad():
                infer = self.ref.timed(self.infer, reps, warmup=0)
            out["eval_samples_per_s"] = self.B / infer
            out["eval_ms"] = infer * 1e3
        return out


def fmnist_cnn(torch, ref):
    T, B = 4, 64  # ref.bench_fmnist_cnn
    model = ref.FmnistNet(T)
    batch = (torch.rand(B, 1, 28, 28), torch.randint(0, 10, (B,)))
    return TrainWorkload(torch, ref, model, batch, with_eval=True)


def resnet19(torch, ref):
    T, B = 4, 8  # ref.bench_resnet19
    model = ref.ResNet19(T)
    batch = (torch.rand(B, 3, 32, 32), torch.randint(0, 10, (B,)))
    return TrainWorkload(torch, ref, model, batch, with_eval=False)


WORKLOADS = {
    "glif-layer": GlifLayerWorkload,
    "fmnist-cnn": fmnist_cnn,
    "resnet19-cifar": resnet19,
}


def main():
    if len(sys.argv) < 2:
        reply({"ok": False, "error": "usage: reference_server.py <dir of torch_reference.py>"})
        return 2
    sys.path.insert(0, sys.argv[1])
    try:
        import torch
        import torch_reference as ref
    except ImportError as err:
        reply({"ok": False, "error": f"{type(err).__name__}: {err}"})
        return 0
    # As torch_reference.main with its defaults: all cores, seed 0.
    torch.set_num_threads(os.cpu_count())
    torch.manual_seed(0)
    threads = torch.get_num_threads()
    reply({"ok": True, "framework": f"pytorch {torch.__version__} eager, cpu", "threads": threads})
    workload = None
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            msg = json.loads(line)
            cmd = msg.get("cmd")
            if cmd == "setup":
                name = msg.get("workload")
                if name not in WORKLOADS:
                    raise ValueError(f"unknown workload {name!r} (known: {', '.join(WORKLOADS)})")
                workload = WORKLOADS[name](torch, ref)
                reply({"ok": True, "workload": name, "threads": torch.get_num_threads()})
            elif cmd in ("warmup", "round") and workload is None:
                raise ValueError(f"'{cmd}' before 'setup'")
            elif cmd == "warmup":
                workload.warmup()
                reply({"ok": True})
            elif cmd == "round":
                reps = int(msg.get("reps", 1))
                if reps < 1:
                    raise ValueError(f"reps must be >= 1, got {reps}")
                figures = workload.round(reps)
                reply({"ok": True, **figures, "threads": torch.get_num_threads()})
            elif cmd == "threads":
                n = msg.get("n")
                if not isinstance(n, int) or isinstance(n, bool) or n < 1:
                    raise ValueError(f"n must be a whole number >= 1, got {n!r}")
                torch.set_num_threads(n)
                reply({"ok": True, "threads": torch.get_num_threads()})
            elif cmd == "quit":
                reply({"ok": True})
                break
            else:
                raise ValueError(f"unknown command {cmd!r}")
        except Exception as err:  # one bad command is an answer, not a dead server
            last = traceback.format_exc().strip().splitlines()[-1]
            reply({"ok": False, "error": f"{type(err).__name__}: {err}", "trace": last})
    return 0


if __name__ == "__main__":
    sys.exit(main())
