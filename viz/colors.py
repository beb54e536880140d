"""Colors shared by every view: a categorical palette for classes and default color scales."""

from __future__ import annotations

import numpy as np

#: 24 categorical colors, cycled beyond that. The first 7 are Okabe & Ito's palette (safe
#: for every kind of color-vision deficiency); then Paul Tol's "muted" and "light" schemes,
#: still distinct for most readers. No grays: gray means "unlabeled".
PALETTE: tuple[str, ...] = (
    # Okabe-Ito (black left out: it is the outline color)
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442",
    # Tol muted
    "#332288", "#117733", "#882255", "#44AA99", "#999933", "#AA4499", "#CC6677", "#DDCC77", "#88CCEE",
    # Tol light
    "#77AADD", "#EE8866", "#EEDD88", "#FFAABB", "#99DDFF", "#44BB99", "#BBCC33", "#AAAA00",
)  # fmt: skip
#: Color of nodes without a label (class id -1).
UNLABELED = "#B0B0B0"
#: Default color scale for values of one sign (degrees, scores, probabilities).
SEQUENTIAL = "Viridis"
#: Default color scale for signed values (attributions, differences), centered on 0.
DIVERGING = "RdBu_r"


def class_color(c: int) -> str:
    """Hex color of class ``c`` (palette cycled; negative = unlabeled gray)."""
    return UNLABELED if c < 0 else PALETTE[c % len(PALETTE)]


def class_colors(y: np.ndarray) -> list[str]:
    """One hex color per node from its class id, (N,) int; -1 (or any negative) = unlabeled gray."""
    y = np.asarray(y).astype(np.int64).ravel()
    table = np.array(PALETTE + (UNLABELED,))
    return table[np.where(y < 0, len(PALETTE), y % len(PALETTE))].tolist()


def value_colorscale(values: np.ndarray | None = None) -> str:
    """Default color scale name: diverging when the finite values have both signs, else sequential."""
    if values is None:
        return SEQUENTIAL
    v = np.asarray(values, dtype=np.float64)
    v = v[np.isfinite(v)]
    return DIVERGING if v.size and v.min() < 0 < v.max() else SEQUENTIAL


def rgb_to_hex(rgb: np.ndarray) -> list[str]:
    """(N, 3) colors, uint8 0..255 or float 0..1, to '#rrggbb' strings."""
    a = np.asarray(rgb)
    if a.ndim != 2 or a.shape[1] != 3:
        raise ValueError(f"colors must have shape (N, 3), not {a.shape}")
    if np.issubdtype(a.dtype, np.floating):
        a = np.round(np.clip(np.nan_to_num(a), 0.0, 1.0) * 255)
    a = np.clip(a, 0, 255).astype(np.uint32)
    packed = (a[:, 0] << 16) | (a[:, 1] << 8) | a[:, 2]
    return [f"#{v:06x}" for v in packed.tolist()]
