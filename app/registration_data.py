"""Data behind the Cortical registration page: the fixed and moving hemispheres, runs, metrics, downloads.

The page's one selection is a *moving* vertex id (page-local, in ``st.session_state``):
views of the fixed surface (or of the fixed anatomy) report fixed vertex ids, which
:func:`moving_vertex_at` turns into the moving vertex that lands nearest.
"""

from __future__ import annotations

import hashlib
import io
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st
import torch
from scipy.spatial import cKDTree

from nodescope.core.device import device
from nodescope.core.errors import LoadError
from nodescope.core.geometry.resample import locate, resample
from nodescope.core.registration.io import read_subject, write_sphere
from nodescope.core.registration.pipeline import RegistrationResult, register, synthetic_subject
from nodescope.explain.registration import registration_metrics
from nodescope.viz.registration_view import vertex_areal_distortion, vertex_folds

FIXED_CHOICES = {"fsaverage5": "fsaverage5 (left hemisphere, 10,242 vertices)"}
#: Display surfaces of fsaverage5 besides the sphere, in menu order.
FSAVERAGE5_SURFACES = ("inflated", "pial", "white")
_RESULTS = "registration_results"  # session: {run key: RegistrationResult}
_UPLOADED = "registration_upload"  # session: the last uploaded Hemisphere that loaded
_UPLOAD_ERROR = "registration_upload_error"
FOCUS = "registration_focus"  # session: the picked moving vertex id


@dataclass(frozen=True)
class Hemisphere:
    """A hemisphere mesh as the page shows it (arrays shared through caches: do not modify).

    Attributes:
        key: identifies the content (cache and run key).
        name: shown in titles.
        sphere: (V, 3) float64 sphere, mm.
        faces: (F, 3) int64 triangles.
        maps: per-vertex maps, ``sulc`` always and ``curv`` when known: name -> (V,) float64.
        surfaces: surfaces to draw, ``sphere`` first: name -> (V, 3) mm.
        truth: (V, 3) the known registered sphere of a synthetic subject, else None.
        volume_info: FreeSurfer volume geometry of an uploaded sphere, else None.
    """

    key: str
    name: str
    sphere: np.ndarray
    faces: np.ndarray
    maps: dict[str, np.ndarray]
    surfaces: dict[str, np.ndarray] = field(default_factory=dict)
    truth: np.ndarray | None = None
    volume_info: dict[str, Any] | None = None


# ---------------------------------------------------------------- the hemispheres
@st.cache_resource(show_spinner="Loading fsaverage5…", max_entries=2)
def fixed_hemisphere(name: str = "fsaverage5") -> Hemisphere:
    """The fixed (atlas) hemisphere: nilearn's fsaverage5 left, with its sphere, inflated, pial and white."""
    if name not in FIXED_CHOICES:
        raise LoadError(f"Unknown fixed surface {name!r}; choose one of {', '.join(FIXED_CHOICES)}.")
    from nodescope.core.loaders.cortex import load_fsaverage5

    s = load_fsaverage5("left")
    x = s.data.x.numpy().astype(np.float64)
    maps = {m: x[:, s.feature_names.index(m)] for m in ("sulc", "curv")}
    surfaces = {"sphere": np.asarray(s.surfaces["sphere"], dtype=np.float64)}
    surfaces |= {k: np.asarray(s.surfaces[k], dtype=np.float64) for k in FSAVERAGE5_SURFACES}
    return Hemisphere(
        "fixed:fsaverage5", "fsaverage5", surfaces["sphere"], np.asarray(s.faces), maps, surfaces
    )


@st.cache_resource(show_spinner="Warping fsaverage5…", max_entries=8)
def synthetic_hemisphere(seed: int, magnitude_deg: float, rotation_deg: float) -> Hemisphere:
    """A synthetic subject: fsaverage5 warped by a known smooth deformation and rotation.

    Its vertices are fsaverage5's, so fsaverage5's inflated, pial and white surfaces (and its
    curvature) are this subject's anatomy too.
    """
    vertices, faces, sulc, truth = synthetic_subject(seed, magnitude_deg, rotation_deg)
    vertices, faces = np.asarray(vertices, dtype=np.float64), np.asarray(faces, dtype=np.int64)
    fixed = fixed_hemisphere()
    surfaces = {"sphere": vertices}
    maps = {"sulc": np.asarray(sulc, dtype=np.float64)}
    if np.array_equal(faces, fixed.faces):  # the same mesh: fsaverage5's anatomy applies
        surfaces |= {k: fixed.surfaces[k] for k in FSAVERAGE5_SURFACES}
        maps["curv"] = fixed.maps["curv"]
    name = f"synthetic subject (seed {seed}, warp {magnitude_deg:g}°, rotation {rotation_deg:g}°)"
    key = f"synthetic:{seed}:{magnitude_deg:g}:{rotation_deg:g}"
    return Hemisphere(key, name, vertices, faces, maps, surfaces, truth=np.asarray(truth, dtype=np.float64))


