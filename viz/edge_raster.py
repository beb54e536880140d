"""A graph's edges drawn into one image, placed on a plotly chart in data coordinates.

Why: a WebGL line trace of thousands of edges is redrawn on every update of its chart, and in
software GL (no GPU: headless browsers, remote desktops, many VMs) that takes 0.5-1.5 s for
~10k edges. An image is decoded once and only moved on pan and zoom.

Each edge is a one-pixel line of opacity ``alpha`` blended over the others, so a pixel crossed
by k edges has opacity ``1 - (1 - alpha)^k``, as k overlapping translucent vector lines would.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from nodescope.viz.images import image_data_uri

#: Longest side of the image in px: about twice a chart's width, so edges stay sharp when
#: zoomed in 2x or on a HiDPI screen.
IMAGE_PX = 2048
#: Edge color (RGB) and the opacity of one edge in the image. One image pixel is ~0.45 screen
#: px on a ~900 px wide chart, so 0.45 looks like the vector view's 0.6 px lines at 0.35.
EDGE_RGB = (120, 120, 120)
EDGE_ALPHA = 0.45


def edge_extent(xy: np.ndarray) -> tuple[float, float, float, float]:
    """(x0, y0, x1, y1): the nodes' bounding box, padded by 1 % of its size (of 1 when flat)."""
    xy = np.asarray(xy, dtype=np.float64)
    lo, hi = xy.min(0), xy.max(0)
    pad = np.maximum(hi - lo, 1.0) * 0.01
    return float(lo[0] - pad[0]), float(lo[1] - pad[1]), float(hi[0] + pad[0]), float(hi[1] + pad[1])


def image_shape(extent: tuple[float, float, float, float], longest: int = IMAGE_PX) -> tuple[int, int]:
    """(H, W) in px of an image of ``extent`` with square pixels (the charts keep an equal aspect)."""
    x0, y0, x1, y1 = extent
    w, h = x1 - x0, y1 - y0
    if w >= h:
        return max(1, round(longest * h / w)), longest
    return longest, max(1, round(longest * w / h))


def to_pixels(
    xy: np.ndarray, extent: tuple[float, float, float, float], shape: tuple[int, int]
) -> np.ndarray:
    """(N, 2) continuous pixel coordinates (column, row) of data points; row 0 is the top (y1)."""
    x0, y0, x1, y1 = extent
    h, w = shape
    xy = np.asarray(xy, dtype=np.float64)
    return np.stack([(xy[:, 0] - x0) / (x1 - x0) * w, (y1 - xy[:, 1]) / (y1 - y0) * h], 1)


def edge_coverage(
    xy: np.ndarray,
    edges: np.ndarray,
    extent: tuple[float, float, float, float],
    shape: tuple[int, int],
    *,
    alpha: float = EDGE_ALPHA,
) -> np.ndarray:
    """(H, W) float32 opacity in [0, 1] of the edges drawn as one-pixel lines.

    Args:
        xy: (N, 2) node positions in data units.
        edges: (2, E) node ids of the segments (each drawn once: pass unique undirected edges).
        extent: (x0, y0, x1, y1), the data rectangle the image covers.
        shape: (H, W) of the image.
        alpha: opacity of one edge.
    """
    h, w = shape
    uv = to_pixels(xy, extent, shape)
    # Black lines blended (PIL's "RGBA" draw mode) onto white: darkness = composited opacity.
    canvas = Image.new("RGB", (w, h), (255, 255, 255))
    line = ImageDraw.Draw(canvas, "RGBA").line
    fill = (0, 0, 0, round(alpha * 255))
    for segment in np.concatenate([uv[edges[0]], uv[edges[1]]], 1).tolist():
        line(segment, fill=fill)
    return (1.0 - np.asarray(canvas)[..., 0] / np.float32(255.0)).astype(np.float32)


def coverage_rgba(coverage: np.ndarray, rgb: tuple[int, int, int] = EDGE_RGB) -> np.ndarray:
    """(H, W, 4) uint8 one-color image whose alpha is ``coverage`` (H, W) in [0, 1]."""
    rgba = np.empty((*coverage.shape, 4), np.uint8)
    rgba[..., :3] = rgb
    rgba[..., 3] = np.round(np.clip(coverage, 0.0, 1.0) * 255)
    return rgba


def edge_image(xy: np.ndarray, edges: np.ndarray, *, longest: int = IMAGE_PX) -> dict:
    """The edges as a plotly layout image pinned to the data axes (pan and zoom keep it aligned).

    Args:
        xy: (N, 2) node positions.
        edges: (2, E) node ids, each segment drawn once (pass unique undirected edges).
        longest: the image's longest side in px.

    Returns:
        A ``layout.images`` entry named "edges": the image covering :func:`edge_extent` of
        ``xy`` (top-left corner at (x0, y1)), stretched to that rectangle, below the traces.
    """
    extent = edge_extent(xy)
    coverage = edge_coverage(xy, np.asarray(edges), extent, image_shape(extent, longest))
    x0, y0, x1, y1 = extent
    return {
        "source": image_data_uri(coverage_rgba(coverage), image_format="webp"), "name": "edges", "xref": "x", "yref": "y", "x": x0, "y": y1,
        "sizex": x1 - x0, "sizey": y1 - y0, "xanchor": "left", "yanchor": "top", "sizing": "stretch",
        "layer": "below",
    }  # fmt: skip
