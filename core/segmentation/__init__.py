"""Mesh segmentation data: procedural shapes with known parts, their dual graphs and face features."""

from nodescope.core.segmentation.dataset import COUNTS, SegmentationSample, load_split, split_specs
from nodescope.core.segmentation.dual import FEATURE_NAMES, DualGraph, dual_edges, face_features
from nodescope.core.segmentation.parts import (
    FAMILIES,
    PART_NAMES,
    TRAIN_FAMILIES,
    UNSEEN_FAMILIES,
    PartMesh,
    part_mesh,
)

__all__ = [
    "COUNTS",
    "FAMILIES",
    "FEATURE_NAMES",
    "PART_NAMES",
    "TRAIN_FAMILIES",
    "UNSEEN_FAMILIES",
    "DualGraph",
    "PartMesh",
    "SegmentationSample",
    "dual_edges",
    "face_features",
    "load_split",
    "part_mesh",
    "split_specs",
]
