"""A two-view linked page for the plotly_view browser test and benchmark (not part of the app).

``streamlit run tests/browser/plotly_view_app.py`` with ``PV_NODES`` (default 300) nodes of a
random graph with community structure. ``?mode=plotly_chart`` draws the same two views with
``st.plotly_chart(on_select="rerun")`` instead of :func:`app.plotly_view.plotly_view`, for
comparison; ``?edges=lines`` draws the node-link view's edges as a WebGL line trace whatever
their number (a measurement: above RASTER_ABOVE edges the app draws them as one image). A
click or selection in either view sets the shared selection (focus = the clicked node); both
views redraw it. A ``st.text`` line starting with "status " carries
JSON the tests read: focus, selected count, events handled, last event kind.
"""

from __future__ import annotations

import json
import os

import numpy as np
import streamlit as st

from nodescope.app.plotly_view import latest_event, plotly_view
from nodescope.viz.embedding_view import embedding_figure
from nodescope.viz.graph_view import RASTER_ABOVE, edges_as_image, node_link_figure
from nodescope.viz.layout import graph_layout
from nodescope.viz.nodes import node_ids_from_points

CONFIG = {"scrollZoom": True, "displaylogo": False}
KEYS = ("nodelink", "embedding")


@st.cache_resource
def graph(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(2, E) edges (80 % inside blocks of 100 ids, average degree 8), layout, a 2D 'embedding'."""
    rng = np.random.default_rng(0)
    m = n * 4
    src = rng.integers(0, n, m)
    same = rng.random(m) < 0.8
    dst = np.minimum(
        np.where(same, (src // 100) * 100 + rng.integers(0, 100, m), rng.integers(0, n, m)), n - 1
    )
    ei = np.stack([src, dst])
    emb = np.stack(
        [np.arange(n) % 100 + rng.normal(0, 5, n), (np.arange(n) // 100) * 20 + rng.normal(0, 5, n)], 1
    )
    return ei, graph_layout(ei, n, seed=0), emb


@st.cache_resource
def edges(n: int) -> dict | None:
    """The node-link view's edges as an image (graphs with more than RASTER_ABOVE edges), or None."""
    ei, xy, _ = graph(n)
    return edges_as_image(xy, ei)


st.set_page_config(layout="wide")
n = int(os.environ.get("PV_NODES", "300"))
mode = st.query_params.get("mode", "component")
ei, xy, emb = graph(n)
ss = st.session_state
ss.setdefault("selected", [])
ss.setdefault("focus", None)
ss.setdefault("handled", 0)
ss.setdefault("kind", None)
ss.setdefault("seen", {})

# Events first, then draw: one rerun shows the result in every view.
for key in KEYS:
    if mode == "component":
        ev = latest_event(key)
        new = ev is not None and ss.seen.get(key) != ev["event_id"]
        ident = ev["event_id"] if ev else None
        points = ev["points"] if ev else []
    else:
        value = ss.get(key)
        points = value.get("selection", {}).get("points", []) if hasattr(value, "get") else []
        ident = tuple(node_ids_from_points(points))
        new = bool(points) and ss.seen.get(key) != ident
    if new:
        ss.seen[key] = ident
        ids = node_ids_from_points(points)
        if ids:
            ss.selected, ss.focus = ids, ids[0]
            ss.handled += 1
            ss.kind = ev["kind"] if mode == "component" else "select"

style = {"selected": ss.selected, "focus": ss.focus, "hover": [f"node {i}" for i in range(n)]}
lines = st.query_params.get("edges") == "lines"
figs = (
    node_link_figure(xy, ei, edge_image=None if lines else edges(n), raster_above=None if lines else RASTER_ABOVE,
                     title="Graph", **style),
    embedding_figure(emb, method="Block", **style),
)  # fmt: skip
status = {
    "focus": ss.focus,
    "selected": len(ss.selected),
    "handled": ss.handled,
    "kind": ss.kind,
    "mode": mode,
}
st.text("status " + json.dumps(status))
for col, key, fig in zip(st.columns([3, 2]), KEYS, figs, strict=True):
    with col:
        if mode == "component":
            plotly_view(fig, key=key, config=CONFIG, height=520)
        else:
            st.plotly_chart(
                fig, key=key, on_select="rerun", selection_mode=("points", "box", "lasso"), config=CONFIG
            )
