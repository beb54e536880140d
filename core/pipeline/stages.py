"""A GCNII cut into contiguous stages balanced by measured per-layer cost.

A GCNII of depth L is a sequence of L + 2 *units*: unit 0 the encoder (dropout, linear,
ReLU: features to x0), units 1..L the ``GCN2Conv`` layers (each takes x and x0, since GCNII's
initial residual feeds x0 to every layer), unit L + 1 the head (dropout, linear: class
scores). A stage holds a contiguous range of units; what passes between stages is the pair
(x, x0) of the stage's nodes.

:func:`unit_costs` times one forward and backward of every unit once on the whole graph;
:func:`balance` cuts the sequence into stages minimizing the most expensive stage (linear
partition by dynamic programming).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import torch.nn.functional as F
from torch import Tensor, nn
from torch_geometric.data import Data

from nodescope.core.models.adjacency import gcn_adjacency
from nodescope.core.models.deep import GCNII
from nodescope.core.models.dropout import dropout

#: ``dropout(x)`` of one unit's input (:func:`core.pipeline.engine.keyed_dropout` picks the mask).
Drop = Callable[[Tensor], Tensor]


class Stage(nn.Module):
    """Units ``[start, stop)`` of a GCNII (parameters shared with it, not copied).

    Args:
        model: the full GCNII.
        start: first unit (0 the encoder).
        stop: one past the last unit (L + 2 includes the head).
    """

    def __init__(self, model: GCNII, start: int, stop: int) -> None:
        super().__init__()
        depth = model.config.layers
        if not 0 <= start < stop <= depth + 2:
            raise ValueError(
                f"a stage holds units [start, stop) within [0, {depth + 2}), not [{start}, {stop})"
            )
        self.start, self.stop, self.depth = start, stop, depth
        self.encoder = model.encoder if start == 0 else None
        self.convs = nn.ModuleList(model.convs[max(start, 1) - 1 : min(stop, depth + 1) - 1])
        self.head = model.head if stop == depth + 2 else None

    @property
    def layers(self) -> range:
        """The GCNII layers (1..L) of this stage."""
        return range(max(self.start, 1), min(self.stop, self.depth + 1))

    def conv(self, layer: int) -> nn.Module:
        """The ``GCN2Conv`` of ``layer`` (1..L), which must be in this stage."""
        return self.convs[layer - self.layers.start]

    def encode(self, features: Tensor, drop: Drop) -> Tensor:
        """(n, h) x0 = ReLU(encoder(dropout(features))) of (n, F) features."""
        return F.relu(self.encoder(drop(features)))

    def layer(self, layer: int, x: Tensor, x0: Tensor, adjacency: Tensor, drop: Drop) -> Tensor:
        """(n, h) ReLU(GCN2Conv(dropout(x), x0, Â)) for (m, h) ``x``, (n, h) ``x0``, (n, m) ``adjacency``."""
        return F.relu(self.conv(layer)(drop(x), x0, adjacency))

    def classify(self, x: Tensor, drop: Drop) -> Tensor:
        """(n, C) class scores head(dropout(x))."""
        return self.head(drop(x))


def unit_costs(model: GCNII, data: Data, *, repeats: int = 3) -> list[float]:
    """Seconds of one forward + backward of each of the L + 2 units on the whole graph (best of ``repeats``).

    Args:
        model: a GCNII (its dropout is applied as in training).
        data: the prepared graph (``model.prepare(data)``).
        repeats: timings per unit; the fastest counts.
    """
    adj = gcn_adjacency(data.edge_index, data.num_nodes)
    p = model.config.dropout
    whole = Stage(model, 0, model.config.layers + 2)

    def drop(x: Tensor) -> Tensor:
        return dropout(x, p, True)

    x0 = whole.encode(data.x, drop).detach()
    steps: list[Callable[[], Tensor]] = [lambda: whole.encode(data.x, drop)]
    for k in whole.layers:
        steps.append(lambda k=k: whole.layer(k, x0.requires_grad_(), x0, adj, drop))
    steps.append(lambda: whole.classify(x0.requires_grad_(), drop))
    costs = []
    for step in steps:
        best = float("inf")
        for _ in range(repeats):
            t0 = time.perf_counter()
            step().sum().backward()
            best = min(best, time.perf_counter() - t0)
        costs.append(best)
    model.zero_grad(set_to_none=True)
    return costs


def balance(costs: list[float], stages: int) -> list[tuple[int, int]]:
    """Contiguous ``[start, stop)`` ranges of ``costs`` for ``stages`` stages minimizing the largest sum.

    Every stage gets at least one unit; ties go to the earliest cut.

    Example:
        >>> balance([1.0, 1.0, 1.0, 3.0], 2)
        [(0, 3), (3, 4)]
    """
    n = len(costs)
    if not 1 <= stages <= n:
        raise ValueError(f"stages must be between 1 and the unit count {n}, not {stages}")
    prefix = [0.0]
    for c in costs:
        prefix.append(prefix[-1] + c)
    inf = float("inf")
    # best[s][i]: the smallest largest-stage cost of the first i units in s stages; cut[s][i]: its last cut.
    best = [[inf] * (n + 1) for _ in range(stages + 1)]
    cut = [[0] * (n + 1) for _ in range(stages + 1)]
    best[0][0] = 0.0
    for s in range(1, stages + 1):
        for i in range(s, n + 1):
            for j in range(s - 1, i):
                value = max(best[s - 1][j], prefix[i] - prefix[j])
                if value < best[s][i] - 1e-12:
                    best[s][i], cut[s][i] = value, j
    bounds, i = [], n
    for s in range(stages, 0, -1):
        bounds.append((cut[s][i], i))
        i = cut[s][i]
    return bounds[::-1]
