"""What the Cortical registration page caches and keeps in the session.

The fixed and moving hemispheres (:class:`~core.registration.io.Subject`), uploads, runs and
their derived maps.

The page's one selection is a *moving* vertex id (page-local, in ``st.session_state``):
views of the fixed surface (or of the fixed anatomy) report fixed vertex ids, which
:func:`moving_vertex_at` turns into the moving vertex that lands nearest. The hemispheres
come from :mod:`core.registration.subjects`, the tables and maps from
:mod:`explain.registration_report`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st
import torch
from scipy.spatial import cKDTree

from nodescope.core.errors import LoadError
from nodescope.core.registration.io import Subject
from nodescope.core.registration.pipeline import RegistrationResult, register_subject
from nodescope.core.registration.subjects import fixed_subject, mirrored, read_uploaded, synthetic
from nodescope.explain import registration_report as report
from nodescope.explain.registration_qc import Flag, qc_flags, qc_summary, reference_ranges, run_row

FIXED_CHOICES = {
    "fsaverage5": "fsaverage5 (10,242 vertices)",
    "fsaverage6": "fsaverage6: SUGAR's 904-subject mean sulc (lh, 40,962 vertices)",
}
HEMI_CHOICES = {"lh": "left (lh)", "rh": "right (rh)"}
_RESULTS = "registration_results"  # session: {run key: RegistrationResult}
_UPLOADED = "registration_upload"  # session: the last uploaded Subject that loaded
_UPLOADED_OTHER = "registration_upload_other"  # session: its other hemisphere, when one was uploaded with it
_UPLOAD_ERROR = "registration_upload_error"
FOCUS = "registration_focus"  # session: the picked moving vertex id


# ---------------------------------------------------------------- the hemispheres
@st.cache_resource(show_spinner="Loading fsaverage5…", max_entries=4)
def fixed_hemisphere(name: str = "fsaverage5", hemi: str = "lh") -> Subject:
    """The fixed (atlas) hemisphere (:func:`core.registration.subjects.fixed_subject`), cached."""
    return fixed_subject(name, hemi)


@st.cache_resource(show_spinner="Warping fsaverage5…", max_entries=8)
def synthetic_hemisphere(seed: int, magnitude_deg: float, rotation_deg: float, hemi: str = "lh") -> Subject:
    """A synthetic subject of ``hemi`` with fsaverage5's anatomy (:func:`core.registration.subjects.synthetic`), cached."""
    return synthetic(seed, magnitude_deg, rotation_deg, atlas=fixed_hemisphere(hemi=hemi))


@st.cache_resource(show_spinner=False, max_entries=4)
def _mirrored(key: str, _moving: Subject) -> Subject:
    return mirrored(_moving)


def other_hemisphere(moving: Subject, warp: tuple[int, float, float] | None) -> tuple[Subject, bool]:
    """The moving subject's other hemisphere, and whether it is real.

    A synthetic subject's is real: the same warp (``warp`` = seed, displacement, rotation) of
    fsaverage5's other hemisphere. An upload has one hemisphere: its mirror image
    (:func:`core.registration.subjects.mirrored`, the stand-in registration's benchmarks use
    for the reference subject's missing ``rh``) stands in, vertex ``i`` mirroring vertex ``i``.
    """
    other = "rh" if moving.hemi == "lh" else "lh"
    if warp is not None:
        return synthetic_hemisphere(*warp, other), True
    uploads = [st.session_state.get(k) for k in (_UPLOADED, _UPLOADED_OTHER)]
    twin = [u for u in uploads if u is not None and u.key != moving.key and u.hemi == other]
    if twin and moving.key in {u.key for u in uploads if u is not None}:
        return twin[0], True
    return _mirrored(moving.key, moving), False


def try_upload(files: dict[str, Any]) -> bool:
    """Read uploaded files (``st.file_uploader`` values by role); on failure keep the previous upload.

    Args:
        files: ``{"sphere", "sulc", "curv", "surface"}`` -> an uploaded file or None; optionally
            ``"other_sphere"``, ``"other_sulc"``: the subject's other hemisphere (its hemisphere
            from its file name, else the one the first is not).

    Returns:
        True when they loaded; otherwise :func:`upload_error` says why.
    """
    items = {k: (f.name, f.getvalue()) if f is not None else None for k, f in files.items()}
    if items.get("sphere") is None or items.get("sulc") is None:
        st.session_state[_UPLOAD_ERROR] = "Give both a sphere and a sulc file."
        return False
    if (items.get("other_sphere") is None) != (items.get("other_sulc") is None):
        st.session_state[_UPLOAD_ERROR] = "Give the other hemisphere's sphere and sulc together."
        return False
    try:
        first = read_uploaded(items["sphere"], items["sulc"], items.get("curv"), items.get("surface"))
        other = None
        if items.get("other_sphere") is not None:
            other = read_uploaded(items["other_sphere"], items["other_sulc"])
            if other.hemi == first.hemi:  # unnamed, or both named alike: the other one
                other = dataclasses.replace(other, hemi="rh" if first.hemi == "lh" else "lh")
    except LoadError as exc:
        st.session_state[_UPLOAD_ERROR] = str(exc).splitlines()[0]
        return False
    st.session_state[_UPLOADED] = first
    if other is None:
        st.session_state.pop(_UPLOADED_OTHER, None)
    else:
        st.session_state[_UPLOADED_OTHER] = other
    st.session_state.pop(_UPLOAD_ERROR, None)
    return True


