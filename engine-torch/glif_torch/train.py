"""Trains one workbench run on PyTorch, on one process or as one rank of several.

Started by the workbench (src-main/engine/torch/launch.ts), or by torchrun/srun on a cluster,
with torchrun's environment contract: RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT.
Every rank reads the job (one JSON line: config, checkpointDir, dataDir, resumeFrom) from stdin,
or from the file GLIF_JOB names. Rank 0 alone reports, as JSON lines on the file descriptor
GLIF_EVENTS_FD (or appended to the file GLIF_EVENTS_FILE, or stdout, each then starting with the
job's config): the engine's events (started, step, epoch, checkpoint, log), then the outcome; and
it reads `{"type": "cancel"}` lines from stdin.

The recipe is the workbench's (src-main/engine/train/): SGD with momentum in three parameter
groups (weights with weight decay; GLIF primitives without; gates without, at lr * gateLrScale),
the cosine schedule per epoch or per step, cross-entropy of the logits averaged over T, the
seeded stream for initial weights and for each epoch's sample order. The batch size is per
process: N processes train on N batches per step, averaging gradients (DistributedDataParallel),
with tdBN's statistics taken over all of them (synchronised, as one process would see them).
"""

import json
import math
import os
import signal
import sys
import time
from typing import Any, Dict, List, Optional, TextIO

import torch
import torch.distributed as dist
import torch.nn.functional as F

from .checkpoints import file_sha256, prune_checkpoints, save_checkpoint
from .data import load_split
from .distributed import Cancel, shard, sync_statistics
from .evaluation import evaluate, model_input
from .models import build_model
from .neuron import GLIF
from .reporting import Reporter
from .rng import Rng
from .tdbn import TdBatchNorm

GATES = ("alpha", "beta", "gamma")
PRIMITIVES = ("tau", "Vth", "leak", "reVth", "conduct")


def die_with_parent() -> None:
    """Linux: this process is killed when the process that started it dies (no orphan)."""
    if sys.platform != "linux":
        return
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def learning_rate(train: Dict[str, Any], t: float, span: float) -> float:
    """src-main/engine/train/schedule.ts learningRateAt."""
    schedule = train["schedule"]
    if schedule == "constant":
        return train["lr"]
    if schedule == "cosine":
        return train["lr"] * (1 + math.cos(math.pi * t / span)) / 2
    t_max = (train["scheduleTMax"] or train["epochs"]) * (span / train["epochs"])
    return train["lr"] * (1 + math.cos(math.pi * t / t_max)) / 2


def parameter_groups(model: torch.nn.Module, train: Dict[str, Any]) -> List[Dict[str, Any]]:
    """optimizer.ts recipeGroups: frozen parameters (static gates) are not trained at all."""
    groups: Dict[str, List[torch.nn.Parameter]] = {"weight": [], "primitive": [], "gate": []}
    for name, p in model.named_parameters():
        if not p.requires_grad:
            continue
        leaf = name.rsplit(".", 1)[-1]
        owner = model.get_submodule(name.rsplit(".", 1)[0]) if "." in name else model
        if isinstance(owner, GLIF):
            groups["gate" if leaf in GATES else "primitive"].append(p)
        else:
            groups["weight"].append(p)
    return [
        {"params": groups["weight"], "scale": 1.0, "weight_decay": train["weightDecay"]},
        {"params": groups["primitive"], "scale": 1.0, "weight_decay": 0.0},
        {"params": groups["gate"], "scale": train["gateLrScale"], "weight_decay": 0.0},
    ]


def glif_layers(model: torch.nn.Module) -> List[GLIF]:
    return [m for m in model.modules() if isinstance(m, GLIF)]


def effective_values(layer: GLIF) -> List[Dict[str, Any]]:
    """distributions.ts effectiveParameters: what the neuron multiplies with, per channel."""
    mode = layer.spec.gate_mode
    out = []
    with torch.no_grad():
        if mode != "none":
            for q in GATES:
                raw = getattr(layer, q)
                if mode == "static-binary":
                    v = (raw > 0).float()
                elif mode == "hard-ste":
                    v = (torch.sigmoid(raw) > 0.5).float()
                else:
                    v = torch.sigmoid(raw)
                out.append((q, v))
        for q, name in (
            ("tau_exp", "tau"),
            ("tau_lin", "leak"),
            ("v_th", "Vth"),
            ("v_re", "reVth"),
            ("g_t", "conduct"),
        ):
            out.append((q, torch.sigmoid(getattr(layer, name))))
    return [{"layer": layer.path, "quantity": q, "values": v.reshape(-1).tolist()} for q, v in out]


