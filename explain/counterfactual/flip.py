"""The search: per kind, the smallest change that flips a node's prediction, confirmed on the whole graph.

Candidates of each kind (:mod:`.cue`, :mod:`.feature`, :mod:`.edge`) run through the model on
changed copies of the node's computation subgraph (:mod:`.candidates`); per kind, the smallest
that flips is applied to the whole graph and the model run once more (the package docstring).
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Iterable, Iterator, Sequence

import torch
from torch import Tensor
from torch_geometric.data import Data

from nodescope.core.models import NodeModel
from nodescope.core.models.xnode import XNode
from nodescope.explain.counterfactual.candidates import Candidate, run
from nodescope.explain.counterfactual.cue import apply_cue_change, cue_candidates, cue_change_phrase
from nodescope.explain.counterfactual.edge import (
    addition_candidates,
    apply_edge_change,
    edge_change_phrase,
    edge_pairs,
    removal_candidates,
)
from nodescope.explain.counterfactual.feature import (
    apply_feature_change,
    feature_candidates,
    feature_change_phrase,
    feature_ranking,
)
from nodescope.explain.counterfactual.ranking import margin_gradients
from nodescope.explain.counterfactual.result import KINDS, Change, Counterfactual
from nodescope.explain.posthoc import private_copy
from nodescope.explain.subgraph import computation_subgraph, hops_of, prepare_for_explaining
from nodescope.explain.xnode import XNodeResult, analyse

#: Candidates confirmed on the whole graph per kind, at most.
CONFIRM = 3
#: Inputs models derive from the graph in ``prepare`` (and keep when present): dropped before a
#: changed graph is prepared, so they follow the change.
DERIVED = ("input_encoding", "lap_pe", "xnode_context", "xnode_saliency")


def _underived(model: NodeModel, data: Data) -> Data:
    """``data`` without the inputs ``model`` derives from it (:data:`DERIVED`, its ``pe_attr``)."""
    out = copy.copy(data)
    for key in (*DERIVED, getattr(model, "pe_attr", None)):
        if key and out.get(key) is not None:
            del out[key]
    return out


def _applied(model: NodeModel, data: Data, prepared: Data, node: int, cand: Candidate) -> Data:
    """The whole graph with ``cand``'s change at ``node``, as the model reads it (package docstring)."""
    if cand.kind == "cue":
        return apply_cue_change(model, prepared, node, cand.items)
    if cand.kind == "feature":
        return apply_feature_change(model, data, node, cand.items)
    return apply_edge_change(model, data, node, cand.items)


def _what(
    cand: Candidate,
    node: int,
    result: XNodeResult | None,
    feature_names: Sequence[str] | None,
    node_label: Callable[[int], str],
    class_names: Sequence[str],
    predicted: Tensor,
) -> str:
    if cand.kind == "cue":
        return cue_change_phrase(cand.items, node, result)
    if cand.kind == "feature":
        return feature_change_phrase(cand.items, feature_names)
    return edge_change_phrase(cand.items, node, node_label, class_names, predicted)


