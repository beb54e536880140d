"""How the Explorer styles a sample's nodes: what the color can show, the colors, the hover texts.

The app's pages and :func:`nodescope.show` pass the result to the node traces of
:mod:`viz.graph_view` and :mod:`viz.embedding_view` (``**style``). Degrees come in as an
array: nothing is measured here.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nodescope.core.sample import Sample

#: The Explorer offers at most this many features as colorings.
MAX_FEATURE_OPTIONS = 50


#: Per-vertex maps that show a surface's shape, most telling first: a mesh or cortex opens
#: colored by the first it has (a triangulated surface's degree is nearly constant: one flat color).
SHAPE_MAPS = ("sulc", "curv", "thickness", "mean_curvature", "gaussian_curvature", "depth")


def color_options(sample: Sample) -> list[str]:
    """What the node color can show, the default first.

    ``class`` first for labeled samples. Graphs then offer ``degree`` and each feature; meshes,
    cortices and panoramas offer their shape map (:data:`SHAPE_MAPS`: ``sulc`` for a cortex) or
    first feature before ``degree``, whose near-constant value on a triangulation says nothing.
    """
    opts = ["class"] if sample.data.get("y") is not None else []
    features = [f"feature: {n}" for n in sample.feature_names[:MAX_FEATURE_OPTIONS]]
    if sample.kind == "graph" or not features:
        return opts + ["degree"] + features
    shape = next((f"feature: {n}" for n in SHAPE_MAPS if f"feature: {n}" in features), features[0])
    return opts + [shape, "degree"] + [f for f in features if f != shape]


def node_colors(sample: Sample, choice: str, degree: np.ndarray) -> dict[str, Any]:
    """Styling arguments of the node traces for one of :func:`color_options`.

    Args:
        sample: the sample drawn.
        choice: ``class``, ``degree`` or ``feature: <name>``; ``class`` of an unlabeled sample
            (and anything unknown) colors by degree.
        degree: (N,) each node's degree.

    Returns:
        ``labels`` (N,) and ``label_names`` for classes, else ``color`` (N,) float and ``color_title``.
    """
    if choice == "class" and sample.data.get("y") is not None:
        return {"labels": sample.data.y.numpy(), "label_names": sample.label_names}
    if choice.startswith("feature: "):
        j = sample.feature_names.index(choice.removeprefix("feature: "))
        return {"color": sample.data.x[:, j].numpy(), "color_title": sample.feature_names[j]}
    return {"color": np.asarray(degree, dtype=float), "color_title": "degree"}


def hover_texts(sample: Sample, degree: np.ndarray) -> list[str]:
    """One hover label per node: its name, degree and class (when labeled), HTML line breaks.

    Args:
        sample: the sample drawn.
        degree: (N,) each node's degree.
    """
    y = sample.data.get("y")
    return [
        f"node {sample.node_label(i)}<br>degree {degree[i]}"
        + (f"<br>{sample.class_name(int(y[i]))}" if y is not None else "")
        for i in range(sample.num_nodes)
    ]
