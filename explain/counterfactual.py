"""What would change a node's prediction: the smallest change that flips it, verified by running the model.

:func:`search` tries, for one node, changes of three kinds and keeps, per kind, the smallest
one after which the model predicts another class:

- **cue** (X-Node models only): one cue of the node set to another value, at the
  standardized values of :data:`explain.xnode.GRID` that some node of the graph reaches (the
  "no labeled neighbors" indicator: its other value); smallest = fewest standard deviations.
- **feature**: the node's own features. Each feature is moved to the end of its range over the
  graph's nodes (its minimum or maximum: on bag-of-words data, a word toggled) in the direction
  the model's gradient says lowers the predicted class against the runner-up; features are
  ranked by that first-order gain. The top ``singles`` are tried one at a time, then the first
  2, 3, 4, 6, 8, 12, 16 of the ranking together (up to ``max_set``); smallest = fewest features.
- **edge**: links of the node's computation subgraph (:mod:`explain.subgraph`) removed, both
  directions together, ranked by the gradient of the same margin with respect to a weight on
  each edge's messages: the top ``singles`` alone, then the first 2, 3, ... together; and
  links added from the node to the ``additions`` most confident nodes predicted as the
  runner-up class. Smallest = fewest links.

**Verified.** Every candidate is a changed copy of the node's computation subgraph run through
the model (copies batched into one disjoint graph per forward pass, as :mod:`explain.fidelity`
does; one whole-graph pass per candidate for models that attend to every node). During that
search the inputs a model derives from the graph (X-Node's graph cues, positional encodings)
are held at their values on the real graph; X-Node's own-feature cues follow a feature change. The change reported is then applied to the whole graph
(edges and features: the model's ``prepare`` is rerun on the changed graph, so X-Node's
cues and any encoding follow the change) and the model run once more: the class and
probabilities reported are that run's argmax and softmax. A candidate that flips in the search
but not in that final run is dropped for the next (up to :data:`CONFIRM` per kind).

Cost, measured on 13 Cora nodes on a shared 2-core CPU (load ~9), median (max) wall seconds per
node with ``prepared`` passed: GCN 0.28 (0.60), X-Node GCN 1.25 (5.6), GAT 2.7 (4.4); about
95 candidates per node (40 cue, 23 feature, 31 link changes).
"""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import Tensor
from torch_geometric.data import Data
from torch_geometric.explain.algorithm.utils import clear_masks, set_masks

from nodescope.core.context import GRAPH_CUES, MODEL_CUES
from nodescope.core.graph import multi_source_hop_distances
from nodescope.core.models import NodeModel
from nodescope.core.models.xnode import XNode
from nodescope.explain.cue_words import CueFacts, CueWords, cue_words, ordered
from nodescope.explain.posthoc import private_copy
from nodescope.explain.subgraph import (
    Subgraph,
    batched_subgraphs,
    computation_subgraph,
    hops_of,
    prepare_for_explaining,
)
from nodescope.explain.xnode import GRID, XNodeResult, analyse

KINDS: tuple[str, ...] = ("cue", "feature", "edge")
#: Sizes of the sets tried after single changes (the first k of the ranking together).
SET_SIZES: tuple[int, ...] = (2, 3, 4, 6, 8, 12, 16)
#: Candidates confirmed on the whole graph per kind, at most.
CONFIRM = 3
_INDICATOR = "no labeled neighbors"


@dataclass(frozen=True)
class Change:
    """One verified change that flips the prediction.

    Attributes:
        kind: ``"cue"``, ``"feature"`` or ``"edge"``.
        what: the change in plain words ("the link between 12 and 40 removed").
        size: how many cues, features or links it changes.
        new_class: the class the model predicts after it (argmax of the whole-graph run).
        new_probability: that class's probability after it.
        old_probability: the originally predicted class's probability after it.
        items: what changes, machine-readable: cue ``(name, z before, z after)``; feature
            ``(index, before, after)``; edge ``(u, v, "remove" | "add")``.
    """

    kind: str
    what: str
    size: int
    new_class: int
    new_probability: float
    old_probability: float
    items: tuple[tuple, ...]


