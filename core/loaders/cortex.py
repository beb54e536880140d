"""Cortical surfaces (FreeSurfer, GIfTI) as vertex graphs of kind ``cortex``.

A cortical hemisphere is a triangle mesh whose vertices correspond one-to-one across its
surfaces (``sphere``, ``pial``, ``white``, ``inflated``, ``smoothwm``): one graph, several
embeddings. ``data.pos`` is the (N, 3) float32 surface that was loaded (mm), every surface
found lies in ``Sample.surfaces``, ``data.face`` holds the (3, T) int64 triangles,
``data.edge_attr`` the (E, 1) float32 edge lengths on ``data.pos`` (mm), ``data.x`` the
per-vertex overlays (``sulc``, ``curv``, ...) and ``data.y`` the parcellation, -1 where a
vertex has none. When a spherical surface is present, ``data.sph`` holds each vertex's
(lat, lon) in degrees on it (see :mod:`core.geometry.sphere`).

Files understood: FreeSurfer triangle surfaces (``lh.pial``, magic ``FF FF FE``), FreeSurfer
morph data (``lh.sulc``, ``lh.thickness``, magic ``FF FF FF``), FreeSurfer ``.annot``,
FreeSurfer ``.mgh`` / ``.mgz`` morphometry overlays (``lh.thickness.mgz``: one feature per
frame), FreeSurfer ``.label`` files (``lh.cortex.label``: a 0/1 feature, 1 on the label's
vertices), and GIfTI (``.surf.gii`` geometry; ``.shape.gii`` / ``.func.gii`` / ``.label.gii``
data), each also gzipped (``.gii.gz``, as nilearn ships fsaverage).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import nibabel as nib
import numpy as np
from nibabel.freesurfer import read_annot, read_geometry, read_label, read_morph_data

from nodescope.core.errors import LoadError
from nodescope.core.geometry.sphere import xyz_to_latlon
from nodescope.core.geometry.triangles import edge_lengths, face_edges
from nodescope.core.loaders.registry import Builtin, FileReader
from nodescope.core.sample import Sample
from nodescope.core.validate import make_sample

FS_TRIANGLE_MAGIC = b"\xff\xff\xfe"
FS_CURV_MAGIC = b"\xff\xff\xff"
#: Surfaces of one hemisphere auto-discovered beside a FreeSurfer geometry, in display order.
SURFACE_NAMES = ("sphere", "pial", "white", "inflated", "smoothwm")
#: Morphometry auto-discovered beside a FreeSurfer geometry; also the first feature columns.
MORPH_NAMES = ("sulc", "curv")
#: A surface is spherical when its radii vary by less than this fraction of their mean.
SPHERE_TOLERANCE = 0.05
UNITS = {"pos": "mm", "edge_attr": "mm"}

_GIFTI_POINTSET = nib.nifti1.intent_codes["NIFTI_INTENT_POINTSET"]
_GIFTI_TRIANGLE = nib.nifti1.intent_codes["NIFTI_INTENT_TRIANGLE"]
_GIFTI_LABEL = nib.nifti1.intent_codes["NIFTI_INTENT_LABEL"]


def is_freesurfer_geometry(head: bytes) -> bool:
    """Whether a file's first bytes are a FreeSurfer triangle surface's magic number."""
    return head[:3] == FS_TRIANGLE_MAGIC


def is_freesurfer_morph(head: bytes) -> bool:
    """Whether a file's first bytes are FreeSurfer's "new" curv format (sulc, curv, thickness)."""
    return head[:3] == FS_CURV_MAGIC


def _head(path: Path, n: int = 16) -> bytes:
    try:
        with path.open("rb") as f:
            return f.read(n)
    except OSError as exc:
        raise LoadError(f"Cannot open {path.name}: {exc.strerror or exc}.") from exc


def _detail(exc: BaseException) -> str:
    text = str(exc).strip()
    return (text.splitlines()[0][:100] if text else type(exc).__name__).rstrip(".")


# ---------------------------------------------------------------- geometry
def _checked_geometry(coords: np.ndarray, faces: np.ndarray, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Validate (N, 3) coordinates and (T, 3) triangles; return float64 / int64 copies."""
    coords = np.asarray(coords, dtype=np.float64)
    faces = np.asarray(faces, dtype=np.int64)
    if coords.ndim != 2 or coords.shape[1] != 3 or len(coords) == 0:
        raise LoadError(f"{name} has no vertices (coordinates of shape {coords.shape}).")
    if faces.ndim != 2 or faces.shape[1] != 3 or len(faces) == 0:
        raise LoadError(f"{name} has no triangles (faces of shape {faces.shape}); it is not a surface mesh.")
    if not np.isfinite(coords).all():
        bad = int((~np.isfinite(coords).all(axis=1)).sum())
        raise LoadError(f"{name} has {bad} vertices with NaN or infinite coordinates; the file is corrupt.")
    if faces.min() < 0 or faces.max() >= len(coords):
        raise LoadError(
            f"{name} has a triangle using a vertex outside 0..{len(coords) - 1}; the file is corrupt or truncated."
        )
    return coords, faces


