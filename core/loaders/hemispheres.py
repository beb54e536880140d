"""Both cortical hemispheres as one ``cortex`` sample, side by side (lh left, rh right).

:func:`both_hemispheres` joins a hemisphere and the other one into one graph: every surface the
two share, moved apart along x (:func:`core.geometry.hemispheres.side_by_side`); the features
they share; vertex ids ``lh`` first (node names ``"lh 12"``, ``"rh 12"``); ``data.hemi`` (N,)
int64, 0 for ``lh`` and 1 for ``rh``. :func:`other_hemisphere` finds the other one: nilearn's
fsaverage5 has both, a FreeSurfer subject folder (``surf/lh.pial`` beside ``surf/rh.pial``) may;
otherwise the loaded hemisphere's mirror image (x -> -x) stands in, and the sample says so in
its notices (the reference subject ``sugar-sub-001`` has ``lh`` only, as registration's
benchmarks use it).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from nodescope.core.errors import LoadError
from nodescope.core.geometry.hemispheres import HEMIS, pair_faces, pair_names, side_by_side
from nodescope.core.loaders.cortex import cortex_sample, load_fsaverage5, read_cortex
from nodescope.core.loaders.registry import Builtin
from nodescope.core.sample import Sample

#: The notice a pair carries when its other hemisphere is a mirror image (its start: tests match it).
MIRROR_NOTICE = "stand-in"
_FREESURFER = re.compile(r"^(lh|rh)\.", re.IGNORECASE)
_BIDS = re.compile(r"hemi-(L|R)", re.IGNORECASE)


def hemi_of_sample(s: Sample) -> str | None:
    """Which hemisphere a one-hemisphere cortex sample is, from its source; None if unknown or a pair.

    ``builtin:fsaverage5-left`` -> ``lh``; a file ``lh.pial`` / ``rh.white`` (FreeSurfer) or
    ``sub-01_hemi-R_pial.surf.gii`` (BIDS) -> its hemisphere.
    """
    if s.data.get("hemi") is not None:
        return None
    if s.source.startswith("builtin:fsaverage5-"):
        return {"left": "lh", "right": "rh"}.get(s.source.rsplit("-", 1)[1])
    name = Path(s.source).name
    if m := _FREESURFER.match(name):
        return m.group(1).lower()
    if m := _BIDS.search(name):
        return "lh" if m.group(1).upper() == "L" else "rh"
    return None


def is_pair(s: Sample) -> bool:
    """Whether ``s`` holds both hemispheres (made by :func:`both_hemispheres`)."""
    return s.kind == "cortex" and s.data.get("hemi") is not None


def hemisphere_sizes(s: Sample) -> tuple[int, int]:
    """``(n_lh, n_rh)`` vertices of a pair (:func:`is_pair`); raises LoadError for one hemisphere."""
    if not is_pair(s):
        raise LoadError(f"{s.name} is one hemisphere, not a pair.")
    n_rh = int(s.data.hemi.sum())
    return s.num_nodes - n_rh, n_rh


def mirror_sample(s: Sample, hemi: str) -> Sample:
    """The mirror image (x -> -x, triangles reversed so they face outward) of a hemisphere, named ``hemi``.

    Maps and labels are unchanged: vertex ``i`` of the mirror is vertex ``i`` of ``s``.
    """
    flip = np.array([-1.0, 1.0, 1.0])
    surfaces = {k: np.asarray(v, dtype=np.float64) * flip for k, v in s.surfaces.items()}
    pos = s.data.pos.numpy().astype(np.float64) * flip
    return cortex_sample(
        name=f"{s.name} mirrored as {hemi}",
        source=f"mirror:{s.source}",
        pos=pos,
        faces=np.ascontiguousarray(s.faces[:, ::-1]),
        surfaces=surfaces,
        x=s.data.x.numpy(),
        feature_names=list(s.feature_names),
        y=None if s.data.get("y") is None else s.data.y.numpy(),
        label_names=s.label_names,
        notices=[],
    )


def other_hemisphere(s: Sample) -> tuple[Sample, bool]:
    """The other hemisphere of a one-hemisphere cortex sample, and whether it is real.

    Real: fsaverage5's other hemisphere (nilearn ships both), or ``rh.X`` beside ``lh.X`` (and
    the other way round) in the loaded file's folder. Otherwise the mirror image of ``s``
    (:func:`mirror_sample`), a stand-in. A sample whose hemisphere is unknown counts as ``lh``.

    Raises:
        LoadError: ``s`` is not a one-hemisphere cortex sample, or the other hemisphere's file
            does not load.
    """
    if s.kind != "cortex" or is_pair(s):
        raise LoadError(f"{s.name} is not one cortical hemisphere.")
    hemi = hemi_of_sample(s) or "lh"
    other = "rh" if hemi == "lh" else "lh"
    if s.source.startswith("builtin:fsaverage5-"):
        return load_fsaverage5("right" if other == "rh" else "left"), True
    path = Path(s.source)
    if _FREESURFER.match(path.name):
        twin = path.with_name(other + path.name[2:])
        if twin.is_file():
            return read_cortex(twin, []), True
    return mirror_sample(s, other), False


def both_hemispheres(s: Sample, other: Sample | None = None, *, real: bool = True) -> Sample:
    """One ``cortex`` sample of both hemispheres, side by side (see the module docstring).

    Args:
        s: one hemisphere.
        other: the other one (default: :func:`other_hemisphere`, which sets ``real``).
        real: whether ``other`` is a real hemisphere; False adds a notice that it is a
            stand-in (the mirror image of ``s``).

    Returns:
        The pair: surfaces both have (each moved apart along x), ``data.pos`` the loaded surface
        moved likewise, the features both have, labels when both have the same label names,
        ``data.sph`` each vertex's own (lat, lon), ``data.hemi`` and node names ``"lh i"`` / ``"rh j"``.

    Raises:
        LoadError: ``s`` is not one hemisphere of a cortex.
    """
    if other is None:
        other, real = other_hemisphere(s)
    hemi = hemi_of_sample(s) or "lh"
    lh, rh = (s, other) if hemi == "lh" else (other, s)
    n_lh, n_rh = lh.num_nodes, rh.num_nodes
    surfaces = {}
    for key in lh.surfaces:
        if key in rh.surfaces:
            surfaces[key] = np.concatenate(side_by_side(lh.surfaces[key], rh.surfaces[key]))
    pos = np.concatenate(side_by_side(lh.data.pos.numpy(), rh.data.pos.numpy()))
    features = [f for f in lh.feature_names if f in rh.feature_names]
    if features:
        x = np.concatenate([_columns(lh, features), _columns(rh, features)])
    else:
        x, features = pos, ["x", "y", "z"]
    y = None
    if lh.data.get("y") is not None and rh.data.get("y") is not None and lh.label_names == rh.label_names:
        y = np.concatenate([lh.data.y.numpy(), rh.data.y.numpy()])
    sph = None
    if lh.is_spherical and rh.is_spherical:
        sph = np.concatenate([lh.data.sph.numpy(), rh.data.sph.numpy()])
    stem = re.sub(r"\s*\b(left|right|lh|rh)\b.*$", "", s.name, flags=re.IGNORECASE).strip() or s.name
    notices = []
    if not real:
        shown = "rh" if hemi == "lh" else "lh"
        notices.append(
            f"The {shown} shown is a {MIRROR_NOTICE}: the mirror image of the {hemi} (no {shown} was found)."
        )
    return cortex_sample(
        name=f"{stem} both hemispheres",
        source=f"both:{s.source}"
        if not s.source.startswith("builtin:fsaverage5-")
        else "builtin:fsaverage5-both",
        pos=pos,
        faces=pair_faces(lh.faces, rh.faces, n_lh),
        surfaces=surfaces,
        x=x,
        feature_names=features,
        y=y,
        label_names=lh.label_names if y is not None else None,
        sph=sph,
        notices=notices,
        extra={"hemi": np.r_[np.zeros(n_lh, np.int64), np.ones(n_rh, np.int64)]},
        node_names=pair_names(n_lh, n_rh),
    )


def one_hemisphere(pair: Sample, hemi: str) -> Sample:
    """One hemisphere of a pair (:func:`both_hemispheres`), as a one-hemisphere sample (still moved along x)."""
    if hemi not in HEMIS:
        raise LoadError(f"hemi must be 'lh' or 'rh', not {hemi!r}.")
    n_lh, n_rh = hemisphere_sizes(pair)
    lo, hi = (0, n_lh) if hemi == "lh" else (n_lh, n_lh + n_rh)
    faces = pair.faces
    keep = faces[(faces >= lo).all(1) & (faces < hi).all(1)] - lo
    return cortex_sample(
        name=pair.name.replace("both hemispheres", hemi),
        source=f"{pair.source}#{hemi}",
        pos=pair.data.pos.numpy()[lo:hi],
        faces=keep,
        surfaces={k: v[lo:hi] for k, v in pair.surfaces.items()},
        x=pair.data.x.numpy()[lo:hi],
        feature_names=list(pair.feature_names),
        y=None if pair.data.get("y") is None else pair.data.y.numpy()[lo:hi],
        label_names=pair.label_names,
        sph=None if pair.data.get("sph") is None else pair.data.sph.numpy()[lo:hi],
        notices=[],
    )


def _columns(s: Sample, names: list[str]) -> np.ndarray:
    return s.data.x.numpy()[:, [s.feature_names.index(f) for f in names]]


def _fsaverage5_both() -> Sample:
    return both_hemispheres(load_fsaverage5("left"), load_fsaverage5("right"), real=True)


BUILTINS = [
    Builtin(
        "fsaverage5-both",
        "cortex",
        "fsaverage5 both hemispheres (cortex)",
        "FreeSurfer's fsaverage5 left and right hemispheres from nilearn side by side: 20,484 vertices, "
        "pial, white, inflated and sphere surfaces, sulcal depth and curvature.",
        _fsaverage5_both,
    )
]
