"""What the Attention page caches and how its widgets read.

The maps, the focus neighborhood, head tables, and for models with global attention (GraphGPS)
the focus node's rows of it.

Everything is keyed by the model's ``ident`` (and the sample's fingerprint), so changing the
focus or a widget only re-slices cached arrays. The analyses are :mod:`explain.attention`,
:mod:`explain.attention_focus`, :mod:`explain.global_focus` and :mod:`explain.focus`; this
module turns widget choices ("head 2", "mean over heads") into their arguments.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st
import torch
from torch_geometric.utils import subgraph

from nodescope.app import components as ui
from nodescope.app import state
from nodescope.app.model_state import ActiveModel, outputs
from nodescope.app.plotly_view import latest_event
from nodescope.core.models import MODELS
from nodescope.core.sample import Sample
from nodescope.explain import global_focus as gf
from nodescope.explain import heads as explain_heads
from nodescope.explain.attention import (
    AttentionMaps,
    HeadOrHow,
    aggregate_heads,
    attention_maps,
    attention_rollout,
    global_attention_modules,
    head_statistics,
    incoming,
    outgoing,
)
from nodescope.explain.attention_focus import top_attended
from nodescope.explain.focus import drawable_neighborhood, with_node_labels
from nodescope.explain.global_focus import GlobalFocus
from nodescope.explain.heads import HeadImportance, head_importance
from nodescope.explain.learned import learned_check, learned_warnings
from nodescope.explain.model_compare import EdgeDifference, edge_difference
from nodescope.viz.layout import graph_layout
from nodescope.viz.limits import GLOBAL_STRIP_NODES, NEIGHBORHOOD_NODES, WHOLE_GRAPH_NODES

LAYER_KEY = "attn_layer"
HEAD_KEY = "attn_head"
GLOBAL_LAYER_KEY = "attn_global_layer"
GLOBAL_HEAD_KEY = "attn_global_head"
ROLLOUT = "all layers (rollout)"
MEAN, MAX = "mean over heads", "max over heads"
#: On larger graphs the global-attention view draws the focus and this many most attended nodes.
GLOBAL_TOP_K = 200


@st.cache_resource(show_spinner="Reading every head's attention…", max_entries=8)
def _maps(ident: str, _active: ActiveModel) -> AttentionMaps:
    return attention_maps(_active.model, _active.data)


def maps(active: ActiveModel) -> AttentionMaps:
    """Every attention layer's and head's coefficients of ``active`` (cached per model)."""
    return _maps(active.ident, active)


def layer_options(m: AttentionMaps) -> list[str]:
    """The layer widget's options: each attention layer, plus the rollout when there are several."""
    return list(m.layer_names) + ([ROLLOUT] if len(m.layer_names) > 1 else [])


def head_options(m: AttentionMaps, layer_choice: str) -> list[str]:
    """The head widget's options for ``layer_choice``: mean and max over heads (when several), each head.

    The rollout offers the mean only.
    """
    if layer_choice == ROLLOUT:
        return [MEAN]
    heads = m.heads[m.layer_names.index(layer_choice)]
    return ([MEAN, MAX] if heads > 1 else []) + [f"head {h + 1}" for h in range(heads)]


def _head_index(head_choice: str) -> int | None:
    return int(head_choice.removeprefix("head ")) - 1 if head_choice.startswith("head ") else None


def _how(head_choice: str, heads: int | None = None) -> HeadOrHow:
    """The head (0-based) or the aggregate a head widget names; a head beyond ``heads`` is the mean."""
    h = _head_index(head_choice)
    if h is None:
        return "max" if head_choice == MAX else "mean"
    return h if heads is None or h < heads else "mean"


def chosen_head(m: AttentionMaps, layer_choice: str, head_choice: str) -> tuple[int, int] | None:
    """(layer, head) when one head is shown, for the grid's frame."""
    h = _head_index(head_choice)
    return None if h is None or layer_choice == ROLLOUT else (m.layer_names.index(layer_choice), h)


def describe_choice(layer_choice: str, head_choice: str) -> str:
    """The chosen layer and head in words, for a caption."""
    if layer_choice == ROLLOUT:
        return "Attention rollout over all layers (heads averaged, residual added)"
    return f"{layer_choice}, {head_choice}"