def search(
    model: NodeModel,
    data: Data,
    node: int,
    *,
    class_names: Sequence[str] | None = None,
    feature_names: Sequence[str] | None = None,
    node_label: Callable[[int], str] | None = None,
    xnode_result: XNodeResult | None = None,
    prepared: Data | None = None,
    singles: int = 16,
    max_set: int = 16,
    additions: int = 8,
    budget: int = 1 << 24,
) -> Counterfactual:
    """The smallest verified change of each kind that flips ``node``'s prediction (package docstring).

    Args:
        model: a trained model of the registry (left untouched: a private copy runs in eval mode).
        data: the graph with the split the model was trained with (not ``prepare``-d).
        node: the node.
        class_names: one name per class (default the class ids).
        feature_names: one name per feature (default ``feature i``).
        node_label: how a node is named (default its id; the app passes ``Sample.node_label``).
        xnode_result: :func:`explain.xnode.analyse` of ``model`` on ``data`` for X-Node models
            (computed here when missing): the cues and their values in words.
        prepared: ``prepare_for_explaining(model, data)`` when the caller has it (searching
            many nodes: X-Node's saliency pass over the whole graph then runs once).
        singles: single changes tried per kind (features, link removals), best ranked first.
        max_set: the largest set of features or links tried together.
        additions: links added to the most confident nodes of the runner-up class, one at a time.
        budget: node-attribute entries (4 bytes each) per batched forward pass.

    Returns:
        A :class:`Counterfactual`; models that attend to every node try at most 4 singles, sets
        up to 4 and 2 additions (each candidate is a whole-graph pass).
    """
    start = time.perf_counter()
    model = private_copy(model)
    data = _underived(model, data)
    if prepared is None:
        prepared = prepare_for_explaining(model, data)
    with torch.no_grad():
        probs = model(prepared).logits.softmax(-1)
    n_classes = int(probs.shape[1])
    names = list(class_names) if class_names else [str(c) for c in range(n_classes)]
    label = node_label or str
    order = torch.argsort(probs[node], descending=True, stable=True)
    pred = int(order[0])
    out = Counterfactual(node=node, predicted=pred, probability=float(probs[node, pred]), class_names=names)
    if n_classes < 2:
        out.skipped = dict.fromkeys(KINDS, "the model has a single class")
        return out
    runner = int(order[1])
    batched = hops_of(model) is not None
    if not batched:
        singles, max_set, additions = min(singles, 4), min(max_set, 4), min(additions, 2)
    sub = computation_subgraph(model, prepared, node)
    gx, ge = margin_gradients(model, sub, pred, runner)

    streams: dict[str, Iterator[Candidate]] = {}
    if isinstance(model, XNode) and model.injects:
        if xnode_result is None:
            xnode_result = analyse(model, data, class_names=names)
        streams["cue"] = cue_candidates(model, sub, node, xnode_result)
    else:
        out.skipped["cue"] = (
            "its explanation does not enter the prediction"
            if isinstance(model, XNode)
            else "the model reads no cues"
        )
    ranking = feature_ranking(prepared, node, gx)
    if ranking:
        streams["feature"] = feature_candidates(sub, ranking, singles, max_set)
    else:
        out.skipped["feature"] = (
            "every node has the same features"
            if bool((prepared.x == prepared.x[0]).all())
            else "no feature change moves it toward another class"
        )
    pairs = edge_pairs(sub, ge)
    removals = removal_candidates(sub, pairs, singles, max_set)
    streams["edge"] = _chain(removals, addition_candidates(model, prepared, node, probs, runner, additions))

    flips: dict[str, list[tuple[Candidate, Tensor]]] = {k: [] for k in KINDS}
    for kind, stream in streams.items():
        out.tried[kind] = 0
        for cand, p in run(model, stream, batched, budget):
            out.tried[kind] += 1
            if int(p.argmax()) != pred:
                flips[kind].append((cand, p))
    if out.tried.get("edge") == 0:
        out.skipped["edge"] = "the node has no links and no node to link it to"
    predicted = probs.argmax(1).cpu()
    for kind in KINDS:
        out.changes[kind] = None
        ranked = sorted(flips[kind], key=lambda cp: (cp[0].size, cp[0].cost, float(cp[1][pred])))
        for cand, _ in ranked[:CONFIRM]:
            with torch.no_grad():
                after = model(_applied(model, data, prepared, node, cand)).logits[node].softmax(-1).cpu()
            new = int(after.argmax())
            if new != pred:
                what = _what(cand, node, xnode_result, feature_names, label, names, predicted)
                out.changes[kind] = Change(
                    kind, what, cand.size, new, float(after[new]), float(after[pred]), cand.items
                )
                break
    out.seconds = time.perf_counter() - start
    return out


def _chain(*streams: Iterable[Candidate]) -> Iterator[Candidate]:
    for stream in streams:
        yield from stream
