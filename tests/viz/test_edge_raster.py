"""Edges drawn as one image: pixels where the edges are, placed at the axes' data coordinates."""

from __future__ import annotations

import base64
import io

import numpy as np
import pytest
from PIL import Image

from nodescope.viz.edge_raster import (
    EDGE_ALPHA,
    EDGE_RGB,
    edge_coverage,
    edge_extent,
    edge_image,
    image_shape,
)


def decode(img: dict) -> np.ndarray:
    """(H, W, 4) uint8 RGBA pixels of a layout image's data URI."""
    header, payload = img["source"].split(",", 1)
    assert header == "data:image/webp;base64"
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(payload))).convert("RGBA"))


def pixel_of(img: dict, shape: tuple[int, int], x: float, y: float) -> tuple[int, int]:
    """(row, column) of the image pixel that plotly draws at data point (x, y).

    plotly stretches the image over [x, x + sizex] x [y - sizey, y] (anchored top-left).
    """
    h, w = shape
    col = (x - img["x"]) / img["sizex"] * w
    row = (img["y"] - y) / img["sizey"] * h
    return int(row), int(col)


def test_pixels_where_the_edges_are_and_placed_in_data_coordinates() -> None:
    # A square of four nodes and its two horizontal edges (0-1 at y = 0, 2-3 at y = 1).
    xy = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    edges = np.array([[0, 2], [1, 3]])
    img = edge_image(xy, edges, longest=200)
    assert (img["xref"], img["yref"], img["xanchor"], img["yanchor"]) == ("x", "y", "left", "top")
    assert img["sizing"] == "stretch" and img["layer"] == "below"
    rgba = decode(img)
    assert rgba.shape[:2] == image_shape(edge_extent(xy), 200) == (200, 200)  # square data, square image
    alpha = rgba[..., 3]
    assert (rgba[alpha > 0, :3] == EDGE_RGB).all()
    # every point along both edges is drawn, at the pixel plotly shows at that data point
    for y in (0.0, 1.0):
        for x in np.linspace(0.0, 1.0, 25):
            assert alpha[pixel_of(img, alpha.shape, x, y)] == round(EDGE_ALPHA * 255), (x, y)
    # and nothing between them, nor on the square's vertical sides (no edge there)
    for x, y in [(0.5, 0.5), (0.5, 0.2), (0.5, 0.8), (0.0, 0.5), (1.0, 0.5)]:
        assert alpha[pixel_of(img, alpha.shape, x, y)] == 0, (x, y)
    assert (alpha > 0).sum() == pytest.approx(2 * 0.98 * 200, rel=0.03)  # two lines, one pixel wide


def test_crossing_edges_composite_like_translucent_lines() -> None:
    xy = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0], [1.0, 0.0]])
    extent = edge_extent(xy)
    shape = image_shape(extent, 101)
    one = edge_coverage(xy, np.array([[0], [1]]), extent, shape)
    both = edge_coverage(xy, np.array([[0, 2], [1, 3]]), extent, shape)
    assert one.max() == pytest.approx(EDGE_ALPHA, abs=1 / 255)
    assert both.max() == pytest.approx(1 - (1 - EDGE_ALPHA) ** 2, abs=2 / 255)  # where they cross
    assert (both >= one - 1e-6).all()


def test_extent_keeps_the_aspect_and_survives_flat_layouts() -> None:
    wide = np.array([[0.0, 0.0], [4.0, 1.0]])
    h, w = image_shape(edge_extent(wide), 400)
    x0, y0, x1, y1 = edge_extent(wide)
    assert w == 400 and h == round(400 * (y1 - y0) / (x1 - x0))  # square pixels
    flat = np.array([[0.0, 2.0], [3.0, 2.0], [1.0, 2.0]])  # every node on one line
    img = edge_image(flat, np.array([[0, 1], [2, 2]]), longest=300)
    assert img["sizey"] > 0 and decode(img)[..., 3].any()
