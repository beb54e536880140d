"""Over-smoothing across MTGNN's mix-hop layers, measured on the graph it learned.

MTGNN (:mod:`core.models.mtgnn`) returns only its forecasts, so its per-layer states are read
with forward hooks (removed afterwards; the model is not changed): the input after the start
convolution (layer 0) and the output of each layer's layer norm, i.e. after that layer's
mix-hop propagation along the learned graph and its residual. A state (B, C, N, T) for a batch
of windows becomes one row per series, (N, B * C * T), and every metric of
:mod:`explain.oversmoothing` is computed on it with the learned graph's edges
(:func:`explain.oversmoothing.layer_metrics`). Node labels do not exist here, so the group
distance ratio is NaN.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor, nn

from nodescope.core.graph import adjacency_edges
from nodescope.explain.oversmoothing import layer_metrics


def layer_states(model: nn.Module, inputs: Tensor | np.ndarray) -> list[Tensor]:
    """Each series' state before the first layer and after every layer, for a batch of windows.

    Args:
        model: an MTGNN (its ``start`` convolution and ``norms`` layer norms are hooked).
        inputs: (B, P, N) scaled windows.

    Returns:
        ``layers + 1`` tensors (N, B * C * T) on the CPU, float32: entry 0 the input after the
        start convolution, entry k the output of layer k.
    """
    states: list[Tensor] = []

    def keep(_module: nn.Module, _args: object, out: Tensor) -> None:
        b, c, n, t = out.shape
        states.append(out.detach().permute(2, 0, 1, 3).reshape(n, b * c * t).to("cpu", torch.float32))

    hooks = [model.start.register_forward_hook(keep)]
    hooks += [norm.register_forward_hook(keep) for norm in model.norms]
    dev = next(model.parameters()).device
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            model(torch.as_tensor(np.asarray(inputs), dtype=torch.float32).to(dev))
    finally:
        for h in hooks:
            h.remove()
        model.train(was_training)
    return states


def mixhop_layer_metrics(model: nn.Module, inputs: Tensor | np.ndarray) -> dict[str, np.ndarray]:
    """Every over-smoothing metric after each MTGNN layer, on the graph the model learned.

    Args:
        model: an MTGNN with ``adjacency()`` (row ``i``: ``i``'s incoming edges).
        inputs: (B, P, N) scaled windows (e.g. the last test windows).

    Returns:
        ``{metric: (layers + 1,) float64}`` as :func:`explain.oversmoothing.layer_metrics`, entry 0
        the input after the start convolution.
    """
    edge_index, _ = adjacency_edges(model.adjacency().cpu().numpy())
    return layer_metrics(layer_states(model, inputs), torch.from_numpy(edge_index))
