"""The segmentation dataset: seeded splits of labeled procedural shapes, as dual graphs.

Split ``s`` holds :data:`COUNTS` ``[s]`` shapes; its ``i``-th shape is family
``families[i % len(families)]`` (:data:`~core.segmentation.parts.TRAIN_FAMILIES` for ``train``,
``val`` and ``test``; :data:`~core.segmentation.parts.UNSEEN_FAMILIES` for ``unseen``), seed
``SEED_OFFSETS[s] + i`` (so no two splits share a seed) and a face count drawn from
:data:`FACES` by that seed. ``unseen`` is a whole family never seen in training.

Generated samples can be cached as ``.npz`` files (positions, faces, labels, the dual graph and
its features) under a folder keyed by :data:`VERSION`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from nodescope.core.segmentation.dual import DualGraph, face_features
from nodescope.core.segmentation.parts import TRAIN_FAMILIES, UNSEEN_FAMILIES, PartMesh, part_mesh

#: Shapes per split.
COUNTS = {"train": 60, "val": 15, "test": 30, "unseen": 20}
#: First seed of each split (disjoint ranges).
SEED_OFFSETS = {"train": 0, "val": 100_000, "test": 200_000, "unseen": 300_000}
#: Range of the target face count.
FACES = (1200, 3600)
#: Bumped when the generator changes, so stale caches are not read.
VERSION = 1


@dataclass
class SegmentationSample:
    """One labeled shape and its dual graph.

    Attributes:
        mesh: the shape (positions, faces, part labels, family, seed).
        graph: its dual graph and face features.
    """

    mesh: PartMesh
    graph: DualGraph

    @property
    def y(self) -> torch.Tensor:
        """(T,) int64 part labels."""
        return torch.as_tensor(self.mesh.part)


def split_specs(split: str, count: int | None = None) -> list[tuple[str, int, int]]:
    """(family, seed, faces) of each shape of ``split`` (see the module docstring)."""
    families = UNSEEN_FAMILIES if split == "unseen" else TRAIN_FAMILIES
    count = COUNTS[split] if count is None else count
    specs = []
    for i in range(count):
        seed = SEED_OFFSETS[split] + i
        faces = int(np.random.default_rng([seed, 7]).integers(*FACES))
        specs.append((families[i % len(families)], seed, faces))
    return specs


def _cached_sample(family: str, seed: int, faces: int, cache_dir: Path | None) -> SegmentationSample:
    if cache_dir is None:
        mesh = part_mesh(family, seed, faces)
        return SegmentationSample(mesh, face_features(mesh.pos, mesh.faces))
    path = Path(cache_dir) / f"v{VERSION}" / f"{family}-{seed}-{faces}.npz"
    arrays: dict[str, np.ndarray] = {}
    if path.is_file():
        with np.load(path, allow_pickle=False) as z:
            arrays = dict(z)
    if "pos" not in arrays:
        mesh = part_mesh(family, seed, faces)
        arrays = {"pos": mesh.pos, "faces": mesh.faces, "part": mesh.part}
    mesh = PartMesh(arrays["pos"], arrays["faces"], arrays["part"], family, seed)
    if "x" in arrays:
        graph = DualGraph(*(torch.as_tensor(arrays[k]) for k in ("x", "edge_index", "edge_attr")))
        return SegmentationSample(mesh, graph)
    graph = face_features(mesh.pos, mesh.faces)
    arrays |= {
        "x": graph.x.numpy(),
        "edge_index": graph.edge_index.numpy(),
        "edge_attr": graph.edge_attr.numpy(),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npz")
    np.savez_compressed(tmp, **arrays)
    tmp.replace(path)
    return SegmentationSample(mesh, graph)


def load_split(
    split: str, count: int | None = None, *, cache_dir: Path | None = None
) -> list[SegmentationSample]:
    """The first ``count`` (default all) samples of ``split``, generated or read from ``cache_dir``."""
    if split not in COUNTS:
        raise ValueError(f"unknown split {split!r}; choose one of {', '.join(COUNTS)}")
    return [_cached_sample(*spec, cache_dir) for spec in split_specs(split, count)]
