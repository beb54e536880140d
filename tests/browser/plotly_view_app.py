"""A two-view linked page for the plotly_view browser test and benchmark (not part of the app).

``streamlit run tests/browser/plotly_view_app.py`` with ``PV_NODES`` (default 300) nodes of a
random graph with community structure. ``?mode=plotly_chart`` draws the same two views with
``st.plotly_chart(on_select="rerun")`` instead of :func:`app.plotly_view.plotly_view`, for
comparison; ``?edges=image`` draws the node-link view's edges as a PNG instead of a WebGL
line trace (a measurement, see :func:`edge_image`). A click or selection in either view sets the shared selection (focus = the
clicked node); both views redraw it. A ``st.text`` line starting with "status " carries
JSON the tests read: focus, selected count, events handled, last event kind.
"""

from __future__ import annotations

import base64
import io
import json
import os

import numpy as np
import streamlit as st
from PIL import Image, ImageDraw

from app.plotly_view import latest_event, plotly_view
from viz.embedding_view import embedding_figure
from viz.graph_view import node_link_figure
from viz.layout import graph_layout
from viz.nodes import node_ids_from_points

CONFIG = {"scrollZoom": True, "displaylogo": False}
IMAGE_PX = 1400
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
def edge_image(n: int) -> dict:
    """The edges drawn once into a PNG, as a plotly layout image in data coordinates.

    Measures the alternative to a WebGL line trace, which software GL redraws in ~0.5 s on
    every update of the chart (tried by benchmarks/bench_plotly_view.py; ``?edges=image``).
    """
    ei, xy, _ = graph(n)
    lo, hi = xy.min(0), xy.max(0)
    img = Image.new("RGBA", (IMAGE_PX, IMAGE_PX), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    px = (xy - lo) / (hi - lo) * (IMAGE_PX - 1)
    px[:, 1] = IMAGE_PX - 1 - px[:, 1]
    for a, b in ei.T:
        draw.line([tuple(px[a]), tuple(px[b])], fill=(120, 120, 120, 90), width=1)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    source = "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()
    return {
        "source": source, "xref": "x", "yref": "y", "x": float(lo[0]), "y": float(hi[1]),
        "sizex": float(hi[0] - lo[0]), "sizey": float(hi[1] - lo[1]), "sizing": "stretch", "layer": "below",
    }  # fmt: skip


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
figs = (
    node_link_figure(xy, ei, title="Graph", **style),
    embedding_figure(emb, method="Block", **style),
)
if st.query_params.get("edges") == "image":
    figs[0].data = [t for t in figs[0].data if t.name != "edges"]
    figs[0].update_layout(images=[edge_image(n)])
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