def take_head_event(
    view: str,
    layer_names: list[str],
    heads: list[int],
    *,
    layer_key: str = LAYER_KEY,
    head_key: str = HEAD_KEY,
) -> None:
    """Open the head that a click on a grid cell or an importance point chose.

    The point's customdata is [layer, head]; it sets the ``layer_key`` and ``head_key`` widgets.
    """
    event = latest_event(view)
    if event is None or not state.is_new_event(view, event["event_id"]):
        return
    cd = event["points"][0].get("customdata")
    if isinstance(cd, dict):  # a typed-array slice arrives as {"0": layer, "1": head}
        cd = [cd.get("0"), cd.get("1")]
    if not isinstance(cd, (list, tuple)) or len(cd) < 2 or None in cd[:2]:
        return
    layer, head = int(cd[0]), int(cd[1])
    if 0 <= layer < len(layer_names) and 0 <= head < heads[layer]:
        st.session_state[layer_key] = layer_names[layer]
        st.session_state[head_key] = f"head {head + 1}"


def edge_weights(active: ActiveModel, m: AttentionMaps, layer_choice: str, head_choice: str) -> np.ndarray:
    """(E,) the coefficient per edge of ``m.edge_index`` for the chosen layer and head/aggregate."""
    if layer_choice == ROLLOUT:
        return _rollout(active.ident, m)
    layer = m.layer_names.index(layer_choice)
    how = _how(head_choice)
    return m.alpha[layer, how] if isinstance(how, int) else aggregate_heads(m, layer, how)


@st.cache_data(show_spinner="Rolling attention out over layers…", max_entries=8)
def _rollout(ident: str, _m: AttentionMaps) -> np.ndarray:
    return attention_rollout(_m)


@dataclass(frozen=True)
class FocusView:
    """What the node-link view draws: the whole graph, or the focus node's neighborhood.

    Attributes:
        nodes: (n,) global ids of the drawn nodes.
        xy: (n, 2) their positions.
        edge_index: (2, e) drawn edges in local ids 0..n-1.
        edge_ids: (e,) their columns in the attention maps' ``edge_index``.
        title: the view's title (says when a neighborhood is shown).
    """

    nodes: np.ndarray
    xy: np.ndarray
    edge_index: np.ndarray
    edge_ids: np.ndarray
    title: str


def focus_view(s: Sample, fp: str, m: AttentionMaps, focus: int) -> FocusView:
    """What the node-link view draws: the whole graph, or ``focus``'s neighborhood on larger graphs.

    Graphs up to :data:`WHOLE_GRAPH_NODES` nodes are drawn whole in the page's layout; larger ones as
    :func:`explain.focus.drawable_neighborhood` of ``focus`` (at most as many hops as the model has
    attention layers, :data:`NEIGHBORHOOD_NODES` nodes), laid out on its own.
    """
    if s.num_nodes <= WHOLE_GRAPH_NODES:
        ids = np.arange(m.edge_index.shape[1])
        return FocusView(np.arange(s.num_nodes), ui.layout_xy(fp, s), m.edge_index, ids, "Attention on edges")
    return _neighborhood(fp, m, focus, len(m.layer_names))


@st.cache_data(show_spinner=False, max_entries=64)
def _neighborhood(fp: str, _m: AttentionMaps, focus: int, hops: int) -> FocusView:
    hood = drawable_neighborhood(_m.edge_index, focus, hops, NEIGHBORHOOD_NODES)
    k, n = hood.hops, hood.nodes.size
    xy = graph_layout(hood.edge_index, n, seed=0)
    title = f"Attention within {k} hop{'s' if k > 1 else ''} of node {focus} ({n} nodes)"
    return FocusView(hood.nodes, xy, hood.edge_index, hood.edge_ids, title)


def node_style(s: Sample, view: FocusView, sel: state.Selection) -> dict:
    """Class colors, hover texts and selection in the view's local numbering."""
    local = {int(g): k for k, g in enumerate(view.nodes)}
    style: dict = {
        "selected": [local[v] for v in sel.nodes if v in local],
        "focus": local.get(sel.focus) if sel.focus is not None else None,
        "hover": [ui.hover_texts(state.fingerprint(s), s)[int(g)] for g in view.nodes],
    }
    if s.data.get("y") is not None:
        style |= {"labels": s.data.y.numpy()[view.nodes], "label_names": s.label_names}
    return style


