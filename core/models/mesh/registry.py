"""The mesh models by name."""

from __future__ import annotations

from nodescope.core.models.mesh.base import MeshModel, MeshModelConfig
from nodescope.core.models.mesh.mpnn import MeshGraphNet
from nodescope.core.models.mesh.transformer import MeshTransformer

#: Model key -> class.
MESH_MODELS: dict[str, type[MeshModel]] = {"mesh-transformer": MeshTransformer, "mpnn": MeshGraphNet}
#: Display names.
TITLES = {"mesh-transformer": "Mesh transformer", "mpnn": "MeshGraphNets (MPNN)"}
#: The shipped architectures: the MPNN is wider so that both have about the same parameter count.
DEFAULT_CONFIGS = {
    "mesh-transformer": MeshModelConfig("mesh-transformer", hidden=48, layers=4, heads=4, k=1),
    "mpnn": MeshModelConfig("mpnn", hidden=54, layers=4, k=1),
}


def build_mesh_model(config: MeshModelConfig) -> MeshModel:
    """A fresh model for ``config``.

    Raises:
        ValueError: an unknown model or equation.
    """
    if config.model not in MESH_MODELS:
        raise ValueError(f"unknown mesh model {config.model!r}; choose one of {', '.join(MESH_MODELS)}")
    if config.equation not in ("heat", "wave"):
        raise ValueError(f"unknown equation {config.equation!r}")
    return MESH_MODELS[config.model](config)
