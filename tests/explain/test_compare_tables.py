"""What the Explanations page reads off node comparisons: fidelity tables, map values, edge scores, export."""

import math

import numpy as np
import pandas as pd
import pytest
import torch

from nodescope.explain.compare import NodeComparison
from nodescope.explain.compare_tables import (
    agreement_shown,
    comparison_values,
    edge_scores,
    fidelity_line,
    fidelity_styled,
    fidelity_table,
    with_comparisons,
)
from nodescope.explain.posthoc import Attribution


def _attribution(method: str, node: int, edge_scores: list[float] | None) -> Attribution:
    edges = torch.tensor([1, 3])
    scores = None if edge_scores is None else torch.tensor(edge_scores)
    return Attribution(method, node, 0, 0.1, 5, 4, torch.tensor([node]), None, edges, scores)


def _comparison(node: int, agreement: float, xnode: tuple[float, float] | None) -> NodeComparison:
    rows = [
        {"method": "ig", "fid_plus": 1.0, "fid_minus": 0.0, "robust_fid_plus": 0.4, "robust_fid_minus": 0.1}
    ]
    if xnode is not None:
        rows.append(
            {"method": "xnode", "fid_plus": 0.0, "fid_minus": 1.0, "robust_fid_plus": xnode[0], "robust_fid_minus": xnode[1]}
        )  # fmt: skip
    attributions = {
        "ig": _attribution("ig", node, [0.5, -0.25]),
        "attention": _attribution("attention", node, None),
    }
    return NodeComparison(node, attributions, pd.DataFrame(rows), agreement, 5)


def test_the_fidelity_table_is_titled_and_a_line_says_one_method():
    cmp = _comparison(2, 0.5, (0.6, 0.2))
    table = fidelity_table(cmp)
    assert list(table.index) == ["Integrated Gradients", "X-Node"]
    assert list(table.columns) == ["Fid+", "Fid−", "robust Fid+ (α=0.1)", "robust Fid− (α=0.9)"]
    assert fidelity_line(cmp, "ig") == "Fid+ 1 · Fid− 0 · robust 0.400 / 0.100"
    assert fidelity_line(cmp, "attention") == "no edge mask to score"


def test_map_values_are_nan_where_not_compared():
    done = {1: _comparison(1, 0.25, (0.7, 0.2)), 3: _comparison(3, 0.75, None)}
    agreement = comparison_values(done, 5, "agreement")
    np.testing.assert_array_equal(agreement[[1, 3]], [0.25, 0.75])
    assert np.isnan(agreement[[0, 2, 4]]).all()
    fidelity = comparison_values(done, 5, "fidelity")
    assert fidelity[1] == pytest.approx(0.5) and math.isnan(fidelity[3])  # no X-Node row on node 3


def test_edge_scores_are_read_on_the_drawn_edges():
    cmp = _comparison(0, 0.5, None)
    np.testing.assert_allclose(edge_scores(cmp, "ig", np.array([3, 0, 1])), [-0.25, 0.0, 0.5])
    np.testing.assert_array_equal(edge_scores(cmp, "attention", np.array([3, 0])), [0.0, 0.0])


def test_the_export_gains_each_compared_node_s_agreement_and_fidelities():
    table = pd.DataFrame({"node": [0, 1, 2], "text": ["a", "b", "c"]})
    assert with_comparisons(table, {}) is table
    merged = with_comparisons(table, {1: _comparison(1, 0.25, (0.7, 0.2))})
    assert list(merged.columns) == [
        "node", "text", "agreement", "ig robust_fid_plus", "ig robust_fid_minus",
        "xnode robust_fid_plus", "xnode robust_fid_minus",
    ]  # fmt: skip
    assert merged.loc[1, "xnode robust_fid_plus"] == pytest.approx(0.7)
    assert np.isnan(merged.loc[0, "agreement"])


def test_what_does_not_apply_reads_n_a_with_its_reason():
    row = {"method": "xnode", "edges": 14, "size": 3, "motif_edges": 14, "fid_plus": 1.0, "fid_minus": 0.0}
    row |= {"prob_fid_plus": 0.25, "prob_fid_minus": 0.0, "robust_fid_plus": 0.1, "robust_fid_minus": 0.0}
    row |= {"auroc": float("nan")}
    cmp = NodeComparison(
        4,
        {},
        pd.DataFrame([row]),
        float("nan"),
        3,
        agreement_note="every explanation is the whole neighborhood",
    )
    html = fidelity_styled(cmp).to_html()
    assert "n/a (only motif edges in the neighborhood)" in html and "0.250" in html
    assert pd.isna(fidelity_table(cmp).loc["X-Node", "AUROC vs motif"])  # the numbers stay numbers
    assert fidelity_line(cmp, "xnode") == "Fid+ 1 · Fid− 0 · prob. 0.250 / 0.000 · robust 0.100 / 0.000"
    assert agreement_shown(cmp) == "n/a (every explanation is the whole neighborhood)"
    assert agreement_shown(_comparison(1, 0.25, None)) == "0.25"