def ranked_tables(
    s: Sample, m: AttentionMaps, focus: int, layer: int, head_choice: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Whom ``focus`` attends to and who attends to it in ``layer`` (the chosen head, else the mean)."""
    how = _how(head_choice, m.heads[layer])
    into, out = incoming(m, focus, layer, how), outgoing(m, focus, layer, how)
    return with_node_labels(s, into), with_node_labels(s, out)


@st.cache_resource(show_spinner="Switching heads off one at a time…", max_entries=8)
def _importance(ident: str, _active: ActiveModel) -> HeadImportance:
    data = _active.data
    return head_importance(_active.model, data, data.get("test_mask"))


def importance_summary(active: ActiveModel) -> HeadImportance:
    """:func:`explain.heads.head_importance` of ``active`` on its test nodes (cached per model)."""
    return _importance(active.ident, active)


@st.cache_data(show_spinner=False, max_entries=8)
def _head_table(ident: str, _active: ActiveModel, _m: AttentionMaps) -> pd.DataFrame:
    return explain_heads.head_table(head_statistics(_m), _importance(ident, _active))


def head_table(active: ActiveModel, m: AttentionMaps) -> pd.DataFrame:
    """One row per head: layer and head (1-based), entropy, sparsity, salience, causal importance."""
    return _head_table(active.ident, active, m)


@st.cache_data(show_spinner=False, max_entries=8)
def _learned_warnings(ident: str, _active: ActiveModel, _m: AttentionMaps | None) -> list[str]:
    data = _active.data
    with torch.no_grad():
        logits = _active.model.eval()(data).logits
    return learned_warnings(learned_check(logits, data.y, data.get("test_mask"), _m))


def learned_notes(active: ActiveModel, m: AttentionMaps | None) -> list[str]:
    """Plain sentences when ``active`` is at the majority-class rate or its edge attention is near uniform.

    See :mod:`explain.learned`; cached per model.
    """
    return _learned_warnings(active.ident, active, m)


# ---------------------------------------------------------------- global attention (GraphGPS)
def has_global_attention(active: ActiveModel) -> bool:
    """Whether ``active`` attends over all nodes (has global attention modules, as GraphGPS)."""
    return bool(global_attention_modules(active.model))


@st.cache_data(show_spinner=False, max_entries=64)
def _global_focus(ident: str, focus: int, _active: ActiveModel) -> GlobalFocus:
    return gf.global_focus(_active.model, outputs(_active), _active.data.edge_index, focus)


def global_focus(active: ActiveModel, focus: int) -> GlobalFocus:
    """:func:`explain.global_focus.global_focus` (cached per model and node)."""
    return _global_focus(active.ident, focus, active)


def global_head_options(g: GlobalFocus, layer_choice: str) -> list[str]:
    """The global head widget's options for ``layer_choice``: mean and max (when several), each head."""
    heads = g.heads[g.layer_names.index(layer_choice)]
    return ([MEAN, MAX] if heads > 1 else []) + [f"head {h + 1}" for h in range(heads)]


def global_row(g: GlobalFocus, layer_choice: str, head_choice: str) -> np.ndarray:
    """(N,) :func:`explain.global_focus.global_row` of the chosen layer and head (or mean / max)."""
    return gf.global_row(g, g.layer_names.index(layer_choice), _how(head_choice))


def global_chosen(g: GlobalFocus, layer_choice: str, head_choice: str) -> tuple[int, int] | None:
    """(layer, head) when one head is shown, for the grid's frame."""
    h = _head_index(head_choice)
    return None if h is None else (g.layer_names.index(layer_choice), h)


@dataclass(frozen=True)
class GlobalView:
    """What the global-attention node-link view draws (ids as in :class:`FocusView`)."""

    nodes: np.ndarray
    xy: np.ndarray
    edge_index: np.ndarray
    focus: int  # local id
    title: str


def global_view(s: Sample, fp: str, row: np.ndarray, focus: int) -> GlobalView:
    """The nodes the global attention view draws around ``focus``.

    The whole graph when small; else the focus and its :data:`GLOBAL_TOP_K` most attended nodes,
    at their places in the page's layout of the whole graph, with the graph edges among them.
    """
    xy = ui.layout_xy(fp, s)
    if s.num_nodes <= WHOLE_GRAPH_NODES:
        title = f"Global attention of node {s.node_label(focus)} over all {s.num_nodes} nodes"
        return GlobalView(np.arange(s.num_nodes), xy, s.data.edge_index.numpy(), focus, title)
    nodes = top_attended(row, focus, GLOBAL_TOP_K)
    sub_ei, _ = subgraph(
        torch.from_numpy(nodes), s.data.edge_index, relabel_nodes=True, num_nodes=s.num_nodes
    )
    title = (
        f"Global attention of node {s.node_label(focus)}: its {nodes.size - 1} most attended "
        f"of {s.num_nodes:,} nodes"
    )
    return GlobalView(nodes, xy[nodes], sub_ei.numpy(), int(np.searchsorted(nodes, focus)), title)


def global_node_style(s: Sample, fp: str, view: GlobalView, row: np.ndarray, sel: state.Selection) -> dict:
    """Hover texts (with each node's weight and rank) and the selection, in the view's local ids."""
    rank = np.empty(row.size, np.int64)
    rank[np.argsort(-row, kind="stable")] = np.arange(1, row.size + 1)
    hover = ui.hover_texts(fp, s)
    local = {int(g): k for k, g in enumerate(view.nodes)}
    return {
        "hover": [f"{hover[int(g)]}<br>α = {row[g]:.4f} (rank {rank[g]})" for g in view.nodes],
        "selected": [local[v] for v in sel.nodes if v in local],
    }


def global_strips(s: Sample, g: GlobalFocus) -> tuple[list[list[np.ndarray | None]], list[str], float]:
    """:func:`explain.global_focus.global_strips` over :data:`GLOBAL_STRIP_NODES` nodes.

    The columns are labeled with the nodes' names.
    """
    blocks, cols, top = gf.global_strips(g, GLOBAL_STRIP_NODES)
    return blocks, [s.node_label(int(v)) for v in cols], top


def global_ranked_table(s: Sample, g: GlobalFocus, layer: int, head_choice: str, k: int = 20) -> pd.DataFrame:
    """The ``k`` nodes the focus attends to most in ``layer`` (chosen head, else the mean / max)."""
    return with_node_labels(s, gf.global_ranked_table(g, layer, _how(head_choice), k))


# ---------------------------------------------------------------- two models side by side
COMPARE_KEY = "attn_compare"


def attention_keys() -> list[str]:
    """Registry keys of the models with attention (what the page and its "Compare with" offer)."""
    return [k for k, spec in MODELS.items() if spec.attention != "none"]


def matching_weights(
    other: ActiveModel, m: AttentionMaps, layer_choice: str, head_choice: str, layers_a: list[str]
) -> tuple[np.ndarray, str]:
    """(E_b,) model B's coefficients for the layer and head chosen for model A, and what they are.

    The same layer by position (its last layer when B has fewer), the same head when B has it,
    else the mean over its heads; the rollout when A's rollout is shown.
    """
    if layer_choice == ROLLOUT:
        return _rollout(other.ident, m), "rollout over all layers"
    layer = min(layers_a.index(layer_choice), len(m.layer_names) - 1)
    h = _head_index(head_choice)
    how: HeadOrHow = _how(head_choice, m.heads[layer]) if h is None or h < m.heads[layer] else "mean"
    weights = m.alpha[layer, how] if isinstance(how, int) else aggregate_heads(m, layer, how)
    what = f"head {how + 1}" if isinstance(how, int) else f"{how} over heads"
    return weights, f"{m.layer_names[layer]}, {what}"


def difference(
    m_a: AttentionMaps, weights_a: np.ndarray, m_b: AttentionMaps, weights_b: np.ndarray
) -> EdgeDifference:
    """B − A per (source, target) pair (:func:`explain.model_compare.edge_difference`)."""
    return edge_difference(m_a.edge_index, weights_a, m_b.edge_index, weights_b)
