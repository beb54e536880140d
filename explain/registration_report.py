"""A registration's results as the app and notebooks show them.

Per-vertex colorings of the moving subject, the metrics of its native, rigid and registered
spheres, and its maps resampled onto the fixed vertices.

Every function takes :class:`~core.registration.io.Subject` hemispheres and the arrays of a
:class:`~core.registration.pipeline.RegistrationResult`; the measures themselves live in
:mod:`explain.registration`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from nodescope.core.geometry.resample import locate, resample
from nodescope.core.registration.io import Subject
from nodescope.explain.registration import registration_metrics, vertex_areal_distortion, vertex_folds

#: Colorings that need a registration, besides the subject's own maps (sulc, curv).
RUN_COLORINGS = ("areal distortion", "folds")
#: Metrics shown (:class:`explain.registration.RegistrationMetrics` fields) and their column titles.
METRIC_COLUMNS = {
    "correlation": "sulc correlation",
    "flipped": "flipped triangles",
    "areal_distortion": "areal distortion",
    "edge_distortion": "edge distortion",
    "geodesic_mm": "geodesic error (mm)",
    "geodesic_deg": "geodesic error (°)",
}


def vertex_values(moving: Subject, name: str, registered: np.ndarray | None = None) -> np.ndarray | None:
    """(V,) float64 values of a coloring on the moving vertices.

    Args:
        moving: the moving subject.
        name: one of its :attr:`~core.registration.io.Subject.maps` (``sulc``, ``curv``) or of
            :data:`RUN_COLORINGS`: ``areal distortion`` (mean |log2 area ratio| of a vertex's
            triangles) and ``folds`` (how many of them flipped).
        registered: (V, 3) the registered sphere; None before a run.

    Returns:
        The values, or None for a run coloring before a run.

    Raises:
        ValueError: an unknown coloring.
    """
    maps = moving.maps
    if name in maps:
        return maps[name]
    if name not in RUN_COLORINGS:
        raise ValueError(f"unknown coloring {name!r}")
    if registered is None:
        return None
    measure = vertex_areal_distortion if name == "areal distortion" else vertex_folds
    return measure(registered, moving.sphere, moving.faces)


def metrics_table(moving: Subject, fixed: Subject, rigid: np.ndarray, registered: np.ndarray) -> pd.DataFrame:
    """Metrics of the native sphere, the rigid stage and the registration, one row each.

    Columns (:data:`METRIC_COLUMNS`): sulc correlation with the fixed sulc, flipped triangles,
    areal and edge distortion (mean |log2 ratio|); for a subject with a known warp
    (:attr:`~core.registration.io.Subject.truth`) the mean geodesic error to it (mm on a
    radius-100 sphere, and degrees).

    Args:
        moving: the moving subject.
        fixed: the fixed subject.
        rigid: (V, 3) the moving vertices after the rigid stage.
        registered: (V, 3) the moving vertices after the registration.
    """
    rows = {}
    for label, positions in (
        ("native (before)", moving.sphere),
        ("rigid", rigid),
        ("registered", registered),
    ):
        m = registration_metrics(
            positions, moving.sphere, moving.faces, moving.sulc, fixed_vertices=fixed.sphere,
            fixed_sulc=fixed.sulc, reference=moving.truth,  # the known warp: geodesic error
        ).as_dict()  # fmt: skip
        rows[label] = {k: m[k] for k in METRIC_COLUMNS if m[k] is not None}
    return pd.DataFrame.from_dict(rows, orient="index").rename(columns=METRIC_COLUMNS)


def fixed_locations(
    moving: Subject, registered: np.ndarray, fixed: Subject
) -> tuple[torch.Tensor, torch.Tensor]:
    """Each fixed vertex located in the registered moving mesh: (Q,) triangles and (Q, 3) weights."""
    return locate(registered, moving.faces, fixed.sphere)


def on_fixed(values: np.ndarray, moving: Subject, locations: tuple[torch.Tensor, torch.Tensor]) -> np.ndarray:
    """(Q,) per-vertex ``values`` of the moving mesh resampled onto the fixed vertices.

    Barycentric: each fixed vertex takes the values of the registered moving triangle holding it.

    Args:
        values: (V,) values on the moving vertices.
        moving: the moving subject.
        locations: :func:`fixed_locations` of the registration.
    """
    return resample(values, moving.faces, *locations).numpy()


def resampled_maps(
    moving: Subject,
    fixed: Subject,
    registered: np.ndarray,
    locations: tuple[torch.Tensor, torch.Tensor] | None = None,
) -> pd.DataFrame:
    """The moving maps (and the local areal distortion) resampled onto every fixed vertex.

    Args:
        moving: the moving subject.
        fixed: the fixed subject.
        registered: (V, 3) the registered moving sphere.
        locations: :func:`fixed_locations`, when already computed.

    Returns:
        Columns ``vertex`` (fixed vertex id), then one per map and ``areal distortion``; Q rows.
    """
    where = locations if locations is not None else fixed_locations(moving, registered, fixed)
    frame = {"vertex": np.arange(len(fixed.sphere))}
    for name in [*moving.maps, "areal distortion"]:
        frame[name] = on_fixed(vertex_values(moving, name, registered), moving, where)
    return pd.DataFrame(frame)
