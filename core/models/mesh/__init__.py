"""Learned simulators on triangle meshes: a k-ring-masked mesh transformer and a MeshGraphNets MPNN.

Both read the same inputs and predict the same scaled increment
(:mod:`~core.models.mesh.features`), on the graph of :mod:`~core.models.mesh.graph`, and roll
out autoregressively (:mod:`~core.models.mesh.rollout`). They are not node classifiers, so
they are not in :data:`core.models.MODELS`; :data:`MESH_MODELS` is their registry.
"""

from nodescope.core.models.mesh.base import MeshModel, MeshModelConfig, MeshOutput
from nodescope.core.models.mesh.checkpoint import load_mesh_model, save_mesh_model, shipped_mesh_model
from nodescope.core.models.mesh.features import MeshInputs, advance, inputs, step_number, target
from nodescope.core.models.mesh.graph import MeshGraph, k_ring_edges, mesh_graph
from nodescope.core.models.mesh.mpnn import MeshGraphNet
from nodescope.core.models.mesh.registry import DEFAULT_CONFIGS, MESH_MODELS, TITLES, build_mesh_model
from nodescope.core.models.mesh.rollout import no_change, rollout, uniform_laplacian_rollout
from nodescope.core.models.mesh.transformer import MaskedAttention, MeshTransformer

__all__ = [
    "DEFAULT_CONFIGS",
    "MESH_MODELS",
    "TITLES",
    "MaskedAttention",
    "MeshGraph",
    "MeshGraphNet",
    "MeshInputs",
    "MeshModel",
    "MeshModelConfig",
    "MeshOutput",
    "MeshTransformer",
    "advance",
    "build_mesh_model",
    "inputs",
    "k_ring_edges",
    "load_mesh_model",
    "mesh_graph",
    "no_change",
    "rollout",
    "save_mesh_model",
    "shipped_mesh_model",
    "step_number",
    "target",
    "uniform_laplacian_rollout",
]
