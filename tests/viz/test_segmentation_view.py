"""Segmentation figures: faces colored by part with a legend entry per part present; a face's attention bars."""

import numpy as np

from nodescope.viz.colors import class_color
from nodescope.viz.segmentation_view import face_attention_figure, segmentation_figure

POS = np.array([[0.0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]])
FACES = np.array([[0, 2, 1], [0, 1, 3], [0, 3, 2], [1, 2, 3]])


def test_faces_take_their_part_color_and_the_legend_lists_parts_present():
    fig = segmentation_figure(POS, FACES, np.array([0, 3, 3, 1]), ["body", "head", "neck", "leg"],
                              face=1, neighbors=[0, 2, 3], title="parts")  # fmt: skip
    mesh = fig.data[0]
    assert list(mesh.facecolor) == [class_color(0), class_color(3), class_color(3), class_color(1)]
    legend = [t.name for t in fig.data if t.showlegend is not False and t.type == "scatter3d"]
    assert legend == ["body", "head", "leg"]
    names = [t.name for t in fig.data]
    assert "face" in names and "neighbors" in names
    assert "face 1: leg" in mesh.hovertext


def test_attention_bars_one_group_per_head():
    alpha = np.array([[0.5, 0.1], [0.25, 0.6], [0.25, 0.3]])
    fig = face_attention_figure([0, 1, 2], alpha, ["0 (body)", "1 (leg) self", "2 (leg)"], face=1, layer=2)
    assert [t.name for t in fig.data] == ["head 1", "head 2"]
    assert list(fig.data[1].y) == [0.1, 0.6, 0.3]
    assert "Layer 2 attention of face 1 over the 3 faces" in fig.layout.title.text