def read_uploaded(
    sphere: tuple[str, bytes], sulc: tuple[str, bytes], curv: tuple[str, bytes] | None = None,
    surface: tuple[str, bytes] | None = None,
) -> Hemisphere:  # fmt: skip
    """A moving hemisphere from uploaded FreeSurfer or GIfTI files: ``(name, bytes)`` each.

    Args:
        sphere: the native sphere (``lh.sphere`` or ``.surf.gii``).
        sulc: its sulcal depth (``lh.sulc`` or ``.shape.gii``).
        curv: optional curvature.
        surface: optional anatomical surface of the same mesh for display (``lh.smoothwm``, ...).

    Raises:
        LoadError: a one-line message naming the bad file.
    """
    given = {"sphere": sphere, "sulc": sulc, "curv": curv, "smoothwm": surface}
    with tempfile.TemporaryDirectory(prefix="nodescope-registration-") as tmp:
        paths: dict[str, Path | None] = {}
        for role, item in given.items():
            if item is None:
                paths[role] = None
                continue
            safe = re.sub(r"[^A-Za-z0-9._-]", "_", Path(item[0]).name) or role
            paths[role] = Path(tmp) / role / safe  # one folder per role: two files may share a name
            paths[role].parent.mkdir()
            paths[role].write_bytes(item[1])
        subject = read_subject(
            paths["sphere"], paths["sulc"], curv=paths["curv"], smoothwm=paths["smoothwm"], name=sphere[0]
        )
    digest = hashlib.sha1(b"".join(item[1] for item in given.values() if item is not None)).hexdigest()[:16]
    surfaces = {"sphere": subject.sphere}
    if subject.smoothwm is not None:
        surfaces[Path(surface[0]).name if surface else "surface"] = subject.smoothwm
    maps = {"sulc": subject.sulc} | ({"curv": subject.curv} if subject.curv is not None else {})
    return Hemisphere(
        f"upload:{digest}", subject.name, subject.sphere, subject.faces, maps, surfaces,
        volume_info=subject.volume_info,
    )  # fmt: skip


def try_upload(files: dict[str, Any]) -> bool:
    """Read uploaded files (``st.file_uploader`` values by role); on failure keep the previous upload.

    Args:
        files: ``{"sphere", "sulc", "curv", "surface"}`` -> an uploaded file or None.

    Returns:
        True when they loaded; otherwise :func:`upload_error` says why.
    """
    items = {k: (f.name, f.getvalue()) if f is not None else None for k, f in files.items()}
    if items.get("sphere") is None or items.get("sulc") is None:
        st.session_state[_UPLOAD_ERROR] = "Give both a sphere and a sulc file."
        return False
    try:
        st.session_state[_UPLOADED] = read_uploaded(
            items["sphere"], items["sulc"], items.get("curv"), items.get("surface")
        )
    except LoadError as exc:
        st.session_state[_UPLOAD_ERROR] = str(exc).splitlines()[0]
        return False
    st.session_state.pop(_UPLOAD_ERROR, None)
    return True


def uploaded_hemisphere() -> Hemisphere | None:
    """The last uploaded moving hemisphere that loaded, or None."""
    return st.session_state.get(_UPLOADED)


def upload_error() -> str | None:
    """The last upload's one-line error (cleared by the next successful upload)."""
    return st.session_state.get(_UPLOAD_ERROR)


# ---------------------------------------------------------------- runs
def run_key(moving: Hemisphere, fixed: Hemisphere, rigid_only: bool, refine: int) -> str:
    return f"{moving.key}|{fixed.key}|rigid={rigid_only}|refine={refine}"


