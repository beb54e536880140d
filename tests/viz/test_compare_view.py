"""The two-model difference view: edges binned by B − A, one line per pair, disagreeing nodes marked."""

import numpy as np

from nodescope.viz.compare_view import difference_graph_figure, signed_pairs


def test_one_line_per_pair_with_the_larger_change():
    ei = np.array([[0, 1, 1, 2, 2], [1, 0, 2, 1, 2]])
    pairs, d = signed_pairs(ei, np.array([0.1, -0.4, np.nan, 0.2, 0.9]))
    assert pairs.tolist() == [[0, 1], [1, 2]] and d.tolist() == [-0.4, 0.2]  # self-loop and NaN dropped


def test_edges_binned_by_sign_and_disagreeing_nodes_marked():
    xy = np.array([[0, 0], [1, 0], [0, 1], [1, 1]], float)
    ei = np.array([[0, 1, 2], [1, 2, 3]])
    fig = difference_graph_figure(
        xy, ei, np.array([-1.0, 0.05, 0.8]), node_ids=np.array([10, 11, 12, 13]), disagree=[3],
        names=("GAT", "GATv2"), focus=0,
    )  # fmt: skip
    shown = {t.name: t for t in fig.data if t.mode == "lines" and t.showlegend}
    assert set(shown) == {"GAT much higher", "about equal", "GATv2 much higher"}
    (hover,) = [t for t in fig.data if t.name == "edge difference"]
    assert hover.text[0] == "10 ↔ 11: GATv2 − GAT = -1.000"
    (marked,) = [t for t in fig.data if t.name == "prediction differs (1)"]
    assert list(marked.customdata) == [13] and marked.marker.symbol == "diamond-open"