def train(
    job: Dict[str, Any], rank: int, world: int, report: Reporter, device: torch.device
) -> Dict[str, Any]:
    t0 = time.time()
    config = job["config"]
    tcfg, dcfg = config["train"], config["data"]
    torch.manual_seed(tcfg["seed"])
    frames, images = job.get("frames"), job.get("images")
    train_set = load_split(
        dcfg["dataset"], job["dataDir"], "train", dcfg["trainLimit"], tcfg["seed"], frames, images
    )
    test_set = load_split(
        dcfg["dataset"], job["dataDir"], "test", dcfg["testLimit"], tcfg["seed"], frames, images
    )
    augment = bool(dcfg["augment"]) and train_set.augments
    rng = Rng(tcfg["seed"])
    model = build_model(config, train_set.shape, train_set.classes, rng).to(device)
    opt = torch.optim.SGD(parameter_groups(model, tcfg), lr=tcfg["lr"], momentum=tcfg["momentum"])
    start_epoch, step = 0, 0
    resume = job.get("resumeFrom")
    if resume:
        if file_sha256(resume["path"]) != resume["sha256"]:
            raise ValueError(f"checkpoint {resume['path']} does not match its recorded hash")
        ckpt = torch.load(resume["path"], map_location=device)
        if ckpt.get("engine") != "torch":
            raise ValueError(f"{resume['path']} is not a torch engine checkpoint")
        model.load_state_dict(ckpt["model"])
        opt.load_state_dict(ckpt["optimizer"])
        rng.set_state(ckpt["rng"])
        start_epoch, step = ckpt["epoch"] + 1, ckpt["step"]
    if world > 1:
        reduce = sync_statistics(world)
        for m in model.modules():
            if isinstance(m, TdBatchNorm):
                m.all_reduce = reduce
        trained: torch.nn.Module = torch.nn.parallel.DistributedDataParallel(model)
    else:
        trained = model
    layers = glif_layers(model)
    epochs, batch = tcfg["epochs"], tcfg["batchSize"]
    n_train, n_test = len(train_set), len(test_set)
    if n_train < world:
        raise ValueError(f"{n_train} training samples cannot be shared by {world} processes")
    per_step = batch * world
    # Frames: the reference's DVS loader drops a last, short batch (trainer.ts dropLast).
    steps_per_epoch = n_train // per_step if train_set.frames else math.ceil(n_train / per_step)
    if steps_per_epoch == 0:
        raise ValueError(f"{n_train} training samples do not fill one step of {per_step} (dropping the last)")
    total_steps = steps_per_epoch * epochs
    T = config["model"]["timeSteps"]
    total = sum(p.numel() for p in model.parameters())
    glif_count = sum(p.numel() for layer in layers for p in layer.parameters())
    report.event(
        {
            "type": "started",
            "startEpoch": start_epoch,
            "epochs": epochs,
            "stepsPerEpoch": steps_per_epoch,
            "trainSize": n_train,
            "testSize": n_test,
            "parameters": {"total": total, "glif": glif_count, "glifLayers": len(layers)},
            "layers": [layer.path for layer in layers],
        }
    )
    cancel = Cancel(listen=rank == 0, world=world)
    final = None
    epochs_done = start_epoch
    step_seconds, steps_timed = 0.0, 0
    eval_seconds = 0.0
    for epoch in range(start_epoch, epochs):
        epoch_start = time.time()
        model.train()
        order = rng.permutation(n_train)
        loss_sum, correct, seen, lr = 0.0, 0.0, 0, 0.0
        for i in range(steps_per_epoch):
            if cancel.agreed():
                return {"status": "cancelled", "epochsDone": epochs_done, "seconds": time.time() - t0}
            s0 = time.time()
            if tcfg["scheduleStep"] == "step":
                lr = learning_rate(tcfg, step, total_steps)
            else:
                lr = learning_rate(tcfg, epoch, epochs)
            for g in opt.param_groups:
                g["lr"] = lr * g["scale"]
            step_indices = order[i * per_step : (i + 1) * per_step]
            # Every rank draws the whole step's crops, so the generator stays the same on all.
            crops = shard(train_set.draw_crops(rng, step_indices), rank, world) if augment else None
            mine = torch.tensor(shard(step_indices, rank, world), dtype=torch.int64)
            x = train_set.batch(mine, crops).to(device)
            y = train_set.labels[mine].to(device)
            logits = trained(model_input(x, T))
            loss = F.cross_entropy(logits, y)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sums = torch.tensor(
                [float(loss.detach()) * len(mine), float((logits.argmax(1) == y).sum()), float(len(mine))]
            )
            if world > 1:
                dist.all_reduce(sums)
            batch_loss = float(sums[0] / sums[2])
            if not math.isfinite(batch_loss):
                raise ValueError(
                    f"the loss became {batch_loss} at step {step} (epoch {epoch + 1}); try a lower learning rate"
                )
            loss_sum += float(sums[0])
            correct += float(sums[1])
            seen += int(sums[2])
            seconds = time.time() - s0
            step_seconds += seconds
            steps_timed += 1
            avg = step_seconds / steps_timed
            report.event(
                {
                    "type": "step",
                    "epoch": epoch,
                    "step": step,
                    "stepInEpoch": i,
                    "stepsPerEpoch": steps_per_epoch,
                    "loss": batch_loss,
                    "accuracy": float(sums[1] / sums[2]),
                    "lr": lr,
                    "samplesPerSecond": float(sums[2]) / max(seconds, 1e-9),
                    "etaSeconds": (total_steps - step - 1) * avg + (epochs - epoch) * eval_seconds,
                }
            )
            step += 1
        e0 = time.time()
        ev = evaluate(model, layers, test_set, max(batch, 128), T, device, rank, world)
        eval_seconds = time.time() - e0
        if rank == 0:
            final = {
                "testAccuracy": ev["accuracy"],
                "testLoss": ev["loss"],
                "trainAccuracy": correct / seen if seen else float("nan"),
                "trainLoss": loss_sum / seen if seen else float("nan"),
            }
            written = save_checkpoint(job["checkpointDir"], model, opt, rng, epoch, step)
            report.event({"type": "checkpoint", "epoch": epoch, "step": step, **written})
            report.event(
                {
                    "type": "epoch",
                    "epoch": epoch,
                    "step": step,
                    "lr": lr,
                    "trainLoss": final["trainLoss"],
                    "trainAccuracy": final["trainAccuracy"],
                    "testLoss": ev["loss"],
                    "testAccuracy": ev["accuracy"],
                    "firingRates": ev["firingRates"],
                    "sopsPerSample": ev["sopsPerSample"],
                    "macsPerSample": ev["macsPerSample"],
                    "parameters": [v for layer in layers for v in effective_values(layer)],
                    "seconds": time.time() - epoch_start,
                }
            )
            prune_checkpoints(job["checkpointDir"], epoch)
        if world > 1:
            dist.barrier()
        epochs_done = epoch + 1
    return {"status": "completed", "final": final, "epochsDone": epochs_done, "seconds": time.time() - t0}


