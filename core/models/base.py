"""What every model returns and exposes, so explain/ can read inside it."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import Tensor, nn
from torch.utils.weak import WeakTensorKeyDictionary
from torch_geometric.data import Data

from nodescope.core.models.encodings import structural_encoding, structural_encoding_width
from nodescope.core.models.registry import ModelConfig

#: Default walk steps of an ``rwse`` input encoding.
INPUT_ENCODING_DIM = 16


@dataclass
class LayerAttention:
    """Attention coefficients of one layer over graph edges.

    Attributes:
        edge_index: (2, E') int64 edges as the layer saw them (source row 0, target row 1;
            self-loops included when the layer adds them).
        alpha: (E', H) float; for each target node and head the coefficients of its
            incoming edges sum to 1.
    """

    edge_index: Tensor
    alpha: Tensor


@dataclass
class ModelOutput:
    """One forward pass.

    Attributes:
        logits: (N, C) unnormalized class scores.
        hidden: per-layer node representations, ``hidden[0]`` the input to the first
            layer and ``hidden[k]`` the output of layer k (before the classifier head for
            models that have one); (N, D_k) each.
        attention: per attention layer, the local coefficients (empty unless requested
            and the model has attention).
        global_inputs: per global-attention layer, the (N, D) input its attention saw;
            explain/ recomputes any node's row of the global attention from it.
        aux_loss: a scalar the training loop adds to the cross-entropy (e.g. X-Node's
            reconstruction loss); None for models without one.
    """

    logits: Tensor
    hidden: list[Tensor] = field(default_factory=list)
    attention: list[LayerAttention] = field(default_factory=list)
    global_inputs: list[Tensor] = field(default_factory=list)
    aux_loss: Tensor | None = None


class NodeModel(nn.Module):
    """Base of every registered node-classification model.

    Subclasses build their layers from ``config`` in ``__init__`` and implement
    :meth:`forward`. ``prepare`` adds what a model needs beyond ``x`` and ``edge_index``
    (positional encodings) once per graph, outside the training loop.

    Every model honours the option ``normalize_features`` (default off): each forward pass
    then sees ``data.x`` with every row divided by its sum (rows of zeros stay zero), the
    preprocessing the GCN and GAT papers used for the non-negative bag-of-words features of
    Cora and CiteSeer. It is part of the config, so a checkpoint carries it.

    Models with :attr:`takes_input_encoding` also honour ``input_encoding`` (default None):
    ``degree``, ``rwse`` or ``degree+rwse`` (:func:`core.models.encodings.structural_encoding`,
    ``input_encoding_dim`` walk steps, default 16). :meth:`prepare` computes it once per graph as
    ``data.input_encoding``, and each forward pass sees it concatenated to the right of ``data.x``
    (after ``normalize_features``), so the first layer takes :attr:`in_width` inputs. On a graph
    with constant features (BA-Shapes) it is what lets attention tell neighbors apart.

    Args:
        config: widths, depth, heads, dropout and model-specific options (every registered
            model takes this one argument; its docstring lists the options it reads).
    """

    #: Whether the model builds its first layer for :attr:`in_width` (option ``input_encoding``).
    takes_input_encoding: bool = False

    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        self.config = config
        #: Width of the inputs the first layer sees: F features plus the input encoding's columns.
        self.in_width = config.in_dim
        if config.options.get("normalize_features"):
            self.register_forward_pre_hook(_row_normalized_input, with_kwargs=True)
        kind = config.options.get("input_encoding")
        if kind:
            if not self.takes_input_encoding:
                raise ValueError(f"model {config.model!r} does not take the option input_encoding")
            self.in_width += structural_encoding_width(kind, self.input_encoding_dim)
            self.register_forward_pre_hook(_with_input_encoding, with_kwargs=True)

    @property
    def input_encoding_dim(self) -> int:
        """Walk steps of an ``rwse`` input encoding (option ``input_encoding_dim``, default 16)."""
        return int(self.config.options.get("input_encoding_dim", INPUT_ENCODING_DIM))

    def prepare(self, data: Data) -> Data:
        """Return ``data`` with the extra inputs this model needs (default: the input encoding, if any).

        Subclasses that add inputs of their own call this first.
        """
        kind = self.config.options.get("input_encoding")
        if not kind:
            return data
        width = self.in_width - self.config.in_dim
        enc = data.get("input_encoding")
        if enc is not None and tuple(enc.shape) == (data.num_nodes, width):
            return data
        out = copy.copy(data)
        out.input_encoding = structural_encoding(
            kind, data.edge_index, data.num_nodes, self.input_encoding_dim
        ).to(data.edge_index.device)
        return out

    def attention_modules(self) -> list[nn.Module]:
        """The modules whose heads explain/ can read and ablate, in layer order (default: none)."""
        return []

    def before_training(self, data: Data) -> None:
        """A model's own step before :func:`core.training.train`'s first epoch (default: none).

        Args:
            data: the prepared graph, on the model's device.
        """

    def after_training(self, data: Data) -> None:
        """A model's own step after its best weights are restored, in eval mode (default: none).

        Args:
            data: the prepared graph, on the model's device.
        """

    def forward(self, data: Data, *, attention: bool = False) -> ModelOutput:  # pragma: no cover
        """One forward pass over a whole graph.

        Args:
            data: the graph as :meth:`prepare` returned it: ``x`` (N, F) features, ``edge_index``
                (2, E) edges (source row 0, target row 1), plus what the model needs beyond them.
            attention: also return each attention layer's coefficients in
                :attr:`ModelOutput.attention` (ignored by models without attention).

        Returns:
            (N, C) logits and the per-layer (N, D_k) hidden representations, see :class:`ModelOutput`.
        """
        raise NotImplementedError

    def apply_conv(self, index: int, x: Tensor, edge_index: Tensor) -> Tensor:
        """Message-passing layer ``self.convs[index]`` alone on (N, D) inputs.

        Called as ``forward`` calls it (a model that feeds its convs more than ``edge_index``
        overrides this).
        """
        return self.convs[index](x, edge_index)

    @torch.no_grad()
    def predict(self, data: Data) -> Tensor:
        """(N, C) class probabilities in eval mode."""
        was_training = self.training
        self.eval()
        try:
            return self(data).logits.softmax(-1)
        finally:
            self.train(was_training)


def _with_input_encoding(
    module: nn.Module, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """Forward pre-hook: the same call with ``data.input_encoding`` concatenated to ``data.x``."""
    data = args[0] if args else kwargs.pop("data")
    enc = data.get("input_encoding")
    if enc is None:
        raise ValueError("data has no input_encoding: call model.prepare(data) first")
    out = copy.copy(data)
    out.x = torch.cat([data.x, enc.to(data.x.dtype)], dim=-1)
    return (out, *args[1:]), kwargs


def _row_normalized_input(
    module: nn.Module, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """Forward pre-hook: the same call with ``data.x`` row-normalized (a shallow copy of ``data``)."""
    data = args[0] if args else kwargs.pop("data")
    out = copy.copy(data)
    out.x = _row_normalized(data.x)
    return (out, *args[1:]), kwargs


#: x -> (x's version, x with rows summing to 1, its version): training normalizes the same features
#: at every pass; either tensor edited in place invalidates the entry.
_NORMALIZED: WeakTensorKeyDictionary = WeakTensorKeyDictionary()


def _row_normalized(x: Tensor) -> Tensor:
    """``x`` with every row divided by its sum (zero rows stay zero); cached per constant ``x``."""
    hit = _NORMALIZED.get(x)
    if hit is not None and hit[0] == x._version and hit[2] == hit[1]._version:
        return hit[1]
    sums = x.sum(-1, keepdim=True)
    out = x / torch.where(sums == 0, torch.ones_like(sums), sums)
    if not x.requires_grad:  # a differentiable input (saliency) needs its own graph at every pass
        _NORMALIZED[x] = (x._version, out, out._version)
    return out
