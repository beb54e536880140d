"""One node under every explainer: X-Node's own edge mask and each post-hoc explainer's, with fidelity.

:func:`compare_node` runs X-Node (:func:`explain.xnode.attributions`, when the model is an
X-Node model) and the post-hoc explainers of :mod:`explain.posthoc` on one node, scores each
with :func:`explain.fidelity.evaluate` on the same Monte Carlo draws, and measures how much
they agree: the mean over pairs of methods of the Jaccard overlap of their explanation
subgraphs (the ``top_k`` edges by |score|, :func:`explain.fidelity.explanation_edges`).
Agreement 1: every method picks the same edges; 0: no two share one.

X-Node's edge mask is the model's edge-weight gradient, the quantity Saliency computes
(see :mod:`explain.xnode`), so those two agree by construction on X-Node models; agreement is
informative across the other pairs.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd
from torch_geometric.data import Data

from nodescope.core.models import MODELS, NodeModel
from nodescope.core.models.xnode import XNode
from nodescope.explain import fidelity, posthoc, xnode
from nodescope.explain.posthoc import Attribution
from nodescope.explain.subgraph import computation_subgraph, prepare_for_explaining


@dataclass
class NodeComparison:
    """Every explainer's view of one node.

    Attributes:
        node: the explained node.
        attributions: method → its :class:`~explain.posthoc.Attribution`, in the order run.
        fidelity: one row per method (:func:`explain.fidelity.evaluate`'s columns).
        agreement: mean pairwise Jaccard overlap of the methods' top-``top_k`` edge sets in
            [0, 1]; NaN with fewer than two methods.
        top_k: the explanation size the fidelity and agreement use (directed edges).
        errors: method → why it could not run (e.g. attention on a model without attention).
    """

    node: int
    attributions: dict[str, Attribution]
    fidelity: pd.DataFrame
    agreement: float
    top_k: int
    errors: dict[str, str] = field(default_factory=dict)


def methods_for(model: NodeModel) -> list[str]:
    """The explainers that apply to ``model``: X-Node's own (X-Node models), GNNExplainer, IG,
    Saliency, and attention when the model has edge attention."""
    spec = MODELS.get(model.config.model)
    has_attention = spec is not None and spec.attention != "none"
    own = ["xnode"] if isinstance(model, XNode) else []
    return own + [m for m in posthoc.METHODS if m != "attention" or has_attention]


def top_edges(att: Attribution, computation: Sequence[int], top_k: int) -> set[int]:
    """Whole-graph ids of the ``top_k`` edges with the largest non-zero |score| among ``computation``
    (the edges that can reach the node's prediction)."""
    if att.edge_scores is None:
        return set()
    allowed = {int(e) for e in computation}
    ranked = sorted(
        ((float(s), int(e)) for e, s in zip(att.edges, att.edge_scores.abs(), strict=True)), reverse=True
    )
    return set([e for s, e in ranked if s > 0 and e in allowed][:top_k])


def agreement(edge_sets: Sequence[set[int]]) -> float:
    """Mean pairwise Jaccard overlap of edge sets (two empty sets agree fully); NaN for fewer than two."""
    pairs = list(itertools.combinations(edge_sets, 2))
    if not pairs:
        return float("nan")
    return sum(len(a & b) / len(a | b) if a | b else 1.0 for a, b in pairs) / len(pairs)


def compare_node(
    model: NodeModel,
    data: Data,
    node: int,
    *,
    methods: Sequence[str] | None = None,
    top_k: int = fidelity.TOP_K,
    samples: int = 64,
    seed: int = 0,
    epochs: int = 100,
) -> NodeComparison:
    """Explain ``node`` with each of ``methods`` (default :func:`methods_for`) and score them.

    Args:
        model: the trained model (left untouched; each explainer works on its own copy).
        data: the graph with the split the model was trained on.
        node: the node id.
        methods: ``xnode`` and/or :data:`explain.posthoc.METHODS`.
        top_k, samples, seed: see :func:`explain.fidelity.evaluate`.
        epochs: GNNExplainer's optimisation steps.

    Returns:
        A :class:`NodeComparison`; a method that cannot run on this model is listed in ``errors``.
    """
    chosen = list(methods) if methods is not None else methods_for(model)
    atts: dict[str, Attribution] = {}
    errors: dict[str, str] = {}
    for method in chosen:
        try:
            if method == "xnode":
                atts[method] = next(xnode.attributions(model, data, [node]))
            else:
                options = {"epochs": epochs, "seed": seed} if method == "gnnexplainer" else {}
                atts[method] = next(posthoc.explain_nodes(method, model, data, [node], **options))
        except ValueError as exc:  # e.g. no attention, not an X-Node model
            errors[method] = str(exc)
    scored = [a for a in atts.values() if a.edge_scores is not None]
    frame = fidelity.evaluate(model, data, scored, top_k=top_k, samples=samples, seed=seed)
    clone = posthoc.private_copy(model)
    sub = computation_subgraph(clone, prepare_for_explaining(clone, data), node)
    reach = sub.edges[sub.computation.cpu()].tolist()
    sets = [top_edges(a, reach, top_k) for a in scored]
    return NodeComparison(node, atts, frame, agreement(sets), top_k, errors)
