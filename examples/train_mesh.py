"""Train the mesh models (mesh transformer, MeshGraphNets MPNN) on the project's simulations.

Each (model, equation, seed) run follows :mod:`core.models.mesh.recipe` and is resumable: its
state is written every 100 steps to ``--state-dir`` (default ``.cache/mesh/``, the generated
splits beside it in ``data/``); a finished run is read back, not trained again. ``--ship``
writes seed 0 of each model to ``assets/models/mesh/<model>-<equation>.{safetensors,json}``
with its one-step RMSE on the first test samples (which ``tests/core/test_mesh_shipped.py``
reproduces). Scores on the test and unseen splits: ``benchmarks/bench_mesh_models.py``.

Usage::

    nice -n 5 .venv/bin/python examples/train_mesh.py --models mesh-transformer mpnn --seeds 0 1 2
    .venv/bin/python examples/train_mesh.py --ship
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch

from nodescope.core.models.mesh.checkpoint import ship_run
from nodescope.core.models.mesh.recipe import train_run
from nodescope.core.models.mesh.registry import MESH_MODELS

REPO = Path(__file__).resolve().parents[1]
STATE_DIR = REPO / ".cache" / "mesh"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", nargs="+", default=list(MESH_MODELS), choices=list(MESH_MODELS))
    parser.add_argument("--equations", nargs="+", default=["heat"], choices=["heat", "wave"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--steps", type=int, help="training steps (default: the recipe's)")
    parser.add_argument("--state-dir", type=Path, default=STATE_DIR, help="per-run states and cached data")
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads (default 1)")
    parser.add_argument(
        "--ship", action="store_true", help="write seed 0 of each model to assets/models/mesh"
    )
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    for equation in args.equations:
        for key in args.models:
            for seed in args.seeds:

                def report(
                    step: int,
                    steps: int,
                    loss: float,
                    key: str = key,
                    seed: int = seed,
                    equation: str = equation,
                ) -> None:
                    if step % 50 == 0:
                        print(
                            f"  {key} {equation} seed {seed} step {step}/{steps}: loss {loss:.4f}", flush=True
                        )

                model, info = train_run(
                    key,
                    equation,
                    seed,
                    state_dir=args.state_dir,
                    cache_dir=args.state_dir / "data",
                    steps=args.steps,
                    progress=report,
                )
                print(
                    f"{key} {equation} seed {seed}: {info['step']} steps, {info['seconds']:.0f} s", flush=True
                )
                if args.ship and seed == 0:
                    path = ship_run(model, info, cache_dir=args.state_dir / "data")
                    print(f"shipped {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
