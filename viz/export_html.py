"""One self-contained, offline HTML file from a page's figures: plotly.js inlined, no CDN.

The document holds a title, short text blocks and the figures, each interactive when the file is
opened from disk with no network, and each with two buttons that save it as SVG or as a PNG at
3x scale in a publication preset (:data:`PUBLICATION`: a plain font, white background, the
Okabe-Ito colors) -- both made by plotly.js in the browser, offline.

Kept small (:func:`compact_figure`): float64 arrays go as float32 (what a screen shows), and a
mesh larger than :data:`MAX_MESH_VERTICES` is decimated by vertex clustering. plotly.js itself
(about 4.8 MB) is most of a file; :func:`html_size_text` says the size.
"""

from __future__ import annotations

import base64
import html
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.offline import get_plotlyjs

from nodescope.viz.colors import PALETTE

#: Meshes with more vertices than this are decimated for the file (vertex clustering).
MAX_MESH_VERTICES = 40_000
#: The publication preset applied to the SVG/PNG a figure's buttons save.
PUBLICATION: dict[str, Any] = {
    "font": {"family": "Arial, Helvetica, sans-serif", "size": 14, "color": "#000000"},
    "paper_bgcolor": "#FFFFFF",
    "plot_bgcolor": "#FFFFFF",
    "colorway": list(PALETTE[:7]),  # Okabe-Ito: safe for every kind of color-vision deficiency
}
#: Size (px) of a saved image, before the PNG's scale.
IMAGE_SIZE = (900, 650)
#: A saved PNG is this many times the image size (3 x 900 px: 2700 px wide, ~300 dpi at 9 inches).
PNG_SCALE = 3
#: Per-vertex properties of a Mesh3d that follow its vertices when it is decimated.
_MESH_VERTEX_KEYS = ("x", "y", "z", "intensity", "vertexcolor", "customdata", "text", "hovertext")


@dataclass(frozen=True)
class Block:
    """One part of the document: a heading, a short text (plain, escaped), an optional table and figure.

    ``text`` may hold several paragraphs separated by blank lines; ``table`` is drawn as an HTML
    table (NaN as ``n/a``, floats with 4 significant digits).
    """

    heading: str = ""
    text: str = ""
    figure: go.Figure | None = None
    table: pd.DataFrame | None = None


def decimate_mesh(
    pos: np.ndarray, faces: np.ndarray, max_vertices: int = MAX_MESH_VERTICES
) -> tuple[np.ndarray, np.ndarray]:
    """Vertex clustering: the vertices to keep and the faces over them, at most ``max_vertices``.

    Space is cut into a grid of equal cubes, each occupied cube keeps its lowest-numbered vertex
    (so a kept vertex keeps its id, color and hover text), faces are remapped to the kept
    vertices, and faces that collapse or repeat are dropped. The grid is the finest whose
    occupied cubes number at most ``max_vertices``.

    Args:
        pos: (V, 3) vertex positions.
        faces: (F, 3) int vertex ids per triangle.
        max_vertices: the most vertices kept.

    Returns:
        ``keep`` (K,) int64, sorted original ids of the kept vertices, K <= max_vertices, and
        ``new_faces`` (F', 3) int64 indices into ``keep``.
    """
    pos = np.asarray(pos, dtype=np.float64)
    faces = np.asarray(faces, dtype=np.int64).reshape(-1, 3)
    n = len(pos)
    if n <= max_vertices:
        return np.arange(n), faces
    lo, span = pos.min(0), np.ptp(pos, axis=0).max() or 1.0
    cells = int(np.ceil(np.sqrt(max_vertices))) * 2  # a surface fills ~cells^2 of cells^3 cubes
    while True:
        grid = np.minimum(((pos - lo) / span * cells).astype(np.int64), cells - 1)
        key = (grid[:, 0] * cells + grid[:, 1]) * cells + grid[:, 2]
        _, first, cluster = np.unique(key, return_index=True, return_inverse=True)
        if len(first) <= max_vertices or cells <= 2:
            break
        cells = max(2, int(cells * 0.85))
    order = np.argsort(first)  # clusters numbered by their kept vertex's id
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    keep = first[order]
    remapped = rank[cluster.ravel()][faces]
    ok = (
        (remapped[:, 0] != remapped[:, 1])
        & (remapped[:, 1] != remapped[:, 2])
        & (remapped[:, 0] != remapped[:, 2])
    )
    remapped = remapped[ok]
    new_faces = np.unique(np.sort(remapped, axis=1), axis=0, return_index=True)[1]
    return keep, remapped[np.sort(new_faces)]


