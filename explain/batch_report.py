"""What ``nodescope report`` says about a model on a sample, as data: sections of sentences, a table, arrays.

Each builder returns one :class:`Section`: plain sentences, the numbers as a table and the
arrays its figure draws. A section that does not apply (a model without attention, a graph
without labels) keeps only a sentence saying why. The numbers are those of the app's pages and
commands, computed by the same functions:

- :func:`accuracy_section`: train/validation/test accuracy on the split shipped weights are
  evaluated on (:func:`core.training.with_split`, seed 0), beside the majority-class rate
  (:mod:`explain.learned`);
- :func:`attention_section`: per layer and head, entropy over each node's neighbors divided by
  the uniform distribution's (:func:`explain.attention.head_statistics`), and the Attention
  page's sentences (:func:`explain.learned.learned_warnings`);
- :func:`fidelity_section`: ``nodescope explain``'s fidelity over a seeded sample of nodes
  (:func:`explain.report.explain_graph`): probability Fid+/Fid-, PyG's hard ones, robust ones,
  ``n/a (reason)`` where one does not apply;
- :func:`oversmoothing_section`: the Over-smoothing page's sweep (:func:`page_sweeps`);
- :func:`registration_section`: ``nodescope register``'s metrics of the native, rigid and
  registered spheres, the rigid score, warnings and the QC verdict (:mod:`explain.registration_qc`).
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import torch
from torch_geometric.data import Data

from nodescope.core.device import device
from nodescope.core.models import MODELS, NodeModel
from nodescope.core.registration.io import Subject
from nodescope.core.registration.pipeline import RegistrationResult
from nodescope.core.sample import Sample
from nodescope.core.sweeps import SweepConfig, SweepResult, run_sweep, shipped_sweeps
from nodescope.core.training import accuracy
from nodescope.explain.attention import attention_maps, head_statistics
from nodescope.explain.defaults import DEFAULT_SWEEP_MODELS
from nodescope.explain.fidelity import TITLES as FIDELITY_TITLES
from nodescope.explain.fidelity import shown
from nodescope.explain.learned import (
    LearnedCheck,
    attention_uniformity,
    learned_check,
    learned_warnings,
    majority_rate,
)
from nodescope.explain.oversmoothing import METRICS, measure_for
from nodescope.explain.registration_report import metrics_table
from nodescope.explain.report import explain_graph, method_title

#: Depths of the sweep run when no shipped sweep fits the graph (as :func:`nodescope.show`).
LIVE_SWEEP_DEPTHS = (2, 8, 32)
#: Fidelity metrics in the report, and whether high or low is good.
FIDELITY_ROWS = {
    "prob_fid_plus": "high",
    "prob_fid_minus": "low",
    "fid_plus": "high",
    "fid_minus": "low",
    "characterization": "high",
    "robust_fid_plus": "high",
    "robust_fid_minus": "low",
    "precision": "high",
    "recall": "high",
    "auroc": "high",
}
SPLITS = ("train", "val", "test")


@dataclass(frozen=True)
class Section:
    """One part of a report.

    Attributes:
        key: what it reports: ``accuracy``, ``attention``, ``fidelity``, ``oversmoothing``,
            ``registration``.
        title: its heading.
        sentences: plain sentences; a section that does not apply says why and has nothing else.
        table: its numbers, one row per item, or None.
        arrays: what its figure draws (each builder lists them), empty without a figure.
    """

    key: str
    title: str
    sentences: tuple[str, ...]
    table: pd.DataFrame | None = None
    arrays: Mapping[str, Any] = field(default_factory=dict)

    @property
    def applies(self) -> bool:
        """True when the section has numbers (False: its sentence says why not)."""
        return self.table is not None or bool(self.arrays)


def _logits(model: NodeModel, data: Data) -> torch.Tensor:
    """(N, C) the model's class scores on ``data`` (eval mode, on the CPU)."""
    prepared = model.prepare(data).to(device())
    model.eval()
    with torch.no_grad():
        return model(prepared).logits.cpu()


