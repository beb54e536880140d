"""Train the lifting models (MLP, SemGCN, HopFIR) on real motion capture; write lifting.json.

Each model trains on the CMU clips of the training subjects (``../shared/data/mocap``, split by
subject: :func:`core.models.lifting.evaluate.mocap_sets`), seen through **fresh random cameras
every epoch** (:func:`core.skeleton.dataset.build_lifting_set`: every 2nd frame, one camera with
exact 2D and one with 2D noise of 5 px), keeps the epoch with the lowest validation MPJPE
(subject 08), and is scored on the held-out subjects (09, 12) with exact 2D and with 2D noise of
σ = 5 px (the same cameras), and on the procedural built-in. Loss: MPJPE in metres; Adam, batch
256, cosine learning-rate decay. The training itself is :mod:`core.models.lifting.training`,
which ``nodescope train skeleton`` runs too.

Every run (model × seed) is resumable: its state (weights, best weights, optimizer, history) is
written after every epoch to ``--state-dir`` (safetensors + JSON); a finished run is not trained
again. Results (every seed, mean ± sample standard deviation, per joint, per action, parameter
counts, training seconds) go to ``benchmarks/results/lifting.json``. ``--ship`` writes seed 0
of each model to ``assets/models/skeleton/<model>.{safetensors,json}``.

Usage::

    nice -n 5 .venv/bin/python examples/train_lifting.py --models mlp gcn hopfir --seeds 0 1 2
    .venv/bin/python examples/train_lifting.py --ship      # after training: seed 0 to assets/
    .venv/bin/python examples/train_lifting.py --table     # README table from lifting.json
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path
from typing import Any

import numpy as np
import torch

from nodescope.core import results as results_file
from nodescope.core.checkpoint import SHIPPED_DIR
from nodescope.core.models.lifting import LIFTERS, TITLES
from nodescope.core.models.lifting.checkpoint import SHIPPED_DATASET
from nodescope.core.models.lifting.evaluate import TEST_NOISE_PX, mocap_clips, mocap_sets
from nodescope.core.models.lifting.training import RECIPE, save_trained, train_run
from nodescope.core.paths import user_dir
from nodescope.core.results import markdown_table, mean_std, seeds_phrase
from nodescope.core.skeleton.joints import JOINT_NAMES

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results" / "lifting.json"
MOCAP = REPO.parent / "shared" / "data" / "mocap"
DATA = "CMU mocap (../shared/data/mocap), subjects split by core.models.lifting.evaluate.mocap_sets"
#: Published Human3.6M MPJPE with ground-truth 2D (protocol 1), as issue 15 and the papers state.
PUBLISHED_H36M = {"hopfir": 32.7, "gcn": 43.8, "mlp": 45.5}


def _mean_std(values: list[float]) -> dict[str, float]:
    return {"mean": statistics.mean(values), "std": statistics.stdev(values) if len(values) > 1 else 0.0}


def summarize(runs: list[dict]) -> dict[str, Any]:
    """Mean ± std over seeds of one model's finished runs."""
    out: dict[str, Any] = {
        "seeds": [r["seed"] for r in runs],
        "params": runs[0]["params"],
        "config": runs[0]["config"],
    }
    for split in ("test", "test_noisy", "builtin"):
        out[split] = {m: _mean_std([r[split][m] for r in runs]) for m in ("mpjpe", "p_mpjpe")}
        out[split]["per_joint"] = dict(
            zip(JOINT_NAMES, np.mean([r[split]["per_joint"] for r in runs], 0).tolist(), strict=True)
        )
        actions = runs[0][split]["per_action"]
        out[split]["per_action"] = {
            a: statistics.mean(r[split]["per_action"][a] for r in runs) for a in actions
        }
    out["val_mpjpe"] = _mean_std([r["val_mpjpe"] for r in runs])
    out["train_seconds"] = _mean_std([r["seconds"] for r in runs])
    out["epochs"] = runs[0]["epoch"]
    out["runs"] = [{k: v for k, v in r.items() if k != "history"} | {"history": r["history"]} for r in runs]
    return out


def read_results() -> dict[str, Any]:
    return results_file.read_results(RESULTS, {"models": {}})