def uploaded_hemisphere(hemi: str | None = None) -> Subject | None:
    """The last uploaded moving hemisphere that loaded, or None.

    Args:
        hemi: when the subject's other hemisphere was uploaded too and is ``hemi``, that one.
    """
    other = st.session_state.get(_UPLOADED_OTHER)
    if hemi is not None and other is not None and other.hemi == hemi:
        return other
    return st.session_state.get(_UPLOADED)


def upload_error() -> str | None:
    """The last upload's one-line error (cleared by the next successful upload)."""
    return st.session_state.get(_UPLOAD_ERROR)


# ---------------------------------------------------------------- runs
def run_key(moving: Subject, fixed: Subject, rigid_only: bool, refine: int) -> str:
    """The session key of a run: the hemispheres' keys and the run options."""
    return f"{moving.key}|{fixed.key}|rigid={rigid_only}|refine={refine}"


def result(key: str) -> RegistrationResult | None:
    """The :class:`core.registration.pipeline.RegistrationResult` of a run made in this session, or None."""
    return st.session_state.get(_RESULTS, {}).get(key)


def run(
    moving: Subject, fixed: Subject, rigid_only: bool, refine: int,
    progress: Callable[[str, float], None] | None = None,
) -> RegistrationResult:  # fmt: skip
    """Register ``moving`` onto ``fixed`` (its hemisphere) and keep the result in the session (see :func:`result`)."""
    out = register_subject(
        moving, fixed=fixed.name, hemi=fixed.hemi, rigid_only=rigid_only, refine=refine, progress=progress
    )
    st.session_state.setdefault(_RESULTS, {})[run_key(moving, fixed, rigid_only, refine)] = out
    return out


# ---------------------------------------------------------------- derived data, cached per run
@st.cache_data(show_spinner=False, max_entries=8)
def coloring(key: str, name: str, _moving: Subject, _registered: np.ndarray | None) -> np.ndarray | None:
    """:func:`explain.registration_report.vertex_values`; ``key`` (the run key) identifies ``_registered``."""
    return report.vertex_values(_moving, name, _registered)


@st.cache_resource(show_spinner=False, max_entries=8)
def _moving_tree(key: str, _positions: np.ndarray) -> cKDTree:
    return cKDTree(_positions / np.linalg.norm(_positions, axis=1, keepdims=True))


def moving_vertex_at(key: str, positions: np.ndarray, fixed: Subject, fixed_vertex: int) -> int:
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
    key: str, name: str, _values: np.ndarray, _moving: Subject, _registered: np.ndarray, _fixed: Subject
) -> np.ndarray:
    """(Q,) the moving map ``name`` (values ``_values``) resampled through run ``key`` onto the fixed vertices."""
    return report.on_fixed(_values, _moving, _fixed_locations(key, _moving, _registered, _fixed))


@st.cache_resource(show_spinner=False, max_entries=8)
def _fixed_locations(
    key: str, _moving: Subject, _registered: np.ndarray, _fixed: Subject
) -> tuple[torch.Tensor, torch.Tensor]:
    return report.fixed_locations(_moving, _registered, _fixed)


def metrics_table(key: str, moving: Subject, fixed: Subject, out: RegistrationResult) -> pd.DataFrame:
    """:func:`explain.registration_report.metrics_table` of run ``key``, cached."""
    return _metrics_table(key, moving, fixed, out.rigid, out.registered)


@st.cache_data(show_spinner="Measuring…", max_entries=8)
def _metrics_table(
    key: str, _moving: Subject, _fixed: Subject, _rigid: np.ndarray, _registered: np.ndarray
) -> pd.DataFrame:
    return report.metrics_table(_moving, _fixed, _rigid, _registered)


@st.cache_data(show_spinner=False, max_entries=8)
def resampled_maps(key: str, _moving: Subject, _fixed: Subject, _registered: np.ndarray) -> pd.DataFrame:
    """:func:`explain.registration_report.resampled_maps` of run ``key``, cached."""
    locations = _fixed_locations(key, _moving, _registered, _fixed)
    return report.resampled_maps(_moving, _fixed, _registered, locations)


def _qc_source() -> str:
    source = reference_ranges()["source"]
    return (
        f"Reference ranges: {source['subject']}, {source['method']}, from its {source['starts']} "
        f"({source['date']}); a value is flagged below the lowest measured less a margin or above the "
        "highest times a factor (assets/registration/qc_ranges.json). Time is not judged here (the app's "
        "server shares its CPU; the batch CSV judges CPU seconds). A synthetic warp starts further from the atlas "
        "than a real subject: its rigid score can fall below the real subject's range while the registration "
        "itself is good."
    )


#: Where the QC's reference ranges come from, in one caption.
QC_SOURCE = _qc_source()


def quality(key: str, moving: Subject, fixed: Subject, out: RegistrationResult) -> tuple[list[Flag], str]:
    """Run ``key``'s QC flags (:func:`explain.registration_qc.qc_flags`) and their summary in plain words."""
    row = metrics_table(key, moving, fixed, out).loc["registered"].to_dict()
    flags = qc_flags(run_row(row, out.rigid_score), fixed.name, fixed.hemi)
    return flags, qc_summary(flags, fixed.name, fixed.hemi)
