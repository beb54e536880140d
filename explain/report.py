"""Every node's explanation as one table, and the explainer's fidelity: what ``nodescope explain`` writes.

:func:`explain_graph` explains the chosen nodes with X-Node (``method="xnode"``) or a post-hoc
explainer (:data:`explain.posthoc.METHODS`) and returns one row per node with the prediction,
the true label where the graph has one, the node's graph cues (training labels only, see
:mod:`core.context`), the top features and edges, and a sentence; plus a fidelity summary over
a seeded sample of those nodes (:mod:`explain.fidelity`).
"""

from __future__ import annotations

import dataclasses
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from torch_geometric.data import Data

from nodescope.core.context import GRAPH_CUES, graph_context
from nodescope.core.models import NodeModel
from nodescope.core.models.xnode import XNode
from nodescope.core.sample import Sample
from nodescope.explain import fidelity, posthoc, xnode
from nodescope.explain.counterfactual import search
from nodescope.explain.subgraph import prepare_for_explaining
from nodescope.explain.text import explain_all

METHODS: tuple[str, ...] = ("xnode", *posthoc.METHODS)
TITLES = {
    "xnode": "X-Node",
    "gnnexplainer": "GNNExplainer",
    "ig": "Integrated Gradients",
    "saliency": "Saliency",
    "attention": "Attention",
}


def method_title(method: str) -> str:
    """How an explainer is named in titles and tables (``"ig"`` -> ``"Integrated Gradients"``)."""
    return TITLES.get(method, method)


@dataclass
class Report:
    """What :func:`explain_graph` found.

    Attributes:
        table: one row per explained node (see :func:`explain_graph`).
        fidelity: :func:`explain.fidelity.summarize` over the fidelity sample, plus
            ``fraction`` and ``top_k`` (the explanation size), ``samples``, ``seed``, ``method``
            and ``seconds_per_node`` (explaining only, fidelity not included).
        per_node_fidelity: :func:`explain.fidelity.evaluate`'s rows for the fidelity sample.
    """

    table: pd.DataFrame
    fidelity: dict[str, Any]
    per_node_fidelity: pd.DataFrame


def _joined(pairs: list[tuple[str, float]]) -> str:
    return "; ".join(f"{name}: {score:.3g}" for name, score in pairs)


def _posthoc_text(
    method: str, predicted: str, confidence: float, att: posthoc.Attribution, sample: Sample, data: Data
) -> str:
    src, dst = data.edge_index
    edges = [
        f"{sample.node_label(int(src[e]))} → {sample.node_label(int(dst[e]))}" for e, _ in att.top_edges(3)
    ]
    features = [sample.feature_names[f] for f, _ in att.top_features(3)]
    text = f"Predicted {predicted} ({confidence:.0%})."
    if edges:
        text += f" {TITLES[method]} finds the links {', '.join(edges)} most important"
        text += f", and the features {', '.join(features)}." if features else "."
    elif features:
        text += f" {TITLES[method]} finds the features {', '.join(features)} most important."
    return text


