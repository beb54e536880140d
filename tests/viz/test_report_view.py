"""Figures of ``nodescope report``: accuracy per split and attention entropy per head."""

from __future__ import annotations

import numpy as np

from nodescope.viz.report_view import head_entropy_figure, split_accuracy_figure


def test_split_accuracy_draws_percent_bars_and_the_majority_marker():
    fig = split_accuracy_figure(
        ["train", "val", "test"], np.array([1.0, 0.75, 0.5]), np.array([0.4, 0.5, 0.5])
    )
    bars, marker = fig.data
    assert bars.type == "bar" and list(bars.y) == [100.0, 75.0, 50.0]
    assert list(marker.y) == [40.0, 50.0, 50.0] and bars.text[1] == "75.0%"


def test_head_entropy_leaves_missing_heads_empty():
    grid = np.array([[0.9, 1.0], [0.5, np.nan]])
    fig = head_entropy_figure(grid, ["conv 1", "conv 2"])
    (heat,) = fig.data
    assert heat.zmin == 0 and heat.zmax == 1 and list(heat.x) == ["head 1", "head 2"]
    assert heat.text[1][1] == "" and heat.text[1][0] == "50%"
