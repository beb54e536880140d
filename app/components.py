"""Pieces several pages share: cached derived data, event intake, the node detail panel."""

from __future__ import annotations

import gc
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import numpy as np
import pandas as pd
import streamlit as st

from nodescope.app import html_export, state, warmup
from nodescope.app.plotly_view import latest_event, plotly_view
from nodescope.core.sample import Sample
from nodescope.explain.embedding import pca_2d
from nodescope.viz import node_style
from nodescope.viz.graph_view import edges_as_image
from nodescope.viz.layout import graph_layout
from nodescope.viz.nodes import node_ids_from_points

if TYPE_CHECKING:
    from streamlit.delta_generator import DeltaGenerator

T = TypeVar("T")

#: Wheel zooms; the modebar offers pan, box and lasso selection.
CHART_CONFIG = {"scrollZoom": True, "displaylogo": False}


def _exempt_startup_objects_from_gc() -> None:
    """Leave the objects that exist now (imported modules: torch, PyG, plotly, ...) out of later GCs.

    Streamlit runs a full ``gc.collect()`` after every script run (``runner.postScriptGC``).
    With these libraries loaded that walks ~550k objects: ~0.2 s of CPU holding the GIL, so
    the server sends nothing meanwhile (measured: the server's CPU per Explorer click fell
    from ~300 ms to ~80 ms). ``gc.freeze()`` moves them to a generation collections skip;
    objects created later are collected as before. Under ``nodescope app`` the warm-up
    (app/warmup.py) has frozen most of them already, so the collection here is short.
    """
    warmup.wait()
    gc.collect()  # nothing unreachable gets frozen
    gc.freeze()


_exempt_startup_objects_from_gc()  # once per process: this module is imported once


# ---------------------------------------------------------------- cached derived data
@st.cache_data(show_spinner="Laying out the graph…", persist="disk", max_entries=32)
def layout_xy(fp: str, _s: Sample) -> np.ndarray:
    """(N, 2) node-link positions; ``fp`` (the sample's fingerprint) is the cache key."""
    return graph_layout(_s.data.edge_index.numpy(), _s.num_nodes, seed=0)


@st.cache_data(show_spinner="Drawing the edges…", max_entries=16)
def edge_image(fp: str, _s: Sample) -> dict | None:
    """The node-link view's edges drawn as one image (large graphs), or None (drawn as lines)."""
    return edges_as_image(layout_xy(fp, _s), _s.data.edge_index.numpy())


@st.cache_data(show_spinner=False, max_entries=32)
def pca_xy(fp: str, _s: Sample) -> np.ndarray:
    """(N, 2) PCA coordinates of the node features; ``fp`` (the sample's fingerprint) is the cache key."""
    return pca_2d(_s.data.x.numpy())


@st.cache_data(show_spinner=False, max_entries=32)
def degrees(fp: str, _s: Sample) -> np.ndarray:
    """(N,) number of edges leaving each node (an undirected graph stores each edge both ways)."""
    return np.bincount(_s.data.edge_index[0].numpy(), minlength=_s.num_nodes)


@st.cache_data(show_spinner=False, max_entries=16)
def node_frame(fp: str, _s: Sample) -> pd.DataFrame:
    """The node table's columns (cached per sample; the page adds the 'selected' column)."""
    frame: dict = {"node": np.arange(_s.num_nodes)}
    if _s.node_names is not None:
        frame["name"] = _s.node_names
    if _s.data.get("y") is not None:
        frame["class"] = [_s.class_name(int(c)) if c >= 0 else "" for c in _s.data.y.tolist()]
    frame["degree"] = degrees(fp, _s)
    x = _s.data.x.numpy()
    if x.shape[1] <= 8:
        frame |= {n: x[:, j] for j, n in enumerate(_s.feature_names)}
    else:
        frame |= {"non-zero features": (x != 0).sum(1), "feature norm": np.linalg.norm(x, axis=1)}
    return pd.DataFrame(frame)


def node_colors(s: Sample, fp: str, choice: str) -> dict:
    """Styling arguments for viz's node traces (:func:`viz.node_style.node_colors`)."""
    return node_style.node_colors(s, choice, degrees(fp, s))


@st.cache_data(show_spinner=False, max_entries=32)
def hover_texts(fp: str, _s: Sample) -> list[str]:
    """One hover label per node (:func:`viz.node_style.hover_texts`; cached: a loop over every node)."""
    return node_style.hover_texts(_s, degrees(fp, _s))


# ---------------------------------------------------------------- events
def take_chart_event(key: str) -> None:
    """Turn chart ``key``'s newest click/box/lasso event into the shared selection (before drawing)."""
    event = latest_event(key)
    if event is not None:
        state.apply_event(key, event["event_id"], node_ids_from_points(event["points"]))


def take_table_event(key: str, row_to_node: Callable[[int], int], *, within_selection: bool = False) -> None:
    """Turn table ``key``'s selected rows (mapped to node ids by ``row_to_node``) into the selection.

    Args:
        key: the table's widget key.
        row_to_node: the node id of a row of the table as shown.
        within_selection: the table shows only the selected nodes: picking a row there focuses
            that node and keeps the selection (it used to replace a 12-node selection with the
            one row picked).
    """
    event = st.session_state.get(key)
    if event is None:
        return
    rows = event.get("selection", {}).get("rows", []) if hasattr(event, "get") else []
    nodes = [row_to_node(r) for r in rows]
    if within_selection:
        if state.is_new_event(key, tuple(rows)) and nodes:
            state.select(state.selection().nodes, focus=int(nodes[-1]))
        return
    state.apply_event(key, tuple(rows), nodes)