@dataclass
class Counterfactual:
    """The search's result for one node.

    Attributes:
        node: the node.
        predicted: its predicted class, and ``probability`` that class's probability.
        class_names: the C class names.
        changes: kind → the smallest verified change of that kind that flips it (None: none found).
        tried: kind → candidates run through the model.
        skipped: kind → why the kind was not searched (no cues, constant features, no edges).
        seconds: wall time of the search.
    """

    node: int
    predicted: int
    probability: float
    class_names: list[str]
    changes: dict[str, Change | None] = field(default_factory=dict)
    tried: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def best(self) -> Change | None:
        """The change of fewest items over the kinds (ties: cue, then feature, then edge); None if none flips."""
        found = [c for c in (self.changes.get(k) for k in KINDS) if c is not None]
        return min(found, key=lambda c: (c.size, KINDS.index(c.kind))) if found else None

    def _then(self, change: Change) -> str:
        name = self.class_names
        return (
            f"the model then predicts {name[change.new_class]} ({change.new_probability:.0%}; "
            f"{name[self.predicted]} {change.old_probability:.0%})"
        )

    def lines(self) -> list[str]:
        """One line per kind: its smallest flip, or what was tried without one, or why it was skipped."""
        out = []
        for kind in KINDS:
            change = self.changes.get(kind)
            if kind in self.skipped:
                out.append(f"{kind.capitalize()}: not tried ({self.skipped[kind]}).")
            elif change is not None:
                out.append(f"{kind.capitalize()}: {change.what}; {self._then(change)}.")
            else:
                out.append(f"{kind.capitalize()}: none of the {self.tried.get(kind, 0)} tried flips it.")
        return out

    @property
    def sentence(self) -> str:
        """The "What would change it" sentence: the smallest verified change, or plainly that none was found."""
        best = self.best
        if best is not None:
            return f"What would change it: {best.what}; {self._then(best)}, checked by running the model."
        tried = [
            f"{self.tried[k]} {k} change{'s' if self.tried[k] != 1 else ''}"
            for k in KINDS
            if self.tried.get(k)
        ]
        if not tried:
            return "What would change it: nothing could be tried for this node."
        listed = ", ".join(tried[:-1]) + (" or " if len(tried) > 1 else "") + tried[-1]
        return (
            f"What would change it: none of the {listed} tried flips the prediction; "
            f"{self.class_names[self.predicted]} holds."
        )


# ---------------------------------------------------------------- running candidates
@dataclass(frozen=True)
class _Candidate:
    kind: str
    size: int
    cost: float
    items: tuple[tuple, ...]
    piece: Data  # the changed subgraph (or whole graph)
    center: int


def _stack(pieces: Sequence[_Candidate]) -> tuple[Data, Tensor]:
    """One disjoint graph of the candidates' pieces, and (k,) the ids of their centers in it."""
    first = pieces[0].piece
    node_keys = [k for k, _ in first.items() if k != "edge_index" and first.is_node_attr(k)]
    edge_keys = [k for k, _ in first.items() if k != "edge_index" and first.is_edge_attr(k)]
    other = {k: v for k, v in first.items() if k not in (*node_keys, *edge_keys, "edge_index", "num_nodes")}
    offsets, at = [], 0
    for c in pieces:
        offsets.append(at)
        at += int(c.piece.num_nodes)
    edges = torch.cat([c.piece.edge_index + o for c, o in zip(pieces, offsets, strict=True)], 1)
    attrs = {k: torch.cat([c.piece[k] for c in pieces]) for k in (*node_keys, *edge_keys)}
    centers = torch.tensor([o + c.center for c, o in zip(pieces, offsets, strict=True)], device=edges.device)
    return Data(edge_index=edges, num_nodes=at, **attrs, **other), centers