def result(key: str) -> RegistrationResult | None:
    """The :class:`core.registration.pipeline.RegistrationResult` of a run made in this session, or None."""
    return st.session_state.get(_RESULTS, {}).get(key)


def run(
    moving: Hemisphere, fixed: Hemisphere, rigid_only: bool, refine: int,
    progress: Callable[[str, float], None] | None = None,
) -> RegistrationResult:  # fmt: skip
    """Register ``moving`` onto ``fixed`` and keep the result in the session (see :func:`result`)."""
    out = register(
        moving.sphere, moving.faces, moving.maps["sulc"], fixed=fixed.name, rigid_only=rigid_only,
        refine=refine, device=device(), progress=progress,
    )  # fmt: skip
    st.session_state.setdefault(_RESULTS, {})[run_key(moving, fixed, rigid_only, refine)] = out
    return out


# ---------------------------------------------------------------- derived data
@st.cache_data(show_spinner=False, max_entries=8)
def colouring(key: str, name: str, _moving: Hemisphere, _registered: np.ndarray | None) -> np.ndarray | None:
    """(V,) values of a colouring on the moving vertices ("sulc", "curv", "areal distortion", "folds").

    ``key`` (the run key) identifies ``_registered``; the distortion and the folds need a run
    (None before it).
    """
    if name in _moving.maps:
        return _moving.maps[name]
    if _registered is None:
        return None
    if name == "areal distortion":
        return vertex_areal_distortion(_registered, _moving.sphere, _moving.faces)
    if name == "folds":
        return vertex_folds(_registered, _moving.sphere, _moving.faces)
    raise ValueError(f"unknown colouring {name!r}")


@st.cache_resource(show_spinner=False, max_entries=8)
def _moving_tree(key: str, _positions: np.ndarray) -> cKDTree:
    return cKDTree(_positions / np.linalg.norm(_positions, axis=1, keepdims=True))


@dataclass(frozen=True)
class Landing:
    """Where a moving vertex lands on the fixed mesh: its triangle and barycentric weights."""

    tri: int
    weights: np.ndarray  # (3,)
    nearest: int  # the fixed vertex of that triangle with the largest weight

    def on(self, surface: np.ndarray, faces: np.ndarray) -> np.ndarray:
        """(3,) the landing point on one of the fixed mesh's surfaces (sphere, inflated, ...)."""
        return self.weights @ surface[faces[self.tri]]


def landing(fixed: Hemisphere, point: np.ndarray) -> Landing:
    """Where a point of the sphere (a moving vertex's registered position) falls on the fixed mesh."""
    tri, weights = locate(fixed.sphere, fixed.faces, np.asarray(point, dtype=np.float64).reshape(1, 3))
    t, w = int(tri[0]), weights[0].numpy()
    return Landing(t, w, int(fixed.faces[t][int(np.argmax(w))]))


def moving_vertex_at(key: str, positions: np.ndarray, fixed: Hemisphere, fixed_vertex: int) -> int:
    """The moving vertex whose position (registered, or native before a run) is nearest a fixed vertex.

    Args:
        key: identifies ``positions`` (the run key, or the moving key before a run).
        positions: (V, 3) the moving vertices on the sphere.
        fixed: the fixed hemisphere.
        fixed_vertex: a fixed vertex id.
    """
    target = fixed.sphere[int(fixed_vertex)]
    return int(_moving_tree(key, positions).query(target / np.linalg.norm(target))[1])


@st.cache_data(show_spinner=False, max_entries=16)
def on_fixed(
    key: str, name: str, _values: np.ndarray, _moving: Hemisphere, _registered: np.ndarray, _fixed: Hemisphere
) -> np.ndarray:
    """(Q,) the moving map ``name`` (values ``_values``) resampled through run ``key`` onto the fixed vertices.

    Barycentric: each fixed vertex takes the values of the registered moving triangle holding it.
    """
    tri, weights = _fixed_locations(key, _moving, _registered, _fixed)
    return resample(_values, _moving.faces, tri, weights).numpy()


@st.cache_resource(show_spinner=False, max_entries=8)
def _fixed_locations(
    key: str, _moving: Hemisphere, _registered: np.ndarray, _fixed: Hemisphere
) -> tuple[torch.Tensor, torch.Tensor]:
    """Each fixed vertex located in the registered moving mesh: (Q,) triangles and (Q, 3) weights."""
    return locate(_registered, _moving.faces, _fixed.sphere)


