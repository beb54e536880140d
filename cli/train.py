"""``nodescope train --dataset NAME --model NAME [--seeds N] --out DIR``: train, checkpoint, summarise.

Writes, for a dataset key ``D`` (a built-in or Planetoid name, or a file's stem) and model ``M``:

- ``DIR/D-M-seed<k>.safetensors`` + ``.json``: one checkpoint per seed (see :mod:`core.checkpoint`);
- ``DIR/D-M-results.json``: every seed's train/val/test accuracy (fractions), epochs and seconds,
  with the mean and sample standard deviation of the test accuracy.

Seeds vary the initialisation and dropout; the split is fixed (the dataset's own masks, else
:func:`core.training.random_split` with seed 0, the split the app evaluates shipped weights on).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "train", help="train a model on a labelled graph for several seeds and save checkpoints"
    )
    p.add_argument(
        "--dataset", required=True, help="a labelled built-in (karate, sbm, ...), cora/citeseer, or a file"
    )
    p.add_argument("--model", required=True, help="registry key: gcn, gat, gatv2, ...")
    p.add_argument("--seeds", type=int, default=5, help="number of seeds, 0..N-1 (default 5)")
    p.add_argument("--epochs", type=int, help="maximum epochs per seed (default: the model's setting)")
    p.add_argument("--data-dir", type=Path, help="Planetoid data folder (default $NODESCOPE_DATA_DIR)")
    p.add_argument("--out", type=Path, required=True, help="folder for the checkpoints and results JSON")
    p.set_defaults(func=run)


class _Bar:
    """A progress bar on stderr: tqdm when installed, else one line rewritten with ``\\r``."""

    def __init__(self, desc: str, total: int) -> None:
        self.desc, self.total = desc, total
        try:
            from tqdm import tqdm
        except ImportError:
            self._tqdm = None
        else:
            self._tqdm = tqdm(total=total, desc=desc, file=sys.stderr, leave=False, unit="epoch")

    def __call__(self, epoch: int, _total: int, row: dict[str, float]) -> None:
        """A :data:`core.training.Progress` callback."""
        val_acc = row["val_acc"]
        if self._tqdm is not None:
            self._tqdm.update(epoch - self._tqdm.n)
            self._tqdm.set_postfix(val_acc=f"{val_acc:.1%}", refresh=False)
        else:
            print(
                f"\r{self.desc}: epoch {epoch}/{self.total}, val acc {val_acc:.1%}", end="", file=sys.stderr
            )

    def close(self) -> None:
        if self._tqdm is not None:
            self._tqdm.close()
        else:
            print(file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    from nodescope.core.checkpoint import save_checkpoint, train_info
    from nodescope.core.errors import LoadError
    from nodescope.core.loaders import load
    from nodescope.core.models import MODELS
    from nodescope.core.recipes import recipe
    from nodescope.core.training import train, with_split

    if args.model not in MODELS:
        raise LoadError(f"Unknown model '{args.model}'; choose one of {', '.join(MODELS)}.")
    if args.seeds < 1 or (args.epochs is not None and args.epochs < 1):
        raise LoadError("--seeds and --epochs must be at least 1.")
    sample = load(args.dataset, data_dir=args.data_dir)
    if sample.data.get("y") is None or sample.num_classes < 2:
        raise LoadError(f"{sample.name} has no node labels (two classes or more) to train on.")
    has_split = all(sample.data.get(m) is not None for m in ("train_mask", "val_mask", "test_mask"))
    data = with_split(sample.data, seed=0)
    try:
        args.out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise LoadError(f"Cannot create the output folder {args.out} ({exc.strerror}).") from exc
    key = _dataset_key(args.dataset)
    overrides = {} if args.epochs is None else {"max_epochs": args.epochs}
    rows: list[dict[str, Any]] = []
    for seed in range(args.seeds):
        config, settings = recipe(args.model, sample, seed=seed, **overrides)
        bar = _Bar(f"{args.model} {key} seed {seed}", settings.max_epochs)
        try:
            result = train(config, data, settings, progress=bar)
        finally:
            bar.close()
        info = train_info(key, sample, "public" if has_split else "random seed 0", settings, result)
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
    summary = {"dataset": key, "model": args.model, "config": asdict(config), "seeds": rows}
    summary |= {"test_acc_mean": mean, "test_acc_std": std}
    (args.out / f"{key}-{args.model}-results.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(f"{args.model} {key}: test acc {100 * mean:.1f}±{100 * std:.1f} % over {len(tests)} seeds")
    return 0


def _dataset_key(source: str) -> str:
    """``builtin:karate`` → ``karate``, ``cora`` → ``cora``, ``/x/my graph.csv`` → ``my-graph``."""
    text = source.strip()
    name = Path(text).stem if ("/" in text or "." in text) else text.split(":", 1)[-1]
    return "-".join(name.lower().split()) or "graph"
