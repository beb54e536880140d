"""Randomized materials, lights and camera response of the panorama rooms (domain randomization).

The models are judged on panoramas from other renderers, so colors, textures, light color,
exposure and gamma vary widely here; one room in five gets colors drawn with no prior at all.
"""

from __future__ import annotations

import colorsys

import numpy as np

from nodescope.core.panorama.parts import PATTERNS, Material

#: Per role: (hue range, saturation range, value range, likely patterns, pattern scale range (m)).
_ROLES: dict[
    str,
    tuple[
        tuple[float, float], tuple[float, float], tuple[float, float], tuple[str, ...], tuple[float, float]
    ],
] = {
    "wall": (
        (0.0, 1.0),
        (0.0, 0.3),
        (0.45, 0.95),
        ("plain", "plain", "noise", "stripes", "tiles"),
        (0.08, 0.6),
    ),
    "floor": (
        (0.04, 0.12),
        (0.2, 0.7),
        (0.15, 0.75),
        ("planks", "planks", "tiles", "noise", "plain"),
        (0.15, 0.9),
    ),
    "ceiling": (
        (0.0, 1.0),
        (0.0, 0.12),
        (0.7, 0.98),
        ("plain", "plain", "noise", "tiles", "planks"),
        (0.3, 0.8),
    ),
    "wood": ((0.04, 0.11), (0.3, 0.75), (0.15, 0.7), ("planks", "noise", "plain"), (0.1, 0.4)),
    "fabric": ((0.0, 1.0), (0.1, 0.7), (0.2, 0.85), ("noise", "plain", "stripes"), (0.03, 0.2)),
    "paint": ((0.0, 1.0), (0.0, 0.6), (0.15, 0.95), ("plain", "noise"), (0.1, 0.5)),
    "metal": ((0.0, 1.0), (0.0, 0.1), (0.2, 0.8), ("plain",), (0.1, 0.3)),
    "door": ((0.03, 0.12), (0.0, 0.6), (0.25, 0.95), ("plain", "planks", "noise"), (0.2, 0.6)),
    "sky": ((0.52, 0.62), (0.1, 0.5), (0.8, 1.0), ("plain", "noise"), (0.3, 1.0)),
}


def sample_material(rng: np.random.Generator, role: str, wild: bool = False) -> Material:
    """A material for a surface role (``wall``, ``floor``, ``wood``, ``fabric`` ... ``sky``).

    Args:
        rng: the scene's generator.
        role: a key of the role table above.
        wild: draw hue, saturation and value uniformly (no prior).
    """
    hue, sat, val, patterns, scale = _ROLES[role]
    if wild and role != "sky":
        hue, sat, val = (0.0, 1.0), (0.0, 1.0), (0.1, 1.0)
    rgb = colorsys.hsv_to_rgb(float(rng.uniform(*hue)), float(rng.uniform(*sat)), float(rng.uniform(*val)))
    linear = tuple(float(c) ** 2.2 for c in rgb)  # pick in sRGB, shade in linear light
    pattern = PATTERNS.index(str(rng.choice(patterns)))
    return Material(
        rgb=linear,  # type: ignore[arg-type]
        pattern=pattern,
        scale=float(rng.uniform(*scale)),
        contrast=float(rng.uniform(0.05, 0.45)) if pattern else 0.0,
        shine=float(rng.uniform(0.0, 0.4)) if role in ("floor", "metal", "wood", "paint") else 0.0,
    )


def sample_light_color(rng: np.random.Generator) -> tuple[float, float, float]:
    """A light color between warm (about 2700 K) and cool (about 6500 K), brightness about 1."""
    warm = np.array([1.0, 0.78, 0.55])
    cool = np.array([0.85, 0.92, 1.05])
    mix = float(rng.uniform())
    c = warm * (1 - mix) + cool * mix
    c = c * rng.uniform(0.95, 1.05, 3)
    return tuple(float(v) for v in c / c.mean())  # type: ignore[return-value]