# ---------------------------------------------------------------- metrics and downloads
#: Metrics shown (RegistrationMetrics fields) and their column titles.
_COLUMNS = {
    "correlation": "sulc correlation",
    "flipped": "flipped triangles",
    "areal_distortion": "areal distortion",
    "edge_distortion": "edge distortion",
    "geodesic_mm": "geodesic error (mm)",
    "geodesic_deg": "geodesic error (°)",
}


def metrics_table(key: str, moving: Hemisphere, fixed: Hemisphere, out: RegistrationResult) -> pd.DataFrame:
    """Metrics of the native sphere, the rigid stage and the registration (one row each).

    Columns: sulc correlation with the fixed sulc, flipped triangles, areal and edge
    distortion (mean |log2 ratio|); for synthetic subjects the mean geodesic error to the
    known warp (mm on a radius-100 sphere, and degrees).
    """
    return _metrics_table(key, moving, fixed, out.rigid, out.registered)


@st.cache_data(show_spinner="Measuring…", max_entries=8)
def _metrics_table(
    key: str, _moving: Hemisphere, _fixed: Hemisphere, _rigid: np.ndarray, _registered: np.ndarray
) -> pd.DataFrame:
    rows = {}
    for label, positions in (
        ("native (before)", _moving.sphere),
        ("rigid", _rigid),
        ("registered", _registered),
    ):
        m = registration_metrics(
            positions, _moving.sphere, _moving.faces, _moving.maps["sulc"], fixed_vertices=_fixed.sphere,
            fixed_sulc=_fixed.maps["sulc"], reference=_moving.truth,  # the known warp: geodesic error
        ).as_dict()  # fmt: skip
        rows[label] = {k: m[k] for k in _COLUMNS if m[k] is not None}
    return pd.DataFrame.from_dict(rows, orient="index").rename(columns=_COLUMNS)


def sphere_bytes(vertices: np.ndarray, faces: np.ndarray, fmt: str, volume_info: dict | None = None) -> bytes:
    """A registered sphere as file bytes: ``fmt`` "freesurfer" (geometry format) or "gifti" (.surf.gii)."""
    name = "registered.surf.gii" if fmt == "gifti" else "registered.sphere.reg"
    with tempfile.TemporaryDirectory(prefix="nodescope-sphere-") as tmp:
        path = write_sphere(Path(tmp) / name, vertices, faces, volume_info if fmt != "gifti" else None)
        return path.read_bytes()


def resampled_maps(key: str, moving: Hemisphere, fixed: Hemisphere, registered: np.ndarray) -> pd.DataFrame:
    """The moving maps (and the local areal distortion) resampled onto every fixed vertex.

    Columns: ``vertex`` (fixed vertex id), then one per map.
    """
    names = [*moving.maps, "areal distortion"]
    frame = {"vertex": np.arange(len(fixed.sphere))}
    for name in names:
        values = colouring(key, name, moving, registered)
        frame[name] = on_fixed(key, name, values, moving, registered, fixed)
    return pd.DataFrame(frame)


def npy_bytes(frame: pd.DataFrame) -> bytes:
    """(Q, C) float64 array of a frame's columns in ``.npy`` format (no pickle)."""
    buf = io.BytesIO()
    np.save(buf, frame.to_numpy(dtype=np.float64), allow_pickle=False)
    return buf.getvalue()


#: Share of the progress bar and text of each stage :func:`core.registration.pipeline.register` reports.
_STAGES = {
    "read": (0.0, 0.05, "reading the moving sulc"),
    "rigid": (0.05, 0.25, "rigid: searching rotations"),
    "nonrigid": (0.25, 0.9, "non-rigid: coarse to fine"),
    "refine": (0.9, 0.99, "refining"),
    "done": (1.0, 1.0, "done"),
}


def overall_progress(stage: str, fraction: float) -> tuple[float, str]:
    """A stage's ``(stage, fraction done)`` report as the whole run's fraction in [0, 1] and a text."""
    lo, hi, text = _STAGES.get(stage, (0.0, 1.0, stage))
    return min(1.0, lo + (hi - lo) * min(max(fraction, 0.0), 1.0)), text
