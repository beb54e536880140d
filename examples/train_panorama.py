"""Train the multi-task spherical U-Net on procedural rooms; score it beside the layout band oracle.

Data: :func:`core.panorama.dataset.sphere_dataset` on the fsaverage icosphere (rays cast at the
vertex directions, colors averaged over ``--antialias`` jittered rays per vertex), ``--train``
rooms of the train split, ``--val`` of val (keeps the best epoch), ``--test`` of test and ood.
Each epoch also sees every room mirrored (y -> -y: a permutation of the fsaverage vertices),
which the network is not invariant to (edge bearings tell east from west). Loss:
:func:`core.models.panorama.loss.panorama_loss`; Adam, cosine learning-rate decay.

Each seed's run is resumable: its state (weights, best weights, optimizer, history) is written
after every epoch under ``--state-dir`` (default ``.cache/panorama/``); giving the same
command again continues an interrupted run, and ``--epochs`` larger than before continues a
finished one. Results (every seed, mean ± sample standard deviation) go to
``benchmarks/results/panorama_unet.json``; ``--ship`` writes seed 0 to
``assets/models/panorama/spherical-unet.{safetensors,json}`` with its scores and ``check`` (the
figures on the first 8 test rooms, which ``tests/core/test_panorama_shipped.py`` reproduces).

Usage::

    nice -n 5 .venv/bin/python examples/train_panorama.py --seeds 0 1 2
    .venv/bin/python examples/train_panorama.py --ship        # after training: seed 0 to assets/
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
from scipy.spatial import cKDTree

from nodescope.core import results as results_file
from nodescope.core.checkpoint import SHIPPED_DIR
from nodescope.core.device import device
from nodescope.core.geometry.fsaverage import icosphere_level
from nodescope.core.models.panorama.checkpoint import SHIPPED_DATASET, save_panorama
from nodescope.core.models.panorama.evaluate import SPHERE, check, predict, score
from nodescope.core.models.panorama.loss import panorama_loss
from nodescope.core.models.panorama.unet import SphericalUNet, SphericalUNetConfig
from nodescope.core.panorama.classes import CLASS_NAMES
from nodescope.core.panorama.dataset import sphere_dataset
from nodescope.core.run_state import cosine_lr, load_run_state, save_run_state

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results" / "panorama_unet.json"
STATES = REPO / ".cache" / "panorama"
SHIP_NAME = "spherical-unet"
FIELDS = ("rgb", "depth", "normal", "label", "layout", "layout_depth")


def load_splits(args: argparse.Namespace) -> dict[str, dict[str, np.ndarray]]:
    """The train, val, test and ood rooms (cached on disk by the dataset)."""
    counts = {"train": args.train, "val": args.val, "test": args.test, "ood": args.test}
    out = {}
    for split, count in counts.items():
        start = time.perf_counter()
        out[split] = sphere_dataset(split, count, args.level, antialias=args.antialias, sphere=SPHERE)
        print(
            f"{split}: {count} rooms at level {args.level} ({time.perf_counter() - start:.0f} s)", flush=True
        )
    return out


def mirror(level: int) -> np.ndarray:
    """(V,) vertex permutation of the mirror y -> -y (exact up to the fsaverage file's rounding)."""
    v = icosphere_level(level).vertices.double().numpy()
    dist, idx = cKDTree(v).query(v * np.array([1.0, -1.0, 1.0]))
    assert dist.max() < 1e-3 and len(set(idx.tolist())) == len(v)
    return idx


def augmented(train: dict[str, np.ndarray], level: int) -> dict[str, torch.Tensor]:
    """The training rooms and their mirror images, as tensors."""
    perm = mirror(level)
    out = {}
    for k in FIELDS:
        flipped = train[k][:, perm].copy()
        if k == "normal":
            flipped[..., 1] *= -1
        out[k] = torch.from_numpy(np.concatenate([train[k], flipped]))
    return out


def config_of(args: argparse.Namespace) -> SphericalUNetConfig:
    """The architecture the command line asks for."""
    return SphericalUNetConfig(
        level=args.level,
        min_level=args.min_level,
        width=args.width,
        max_width=args.max_width,
        task_width=args.task_width,
        num_classes=len(CLASS_NAMES),
    )


def train_run(seed: int, data: dict[str, dict[str, np.ndarray]], args: argparse.Namespace) -> dict[str, Any]:
    """Train (or resume, or read back) one seed; returns its record with scores per split."""
    config = config_of(args)
    recipe = {k: getattr(args, k) for k in ("train", "val", "antialias", "batch", "lr")}
    tag = f"l{args.level}-{args.min_level}-w{args.width}-t{args.task_width}-n{args.train}-seed{seed}"
    path = args.state_dir / tag
    info: dict[str, Any] = {"seed": seed, "epoch": 0, "history": [], "seconds": 0.0, "recipe": recipe}
    torch.manual_seed(seed)
    dev = device()
    model = SphericalUNet(config).to(dev)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    best = {k: v.detach().clone() for k, v in model.state_dict().items()}
    if path.with_suffix(".json").is_file():
        info = json.loads(path.with_suffix(".json").read_text())
        best = load_run_state(path, model, opt)
        if info.get("done") and info["epoch"] >= args.epochs:
            model.load_state_dict(best)
            return info | {"model": model}
    train = {k: v.to(dev) for k, v in augmented(data["train"], args.level).items()}
    directions = model.directions().to(dev)
    for epoch in range(info["epoch"], args.epochs):
        start = time.perf_counter()
        gen = torch.Generator().manual_seed(1_000 * seed + epoch)
        order = torch.randperm(len(train["rgb"]), generator=gen)
        for group in opt.param_groups:
            group["lr"] = cosine_lr(epoch, args.epochs, args.lr, 0.05)
        model.train()
        losses: list[dict[str, float]] = []
        for i in range(0, len(order), args.batch):
            idx = order[i : i + args.batch].to(dev)
            batch = {k: v[idx] for k, v in train.items()}
            loss, parts = panorama_loss(model(batch["rgb"]), batch, directions)
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(parts | {"total": float(loss.detach())})
        val = score(predict(model, data["val"]["rgb"]), data["val"], args.level)
        seconds = time.perf_counter() - start
        val_key = val["depth_abs_rel"] + (1 - val["layout_accuracy"]) + (1 - val["class_miou"])
        if val_key < min((h["val_key"] for h in info["history"]), default=math.inf):
            best = {k: v.detach().clone() for k, v in model.state_dict().items()}
        mean = {k: float(np.mean([p[k] for p in losses])) for k in losses[0]}
        info["history"].append(
            {"epoch": epoch, "loss": mean, "val": val, "val_key": val_key, "seconds": seconds}
        )
        info["epoch"], info["seconds"] = epoch + 1, info["seconds"] + seconds
        save_run_state(path, model, opt, info, best)
        print(
            f"seed {seed} epoch {epoch}: loss {mean['total']:.3f} | val AbsRel {val['depth_abs_rel']:.3f} "
            f"mIoU {val['class_miou']:.3f} layout {val['layout_accuracy']:.3f} normal {val['normal_median_deg']:.1f}° "
            f"({seconds:.0f} s)",
            flush=True,
        )
    model.load_state_dict(best)
    best_epoch = int(np.argmin([h["val_key"] for h in info["history"]]))
    info |= {
        "done": True,
        "params": model.num_parameters(),
        "config": config.to_dict(),
        "best_epoch": best_epoch,
        "scores": {
            s: score(predict(model, data[s]["rgb"]), data[s], args.level) for s in ("val", "test", "ood")
        },
    }
    save_run_state(path, model, opt, info, best)
    return info | {"model": model}


def _mean_std(values: list[float]) -> dict[str, float]:
    return {"mean": statistics.fmean(values), "std": statistics.stdev(values) if len(values) > 1 else 0.0}


def summarize(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Per split and figure, mean ± sample std over the seeds."""
    out: dict[str, Any] = {}
    for split in ("val", "test", "ood"):
        keys = [k for k in runs[0]["scores"][split] if k != "rooms"]
        out[split] = {k: _mean_std([r["scores"][split][k] for r in runs]) for k in keys}
    return out


def main(argv: list[str] | None = None) -> int:
    """Train the seeds, write the results, ship seed 0 on request."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--level", type=int, default=4)
    parser.add_argument("--min-level", type=int, default=1)
    parser.add_argument("--width", type=int, default=16)
    parser.add_argument("--max-width", type=int, default=64)
    parser.add_argument("--task-width", type=int, default=16)
    parser.add_argument("--train", type=int, default=300)
    parser.add_argument("--val", type=int, default=20)
    parser.add_argument("--test", type=int, default=50)
    parser.add_argument("--antialias", type=int, default=4)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument(
        "--threads", type=int, default=1, help="torch CPU threads (1 is fastest on a busy machine)"
    )
    parser.add_argument("--state-dir", type=Path, default=STATES)
    parser.add_argument("--results", type=Path, default=RESULTS, help="the results JSON to merge into")
    parser.add_argument("--ship", action="store_true", help="write seed 0 to assets/models/panorama/")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    data = load_splits(args)
    runs = []
    for seed in args.seeds:
        run = train_run(seed, data, args)
        runs.append(run)
        print(json.dumps({"seed": seed, "scores": run["scores"]}, indent=1), flush=True)
    records = [{k: v for k, v in r.items() if k not in ("model", "history")} for r in runs]
    results = results_file.read_results(args.results, {})
    results |= {"runs": records, "summary": summarize(runs), "config": config_of(args).to_dict()}
    results_file.write_results(args.results, results)
    if args.ship:
        first = next(r for r in runs if r["seed"] == args.seeds[0])
        keep = ("seed", "epoch", "best_epoch", "params", "recipe", "scores", "seconds")
        record = {k: first[k] for k in keep} | {"check": check(first["model"].cpu(), args.antialias)}
        save_panorama(first["model"], SHIPPED_DIR / SHIPPED_DATASET / SHIP_NAME, record)
        print(f"shipped {SHIPPED_DIR / SHIPPED_DATASET / SHIP_NAME}.safetensors")
    return 0


if __name__ == "__main__":
    sys.exit(main())
