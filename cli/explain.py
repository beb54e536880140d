"""``nodescope explain --dataset NAME --model NAME --method M [--nodes all|i,j,...] --out FILE.csv``.

Writes ``FILE.csv`` (one row per node: id, name, predicted class, confidence, true label where
known, split, context cues, top features and edges, explanation text, with ``--counterfactual``
what would change the prediction; see
:func:`explain.report.explain_graph`) and ``FILE.fidelity.json`` beside it (the method's
fidelity over a seeded sample of the nodes), and prints a one-line summary on stderr.

Weights: ``--weights`` when given, else the shipped checkpoint for the dataset and model when
there is one, else a model trained here with the recipe of ``nodescope train`` (seed 0; it says so).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

from nodescope.cli.common import known_model, labeled_sample, node_ids, read_model
from nodescope.core.errors import LoadError
from nodescope.explain.defaults import EXPLAIN_METHODS


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``explain`` subcommand and its options to ``sub``, the ``nodescope`` subparsers."""
    p = sub.add_parser("explain", help="explain every node's prediction and score the explanations' fidelity")
    p.add_argument(
        "--dataset",
        required=True,
        help="a labeled built-in (karate, ba-shapes, ...), cora/citeseer, or a file",
    )
    p.add_argument(
        "--model", required=True, help="registry key: xnode-gcn, xnode-gat, xnode-gin, gcn, gat, ..."
    )
    p.add_argument("--method", required=True, choices=EXPLAIN_METHODS, help="xnode needs an xnode-* model")
    p.add_argument("--nodes", default="all", help="'all' (default) or comma-separated node ids")
    p.add_argument("--weights", type=Path, help="a checkpoint (.safetensors/.json) to explain")
    p.add_argument("--data-dir", type=Path, help="Planetoid data folder (default $NODESCOPE_DATA_DIR)")
    p.add_argument("--fidelity-nodes", type=int, default=50, help="nodes scored for fidelity (default 50)")
    p.add_argument(
        "--counterfactual",
        action="store_true",
        help="add a 'counterfactual' column: the smallest change that flips each prediction, verified "
        "by running the model (a fraction of a second per node)",
    )
    p.add_argument(
        "--out", type=Path, required=True, help="the CSV to write; FILE.fidelity.json goes beside it"
    )
    p.set_defaults(func=run)


def _model(args: argparse.Namespace, key: str, sample: Any) -> Any:
    """The model to explain: --weights, else shipped weights, else trained here (said on stderr)."""
    from nodescope.cli.progress import Bar
    from nodescope.core.checkpoint import shipped_weights
    from nodescope.core.recipes import fit

    path = args.weights or shipped_weights(sample, args.model)
    if path is not None:
        model, info = read_model(path, args.model, sample)
        print(
            f"Explaining the weights in {path} (test acc {info.get('test_acc', float('nan')):.1%}).",
            file=sys.stderr,
        )
        return model
    print(
        f"No weights for {args.model} on {key}: training one now (seed 0, the 'nodescope train' recipe).",
        file=sys.stderr,
    )
    with Bar(f"{args.model} {key} seed 0", unit="epoch") as bar:
        result = fit(args.model, sample, seed=0, progress=bar.on_epoch)
    print(
        f"Trained {args.model}: test acc {result.test_acc:.1%} (best epoch {result.best_epoch}).",
        file=sys.stderr,
    )
    return result.model


def _number(value: Any) -> Any:
    return None if isinstance(value, float) and math.isnan(value) else value


def run(args: argparse.Namespace) -> int:
    """Explain ``--nodes`` of ``--dataset`` with ``--method``, score fidelity and write ``--out``.

    Returns:
        0 on success (bad input raises :class:`~nodescope.core.errors.LoadError`: exit code 2).
    """
    from nodescope.cli.progress import Bar
    from nodescope.core.checkpoint import dataset_key
    from nodescope.core.models import MODELS
    from nodescope.core.training import with_split
    from nodescope.explain.report import explain_graph

    known_model(args.model)
    if args.method == "xnode" and not args.model.startswith("xnode-"):
        raise LoadError(
            "--method xnode explains X-Node models only: use --model xnode-gcn, xnode-gat or xnode-gin."
        )
    if args.method == "attention" and MODELS[args.model].attention == "none":
        raise LoadError(f"{args.model} has no attention; use --method attention with a GAT-based model.")
    if args.fidelity_nodes < 0:
        raise LoadError("--fidelity-nodes must be 0 or more.")
    sample = labeled_sample(args.dataset, args.data_dir, "to explain predictions of")
    nodes = node_ids(args.nodes, sample.num_nodes, "--nodes", all_nodes=True)
    data = with_split(sample.data, seed=0)
    key = dataset_key(sample)
    model = _model(args, key, sample)
    with Bar(f"{args.method} {key}", unit="node") as bar:
        result = explain_graph(
            sample, data, model, args.method, nodes, fidelity_nodes=args.fidelity_nodes,
            counterfactuals=args.counterfactual, progress=bar.on_count,
        )  # fmt: skip
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
        from nodescope.explain.fidelity import shown_summary

        shown = ["fid_plus", "fid_minus", "prob_fid_plus", "prob_fid_minus", "characterization"]
        shown += ["robust_fid_plus", "robust_fid_minus", *(["auroc"] if "auroc" in f else [])]
        line += f"; fidelity over {f['nodes']} nodes: " + ", ".join(shown_summary(f, m) for m in shown)
    print(line, file=sys.stderr)
    return 0