def accuracy_section(model: NodeModel, data: Data) -> Section:
    """Train, validation and test accuracy, each beside the majority-class rate of its split.

    Args:
        model: a trained node classifier.
        data: its graph with ``y`` and train/val/test masks (:func:`core.training.with_split`).

    Returns:
        Table columns ``split``, ``nodes``, ``accuracy``, ``majority class`` (fractions in
        [0, 1]); arrays ``splits`` (3,) str, ``accuracy`` (3,) and ``majority`` (3,) float64.
    """
    logits, y = _logits(model, data), data.y.cpu()
    rows = []
    for split in SPLITS:
        mask = data[f"{split}_mask"].cpu() & (y >= 0)
        rows.append(
            {
                "split": split,
                "nodes": int(mask.sum()),
                "accuracy": accuracy(logits, y, mask),
                "majority class": majority_rate(y, mask),
            }
        )
    table = pd.DataFrame(rows)
    test = rows[2]
    title = MODELS[model.config.model].title
    sentences = [
        f"{title} predicts {test['accuracy']:.1%} of the {test['nodes']} test nodes correctly "
        f"(train {rows[0]['accuracy']:.1%}, validation {rows[1]['accuracy']:.1%}); always answering the "
        f"most common class would score {test['majority class']:.1%}."
    ]
    sentences += learned_warnings(learned_check(logits, y, data.test_mask.cpu()))  # at the majority class?
    arrays = {
        "splits": np.asarray(SPLITS),
        "accuracy": table["accuracy"].to_numpy(np.float64),
        "majority": table["majority class"].to_numpy(np.float64),
    }
    return Section("accuracy", "Accuracy", tuple(sentences), table, arrays)


def attention_section(model: NodeModel, data: Data) -> Section:
    """How evenly each attention head spreads over each node's neighbors, as the Attention page says.

    Args:
        model: a trained node classifier.
        data: its graph with ``y`` and a ``test_mask``.

    Returns:
        Table columns ``layer``, ``head`` (1-based), ``layer_name``, ``entropy / uniform``,
        ``sparsity``, ``salience``; arrays ``entropy_norm`` (L, H) float64 (NaN for heads a
        layer lacks; 1 = uniform over the neighbors) and ``layer_names`` (L,) str. A model
        without edge attention gets a sentence only.
    """
    key = model.config.model
    title = MODELS[key].title
    if MODELS[key].attention == "none":
        return Section("attention", "Attention", (f"n/a: {title} has no attention.",))
    maps = attention_maps(model, model.prepare(data).to(device()))
    if not maps.heads:
        return Section(
            "attention",
            "Attention",
            (
                f"n/a: {title}'s attention is global (every node over all nodes), with no per-edge "
                "coefficients to summarize here; the Attention page shows it node by node.",
            ),
        )
    stats = head_statistics(maps)
    grid = np.full((len(maps.heads), max(maps.heads)), np.nan)
    grid[stats["layer"].to_numpy(), stats["head"].to_numpy()] = stats["entropy_norm"].to_numpy()
    uniformity = attention_uniformity(maps)
    sentences = [
        f"Averaged over its {len(stats)} heads, the entropy of each node's incoming attention is "
        f"{uniformity:.1%} of the uniform distribution's (100% = every neighbor weighted equally)."
    ]
    peaked = stats.loc[stats["entropy_norm"].idxmin()] if stats["entropy_norm"].notna().any() else None
    if peaked is not None:
        sentences.append(
            f"The most selective head is layer {int(peaked['layer']) + 1}, head {int(peaked['head']) + 1} "
            f"({peaked['entropy_norm']:.1%} of uniform; its strongest edge takes {peaked['salience']:.0%} "
            "of a node's attention on average)."
        )
    # The Attention page's near-uniform sentence (its majority-class one is the accuracy section's).
    sentences += learned_warnings(LearnedCheck(math.nan, math.nan, math.nan, 0, uniformity))
    table = stats.assign(layer=stats["layer"] + 1, head=stats["head"] + 1).rename(
        columns={"entropy_norm": "entropy / uniform"}
    )[["layer", "head", "layer_name", "entropy / uniform", "sparsity", "salience"]]
    arrays = {"entropy_norm": grid, "layer_names": np.asarray(maps.layer_names)}
    return Section("attention", "Attention", tuple(sentences), table, arrays)


def default_method(model: NodeModel) -> str:
    """The explainer a report scores: X-Node's own explanation for X-Node models, else Integrated Gradients."""
    return "xnode" if model.config.model.startswith("xnode-") else "ig"


