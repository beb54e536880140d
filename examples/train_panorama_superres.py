"""Train the guided depth super-resolution networks (x4 and x8) on procedural rooms.

Data: :func:`core.panorama.dataset.sphere_dataset` on the fsaverage icosphere at ``--level``
(colors averaged over ``--antialias`` jittered rays per vertex); the input depth is
:func:`core.panorama.superres.degrade` of the true depth (subsampled to ``level - 2`` for x4,
``level - 3`` for x8, stored as 8-bit inverse depth). Model:
:class:`core.models.panorama.superres.DepthSuperRes`. Loss: berHu of the depth error in metres
plus a tenth of the mean absolute log-depth error; Adam, cosine learning-rate decay; the epoch
with the lowest validation RMSE is kept.

Each (scale, seed) run is resumable: its state is written after every epoch under
``--state-dir`` (default ``.cache/panorama_superres/``); the same command continues an
interrupted run, and a larger ``--epochs`` continues a finished one. Results (every run, and the
barycentric baseline beside it) go to ``benchmarks/results/panorama_superres_train.json``;
``--ship`` writes the first seed of each scale to
``assets/models/panorama/depth-superres-x<scale>.{safetensors,json}`` with its scores and
``check`` (RMSE on the first 8 test rooms, which ``tests/core/test_panorama_superres_shipped.py``
reproduces). ``benchmarks/bench_panorama_superres.py`` scores the shipped networks beside both
baselines.

Usage::

    nice -n 5 .venv/bin/python examples/train_panorama_superres.py --scales 4 8 --seeds 0
    .venv/bin/python examples/train_panorama_superres.py --scales 4 8 --ship   # after training
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

from nodescope.core import results as results_file
from nodescope.core.checkpoint import SHIPPED_DIR
from nodescope.core.device import device
from nodescope.core.models.panorama.checkpoint import SHIPPED_DATASET, save_superres
from nodescope.core.models.panorama.loss import berhu
from nodescope.core.models.panorama.superres import (
    DepthSuperRes,
    SuperResConfig,
    check_superres,
    predict_depth,
)
from nodescope.core.panorama.dataset import sphere_dataset
from nodescope.core.panorama.superres import degrade, superres_scores
from nodescope.core.panorama.upsample import barycentric_upsample
from nodescope.core.run_state import cosine_lr, load_run_state, save_run_state

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results" / "panorama_superres_train.json"
STATES = REPO / ".cache" / "panorama_superres"
SPHERE = "fsaverage"


def ship_name(scale: int) -> str:
    """The shipped weights' name of a scale: ``depth-superres-x4``."""
    return f"depth-superres-x{scale}"


def in_level(level: int, scale: int) -> int:
    """The input level of a scale (4: ``level - 2``, 8: ``level - 3``)."""
    steps = int(round(math.log2(scale)))
    if 2**steps != scale or steps < 1 or steps > level:
        raise ValueError(f"scale must be a power of two in 2..2**{level}, got {scale}")
    return level - steps


def load_splits(args: argparse.Namespace) -> dict[str, dict[str, np.ndarray]]:
    """The train, val, test and ood rooms (cached on disk by the dataset)."""
    counts = {"train": args.train, "val": args.val, "test": args.test, "ood": args.test}
    return {
        s: sphere_dataset(s, n, args.level, antialias=args.antialias, sphere=SPHERE)
        for s, n in counts.items()
    }


def config_of(args: argparse.Namespace, scale: int) -> SuperResConfig:
    """The architecture the command line asks for at one scale."""
    return SuperResConfig(
        level=args.level,
        in_level=in_level(args.level, scale),
        degree=args.degree,
        width=args.width,
        global_width=args.global_width,
        depth_levels=args.depth_levels,
    )


def loss_of(pred: dict[str, torch.Tensor], depth: torch.Tensor) -> torch.Tensor:
    """berHu of the metre error plus 0.1 times the mean absolute log-depth error."""
    return berhu(pred["depth"] - depth) + 0.1 * (pred["log_depth"] - depth.log()).abs().mean()


def evaluate(model: DepthSuperRes, split: dict[str, np.ndarray]) -> dict[str, float]:
    """:func:`superres_scores` of the model on a split."""
    cfg = model.config
    pred = predict_depth(model, degrade(split["depth"], cfg.in_level), split["rgb"])
    return superres_scores(pred, split["depth"], cfg.level)


