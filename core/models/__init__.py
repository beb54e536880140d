"""GNN models behind the app's pages: one registry from a name to a class and its config.

``build(ModelConfig(model="gat", in_dim=..., out_dim=...))`` makes a model; every model is
a :class:`~core.models.base.NodeModel` whose forward returns a
:class:`~core.models.base.ModelOutput` (logits, per-layer representations and, on
request, attention coefficients) so that ``explain/`` reads intermediate results
through return values, never through global state.
"""

from nodescope.core.models.base import LayerAttention, ModelOutput, NodeModel
from nodescope.core.models.registry import MODELS, ModelConfig, ModelSpec, build, register

# Importing the model modules fills the registry.
from nodescope.core.models import gnn, gps, transformer  # noqa: E402, F401  isort: skip
from nodescope.core.models import deep  # noqa: E402, F401  isort: skip
from nodescope.core.models import gin, xnode  # noqa: E402, F401  isort: skip

__all__ = [
    "MODELS",
    "LayerAttention",
    "ModelConfig",
    "ModelOutput",
    "ModelSpec",
    "NodeModel",
    "build",
    "register",
]
