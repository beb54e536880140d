"""Link changes: links of the node's computation subgraph removed, or links to it added.

Removals: undirected links of the computation subgraph (:mod:`explain.subgraph`), both
directions together, ranked by the gradient of the margin to the runner-up class with respect to
a weight on each edge's messages: the top ``singles`` alone, then the first 2, 3, ... together.
Additions: a link from the node to each of the ``additions`` most confident nodes predicted as
the runner-up class, one at a time. Smallest = fewest links.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import numpy as np
import torch
from torch import Tensor
from torch_geometric.data import Data

from nodescope.core.graph import multi_source_hop_distances
from nodescope.core.models import NodeModel
from nodescope.explain.counterfactual.candidates import Candidate, with_edges, with_values
from nodescope.explain.counterfactual.ranking import listed, prefixes
from nodescope.explain.subgraph import Subgraph, batched_subgraphs, hops_of, prepare_for_explaining

#: A ranked link: ((u, v) original ids, u < v, its local edge columns in both directions).
Pair = tuple[tuple[int, int], list[int]]


def edge_pairs(sub: Subgraph, ge: Tensor | None) -> list[Pair]:
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


def removal_candidates(sub: Subgraph, pairs: list[Pair], singles: int, max_set: int) -> Iterator[Candidate]:
    """``sub`` without the ranked links ``pairs``: each of the first ``singles``, then sets."""
    e = sub.data.edge_index.shape[1]
    edge_keys = [k for k, _ in sub.data.items() if k != "edge_index" and sub.data.is_edge_attr(k)]
    for picks in prefixes(len(pairs), singles, max_set):
        keep = torch.ones(e, dtype=torch.bool)
        for i in picks:
            keep[pairs[i][1]] = False
        keep = keep.to(sub.data.edge_index.device)
        piece = with_values(
            sub.data, edge_index=sub.data.edge_index[:, keep], **{k: sub.data[k][keep] for k in edge_keys}
        )
        items = tuple((*pairs[i][0], "remove") for i in picks)
        yield Candidate("edge", len(picks), float(len(picks)), items, piece, sub.center)


def addition_candidates(
    model: NodeModel, prepared: Data, node: int, probs: Tensor, runner: int, additions: int
) -> Iterator[Candidate]:
    """A link from ``node`` to each of the ``additions`` most confident nodes of class ``runner`` it lacks.

    ``probs`` (N, C) are the model's probabilities on ``prepared``; each candidate is the changed
    computation subgraph of ``node`` (the whole changed graph for models that attend to every node).
    """
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
        changed = with_edges(region, add=add)
        if hops is not None:
            one = batched_subgraphs(model, changed, [where[node]])
            piece, center = one.data, int(one.centers[0])
        else:
            piece, center = changed, node
        yield Candidate("edge", 1, 1.0, ((min(node, u), max(node, u), "add"),), piece, center)


def apply_edge_change(model: NodeModel, data: Data, node: int, items: tuple[tuple, ...]) -> Data:
    """The whole graph with the links of ``items`` removed or added (both directions), prepared anew."""
    src, dst = data.edge_index
    remove = torch.zeros(src.numel(), dtype=torch.bool, device=src.device)
    add = []
    for u, v, how in items:
        if how == "remove":
            remove |= ((src == u) & (dst == v)) | ((src == v) & (dst == u))
        else:
            add += [[u, v], [v, u]]
    added = torch.tensor(add, device=src.device).T if add else None
    changed = with_edges(data, add=added, remove=remove if bool(remove.any()) else None)
    return prepare_for_explaining(model, changed)


def edge_change_phrase(
    items: tuple[tuple, ...],
    node: int,
    node_label: Callable[[int], str],
    class_names: Sequence[str],
    predicted: Tensor,
) -> str:
    """The link change of ``items`` in words; ``predicted`` (N,): each node's class, naming an added link's end."""
    removed = [(u, v) for u, v, how in items if how == "remove"]
    if removed and len(removed) == 1:
        u, v = removed[0]
        return f"the link between {node_label(u)} and {node_label(v)} removed"
    if removed:
        return f"{len(removed)} links removed together ({listed([f'{node_label(u)}–{node_label(v)}' for u, v in removed])})"
    u, v, _ = items[0]
    other = v if u == node else u
    return (
        f"a link added from it to node {node_label(other)} "
        f"(which the model predicts as {class_names[int(predicted[other])]})"
    )
