"""viz/node_style.py: the Explorer's colorings and hover texts of a sample's nodes."""

import numpy as np

from nodescope.core.loaders import load
from nodescope.viz.node_style import color_options, hover_texts, node_colors


def test_a_labeled_sample_is_colored_by_class_first():
    s = load("karate")
    degree = np.bincount(s.data.edge_index[0].numpy(), minlength=s.num_nodes)
    options = color_options(s)
    assert options[:2] == ["class", "degree"] and options[2].startswith("feature: ")
    assert node_colors(s, "class", degree)["labels"].shape == (34,)
    by_degree = node_colors(s, "degree", degree)
    assert by_degree["color_title"] == "degree" and by_degree["color"].tolist() == degree.tolist()
    feature = node_colors(s, options[2], degree)
    assert feature["color_title"] == s.feature_names[0]
    hover = hover_texts(s, degree)
    assert (
        len(hover) == 34 and hover[0] == f"node 0<br>degree {degree[0]}<br>{s.class_name(int(s.data.y[0]))}"
    )


def test_an_unlabeled_sample_has_no_class_coloring():
    s = load("ant")
    degree = np.ones(s.num_nodes, dtype=np.int64)
    assert color_options(s)[:2] == ["feature: mean_curvature", "degree"]  # a mesh opens by its shape
    assert node_colors(s, "class", degree)["color_title"] == "degree"
    assert "<br>" in hover_texts(s, degree)[0] and hover_texts(s, degree)[0].count("<br>") == 1


def test_surfaces_open_colored_by_their_shape_not_by_degree():
    # Issue 17: meshes and cortex opened colored by degree, one flat color on a triangulation.
    cortex = load("fsaverage5-left")
    assert color_options(cortex)[0] == "feature: sulc"
    panorama = load("room")
    options = color_options(panorama)  # labeled (visible class): class first, then the image's red
    assert options[:3] == ["class", "feature: r", "degree"]
    assert color_options(load("les-miserables"))[:2] == ["class", "degree"]  # graphs unchanged
