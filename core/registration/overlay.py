"""Per-vertex overlays moved from a subject onto an atlas through its registered sphere.

The reason to register at all: a subject's thickness, area or parcellation, one value per
native vertex, read at every atlas vertex. Each atlas vertex (a direction on the sphere) is
located in the registered sphere's triangles (:func:`core.geometry.resample.locate`);
continuous values are interpolated with the barycentric weights, labels taken from the
triangle's heaviest vertex (:func:`core.geometry.resample.carry_labels`), so a parcellation
stays integer with no label invented.

Read: FreeSurfer morph files (``lh.thickness``), ``.mgh``/``.mgz`` (one frame), GIfTI
``.shape.gii``/``.func.gii`` (continuous) and ``.label.gii`` (labels), ``.annot``
(parcellation) and ``.label`` (a 0/1 label). Written by the output's suffix: ``.label.gii``,
other ``.gii`` (``.func.gii``, ``.shape.gii``), ``.mgh``/``.mgz``, ``.annot``, and a FreeSurfer
morph file for any other name. Every problem is a one-line :class:`~core.errors.LoadError`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

import nibabel as nib
import numpy as np
from nibabel.freesurfer import read_annot, read_label, write_annot, write_morph_data

from nodescope.core.errors import LoadError
from nodescope.core.geometry.fsaverage import icosphere_level
from nodescope.core.geometry.resample import carry_labels, locate, resample
from nodescope.core.registration.io import _gifti, _head, _read_labels, read_morph

#: Atlases an overlay can be moved onto: name -> icosphere level (FreeSurfer's vertex order).
TARGETS = {"fsaverage5": 5, "fsaverage6": 6}
_LABEL_INTENT = nib.nifti1.intent_codes["NIFTI_INTENT_LABEL"]


@dataclass(frozen=True)
class Overlay:
    """One per-vertex map: continuous values, or labels with their names.

    Attributes:
        name: the file's name (for messages).
        values: (V,) float64 values, or int64 label ids (-1: no label) when ``is_labels``.
        is_labels: labels (a parcellation, a ``.label``): carried by nearest vertex, never averaged.
        label_names: the name of each label id ``0..K-1`` (labels only).
        colors: (K, 4) uint8 RGBA of each label id, or None (labels only).
    """

    name: str
    values: np.ndarray
    is_labels: bool = False
    label_names: tuple[str, ...] = ()
    colors: np.ndarray | None = None


def _is_label_gifti(path: Path) -> bool:
    return path.name.lower().endswith((".label.gii", ".label.gii.gz"))


def read_overlay(path: str | Path, n_vertices: int) -> Overlay:
    """Read a per-vertex overlay of a ``n_vertices`` mesh (formats: the module docstring).

    Raises:
        LoadError: missing, unreadable, or not ``n_vertices`` values (a file of another mesh).
    """
    path = Path(path)
    lower = path.name.lower()
    if lower.endswith(".annot"):
        labels, names = _read_labels(path, n_vertices)
        ctab = read_annot(str(path))[1]
        colors = np.column_stack([ctab[:, :3], 255 - ctab[:, 3]]).astype(
            np.uint8
        )  # alpha = 255 - transparency
        return Overlay(path.name, labels, True, names, colors)
    if lower.endswith(".label"):
        _head(path)
        try:
            listed = np.asarray(read_label(str(path)), dtype=np.int64).reshape(-1)
        except Exception as exc:
            raise LoadError(f"{path.name} is not a readable FreeSurfer .label ({exc}).") from exc
        if len(listed) and (listed.min() < 0 or listed.max() >= n_vertices):
            raise LoadError(
                f"{path.name} lists vertex {int(listed.max())} but the sphere has {n_vertices:,} vertices."
            )
        mask = np.zeros(n_vertices, dtype=np.int64)
        mask[listed] = 1
        stem = re.sub(r"\.label$", "", path.name, flags=re.I)
        return Overlay(path.name, mask, True, ("outside", stem))
    if _is_label_gifti(path):
        _head(path)
        img = _gifti(path)
        data = np.asarray(img.darrays[0].data).reshape(-1)
        if img.darrays[0].intent != _LABEL_INTENT:
            raise LoadError(f"{path.name} is named .label.gii but holds no label array.")
        if len(data) != n_vertices:
            raise LoadError(
                f"{path.name} has {len(data):,} labels but the sphere has {n_vertices:,} vertices."
            )
        data = data.astype(np.int64)
        table = img.labeltable.labels if img.labeltable is not None else []
        # Label keys may be sparse (10, 20, ...): ids are their ranks; a negative key is "no label" (-1).
        keys = np.array(sorted(k for k in {int(x.key) for x in table} | set(data.tolist()) if k >= 0))
        by_key = {int(x.key): x for x in table}
        names = tuple(str(by_key[k].label) if k in by_key else str(int(k)) for k in keys)
        colors = np.array(
            [(np.array(by_key[k].rgba) * 255).round() if k in by_key else (128, 128, 128, 255) for k in keys],
            dtype=np.uint8,
        ).reshape(-1, 4)
        ids = np.where(data >= 0, np.searchsorted(keys, data), -1)
        return Overlay(path.name, ids, True, names, colors)
    return Overlay(path.name, read_morph(path, n_vertices))


def resample_overlay(
    overlay: Overlay, registered: np.ndarray, faces: np.ndarray, target: np.ndarray, *, nearest: bool = False
) -> Overlay:
    """The overlay read at the target sphere's vertices through a registered sphere.

    Args:
        overlay: values on the subject's V native vertices.
        registered: (V, 3) the subject's registered sphere (any radius).
        faces: (F, 3) its triangles.
        target: (Q, 3) the atlas sphere's vertices (any radius), in the registered sphere's frame.
        nearest: carry continuous values by nearest vertex too (integer maps stored as values).

    Returns:
        The :class:`Overlay` on the Q target vertices: barycentric interpolation for continuous
        values, the heaviest vertex's label for labels (same names and colors).
    """
    tri, weights = locate(registered, faces, target)
    if overlay.is_labels or nearest:
        values = carry_labels(np.arange(len(overlay.values)), faces, tri, weights)
        return replace(overlay, values=overlay.values[values])
    return replace(overlay, values=resample(overlay.values, faces, tri, weights).numpy())


def atlas_sphere(name: str) -> np.ndarray:
    """(Q, 3) float64 unit vertices of an atlas sphere of :data:`TARGETS`, in FreeSurfer's order.

    Raises:
        LoadError: an unknown atlas.
    """
    if name not in TARGETS:
        raise LoadError(f"Unknown atlas {name!r}; choose one of {', '.join(TARGETS)}.")
    return icosphere_level(TARGETS[name]).vertices.double().numpy()


def _colors(overlay: Overlay) -> np.ndarray:
    """(K, 4) uint8 label colors: the overlay's, else evenly spread hues."""
    if overlay.colors is not None:
        return overlay.colors
    import colorsys

    k = len(overlay.label_names)
    rgb = [colorsys.hsv_to_rgb(i / max(k, 1), 0.7, 0.9) for i in range(k)]
    return np.array([[*(np.array(c) * 255).round(), 255] for c in rgb], dtype=np.uint8)