def _decoded(value: Any) -> Any:
    """A plotly typed array (``{"dtype", "bdata", "shape"}``) as a numpy array; anything else as is."""
    if isinstance(value, dict) and "bdata" in value and "dtype" in value:
        a = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]).newbyteorder("<"))
        shape = value.get("shape")
        if shape:
            a = a.reshape([int(n) for n in str(shape).split(",")])
        return a
    return value


#: numpy dtypes plotly.js reads from a typed array (``{"dtype", "bdata"}``), by their plotly name.
_TYPED = {
    "float32": "f4",
    "int32": "i4",
    "uint32": "u4",
    "int16": "i2",
    "uint16": "u2",
    "int8": "i1",
    "uint8": "u1",
}


def _typed(a: np.ndarray) -> Any:
    """A numpy array as plotly.js's typed array: float64 as float32, int64 as int32 where it fits."""
    if a.dtype == np.float64:
        a = a.astype(np.float32)
    elif a.dtype == np.int64 and (a.size == 0 or (a.min() >= -(2**31) and a.max() < 2**31)):
        a = a.astype(np.int32)
    name = _TYPED.get(a.dtype.name)
    if name is None:
        return a.tolist()
    out = {
        "dtype": name,
        "bdata": base64.b64encode(
            np.ascontiguousarray(a).astype(a.dtype.newbyteorder("<")).tobytes()
        ).decode(),
    }
    if a.ndim > 1:
        out["shape"] = ",".join(str(n) for n in a.shape)
    return out


def _float32(value: Any) -> Any:
    """Numeric arrays (and long lists of floats), at any depth, as compact typed arrays (float32)."""
    value = _decoded(value)
    if isinstance(value, np.ndarray):
        return _typed(value)
    if isinstance(value, dict):
        return {k: _float32(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)) and len(value) > 32 and all(type(v) is float for v in value):
        return _typed(np.asarray(value, dtype=np.float32))
    return value


def _compact_mesh(trace: dict[str, Any], max_vertices: int) -> dict[str, Any]:
    trace = {k: _decoded(v) for k, v in trace.items()}
    x = trace.get("x")
    if x is None or trace.get("i") is None or len(x) <= max_vertices:
        return trace
    n = len(x)
    pos = np.column_stack([np.asarray(trace[k], dtype=np.float64) for k in ("x", "y", "z")])
    faces = np.column_stack([np.asarray(trace[k], dtype=np.int64) for k in ("i", "j", "k")])
    keep, new_faces = decimate_mesh(pos, faces, max_vertices)
    out = dict(trace)
    for k in _MESH_VERTEX_KEYS:
        v = trace.get(k)
        if v is not None and not isinstance(v, str) and len(v) == n:
            out[k] = np.asarray(v)[keep] if isinstance(v, np.ndarray) else [v[int(i)] for i in keep]
    out["i"], out["j"], out["k"] = (new_faces[:, c].astype(np.int32) for c in range(3))
    return out


def compact_figure(fig: go.Figure, *, max_mesh_vertices: int = MAX_MESH_VERTICES) -> dict[str, Any]:
    """The figure as a plain dict for the file: float32 arrays, large meshes decimated.

    Args:
        fig: any plotly figure.
        max_mesh_vertices: Mesh3d traces with more vertices are decimated (:func:`decimate_mesh`).

    Returns:
        ``{"data": [...], "layout": {...}}`` ready for :func:`plotly.io.to_json`.
    """
    d = fig.to_plotly_json()
    data = []
    for trace in d.get("data", []):
        if trace.get("type") == "mesh3d":
            trace = _compact_mesh(trace, max_mesh_vertices)
        data.append({k: _float32(v) for k, v in trace.items()})
    return {"data": data, "layout": d.get("layout", {})}