def train_run(
    scale: int, seed: int, data: dict[str, dict[str, np.ndarray]], args: argparse.Namespace
) -> dict[str, Any]:
    """Train (or resume, or read back) one scale and seed; returns its record with scores per split."""
    config = config_of(args, scale)
    recipe = {k: getattr(args, k) for k in ("train", "val", "antialias", "batch", "lr", "epochs")}
    tag = f"x{scale}-l{args.level}-d{args.degree}-w{args.width}-n{args.train}-seed{seed}"
    path = args.state_dir / tag
    info: dict[str, Any] = {"scale": scale, "seed": seed, "epoch": 0, "history": [], "seconds": 0.0}
    torch.manual_seed(seed)
    dev = device()
    model = DepthSuperRes(config).to(dev)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    best = {k: v.detach().clone() for k, v in model.state_dict().items()}
    if path.with_suffix(".json").is_file():
        info = json.loads(path.with_suffix(".json").read_text())
        best = load_run_state(path, model, opt)
        if info.get("done") and info["epoch"] >= args.epochs:
            model.load_state_dict(best)
            return info | {"model": model}
    train = data["train"]
    coarse = torch.from_numpy(degrade(train["depth"], config.in_level)).to(dev)
    rgb = torch.from_numpy(train["rgb"]).to(dev)
    depth = torch.from_numpy(train["depth"]).to(dev)
    for epoch in range(info["epoch"], args.epochs):
        start = time.perf_counter()
        gen = torch.Generator().manual_seed(1_000 * seed + epoch)
        order = torch.randperm(len(rgb), generator=gen)
        for group in opt.param_groups:
            group["lr"] = cosine_lr(epoch, args.epochs, args.lr, 0.05)
        model.train()
        losses = []
        for i in range(0, len(order), args.batch):
            idx = order[i : i + args.batch].to(dev)
            loss = loss_of(model(coarse[idx], rgb[idx]), depth[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(float(loss.detach()))
        val = evaluate(model, data["val"])
        seconds = time.perf_counter() - start
        if val["rmse"] < min((h["val"]["rmse"] for h in info["history"]), default=math.inf):
            best = {k: v.detach().clone() for k, v in model.state_dict().items()}
        info["history"].append(
            {"epoch": epoch, "loss": float(np.mean(losses)), "val": val, "seconds": seconds}
        )
        info["epoch"], info["seconds"] = epoch + 1, info["seconds"] + seconds
        save_run_state(path, model, opt, info, best)
        print(
            f"x{scale} seed {seed} epoch {epoch}: loss {np.mean(losses):.4f} | val RMSE {val['rmse']:.4f} "
            f"edges {val['rmse_edges']:.4f} ({seconds:.0f} s)",
            flush=True,
        )
    model.load_state_dict(best)
    info |= {
        "done": True,
        "params": model.num_parameters(),
        "config": config.to_dict(),
        "best_epoch": int(np.argmin([h["val"]["rmse"] for h in info["history"]])),
        "scores": {s: evaluate(model, data[s]) for s in ("val", "test", "ood")},
        "barycentric": {
            s: superres_scores(
                barycentric_upsample(degrade(data[s]["depth"], config.in_level), config.in_level, args.level),
                data[s]["depth"],
                args.level,
            )
            for s in ("val", "test", "ood")
        },
        "recipe": recipe,
    }
    save_run_state(path, model, opt, info, best)
    return info | {"model": model}


def main(argv: list[str] | None = None) -> int:
    """Train the scales and seeds, write the results, ship the first seed on request."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[4, 8])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--level", type=int, default=5)
    parser.add_argument("--degree", type=int, default=8)
    parser.add_argument("--width", type=int, default=16)
    parser.add_argument("--global-width", type=int, default=32)
    parser.add_argument("--depth-levels", type=int, default=2)
    parser.add_argument("--train", type=int, default=300)
    parser.add_argument("--val", type=int, default=20)
    parser.add_argument("--test", type=int, default=50)
    parser.add_argument("--antialias", type=int, default=4)
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument(
        "--threads", type=int, default=1, help="torch CPU threads (1 is fastest on a busy machine)"
    )
    parser.add_argument("--state-dir", type=Path, default=STATES)
    parser.add_argument("--results", type=Path, default=RESULTS, help="the results JSON to merge into")
    parser.add_argument("--ship", action="store_true", help="write the first seed of each scale to assets/")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    data = load_splits(args)
    for scale in args.scales:
        runs = [train_run(scale, seed, data, args) for seed in args.seeds]
        for run in runs:
            print(
                json.dumps({k: run[k] for k in ("scale", "seed", "scores", "barycentric")}, indent=1),
                flush=True,
            )
        results = results_file.read_results(args.results, {})  # read late: runs of other scales may write it
        results[f"x{scale}"] = [{k: v for k, v in r.items() if k not in ("model", "history")} for r in runs]
        results_file.write_results(args.results, results)
        if args.ship:
            first = runs[0]
            keep = (
                "scale",
                "seed",
                "epoch",
                "best_epoch",
                "params",
                "recipe",
                "scores",
                "barycentric",
                "seconds",
            )
            record = {k: first[k] for k in keep} | {
                "check": check_superres(first["model"].cpu(), args.antialias)
            }
            save_superres(first["model"], SHIPPED_DIR / SHIPPED_DATASET / ship_name(scale), record)
            print(f"shipped {SHIPPED_DIR / SHIPPED_DATASET / ship_name(scale)}.safetensors", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
