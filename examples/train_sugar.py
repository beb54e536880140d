"""Train the SUGAR registration network on synthetic subjects; ship it as assets/registration/<name>.

No cohort of real subjects can be downloaded here, so every training subject is a synthetic
warp of an atlas (:func:`core.registration.synthetic.synthetic_subject`): fsaverage5's sphere
moved by a random smooth fold-free deformation (mean displacement 0..``--max-warp`` degrees)
and a random rotation (0..``--max-rotation``, the residual the rigid search leaves), carrying
either fsaverage5's sulc or (``--atlas`` share of the subjects) the 904-subject mean sulc of
the SUGAR atlas (at fsaverage5's directions: ico6's first vertices), with a random amplitude
and noise. Augmentation: each step rotates a pooled subject again at random, and the mesh is
fsaverage4 or fsaverage5 at random (random resolution).

The network reads the moving sulc at fsaverage4's directions and the fixed sulc there; the
loss is the chord between the predicted and the true positions of those directions (the
truth is known), plus the registration losses (similarity, folds, areal and edge
distortion, smoothness) with small weights. The end of the run measures the mean geodesic
error on held-out subjects (other seeds) per warp magnitude, and writes it into the JSON.

Usage (one thread, niced, in the background)::

    OMP_NUM_THREADS=1 nice -n 10 .venv/bin/python examples/train_sugar.py --minutes 30 > train_sugar.log 2>&1 &
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch

from nodescope.core.geometry.fsaverage import icosphere_level
from nodescope.core.geometry.resample import locate, resample
from nodescope.core.models.sugar import SHIPPED_DIR, SugarConfig, SugarNet, save_sugar
from nodescope.core.registration.io import read_morph
from nodescope.core.registration.losses import normalize, regularizers, similarity
from nodescope.core.registration.pipeline import fixed_maps
from nodescope.core.registration.synthetic import random_rotation, synthetic_subject
from nodescope.core.registration.warp import rotate

REPO = Path(__file__).resolve().parents[1]

ATLAS_SULC = REPO.parent / "shared" / "data" / "sugar-atlas" / "lh.904_weight.mean.sulc"
EVAL_MAGNITUDES = (2.0, 5.0, 10.0, 15.0)


def make_pool(n: int, max_warp: float, atlas_share: float, seed: int) -> list[tuple]:
    """``n`` synthetic subjects (unit vertices, faces, sulc, unit truth), fsaverage4 or 5 at random."""
    rng = np.random.default_rng(seed)
    atlas = read_morph(ATLAS_SULC, 40962) if ATLAS_SULC.is_file() else None
    pool = []
    for i in range(n):
        level = int(rng.choice([4, 5]))
        v, f, s, t = synthetic_subject(seed * 100_000 + i, rng.uniform(0, max_warp), 0.0, level=level)
        if atlas is not None and rng.random() < atlas_share:
            s = atlas[: len(v)] * rng.uniform(0.8, 1.2) + 0.1 * atlas.std() * rng.standard_normal(len(v))
        pool.append((v / 100, f, s, t / 100))
    return pool


def example(subject: tuple, rotation: np.ndarray, level: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(V, 2) network maps (moving sulc, fixed sulc at the grid) and (V, 3) true positions of the grid."""
    v, f, s, t = subject
    grid = icosphere_level(level).vertices.double()
    tri, w = locate(v @ rotation.T, f, grid)
    moving = normalize(resample(s, f, tri, w).float())
    target = resample(t, f, tri, w).float()
    target = target / target.norm(dim=1, keepdim=True)
    maps = torch.stack([moving, fixed_maps("fsaverage5")[level].values], dim=1)
    return maps, target


def loss_terms(model: SugarNet, maps: torch.Tensor, target: torch.Tensor) -> dict[str, torch.Tensor]:
    level = model.config.level
    angles = model(maps)
    moved = rotate(icosphere_level(level).vertices, angles)
    reg = regularizers(moved, level, angles=angles)
    return {
        "chord": (moved - target).norm(dim=1).mean(),
        "similarity": similarity(maps[:, 0], fixed_maps("fsaverage5")[level](moved)),
        **reg,
    }


