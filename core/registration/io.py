"""Reading a subject to register and writing its registered sphere (FreeSurfer or GIfTI).

A subject is its native sphere (``surf/lh.sphere``) and sulcal depth (``surf/lh.sulc``), with
optionally curvature, the smoothed white surface (for 3D views) and the Desikan-Killiany
parcellation (``label/lh.aparc.annot``, for Dice); the same with ``rh.`` for a right
hemisphere, which :attr:`Subject.hemi` records. Every problem with a file becomes a
one-line :class:`~core.errors.LoadError`. Kept free of torch and the loaders package so a
batch registration starts fast.
"""

from __future__ import annotations

import hashlib
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nibabel as nib
import numpy as np
from nibabel.freesurfer import read_annot, read_geometry, read_morph_data, write_geometry

from nodescope.core.errors import LoadError
from nodescope.core.loaders.cortex import read_mgh_overlay

FS_TRIANGLE_MAGIC = b"\xff\xff\xfe"
FS_MORPH_MAGIC = b"\xff\xff\xff"
#: A sphere's vertex radii may vary by this fraction of their mean (FreeSurfer's: ~1e-7).
SPHERE_TOLERANCE = 0.05

#: Hemispheres, as FreeSurfer names them (file prefixes ``lh.``/``rh.``).
HEMIS = ("lh", "rh")
#: nilearn's names of the same hemispheres (``fsaverage5_map(..., "left")``).
NILEARN_HEMI = {"lh": "left", "rh": "right"}

_POINTSET = nib.nifti1.intent_codes["NIFTI_INTENT_POINTSET"]
_TRIANGLE = nib.nifti1.intent_codes["NIFTI_INTENT_TRIANGLE"]


@dataclass(frozen=True)
class Subject:
    """One hemisphere of a subject: what the registration needs and what the app shows of it.

    The one type for a hemisphere to register (or register onto): read from files
    (:func:`read_subject`, :func:`read_subject_dir`), uploaded, an atlas or a synthetic
    warp (:mod:`core.registration.subjects`). Arrays may be shared through caches: do not
    modify them.

    Attributes:
        name: the subject folder's name (or the sphere file's); shown in titles.
        sphere: (V, 3) float64 native sphere, mm (FreeSurfer's radius is 100).
        faces: (F, 3) int64 triangles, outward.
        sulc: (V,) float64 sulcal depth.
        curv: (V,) float64 curvature, or None.
        anatomy: other surfaces of the same mesh for display, name -> (V, 3) float64 mm
            (``smoothwm`` when read from FreeSurfer files; ``inflated``, ``pial``, ``white``
            for fsaverage5).
        labels: (V,) int64 parcellation ids (-1: no label), or None.
        label_names: the name of each label id.
        volume_info: FreeSurfer's volume geometry of the sphere file (written back with the
            registered sphere), or None for GIfTI.
        truth: (V, 3) float64 the known registered sphere (a synthetic subject), else None.
        key: identifies the content (cache and run keys); a digest of the arrays (and the
            hemisphere, when ``rh``) when not given.
        hemi: ``"lh"`` or ``"rh"``: which atlas hemisphere it registers onto.
    """

    name: str
    sphere: np.ndarray
    faces: np.ndarray
    sulc: np.ndarray
    curv: np.ndarray | None = None
    anatomy: dict[str, np.ndarray] = field(default_factory=dict)
    labels: np.ndarray | None = None
    label_names: tuple[str, ...] = ()
    volume_info: dict[str, Any] | None = None
    truth: np.ndarray | None = None
    key: str = ""
    hemi: str = "lh"

    def __post_init__(self) -> None:
        if self.hemi not in HEMIS:
            raise LoadError(f"hemi must be 'lh' or 'rh', not {self.hemi!r}.")
        if not self.key:
            h = hashlib.blake2b(digest_size=8)
            if self.hemi != "lh":
                h.update(self.hemi.encode())
            for array in (self.sphere, self.faces, self.sulc, self.curv, *self.anatomy.values()):
                if array is not None:
                    h.update(np.ascontiguousarray(array).tobytes())
            object.__setattr__(self, "key", f"subject:{h.hexdigest()}")

    @property
    def smoothwm(self) -> np.ndarray | None:
        """(V, 3) the smoothed white surface, mm, or None."""
        return self.anatomy.get("smoothwm")

    @property
    def maps(self) -> dict[str, np.ndarray]:
        """Per-vertex maps, name -> (V,) float64: ``sulc``, and ``curv`` when known."""
        return {"sulc": self.sulc} | ({"curv": self.curv} if self.curv is not None else {})

    @property
    def surfaces(self) -> dict[str, np.ndarray]:
        """Every surface to draw, name -> (V, 3) mm: ``sphere`` first, then :attr:`anatomy`."""
        return {"sphere": self.sphere} | self.anatomy


