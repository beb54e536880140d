"""What the Attention page computes and caches: the maps, the focus neighbourhood, head tables.

Everything is keyed by the model's ``ident`` (and the sample's fingerprint), so changing the
focus or a widget only re-slices cached arrays.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st
import torch
from torch_geometric.utils import k_hop_subgraph

from app import components as ui
from app import state
from app.model_state import ActiveModel
from app.plotly_view import latest_event
from core.sample import Sample
from explain.attention import (
    AttentionMaps,
    aggregate_heads,
    attention_maps,
    attention_rollout,
    head_statistics,
    incoming,
    outgoing,
)
from explain.heads import HeadImportance, head_importance
from viz.attention_view import block_matrix, focus_nodes
from viz.layout import graph_layout

LAYER_KEY = "attn_layer"
HEAD_KEY = "attn_head"
ROLLOUT = "all layers (rollout)"
MEAN, MAX = "mean over heads", "max over heads"
#: Graphs up to this many nodes are drawn whole; larger ones as the focus node's neighbourhood.
WHOLE_GRAPH_NODES = 1500
NEIGHBOURHOOD_NODES = 600


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


def take_head_event(view: str, m: AttentionMaps) -> None:
    """A click on a grid cell or an importance point ([layer, head] customdata) opens that head."""
    event = latest_event(view)
    if event is None or not state.is_new_event(view, event["event_id"]):
        return
    cd = event["points"][0].get("customdata")
    if isinstance(cd, dict):  # a typed-array slice arrives as {"0": layer, "1": head}
        cd = [cd.get("0"), cd.get("1")]
    if not isinstance(cd, (list, tuple)) or len(cd) < 2 or None in cd[:2]:
        return
    layer, head = int(cd[0]), int(cd[1])
    if 0 <= layer < len(m.layer_names) and 0 <= head < m.heads[layer]:
        st.session_state[LAYER_KEY] = m.layer_names[layer]
        st.session_state[HEAD_KEY] = f"head {head + 1}"


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