WEIGHTS = {"chord": 1.0, "similarity": 0.02, "fold": 1.0, "areal": 0.05, "edge": 0.05, "smooth": 0.01}


@torch.no_grad()
def evaluate(model: SugarNet, seeds: range) -> dict[str, dict[str, float]]:
    """Mean geodesic error (degrees) at the grid before and after the network, per warp magnitude."""
    out = {}
    for magnitude in EVAL_MAGNITUDES:
        before, after = [], []
        for seed in seeds:
            v, f, s, t = synthetic_subject(10_000 + seed, magnitude, 0.0)
            maps, target = example((v / 100, f, s, t / 100), np.eye(3), model.config.level)
            grid = icosphere_level(model.config.level).vertices
            moved = rotate(grid, model(maps))
            before.append(torch.rad2deg(torch.arccos((grid * target).sum(1).clamp(-1, 1))).mean().item())
            after.append(torch.rad2deg(torch.arccos((moved * target).sum(1).clamp(-1, 1))).mean().item())
        out[f"{magnitude:g}"] = {"before_deg": float(np.mean(before)), "after_deg": float(np.mean(after))}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--name", default="sugar-ico4")
    parser.add_argument("--minutes", type=float, default=30.0, help="training wall-clock budget")
    parser.add_argument("--pool", type=int, default=120, help="synthetic subjects generated up front")
    parser.add_argument("--max-warp", type=float, default=12.0, help="largest mean warp, degrees")
    parser.add_argument("--max-rotation", type=float, default=8.0, help="largest extra rotation, degrees")
    parser.add_argument("--atlas", type=float, default=0.3, help="share of subjects carrying the atlas sulc")
    parser.add_argument("--hidden", type=int, default=32)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--eval-subjects", type=int, default=5)
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    config = SugarConfig(hidden=args.hidden)
    model = SugarNet(config)
    start = time.perf_counter()
    pool = make_pool(args.pool, args.max_warp, args.atlas, args.seed)
    print(f"pool of {len(pool)} subjects in {time.perf_counter() - start:.0f} s", flush=True)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    budget = args.minutes * 60
    train_start, step, history, decayed = time.perf_counter(), 0, [], False
    while time.perf_counter() - train_start < budget:
        subject = pool[int(rng.integers(len(pool)))]
        rotation = random_rotation(rng, rng.uniform(0, args.max_rotation))
        maps, target = example(subject, rotation, config.level)
        terms = loss_terms(model, maps, target)
        loss = sum(WEIGHTS[k] * v for k, v in terms.items())
        opt.zero_grad()
        loss.backward()
        opt.step()
        history.append({k: float(v.detach()) for k, v in terms.items()})
        step += 1
        if step % 100 == 0:
            mean = {k: round(float(np.mean([h[k] for h in history[-100:]])), 5) for k in history[-1]}
            elapsed = time.perf_counter() - train_start
            print(f"step {step} {elapsed:.0f}s {mean}", flush=True)
        if not decayed and time.perf_counter() - train_start > 0.7 * budget:
            decayed = True
            for group in opt.param_groups:
                group["lr"] = args.lr / 5
    seconds = time.perf_counter() - train_start
    model.eval()
    held_out = evaluate(model, range(args.eval_subjects))
    print(json.dumps(held_out), flush=True)
    save_sugar(
        model,
        SHIPPED_DIR / args.name,
        info={
            "trainer": "examples/train_sugar.py",
            "arguments": vars(args),
            "steps": step,
            "train_seconds": round(seconds, 1),
            "loss_weights": WEIGHTS,
            "final_losses": {k: float(np.mean([h[k] for h in history[-200:]])) for k in history[-1]},
            "held_out_geodesic_error_deg": held_out,
        },
    )
    print(f"saved {SHIPPED_DIR / args.name} after {step} steps", flush=True)


if __name__ == "__main__":
    main()