def read_job() -> Dict[str, Any]:
    path = os.environ.get("GLIF_JOB")
    if path:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    line = sys.stdin.readline()
    if not line:
        raise ValueError("no job on stdin (one JSON line) and no GLIF_JOB file")
    return json.loads(line)


def open_events(rank: int) -> Optional[TextIO]:
    if rank != 0:
        return None
    fd = os.environ.get("GLIF_EVENTS_FD")
    if fd:
        return os.fdopen(int(fd), "w", buffering=1, encoding="utf-8")
    path = os.environ.get("GLIF_EVENTS_FILE")
    if path:
        return open(path, "a", buffering=1, encoding="utf-8")
    return sys.stdout


def main() -> int:
    die_with_parent()
    rank = int(os.environ.get("RANK", "0"))
    world = int(os.environ.get("WORLD_SIZE", "1"))
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    report = Reporter(open_events(rank))
    outcome: Dict[str, Any]
    try:
        job = read_job()
        if not os.environ.get("GLIF_EVENTS_FD"):
            # A file or stdout may be read far from here (`glif runs import`): it starts with the
            # run's config, so that it alone describes the run.
            report.send({"type": "job", "config": job["config"], "resumed": bool(job.get("resumeFrom"))})
        cuda = torch.cuda.is_available() and job.get("device", "auto") != "cpu"
        device = torch.device(f"cuda:{local_rank}") if cuda else torch.device("cpu")
        if cuda:
            torch.cuda.set_device(device)
        else:
            # N processes share the cores: one's threads must not take them all.
            cores = os.cpu_count() or 1
            torch.set_num_threads(max(1, cores // world))
        backend = "nccl" if cuda else "gloo"
        report.send(
            {
                "type": "layout",
                "layout": {
                    "torch": torch.__version__.split("+")[0],
                    "processes": world,
                    "distributed": backend if world > 1 else None,
                    "device": "cuda" if cuda else "cpu",
                    "threadsPerProcess": None if cuda else torch.get_num_threads(),
                },
            }
        )
        if world > 1:
            dist.init_process_group(backend, rank=rank, world_size=world)
        outcome = train(job, rank, world, report, device)
    except Exception as e:  # noqa: BLE001 - every failure becomes the run's outcome, in one line
        if os.environ.get("GLIF_DEBUG"):
            import traceback

            traceback.print_exc()
        outcome = {"status": "failed", "error": f"{e}" or type(e).__name__, "epochsDone": 0, "seconds": 0}
    report.send({"type": "done", "outcome": outcome})
    if dist.is_initialized() and outcome["status"] == "completed":
        dist.destroy_process_group()
    return 0 if outcome["status"] != "failed" else 1


if __name__ == "__main__":
    sys.exit(main())