def write_overlay(path: str | Path, overlay: Overlay) -> Path:
    """Write an overlay in the format its suffix names (see the module docstring).

    Returns:
        The path written; its folder is created if needed.

    Raises:
        LoadError: continuous values asked as ``.label.gii`` or ``.annot``.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    lower = path.name.lower()
    labeled = lower.endswith((".label.gii", ".annot"))
    if labeled and not overlay.is_labels:
        raise LoadError(
            f"{path.name} holds labels but {overlay.name} is a continuous map; write .func.gii or .mgh."
        )
    if lower.endswith(".annot"):
        colors = _colors(overlay).astype(np.int64)
        ctab = np.column_stack([colors[:, :3], 255 - colors[:, 3]])
        labels, names = overlay.values.astype(np.int64), list(overlay.label_names)
        if (labels < 0).any():  # "no label": annotation value 0, which an all-zero color row gives
            ctab, names = np.vstack([ctab, np.zeros((1, 4), np.int64)]), [*names, "none"]
            labels = np.where(labels < 0, len(names) - 1, labels)
        write_annot(str(path), labels, ctab, names, fill_ctab=True)
    elif lower.endswith(".label.gii"):
        table = nib.gifti.GiftiLabelTable()
        entries = list(
            zip(range(len(overlay.label_names)), overlay.label_names, _colors(overlay), strict=True)
        )
        if (overlay.values < 0).any():
            entries.append((-1, "none", np.zeros(4)))
        for key, name, rgba in entries:
            label = nib.gifti.GiftiLabel(key, *(np.asarray(rgba) / 255.0))
            label.label = name
            table.labels.append(label)
        darray = nib.gifti.GiftiDataArray(
            overlay.values.astype(np.int32), intent="NIFTI_INTENT_LABEL", datatype="NIFTI_TYPE_INT32"
        )
        nib.save(nib.gifti.GiftiImage(darrays=[darray], labeltable=table), str(path))
    elif ".gii" in lower:
        darray = nib.gifti.GiftiDataArray(
            overlay.values.astype(np.float32), intent="NIFTI_INTENT_SHAPE", datatype="NIFTI_TYPE_FLOAT32"
        )
        nib.save(nib.gifti.GiftiImage(darrays=[darray]), str(path))
    elif lower.endswith((".mgh", ".mgz")):
        dtype = np.int32 if overlay.is_labels else np.float32
        data = overlay.values.astype(dtype).reshape(-1, 1, 1)
        nib.save(nib.freesurfer.MGHImage(data, np.eye(4)), str(path))
    else:
        write_morph_data(str(path), overlay.values.astype(np.float32))
    return path
