"""Where a :class:`~core.registration.io.Subject` comes from besides a subject folder.

The atlas, a synthetic warp of it, a cortex :class:`~core.sample.Sample`, or files a user
uploaded.

The app's registration page and the Python API build their hemispheres here; the CLI reads
folders and files with :mod:`core.registration.io`. All return the one :class:`Subject` type.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from nodescope.core.errors import LoadError
from nodescope.core.registration.atlas import FIXED_LEVELS, fixed_sulc
from nodescope.core.registration.io import NILEARN_HEMI, Subject, hemi_of, read_subject
from nodescope.core.registration.pipeline import FIXED_NAMES
from nodescope.core.registration.synthetic import synthetic_subject
from nodescope.core.uploads import safe_file_name, uploaded_files

if TYPE_CHECKING:
    from nodescope.core.sample import Sample

#: fsaverage5's display surfaces besides the sphere, in menu order.
FSAVERAGE5_SURFACES = ("inflated", "pial", "white")


def from_sample(sample: Sample, *, key: str = "", anatomy: tuple[str, ...] | None = None) -> Subject:
    """A cortex sample (with a ``sphere`` surface and a ``sulc`` feature) as a :class:`Subject`.

    Args:
        sample: a cortex :class:`~core.sample.Sample` (:func:`core.loaders.cortex.read_cortex`).
        key: the subject's key (default: a digest of its arrays).
        anatomy: surfaces of ``sample.surfaces`` to keep for display (default: every one but the sphere).

    Raises:
        LoadError: the sample has no sphere or no sulc.
    """
    if "sphere" not in sample.surfaces or "sulc" not in sample.feature_names:
        raise LoadError(f"{sample.name} needs a sphere surface and a sulc map to be registered.")
    x = sample.data.x.numpy().astype(np.float64)
    curv = x[:, sample.feature_names.index("curv")] if "curv" in sample.feature_names else None
    names = anatomy if anatomy is not None else tuple(k for k in sample.surfaces if k != "sphere")
    return Subject(
        name=sample.name,
        sphere=np.asarray(sample.surfaces["sphere"], dtype=np.float64),
        faces=np.asarray(sample.faces, dtype=np.int64),
        sulc=x[:, sample.feature_names.index("sulc")],
        curv=curv,
        anatomy={k: np.asarray(sample.surfaces[k], dtype=np.float64) for k in names},
        key=key,
    )


def fixed_subject(name: str = "fsaverage5", hemi: str = "lh") -> Subject:
    """The fixed (atlas) hemisphere: fsaverage5's ``hemi`` (sphere, inflated, pial, white), or fsaverage6's sphere.

    Args:
        name: the fixed surface (:data:`core.registration.pipeline.FIXED_NAMES`); ``fsaverage6``
            has SUGAR's 904-subject mean sulc and its sphere only (:mod:`core.registration.atlas`).
        hemi: ``"lh"`` or ``"rh"``; its key is ``fixed:<name>`` for ``lh``, ``fixed:<name>:rh`` for ``rh``.

    Raises:
        LoadError: ``name`` is not a fixed surface, ``hemi`` not one of its hemispheres, or
            SUGAR's atlas files are missing.
    """
    if name not in FIXED_NAMES:
        raise LoadError(f"Unknown fixed surface {name!r}; choose one of {', '.join(FIXED_NAMES)}.")
    if hemi not in NILEARN_HEMI:
        raise LoadError(f"hemi must be 'lh' or 'rh', not {hemi!r}.")
    key = f"fixed:{name}" + ("" if hemi == "lh" else f":{hemi}")
    if name != "fsaverage5":
        from nodescope.core.geometry.fsaverage import icosphere_level

        vertices, sulc = fixed_sulc(name, hemi)
        faces = icosphere_level(FIXED_LEVELS[name]).faces.numpy()
        return Subject(name=name, sphere=100.0 * vertices, faces=faces, sulc=sulc, key=key, hemi=hemi)
    from nodescope.core.loaders.cortex import load_fsaverage5  # torch and the loaders: only when asked

    subject = from_sample(load_fsaverage5(NILEARN_HEMI[hemi]), key=key, anatomy=FSAVERAGE5_SURFACES)
    return dataclasses.replace(subject, name=name, hemi=hemi)


def mirrored(subject: Subject, hemi: str | None = None) -> Subject:
    """A hemisphere's mirror image (x -> -x, triangles reversed to stay outward): a stand-in for the other one.

    The reference data has no real right hemisphere; the left one mirrored is the closest thing
    to one (a real ``rh`` differs from a mirrored ``lh`` by the brain's asymmetries).

    Args:
        subject: the hemisphere to mirror.
        hemi: the mirror's hemisphere (default: the other one).

    Returns:
        The mirrored :class:`Subject` (maps and labels unchanged; every surface and the truth mirrored).
    """
    flip = np.array([-1.0, 1.0, 1.0])
    other = hemi or ("rh" if subject.hemi == "lh" else "lh")
    return dataclasses.replace(
        subject,
        name=f"{subject.name} (mirrored {subject.hemi} as {other})",
        sphere=subject.sphere * flip,
        faces=np.ascontiguousarray(subject.faces[:, ::-1]),
        anatomy={k: v * flip for k, v in subject.anatomy.items()},
        truth=None if subject.truth is None else subject.truth * flip,
        volume_info=None,
        key="",
        hemi=other,
    )


def synthetic(
    seed: int,
    magnitude_deg: float = 10.0,
    rotation_deg: float = 20.0,
    *,
    atlas: Subject | None = None,
    hemi: str | None = None,
) -> Subject:
    """A synthetic subject: fsaverage5 warped by a known smooth deformation and rotation.

    Its vertices are fsaverage5's (:func:`core.registration.synthetic.synthetic_subject`), so
    the atlas's anatomy (inflated, pial, white) and curvature are this subject's too.

    Args:
        seed: random seed (the same seed gives the same subject).
        magnitude_deg: mean displacement of the non-rigid part, degrees.
        rotation_deg: angle of the rigid part, degrees.
        atlas: :func:`fixed_subject`, to lend its anatomy and curvature (None: sulc only).
        hemi: whose atlas sulc the subject has (default: the atlas's hemisphere, else ``"lh"``).

    Returns:
        The subject, with :attr:`Subject.truth` its known registered sphere.
    """
    hemi = hemi or (atlas.hemi if atlas is not None else "lh")
    vertices, faces, sulc, truth = synthetic_subject(seed, magnitude_deg, rotation_deg, hemi=hemi)
    faces = np.asarray(faces, dtype=np.int64)
    same_mesh = atlas is not None and np.array_equal(faces, atlas.faces)
    return Subject(
        name=f"synthetic {'rh ' if hemi == 'rh' else ''}subject (seed {seed}, warp {magnitude_deg:g}°, rotation {rotation_deg:g}°)",
        sphere=np.asarray(vertices, dtype=np.float64),
        faces=faces,
        sulc=np.asarray(sulc, dtype=np.float64),
        curv=atlas.curv if same_mesh else None,
        anatomy=dict(atlas.anatomy) if same_mesh else {},
        truth=np.asarray(truth, dtype=np.float64),
        key=f"synthetic:{seed}:{magnitude_deg:g}:{rotation_deg:g}" + ("" if hemi == "lh" else f":{hemi}"),
        hemi=hemi,
    )


def read_uploaded(
    sphere: tuple[str, bytes],
    sulc: tuple[str, bytes],
    curv: tuple[str, bytes] | None = None,
    surface: tuple[str, bytes] | None = None,
) -> Subject:
    """A moving hemisphere from uploaded FreeSurfer or GIfTI files, ``(name as uploaded, bytes)`` each.

    Written through :func:`core.uploads.uploaded_files`, so no server path reaches a message.

    Args:
        sphere: the native sphere (``lh.sphere`` or ``.surf.gii``); its name names the subject.
        sulc: its sulcal depth (``lh.sulc`` or ``.shape.gii``).
        curv: optional curvature.
        surface: optional anatomical surface of the same mesh for display (``lh.smoothwm``, ...),
            shown under its file name.

    Raises:
        LoadError: a one-line message naming the bad file.
    """
    roles = {"sphere": sphere, "sulc": sulc, "curv": curv, "surface": surface}
    given = {role: item for role, item in roles.items() if item is not None}
    with uploaded_files(list(given.values()), prefix="nodescope-registration-") as paths:
        path = dict(zip(given, paths, strict=True))
        subject = read_subject(
            path["sphere"], path["sulc"], curv=path.get("curv"), smoothwm=path.get("surface"), name=sphere[0],
            hemi=hemi_of(sphere[0]) or "lh",
        )  # fmt: skip
    digest = hashlib.sha1(b"".join(item[1] for item in given.values())).hexdigest()[:16]
    anatomy = {Path(surface[0]).name: subject.smoothwm} if surface is not None else {}
    return dataclasses.replace(subject, anatomy=anatomy, key=f"upload:{digest}")


def file_stem(subject: Subject) -> str:
    """A file-name stem for what is saved of ``subject``: its name without a sphere suffix, cleaned.

    Example:
        >>> file_stem(Subject("sub-01 lh.sphere", np.zeros((1, 3)), np.zeros((1, 3), int), np.zeros(1)))
        'sub-01_lh'
    """
    stem = re.sub(r"(\.sphere(\.reg)?)?(\.surf)?(\.gii)?$", "", subject.name, flags=re.IGNORECASE)
    return re.sub(r"_+", "_", safe_file_name(stem, "subject")).strip("_") or "subject"
