"""One node under every explainer: X-Node's own edge mask and each post-hoc explainer's, with fidelity.

:func:`compare_node` runs X-Node (:func:`explain.xnode.attributions`, when the model is an
X-Node model) and the post-hoc explainers of :mod:`explain.posthoc` on one node, scores each
with :func:`explain.fidelity.evaluate` on the same Monte Carlo draws, and measures how much
they agree: the mean over pairs of methods of the Jaccard overlap of their explanation
subgraphs (the top 20 % of the node's computation edges by |score|, as fidelity sizes them:
:func:`explain.fidelity.explanation_size`). Agreement 1: every method picks the same edges;
0: no two share one. It does not apply (NaN, with the reason in ``agreement_note``) with fewer
than two methods, or when every method's explanation is the whole neighborhood.

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
        agreement: mean pairwise Jaccard overlap of the methods' explanation edge sets in
            [0, 1]; NaN where it does not apply.
        top_k: the explanation size the fidelity and agreement use for this node (directed edges).
        errors: method → why it could not run (e.g. attention on a model without attention).
        agreement_note: why ``agreement`` does not apply ("" when it does).
    """

    node: int
    attributions: dict[str, Attribution]
    fidelity: pd.DataFrame
    agreement: float
    top_k: int
    errors: dict[str, str] = field(default_factory=dict)
    agreement_note: str = ""


def methods_for(model: NodeModel) -> list[str]:
    """The explainers that apply to ``model``.

    X-Node's own (X-Node models), GNNExplainer, IG, Saliency, and attention when the model has
    edge attention.
    """
    spec = MODELS.get(model.config.model)
    has_attention = spec is not None and spec.attention != "none"
    own = ["xnode"] if isinstance(model, XNode) else []
    return own + [m for m in posthoc.METHODS if m != "attention" or has_attention]


def top_edges(att: Attribution, computation: Sequence[int], top_k: int) -> set[int]:
    """Whole-graph ids of the ``top_k`` edges with the largest non-zero |score| among ``computation``.

    ``computation``: the edges that can reach the node's prediction.
    """
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


def attribute(
    model: NodeModel, data: Data, node: int, method: str, *, seed: int = 0, epochs: int = 100
) -> Attribution:
    """One explainer's attribution of ``node``: X-Node's own (``xnode``) or a :data:`explain.posthoc.METHODS` one.

    Args:
        model: the trained model (left untouched).
        data: the graph with the split the model was trained on.
        node: the node id.
        method: ``xnode`` or a post-hoc method.
        seed: seeds GNNExplainer and the random baseline.
        epochs: GNNExplainer's optimization steps.

    Raises:
        ValueError: the method does not apply to the model (attention without attention, X-Node's
            own explanation of a model that is not X-Node).
    """
    if method == "xnode":
        return next(xnode.attributions(model, data, [node]))
    options = {"gnnexplainer": {"epochs": epochs, "seed": seed}, "random": {"seed": seed}}.get(method, {})
    return next(posthoc.explain_nodes(method, model, data, [node], **options))


def compare_node(
    model: NodeModel,
    data: Data,
    node: int,
    *,
    methods: Sequence[str] | None = None,
    fraction: float = fidelity.FRACTION,
    top_k: int | None = None,
    samples: int = fidelity.SAMPLES,
    seed: int = 0,
    epochs: int = 100,
) -> NodeComparison:
    """Explain ``node`` with each of ``methods`` (default :func:`methods_for`) and score them.

    Args:
        model: the trained model (left untouched; each explainer works on its own copy).
        data: the graph with the split the model was trained on.
        node: the node id.
        methods: ``xnode`` and/or :data:`explain.posthoc.METHODS`.
        fraction: explanation size, as a share of the node's computation edges (rounded up).
        top_k: a fixed explanation size in directed edges instead.
        samples: Monte Carlo draws per robust-fidelity term (:func:`explain.fidelity.evaluate`).
        seed: seeds the draws, GNNExplainer and the random baseline.
        epochs: GNNExplainer's optimization steps.

    Returns:
        A :class:`NodeComparison`; a method that cannot run on this model is listed in ``errors``.
    """
    chosen = list(methods) if methods is not None else methods_for(model)
    atts: dict[str, Attribution] = {}
    errors: dict[str, str] = {}
    for method in chosen:
        try:
            atts[method] = attribute(model, data, node, method, seed=seed, epochs=epochs)
        except ValueError as exc:  # e.g. no attention, not an X-Node model
            errors[method] = str(exc)
    scored = [a for a in atts.values() if a.edge_scores is not None]
    frame = fidelity.evaluate(model, data, scored, fraction=fraction, top_k=top_k, samples=samples, seed=seed)
    clone = posthoc.private_copy(model)
    sub = computation_subgraph(clone, prepare_for_explaining(clone, data), node)
    reach = sub.edges[sub.computation.cpu()].tolist()
    size = fidelity.explanation_size(len(reach), fraction=fraction, top_k=top_k)
    sets = [top_edges(a, reach, size) for a in scored]
    if len(sets) < 2:
        note = "fewer than two explainers with edge scores"
    elif not reach:
        note = "the node has no edges"
    elif all(len(e) == len(reach) for e in sets):
        note = "every explanation is the whole neighborhood"
    else:
        note = ""
    value = float("nan") if note else agreement(sets)
    return NodeComparison(node, atts, frame, value, size, errors, note)