_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px auto;max-width:1200px;
color:#222;padding:0 16px}h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.2em;margin:1.4em 0 .3em}
p{line-height:1.45;margin:.3em 0}.meta{color:#666;font-size:.9em}.figure{border:1px solid #eee;margin:.5em 0}
.save{margin:.2em 0 1em}.save button{font-size:.85em;margin-right:.5em}
table{border-collapse:collapse;margin:.5em 0;font-size:.9em}th,td{padding:.2em .7em;border-bottom:1px solid #ddd;
text-align:right}th{background:#f6f6f6}
"""

_SCRIPT = """
function nodescopeSave(id, format) {
  var gd = document.getElementById(id);
  var layout = Object.assign({}, gd.layout, PUBLICATION);
  var size = {width: IMAGE_SIZE[0], height: IMAGE_SIZE[1]};
  Plotly.toImage({data: gd.data, layout: layout}, Object.assign({format: format,
      scale: format === 'png' ? PNG_SCALE : 1}, size)).then(function (url) {
    var a = document.createElement('a');
    a.href = url; a.download = id + '.' + format;
    document.body.appendChild(a); a.click(); a.remove();
  });
}
"""


def html_document(
    title: str,
    blocks: Sequence[Block],
    *,
    subtitle: str = "",
    max_mesh_vertices: int = MAX_MESH_VERTICES,
) -> str:
    """A standalone HTML page: plotly.js inlined once, then each block's heading, text and figure.

    Args:
        title: the page's heading and ``<title>``.
        blocks: what the page shows, in order.
        subtitle: one line under the title (the data, the model, the focus node...).
        max_mesh_vertices: see :func:`compact_figure`.

    Returns:
        The HTML text; it needs no network to open, and its figures are interactive.
    """
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title>",
        f"<style>{_STYLE}</style>",
        f'<script type="text/javascript">{get_plotlyjs()}</script>',
        "<script>"
        f"var PUBLICATION = {json.dumps(PUBLICATION)}; var IMAGE_SIZE = {json.dumps(list(IMAGE_SIZE))};"
        f" var PNG_SCALE = {PNG_SCALE};{_SCRIPT}</script>",
        "</head><body>",
        f"<h1>{html.escape(title)}</h1>",
    ]
    if subtitle:
        parts.append(f'<p class="meta">{html.escape(subtitle)}</p>')
    config = json.dumps({"displaylogo": False, "scrollZoom": True, "responsive": True})
    for k, block in enumerate(blocks):
        if block.heading:
            parts.append(f"<h2>{html.escape(block.heading)}</h2>")
        parts += [f"<p>{html.escape(p)}</p>" for p in block.text.split("\n\n") if p.strip()]
        if block.table is not None:
            parts.append(
                block.table.to_html(index=False, na_rep="n/a", float_format="{:.4g}".format, border=0)
            )
        if block.figure is None:
            continue
        div = f"figure-{k + 1}"
        fig = compact_figure(block.figure, max_mesh_vertices=max_mesh_vertices)
        height = fig["layout"].get("height") or 520
        parts += [
            f'<div id="{div}" class="figure" style="height:{int(height)}px"></div>',
            f"<div class=\"save\"><button onclick=\"nodescopeSave('{div}', 'svg')\">Save SVG</button>"
            f"<button onclick=\"nodescopeSave('{div}', 'png')\">Save PNG ({PNG_SCALE}×)</button></div>",
            f"<script>(function(){{var f = {pio.to_json(fig, validate=False)};"
            f'Plotly.newPlot("{div}", f.data, f.layout, {config});}})();</script>',
        ]
    parts.append("</body></html>")
    return "\n".join(parts)


def html_size_text(document: str) -> str:
    """The file's size in words, e.g. ``5.1 MB (plotly.js 4.8 MB of it)``."""
    total = len(document.encode())
    js = len(get_plotlyjs().encode())
    return f"{total / 1e6:.1f} MB (plotly.js {js / 1e6:.1f} MB of it)"


__all__ = [
    "Block",
    "IMAGE_SIZE",
    "MAX_MESH_VERTICES",
    "PNG_SCALE",
    "PUBLICATION",
    "compact_figure",
    "decimate_mesh",
    "html_document",
    "html_size_text",
]
