"""``nodescope train mesh``: train the mesh models (mesh transformer, MPNN) as the shipped ones were.

``nodescope train mesh [--model mesh-transformer|mpnn] [--equation heat|wave] [--seeds N]
(--out DIR | --ship)`` runs :func:`core.models.mesh.recipe.train_run` (the recipe of
:mod:`core.models.mesh.recipe`: the seeded simulation splits, noisy one-step batches) for each
model (default both) and seed ``0..N-1`` (default 1: seed 0, the shipped one), and writes
``DIR/<model>-<equation>.{safetensors,json}`` (seed 0; other seeds ``-seed<k>``), mesh-model
checkpoints as :mod:`core.models.mesh.checkpoint` reads them, with their one-step RMSE on the
first test samples; ``--ship`` writes seed 0 to ``assets/models/mesh`` instead. Runs resume
(``--state-dir``, default ``DIR/state``, or the user cache with ``--ship``). With one torch
thread (the default) seed 0 reproduces the shipped weights.
"""

from __future__ import annotations

import argparse
import json

from nodescope.core.errors import LoadError


def run(args: argparse.Namespace) -> int:
    """Train and write the mesh models (see the module docstring).

    Returns:
        0.

    Raises:
        LoadError: an unknown model, ``--seeds`` below 1, or neither ``--out`` nor ``--ship``.
    """
    import torch

    from nodescope.cli.progress import Bar
    from nodescope.core.models.mesh.checkpoint import SHIPPED_FOLDER, ship_run
    from nodescope.core.models.mesh.recipe import train_run
    from nodescope.core.models.mesh.registry import MESH_MODELS
    from nodescope.core.paths import user_dir

    models = list(MESH_MODELS) if args.model is None else [args.model]
    if any(m not in MESH_MODELS for m in models):
        raise LoadError(f"Unknown mesh model '{args.model}'; choose {' or '.join(MESH_MODELS)}.")
    seeds = 1 if args.seeds is None else args.seeds
    if seeds < 1:
        raise LoadError("--seeds must be at least 1.")
    if args.out is None and not args.ship:
        raise LoadError("nodescope train mesh needs --out DIR (or --ship).")
    equation = args.equation or "heat"
    state_dir = args.state_dir or (user_dir() / "cache" / "mesh" if args.ship else args.out / "state")
    torch.set_num_threads(args.threads)
    for key in models:
        for seed in range(seeds):
            with Bar(f"{key} {equation} seed {seed}", unit="step") as bar:
                model, info = train_run(
                    key,
                    equation,
                    seed,
                    state_dir=state_dir,
                    cache_dir=state_dir / "data",
                    progress=lambda step, steps, loss, bar=bar: bar.on_count(step, steps),
                )
            if args.ship and seed:
                continue  # only seed 0 ships
            folder = None if args.ship else args.out
            name = f"{key}-{equation}" + (f"-seed{seed}" if seed else "")
            path = ship_run(model, info, folder=folder, name=name, cache_dir=state_dir / "data")
            check = json.loads(path.with_suffix(".json").read_text())["check"]["one_step_rmse"]
            where = f"assets/models/{SHIPPED_FOLDER}" if folder is None else str(folder)
            print(
                f"{key} {equation} seed {seed}: one-step RMSE {sum(check) / len(check):.5f} "
                f"on the check samples -> {where}/{name}"
            )
    return 0
