"""Train the mesh segmenters (dual-graph GATv2, dual-graph GCN) on the procedural part shapes.

Each (model, seed) run follows :mod:`core.models.segmentation.recipe` and is resumable: its
state is written after every epoch to ``--state-dir`` (default ``.cache/segmentation/``, the
generated shapes beside it in ``data/``); a finished run is read back, not trained again. Every
run is scored on the ``test`` split (training families, unseen seeds) and the ``unseen`` split
(a family never seen in training); ``--results`` (default
``assets/models/mesh/segment-results.json``) gets each run's scores and, per model, the mean ± sample std over the seeds.
``--ship`` writes seed 0 of each model to ``assets/models/mesh/segment-<model>.{safetensors,json}``
with its scores on the first test shapes (which ``tests/core/test_segmentation_shipped.py``
reproduces).

Usage::

    nice -n 5 .venv/bin/python examples/train_mesh_segmentation.py --seeds 0 1 2 --ship
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import torch

from nodescope.core.device import machine
from nodescope.core.models.segmentation.recipe import DEFAULT_CONFIGS, ship_run, train_run
from nodescope.core.models.segmentation.training import scores
from nodescope.core.segmentation.dataset import COUNTS, load_split

REPO = Path(__file__).resolve().parents[1]
STATE_DIR = REPO / ".cache" / "segmentation"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", nargs="+", default=list(DEFAULT_CONFIGS), choices=list(DEFAULT_CONFIGS))
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, help="training epochs (default: the recipe's)")
    parser.add_argument("--state-dir", type=Path, default=STATE_DIR, help="per-run states and cached data")
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads (default 1)")
    parser.add_argument("--results", type=Path, default=REPO / "assets/models/mesh/segment-results.json")
    parser.add_argument(
        "--ship", action="store_true", help="write seed 0 of each model to assets/models/mesh"
    )
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    data = args.state_dir / "data"
    splits = {s: load_split(s, cache_dir=data) for s in ("test", "unseen")}
    runs = []
    for key in args.models:
        for seed in args.seeds:

            def report(epoch: int, epochs: int, loss: float, key: str = key, seed: int = seed) -> None:
                print(f"  {key} seed {seed} epoch {epoch}/{epochs}: loss {loss:.4f}", flush=True)

            model, info = train_run(
                key, seed, state_dir=args.state_dir, cache_dir=data, epochs=args.epochs, progress=report
            )
            results = {split: scores(model, samples) for split, samples in splits.items()}
            runs.append(
                {"model": key, "seed": seed, "params": info["params"], "train_seconds": info["seconds"]}
                | {"train_cpu_seconds": info.get("cpu_seconds")}
                | {f"{split}_{k}": v for split, r in results.items() for k, v in r.items()}
            )
            print(f"{key} seed {seed}: {info['seconds']:.0f} s, {results}", flush=True)
            if args.ship and seed == 0:
                print(f"shipped {ship_run(model, info, results, cache_dir=data)}")
    summary: dict[str, dict[str, list[float]]] = {}
    for key in args.models:
        mine = [r for r in runs if r["model"] == key]
        summary[key] = {
            k: [
                float(np.mean([r[k] for r in mine])),
                float(np.std([r[k] for r in mine], ddof=1 if len(mine) > 1 else 0)),
            ]
            for k in mine[0]
            if k.startswith(("test_", "unseen_"))
        }
    args.results.write_text(
        json.dumps(
            {"counts": COUNTS, "seeds": args.seeds, "runs": runs, "mean_std": summary, "machine": machine()},
            indent=1,
        )
        + "\n"
    )
    print(json.dumps(summary, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
