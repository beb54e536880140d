"""What the Attention page computes and caches: the maps, the focus neighbourhood, head tables,
and for models with global attention (GraphGPS) the focus node's rows of it.

Everything is keyed by the model's ``ident`` (and the sample's fingerprint), so changing the
focus or a widget only re-slices cached arrays.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st
import torch
from torch_geometric.utils import k_hop_subgraph, subgraph

from nodescope.app import components as ui
from nodescope.app import state
from nodescope.app.model_state import ActiveModel
from nodescope.app.plotly_view import latest_event
from nodescope.core.models import ModelOutput
from nodescope.core.sample import Sample
from nodescope.explain.attention import (
    AttentionMaps,
    aggregate_heads,
    attention_maps,
    attention_rollout,
    global_attention_focus,
    global_attention_modules,
    global_ranked,
    global_row_statistics,
    head_statistics,
    hop_distances,
    incoming,
    outgoing,
    row_entropy,
)
from nodescope.explain.heads import HeadImportance, head_importance
from nodescope.viz.attention_view import block_matrix, focus_nodes
from nodescope.viz.global_attention_view import top_attended
from nodescope.viz.layout import graph_layout

LAYER_KEY = "attn_layer"
HEAD_KEY = "attn_head"
GLOBAL_LAYER_KEY = "attn_global_layer"
GLOBAL_HEAD_KEY = "attn_global_head"
ROLLOUT = "all layers (rollout)"
MEAN, MAX = "mean over heads", "max over heads"
#: Graphs up to this many nodes are drawn whole; larger ones as the focus node's neighbourhood.
WHOLE_GRAPH_NODES = 1500
NEIGHBOURHOOD_NODES = 600
#: On larger graphs the global-attention view draws the focus and this many most attended nodes.
GLOBAL_TOP_K = 200
#: Columns of the global-attention grid: the focus and its most attended nodes.
GLOBAL_STRIP_NODES = 12


@st.cache_resource(show_spinner="Reading every head's attention…", max_entries=8)
def _maps(ident: str, _active: ActiveModel) -> AttentionMaps:
    return attention_maps(_active.model, _active.data)


def maps(active: ActiveModel) -> AttentionMaps:
    return _maps(active.ident, active)


def layer_options(m: AttentionMaps) -> list[str]:
    return list(m.layer_names) + ([ROLLOUT] if len(m.layer_names) > 1 else [])


def head_options(m: AttentionMaps, layer_choice: str) -> list[str]:
    if layer_choice == ROLLOUT:
        return [MEAN]
    heads = m.heads[m.layer_names.index(layer_choice)]
    return ([MEAN, MAX] if heads > 1 else []) + [f"head {h + 1}" for h in range(heads)]


def _head_index(head_choice: str) -> int | None:
    return int(head_choice.removeprefix("head ")) - 1 if head_choice.startswith("head ") else None


def chosen_head(m: AttentionMaps, layer_choice: str, head_choice: str) -> tuple[int, int] | None:
    """(layer, head) when one head is shown, for the grid's frame."""
    h = _head_index(head_choice)
    return None if h is None or layer_choice == ROLLOUT else (m.layer_names.index(layer_choice), h)


def describe_choice(layer_choice: str, head_choice: str) -> str:
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
    """A click on a grid cell or an importance point ([layer, head] customdata) opens that head
    (sets the ``layer_key`` and ``head_key`` widgets)."""
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


def default_focus(active: ActiveModel) -> int:
    """The highest-degree node: a sensible first thing to look at."""
    return int(np.bincount(active.data.edge_index[1].cpu().numpy(), minlength=active.data.num_nodes).argmax())


def edge_weights(active: ActiveModel, m: AttentionMaps, layer_choice: str, head_choice: str) -> np.ndarray:
    """(E,) the coefficient per edge of ``m.edge_index`` for the chosen layer and head/aggregate."""
    if layer_choice == ROLLOUT:
        return _rollout(active.ident, m)
    layer = m.layer_names.index(layer_choice)
    h = _head_index(head_choice)
    if h is not None:
        return m.alpha[layer, h]
    return aggregate_heads(m, layer, "max" if head_choice == MAX else "mean")


@st.cache_data(show_spinner="Rolling attention out over layers…", max_entries=8)
def _rollout(ident: str, _m: AttentionMaps) -> np.ndarray:
    return attention_rollout(_m)


@dataclass(frozen=True)
class FocusView:
    """What the node-link view draws: the whole graph, or the focus node's neighbourhood.

    Attributes:
        nodes: (n,) global ids of the drawn nodes.
        xy: (n, 2) their positions.
        edge_index: (2, e) drawn edges in local ids 0..n-1.
        edge_ids: (e,) their columns in the attention maps' ``edge_index``.
        title: the view's title (says when a neighbourhood is shown).
    """

    nodes: np.ndarray
    xy: np.ndarray
    edge_index: np.ndarray
    edge_ids: np.ndarray
    title: str


