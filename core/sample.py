"""The one in-memory sample type every loader returns and every view reads.

A :class:`Sample` is a PyG :class:`~torch_geometric.data.Data` (the graph) plus the
metadata and optional geometry that views need. Geometry lives on ``data`` under
PyG's own names where PyG has one:

- ``data.x``           (N, F) float32 node features, named by ``Sample.feature_names``
- ``data.edge_index``  (2, E) int64; undirected graphs hold both directions
- ``data.edge_attr``   (E, D) float32, optional (meshes: edge length in mesh units)
- ``data.y``           (N,) int64 class per node, optional, named by ``label_names``
- ``data.pos``         (N, 3) float32 3D positions, optional
- ``data.face``        (3, T) int64 triangles, optional (PyG's layout)
- ``data.sph``         (N, 2) float32 (latitude, longitude) in degrees, optional;
                       see :mod:`core.geometry.sphere` for the convention
- masks (``train_mask``, ...) and ground truth (``node_mask_gt``, ``edge_mask_gt``) as
  the source provides them.

A ``timeseries`` sample's nodes are series: ``data.x`` is (N, T) float32, the raw values of
N series over T time steps (``feature_names`` name the steps, ``Sample.time`` holds their time
stamps when the source has them), and ``edge_index``/``edge_attr`` hold the known graph when
there is one (directed, ``edge_attr`` (E, 1) weights, an edge ``j -> i`` meaning series ``j``
drives series ``i``), else no edges.

A ``skeleton`` sample's nodes are the 17 joints in Human3.6M order (``node_names``; see
:mod:`core.skeleton.joints`) and its edges the 16 bones (both directions). The motion is stored
node-first, so PyG's node slicing keeps it aligned with the joints:

- ``data.joints_3d``     (17, F, 3) float32 positions per frame, metres, optional; the axes are in
                         ``units["joints_3d"]`` (BVH and built-ins: world, Y up; keypoint files:
                         as written, e.g. the camera frame of ``nodescope lift``)
- ``data.keypoints_2d``  (17, F, 2) float32 pixel coordinates per frame, optional; the image's
                         ``focal``, ``width`` and ``height`` (pixels) in ``Sample.camera`` when known
- ``data.pos``           (17, 3) frame 0 of ``joints_3d`` when present; ``data.x`` is frame 0 of
                         ``joints_3d`` (``x, y, z``), else of ``keypoints_2d`` (``u, v``)

At least one of ``joints_3d`` and ``keypoints_2d`` is present; :attr:`Sample.frames_3d` and
:attr:`Sample.frames_2d` give them frame-first, (F, 17, 3) and (F, 17, 2), and
``Sample.frame_rate`` is in frames per second.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

import numpy as np
import torch
from torch_geometric.data import Data

Kind = Literal["graph", "mesh", "cortex", "panorama", "timeseries", "skeleton"]
KINDS: tuple[Kind, ...] = ("graph", "mesh", "cortex", "panorama", "timeseries", "skeleton")


@dataclass
class Sample:
    """A loaded graph, mesh, cortical surface, panorama, set of time series or skeleton motion.

    Attributes:
        data: the graph and its geometry (see the module docstring for shapes).
        kind: what the source was; views decide what to draw from what is present.
        name: short human-readable name.
        source: where it came from (``builtin:karate``, a file path, ``planetoid:cora``).
        feature_names: one name per column of ``data.x``.
        label_names: one name per class in ``data.y``, when there are labels.
        node_names: one display name per node, when the source has them.
        surfaces: alternative (N, 3) vertex positions sharing ``data.face``
            (cortex: ``sphere``, ``pial``, ``white``, ``inflated``); ``data.pos`` is one of them.
        image: the source equirectangular image of a panorama, (H, W, 3) uint8.
        pixel_maps: per-pixel maps aligned with ``image`` (e.g. ``depth`` in metres,
            ``label`` class ids).
        units: unit of each geometric quantity (``pos``: "mm", ``edge_attr``: "mm", ...).
        notices: what was cleaned while loading (self-loops, duplicates), for the user.
        directed: whether ``edge_index`` is a directed graph.
        time: (T,) ``datetime64`` time stamps of a time series' steps, when the source has them.
        frame_rate: frames per second of a skeleton's motion.
        camera: the camera of a skeleton's 2D keypoints when known: ``focal``, ``width``,
            ``height`` in pixels (the principal point is the image centre).
    """

    data: Data
    kind: Kind
    name: str
    source: str
    feature_names: list[str]
    label_names: list[str] | None = None
    node_names: list[str] | None = None
    surfaces: dict[str, np.ndarray] = field(default_factory=dict)
    image: np.ndarray | None = None
    pixel_maps: dict[str, np.ndarray] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)
    directed: bool = False
    time: np.ndarray | None = None
    frame_rate: float | None = None
    camera: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, not {self.kind!r}")
        x = self.data.x
        if x is not None and x.shape[1] != len(self.feature_names):
            raise ValueError(f"{x.shape[1]} feature columns but {len(self.feature_names)} names")

    @cached_property
    def fingerprint(self) -> str:
        """A short hash of the whole content: the key of derived caches (layouts, embeddings, sweeps).

        Covers the source, kind and names (features, labels, nodes) and every tensor of ``data``
        (edges, features, labels, masks, geometry), so the same edges with other features or
        labels (a node table added as a companion) are another sample. Computed once per
        sample; a sample is not modified after loading.
        """
        h = hashlib.blake2b(digest_size=12)
        names = [self.feature_names, self.label_names, self.node_names]
        h.update(json.dumps([self.source, self.kind, self.num_nodes, names]).encode())
        if self.frame_rate is not None or self.camera:  # skeletons only: other kinds keep their keys
            h.update(json.dumps([self.frame_rate, sorted(self.camera.items())]).encode())
        for key in sorted(self.data.keys()):
            value = self.data[key]
            if isinstance(value, torch.Tensor):
                h.update(f"{key}:{value.dtype}:{tuple(value.shape)}".encode())
                h.update(value.detach().cpu().contiguous().numpy().tobytes())
        return h.hexdigest()

    @property
    def num_nodes(self) -> int:
        """Number of nodes N."""
        return int(self.data.num_nodes)

    @property
    def num_edges(self) -> int:
        """Number of edges, counting an undirected edge once."""
        e = int(self.data.edge_index.shape[1])
        return e if self.directed else e // 2

    @property
    def num_classes(self) -> int:
        """Number of classes: of ``label_names`` when given, else max(y) + 1; 0 without labels."""
        if self.label_names is not None:
            return len(self.label_names)
        y = self.data.get("y")
        return int(y.max()) + 1 if y is not None and y.numel() else 0

    @property
    def num_frames(self) -> int:
        """Frames of a skeleton's motion (0 for other kinds)."""
        for key in ("joints_3d", "keypoints_2d"):
            value = self.data.get(key)
            if value is not None:
                return int(value.shape[1])
        return 0

    @property
    def frames_3d(self) -> np.ndarray | None:
        """(F, 17, 3) a skeleton's 3D joints per frame, frame-first (metres), or None."""
        value = self.data.get("joints_3d")
        return None if value is None else value.numpy().transpose(1, 0, 2)

    @property
    def frames_2d(self) -> np.ndarray | None:
        """(F, 17, 2) a skeleton's 2D keypoints per frame, frame-first (pixels), or None."""
        value = self.data.get("keypoints_2d")
        return None if value is None else value.numpy().transpose(1, 0, 2)

    @property
    def faces(self) -> np.ndarray | None:
        """Triangles as a (T, 3) int array (the layout plotly and pyvista use), or None."""
        face = self.data.get("face")
        return None if face is None else face.t().numpy()

    @property
    def is_spherical(self) -> bool:
        """Whether the sample has spherical coordinates (``data.sph``)."""
        return self.data.get("sph") is not None

    def node_label(self, i: int) -> str:
        """Display name of node ``i`` (its name when the source gives one, else its id)."""
        if self.node_names is not None:
            return f"{i} · {self.node_names[i]}"
        return str(i)

    def class_name(self, c: int) -> str:
        """Display name of class ``c``: its label name when known, else the number."""
        if self.label_names is not None and 0 <= c < len(self.label_names):
            return self.label_names[c]
        return str(c)

    def summary(self) -> dict[str, Any]:
        """Plain-JSON description (what ``nodescope info`` prints)."""
        d = self.data
        y = d.get("y")
        geometry: dict[str, Any] = {
            "pos": d.get("pos") is not None,
            "faces": int(d.face.shape[1]) if d.get("face") is not None else 0,
            "spherical_coords": self.is_spherical,
            "surfaces": sorted(self.surfaces),
            "image": list(self.image.shape) if self.image is not None else None,
            "pixel_maps": sorted(self.pixel_maps),
        }
        masks = {
            k: int(d[k].sum())
            for k in ("train_mask", "val_mask", "test_mask", "node_mask_gt")
            if d.get(k) is not None
        }
        return {
            "kind": self.kind,
            "name": self.name,
            "source": self.source,
            "nodes": self.num_nodes,
            "edges": self.num_edges,
            "directed": self.directed,
            "features": list(d.x.shape) if d.x is not None else [self.num_nodes, 0],
            "feature_names": self.feature_names[:20],
            "labels": None
            if y is None
            else {"classes": self.num_classes, "names": self.label_names, "labeled": int((y >= 0).sum())},
            "edge_attr": list(d.edge_attr.shape) if d.get("edge_attr") is not None else None,
            "geometry": geometry,
            "masks": masks,
            "motion": None
            if self.kind != "skeleton"
            else {
                "frames": self.num_frames,
                "frame_rate": self.frame_rate,
                "joints_3d": self.data.get("joints_3d") is not None,
                "keypoints_2d": self.data.get("keypoints_2d") is not None,
                "camera": self.camera or None,
            },
            "units": self.units,
            "notices": self.notices,
        }
