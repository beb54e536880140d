"""Cue changes (X-Node models only): one cue of the node set to another standardized value.

Values tried are those of :data:`explain.xnode.GRID` that some node of the graph reaches (the
"no labeled neighbors" indicator: its other value), nearest first; smallest = fewest standard
deviations. Graph cues are set in ``xnode_context``, model cues in ``xnode_saliency`` (through
the model's saliency normalization).
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from torch import nn
from torch_geometric.data import Data

from nodescope.core.context import GRAPH_CUES, MODEL_CUES
from nodescope.core.models.xnode import XNode
from nodescope.explain.counterfactual.candidates import Candidate, with_values
from nodescope.explain.cue_words import CueFacts, CueWords, cue_words, ordered
from nodescope.explain.subgraph import Subgraph
from nodescope.explain.xnode import GRID, XNodeResult

INDICATOR = "no labeled neighbors"


def _saliency_value(norm: nn.BatchNorm1d, j: int, v: float) -> float:
    """Model cue ``j``'s raw saliency input at standardized value ``v`` (``norm``: the model's running statistics)."""
    return float(norm.running_mean[j]) + v * math.sqrt(float(norm.running_var[j]) + norm.eps)


def cue_candidates(model: XNode, sub: Subgraph, node: int, result: XNodeResult) -> Iterator[Candidate]:
    """Each cue of the center of ``sub`` at each value tried, nearest value first (module docstring)."""
    z = result.z
    low, high = z.min(0).values, z.max(0).values
    norm = model.saliency_norm
    for k, name in enumerate(result.cue_names):
        now = float(z[node, k])
        if name == INDICATOR:
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
                piece = with_values(sub.data, xnode_context=ctx)
            elif name in MODEL_CUES and norm is not None and sub.data.get("xnode_saliency") is not None:
                j = MODEL_CUES.index(name)
                sal = sub.data.xnode_saliency.clone()
                sal[sub.center, j] = _saliency_value(norm, j, v)
                piece = with_values(sub.data, xnode_saliency=sal)
            else:
                continue  # a cue this search does not know how to set
            yield Candidate("cue", 1, abs(v - now), ((name, now, v),), piece, sub.center)


def apply_cue_change(model: XNode, prepared: Data, node: int, items: tuple[tuple, ...]) -> Data:
    """The prepared whole graph with the cue of ``items`` (one ``(name, before, after)``) set at ``node``."""
    name, _, v = items[0]
    if name in GRAPH_CUES:
        ctx = prepared.xnode_context.clone()
        ctx[node, GRAPH_CUES.index(name)] = v
        return with_values(prepared, xnode_context=ctx)
    j, norm = MODEL_CUES.index(name), model.saliency_norm
    sal = prepared.xnode_saliency.clone()
    sal[node, j] = _saliency_value(norm, j, v)
    return with_values(prepared, xnode_saliency=sal)


def cue_change_words(result: XNodeResult, node: int, name: str, before: float, after: float) -> str:
    """Cue ``name`` of ``node`` moved from standardized value ``before`` to ``after``, in words.

    "its degree changed from “3 neighbors” (the same as 20% of nodes) to “12 neighbors” (more than
    95% of nodes)";
    completes "What would change it: …" and "if …".
    """
    k = result.cue_names.index(name)
    if name == INDICATOR:
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


def cue_change_phrase(items: tuple[tuple, ...], node: int, result: XNodeResult | None) -> str:
    """The cue change of ``items`` in words (:func:`cue_change_words`; just its name without ``result``)."""
    name, before, after = items[0]
    return (
        cue_change_words(result, node, name, before, after) if result is not None else f"its {name} changed"
    )


def _described(words: CueWords) -> str:
    return f"“{words.short}” ({words.rank})" if words.rank else f"“{words.short}”"
