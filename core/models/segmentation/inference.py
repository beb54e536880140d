"""A segmenter run on one mesh: the part of every face, how sure it is, and the attention on the dual graph."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from nodescope.core.models.segmentation.networks import Segmenter
from nodescope.core.segmentation.dual import DualGraph, face_features


@dataclass
class MeshSegmentation:
    """What :func:`segment_mesh` returns.

    Attributes:
        part: (T,) int64 predicted part of each face (an index into
            :data:`~core.segmentation.parts.PART_NAMES`).
        confidence: (T,) float32 softmax probability of that part.
        edge_index: (2, E) int64 the dual graph's edges ``s -> t`` (no self-loop).
        attention: per layer, ``(edge_index (2, E'), α (E', heads))`` on the dual graph with a
            self-loop per face (``dual-gat``; empty for the GCN), as numpy arrays.
    """

    part: np.ndarray
    confidence: np.ndarray
    edge_index: np.ndarray
    attention: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)


@torch.no_grad()
def segment_mesh(
    model: Segmenter, pos: np.ndarray, faces: np.ndarray, *, graph: DualGraph | None = None
) -> MeshSegmentation:
    """Label every face of a triangle mesh (checked by :func:`core.simulation.prepare_mesh`).

    Args:
        model: a trained segmenter.
        pos: (V, 3) vertex positions (any pose and units: the inputs are invariant).
        faces: (T, 3) vertex ids.
        graph: the mesh's :func:`~core.segmentation.dual.face_features`, if already at hand.
    """
    graph = face_features(pos, faces) if graph is None else graph
    dev = next(model.parameters()).device
    out = model.eval()(graph.x.to(dev), graph.edge_index.to(dev), graph.edge_attr.to(dev), attention=True)
    prob = torch.softmax(out.logits, dim=1)
    confidence, part = prob.max(dim=1)
    return MeshSegmentation(
        part.cpu().numpy().astype(np.int64),
        confidence.cpu().numpy().astype(np.float32),
        graph.edge_index.numpy(),
        [(e.cpu().numpy(), a.cpu().numpy()) for e, a in out.attention],
    )
