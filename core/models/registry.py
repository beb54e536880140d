"""Name → model class and config. Configs are plain dataclasses saved as JSON beside the weights."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from nodescope.core.models.base import NodeModel

AttentionKind = Literal["none", "local", "local+global"]


@dataclass
class ModelConfig:
    """Everything needed to rebuild a model's architecture (not its weights).

    Attributes:
        model: registry key (``gcn``, ``gat``, ``gatv2``, ``graph-transformer``, ``gps``, ...).
        in_dim: node feature width F of the data it runs on.
        out_dim: number of classes C.
        hidden: width of hidden representations (per head for attention models whose
            heads concatenate; see each model's docstring).
        layers: number of message-passing layers, output layer included.
        heads: attention heads per layer (ignored by attention-free models).
        dropout: dropout on features between layers.
        options: model-specific settings (``attn_dropout``, ``pe_dim``, ``edge_dim``, ...);
            each model documents its own and fills defaults from its :class:`ModelSpec`.
    """

    model: str
    in_dim: int
    out_dim: int
    hidden: int = 64
    layers: int = 2
    heads: int = 1
    dropout: float = 0.5
    options: dict[str, Any] = field(default_factory=dict)

    def option(self, name: str) -> Any:
        """A model-specific option, falling back to the registry's default for this model."""
        if name in self.options:
            return self.options[name]
        return MODELS[self.model].options[name]

    def to_json(self) -> str:
        """The config as a JSON object with sorted keys (what :meth:`from_dict` reads back)."""
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> ModelConfig:
        """Rebuild from :meth:`to_json`'s output; unknown keys are an error (a config from elsewhere)."""
        known = set(cls.__dataclass_fields__)
        extra = set(raw) - known
        if extra:
            raise ValueError(f"unknown model config keys: {', '.join(sorted(extra))}")
        if raw.get("model") not in MODELS:
            raise ValueError(f"unknown model {raw.get('model')!r}; known: {', '.join(MODELS)}")
        return cls(**raw)


@dataclass(frozen=True)
class ModelSpec:
    """A registered model.

    Attributes:
        key: registry name.
        title: what the app and README call it.
        cls: the :class:`~core.models.base.NodeModel` subclass.
        attention: which attention the model exposes (``none``, over graph neighbors
            ``local``, or both neighbors and all node pairs ``local+global``).
        defaults: default :class:`ModelConfig` fields (hidden, layers, heads, dropout)
            after the published setting.
        options: default model-specific options.
        reference: the paper the defaults follow.
        training: overrides of :class:`core.training.TrainConfig` fields (lr, weight_decay,
            ...) after the same paper.
    """

    key: str
    title: str
    cls: type[NodeModel]
    attention: AttentionKind
    defaults: dict[str, Any]
    options: dict[str, Any]
    reference: str
    training: dict[str, Any] = field(default_factory=dict)

    def config(self, in_dim: int, out_dim: int, **overrides: Any) -> ModelConfig:
        """The default config for data with ``in_dim`` features and ``out_dim`` classes."""
        options = {**self.options, **overrides.pop("options", {})}
        fields = {**self.defaults, **overrides}
        return ModelConfig(model=self.key, in_dim=in_dim, out_dim=out_dim, options=options, **fields)


MODELS: dict[str, ModelSpec] = {}


def register(
    key: str,
    *,
    title: str,
    attention: AttentionKind,
    reference: str,
    defaults: dict[str, Any] | None = None,
    options: dict[str, Any] | None = None,
    training: dict[str, Any] | None = None,
) -> Callable[[type[NodeModel]], type[NodeModel]]:
    """Class decorator adding a model to :data:`MODELS`."""

    def add(cls: type[NodeModel]) -> type[NodeModel]:
        if key in MODELS:
            raise ValueError(f"model {key!r} registered twice")
        MODELS[key] = ModelSpec(
            key, title, cls, attention, defaults or {}, options or {}, reference, training or {}
        )
        return cls

    return add


def build(config: ModelConfig) -> NodeModel:
    """A freshly initialized model for ``config`` (on the CPU; move it with ``.to``)."""
    if config.model not in MODELS:
        raise ValueError(f"unknown model {config.model!r}; known: {', '.join(MODELS)}")
    return MODELS[config.model].cls(config)