def _head(path: Path) -> bytes:
    if not path.is_file():
        raise LoadError(f"No such file: '{path}'.")
    try:
        with path.open("rb") as f:
            return f.read(15)
    except OSError as exc:
        raise LoadError(f"Cannot open {path.name}: {exc.strerror or exc}.") from exc


def _detail(exc: BaseException) -> str:
    text = str(exc).strip()
    return (text.splitlines()[0][:100] if text else type(exc).__name__).rstrip(".")


def _gifti(path: Path) -> nib.gifti.GiftiImage:
    try:
        img = nib.load(str(path))
    except Exception as exc:  # XML, base64 and zlib errors of every kind
        raise LoadError(f"{path.name} is not a readable GIfTI file ({_detail(exc)}).") from exc
    if not isinstance(img, nib.gifti.GiftiImage) or not img.darrays:
        raise LoadError(f"{path.name} holds no GIfTI data arrays.")
    return img


def _read_surface(path: Path) -> tuple[np.ndarray, np.ndarray, dict[str, Any] | None]:
    """(V, 3) float64 coordinates, (F, 3) int64 faces and FreeSurfer volume info of a surface file."""
    head = _head(path)
    if ".gii" in path.name.lower():
        img = _gifti(path)
        points, tris = img.get_arrays_from_intent(_POINTSET), img.get_arrays_from_intent(_TRIANGLE)
        if not points or not tris:
            raise LoadError(f"{path.name} is not a GIfTI surface (it needs a point set and triangles).")
        coords, faces, info = points[0].data, tris[0].data, None
    elif head[:3] == FS_TRIANGLE_MAGIC:
        try:
            with warnings.catch_warnings():  # files without volume info are fine: they get None
                warnings.simplefilter("ignore", UserWarning)
                coords, faces, info = read_geometry(str(path), read_metadata=True)
        except Exception as exc:  # nibabel raises ValueError/IndexError/... on truncation
            raise LoadError(
                f"{path.name} is a corrupt or truncated FreeSurfer surface ({_detail(exc)})."
            ) from exc
        info = dict(info) or None
    else:
        raise LoadError(
            f"{path.name} is neither a FreeSurfer triangle surface (magic FF FF FE) nor a GIfTI .gii."
        )
    coords, faces = np.asarray(coords, dtype=np.float64), np.asarray(faces, dtype=np.int64)
    if coords.ndim != 2 or coords.shape[1] != 3 or faces.ndim != 2 or faces.shape[1] != 3 or not len(faces):
        raise LoadError(
            f"{path.name} has no triangle mesh (coordinates {coords.shape}, faces {faces.shape})."
        )
    if not np.isfinite(coords).all():
        raise LoadError(f"{path.name} has NaN or infinite coordinates; the file is corrupt.")
    if faces.min() < 0 or faces.max() >= len(coords):
        raise LoadError(
            f"{path.name} has a triangle using a vertex outside 0..{len(coords) - 1}; it is corrupt."
        )
    return coords, faces, info