def focus_view(s: Sample, fp: str, m: AttentionMaps, focus: int) -> FocusView:
    if s.num_nodes <= WHOLE_GRAPH_NODES:
        ids = np.arange(m.edge_index.shape[1])
        return FocusView(np.arange(s.num_nodes), ui.layout_xy(fp, s), m.edge_index, ids, "Attention on edges")
    return _neighbourhood(fp, m, focus, len(m.layer_names))


@st.cache_data(show_spinner=False, max_entries=64)
def _neighbourhood(fp: str, _m: AttentionMaps, focus: int, hops: int) -> FocusView:
    ei = torch.from_numpy(_m.edge_index)
    for k in range(hops, 0, -1):  # the widest neighbourhood that stays drawable
        subset, sub_ei, _, edge_mask = k_hop_subgraph(focus, k, ei, relabel_nodes=True)
        if subset.numel() <= NEIGHBOURHOOD_NODES or k == 1:
            break
    nodes = subset.numpy()
    local = sub_ei.numpy()
    xy = graph_layout(local, nodes.size, seed=0)
    title = f"Attention within {k} hop{'s' if k > 1 else ''} of node {focus} ({nodes.size} nodes)"
    return FocusView(nodes, xy, local, edge_mask.nonzero().flatten().numpy(), title)


def node_style(s: Sample, view: FocusView, sel: state.Selection) -> dict:
    """Class colours, hover texts and selection in the view's local numbering."""
    local = {int(g): k for k, g in enumerate(view.nodes)}
    style: dict = {
        "selected": [local[v] for v in sel.nodes if v in local],
        "focus": local.get(sel.focus) if sel.focus is not None else None,
        "hover": [ui.hover_texts(state.fingerprint(s), s)[int(g)] for g in view.nodes],
    }
    if s.data.get("y") is not None:
        style |= {"labels": s.data.y.numpy()[view.nodes], "label_names": s.label_names}
    return style


def head_blocks(m: AttentionMaps, focus: int) -> list[list[np.ndarray | None]]:
    """Per layer and head, the attention among the focus node and its strongest sources.

    One node set for every cell (ranked by the mean over all heads and layers), so cells compare.
    """
    mean_all = np.nanmean(m.alpha.reshape(-1, m.alpha.shape[-1]), axis=0)
    nodes = focus_nodes(m.edge_index, mean_all, focus)
    return [
        [block_matrix(m.edge_index, m.alpha[layer, h], nodes) if h < m.heads[layer] else None for h in range(m.alpha.shape[1])]
        for layer in range(len(m.layer_names))
    ]  # fmt: skip


def block(m: AttentionMaps, weights: np.ndarray, focus: int) -> tuple[np.ndarray, np.ndarray]:
    """Node ids and the dense map among them for the large view of the chosen weights."""
    nodes = focus_nodes(m.edge_index, weights, focus, max_nodes=20)
    return nodes, block_matrix(m.edge_index, weights, nodes)