def fidelity_section(
    sample: Sample,
    data: Data,
    model: NodeModel,
    method: str,
    *,
    nodes: int = 50,
    seed: int = 0,
    progress: Callable[[int, int], Any] | None = None,
) -> Section:
    """``nodescope explain``'s fidelity of ``method`` over a seeded sample of ``nodes`` nodes.

    Args:
        sample: the loaded sample.
        data: its graph with the split the model was trained on.
        model: the trained model.
        method: an explainer of :data:`explain.report.METHODS` the model can give.
        nodes: how many nodes to score (a seeded sample; all when the graph is smaller).
        seed: seeds the sample and the Monte Carlo draws.
        progress: ``progress(done, total)`` after each node explained.

    Returns:
        Table columns ``metric``, ``value`` (text: the mean, or ``n/a (reason)``), ``good when``
        (``high``/``low``); arrays ``metric`` (M,) str and ``value`` (M,) float64 (NaN: n/a).
    """
    n = int(data.num_nodes)
    chosen = sorted(random.Random(seed).sample(range(n), min(nodes, n)))
    if not chosen:
        return Section(
            "fidelity", "Explanation fidelity", ("n/a: no node was asked for (fidelity_nodes 0).",)
        )
    summary = explain_graph(
        sample, data, model, method, chosen, fidelity_nodes=len(chosen), seed=seed, progress=progress
    ).fidelity
    if not summary.get("nodes"):
        return Section(
            "fidelity", "Explanation fidelity", (f"n/a: {method_title(method)} gives no edge mask to score.",)
        )
    reasons = summary.get("not_applicable", {})
    metrics = [m for m in FIDELITY_ROWS if m in summary]
    values = np.asarray([float(summary[m]) for m in metrics])
    table = pd.DataFrame(
        {
            "metric": [FIDELITY_TITLES.get(m, m) for m in metrics],
            "value": [shown(float(summary[m]), reasons.get(m)) for m in metrics],
            "good when": [FIDELITY_ROWS[m] for m in metrics],
        }
    )
    size = f"the top {summary['fraction']:.0%} of each node's computation edges"
    sentences = [
        f"{method_title(method)} explained {summary['nodes']} nodes (a sample seeded {seed}); each "
        f"explanation is {size} by importance.",
        "Removing the explanation "
        + _change(summary["prob_fid_plus"], reasons.get("prob_fid_plus"), "the predicted class's probability")
        + " on average (prob. Fid+, high is faithful); keeping only the explanation "
        + _change(summary["prob_fid_minus"], reasons.get("prob_fid_minus"), "it")
        + " (prob. Fid-, low is sufficient).",
        f"The prediction changes for {shown(summary['fid_plus'], reasons.get('fid_plus'), '.0%')} of the "
        f"nodes when the explanation is removed (PyG's Fid+), and for "
        f"{shown(summary['fid_minus'], reasons.get('fid_minus'), '.0%')} when only it is kept (Fid-).",
    ]
    arrays = {"metric": np.asarray(table["metric"]), "value": values}
    return Section("fidelity", "Explanation fidelity", tuple(sentences), table, arrays)


def _change(drop: float | None, reason: str | None, what: str) -> str:
    """``"lowers WHAT by 0.256"`` for a mean drop, ``"raises WHAT by 0.001"`` for a rise, or n/a with its reason."""
    if drop is None or reason is not None or math.isnan(drop):
        return f"changes {what} by {shown(drop, reason)}"
    return f"{'lowers' if drop >= 0 else 'raises'} {what} by {shown(abs(drop))}"


def page_sweeps(
    sample: Sample, progress: Callable[[float, str], Any] | None = None
) -> dict[str, SweepResult]:
    """The Over-smoothing page's sweeps of ``sample``: the shipped ones of this very graph, else one at initialization.

    The live sweep runs :data:`explain.defaults.DEFAULT_SWEEP_MODELS` at
    :data:`LIVE_SWEEP_DEPTHS` untrained, through the on-disk cache (seconds on small graphs).

    Returns:
        ``{"untrained" | "trained": SweepResult}``.
    """
    from nodescope.core.checkpoint import dataset_key

    shipped = shipped_sweeps(sample)
    if shipped:
        return shipped
    config = SweepConfig(dataset=dataset_key(sample), models=DEFAULT_SWEEP_MODELS, depths=LIVE_SWEEP_DEPTHS)
    return {"untrained": run_sweep(config, measure_for, sample=sample, progress=progress)}