def one_of(
    where: DeltaGenerator,
    widget: Literal["radio", "selectbox"],
    label: str,
    options: Sequence[T],
    *,
    key: str,
    format_func: Callable[[T], str] = str,
    **kwargs: Any,
) -> T:
    """A radio or dropdown where there is a choice; where there is one option, that option as text.

    A one-option widget ("Sweep: at initialization" as a radio, "Surface: surface" as a
    dropdown) looks like a choice the user is missing; it is shown as a caption instead.

    Args:
        where: ``st`` or a column/container to draw in.
        widget: ``"radio"`` or ``"selectbox"``.
        label: the widget's label (and the caption's).
        options: the choices (at least one).
        key: the widget's session-state key.
        format_func: how an option is shown.
        **kwargs: passed to the widget (``horizontal``, ``index``, ``help``...).

    Returns:
        The chosen option (the only one, when there is one).
    """
    options = list(options)
    if len(options) == 1:
        where.caption(f"{label}: {format_func(options[0])}")
        return options[0]
    return getattr(where, widget)(label, options, key=key, format_func=format_func, **kwargs)


def chart(
    fig, key: str, fp: str, *, height: int = 520, send_once: bool = False, config: dict | None = None
) -> None:
    """Draw a linked chart; its zoom is kept across reruns of the same sample only.

    ``send_once`` and ``config`` (plotly config, over :data:`CHART_CONFIG`): see
    :func:`app.plotly_view.plotly_view`.
    """
    fig.update_layout(uirevision=fp)
    html_export.keep(fig, key)
    plotly_view(fig, key=key, config={**CHART_CONFIG, **(config or {})}, height=height, send_once=send_once)


def plot(fig, key: str, *, config: dict | None = None, **kwargs: Any) -> None:
    """Draw a chart that selects nothing (``st.plotly_chart``), kept for "Download as HTML"."""
    html_export.keep(fig, key)
    st.plotly_chart(fig, key=key, config=CHART_CONFIG if config is None else config, **kwargs)


def view(fig, key: str, **kwargs: Any) -> None:
    """Draw a chart with :func:`app.plotly_view.plotly_view` as is, kept for "Download as HTML"."""
    html_export.keep(fig, key)
    plotly_view(fig, key=key, **kwargs)


# ---------------------------------------------------------------- the detail panel
def node_detail(s: Sample, fp: str) -> None:
    """Everything known about the focus node, with its neighbors one click away."""
    sel = state.selection()
    if sel.focus is None:
        st.info(
            "Click a node in any view (or pick a table row) to see its details here.",
            icon=":material/touch_app:",
        )
        return
    i = sel.focus
    d = s.data
    deg = degrees(fp, s)
    st.markdown(f"#### Node {s.node_label(i)}")
    facts = {"degree": int(deg[i])}
    if d.get("y") is not None:
        facts["class"] = s.class_name(int(d.y[i])) if int(d.y[i]) >= 0 else "unlabeled"
    for mask in ("train_mask", "val_mask", "test_mask"):
        if d.get(mask) is not None and bool(d[mask][i]):
            facts["split"] = mask.removesuffix("_mask")
    if d.get("sph") is not None:
        lat, lon = (float(v) for v in d.sph[i])
        facts["latitude"], facts["longitude"] = f"{lat:.2f}°", f"{lon:.2f}°"
    if d.get("pos") is not None:
        facts["position"] = ", ".join(f"{v:.2f}" for v in d.pos[i].tolist()) + f" {s.units.get('pos', '')}"
    if d.get("node_mask_gt") is not None:
        facts["in a ground-truth motif"] = "yes" if bool(d.node_mask_gt[i]) else "no"
    st.dataframe(
        pd.DataFrame({"value": [str(v) for v in facts.values()]}, index=list(facts)), width="stretch"
    )
    x = d.x[i].numpy()
    if x.shape[0] <= 12:
        feats = pd.DataFrame({"feature": s.feature_names, "value": x})
    else:
        top = np.argsort(-np.abs(x))[:12]
        feats = pd.DataFrame({"feature": [s.feature_names[j] for j in top], "value": x[top]})
        st.caption(f"{int((x != 0).sum())} of {x.shape[0]} features are non-zero; the largest:")
    st.dataframe(feats, hide_index=True, width="stretch")
    nbrs = np.unique(d.edge_index[1][d.edge_index[0] == i].numpy())
    if nbrs.size:
        st.selectbox(
            f"Neighbors ({nbrs.size}) — pick one to focus it",
            [None, *nbrs.tolist()],
            format_func=lambda v: "—" if v is None else s.node_label(v),
            key=f"neighbor_pick_{fp}_{i}",
            on_change=_focus_neighbor,
            args=(f"neighbor_pick_{fp}_{i}",),
        )


def _focus_neighbor(key: str) -> None:
    value = st.session_state.get(key)
    if value is not None:
        state.set_focus(int(value))
