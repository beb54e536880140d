"""Feature changes: the node's own features moved to the end of their range over the graph's nodes.

Each feature goes to its minimum or maximum (on bag-of-words data, a word toggled) in the
direction the model's gradient says lowers the predicted class against the runner-up; features
are ranked by that first-order gain. The top ``singles`` are tried one at a time, then the first
2, 3, 4, 6, 8, 12, 16 of the ranking together (up to ``max_set``); smallest = fewest features.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import torch
from torch import Tensor
from torch.utils.weak import WeakTensorKeyDictionary
from torch_geometric.data import Data

from nodescope.core.models import NodeModel
from nodescope.explain.counterfactual.candidates import Candidate, with_values
from nodescope.explain.counterfactual.ranking import listed, prefixes
from nodescope.explain.subgraph import Subgraph, prepare_for_explaining

#: x -> (x's version, (F,) minimum, (F,) maximum over its rows): a search over many nodes of one
#: graph reads the same range for every node (a column reduction of the whole (N, F) features).
_RANGES: WeakTensorKeyDictionary = WeakTensorKeyDictionary()


def feature_range(x: Tensor) -> tuple[Tensor, Tensor]:
    """(F,) minimum and (F,) maximum of (N, F) ``x`` over its rows; cached while ``x`` is unchanged."""
    hit = _RANGES.get(x)
    if hit is not None and hit[0] == x._version:
        return hit[1], hit[2]
    low, high = x.min(0).values, x.max(0).values
    _RANGES[x] = (x._version, low, high)
    return low, high


def feature_ranking(data: Data, node: int, gx: Tensor) -> list[tuple[int, float, float]]:
    """(feature, value now, value tried) ranked by first-order gain, gain > 0 only (module docstring)."""
    x = data.x
    low, high = feature_range(x)
    now = x[node]
    target = torch.where(gx > 0, high, low)
    gain = gx * (target - now)
    order = torch.argsort(gain, descending=True, stable=True)
    keep = order[(gain[order] > 0) & (target[order] != now[order])]
    return [(int(f), float(now[f]), float(target[f])) for f in keep.tolist()]


def feature_candidates(
    sub: Subgraph, ranking: list[tuple[int, float, float]], singles: int, max_set: int
) -> Iterator[Candidate]:
    """The ranked feature changes of the center of ``sub``: singles, then sets (module docstring)."""
    drop = [k for k in ("xnode_saliency",) if sub.data.get(k) is not None]
    for picks in prefixes(len(ranking), singles, max_set):
        chosen = tuple(ranking[i] for i in picks)
        x = sub.data.x.clone()
        for f, _, new in chosen:
            x[sub.center, f] = new
        piece = with_values(sub.data, x=x)
        for k in drop:  # X-Node: its saliency cues follow the changed features
            del piece[k]
        yield Candidate("feature", len(chosen), float(len(chosen)), chosen, piece, sub.center)


def apply_feature_change(model: NodeModel, data: Data, node: int, items: tuple[tuple, ...]) -> Data:
    """The whole graph with ``node``'s features set as ``items`` says, prepared anew for ``model``."""
    x = data.x.clone()
    for f, _, new in items:
        x[node, f] = new
    return prepare_for_explaining(model, with_values(data, x=x))


def feature_change_phrase(items: tuple[tuple, ...], feature_names: Sequence[str] | None) -> str:
    """The feature change of ``items`` in words (features named ``feature i`` without ``feature_names``)."""
    fname = [feature_names[f] if feature_names else f"feature {f}" for f, _, _ in items]
    if len(items) == 1:
        (_, old, new), name = items[0], fname[0]
        return f"its feature {name} set to {new:g} instead of {old:g}"
    moved = [f"{name} → {new:g}" for name, (_, _, new) in zip(fname, items, strict=True)]
    return f"{len(items)} of its features changed together ({listed(moved)})"
