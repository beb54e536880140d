"""Which features and links to try first: the model's gradient of the margin to the runner-up class.

Ranked changes are tried one at a time, then the first k of the ranking together (:data:`SET_SIZES`).
"""

from __future__ import annotations

import torch
from torch import Tensor
from torch_geometric.explain.algorithm.utils import clear_masks, set_masks

from nodescope.core.models import NodeModel
from nodescope.explain.counterfactual.candidates import with_values
from nodescope.explain.subgraph import Subgraph

#: Sizes of the sets tried after single changes (the first k of the ranking together).
SET_SIZES: tuple[int, ...] = (2, 3, 4, 6, 8, 12, 16)


def margin_gradients(model: NodeModel, sub: Subgraph, pred: int, runner: int) -> tuple[Tensor, Tensor | None]:
    """d(runner-up logit - predicted logit) / d(center's features) (F,) and / d(edge weights) (e,) or None."""
    data = sub.data
    x = data.x.detach().clone().requires_grad_()
    weight = torch.ones(data.edge_index.shape[1], device=x.device, requires_grad=True)
    masked = True
    try:
        set_masks(model, weight, data.edge_index, apply_sigmoid=False)
    except Exception:  # noqa: BLE001  a model whose layers take no edge mask: edges stay unranked
        masked = False
    try:
        with torch.enable_grad():
            logits = model(with_values(data, x=x)).logits[sub.center]
            margin = logits[runner] - logits[pred]
            inputs = [x, weight] if masked else [x]
            grads = torch.autograd.grad(margin, inputs, allow_unused=True)
    finally:
        clear_masks(model)
    gx = grads[0][sub.center] if grads[0] is not None else torch.zeros_like(x[sub.center])
    ge = grads[1] if masked and len(grads) > 1 and grads[1] is not None else None
    return gx.detach(), None if ge is None else ge.detach()


def prefixes(count: int, singles: int, max_set: int) -> list[list[int]]:
    """Index lists into a ranking of ``count``: each of the first ``singles``, then its first k for k in SET_SIZES."""
    out = [[i] for i in range(min(singles, count))]
    out += [list(range(k)) for k in SET_SIZES if k <= min(max_set, count)]
    return out


def listed(parts: list[str], limit: int = 6) -> str:
    """A set of changes in words: the first ``limit`` of ``parts``, then "and N more"."""
    return ", ".join(parts[:limit]) + (f" and {len(parts) - limit} more" if len(parts) > limit else "")
