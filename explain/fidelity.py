"""How faithful an edge explanation is: PyG's fidelity, robust fidelity, and ground-truth motifs.

An explanation's edge mask is first made hard: its explanation subgraph G_exp is the
``top_k`` edges of the node's computation subgraph with the largest |mask| (non-zero ones
only). Masks are compared by magnitude, so a signed mask (Integrated Gradients) counts edges
that push against the prediction as important too.

- :func:`fidelity`: Fid+ and Fid- exactly as PyG's ``torch_geometric.explain.metric.fidelity``
  defines them for model explanations (GraphFramEx, Amara et al., 2022): Fid+ = 1 if the
  prediction changes when the messages of G_exp are masked out, Fid- = 1 if it changes when
  only G_exp's messages are kept (PyG applies the hard mask to every layer's messages). Good
  explanations have high Fid+ and low Fid-; :func:`characterization` is PyG's harmonic
  combination of the two means.
- :func:`robust_fidelity`: Zheng et al., "Towards Robust Fidelity for Evaluating
  Explainability of GNNs", ICLR 2024, which removes only a random part of an edge set so the
  perturbed graph stays close to the training distribution:
  Fid_{a1,+} = f(G)_y - E[f(G - E_{a1}(G_exp))_y] and
  Fid_{a2,-} = f(G)_y - E[f(G_exp + E_{a2}(G - G_exp))_y], where E_a(S) keeps each edge of S
  independently with probability a, f(.)_y is the predicted probability of y (the
  prediction on G), a1 = 0.1 and a2 = 0.9. Expectations are Monte Carlo means over
  ``samples`` seeded Bernoulli draws, all evaluated in one forward pass over a batch of
  perturbed copies of the node's computation subgraph; G - G_exp ranges over the computation
  subgraph's other edges (edges further out cannot reach the prediction). High Fid_{a1,+} and
  low Fid_{a2,-} are good.
- :func:`groundtruth`: precision and recall of G_exp and AUROC of |mask| against a
  ground-truth edge mask (BA-Shapes' ``edge_mask_gt``), over the computation subgraph.

Per node, :func:`evaluate` gives all of them; :func:`summarise` averages them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pandas as pd
import torch
from sklearn.metrics import roc_auc_score
from torch import Tensor
from torch_geometric.data import Batch, Data
from torch_geometric.explain import Explainer, Explanation
from torch_geometric.explain.algorithm import ExplainerAlgorithm
from torch_geometric.explain.metric import characterization_score
from torch_geometric.explain.metric import fidelity as pyg_fidelity

from nodescope.core.models import NodeModel
from nodescope.explain.posthoc import MODEL_CONFIG, Attribution, private_copy
from nodescope.explain.subgraph import Logits, Subgraph, computation_subgraph, prepare_for_explaining

ALPHA1 = 0.1
ALPHA2 = 0.9
#: Default explanation size: 12 directed edges, a BA-Shapes house (6 edges, both directions).
TOP_K = 12


class _Given(ExplainerAlgorithm):
    """A PyG explainer algorithm that returns a given edge mask (to score any explanation with PyG's metrics)."""

    def __init__(self, edge_mask: Tensor) -> None:
        super().__init__()
        self.edge_mask = edge_mask

    def forward(self, model: torch.nn.Module, x: Tensor, edge_index: Tensor, **kwargs: Any) -> Explanation:
        return Explanation(edge_mask=self.edge_mask)

    def supports(self) -> bool:
        return True


def explanation_edges(scores: Tensor, computation: Tensor, top_k: int = TOP_K) -> Tensor:
    """(e,) bool: the ``top_k`` edges of the computation subgraph with the largest non-zero |score|."""
    magnitude = torch.where(computation, scores.abs(), torch.zeros_like(scores))
    k = min(top_k, int((magnitude > 0).sum()))
    hard = torch.zeros_like(computation)
    if k:
        hard[magnitude.topk(k).indices] = True
    return hard


def _local(edge_mask: Tensor, sub: Subgraph) -> Tensor:
    return edge_mask.to(sub.edges.device)[sub.edges]


def fidelity(model: NodeModel, sub: Subgraph, hard: Tensor) -> tuple[float, float]:
    """PyG's (Fid+, Fid-) of the hard explanation ``hard`` (e,) for ``sub``'s centre; each 0 or 1."""
    explainer = Explainer(
        model=Logits(model, sub.data),
        algorithm=_Given(hard.float()),
        explanation_type="model",
        edge_mask_type="object",
        model_config=MODEL_CONFIG,
    )
    explanation = explainer(sub.data.x, sub.data.edge_index, index=sub.center)
    return pyg_fidelity(explainer, explanation)


def _perturbed_batch(sub: Subgraph, keep: Tensor) -> tuple[Batch, Tensor]:
    """``len(keep)`` copies of ``sub.data``, copy s without the edges where ``keep[s]`` is False."""
    copies = keep.shape[0]
    batch = Batch.from_data_list([sub.data] * copies)
    flat = keep.reshape(-1)
    for key in list(batch.keys()):
        if key != "edge_index" and batch.is_edge_attr(key):
            batch[key] = batch[key][flat]
    batch.edge_index = batch.edge_index[:, flat]
    centres = batch.ptr[:-1] + sub.center
    return batch, centres


@torch.no_grad()
def _mean_probability(
    model: NodeModel, sub: Subgraph, keep: Tensor, y: int, max_nodes: int = 200_000
) -> float:
    """Mean over the rows of ``keep`` (S, e) of the centre's probability of ``y`` on the perturbed copies."""
    per = max(1, max_nodes // max(int(sub.data.num_nodes), 1))
    total = 0.0
    for start in range(0, keep.shape[0], per):
        batch, centres = _perturbed_batch(sub, keep[start : start + per])
        total += float(model(batch).logits[centres].softmax(-1)[:, y].sum())
    return total / keep.shape[0]


def robust_fidelity(
    model: NodeModel,
    sub: Subgraph,
    hard: Tensor,
    *,
    alpha1: float = ALPHA1,
    alpha2: float = ALPHA2,
    samples: int = 64,
    seed: int = 0,
) -> tuple[float, float]:
    """(Fid_{a1,+}, Fid_{a2,-}) of the hard explanation ``hard`` (e,) for ``sub``'s centre (module docstring)."""
    gen = torch.Generator().manual_seed(seed)
    e = hard.numel()
    with torch.no_grad():
        probs = model(sub.data).logits[sub.center].softmax(-1)
    y = int(probs.argmax())
    base = float(probs[y])
    hard, computation = hard.cpu(), sub.computation.cpu()
    draws = torch.rand(2, samples, e, generator=gen)
    # G - E_a1(G_exp): an explanation edge goes when the draw keeps it in the sample E_a1.
    plus = ~(hard & (draws[0] < alpha1))
    # G_exp + E_a2(G - G_exp): other computation edges stay with probability a2.
    minus = hard | ~computation | (draws[1] < alpha2)
    device = sub.data.edge_index.device
    fid_plus = base - _mean_probability(model, sub, plus.to(device), y)
    fid_minus = base - _mean_probability(model, sub, minus.to(device), y)
    return fid_plus, fid_minus


def groundtruth(
    scores: Tensor, truth: Tensor, computation: Tensor, hard: Tensor
) -> tuple[float, float, float]:
    """(precision, recall, AUROC) of an explanation against a 0/1 ground-truth edge mask, all (e,).

    Over the computation subgraph: precision and recall of the hard explanation ``hard``,
    AUROC of |scores|. NaN where undefined (no ground-truth edge, or only ground-truth edges).
    """
    comp = computation.cpu().bool()
    t = truth.cpu()[comp] > 0.5
    h = hard.cpu()[comp]
    s = scores.detach().cpu().abs()[comp].numpy()
    hits = int((h & t).sum())
    precision = hits / int(h.sum()) if int(h.sum()) else float("nan")
    recall = hits / int(t.sum()) if int(t.sum()) else float("nan")
    auroc = float(roc_auc_score(t.numpy(), s)) if 0 < int(t.sum()) < t.numel() else float("nan")
    return precision, recall, auroc


def evaluate(
    model: NodeModel,
    data: Data,
    explanations: Iterable[Attribution],
    *,
    top_k: int = TOP_K,
    samples: int = 64,
    seed: int = 0,
    progress: Callable[[int], Any] | None = None,
) -> pd.DataFrame:
    """Every metric for each explanation's node (explanations need an ``edge_mask``).

    Args:
        model: the explained model (a private copy is used).
        data: the graph as loaded; ground-truth metrics when it has ``edge_mask_gt``.
        explanations: attributions from :mod:`explain.posthoc` or :func:`explain.xnode.attributions`.
        top_k: explanation size in directed edges.
        samples: Monte Carlo draws per robust-fidelity term.
        seed: seeds the draws (the same for every node and method, so methods are compared on equal draws).
        progress: called with the number of nodes done.

    Returns:
        One row per node: ``node``, ``method``, ``fid_plus``, ``fid_minus``, ``robust_fid_plus``,
        ``robust_fid_minus``, and with ground truth ``precision``, ``recall``, ``auroc``.
    """
    clone = private_copy(model)
    prepared = prepare_for_explaining(clone, data)
    truth = prepared.get("edge_mask_gt")
    rows = []
    for done, att in enumerate(explanations, 1):
        if att.edge_mask is None:
            raise ValueError(f"{att.method} gives no edge mask to score")
        sub = computation_subgraph(clone, prepared, att.node)
        scores = _local(att.edge_mask, sub)
        hard = explanation_edges(scores, sub.computation, top_k)
        fid_plus, fid_minus = fidelity(clone, sub, hard)
        rplus, rminus = robust_fidelity(clone, sub, hard, samples=samples, seed=seed)
        row = {"node": att.node, "method": att.method, "fid_plus": fid_plus, "fid_minus": fid_minus}
        row |= {"robust_fid_plus": rplus, "robust_fid_minus": rminus}
        if truth is not None:
            precision, recall, auroc = groundtruth(scores, truth[sub.edges], sub.computation, hard)
            row |= {"precision": precision, "recall": recall, "auroc": auroc}
        rows.append(row)
        if progress is not None:
            progress(done)
    return pd.DataFrame(rows)


def characterization(fid_plus: float, fid_minus: float) -> float:
    """PyG's characterization score of mean Fid+ and Fid- (equal weights); 0 when Fid+ is 0 or Fid- is 1."""
    if fid_plus <= 0 or fid_minus >= 1:
        return 0.0
    return float(characterization_score(torch.tensor(fid_plus), torch.tensor(fid_minus)))


def summarise(frame: pd.DataFrame) -> dict[str, Any]:
    """Means of :func:`evaluate`'s columns over its nodes, the characterization score and the settings."""
    if frame.empty:
        return {"nodes": 0}
    means = {c: float(np.nanmean(frame[c])) for c in frame.columns if c not in ("node", "method")}
    means["characterization"] = characterization(means["fid_plus"], means["fid_minus"])
    means["robust_fid_delta"] = means["robust_fid_plus"] - means["robust_fid_minus"]
    return {
        "method": str(frame["method"].iloc[0]),
        "nodes": len(frame),
        **means,
        "alpha1": ALPHA1,
        "alpha2": ALPHA2,
    }
