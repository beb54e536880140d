"""``nodescope attention --dataset NAME --model NAME [--weights PATH] --out FILE.npz``.

Writes one ``.npz`` (read it with ``numpy.load``, no pickle needed):

- ``edge_index`` (2, E) int64, source row 0, target row 1, self-loops included;
- ``alpha`` (L, H, E) float32: layer, head, edge; each target's incoming coefficients sum to 1
  per head; NaN for heads a layer does not have; ``heads`` (L,) and ``layer_names`` (L,);
- head statistics, one entry per existing head: ``stats_layer``, ``stats_head``, ``entropy``,
  ``entropy_norm``, ``sparsity``, ``salience`` (see :func:`explain.attention.head_statistics`);
- causal head importance on the test nodes (see :func:`explain.heads.head_importance`):
  ``deviation`` (L', H'), rows following the model's attention modules, ``specialization``,
  ``focus``, ``top_heads`` (k, 2), ``baseline``, ``metric``;
- models with global attention (GraphGPS, whose local convolution has no coefficients, so L = 0):
  ``global_nodes`` (K,) and ``global_alpha`` (Lg, H, K, N), the attention rows of those nodes.

Layers and heads are zero-based in the arrays (``stats_layer``, ``stats_head``, ``top_heads``, the
axes of ``alpha`` and ``deviation``); the summary line on stderr names them one-based as the app
does, ``L2 H1`` for layer index 1, head index 0.

Weights: ``--weights`` when given, else the shipped checkpoint for the dataset and model.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from nodescope.cli.common import known_model, labeled_sample, node_ids, read_model
from nodescope.core.errors import LoadError
from nodescope.explain.defaults import GLOBAL_ALL_NODES


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``attention`` subcommand and its options to ``sub``, the ``nodescope`` subparsers."""
    p = sub.add_parser(
        "attention", help="every edge's attention per layer and head, head statistics and importance"
    )
    p.add_argument(
        "--dataset", required=True, help="a labeled built-in (karate, sbm, ...), cora/citeseer, or a file"
    )
    p.add_argument("--model", required=True, help="an attention model: gat, gatv2, graph-transformer, gps")
    p.add_argument("--weights", type=Path, help="a checkpoint (.safetensors/.json); default: the shipped one")
    p.add_argument("--data-dir", type=Path, help="Planetoid data folder (default $NODESCOPE_DATA_DIR)")
    p.add_argument("--metric", choices=("error", "loss"), default="error", help="head importance measure")
    p.add_argument(
        "--global-nodes",
        help=f"comma-separated nodes whose global attention rows to write (GraphGPS; default: all "
        f"nodes up to {GLOBAL_ALL_NODES:,}, none above)",
    )
    p.add_argument("--out", type=Path, required=True, help="the .npz file to write")
    p.set_defaults(func=run)


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _global_nodes(text: str | None, n: int) -> list[int]:
    if text is None:
        return list(range(n)) if n <= GLOBAL_ALL_NODES else []
    return node_ids(text, n, "--global-nodes")


def _model(args: argparse.Namespace, key: str, sample: Any) -> Any:
    from nodescope.core.checkpoint import shipped_weights

    path = args.weights or shipped_weights(sample, args.model)
    if path is None:
        raise LoadError(
            f"No shipped {args.model} weights for {key}: pass --weights, or train some with "
            f"'nodescope train --dataset {args.dataset} --model {args.model} --out DIR'."
        )
    model, info = read_model(path, args.model, sample)
    _say(f"Weights: {path} (test acc {info.get('test_acc', float('nan')):.1%}).")
    return model


def run(args: argparse.Namespace) -> int:
    """Write the attention maps, head statistics and head importance of a model to ``--out``.

    The arrays are described in the module docstring; a summary line goes to stderr.

    Args:
        args: the parsed ``nodescope attention`` options.

    Returns:
        0.

    Raises:
        LoadError: an unknown or attention-free model, an unlabeled or unreadable dataset,
            missing weights, a graph too large for global attention, or an unwritable ``--out``.
    """
    import numpy as np
    import torch

    from nodescope.cli.progress import Bar
    from nodescope.core.checkpoint import dataset_key
    from nodescope.core.device import device
    from nodescope.core.models import MODELS
    from nodescope.core.training import with_split
    from nodescope.explain.attention import (
        attention_maps,
        global_attention_modules,
        global_attention_rows,
        head_statistics,
    )
    from nodescope.explain.heads import head_importance
    from nodescope.viz.attention_view import head_label

    known_model(args.model)
    if MODELS[args.model].attention == "none":
        attentive = [k for k, s in MODELS.items() if s.attention != "none"]
        raise LoadError(f"{args.model} has no attention; choose one of {', '.join(attentive)}.")
    sample = labeled_sample(args.dataset, args.data_dir, "to score heads on")
    global_nodes = _global_nodes(args.global_nodes, sample.num_nodes)
    key = dataset_key(sample)
    model = _model(args, key, sample)
    try:
        data = model.prepare(with_split(sample.data, seed=0)).to(device())
    except ValueError as exc:  # GraphGPS refusing a graph too large for global attention
        raise LoadError(str(exc)) from exc

    _say("Reading every layer's attention…")
    maps = attention_maps(model, data)
    stats = head_statistics(maps)
    with Bar("Switching heads off one at a time", unit="head") as bar:
        importance = head_importance(model, data, data.test_mask, metric=args.metric, progress=bar.on_count)
    arrays: dict[str, Any] = {
        "edge_index": maps.edge_index,
        "alpha": maps.alpha,
        "heads": np.asarray(maps.heads, dtype=np.int64),
        "layer_names": np.asarray(maps.layer_names, dtype=str),
        "stats_layer": stats["layer"].to_numpy(np.int64),
        "stats_head": stats["head"].to_numpy(np.int64),
        **{c: stats[c].to_numpy(np.float64) for c in ("entropy", "entropy_norm", "sparsity", "salience")},
        "deviation": importance.deviation,
        "specialization": np.float64(importance.specialization),
        "focus": np.float64(importance.focus),
        "top_heads": np.asarray(importance.top_heads, dtype=np.int64).reshape(-1, 2),
        "baseline": np.float64(importance.baseline),
        "metric": np.asarray(importance.metric),
    }
    if global_attention_modules(model):
        with torch.no_grad():
            out = model(data)
        n_layers = len(out.global_inputs)
        if global_nodes:
            _say(f"Global attention rows of {len(global_nodes):,} nodes…")
            idx = torch.tensor(global_nodes, device=out.logits.device)
            rows = [global_attention_rows(model, out, g, idx).cpu().numpy() for g in range(n_layers)]
            arrays["global_alpha"] = np.stack(rows)
        else:
            _say(
                f"{sample.num_nodes:,} nodes: no global attention rows written (choose some with --global-nodes)."
            )
        arrays["global_nodes"] = np.asarray(global_nodes, dtype=np.int64)
    try:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        with args.out.open("wb") as f:  # a file object: savez would append .npz to a path without it
            np.savez_compressed(f, **arrays)
    except OSError as exc:
        raise LoadError(f"Cannot write {args.out} ({exc.strerror}).") from exc
    _say(
        f"{args.model} on {key}: {len(maps.heads)} attention layers, {maps.edge_index.shape[1]:,} edges → "
        f"{args.out}; Δ{importance.metric} specialization {importance.specialization:.4f}, "
        f"focus {importance.focus:.2f}, top heads {', '.join(head_label(*h) for h in importance.top_heads)}"
    )
    return 0