def write_results(results: dict[str, Any], recipe: dict[str, Any] = RECIPE) -> None:
    results["recipe"] = recipe
    results["test_noise_px"] = TEST_NOISE_PX
    results["published_h36m_mpjpe"] = PUBLISHED_H36M
    results_file.write_results(RESULTS, results)


def readme_table(results: dict[str, Any]) -> str:
    """README table: one row per model."""
    header = [
        "model", "parameters", "MPJPE, exact 2D", "P-MPJPE, exact 2D", "MPJPE, 2D σ = 5 px",
        "P-MPJPE, 2D σ = 5 px", "train time", "Human3.6M, published",
    ]  # fmt: skip
    entries = {key: results["models"][key] for key in ("hopfir", "gcn", "mlp") if key in results["models"]}
    rows = [
        [
            TITLES[key],
            f"{entry['params'] / 1000:.0f} k",
            *(
                mean_std(entry[split][metric])
                for split in ("test", "test_noisy")
                for metric in ("mpjpe", "p_mpjpe")
            ),
            f"{entry['train_seconds']['mean'] / 60:.1f} min",
            str(PUBLISHED_H36M[key]),
        ]
        for key, entry in entries.items()
    ]
    over = seeds_phrase(len(entry["seeds"]) for entry in entries.values())
    return (
        markdown_table(header, rows)
        + f"\n\nMillimetres, mean ± sample standard deviation over {over} (0, 1, 2: initialization, training "
        "cameras, dropout); train time per seed; Human3.6M: published MPJPE with ground-truth 2D, another "
        "dataset and protocol (below)."
    )


def ship(results: dict[str, Any], state_dir: Path) -> None:
    """Write seed 0 of each trained model to assets/models/skeleton/."""
    for key, entry in results["models"].items():
        run = next((r for r in entry["runs"] if r["seed"] == 0), None)
        if run is None:
            continue
        model = save_trained(run, state_dir, SHIPPED_DIR / SHIPPED_DATASET / key, RECIPE, DATA)
        print(
            f"shipped {key}: test MPJPE {run['test']['mpjpe']:.1f} mm ({model.num_parameters()} parameters)"
        )


def _printer(key: str, seed: int):
    def progress(epoch: int, epochs: int, row: dict[str, float]) -> None:
        print(
            f"  {key} seed {seed} epoch {epoch - 1}: train {row['train_mpjpe']:.1f} mm, "
            f"val {row['val_mpjpe']:.1f} mm ({row['seconds']:.0f} s)",
            flush=True,
        )

    return progress


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", nargs="+", default=["mlp", "gcn", "hopfir"], choices=list(LIFTERS))
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=RECIPE["epochs"])
    parser.add_argument(
        "--data", type=Path, default=MOCAP, help="the BVH clips (default ../shared/data/mocap)"
    )
    parser.add_argument(
        "--state-dir", type=Path, default=user_dir() / "cache" / "lifting", help="per-run states"
    )
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads (default 1)")
    parser.add_argument("--table", action="store_true", help="print the README table from lifting.json")
    parser.add_argument(
        "--ship", action="store_true", help="write seed 0 of each model to assets/models/skeleton"
    )
    args = parser.parse_args(argv)
    if args.table:
        print(readme_table(read_results()))
        return 0
    if args.ship:
        ship(read_results(), args.state_dir)
        return 0
    torch.set_num_threads(args.threads)
    recipe = {**RECIPE, "epochs": args.epochs}
    train_clips = mocap_clips(args.data, stride=recipe["train_stride"])["train"]
    sets = mocap_sets(args.data)
    for key in args.models:
        runs = [
            train_run(
                key,
                seed,
                train_clips,
                sets,
                args.state_dir,
                args.epochs,
                recipe=recipe,
                progress=_printer(key, seed),
            )
            for seed in args.seeds
        ]
        results = read_results()  # re-read: other runs may have finished meanwhile
        previous = {r["seed"]: r for r in results["models"].get(key, {}).get("runs", [])}
        previous |= {r["seed"]: r for r in runs}
        results["models"][key] = summarize([previous[s] for s in sorted(previous)])
        write_results(results, recipe)
        entry = results["models"][key]
        print(
            f"{key}: test MPJPE {entry['test']['mpjpe']['mean']:.1f} ± {entry['test']['mpjpe']['std']:.1f} mm",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