def _read_fs_geometry(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """(N, 3) coordinates and (T, 3) triangles of a FreeSurfer triangle surface."""
    head = _head(path)
    if not is_freesurfer_geometry(head):
        what = (
            "per-vertex data (morph format): give it as a companion" if is_freesurfer_morph(head) else "not"
        )
        raise LoadError(f"{path.name} is {what} a FreeSurfer triangle surface (magic bytes FF FF FE).")
    try:
        coords, faces = read_geometry(str(path))
    except Exception as exc:  # nibabel raises ValueError/IndexError/... on truncation
        raise LoadError(
            f"{path.name} is a corrupt or truncated FreeSurfer surface ({_detail(exc)})."
        ) from exc
    return _checked_geometry(coords, faces, path.name)


def _load_gifti(path: Path) -> nib.gifti.GiftiImage:
    try:
        img = nib.load(str(path))
    except Exception as exc:  # XML, base64 and zlib errors of every kind
        raise LoadError(
            f"{path.name} is not a readable GIfTI file ({_detail(exc)}); is it corrupt or truncated?"
        ) from exc
    if not isinstance(img, nib.gifti.GiftiImage):
        raise LoadError(f"{path.name} is not a GIfTI file (nibabel read it as {type(img).__name__}).")
    return img


def _gifti_geometry(img: nib.gifti.GiftiImage, name: str) -> tuple[np.ndarray, np.ndarray] | None:
    """Coordinates and triangles of a GIfTI surface, or None when it holds per-vertex data."""
    points = img.get_arrays_from_intent(_GIFTI_POINTSET)
    tris = img.get_arrays_from_intent(_GIFTI_TRIANGLE)
    if not points:
        return None
    if not tris:
        raise LoadError(f"{name} has vertex coordinates but no triangles; Nodescope needs a surface mesh.")
    try:
        return _checked_geometry(points[0].data, tris[0].data, name)
    except LoadError:
        raise
    except Exception as exc:
        raise LoadError(f"{name} holds malformed GIfTI arrays ({_detail(exc)}).") from exc


def _read_surface(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Geometry of a FreeSurfer or GIfTI surface file."""
    if ".gii" in path.name.lower():
        geom = _gifti_geometry(_load_gifti(path), path.name)
        if geom is None:
            raise LoadError(
                f"{path.name} holds per-vertex data, not a surface; load a .surf.gii and add this file as a companion."
            )
        return geom
    return _read_fs_geometry(path)


# ---------------------------------------------------------------- per-vertex data
@dataclass
class _Overlays:
    """Per-vertex data gathered from companion files, checked against N vertices."""

    n: int
    features: dict[str, np.ndarray] = field(default_factory=dict)
    labels: tuple[np.ndarray, list[str], str] | None = None  # (y, names, file)
    surfaces: dict[str, np.ndarray] = field(default_factory=dict)

    def check(self, count: int, name: str, what: str = "values") -> None:
        if count != self.n:
            raise LoadError(f"{name} has {count:,} {what} but the surface has {self.n:,} vertices.")

    def add_feature(self, name: str, values: np.ndarray) -> None:
        key, k = name, 1
        while key in self.features:
            k += 1
            key = f"{name}_{k}"
        self.features[key] = np.asarray(values, dtype=np.float32)


def _short_name(path: Path) -> str:
    """``lh.sulc`` -> ``sulc``; ``sub-01.L.thickness.shape.gii`` -> ``sub-01.L.thickness``."""
    name = re.sub(r"\.(shape|func|label|surf)?\.?gii(\.gz)?$", "", path.name, flags=re.I)
    return re.sub(r"^[lr]h\.", "", name)


def _add_morph(ov: _Overlays, path: Path) -> None:
    raw = _head(path, 15)
    if len(raw) < 15:
        raise LoadError(f"{path.name} is truncated: it is shorter than a FreeSurfer morph header.")
    declared = int.from_bytes(raw[3:7], "big")
    try:
        values = read_morph_data(str(path))
    except Exception as exc:
        raise LoadError(f"{path.name} is a corrupt FreeSurfer morph file ({_detail(exc)}).") from exc
    if len(values) != declared:
        raise LoadError(
            f"{path.name} is truncated: it declares {declared:,} values but holds {len(values):,}."
        )
    ov.check(len(values), path.name)
    if not np.isfinite(values).all():
        raise LoadError(f"{path.name} contains NaN or infinite values; the file is corrupt.")
    ov.add_feature(_short_name(path), values)


def _add_annot(ov: _Overlays, path: Path) -> None:
    try:
        labels, _, names = read_annot(str(path))
    except Exception as exc:
        raise LoadError(
            f"{path.name} is not a readable FreeSurfer .annot ({_detail(exc)}); is it truncated?"
        ) from exc
    ov.check(len(labels), path.name, "labels")
    label_names = [n.decode(errors="replace") if isinstance(n, bytes) else str(n) for n in names]
    if labels.max(initial=-1) >= len(label_names):
        raise LoadError(
            f"{path.name} uses label {int(labels.max())} but names only {len(label_names)} labels."
        )
    ov.labels = (labels.astype(np.int64), label_names, path.name)


def _add_gifti(ov: _Overlays, path: Path) -> None:
    img = _load_gifti(path)
    geom = _gifti_geometry(img, path.name)
    if geom is not None:
        ov.check(len(geom[0]), path.name, "vertices")
        ov.surfaces[_surface_name(path)] = geom[0]
        return
    if not img.darrays:
        raise LoadError(f"{path.name} holds no data arrays.")
    name = _short_name(path)
    for i, da in enumerate(img.darrays):
        data = np.asarray(da.data)
        data = data.reshape(len(data), -1) if data.ndim else data.reshape(1, 1)
        ov.check(len(data), path.name)
        if da.intent == _GIFTI_LABEL:
            table = img.labeltable.get_labels_as_dict() if img.labeltable is not None else {}
            # Label keys may be sparse (10, 20, ...): classes are their ranks; unknown keys get -1.
            keys = np.array(sorted(table) or np.unique(data).tolist(), dtype=np.int64)
            values = data[:, 0].astype(np.int64)
            rank = np.minimum(np.searchsorted(keys, values), len(keys) - 1)
            y = np.where(keys[rank] == values, rank, -1)
            ov.labels = (y, [str(table.get(int(k), int(k))) for k in keys], path.name)
            continue
        data = data.astype(np.float64)
        if not np.isfinite(data).all():
            raise LoadError(f"{path.name} contains NaN or infinite values; fill or remove them.")
        for c in range(data.shape[1]):
            suffix = f"_{i}" if len(img.darrays) > 1 else ""
            suffix += f"_{c}" if data.shape[1] > 1 else ""
            ov.add_feature(name + suffix, data[:, c])


def read_mgh_overlay(path: Path) -> np.ndarray:
    """(V, F) float64 values of a FreeSurfer ``.mgh`` / ``.mgz`` surface overlay, one column per frame.

    Raises:
        LoadError: unreadable, not an MGH image, a volume rather than V x 1 x 1, or non-finite values.
    """
    try:
        img = nib.load(str(path))
        data = np.asarray(img.dataobj, dtype=np.float64)
    except Exception as exc:
        raise LoadError(f"{path.name} is not a readable FreeSurfer .mgh/.mgz ({_detail(exc)}).") from exc
    if not isinstance(img, nib.freesurfer.MGHImage):
        raise LoadError(
            f"{path.name} is not a FreeSurfer .mgh/.mgz (nibabel read it as {type(img).__name__})."
        )
    if data.ndim < 3 or any(d != 1 for d in data.shape[1:3]):
        raise LoadError(f"{path.name} is a volume {data.shape}, not a surface overlay (V x 1 x 1).")
    data = data.reshape(data.shape[0], -1)
    if not np.isfinite(data).all():
        raise LoadError(f"{path.name} contains NaN or infinite values; fill or remove them.")
    return data


def _add_mgh(ov: _Overlays, path: Path) -> None:
    """A FreeSurfer ``.mgh`` / ``.mgz`` overlay: one feature per frame."""
    data = read_mgh_overlay(path)
    ov.check(len(data), path.name)
    name = re.sub(r"\.mg[hz]$", "", _short_name(path), flags=re.I)
    for c in range(data.shape[1]):
        ov.add_feature(name + (f"_{c}" if data.shape[1] > 1 else ""), data[:, c])


def _add_label(ov: _Overlays, path: Path) -> None:
    """A FreeSurfer ``.label``: a 0/1 feature, 1 on the vertices it lists."""
    try:
        vertices = np.asarray(read_label(str(path)), dtype=np.int64).reshape(-1)
    except Exception as exc:
        raise LoadError(f"{path.name} is not a readable FreeSurfer .label ({_detail(exc)}).") from exc
    if len(vertices) and (vertices.min() < 0 or vertices.max() >= ov.n):
        raise LoadError(
            f"{path.name} lists vertex {int(vertices.max())} but the surface has {ov.n:,} vertices; "
            "is it a label of another subject or hemisphere?"
        )
    mask = np.zeros(ov.n)
    mask[vertices] = 1.0
    ov.add_feature(re.sub(r"\.label$", "", _short_name(path), flags=re.I), mask)


def _add_companion(ov: _Overlays, path: Path) -> None:
    """Dispatch one companion file on its name or magic bytes."""
    lower = path.name.lower()
    if not path.is_file():
        raise LoadError(f"No such file: '{path}'.")
    if lower.endswith(".annot"):
        _add_annot(ov, path)
    elif ".gii" in lower:
        _add_gifti(ov, path)
    elif lower.endswith((".mgh", ".mgz")):
        _add_mgh(ov, path)
    elif lower.endswith(".label"):
        _add_label(ov, path)
    else:
        head = _head(path)
        if is_freesurfer_morph(head):
            _add_morph(ov, path)
        elif is_freesurfer_geometry(head):
            coords, _ = _read_fs_geometry(path)
            ov.check(len(coords), path.name, "vertices")
            ov.surfaces[_surface_name(path)] = coords
        else:
            raise LoadError(
                f"{path.name} is not a FreeSurfer morph file, .annot, .label, .mgh/.mgz, surface or GIfTI; "
                "Nodescope cannot use it as a cortical overlay."
            )


# ---------------------------------------------------------------- surfaces and discovery
_FS_NAME = re.compile(r"^(lh|rh)\.(.+)$")


def _surface_name(path: Path) -> str:
    """``lh.sphere.reg`` -> ``sphere.reg``; ``sub-01_hemi-L_pial.surf.gii`` -> ``pial``."""
    m = _FS_NAME.match(path.name)
    if m:
        return m.group(2)
    short = _short_name(path)
    words = re.split(r"[^a-z]+", short.lower())
    return next((s for s in SURFACE_NAMES if s in words), short)


def _discover(path: Path, given: set[Path]) -> list[Path]:
    """FreeSurfer siblings of ``surf/lh.X``: other surfaces, sulc/curv, ``../label/lh.aparc.annot``."""
    m = _FS_NAME.match(path.name)
    if not m:
        return []
    hemi, folder = m.group(1), path.parent
    found = [folder / f"{hemi}.{s}" for s in SURFACE_NAMES if s != m.group(2)]
    found += [folder / f"{hemi}.{s}" for s in MORPH_NAMES]
    found.append(folder.parent / "label" / f"{hemi}.aparc.annot")
    return [p for p in found if p.is_file() and p.resolve() not in given]


def is_spherical(coords: np.ndarray) -> bool:
    """Whether (N, 3) points lie on a sphere about the origin (radii within SPHERE_TOLERANCE)."""
    r = np.linalg.norm(coords, axis=1)
    return bool(r.min() > 0 and (r.max() - r.min()) <= SPHERE_TOLERANCE * r.mean())


def _assemble(
    *,
    name: str,
    source: str,
    pos: np.ndarray,
    faces: np.ndarray,
    ov: _Overlays,
    notices: list[str],
) -> Sample:
    """Build the cortex sample from geometry, surfaces and overlays (see the module docstring)."""
    ordered = [k for k in MORPH_NAMES if k in ov.features] + [k for k in ov.features if k not in MORPH_NAMES]
    if ordered:
        x = np.column_stack([ov.features[k] for k in ordered])
        feature_names = ordered
    else:
        x, feature_names = pos, ["x", "y", "z"]
    y, label_names = (ov.labels[0], ov.labels[1]) if ov.labels else (None, None)
    return cortex_sample(
        name=name, source=source, pos=pos, faces=faces, surfaces=ov.surfaces, x=x, feature_names=feature_names,
        y=y, label_names=label_names, notices=notices,
    )  # fmt: skip


def cortex_sample(
    *,
    name: str,
    source: str,
    pos: np.ndarray,
    faces: np.ndarray,
    surfaces: dict[str, np.ndarray],
    x: np.ndarray,
    feature_names: list[str],
    y: np.ndarray | None = None,
    label_names: list[str] | None = None,
    notices: list[str] | None = None,
    sph: np.ndarray | None = None,
    extra: dict[str, np.ndarray | None] | None = None,
    node_names: list[str] | None = None,
) -> Sample:
    """A ``cortex`` sample from its arrays (see the module docstring for what each holds).

    Args:
        name: display name.
        source: where it came from.
        pos: (N, 3) the loaded surface (mm), ``data.pos``.
        faces: (T, 3) triangles.
        surfaces: every surface by name, (N, 3) each.
        x: (N, F) per-vertex maps named by ``feature_names``.
        feature_names: F names.
        y: (N,) parcellation, -1 where none; ``label_names`` its names.
        label_names: the parcellation's names.
        notices: what the user should know about the sample.
        sph: (N, 2) (lat, lon) in degrees (default: from ``pos`` or the ``sphere`` surface when spherical).
        extra: further per-vertex ``Data`` attributes (both hemispheres: ``hemi``).
        node_names: N vertex names (default: none; vertices go by id).
    """
    faces = np.asarray(faces, dtype=np.int64)
    if sph is None:
        sphere = pos if is_spherical(pos) else surfaces.get("sphere")
        if sphere is not None and is_spherical(sphere):
            sph = xyz_to_latlon(sphere).astype(np.float32)
    edges = face_edges(faces)
    return make_sample(
        kind="cortex",
        name=name,
        source=source,
        num_nodes=len(pos),
        edge_index=edges,
        x=x,
        feature_names=feature_names,
        y=y,
        edge_values={"edge_attr": edge_lengths(pos, edges)},
        extra={
            "pos": pos.astype(np.float32),
            "face": np.ascontiguousarray(faces.T),
            "sph": sph,
            **(extra or {}),
        },
        label_names=label_names,
        node_names=node_names,
        surfaces={k: np.asarray(v, dtype=np.float32) for k, v in surfaces.items()},
        units=dict(UNITS),
        notices=list(notices or []),
    )


def read_cortex(path: Path, companions: list[Path]) -> Sample:
    """Read a cortical surface and its overlays into a ``cortex`` sample.

    Args:
        path: the geometry: a FreeSurfer surface (``lh.pial``, ``rh.sphere.reg``) or a ``.surf.gii``.
        companions: overlays for it: FreeSurfer morph files (``lh.sulc``), ``.annot``, ``.label``,
            ``.mgh``/``.mgz``, GIfTI data (``.shape.gii``, ``.func.gii``, ``.label.gii``, also
            ``.gii.gz``) or other surfaces of
            the same hemisphere. In a FreeSurfer subject layout (``surf/lh.X``) the other
            surfaces, ``sulc``, ``curv`` and ``../label/lh.aparc.annot`` are found without
            being given; a broken auto-found file is skipped with a notice.

    Raises:
        LoadError: corrupt, truncated or wrong-format files, and overlays whose length is
            not the number of vertices.
    """
    path = Path(path)
    if not path.is_file():
        raise LoadError(f"No such surface file: '{path}'.")
    coords, faces = _read_surface(path)
    ov = _Overlays(n=len(coords))
    ov.surfaces[_surface_name(path)] = coords
    for p in companions:
        _add_companion(ov, Path(p))
    notices: list[str] = []
    given = {Path(p).resolve() for p in [path, *companions]}
    for p in _discover(path, given):
        try:
            _add_companion(ov, p)
        except LoadError as err:
            notices.append(f"Skipped {p.name} found beside the surface: {err}")
    # Surfaces in display order, the loaded one first.
    first = _surface_name(path)
    order = {k: i for i, k in enumerate(SURFACE_NAMES)}
    rest = sorted((k for k in ov.surfaces if k != first), key=lambda k: (order.get(k, len(order)), k))
    ov.surfaces = {k: ov.surfaces[k] for k in [first, *rest]}
    subject = path.parent.parent.name if path.parent.name == "surf" else ""
    name = f"{subject} {path.name}".strip()
    return _assemble(name=name, source=str(path), pos=coords, faces=faces, ov=ov, notices=notices)


# ---------------------------------------------------------------- fsaverage5 (shipped by nilearn)
def load_fsaverage5(hemi: str = "left") -> Sample:
    """Nilearn's fsaverage5 hemisphere (10,242 vertices), read from files inside nilearn's wheel.

    Surfaces ``pial`` (= ``data.pos``), ``white``, ``inflated``, ``sphere``; features
    ``sulc``, ``curv``; ``data.sph`` from the sphere. No parcellation (nilearn downloads those).

    Args:
        hemi: ``"left"`` or ``"right"``.
    """
    if hemi not in ("left", "right"):
        raise LoadError(f"hemi must be 'left' or 'right', not {hemi!r}.")
    from nilearn.datasets import fetch_surf_fsaverage  # slow import; only when asked for

    try:
        files = fetch_surf_fsaverage("fsaverage5")
    except Exception as exc:
        raise LoadError(f"nilearn could not provide fsaverage5 ({_detail(exc)}).") from exc
    keys = {"pial": "pial", "white": "white", "inflated": "infl", "sphere": "sphere"}
    ov: _Overlays | None = None
    faces = None
    for surf, key in keys.items():
        p = Path(files[f"{key}_{hemi}"])
        geom = _gifti_geometry(_load_gifti(p), p.name)
        if geom is None:
            raise LoadError(f"nilearn's {p.name} holds no surface.")
        if ov is None:
            ov, faces = _Overlays(n=len(geom[0])), geom[1]
        ov.check(len(geom[0]), p.name, "vertices")
        ov.surfaces[surf] = geom[0]
    assert ov is not None and faces is not None
    for morph in MORPH_NAMES:
        p = Path(files[f"{morph}_{hemi}"])
        data = np.asarray(_load_gifti(p).darrays[0].data, dtype=np.float64).reshape(-1)
        ov.check(len(data), p.name)
        ov.add_feature(morph, data)
    return _assemble(
        name=f"fsaverage5 {hemi} hemisphere",
        source=f"builtin:fsaverage5-{hemi}",
        pos=ov.surfaces["pial"],
        faces=faces,
        ov=ov,
        notices=[],
    )


BUILTINS = [
    Builtin(
        f"fsaverage5-{hemi}",
        "cortex",
        f"fsaverage5 {hemi} hemisphere (cortex)",
        f"FreeSurfer's fsaverage5 {hemi} hemisphere from nilearn: 10,242 vertices on an icosphere, "
        "with pial, white, inflated and sphere surfaces and sulcal depth and curvature.",
        partial(load_fsaverage5, hemi),
    )
    for hemi in ("left", "right")
]

READERS = [
    FileReader(
        "cortex",
        (".gii", ".gii.gz", ".white", ".pial", ".sphere", ".inflated", ".smoothwm", ".orig", ".reg"),
        read_cortex,
        sniff=is_freesurfer_geometry,
    )
]
