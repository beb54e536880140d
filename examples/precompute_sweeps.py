"""Precompute the depth sweeps the Over-smoothing page opens with: ``assets/sweeps/<dataset>.json``.

For each dataset, the untrained curves of every over-smoothing model at depths 2..64 (seed 0);
for Cora also the trained accuracy-vs-depth of gcn, gcnii, dagnn and gcn-res at the same
depths over 3 seeds (``--trained-seeds``; the shipped cora.json has 1, for CPU time; sweep
defaults: at most 200 epochs, patience 50). Each file holds
``{"untrained": SweepResult, "trained": SweepResult or null}`` (``core.sweeps.precomputed``
reads it), with metric values rounded to 4 significant digits to keep the files small.

``--dagnn`` instead trains DAGNN on Cora's public split with its registry settings (the
paper's) over 10 seeds and prints mean ± std test accuracy.

Usage::

    .venv/bin/python examples/precompute_sweeps.py --data-dir ../shared/data/planetoid
    .venv/bin/python examples/precompute_sweeps.py --datasets karate sbm --skip-trained
    .venv/bin/python examples/precompute_sweeps.py --data-dir ../shared/data/planetoid --dagnn
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np

from nodescope.core.loaders import load
from nodescope.core.models import MODELS
from nodescope.core.sweeps import ASSETS, SweepConfig, SweepResult, run_sweep
from nodescope.core.training import settings_for, train
from nodescope.explain.defaults import DEFAULT_SWEEP_DEPTHS
from nodescope.explain.oversmoothing import measure_for

#: Where the DAGNN accuracy over seeds goes (README table).
DAGNN_RESULT = Path(__file__).resolve().parents[1] / "benchmarks" / "results" / "dagnn_cora.json"

DATASETS = ("karate", "les-miserables", "sbm", "ba-shapes", "cora")
DEPTHS = DEFAULT_SWEEP_DEPTHS
UNTRAINED_MODELS = (
    "gcn",
    "gat",
    "sage",
    "gcn-plain",
    "gcn-res",
    "gcn-jk",
    "gcn-pairnorm",
    "gcn-dropedge",
    "gcnii",
    "appnp",
    "dagnn",
    "dgmlp",
)
TRAINED_MODELS = ("gcn", "gcnii", "dagnn", "gcn-res")
TRAINED_SEEDS = 3


def _round(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else float(f"{value:.4g}")


def compact(result: SweepResult) -> dict:
    raw = result.to_dict()
    for run in raw["runs"]:
        run["metrics"] = {k: [_round(v) for v in vs] for k, vs in run["metrics"].items()}
        run["seconds"] = round(run["seconds"], 2)
    return raw


def progress_printer(label: str):
    last = [-1]

    def report(fraction: float, message: str) -> None:
        step = int(20 * fraction)
        if step != last[0]:
            last[0] = step
            print(f"  {label}: {100 * fraction:5.1f}%  {message}", file=sys.stderr, flush=True)

    return report


def precompute(dataset: str, data_dir: Path | None, trained: bool, seeds: int = TRAINED_SEEDS) -> Path:
    untrained = run_sweep(
        SweepConfig(dataset, UNTRAINED_MODELS, DEPTHS),
        measure_for,
        data_dir=data_dir,
        progress=progress_printer(f"{dataset} untrained"),
    )
    result = {"untrained": compact(untrained), "trained": None}
    if trained:
        sweep = SweepConfig(dataset, TRAINED_MODELS, DEPTHS, seeds=seeds, trained=True)
        done = run_sweep(
            sweep, measure_for, data_dir=data_dir, progress=progress_printer(f"{dataset} trained")
        )
        result["trained"] = compact(done)
        for model in TRAINED_MODELS:
            acc = done.accuracy(model)
            cells = ", ".join(f"{d}: {100 * m:.1f}±{100 * s:.1f}" for d, (m, s) in acc.items())
            print(f"{dataset} {model}: {cells}")
    ASSETS.mkdir(parents=True, exist_ok=True)
    path = ASSETS / f"{dataset}.json"
    path.write_text(json.dumps(result, allow_nan=False, separators=(",", ":")))
    print(f"wrote {path} ({path.stat().st_size / 1e3:.0f} kB)")
    return path


def dagnn_on_cora(data_dir: Path | None, seeds: int = 10) -> None:
    """DAGNN's published setting on Cora's public split over ``seeds`` seeds; writes DAGNN_RESULT."""
    data = load("cora", data_dir=data_dir).data
    config = MODELS["dagnn"].config(data.num_features, int(data.y.max()) + 1)
    accs, epochs, seconds = [], [], []
    for seed in range(seeds):
        t0 = time.perf_counter()
        result = train(config, data, settings_for("dagnn", seed=seed))
        accs.append(result.test_acc)
        epochs.append(result.best_epoch)
        seconds.append(round(time.perf_counter() - t0, 2))
        print(
            f"seed {seed}: {100 * result.test_acc:.1f}% (best epoch {result.best_epoch}, {seconds[-1]:.0f} s)"
        )
    mean, std = float(np.mean(accs)), float(np.std(accs, ddof=1))
    print(f"DAGNN on Cora, {seeds} seeds: {100 * mean:.2f} ± {100 * std:.2f} % (sample std)")
    DAGNN_RESULT.write_text(
        json.dumps(
            {
                "model": "dagnn",
                "dataset": "cora",
                "split": "public",
                "settings": asdict(settings_for("dagnn")),
                "config": asdict(config),
                "test_acc": accs,
                "mean": mean,
                "std": std,
                "best_epoch": epochs,
                "seconds": seconds,
                "published": "84.4 ± 0.5 (Liu, Gao & Ji, KDD 2020)",
                "when": time.strftime("%Y-%m-%d %H:%M:%S"),
            },
            indent=1,
        )  # fmt: skip
        + "\n"
    )
    print(f"wrote {DAGNN_RESULT}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS))
    parser.add_argument("--data-dir", type=Path, help="Planetoid data folder (for cora)")
    parser.add_argument("--skip-trained", action="store_true", help="untrained curves only")
    parser.add_argument("--dagnn", action="store_true", help="only DAGNN's 10-seed accuracy on Cora")
    parser.add_argument("--trained-seeds", type=int, default=TRAINED_SEEDS, help="seeds of the trained sweep")
    args = parser.parse_args()
    if args.dagnn:
        dagnn_on_cora(args.data_dir)
        return
    for dataset in args.datasets:
        trained = dataset == "cora" and not args.skip_trained
        precompute(dataset, args.data_dir, trained, args.trained_seeds)


if __name__ == "__main__":
    main()