def explain_graph(
    sample: Sample,
    data: Data,
    model: NodeModel,
    method: str,
    nodes: list[int],
    *,
    top: int = 5,
    fidelity_nodes: int = 50,
    samples: int = 64,
    fraction: float = fidelity.FRACTION,
    top_k: int | None = None,
    seed: int = 0,
    counterfactuals: bool = False,
    progress: Callable[[int, int], Any] | None = None,
    **options: Any,
) -> Report:
    """Explain ``nodes`` of ``sample`` with ``method`` and score a sample of them.

    Args:
        sample: the loaded sample (names of nodes, features and classes).
        data: its graph with the split the model was trained on (``train_mask`` at least).
        model: the trained model; ``xnode`` needs an X-Node model, ``attention`` one with attention.
        method: one of :data:`METHODS`.
        nodes: node ids to explain.
        top: how many top features and edges each row lists.
        fidelity_nodes: size of the seeded sample of ``nodes`` scored for fidelity (0: none).
        samples: Monte Carlo draws per robust-fidelity term (:func:`explain.fidelity.evaluate`).
        fraction: explanation size, as a share of each node's computation edges.
        top_k: a fixed explanation size in directed edges instead.
        seed: seeds the fidelity sample and the Monte Carlo draws.
        counterfactuals: add a ``counterfactual`` column, what would change each node's
            prediction (:func:`explain.counterfactual.search`: a fraction of a second per node).
        progress: ``progress(done, total)`` after each node.
        options: passed to the post-hoc explainer (``epochs``, ``steps``, ...).

    Returns:
        A :class:`Report`. Table columns: ``node``, ``name``, ``predicted``, ``confidence``,
        ``true_label`` (empty where unknown), ``split``, the graph cues, for X-Node also its
        model cues and every ``<cue> contribution``, ``top_features`` and ``top_edges``
        (``name: score; ...``), ``text``, ``seconds`` (this node's share of the time) and, on request, ``counterfactual``.
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    start = time.perf_counter()
    names = sample.label_names or [str(c) for c in range(int(model.config.out_dim))]
    prepared = prepare_for_explaining(model, data)
    probs = model.predict(prepared).cpu()
    result = None
    if method == "xnode" or (counterfactuals and isinstance(model, XNode)):
        result = xnode.analyse(model, data, class_names=names)
    if method == "xnode":
        words = explain_all(result).set_index("node")
        stream = xnode.attributions(model, data, nodes)
    else:
        words = None
        stream = posthoc.explain_nodes(method, model, data, nodes, **options)
    keep = set(random.Random(seed).sample(nodes, min(fidelity_nodes, len(nodes))))
    context = graph_context(data)
    y = data.get("y")
    split = np.full(int(data.num_nodes), "", dtype=object)
    for mask in ("train", "val", "test"):
        if data.get(f"{mask}_mask") is not None:
            split[data[f"{mask}_mask"].cpu().numpy()] = mask
    rows, scored = [], []
    src, dst = data.edge_index
    for done, att in enumerate(stream, 1):
        i = att.node
        predicted = names[int(probs[i].argmax())]
        row = {
            "node": i,
            "name": sample.node_names[i] if sample.node_names else str(i),
            "predicted": predicted,
            "confidence": float(probs[i].max()),
            "true_label": names[int(y[i])] if y is not None and int(y[i]) >= 0 else "",
            "split": split[i],
        }
        row |= {cue: float(context.raw[i, k]) for k, cue in enumerate(GRAPH_CUES)}
        if words is not None:
            extra = words.loc[i]
            row |= {
                c: extra[c] for c in words.columns if c in result.cue_names or c.endswith(" contribution")
            }
            text = extra["text"]
        else:
            text = _posthoc_text(method, predicted, row["confidence"], att, sample, data)
        row["top_features"] = _joined([(sample.feature_names[f], s) for f, s in att.top_features(top)])
        row["top_edges"] = _joined(
            [
                (f"{sample.node_label(int(src[e]))} → {sample.node_label(int(dst[e]))}", s)
                for e, s in att.top_edges(top)
            ]
        )
        row["text"] = text
        row["seconds"] = att.seconds
        if counterfactuals:
            row["counterfactual"] = search(
                model, data, i, class_names=names, feature_names=sample.feature_names,
                node_label=sample.node_label, xnode_result=result, prepared=prepared,
            ).sentence  # fmt: skip
        rows.append(row)
        if i in keep and att.edge_mask is not None:
            scored.append(dataclasses.replace(att, node_scores=None))  # edges are all fidelity reads
        if progress is not None:
            progress(done, len(nodes))
    seconds = time.perf_counter() - start
    per_node = (
        fidelity.evaluate(model, data, scored, fraction=fraction, top_k=top_k, samples=samples, seed=seed)
        if scored
        else pd.DataFrame()
    )
    summary = {
        "method": method,
        **fidelity.summarize(per_node),
        "fraction": fraction,
        "top_k": top_k,
        "samples": samples,
        "seed": seed,
    }
    summary["seconds_per_node"] = seconds / max(len(nodes), 1)
    return Report(pd.DataFrame(rows), summary, per_node)
