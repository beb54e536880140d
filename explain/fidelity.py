"""How faithful an edge explanation is: PyG's fidelity, probability fidelity, robust fidelity, motifs.

The explanation subgraph G_exp is made hard, sized to the node's computation subgraph (the
edges within the model's reach, :mod:`explain.subgraph`): the top :data:`FRACTION` (20 %) of
those edges by |mask|, rounded up, so at least one (:func:`explanation_size`; ``top_k`` asks
for a fixed count instead). Only non-zero scores are chosen. Masks are compared by magnitude,
so a signed mask (Integrated Gradients) counts edges that push against the prediction too.
A size relative to the neighborhood keeps the metrics informative on small neighborhoods: a
fixed 12 edges is all or most of a BA-Shapes motif node's (12 to 64 edges under a 2-layer
model), where every explainer then picks the same edges and the metrics cannot tell them apart.

- :func:`fidelity`: masks G_exp's messages (``fid_minus``: keeps only them; ``fid_plus``:
  removes them) in every layer, as PyG's ``torch_geometric.explain.metric.fidelity`` does for
  model explanations (GraphFramEx, Amara et al., 2022), and reads the prediction two ways:
  PyG's hard Fid+/Fid- (1 if the predicted class changes, else 0) and the probability
  fidelity of GraphFramEx, ``prob_fid_plus`` = f(G)_y - f(G - G_exp)_y and ``prob_fid_minus``
  = f(G)_y - f(G_exp)_y, where f(.)_y is the probability of the class y predicted on G. The
  hard version is 0 for almost every node of a confident model (nothing flips), the
  probability version still orders explainers. High Fid+ and low Fid- are good;
  :func:`characterization` is PyG's harmonic combination of the hard means.
- :func:`robust_fidelity`: Zheng et al., "Towards Robust Fidelity for Evaluating
  Explainability of GNNs", ICLR 2024, which removes only a random part of an edge set so the
  perturbed graph stays close to the training distribution:
  Fid_{a1,+} = f(G)_y - E[f(G - E_{a1}(G_exp))_y] and
  Fid_{a2,-} = f(G)_y - E[f(G_exp + E_{a2}(G - G_exp))_y], where E_a(S) keeps each edge of S
  independently with probability a, a1 = 0.1 and a2 = 0.9. Expectations are Monte Carlo means
  over ``samples`` Bernoulli draws from a generator seeded afresh for each explanation (so
  every method sees the same draws on a node), one per computation edge in edge order;
  G - G_exp ranges over the computation subgraph's other edges (edges further out cannot
  reach the prediction).
  :func:`robust_fidelities` evaluates the perturbed copies of many explanations in a few
  forward passes of disjoint copies (one per copy for models with global attention).
- :func:`groundtruth`: precision and recall of G_exp and AUROC of |mask| against a
  ground-truth edge mask (BA-Shapes' ``edge_mask_gt``), over the computation subgraph.

Per node, :func:`evaluate` gives all of them; a metric that does not apply to a node (say
AUROC where the neighborhood holds no motif edge) is NaN, and :func:`not_applicable` says
why. :func:`summarize` averages over the nodes where a metric applies; :func:`shown` writes a
value or ``n/a (reason)``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import torch
from torch import Tensor
from torch_geometric.data import Data
from torch_geometric.explain import Explainer, Explanation
from torch_geometric.explain.algorithm import ExplainerAlgorithm
from torch_geometric.explain.metric import characterization_score

from nodescope.core.models import NodeModel
from nodescope.explain.posthoc import MODEL_CONFIG, Attribution, private_copy
from nodescope.explain.subgraph import Logits, Subgraph, computation_subgraph, hops_of, prepare_for_explaining

ALPHA1 = 0.1
ALPHA2 = 0.9
#: Default explanation size: this share of the node's computation edges (rounded up, at least one).
FRACTION = 0.2
#: Monte Carlo draws per robust-fidelity term.
SAMPLES = 64
#: Metrics that keep G_exp alone (trivial when G_exp is the whole neighborhood).
MINUS = ("fid_minus", "prob_fid_minus", "robust_fid_minus")
FIDELITY = ("fid_plus", "prob_fid_plus", "robust_fid_plus", *MINUS)
GROUND_TRUTH = ("precision", "recall", "auroc")
#: What :func:`shown` calls each metric.
TITLES = {
    "fid_plus": "Fid+",
    "fid_minus": "Fid-",
    "prob_fid_plus": "prob. Fid+",
    "prob_fid_minus": "prob. Fid-",
    "robust_fid_plus": "robust Fid+",
    "robust_fid_minus": "robust Fid-",
    "characterization": "characterization",
    "prob_fid_delta": "prob. Fid+ - Fid-",
    "robust_fid_delta": "robust Fid+ - Fid-",
    "precision": "motif precision",
    "recall": "motif recall",
    "auroc": "motif AUROC",
}


class _Given(ExplainerAlgorithm):
    """A PyG explainer algorithm that returns a given edge mask (to score any explanation with PyG's metrics)."""

    def __init__(self, edge_mask: Tensor) -> None:
        super().__init__()
        self.edge_mask = edge_mask

    def forward(self, model: torch.nn.Module, x: Tensor, edge_index: Tensor, **kwargs: Any) -> Explanation:
        return Explanation(edge_mask=self.edge_mask)

    def supports(self) -> bool:
        return True


def explanation_size(edges: int, *, fraction: float = FRACTION, top_k: int | None = None) -> int:
    """How many directed edges an explanation keeps out of a neighborhood of ``edges``.

    Args:
        edges: the node's computation edges (directed).
        fraction: share of them, rounded up (so at least one edge when there is any).
        top_k: a fixed count instead (capped at ``edges``).
    """
    if edges <= 0:
        return 0
    if top_k is not None:
        return min(int(top_k), edges)
    return min(edges, max(1, math.ceil(fraction * edges - 1e-9)))


def explanation_edges(
    scores: Tensor, computation: Tensor, *, fraction: float = FRACTION, top_k: int | None = None
) -> Tensor:
    """(e,) bool: the explanation subgraph, as a mask over the subgraph's edges.

    The :func:`explanation_size` edges of the computation subgraph with the largest non-zero
    |score| (fewer when fewer scores are non-zero).
    """
    magnitude = torch.where(computation, scores.abs(), torch.zeros_like(scores))
    size = explanation_size(int(computation.sum()), fraction=fraction, top_k=top_k)
    k = min(size, int((magnitude > 0).sum()))
    hard = torch.zeros_like(computation)
    if k:
        hard[magnitude.topk(k).indices] = True
    return hard


def fidelity(model: NodeModel, sub: Subgraph, hard: Tensor) -> dict[str, float]:
    """PyG's hard and the probability fidelity of the explanation ``hard`` (e,) for ``sub``'s center.

    Returns:
        ``fid_plus``, ``fid_minus`` (each 0 or 1, equal to PyG's ``fidelity``) and
        ``prob_fid_plus``, ``prob_fid_minus`` (probability points in [-1, 1]); see the module docstring.
    """
    explainer = Explainer(
        model=Logits(model, sub.data),
        algorithm=_Given(hard.float()),
        explanation_type="model",
        edge_mask_type="object",
        model_config=MODEL_CONFIG,
    )
    x, edge_index, mask = sub.data.x, sub.data.edge_index, hard.float()
    with torch.no_grad():
        full = explainer.get_prediction(x, edge_index)[sub.center].softmax(-1)
        kept = explainer.get_masked_prediction(x, edge_index, edge_mask=mask)[sub.center].softmax(-1)
        removed = explainer.get_masked_prediction(x, edge_index, edge_mask=1.0 - mask)[sub.center].softmax(-1)
    y = int(full.argmax())
    return {
        "fid_plus": float(int(removed.argmax()) != y),
        "fid_minus": float(int(kept.argmax()) != y),
        "prob_fid_plus": float(full[y] - removed[y]),
        "prob_fid_minus": float(full[y] - kept[y]),
    }


def _draws(
    hard: Tensor, computation: Tensor, alpha1: float, alpha2: float, samples: int, seed: int
) -> Tensor:
    """(2, samples, e) bool edges kept in the Fid+ and the Fid- copies (module docstring).

    One uniform draw per sample and computation edge, in the subgraph's edge order (the
    original order), so the draws depend on the computation edges only.
    """
    gen = torch.Generator().manual_seed(seed)
    hard, computation = hard.cpu(), computation.cpu()
    draws = torch.ones(2, samples, hard.numel())
    draws[:, :, computation] = torch.rand(2, samples, int(computation.sum()), generator=gen)
    # G - E_a1(G_exp): an explanation edge goes when the draw keeps it in the sample E_a1.
    plus = ~(hard & (draws[0] < alpha1))
    # G_exp + E_a2(G - G_exp): other computation edges stay with probability a2.
    minus = hard | ~computation | (draws[1] < alpha2)
    return torch.stack([plus, minus])


def _copies(pieces: Sequence[tuple[Subgraph, Tensor]]) -> tuple[Data, Tensor]:
    """One graph of disjoint perturbed copies of subgraphs, and the (sum r,) ids of their centers in it.

    For each (sub, keep (r, e)): r copies of ``sub.data``, copy s with the edges where
    ``keep[s]``. Node-level attributes are repeated, edge-level ones follow their edges.
    """
    template = pieces[0][0].data
    node_keys = [k for k, _ in template.items() if k != "edge_index" and template.is_node_attr(k)]
    edge_keys = [k for k, _ in template.items() if k != "edge_index" and template.is_edge_attr(k)]
    out: dict[str, list[Tensor]] = {k: [] for k in (*node_keys, *edge_keys, "edge_index")}
    centers, offset = [], 0
    for sub, keep in pieces:
        data, rows, n = sub.data, keep.shape[0], int(sub.data.num_nodes)
        starts = offset + torch.arange(rows, device=keep.device) * n
        for k in node_keys:
            out[k].extend([data[k]] * rows)  # one copy, in the concatenation below
        for k in edge_keys:
            out[k].append(data[k].unsqueeze(0).expand(rows, *data[k].shape)[keep])
        out["edge_index"].append((data.edge_index.unsqueeze(1) + starts.view(1, -1, 1))[:, keep])
        centers.append(starts + sub.center)
        offset += rows * n
    batch = Data(num_nodes=offset, **{k: torch.cat(v, 1 if k == "edge_index" else 0) for k, v in out.items()})
    return batch, torch.cat(centers)


def _width(data: Data) -> int:
    """Entries per node of ``data``'s node-level attributes (what one copy of a node costs)."""
    n = max(int(data.num_nodes), 1)
    return sum(int(v.numel()) // n for k, v in data.items() if k != "edge_index" and data.is_node_attr(k))


@torch.no_grad()
def _probabilities(
    model: NodeModel, jobs: Sequence[tuple[Subgraph, Tensor, int]], budget: int, batched: bool
) -> list[Tensor]:
    """For each job (sub, keep (S, e), y): (S,) the center's probability of ``y`` on each perturbed copy.

    Copies of several jobs share a forward pass up to ``budget`` node-attribute entries (one
    copy per pass when not ``batched``: models that attend to every node would mix copies).
    """
    out = [torch.empty(keep.shape[0]) for _, keep, _ in jobs]
    chunk: list[tuple[int, int, int]] = []  # (job, first row, end row)

    def flush() -> None:
        batch, centers = _copies([(jobs[j][0], jobs[j][1][a:b]) for j, a, b in chunk])
        probs = model(batch).logits[centers].softmax(-1)
        ys = torch.cat([torch.full((b - a,), jobs[j][2]) for j, a, b in chunk]).to(probs.device)
        picked = probs.gather(1, ys[:, None])[:, 0].cpu()
        at = 0
        for j, a, b in chunk:
            out[j][a:b] = picked[at : at + b - a]
            at += b - a
        chunk.clear()

    load = 0
    for j, (sub, keep, _) in enumerate(jobs):
        per_copy = int(sub.data.num_nodes) * _width(sub.data)
        rows = max(1, budget // max(per_copy, 1)) if batched else 1
        for a in range(0, keep.shape[0], rows):
            b = min(a + rows, keep.shape[0])
            if chunk and (not batched or load + (b - a) * per_copy > budget):
                flush()
                load = 0
            chunk.append((j, a, b))
            load += (b - a) * per_copy
    if chunk:
        flush()
    return out


def robust_fidelities(
    model: NodeModel,
    cases: Sequence[tuple[Subgraph, Tensor]],
    *,
    alpha1: float = ALPHA1,
    alpha2: float = ALPHA2,
    samples: int = SAMPLES,
    seed: int = 0,
    budget: int = 1 << 21,
) -> list[tuple[float, float]]:
    """(Fid_{a1,+}, Fid_{a2,-}) of each (sub, hard (e,)) explanation (module docstring).

    Every explanation's draws come from a generator seeded with ``seed``, as if scored alone;
    the perturbed copies of all of them go through the model together, ``budget`` node-feature
    entries (4 bytes each) per forward pass.
    """
    if not cases:
        return []
    batched = hops_of(model) is not None
    with torch.no_grad():
        bases = [model(sub.data).logits[sub.center].softmax(-1) for sub, _ in cases]
    ys = [int(p.argmax()) for p in bases]
    jobs = []
    for (sub, hard), y in zip(cases, ys, strict=True):
        keep = _draws(hard, sub.computation, alpha1, alpha2, samples, seed).to(sub.data.edge_index.device)
        jobs += [(sub, keep[0], y), (sub, keep[1], y)]
    means = [float(p.mean()) for p in _probabilities(model, jobs, budget, batched)]
    return [
        (float(p[y]) - means[2 * i], float(p[y]) - means[2 * i + 1])
        for i, (p, y) in enumerate(zip(bases, ys, strict=True))
    ]


def robust_fidelity(
    model: NodeModel,
    sub: Subgraph,
    hard: Tensor,
    *,
    alpha1: float = ALPHA1,
    alpha2: float = ALPHA2,
    samples: int = SAMPLES,
    seed: int = 0,
) -> tuple[float, float]:
    """(Fid_{a1,+}, Fid_{a2,-}) of the hard explanation ``hard`` (e,) for ``sub``'s center (module docstring)."""
    return robust_fidelities(model, [(sub, hard)], alpha1=alpha1, alpha2=alpha2, samples=samples, seed=seed)[
        0
    ]


def auroc(labels: np.ndarray, scores: np.ndarray) -> float:
    """Area under the ROC curve of ``scores`` (n,) for 0/1 ``labels`` (n,); NaN unless both occur.

    Ties count half (the Mann-Whitney U statistic): ``sklearn.metrics.roc_auc_score``'s value,
    without its second of import time.
    """
    labels = np.asarray(labels, bool)
    pos, neg = int(labels.sum()), int((~labels).sum())
    if not pos or not neg:
        return float("nan")
    _, inverse, counts = np.unique(np.asarray(scores), return_inverse=True, return_counts=True)
    ranks = (np.cumsum(counts) - (counts - 1) / 2)[inverse]  # 1-based, ties share their mean rank
    return float((ranks[labels].sum() - pos * (pos + 1) / 2) / (pos * neg))


def groundtruth(
    scores: Tensor, truth: Tensor, computation: Tensor, hard: Tensor
) -> tuple[float, float, float]:
    """(precision, recall, AUROC) of an explanation against a 0/1 ground-truth edge mask, all (e,).

    Over the computation subgraph: precision and recall of the hard explanation ``hard``,
    AUROC of |scores|. NaN where undefined (see :func:`not_applicable`).
    """
    comp = computation.cpu().bool()
    t = truth.cpu()[comp] > 0.5
    h = hard.cpu()[comp]
    s = scores.detach().cpu().abs()[comp].numpy()
    motif, size = int(t.sum()), int(h.sum())
    hits = int((h & t).sum())
    some = 0 < motif < t.numel()  # precision and AUROC need motif edges and other edges
    precision = hits / size if size and some else float("nan")
    recall = hits / motif if motif else float("nan")
    return precision, recall, auroc(t.numpy(), s) if some else float("nan")


def not_applicable(row: Mapping[str, Any]) -> dict[str, str]:
    """Metric → why it does not apply to an :func:`evaluate` row; metrics that apply are absent.

    Read from the row's ``edges``, ``size`` and ``motif_edges`` counts: no edge at all; an
    empty explanation; one that is the whole neighborhood (the "keep only G_exp" metrics are
    then trivially 0); no motif edge, or only motif edges, in the neighborhood.
    """
    edges, size = int(row.get("edges", 1)), int(row.get("size", 1))
    if edges == 0:
        return dict.fromkeys((*FIDELITY, *GROUND_TRUTH), "the node has no edges")
    out: dict[str, str] = {}
    if size == 0:
        out |= dict.fromkeys((*FIDELITY, "precision"), "the explainer scored every edge 0")
    elif size == edges:
        out |= dict.fromkeys(MINUS, "the explanation is the whole neighborhood")
    motif = row.get("motif_edges")
    if motif is not None and not (isinstance(motif, float) and math.isnan(motif)):
        if int(motif) == 0:
            out |= dict.fromkeys(GROUND_TRUTH, "no motif edge in the neighborhood")
        elif int(motif) == edges:
            out |= dict.fromkeys(("precision", "auroc"), "only motif edges in the neighborhood")
    return out


def evaluate(
    model: NodeModel,
    data: Data,
    explanations: Iterable[Attribution],
    *,
    fraction: float = FRACTION,
    top_k: int | None = None,
    samples: int = SAMPLES,
    seed: int = 0,
    progress: Callable[[int], Any] | None = None,
) -> pd.DataFrame:
    """Every metric for each explanation's node (explanations need an ``edge_mask``).

    Args:
        model: the explained model (a private copy is used).
        data: the graph as loaded; ground-truth metrics when it has ``edge_mask_gt``.
        explanations: attributions from :mod:`explain.posthoc` or :func:`explain.xnode.attributions`.
        fraction: explanation size as a share of each node's computation edges (rounded up).
        top_k: a fixed explanation size in directed edges instead.
        samples: Monte Carlo draws per robust-fidelity term.
        seed: seeds the draws (the same for every node and method, so methods are compared on equal draws).
        progress: called with the number of explanations done (robust fidelity runs after the
            last, for all of them together).

    Returns:
        One row per explanation: ``node``, ``method``, ``edges`` (its computation edges),
        ``size`` (edges in the explanation), ``fid_plus``, ``fid_minus`` (PyG, 0/1),
        ``prob_fid_plus``, ``prob_fid_minus``, ``robust_fid_plus``, ``robust_fid_minus``, and
        with ground truth ``motif_edges``, ``precision``, ``recall``, ``auroc``. NaN where a
        metric does not apply (:func:`not_applicable` says why).
    """
    clone = private_copy(model)
    prepared = prepare_for_explaining(clone, data)
    truth = prepared.get("edge_mask_gt")
    subs: dict[int, Subgraph] = {}
    rows, cases = [], []
    for done, att in enumerate(explanations, 1):
        if att.edge_mask is None:
            raise ValueError(f"{att.method} gives no edge mask to score")
        if att.node not in subs:
            subs[att.node] = computation_subgraph(clone, prepared, att.node)
        sub = subs[att.node]
        scores = att.edge_mask.to(sub.edges.device)[sub.edges]
        hard = explanation_edges(scores, sub.computation, fraction=fraction, top_k=top_k)
        row: dict[str, Any] = {"node": att.node, "method": att.method}
        row |= {"edges": int(sub.computation.sum()), "size": int(hard.sum())}
        if truth is not None:
            local = truth[sub.edges]
            row["motif_edges"] = int((local.cpu()[sub.computation.cpu()] > 0.5).sum())
            precision, recall, auroc = groundtruth(scores, local, sub.computation, hard)
            row |= {"precision": precision, "recall": recall, "auroc": auroc}
        if row["size"]:
            row |= fidelity(clone, sub, hard)
            cases.append((len(rows), sub, hard))
        rows.append(row)
        if progress is not None:
            progress(done)
    robust = robust_fidelities(clone, [(s, h) for _, s, h in cases], samples=samples, seed=seed)
    for (i, _, _), (plus, minus) in zip(cases, robust, strict=True):
        rows[i] |= {"robust_fid_plus": plus, "robust_fid_minus": minus}
    columns = ["node", "method", "edges", "size", "fid_plus", "fid_minus", "prob_fid_plus", "prob_fid_minus"]
    columns += ["robust_fid_plus", "robust_fid_minus"]
    if truth is not None:
        columns += ["motif_edges", *GROUND_TRUTH]
    frame = pd.DataFrame(rows, columns=columns)
    for i, row in enumerate(rows):
        for metric in not_applicable(row):
            frame.loc[i, metric] = np.nan
    return frame


def characterization(fid_plus: float, fid_minus: float) -> float:
    """PyG's characterization score of mean Fid+ and Fid- (equal weights).

    0 when Fid+ is 0 or Fid- is 1, NaN when either is NaN.
    """
    if math.isnan(fid_plus) or math.isnan(fid_minus):
        return float("nan")
    if fid_plus <= 0 or fid_minus >= 1:
        return 0.0
    return float(characterization_score(torch.tensor(fid_plus), torch.tensor(fid_minus)))


def summarize(frame: pd.DataFrame) -> dict[str, Any]:
    """Means of :func:`evaluate`'s metrics over the nodes where each applies, and the settings.

    Returns:
        ``method``, ``nodes``, the mean of every metric column (``edges`` and ``size`` too),
        ``characterization``, ``robust_fid_delta`` (robust Fid+ - Fid-), ``alpha1``,
        ``alpha2``; ``scored_nodes``: metric → nodes it applies to, for metrics that do not
        apply everywhere; ``not_applicable``: metric → why, for metrics that apply nowhere.
    """
    if frame.empty:
        return {"nodes": 0}
    metrics = [c for c in frame.columns if c not in ("node", "method")]
    means = {c: float(frame[c].mean()) if frame[c].notna().any() else float("nan") for c in metrics}
    means["characterization"] = characterization(means["fid_plus"], means["fid_minus"])
    means["prob_fid_delta"] = means["prob_fid_plus"] - means["prob_fid_minus"]
    means["robust_fid_delta"] = means["robust_fid_plus"] - means["robust_fid_minus"]
    reasons: dict[str, list[str]] = {}
    for row in frame.to_dict("records"):
        for metric, why in not_applicable(row).items():
            reasons.setdefault(metric, []).append(why)
    scored = {
        m: int(frame[m].notna().sum()) for m in metrics if frame[m].isna().any() and frame[m].notna().any()
    }
    missing = {
        m: "; ".join(sorted(set(reasons.get(m, ["undefined"])))) for m in metrics if frame[m].isna().all()
    }
    for combined, parts in (
        ("characterization", ("fid_plus", "fid_minus")),
        ("prob_fid_delta", ("prob_fid_plus", "prob_fid_minus")),
        ("robust_fid_delta", ("robust_fid_plus", "robust_fid_minus")),
    ):
        if math.isnan(means[combined]) and any(p in missing for p in parts):
            missing[combined] = "; ".join(missing[p] for p in parts if p in missing)
    return {
        "method": str(frame["method"].iloc[0]),
        "nodes": len(frame),
        **means,
        "alpha1": ALPHA1,
        "alpha2": ALPHA2,
        "scored_nodes": scored,
        "not_applicable": missing,
    }


def shown(value: float | None, reason: str | None = None, spec: str = ".3f") -> str:
    """``value`` formatted with ``spec``, or ``n/a (reason)`` when it is NaN or None."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return f"n/a ({reason})" if reason else "n/a"
    return format(value, spec)


def shown_summary(summary: Mapping[str, Any], metric: str, spec: str = ".3f") -> str:
    """``title value`` of a :func:`summarize` result's ``metric``; ``n/a (reason)`` where it does not apply."""
    reason = summary.get("not_applicable", {}).get(metric)
    return f"{TITLES.get(metric, metric)} {shown(summary.get(metric, float('nan')), reason, spec)}"
