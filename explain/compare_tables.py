"""What is read off :class:`~explain.compare.NodeComparison` results for display and export.

Fidelity tables and lines, per-node values for a whole-graph map, edge scores on a drawn
subgraph, and the one-row-per-node explanation table with every comparison made so far.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Literal

import numpy as np
import pandas as pd
import torch

from nodescope.core.sample import Sample
from nodescope.explain.compare import NodeComparison
from nodescope.explain.fidelity import not_applicable, shown
from nodescope.explain.report import method_title
from nodescope.explain.text import explain_all
from nodescope.explain.xnode import XNodeResult

#: Fidelity columns shown (:func:`explain.fidelity.evaluate`'s names) and their titles.
FIDELITY_COLUMNS = {
    "fid_plus": "Fid+",
    "fid_minus": "Fid−",
    "prob_fid_plus": "prob. Fid+",
    "prob_fid_minus": "prob. Fid−",
    "robust_fid_plus": "robust Fid+ (α=0.1)",
    "robust_fid_minus": "robust Fid− (α=0.9)",
    "auroc": "AUROC vs motif",
}


def fidelity_table(cmp: NodeComparison) -> pd.DataFrame:
    """One row per method, indexed by its title, with the columns :data:`FIDELITY_COLUMNS`.

    PyG Fid+/Fid-, the probability and robust fidelities and, when the graph has a ground-truth
    motif, the AUROC against it; NaN where a metric does not apply (:func:`fidelity_styled`
    shows why).
    """
    cols = [c for c in FIDELITY_COLUMNS if c in cmp.fidelity]
    frame = cmp.fidelity.set_index("method")[cols]
    frame.index = [method_title(m) for m in frame.index]
    return frame.rename(columns=FIDELITY_COLUMNS)


def fidelity_styled(cmp: NodeComparison) -> pd.io.formats.style.Styler:
    """:func:`fidelity_table` for display: three decimals, and ``n/a (reason)`` where a metric does not apply."""
    table = fidelity_table(cmp)
    styler = table.style.format("{:.3f}")
    titles = {title: column for column, title in FIDELITY_COLUMNS.items()}
    for label, row in zip(table.index, cmp.fidelity.to_dict("records"), strict=True):
        reasons = not_applicable(row)
        for title in table.columns:
            if pd.isna(table.at[label, title]):
                text = shown(math.nan, reasons.get(titles[title]))
                styler = styler.format(lambda _, text=text: text, subset=([label], [title]))
    return styler


def fidelity_line(cmp: NodeComparison, method: str) -> str:
    """One method's fidelity in a line: PyG Fid+/Fid-, the probability pair and the robust pair."""
    row = cmp.fidelity[cmp.fidelity["method"] == method]
    if not len(row):
        return "no edge mask to score"
    r = row.iloc[0]
    why = not_applicable(r.to_dict())

    def value(column: str, spec: str = ".3f") -> str:
        return shown(float(r[column]), why.get(column), spec)

    line = f"Fid+ {value('fid_plus', '.0f')} · Fid− {value('fid_minus', '.0f')} · "
    if "prob_fid_plus" in r:
        line += f"prob. {value('prob_fid_plus')} / {value('prob_fid_minus')} · "
    return line + f"robust {value('robust_fid_plus')} / {value('robust_fid_minus')}"


def agreement_shown(cmp: NodeComparison) -> str:
    """The explainers' agreement with two decimals, or ``n/a (reason)``."""
    return shown(cmp.agreement, cmp.agreement_note or "fewer than two explainers", ".2f")


def _fidelity(cmp: NodeComparison, method: str, column: str) -> float:
    row = cmp.fidelity[cmp.fidelity["method"] == method]
    return float(row[column].iloc[0]) if len(row) else math.nan


def comparison_values(
    comparisons: Mapping[int, NodeComparison], num_nodes: int, measure: Literal["agreement", "fidelity"]
) -> np.ndarray:
    """(N,) float64 per node: the explainers' ``agreement``, or X-Node's robust ``fidelity``.

    The fidelity is robust Fid+ − Fid−; values are NaN for nodes not compared (or without an
    X-Node row).
    """
    values = np.full(num_nodes, np.nan)
    for node, cmp in comparisons.items():
        if measure == "agreement":
            values[node] = cmp.agreement
        else:
            plus, minus = (_fidelity(cmp, "xnode", f"robust_fid_{side}") for side in ("plus", "minus"))
            values[node] = plus - minus
    return values


def edge_scores(cmp: NodeComparison, method: str, edge_ids: np.ndarray) -> np.ndarray:
    """(e,) the method's edge importance on edges ``edge_ids`` of the whole graph; zeros without an edge mask."""
    mask = cmp.attributions[method].edge_mask
    return np.zeros(len(edge_ids)) if mask is None else mask[torch.from_numpy(edge_ids)].numpy()


def explanation_table(result: XNodeResult, sample: Sample) -> pd.DataFrame:
    """:func:`explain.text.explain_all` with each node's name (when the sample names nodes) and true label."""
    table = explain_all(result)
    y = sample.data.get("y")
    if y is not None:
        table.insert(3, "true_label", [sample.class_name(int(c)) if int(c) >= 0 else "" for c in y.tolist()])
    if sample.node_names is not None:
        table.insert(1, "name", list(sample.node_names))
    return table


def with_comparisons(table: pd.DataFrame, comparisons: Mapping[int, NodeComparison]) -> pd.DataFrame:
    """A table with a ``node`` column, plus the comparisons' columns for the compared nodes.

    The explainers' ``agreement`` and each method's ``<method> robust_fid_plus`` /
    ``robust_fid_minus``, NaN for the nodes not compared.
    """
    if not comparisons:
        return table
    done = list(comparisons.values())
    extra = pd.DataFrame({"node": list(comparisons), "agreement": [c.agreement for c in done]})
    for method in sorted({m for c in done for m in c.fidelity["method"]}):
        for column in ("robust_fid_plus", "robust_fid_minus"):
            extra[f"{method} {column}"] = [_fidelity(c, method, column) for c in done]
    return table.merge(extra, on="node", how="left")