def _width(data: Data) -> int:
    n = max(int(data.num_nodes), 1)
    return max(
        1, sum(int(v.numel()) // n for k, v in data.items() if k != "edge_index" and data.is_node_attr(k))
    )


@torch.no_grad()
def _run(
    model: NodeModel, candidates: Iterable[_Candidate], batched: bool, budget: int
) -> Iterator[tuple[_Candidate, Tensor]]:
    """(candidate, (C,) probabilities of its center) for each, ``budget`` node-attribute entries per pass."""
    chunk: list[_Candidate] = []
    load = 0

    def flush() -> Iterator[tuple[_Candidate, Tensor]]:
        batch, centers = _stack(chunk)
        probs = model(batch).logits[centers].softmax(-1).cpu()
        yield from zip(list(chunk), probs, strict=True)
        chunk.clear()

    for cand in candidates:
        cost = int(cand.piece.num_nodes) * _width(cand.piece)
        if chunk and (
            not batched or load + cost > budget or set(chunk[0].piece.keys()) != set(cand.piece.keys())
        ):
            yield from flush()
            load = 0
        chunk.append(cand)
        load += cost
    if chunk:
        yield from flush()


def _with(data: Data, **changes: Tensor) -> Data:
    out = copy.copy(data)
    for k, v in changes.items():
        out[k] = v
    return out


# ---------------------------------------------------------------- ranking by the model's gradient
def _margin_gradients(
    model: NodeModel, sub: Subgraph, pred: int, runner: int
) -> tuple[Tensor, Tensor | None]:
    """d(runner-up logit - predicted logit) / d(center's features) (F,) and / d(edge weights) (e,) or None."""
    data = sub.data
    x = data.x.detach().clone().requires_grad_()
    weight = torch.ones(data.edge_index.shape[1], device=x.device, requires_grad=True)
    masked = True
    try:
        set_masks(model, weight, data.edge_index, apply_sigmoid=False)
    except Exception:  # noqa: BLE001  a model whose layers take no edge mask: edges stay unranked
        masked = False
    try:
        with torch.enable_grad():
            logits = model(_with(data, x=x)).logits[sub.center]
            margin = logits[runner] - logits[pred]
            inputs = [x, weight] if masked else [x]
            grads = torch.autograd.grad(margin, inputs, allow_unused=True)
    finally:
        clear_masks(model)
    gx = grads[0][sub.center] if grads[0] is not None else torch.zeros_like(x[sub.center])
    ge = grads[1] if masked and len(grads) > 1 and grads[1] is not None else None
    return gx.detach(), None if ge is None else ge.detach()


def _prefixes(count: int, singles: int, max_set: int) -> list[list[int]]:
    """Index lists into a ranking of ``count``: each of the first ``singles``, then its first k for k in SET_SIZES."""
    out = [[i] for i in range(min(singles, count))]
    out += [list(range(k)) for k in SET_SIZES if k <= min(max_set, count)]
    return out


# ---------------------------------------------------------------- the three kinds
def _cue_candidates(model: XNode, sub: Subgraph, node: int, result: XNodeResult) -> Iterator[_Candidate]:
    z = result.z
    low, high = z.min(0).values, z.max(0).values
    norm = model.saliency_norm
    for k, name in enumerate(result.cue_names):
        now = float(z[node, k])
        if name == _INDICATOR:
            values = {(0.0 - result.mean[k]) / result.std[k], (1.0 - result.mean[k]) / result.std[k]}
        else:
            values = set(GRID)
        values = {float(v) for v in values if float(low[k]) - 1e-6 <= v <= float(high[k]) + 1e-6}
        for v in sorted(values, key=lambda v: abs(v - now)):
            if abs(v - now) < 1e-6:
                continue
            if name in GRAPH_CUES and sub.data.get("xnode_context") is not None:
                ctx = sub.data.xnode_context.clone()
                ctx[sub.center, GRAPH_CUES.index(name)] = v
                piece = _with(sub.data, xnode_context=ctx)
            elif name in MODEL_CUES and norm is not None and sub.data.get("xnode_saliency") is not None:
                j = MODEL_CUES.index(name)
                sal = sub.data.xnode_saliency.clone()
                sal[sub.center, j] = float(norm.running_mean[j]) + v * math.sqrt(
                    float(norm.running_var[j]) + norm.eps
                )
                piece = _with(sub.data, xnode_saliency=sal)
            else:
                continue  # a cue this search does not know how to set
            yield _Candidate("cue", 1, abs(v - now), ((name, now, v),), piece, sub.center)


def _feature_ranking(data: Data, node: int, gx: Tensor) -> list[tuple[int, float, float]]:
    """(feature, value now, value tried) ranked by first-order gain, gain > 0 only (module docstring)."""
    x = data.x
    low, high = x.min(0).values, x.max(0).values
    now = x[node]
    target = torch.where(gx > 0, high, low)
    gain = gx * (target - now)
    order = torch.argsort(gain, descending=True, stable=True)
    keep = order[(gain[order] > 0) & (target[order] != now[order])]
    return [(int(f), float(now[f]), float(target[f])) for f in keep.tolist()]


def _feature_candidates(
    sub: Subgraph, ranking: list[tuple[int, float, float]], singles: int, max_set: int
) -> Iterator[_Candidate]:
    drop = [k for k in ("xnode_saliency",) if sub.data.get(k) is not None]
    for picks in _prefixes(len(ranking), singles, max_set):
        chosen = tuple(ranking[i] for i in picks)
        x = sub.data.x.clone()
        for f, _, new in chosen:
            x[sub.center, f] = new
        piece = _with(sub.data, x=x)
        for k in drop:  # X-Node: its saliency cues follow the changed features
            del piece[k]
        yield _Candidate("feature", len(chosen), float(len(chosen)), chosen, piece, sub.center)


def _edge_pairs(sub: Subgraph, ge: Tensor | None) -> list[tuple[tuple[int, int], list[int]]]:
    """Undirected computation links of ``sub`` as ((u, v) original ids, local edge columns), best first."""
    src, dst = sub.data.edge_index.cpu()
    comp = sub.computation.cpu()
    nodes = sub.nodes.cpu()
    pairs: dict[tuple[int, int], list[int]] = {}
    for e in torch.nonzero(comp).flatten().tolist():
        u, v = int(nodes[src[e]]), int(nodes[dst[e]])
        if u == v:
            continue
        pairs.setdefault((min(u, v), max(u, v)), []).append(e)
    items = list(pairs.items())
    if ge is not None:
        gain = (-ge).cpu()  # removing a link moves its weight from 1 to 0
        items.sort(key=lambda item: -float(gain[item[1]].sum()))
    else:  # unranked: the node's own links first
        center = int(nodes[sub.center])
        items.sort(key=lambda item: center not in item[0])
    return items


def _removal_candidates(sub: Subgraph, pairs: list, singles: int, max_set: int) -> Iterator[_Candidate]:
    e = sub.data.edge_index.shape[1]
    edge_keys = [k for k, _ in sub.data.items() if k != "edge_index" and sub.data.is_edge_attr(k)]
    for picks in _prefixes(len(pairs), singles, max_set):
        keep = torch.ones(e, dtype=torch.bool)
        for i in picks:
            keep[pairs[i][1]] = False
        keep = keep.to(sub.data.edge_index.device)
        piece = _with(
            sub.data, edge_index=sub.data.edge_index[:, keep], **{k: sub.data[k][keep] for k in edge_keys}
        )
        items = tuple((*pairs[i][0], "remove") for i in picks)
        yield _Candidate("edge", len(picks), float(len(picks)), items, piece, sub.center)


def _with_edges(data: Data, add: Tensor | None = None, remove: Tensor | None = None) -> Data:
    """``data`` with (2, a) edges appended (edge attributes 0) and/or columns ``remove`` (bool (E,)) dropped."""
    out = copy.copy(data)
    edge_keys = [k for k, _ in data.items() if k != "edge_index" and data.is_edge_attr(k)]
    ei = data.edge_index
    if remove is not None:
        ei = ei[:, ~remove]
        for k in edge_keys:
            out[k] = data[k][~remove]
    if add is not None:
        ei = torch.cat([ei, add.to(ei.device)], 1)
        for k in edge_keys:
            out[k] = torch.cat([out[k], out[k].new_zeros((add.shape[1], *out[k].shape[1:]))])
    out.edge_index = ei
    return out


def _addition_candidates(
    model: NodeModel, prepared: Data, node: int, probs: Tensor, runner: int, additions: int
) -> Iterator[_Candidate]:
    src, dst = prepared.edge_index
    linked = set(src[dst == node].tolist()) | set(dst[src == node].tolist()) | {node}
    predicted = probs.argmax(1)
    pool = torch.nonzero(predicted == runner).flatten()
    pool = pool[torch.argsort(probs[pool, runner], descending=True, stable=True)].tolist()
    chosen = [u for u in pool if u not in linked][:additions]
    hops = hops_of(model)
    region, ids = prepared, torch.arange(int(prepared.num_nodes), device=src.device)
    if hops is not None and chosen:
        # Every node a changed computation subgraph can hold is within hops + 1 of the node or
        # of the linked node: cut that region out once, so each candidate's search is local.
        near = multi_source_hop_distances(
            prepared.edge_index,
            [node, *chosen],
            int(prepared.num_nodes),
            flow="source_to_target",
            max_hops=hops + 1,
        )
        ids = torch.from_numpy(np.flatnonzero((near >= 0).any(0))).to(src.device)
        region = prepared.subgraph(ids)
    where = {int(g): i for i, g in enumerate(ids.tolist())}
    for u in chosen:
        add = torch.tensor([[where[node], where[u]], [where[u], where[node]]], device=src.device)
        changed = _with_edges(region, add=add)
        if hops is not None:
            one = batched_subgraphs(model, changed, [where[node]])
            piece, center = one.data, int(one.centers[0])
        else:
            piece, center = changed, node
        yield _Candidate("edge", 1, 1.0, ((min(node, u), max(node, u), "add"),), piece, center)


# ---------------------------------------------------------------- confirming on the whole graph
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


def _applied(model: NodeModel, data: Data, prepared: Data, node: int, cand: _Candidate) -> Data:
    """The whole graph with ``cand``'s change at ``node``, as the model reads it (module docstring)."""
    if cand.kind == "cue":
        name, _, v = cand.items[0]
        if name in GRAPH_CUES:
            ctx = prepared.xnode_context.clone()
            ctx[node, GRAPH_CUES.index(name)] = v
            return _with(prepared, xnode_context=ctx)
        j, norm = MODEL_CUES.index(name), model.saliency_norm
        sal = prepared.xnode_saliency.clone()
        sal[node, j] = float(norm.running_mean[j]) + v * math.sqrt(float(norm.running_var[j]) + norm.eps)
        return _with(prepared, xnode_saliency=sal)
    if cand.kind == "feature":
        x = data.x.clone()
        for f, _, new in cand.items:
            x[node, f] = new
        return prepare_for_explaining(model, _with(data, x=x))
    src, dst = data.edge_index
    remove = torch.zeros(src.numel(), dtype=torch.bool, device=src.device)
    add = []
    for u, v, how in cand.items:
        if how == "remove":
            remove |= ((src == u) & (dst == v)) | ((src == v) & (dst == u))
        else:
            add += [[u, v], [v, u]]
    added = torch.tensor(add, device=src.device).T if add else None
    changed = _with_edges(data, add=added, remove=remove if bool(remove.any()) else None)
    return prepare_for_explaining(model, changed)


# ---------------------------------------------------------------- words
def cue_change_words(result: XNodeResult, node: int, name: str, before: float, after: float) -> str:
    """Cue ``name`` of ``node`` moved from standardized value ``before`` to ``after``, in words.

    "its degree changed from “3 neighbors” (the same as 20% of nodes) to “12 neighbors” (more than
    95% of nodes)";
    completes "What would change it: …" and "if …".
    """
    k = result.cue_names.index(name)
    if name == _INDICATOR:
        return "it had labeled nodes nearby" if after < before else "it had no labeled node nearby"
    now_raw, new_raw = float(result.raw[node, k]), result.value_at(k, after)
    if name == "label agreement":
        now = "unknown" if math.isnan(now_raw) else f"{now_raw:.0%}"
        return f"its label agreement changed from {now} to {new_raw:.0%} (how unanimous the known labels near it are)"
    column = ordered(result.raw[:, k])
    now, new = (
        cue_words(CueFacts(name, value, column, result.num_nodes, hops=result.hops))
        for value in (now_raw, new_raw)
    )
    return f"its {name} changed from {_described(now)} to {_described(new)}"


def _described(words: CueWords) -> str:
    return f"“{words.short}” ({words.rank})" if words.rank else f"“{words.short}”"


def _listed(parts: list[str], limit: int = 6) -> str:
    return ", ".join(parts[:limit]) + (f" and {len(parts) - limit} more" if len(parts) > limit else "")


def _what(
    cand: _Candidate,
    node: int,
    result: XNodeResult | None,
    feature_names: Sequence[str] | None,
    node_label: Callable[[int], str],
    class_names: Sequence[str],
    predicted: Tensor,
) -> str:
    if cand.kind == "cue":
        name, before, after = cand.items[0]
        return (
            cue_change_words(result, node, name, before, after)
            if result is not None
            else f"its {name} changed"
        )
    if cand.kind == "feature":
        fname = [feature_names[f] if feature_names else f"feature {f}" for f, _, _ in cand.items]
        if len(cand.items) == 1:
            (_, old, new), name = cand.items[0], fname[0]
            return f"its feature {name} set to {new:g} instead of {old:g}"
        moved = [f"{name} → {new:g}" for name, (_, _, new) in zip(fname, cand.items, strict=True)]
        return f"{len(cand.items)} of its features changed together ({_listed(moved)})"
    removed = [(u, v) for u, v, how in cand.items if how == "remove"]
    if removed and len(removed) == 1:
        u, v = removed[0]
        return f"the link between {node_label(u)} and {node_label(v)} removed"
    if removed:
        return f"{len(removed)} links removed together ({_listed([f'{node_label(u)}–{node_label(v)}' for u, v in removed])})"
    u, v, _ = cand.items[0]
    other = v if u == node else u
    return (
        f"a link added from it to node {node_label(other)} "
        f"(which the model predicts as {class_names[int(predicted[other])]})"
    )


# ---------------------------------------------------------------- the search
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
    """The smallest verified change of each kind that flips ``node``'s prediction (module docstring).

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
    gx, ge = _margin_gradients(model, sub, pred, runner)

    streams: dict[str, Iterator[_Candidate]] = {}
    if isinstance(model, XNode) and model.injects:
        if xnode_result is None:
            xnode_result = analyse(model, data, class_names=names)
        streams["cue"] = _cue_candidates(model, sub, node, xnode_result)
    else:
        out.skipped["cue"] = (
            "its explanation does not enter the prediction"
            if isinstance(model, XNode)
            else "the model reads no cues"
        )
    ranking = _feature_ranking(prepared, node, gx)
    if ranking:
        streams["feature"] = _feature_candidates(sub, ranking, singles, max_set)
    else:
        out.skipped["feature"] = (
            "every node has the same features"
            if bool((prepared.x == prepared.x[0]).all())
            else "no feature change moves it toward another class"
        )
    pairs = _edge_pairs(sub, ge)
    removals = _removal_candidates(sub, pairs, singles, max_set)
    streams["edge"] = _chain(removals, _addition_candidates(model, prepared, node, probs, runner, additions))

    flips: dict[str, list[tuple[_Candidate, Tensor]]] = {k: [] for k in KINDS}
    for kind, stream in streams.items():
        out.tried[kind] = 0
        for cand, p in _run(model, stream, batched, budget):
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


def _chain(*streams: Iterable[_Candidate]) -> Iterator[_Candidate]:
    for stream in streams:
        yield from stream
