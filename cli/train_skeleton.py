"""``nodescope train skeleton``: train the lifting models (HopFIR, SemGCN, MLP) as the shipped ones were.

``nodescope train skeleton [--model hopfir|gcn|mlp] [--seeds N] [--epochs E] [--mocap DIR]
(--out DIR | --ship)`` runs :func:`core.models.lifting.training.train_run` (the recipe of
:data:`core.models.lifting.training.RECIPE`: CMU clips of ``--mocap`` split by subject, fresh
random cameras every epoch, the best validation epoch kept) for each model (default all three)
and seed ``0..N-1`` (default 1: seed 0, the shipped one), and writes:

- ``DIR/<model>.{safetensors,json}`` (seed 0; other seeds ``<model>-seed<k>``): lifter
  checkpoints as :mod:`core.models.lifting.checkpoint` reads them (``nodescope lift --weights``),
  with their test MPJPE and P-MPJPE (held-out subjects, exact and noisy 2D) and the built-in's;
- ``DIR/skeleton-results.json``: every run's scores and whether its weights are byte for byte
  the shipped ones (``same_as_shipped``);
- with ``--ship`` instead of ``--out``: seed 0 of each model to ``assets/models/skeleton``.

Runs resume (``--state-dir``, default ``DIR/state``, or the user cache with ``--ship``). With
the default epochs and one torch thread (``--threads 1``, the default) seed 0 reproduces the
shipped weights; each model takes about 10 minutes of one CPU core.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

from nodescope.core.errors import LoadError

#: Where the CMU clips are looked for when ``--mocap`` is not given (beside a repository checkout).
DEFAULT_MOCAP = Path(__file__).resolve().parents[2] / "shared" / "data" / "mocap"
MODELS = ("hopfir", "gcn", "mlp")


def mocap_folder(given: Path | None) -> Path:
    """``--mocap``, else ``$NODESCOPE_MOCAP``, else ``../shared/data/mocap``; must hold BVH clips."""
    folder = given or Path(os.environ.get("NODESCOPE_MOCAP", DEFAULT_MOCAP))
    if not folder.is_dir() or not any(folder.glob("*.bvh")):
        raise LoadError(
            f"No BVH clips at {folder}: give --mocap DIR (CMU clips named <subject>_<take>.bvh; the shipped "
            "weights were trained on ../shared/data/mocap)."
        )
    return folder


def run(args: argparse.Namespace) -> int:
    """Train, write the checkpoints and the results JSON (see the module docstring).

    Returns:
        0.

    Raises:
        LoadError: an unknown model, ``--seeds``/``--epochs`` below 1, neither ``--out`` nor
            ``--ship``, no clips, or an output that cannot be written.
    """
    import torch

    from nodescope.cli.progress import Bar
    from nodescope.core.checkpoint import SHIPPED_DIR, read_record, weights_sha256
    from nodescope.core.models.lifting.checkpoint import FORMAT, SHIPPED_DATASET, shipped_lifter
    from nodescope.core.models.lifting.evaluate import mocap_clips, mocap_sets
    from nodescope.core.models.lifting.training import RECIPE, save_trained, train_run
    from nodescope.core.paths import user_dir

    models = MODELS if args.model is None else (args.model,)
    if args.model is not None and args.model not in MODELS:
        raise LoadError(
            f"Unknown lifting model {args.model!r}; nodescope train skeleton knows {', '.join(MODELS)}."
        )
    seeds = 1 if args.seeds is None else args.seeds
    epochs = RECIPE["epochs"] if args.epochs is None else args.epochs
    if seeds < 1 or epochs < 1:
        raise LoadError("--seeds and --epochs must be at least 1.")
    if (args.out is None) == (not args.ship):
        raise LoadError("nodescope train skeleton needs --out DIR or --ship (not both).")
    folder = mocap_folder(args.mocap)
    out = SHIPPED_DIR / SHIPPED_DATASET if args.ship else args.out
    state_dir = args.state_dir or (user_dir() / "cache" / "lifting" if args.ship else args.out / "state")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise LoadError(f"Cannot create the output folder {out} ({exc.strerror}).") from exc
    torch.set_num_threads(args.threads)
    recipe = {**RECIPE, "epochs": epochs}
    clips = mocap_clips(folder, stride=recipe["train_stride"])["train"]
    sets = mocap_sets(folder)
    data = f"CMU mocap ({folder.name}), subjects split by core.models.lifting.evaluate.mocap_sets"
    results: dict[str, Any] = {"mocap": str(folder), "recipe": recipe, "runs": []}
    for key in models:
        shipped = shipped_lifter(key)
        shipped_sha = read_record(shipped, FORMAT, "lifting model").get("weights_sha256") if shipped else None
        for seed in range(seeds if not args.ship else 1):
            with Bar(f"{key} seed {seed}", unit="epoch") as bar:
                run_info = train_run(
                    key, seed, clips, sets, state_dir, epochs, recipe=recipe, progress=bar.on_epoch
                )
            name = key if seed == 0 else f"{key}-seed{seed}"
            model = save_trained(run_info, state_dir, out / name, recipe, data)
            same = shipped_sha is not None and weights_sha256(model) == shipped_sha and seed == 0
            row = {k: run_info[k] for k in ("model", "seed", "params", "best_epoch", "val_mpjpe", "seconds")}
            for split in ("test", "test_noisy", "builtin"):
                row[split] = {k: run_info[split][k] for k in ("mpjpe", "p_mpjpe", "poses")}
            results["runs"].append(row | {"checkpoint": str(out / name), "same_as_shipped": same})
            note = " (the shipped weights, byte for byte)" if same else ""
            print(
                f"{key} seed {seed}: test MPJPE {row['test']['mpjpe']:.1f} mm, with 2D noise "
                f"{row['test_noisy']['mpjpe']:.1f} mm, built-in {row['builtin']['mpjpe']:.1f} mm "
                f"({run_info['seconds']:.0f} s) -> {out / name}.safetensors{note}"
            )
    if not args.ship:
        (out / "skeleton-results.json").write_text(json.dumps(results, indent=1) + "\n")
    return 0
