"""``nodescope train --dataset NAME --model NAME [--seeds N] --out DIR``: train, checkpoint, summarize.

Writes, for a dataset key ``D`` (:func:`core.checkpoint.dataset_key`: a built-in or Planetoid
name, or a file's stem) and model ``M``:

- ``DIR/D-M-seed<k>.safetensors`` + ``.json``: one checkpoint per seed (see :mod:`core.checkpoint`);
- ``DIR/D-M-results.json``: every seed's train/val/test accuracy (fractions), epochs and seconds,
  with the mean and sample standard deviation of the test accuracy.

With ``--stages``/``--chunks`` (GCNII only) it trains one pipelined model instead
(:mod:`cli.train_pipeline`). Each seed trains with :func:`core.recipes.fit`, the recipe the app
trains with too. Seeds vary the initialization and dropout; the split is fixed (the dataset's
own masks, else :func:`core.training.random_split` with seed 0, the split the app evaluates
shipped weights on).
"""

from __future__ import annotations

import argparse
import json
import statistics
from dataclasses import asdict
from pathlib import Path
from typing import Any

from nodescope.cli.common import known_model, labeled_sample
from nodescope.core.errors import LoadError


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``train`` subcommand and its options to ``sub``, the ``nodescope`` subparsers."""
    p = sub.add_parser(
        "train", help="train a model on a labeled graph for several seeds and save checkpoints"
    )
    p.add_argument(
        "target", nargs="?", choices=["skeleton", "mesh"],
        help="skeleton: train the lifting models (HopFIR, SemGCN, MLP) as shipped (see cli/train_skeleton.py); "
        "mesh: the mesh simulation models (mesh transformer, MPNN; cli/train_mesh.py)",
    )  # fmt: skip
    p.add_argument(
        "--dataset",
        help="a labeled built-in (karate, sbm, ...), cora/citeseer, or a file (required for graphs)",
    )
    p.add_argument(
        "--model", help="registry key: gcn, gat, gatv2, ... (skeleton: hopfir, gcn or mlp; default all)"
    )
    p.add_argument("--seeds", type=int, help="number of seeds, 0..N-1 (default 5; skeleton: 1)")
    p.add_argument("--epochs", type=int, help="maximum epochs per seed (default: the model's setting)")
    p.add_argument("--data-dir", type=Path, help="Planetoid data folder (default $NODESCOPE_DATA_DIR)")
    p.add_argument(
        "--out", type=Path, help="folder for the checkpoints and results JSON (required for graphs)"
    )
    s = p.add_argument_group("nodescope train skeleton (the lifting models)")
    s.add_argument("--mocap", type=Path, help="the BVH clips (default ../shared/data/mocap)")
    s.add_argument(
        "--ship", action="store_true", help="write seed 0 to assets/models/skeleton instead of --out"
    )
    s.add_argument("--state-dir", type=Path, help="resumable run states (default OUT/state)")
    s.add_argument("--threads", type=int, default=1, help="torch CPU threads (default 1: reproducible)")
    p.add_argument_group("nodescope train mesh (the mesh simulation models)").add_argument(
        "--equation", choices=("heat", "wave"), help="the equation (default heat)"
    )
    g = p.add_argument_group("pipelined GCNII (GNNPipe; one process per stage, or under torchrun)")
    g.add_argument("--layers", type=int, help="model depth (default: the model's)")
    g.add_argument("--stages", type=int, help="pipeline stages, one process each")
    g.add_argument("--chunks", type=int, help="graph chunks flowing through the stages")
    g.add_argument("--staleness", type=int, default=1, help="exact refresh of halo embeddings every S epochs")
    g.add_argument("--seed", type=int, default=0, help="the pipeline run's seed (default 0)")
    g.add_argument("--resume", action="store_true", help="continue from the run's last checkpoint")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Train ``--model`` on ``--dataset`` once per seed, checkpoint each and write the results JSON.

    Args:
        args: the parsed ``nodescope train`` options.

    Returns:
        0.

    Raises:
        LoadError: an unknown model, an unlabeled or unreadable dataset, ``--seeds`` or
            ``--epochs`` below 1, or an output folder that cannot be created.
    """
    if args.target == "skeleton":
        from nodescope.cli import train_skeleton

        return train_skeleton.run(args)
    if args.target == "mesh":
        from nodescope.cli import train_mesh

        return train_mesh.run(args)
    if args.dataset is None or args.model is None or args.out is None:
        raise LoadError("nodescope train needs --dataset, --model and --out (or: nodescope train skeleton).")
    args.seeds = 5 if args.seeds is None else args.seeds
    from nodescope.cli import train_pipeline

    if train_pipeline.wanted(args):
        return train_pipeline.run(args)
    from nodescope.cli.progress import Bar
    from nodescope.core.checkpoint import dataset_key, save_checkpoint, train_info
    from nodescope.core.recipes import fit

    known_model(args.model)
    if args.seeds < 1 or (args.epochs is not None and args.epochs < 1):
        raise LoadError("--seeds and --epochs must be at least 1.")
    sample = labeled_sample(args.dataset, args.data_dir, "to train on")
    has_split = all(sample.data.get(m) is not None for m in ("train_mask", "val_mask", "test_mask"))
    try:
        args.out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise LoadError(f"Cannot create the output folder {args.out} ({exc.strerror}).") from exc
    key = dataset_key(sample)
    overrides = {} if args.epochs is None else {"max_epochs": args.epochs}
    rows: list[dict[str, Any]] = []
    for seed in range(args.seeds):
        with Bar(f"{args.model} {key} seed {seed}", unit="epoch") as bar:
            result = fit(args.model, sample, seed=seed, progress=bar.on_epoch, **overrides)
        info = train_info(key, sample, "public" if has_split else "random seed 0", result.settings, result)
        save_checkpoint(result.model, args.out / f"{key}-{args.model}-seed{seed}", info=info)
        rows.append(
            {
                k: info[k]
                for k in ("seed", "train_acc", "val_acc", "test_acc", "best_epoch", "epochs", "seconds")
            }
        )
        print(
            f"seed {seed}: test acc {result.test_acc:.1%} (val {result.val_acc:.1%}, "
            f"best epoch {result.best_epoch}/{result.epochs}, {result.seconds:.1f} s)"
        )
    tests = [r["test_acc"] for r in rows]
    mean, std = statistics.mean(tests), statistics.stdev(tests) if len(tests) > 1 else 0.0
    config = asdict(result.model.config)
    summary = {"dataset": key, "model": args.model, "config": config, "seeds": rows}
    summary |= {"test_acc_mean": mean, "test_acc_std": std}
    (args.out / f"{key}-{args.model}-results.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(f"{args.model} {key}: test acc {100 * mean:.1f}±{100 * std:.1f} % over {len(tests)} seeds")
    return 0
