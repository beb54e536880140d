"""``nodescope explain --dataset NAME --model NAME --method M [--nodes all|i,j,...] --out FILE.csv``.

Writes ``FILE.csv`` (one row per node: id, name, predicted class, confidence, true label where
known, split, context cues, top features and edges, explanation text; see
:func:`explain.report.explain_graph`) and ``FILE.fidelity.json`` beside it (the method's
fidelity over a seeded sample of the nodes), and prints a one-line summary on stderr.

Weights: ``--weights`` when given, else the shipped checkpoint for the dataset and model when
there is one, else a model trained here with its published settings (seed 0; it says so).

The command sits at the top of the stack: it reaches ``explain.report`` through
``importlib`` (as ``nodescope app`` reaches the app), so ``core`` keeps importing nothing above it.
"""

from __future__ import annotations

import argparse
import importlib
import json
import math
import sys
from pathlib import Path
from typing import Any

METHODS = ("xnode", "gnnexplainer", "ig", "saliency", "attention")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("explain", help="explain every node's prediction and score the explanations' fidelity")
    p.add_argument(
        "--dataset",
        required=True,
        help="a labelled built-in (karate, ba-shapes, ...), cora/citeseer, or a file",
    )
    p.add_argument(
        "--model", required=True, help="registry key: xnode-gcn, xnode-gat, xnode-gin, gcn, gat, ..."
    )
    p.add_argument("--method", required=True, choices=METHODS, help="xnode needs an xnode-* model")
    p.add_argument("--nodes", default="all", help="'all' (default) or comma-separated node ids")
    p.add_argument("--weights", type=Path, help="a checkpoint (.safetensors/.json) to explain")
    p.add_argument("--data-dir", type=Path, help="Planetoid data folder (default $NODESCOPE_DATA_DIR)")
    p.add_argument("--fidelity-nodes", type=int, default=50, help="nodes scored for fidelity (default 50)")
    p.add_argument(
        "--out", type=Path, required=True, help="the CSV to write; FILE.fidelity.json goes beside it"
    )
    p.set_defaults(func=run)


def _nodes(text: str, n: int) -> list[int]:
    from nodescope.core.errors import LoadError

    if text.strip().lower() == "all":
        return list(range(n))
    try:
        nodes = [int(part) for part in text.split(",") if part.strip()]
    except ValueError as exc:
        raise LoadError(f"--nodes takes 'all' or comma-separated node ids, not '{text}'.") from exc
    bad = [i for i in nodes if not 0 <= i < n]
    if not nodes or bad:
        raise LoadError(f"--nodes: {bad[0] if bad else 'none'} is not a node id here (0..{n - 1}).")
    return nodes


class _Bar:
    """Progress on stderr: tqdm when installed, else a line rewritten with ``\\r``."""

    def __init__(self, desc: str, total: int) -> None:
        self.desc, self.total = desc, total
        try:
            from tqdm import tqdm
        except ImportError:
            self._tqdm = None
        else:
            self._tqdm = tqdm(total=total, desc=desc, file=sys.stderr, leave=False, unit="node")

    def __call__(self, done: int, _total: int) -> None:
        if self._tqdm is not None:
            self._tqdm.update(done - self._tqdm.n)
        else:
            print(f"\r{self.desc}: {done}/{self.total} nodes", end="", file=sys.stderr)

    def close(self) -> None:
        if self._tqdm is not None:
            self._tqdm.close()
        else:
            print(file=sys.stderr)


def _model(args: argparse.Namespace, key: str, sample: Any, data: Any) -> Any:
    """The model to explain: --weights, else shipped weights, else trained here (said on stderr)."""
    from nodescope.core.checkpoint import check_compatible, load_checkpoint, shipped_checkpoint
    from nodescope.core.errors import LoadError
    from nodescope.core.models import MODELS
    from nodescope.core.training import settings_for, train

    path = args.weights or shipped_checkpoint(key, args.model)
    if path is not None:
        model, info = load_checkpoint(path)
        if model.config.model != args.model:
            raise LoadError(f"{path.name} holds a {model.config.model} model, not {args.model}.")
        check_compatible(model, sample)
        print(
            f"Explaining the weights in {path} (test acc {info.get('test_acc', float('nan')):.1%}).",
            file=sys.stderr,
        )
        return model
    print(
        f"No weights for {args.model} on {key}: training one now (seed 0, published settings).",
        file=sys.stderr,
    )
    config = MODELS[args.model].config(sample.data.num_features, sample.num_classes)
    result = train(config, data, settings_for(args.model, seed=0))
    print(
        f"Trained {args.model}: test acc {result.test_acc:.1%} (best epoch {result.best_epoch}).",
        file=sys.stderr,
    )
    return result.model


def _number(value: Any) -> Any:
    return None if isinstance(value, float) and math.isnan(value) else value


def run(args: argparse.Namespace) -> int:
    from nodescope.cli.train import _dataset_key
    from nodescope.core.errors import LoadError
    from nodescope.core.loaders import load
    from nodescope.core.models import MODELS
    from nodescope.core.training import with_split

    if args.model not in MODELS:
        raise LoadError(f"Unknown model '{args.model}'; choose one of {', '.join(MODELS)}.")
    if args.method == "xnode" and not args.model.startswith("xnode-"):
        raise LoadError(
            "--method xnode explains X-Node models only: use --model xnode-gcn, xnode-gat or xnode-gin."
        )
    if args.method == "attention" and MODELS[args.model].attention == "none":
        raise LoadError(f"{args.model} has no attention; use --method attention with a GAT-based model.")
    if args.fidelity_nodes < 0:
        raise LoadError("--fidelity-nodes must be 0 or more.")
    sample = load(args.dataset, data_dir=args.data_dir)
    if sample.data.get("y") is None or sample.num_classes < 2:
        raise LoadError(f"{sample.name} has no node labels (two classes or more) to explain predictions of.")
    nodes = _nodes(args.nodes, sample.num_nodes)
    data = with_split(sample.data, seed=0)
    key = _dataset_key(args.dataset)
    model = _model(args, key, sample, data)
    report = importlib.import_module("explain.report")
    bar = _Bar(f"{args.method} {key}", len(nodes))
    try:
        result = report.explain_graph(
            sample, data, model, args.method, nodes, fidelity_nodes=args.fidelity_nodes, progress=bar
        )
    finally:
        bar.close()
    fidelity_path = args.out.with_name(f"{args.out.stem}.fidelity.json")
    try:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        result.table.to_csv(args.out, index=False)
        summary = {"dataset": key, "model": args.model, **{k: _number(v) for k, v in result.fidelity.items()}}
        fidelity_path.write_text(json.dumps(summary, indent=2) + "\n")
    except OSError as exc:
        raise LoadError(f"Cannot write {args.out} ({exc.strerror}).") from exc
    f = result.fidelity
    line = f"{args.method} on {key} / {args.model}: {len(nodes)} nodes → {args.out}"
    if f.get("nodes"):
        line += (
            f"; fidelity over {f['nodes']} nodes: Fid+ {f['fid_plus']:.2f}, Fid- {f['fid_minus']:.2f}, "
            f"characterization {f['characterization']:.2f}, robust Fid+ {f['robust_fid_plus']:.3f}, "
            f"robust Fid- {f['robust_fid_minus']:.3f}"
        )
        if "auroc" in f:
            line += f", motif AUROC {f['auroc']:.2f}"
    print(line, file=sys.stderr)
    return 0
