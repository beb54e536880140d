"""Candidate changes and how they run: each a changed copy of a subgraph, batched into disjoint graphs.

Copies are stacked into one disjoint graph per forward pass, as :mod:`explain.fidelity` does, up
to a budget of node-attribute entries; models that attend to every node get one pass each.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import torch
from torch import Tensor
from torch_geometric.data import Data

from nodescope.core.models import NodeModel


@dataclass(frozen=True)
class Candidate:
    """One change to try.

    Attributes:
        kind: ``"cue"``, ``"feature"`` or ``"edge"``.
        size: how many cues, features or links it changes.
        cost: how far it moves them (ties between equal sizes: the smaller first).
        items: what changes, as in :attr:`explain.counterfactual.Change.items`.
        piece: the changed subgraph (or whole graph) the model runs on.
        center: the node's id in ``piece``.
    """

    kind: str
    size: int
    cost: float
    items: tuple[tuple, ...]
    piece: Data
    center: int


def stack(pieces: Sequence[Candidate]) -> tuple[Data, Tensor]:
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
def run(
    model: NodeModel, candidates: Iterable[Candidate], batched: bool, budget: int
) -> Iterator[tuple[Candidate, Tensor]]:
    """(candidate, (C,) probabilities of its center) for each, ``budget`` node-attribute entries per pass."""
    chunk: list[Candidate] = []
    load = 0
    widths: dict[tuple[str, ...], int] = {}  # per set of attributes: pieces of one stream share it

    def flush() -> Iterator[tuple[Candidate, Tensor]]:
        batch, centers = stack(chunk)
        probs = model(batch).logits[centers].softmax(-1).cpu()
        yield from zip(list(chunk), probs, strict=True)
        chunk.clear()

    for cand in candidates:
        keys = tuple(sorted(cand.piece.keys()))
        if keys not in widths:
            widths[keys] = _width(cand.piece)
        cost = int(cand.piece.num_nodes) * widths[keys]
        if chunk and (not batched or load + cost > budget or tuple(sorted(chunk[0].piece.keys())) != keys):
            yield from flush()
            load = 0
        chunk.append(cand)
        load += cost
    if chunk:
        yield from flush()


def with_values(data: Data, **changes: Tensor) -> Data:
    """A shallow copy of ``data`` with the attributes ``changes`` replaced."""
    out = copy.copy(data)
    for k, v in changes.items():
        out[k] = v
    return out


def with_edges(data: Data, add: Tensor | None = None, remove: Tensor | None = None) -> Data:
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
