"""Mesh segmenters on the dual graph of faces: a GATv2 attention network and a GCN baseline.

They label faces, not nodes of a citation graph, so they are not in :data:`core.models.MODELS`;
:data:`SEGMENTERS` names them.
"""

from nodescope.core.models.segmentation.checkpoint import (
    SEGMENTERS,
    load_segmenter,
    save_segmenter,
    shipped_segmenter,
)
from nodescope.core.models.segmentation.inference import MeshSegmentation, segment_mesh
from nodescope.core.models.segmentation.networks import Segmenter, SegmenterConfig, SegmenterOutput
from nodescope.core.models.segmentation.training import SegmentTrainSettings, scores, shape_iou

__all__ = [
    "SEGMENTERS",
    "MeshSegmentation",
    "SegmentTrainSettings",
    "Segmenter",
    "SegmenterConfig",
    "SegmenterOutput",
    "load_segmenter",
    "save_segmenter",
    "scores",
    "segment_mesh",
    "shape_iou",
    "shipped_segmenter",
]
