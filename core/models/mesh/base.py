"""The mesh models' config, output and base class: normalize the inputs, run, un-normalize the increment."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar

import torch
from torch import Tensor, nn

from nodescope.core.models.mesh.features import DYNAMIC_FEATURES, NODE_FEATURES, MeshInputs
from nodescope.core.models.mesh.graph import GEOMETRY_COLUMNS
from nodescope.core.models.mesh.kernels import EdgeCSR
from nodescope.core.models.mesh.normalize import Normalizer


@dataclass(frozen=True)
class MeshModelConfig:
    """Everything that rebuilds a mesh model's architecture (not its weights).

    Attributes:
        model: ``mesh-transformer`` or ``mpnn`` (a key of :data:`core.models.mesh.MESH_MODELS`).
        equation: ``heat`` or ``wave`` (sets the dynamic edge inputs).
        hidden: width of the vertex (and edge) embeddings.
        layers: attention blocks (transformer) or message-passing blocks (MPNN).
        heads: attention heads (transformer; ignored by the MPNN).
        k: the ring of the graph the model runs on (the transformer's attention mask).
        noise: standard deviation of the Gaussian noise added to the input state in training,
            in units of the scaled increment: the field gets noise of std ``noise·s`` (``s`` the
            step number), so the noise is the same fraction of a step on every mesh.
    """

    model: str
    equation: str = "heat"
    hidden: int = 48
    layers: int = 4
    heads: int = 4
    k: int = 1
    noise: float = 0.02

    def to_dict(self) -> dict[str, Any]:
        """The config as a JSON-serializable dict (what :meth:`from_dict` reads back)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> MeshModelConfig:
        """Rebuild from :meth:`to_dict`'s output; unknown keys are a ``ValueError``."""
        extra = set(raw) - set(cls.__dataclass_fields__)
        if extra:
            raise ValueError(f"unknown mesh model config keys: {', '.join(sorted(extra))}")
        return cls(**raw)


@dataclass
class MeshOutput:
    """What a mesh model returns for one input.

    Attributes:
        y: (V,) the scaled increment in raw units (:mod:`core.models.mesh.features`).
        y_normalized: (V,) the same, normalized (what training compares).
        hidden: per layer, (V, hidden) vertex embeddings; entry 0 is the encoder's output.
        attention: per layer, (E, heads) attention of each edge ``j -> i`` (summing to 1 over
            the edges into ``i``, per head), in the order of the input's ``edge_index``; empty
            unless asked for, and for the MPNN.
    """

    y: Tensor
    y_normalized: Tensor
    hidden: list[Tensor] = field(default_factory=list)
    attention: list[Tensor] = field(default_factory=list)


def mlp(width_in: int, hidden: int, width_out: int, *, norm: bool = False) -> nn.Sequential:
    """Linear - GELU - Linear (- LayerNorm)."""
    layers: list[nn.Module] = [nn.Linear(width_in, hidden), nn.GELU(), nn.Linear(hidden, width_out)]
    if norm:
        layers.append(nn.LayerNorm(width_out))
    return nn.Sequential(*layers)


class EdgeEncoder(nn.Module):
    """Edge embedding ``MLP(geometry) + W·dynamic``: nonlinear in the mesh, linear in the field.

    The geometric part does not change during a rollout, so it is computed once
    (:meth:`static`); the field's part is a linear map of the differences of ``u``, as in the
    Laplacian.
    """

    def __init__(self, dynamic: int, hidden: int) -> None:
        super().__init__()
        self.geometry = mlp(len(GEOMETRY_COLUMNS), hidden, hidden)
        self.dynamic = nn.Linear(dynamic, hidden, bias=False)

    def static(self, geometry: Tensor) -> Tensor:
        """(E, hidden) from (E, 5) normalized geometry."""
        return self.geometry(geometry)


class MeshModel(nn.Module):
    """Base of the mesh models: a state's inputs in, the scaled increment out.

    Subclasses implement :meth:`static` (what depends only on the mesh, computed once per
    rollout) and :meth:`process`.

    Shapes:
        forward: :class:`~core.models.mesh.features.MeshInputs` with V vertices and E edges
        -> :class:`MeshOutput` with y (V,).
    """

    key: ClassVar[str] = ""

    def __init__(self, config: MeshModelConfig) -> None:
        super().__init__()
        self.config = config
        self.node_norm = Normalizer(NODE_FEATURES)
        self.geometry_norm = Normalizer(len(GEOMETRY_COLUMNS))
        self.dynamic_norm = Normalizer(DYNAMIC_FEATURES[config.equation], center=False)
        self.target_norm = Normalizer(1, center=False)

    def static(self, geometry: Tensor) -> Any:
        """What the model precomputes from (E, 5) raw edge geometry (reused over a rollout)."""
        raise NotImplementedError

    def process(
        self, node: Tensor, static: Any, dynamic: Tensor, edge_index: Tensor, attention: bool
    ) -> tuple[Tensor, list[Tensor], list[Tensor]]:
        """(V,) normalized increment, hidden states and attention from normalized inputs."""
        raise NotImplementedError

    def process_fast(self, node: Tensor, static: Any, dynamic: Tensor, csr: EdgeCSR) -> Tensor:
        """(V,) normalized increment as :meth:`process`, its edge work in fused CPU kernels."""
        raise NotImplementedError

    def forward(
        self, inputs: MeshInputs, *, static: Any = None, attention: bool = False, csr: EdgeCSR | None = None
    ) -> MeshOutput:
        """The scaled increment for ``inputs`` (``static``: :meth:`static` of its geometry, if at hand).

        ``csr`` (:func:`core.models.mesh.kernels.edge_csr` of ``inputs.edge_index``), with
        gradients off and no attention asked for: the fused-kernel path (:meth:`process_fast`),
        the same function to float32 rounding, returning no hidden states.
        """
        if static is None:
            static = self.static(inputs.geometry)
        node = self.node_norm(inputs.node)
        dynamic = self.dynamic_norm(inputs.dynamic)
        if csr is not None and not attention and not torch.is_grad_enabled():
            y = self.process_fast(node, static, dynamic, csr)
            return MeshOutput(self.target_norm.inverse(y[:, None])[:, 0], y)
        y, hidden, weights = self.process(node, static, dynamic, inputs.edge_index, attention)
        return MeshOutput(self.target_norm.inverse(y[:, None])[:, 0], y, hidden, weights)

    def num_parameters(self) -> int:
        """Trainable parameters."""
        return sum(p.numel() for p in self.parameters() if p.requires_grad)