def oversmoothing_section(sweeps: Mapping[str, SweepResult], metric: str = "dirichlet") -> Section:
    """The metric at every layer of the deepest models swept, and (trained sweeps) accuracy vs depth.

    Args:
        sweeps: :func:`page_sweeps`.
        metric: a key of :data:`explain.oversmoothing.METRICS`.

    Returns:
        Table: one row per model, its last layer's value at each depth (``depth D`` columns) and,
        when trained, its test accuracy at each depth (``acc D``); arrays ``curves`` (model key ->
        (D + 1,) float64 at the deepest depth D), ``depth``, ``metric_title``, ``log_y`` and,
        when trained, ``accuracy`` (model key -> {depth: (mean, std)}).
    """
    sweep = sweeps.get("untrained") or sweeps["trained"]
    depths = sweep.config.depths
    deepest = max(depths)
    drawn = [m for m in DEFAULT_SWEEP_MODELS if m in sweep.config.models] or list(sweep.config.models)
    info = METRICS[metric]
    curves = {m: np.asarray(sweep.curve(m, deepest, metric), dtype=np.float64) for m in drawn}
    rows = []
    for m in drawn:
        row: dict[str, Any] = {"model": MODELS[m].title}
        row |= {f"depth {d}": float(sweep.curve(m, d, metric)[-1]) for d in depths}
        rows.append(row)
    arrays: dict[str, Any] = {
        "curves": curves,
        "depth": deepest,
        "metric_title": info.title,
        "log_y": info.log_scale,
    }
    if "trained" in sweeps:
        trained = sweeps["trained"]
        acc = {m: trained.accuracy(m) for m in trained.config.models}
        arrays["accuracy"] = acc
        for row, m in zip(rows, drawn, strict=True):
            row |= {f"acc {d}": acc[m][d][0] for d in sorted(acc.get(m, {}))}
    ratios = {m: c[-1] / c[0] for m, c in curves.items() if c[0] > 0 and not math.isnan(c[-1])}
    state = "at initialization" if not sweep.config.trained else "trained"
    sentences = [
        f"{info.title} at every layer of models {deepest} layers deep ({state}, {sweep.config.seeds} seed(s)); "
        "a curve that falls toward 0 means the nodes' representations become alike (over-smoothing)."
    ]
    if ratios:
        worst, best = min(ratios, key=ratios.get), max(ratios, key=ratios.get)
        sentences.append(
            f"After {deepest} layers it is {ratios[worst]:.2g} times the input's for {MODELS[worst].title} "
            f"(the most smoothed) and {ratios[best]:.2g} times for {MODELS[best].title}."
        )
    return Section("oversmoothing", "Over-smoothing", tuple(sentences), pd.DataFrame(rows), arrays)


def registration_section(
    moving: Subject, fixed: Subject, result: RegistrationResult, *, fixed_name: str = "fsaverage5"
) -> Section:
    """``nodescope register``'s quality control: metrics of the native, rigid and registered spheres.

    Args:
        moving: the registered hemisphere.
        fixed: the fixed subject (:func:`core.registration.subjects.fixed_subject`).
        result: the registration.
        fixed_name: the fixed surface's name, for the QC's reference ranges.

    Returns:
        Table: one row per sphere (``sphere``: native (before), rigid, registered) and the
        columns of :func:`explain.registration_report.metrics_table`. No arrays: the report
        draws the registration itself.
    """
    from nodescope.explain.registration_qc import RANGES_FILE, qc_flags, qc_summary

    table = metrics_table(moving, fixed, result.rigid, result.registered)
    after = table.iloc[-1]
    before = table.iloc[0]
    sentences = [
        f"{moving.name} ({moving.hemi}) registered onto {fixed.name} ({' then '.join(result.stages)}) in "
        f"{result.timings.get('total', float('nan')):.1f} s.",
        f"Sulc correlation with the atlas went from {before['sulc correlation']:.3f} before to "
        f"{after['sulc correlation']:.3f} after; {int(after['flipped triangles'])} triangles flipped; "
        f"areal distortion {after['areal distortion']:.3f} and edge distortion {after['edge distortion']:.3f} "
        "(mean |log2 ratio| to the native sphere; 0 = no distortion).",
        f"The rigid stage matched the atlas with a sulc correlation of {result.rigid_score:.2f}.",
        *result.warnings,
    ]
    if RANGES_FILE.is_file():
        row = {
            "correlation": after["sulc correlation"],
            "flipped": after["flipped triangles"],
            "areal_distortion": after["areal distortion"],
            "edge_distortion": after["edge distortion"],
            "rigid_score": result.rigid_score,
            "seconds": result.timings.get("total"),
        }
        sentences.append(qc_summary(qc_flags(row, fixed_name, moving.hemi), fixed_name, moving.hemi))
    table = table.rename_axis("sphere").reset_index()
    return Section("registration", "Registration quality control", tuple(sentences), table)


__all__ = [
    "FIDELITY_ROWS",
    "LIVE_SWEEP_DEPTHS",
    "Section",
    "accuracy_section",
    "attention_section",
    "default_method",
    "fidelity_section",
    "oversmoothing_section",
    "page_sweeps",
    "registration_section",
]
