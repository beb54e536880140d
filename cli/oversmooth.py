"""``nodescope oversmooth``: a depth sweep of over-smoothing metrics (and accuracy) written as JSON.

It hands :func:`explain.oversmoothing.measure_for` to :func:`core.sweeps.run_sweep` (core does
not import explain), which builds and trains each run with :func:`core.recipes.sweep_recipe`, as
the app's Over-smoothing page does.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from nodescope.core.errors import LoadError
from nodescope.explain.defaults import DEFAULT_SWEEP_DEPTHS


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``oversmooth`` subcommand and its options to ``sub``, the ``nodescope`` subparsers."""
    p = sub.add_parser(
        "oversmooth",
        help="per-layer over-smoothing metrics (and test accuracy) of models at several depths",
        description="For each model and depth: Dirichlet energy, MAD/MADGap, SMV, ranks, ... at every "
        "layer, at initialization or after training (--trained). Results are cached on disk.",
    )
    p.add_argument(
        "--dataset", required=True, help="a built-in graph (karate, sbm, ...), cora/citeseer, or a file"
    )
    p.add_argument("--models", required=True, help="comma-separated registry keys, e.g. gcn,gcnii,dagnn")
    p.add_argument(
        "--depths", default=",".join(map(str, DEFAULT_SWEEP_DEPTHS)), help="comma-separated depths in 1..64"
    )
    p.add_argument("--trained", action="store_true", help="train each model and record its test accuracy")
    p.add_argument("--seeds", type=int, default=1, help="runs per model and depth (seeds 0..N-1)")
    p.add_argument("--hidden", type=int, help="hidden width for every model (default: each model's own)")
    p.add_argument("--epochs", type=int, default=200, help="maximum training epochs (with --trained)")
    p.add_argument("--patience", type=int, default=50, help="early-stopping patience (with --trained)")
    p.add_argument("--data-dir", type=Path, help="Planetoid data folder (default $NODESCOPE_DATA_DIR)")
    p.add_argument("--no-cache", action="store_true", help="recompute even when a cached result exists")
    p.add_argument("--out", type=Path, required=True, help="JSON file to write")
    p.set_defaults(func=run)


def _ints(text: str, what: str) -> tuple[int, ...]:
    try:
        return tuple(int(v) for v in text.split(",") if v.strip())
    except ValueError as exc:
        raise LoadError(f"{what} must be comma-separated integers, not '{text}'.") from exc


def run(args: argparse.Namespace) -> int:
    """Run the depth sweep, write it to ``--out`` as JSON and print one line per model.

    Each line gives, per depth, the last layer's Dirichlet energy and, with ``--trained``, the
    test accuracy.

    Args:
        args: the parsed ``nodescope oversmooth`` options.

    Returns:
        0.

    Raises:
        LoadError: a missing output folder, or a bad configuration or dataset (unknown model,
            depth or count out of range, unreadable or unlabeled dataset).
    """
    import json

    from nodescope.cli.progress import FRACTION_FORMAT, Bar
    from nodescope.core.sweeps import SweepConfig, run_sweep
    from nodescope.explain.oversmoothing import measure_for

    if not args.out.parent.is_dir():
        raise LoadError(f"Cannot write {args.out}: folder {args.out.parent} does not exist.")
    config = SweepConfig(
        dataset=args.dataset,
        models=tuple(m.strip() for m in args.models.split(",") if m.strip()),
        depths=_ints(args.depths, "--depths"),
        seeds=args.seeds,
        trained=args.trained,
        hidden=args.hidden,
        max_epochs=args.epochs,
        patience=args.patience,
    )
    # The bar opens at the first report, after the dataset loaded: errors stay one line.
    with Bar(leave=True, bar_format=FRACTION_FORMAT) as bar:
        result = run_sweep(
            config, measure_for, data_dir=args.data_dir, progress=bar.on_fraction, use_cache=not args.no_cache
        )
    args.out.write_text(json.dumps(result.to_dict(), allow_nan=False))
    for model in config.models:
        acc = result.accuracy(model)
        cells = []
        for depth in config.depths:
            energy = result.curve(model, depth, "dirichlet")[-1]
            cell = f"d{depth}: √E {energy:.3g}"
            if depth in acc:
                cell += f", acc {100 * acc[depth][0]:.1f}%"
            cells.append(cell)
        print(f"{model:>14}  " + " | ".join(cells))
    print(f"wrote {args.out}")
    return 0