def read_sphere(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """A spherical surface (FreeSurfer ``lh.sphere`` / ``lh.sphere.reg`` or ``.surf.gii``).

    Returns:
        ``(vertices, faces)``: (V, 3) float64 mm and (F, 3) int64.

    Raises:
        LoadError: missing, corrupt or not a surface, or not a sphere about the origin.
    """
    path = Path(path)
    coords, faces, _ = _read_surface(path)
    _check_sphere(coords, path.name)
    return coords, faces


def _check_sphere(coords: np.ndarray, name: str) -> None:
    r = np.linalg.norm(coords, axis=1)
    if not (r.min() > 0 and r.max() - r.min() <= SPHERE_TOLERANCE * r.mean()):
        raise LoadError(
            f"{name} is not a sphere about the origin (radii {r.min():.3g} to {r.max():.3g}); "
            "give the subject's spherical surface (surf/lh.sphere)."
        )


def read_morph(path: str | Path, n_vertices: int) -> np.ndarray:
    """(V,) float64 per-vertex values from a FreeSurfer morph file (``lh.sulc``), ``.mgh``/``.mgz`` or ``.shape.gii``.

    Raises:
        LoadError: missing, corrupt or truncated, non-finite, or not ``n_vertices`` values.
    """
    path = Path(path)
    head = _head(path)
    if ".gii" in path.name.lower():
        values = np.asarray(_gifti(path).darrays[0].data, dtype=np.float64).reshape(-1)
    elif path.name.lower().endswith((".mgh", ".mgz")):
        values = read_mgh_overlay(path)
        if values.shape[1] != 1:
            raise LoadError(f"{path.name} holds {values.shape[1]} frames; a morph overlay has one.")
        values = values[:, 0]
    elif head[:3] == FS_MORPH_MAGIC:
        if len(head) < 15:
            raise LoadError(f"{path.name} is truncated: it is shorter than a FreeSurfer morph header.")
        declared = int.from_bytes(head[3:7], "big")
        try:
            values = np.asarray(read_morph_data(str(path)), dtype=np.float64)
        except Exception as exc:
            raise LoadError(f"{path.name} is a corrupt FreeSurfer morph file ({_detail(exc)}).") from exc
        if len(values) != declared:
            raise LoadError(
                f"{path.name} is truncated: it declares {declared:,} values but holds {len(values):,}."
            )
    else:
        raise LoadError(
            f"{path.name} is neither a FreeSurfer morph file (magic FF FF FF), an .mgh/.mgz nor a GIfTI .gii."
        )
    if len(values) != n_vertices:
        raise LoadError(f"{path.name} has {len(values):,} values but the sphere has {n_vertices:,} vertices.")
    if not np.isfinite(values).all():
        raise LoadError(f"{path.name} contains NaN or infinite values; the file is corrupt.")
    return values


def _read_labels(path: Path, n_vertices: int) -> tuple[np.ndarray, tuple[str, ...]]:
    _head(path)
    try:
        labels, _, names = read_annot(str(path))
    except Exception as exc:
        raise LoadError(f"{path.name} is not a readable FreeSurfer .annot ({_detail(exc)}).") from exc
    if len(labels) != n_vertices:
        raise LoadError(f"{path.name} has {len(labels):,} labels but the sphere has {n_vertices:,} vertices.")
    names = tuple(n.decode(errors="replace") if isinstance(n, bytes) else str(n) for n in names)
    if labels.max(initial=-1) >= len(names):
        raise LoadError(f"{path.name} uses label {int(labels.max())} but names only {len(names)} labels.")
    return labels.astype(np.int64), names


def hemi_of(path: str | Path) -> str | None:
    """The hemisphere a FreeSurfer file name says (``lh.sphere`` -> ``"lh"``), or None.

    Example:
        >>> hemi_of("sub-01/surf/rh.sphere"), hemi_of("sphere.surf.gii")
        ('rh', None)
    """
    prefix = Path(path).name[:3].lower()
    return prefix[:2] if prefix in ("lh.", "rh.") else None


def read_subject(
    sphere: str | Path,
    sulc: str | Path,
    *,
    curv: str | Path | None = None,
    smoothwm: str | Path | None = None,
    annot: str | Path | None = None,
    name: str | None = None,
    hemi: str | None = None,
) -> Subject:
    """Read a subject's native sphere and maps from explicit files (FreeSurfer or GIfTI).

    Args:
        sphere: the native sphere (``lh.sphere``, ``.surf.gii``).
        sulc: its sulcal depth (``lh.sulc``, ``.shape.gii``).
        curv: optional curvature (``lh.curv``, ``.shape.gii``).
        smoothwm: optional smoothed white surface (``lh.smoothwm``, ``.surf.gii``).
        annot: optional parcellation (``lh.aparc.annot``).
        name: defaults to the sphere's name.
        hemi: ``"lh"`` or ``"rh"``; by default the sphere's file name prefix (:func:`hemi_of`), else ``"lh"``.

    Raises:
        LoadError: any missing, corrupt or mismatched file, or an unknown ``hemi``.
    """
    sphere = Path(sphere)
    coords, faces, info = _read_surface(sphere)
    _check_sphere(coords, sphere.name)
    n = len(coords)
    white = None
    if smoothwm is not None:
        white, white_faces, _ = _read_surface(Path(smoothwm))
        if len(white) != n or not np.array_equal(white_faces, faces):
            raise LoadError(f"{Path(smoothwm).name} is not a surface of the same mesh as {sphere.name}.")
    labels, names = _read_labels(Path(annot), n) if annot is not None else (None, ())
    return Subject(
        name=name or sphere.name,
        sphere=coords,
        faces=faces,
        sulc=read_morph(sulc, n),
        curv=read_morph(curv, n) if curv is not None else None,
        anatomy={} if white is None else {"smoothwm": white},
        labels=labels,
        label_names=names,
        volume_info=info,
        hemi=hemi or hemi_of(sphere) or "lh",
    )


def read_subject_dir(folder: str | Path, hemi: str = "lh") -> Subject:
    """Read a FreeSurfer subject folder.

    ``surf/{hemi}.sphere`` and ``surf/{hemi}.sulc``, plus ``surf/{hemi}.curv``,
    ``surf/{hemi}.smoothwm`` and ``label/{hemi}.aparc.annot`` when present.

    Raises:
        LoadError: the folder lacks the sphere or sulc, or a file is corrupt.
    """
    folder = Path(folder)
    if hemi not in HEMIS:
        raise LoadError(f"hemi must be 'lh' or 'rh', not {hemi!r}.")
    if not folder.is_dir():
        raise LoadError(f"No such subject folder: '{folder}'.")
    surf = folder / "surf"
    for needed in (surf / f"{hemi}.sphere", surf / f"{hemi}.sulc"):
        if not needed.is_file():
            raise LoadError(
                f"{folder.name} has no {needed.relative_to(folder)}; is it a FreeSurfer subject folder?"
            )

    def optional(path: Path) -> Path | None:
        return path if path.is_file() else None

    return read_subject(
        surf / f"{hemi}.sphere",
        surf / f"{hemi}.sulc",
        curv=optional(surf / f"{hemi}.curv"),
        smoothwm=optional(surf / f"{hemi}.smoothwm"),
        annot=optional(folder / "label" / f"{hemi}.aparc.annot"),
        name=folder.name,
        hemi=hemi,
    )


def write_sphere(
    path: str | Path, vertices: np.ndarray, faces: np.ndarray, volume_info: dict[str, Any] | None = None
) -> Path:
    """Write a (registered) sphere: GIfTI when the name ends in ``.gii``, else FreeSurfer geometry.

    Args:
        path: output file; its folder is created if needed.
        vertices: (V, 3) coordinates, mm (stored as float32 in both formats).
        faces: (F, 3) triangles.
        volume_info: FreeSurfer volume geometry to carry over (:attr:`Subject.volume_info`);
            FreeSurfer format only.

    Returns:
        The path written.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    coords = np.asarray(vertices, dtype=np.float32)
    tris = np.asarray(faces, dtype=np.int32)
    if path.name.lower().endswith(".gii"):
        img = nib.gifti.GiftiImage(
            darrays=[
                nib.gifti.GiftiDataArray(
                    coords, intent="NIFTI_INTENT_POINTSET", datatype="NIFTI_TYPE_FLOAT32"
                ),
                nib.gifti.GiftiDataArray(tris, intent="NIFTI_INTENT_TRIANGLE", datatype="NIFTI_TYPE_INT32"),
            ]
        )
        nib.save(img, str(path))
    else:
        write_geometry(str(path), coords, tris, volume_info=volume_info)
    return path


def sphere_bytes(
    vertices: np.ndarray,
    faces: np.ndarray,
    fmt: str = "freesurfer",
    volume_info: dict[str, Any] | None = None,
) -> bytes:
    """A (registered) sphere as file bytes, as :func:`write_sphere` writes it (for downloads).

    Args:
        vertices: (V, 3) coordinates, mm.
        faces: (F, 3) triangles.
        fmt: ``"freesurfer"`` (geometry format, with ``volume_info``) or ``"gifti"`` (``.surf.gii``).
        volume_info: FreeSurfer volume geometry to carry over; ignored for GIfTI.
    """
    name = "registered.surf.gii" if fmt == "gifti" else "registered.sphere.reg"
    with tempfile.TemporaryDirectory(prefix="nodescope-sphere-") as tmp:
        path = write_sphere(Path(tmp) / name, vertices, faces, volume_info if fmt != "gifti" else None)
        return path.read_bytes()