def ranked_tables(
    s: Sample, m: AttentionMaps, focus: int, layer: int, head_choice: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Whom ``focus`` attends to and who attends to it in ``layer`` (the chosen head, else the mean)."""
    h = _head_index(head_choice)
    how: int | str = h if h is not None and h < m.heads[layer] else ("max" if head_choice == MAX else "mean")
    return _labelled(s, incoming(m, focus, layer, how)), _labelled(s, outgoing(m, focus, layer, how))


def _labelled(s: Sample, table: pd.DataFrame) -> pd.DataFrame:
    if s.node_names is not None and "node" in table:
        table = table.assign(name=[s.node_label(int(v)) for v in table["node"]])
    if s.data.get("y") is not None and "node" in table:
        table = table.assign(**{"class": [s.class_name(int(s.data.y[int(v)])) for v in table["node"]]})
    return table


@st.cache_resource(show_spinner="Switching heads off one at a time…", max_entries=8)
def _importance(ident: str, _active: ActiveModel) -> HeadImportance:
    data = _active.data
    return head_importance(_active.model, data, data.get("test_mask"))


def importance_summary(active: ActiveModel) -> HeadImportance:
    return _importance(active.ident, active)


@st.cache_data(show_spinner=False, max_entries=8)
def _head_table(ident: str, _active: ActiveModel, _m: AttentionMaps) -> pd.DataFrame:
    stats = head_statistics(_m).copy()
    imp = _importance(ident, _active).deviation
    stats["importance"] = [float(imp[int(r.layer), int(r.head)]) for r in stats.itertuples()]
    stats["layer"] += 1
    stats["head"] += 1
    return stats


def head_table(active: ActiveModel, m: AttentionMaps) -> pd.DataFrame:
    """One row per head: layer and head (1-based), entropy, sparsity, salience, causal importance."""
    return _head_table(active.ident, active, m)


# ---------------------------------------------------------------- global attention (GraphGPS)
def has_global_attention(active: ActiveModel) -> bool:
    return bool(global_attention_modules(active.model))


@st.cache_resource(show_spinner="Running the model once…", max_entries=8)
def _global_output(ident: str, _active: ActiveModel) -> ModelOutput:
    with torch.no_grad():
        return _active.model.eval()(_active.data)


@dataclass(frozen=True)
class GlobalFocus:
    """The focus node's global attention in every layer and head, and where its weight goes.

    Attributes:
        focus: the attending node.
        rows: (L, Hmax, N) float32, each existing row sums to 1 (NaN for missing heads).
        layer_names: "attention 1", ... (len L).
        heads: heads per layer (len L).
        hops: (N,) hops from the focus (-1: unreachable).
        stats: :func:`explain.attention.global_row_statistics`, layer and head 1-based.
    """

    focus: int
    rows: np.ndarray
    layer_names: list[str]
    heads: list[int]
    hops: np.ndarray
    stats: pd.DataFrame


@st.cache_data(show_spinner=False, max_entries=64)
def _global_focus(ident: str, focus: int, _active: ActiveModel) -> GlobalFocus:
    out = _global_output(ident, _active)
    rows = global_attention_focus(_active.model, out, focus)
    heads = [m.num_heads for m in global_attention_modules(_active.model)]
    names = [f"attention {i + 1}" for i in range(len(heads))]
    data = _active.data
    hops = hop_distances(data.edge_index.cpu().numpy(), focus, int(data.num_nodes))
    stats = global_row_statistics(rows, hops, names)
    stats[["layer", "head"]] += 1
    return GlobalFocus(focus, rows, names, heads, hops, stats)


def global_focus(active: ActiveModel, focus: int) -> GlobalFocus:
    """The focus node's rows of every global attention layer and head (cached per model and node)."""
    return _global_focus(active.ident, focus, active)


def global_head_options(g: GlobalFocus, layer_choice: str) -> list[str]:
    heads = g.heads[g.layer_names.index(layer_choice)]
    return ([MEAN, MAX] if heads > 1 else []) + [f"head {h + 1}" for h in range(heads)]


def global_row(g: GlobalFocus, layer_choice: str, head_choice: str) -> np.ndarray:
    """(N,) the focus node's attention in the chosen layer: one head, or the mean / max over heads.

    The mean still sums to 1; the max does not.
    """
    layer = g.layer_names.index(layer_choice)
    rows = g.rows[layer, : g.heads[layer]]
    h = _head_index(head_choice)
    if h is not None:
        return rows[h]
    return rows.max(axis=0) if head_choice == MAX else rows.mean(axis=0)


def global_locality(g: GlobalFocus, row: np.ndarray) -> tuple[float, float, float]:
    """For one row of the focus node (a max over heads is rescaled to sum to 1): its share on the
    1-hop neighbours, that share under uniform attention (degree / N), and its entropy / log N."""
    near, p = g.hops == 1, row / row.sum()
    return float(p[near].sum()), float(near.mean()), float(row_entropy(p))


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
    """The whole graph when small; else the focus and its :data:`GLOBAL_TOP_K` most attended nodes,
    at their places in the page's layout of the whole graph, with the graph edges among them."""
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
    """Per layer and head, the focus row over the same few nodes (the focus, then the nodes
    most attended on average over all layers and heads) as (1, k) blocks in × uniform.

    Returns:
        blocks, the column labels and the colour scale's top (shared by every cell).
    """
    n = g.rows.shape[-1]
    mean_all = np.nanmean(g.rows.reshape(-1, n), axis=0)
    order = np.argsort(-mean_all, kind="stable")
    cols = np.array([g.focus, *order[order != g.focus][: GLOBAL_STRIP_NODES - 1]])
    ratio = g.rows[:, :, cols] * n
    blocks = [
        [ratio[layer, h][None, :] if h < g.heads[layer] else None for h in range(g.rows.shape[1])]
        for layer in range(len(g.heads))
    ]
    return blocks, [s.node_label(int(v)) for v in cols], max(2.0, float(np.nanmax(ratio)))


def global_ranked_table(s: Sample, g: GlobalFocus, layer: int, head_choice: str, k: int = 20) -> pd.DataFrame:
    """The ``k`` nodes the focus attends to most in ``layer`` (chosen head, else the mean / max)."""
    h = _head_index(head_choice)
    choice = head_choice if h is None or h < g.heads[layer] else MEAN
    table = global_ranked(global_row(g, g.layer_names[layer], choice), g.hops, k)
    return _labelled(s, table)
