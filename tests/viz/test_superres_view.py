"""The super-resolution section's maps (viz.superres_view) on a made-up room."""

import numpy as np
import pytest

from nodescope.core.geometry.fsaverage import icosphere_level, num_vertices
from nodescope.core.models.panorama.superres_room import SuperResRoom, zoom_vertices
from nodescope.viz.superres_view import DEPTH_MAPS, superres_figures


@pytest.fixture(scope="module")
def room():
    d = icosphere_level(3).vertices.double().numpy()
    rng = np.random.default_rng(0)
    truth = (2.0 + d[:, 0]).astype(np.float32)
    maps = {k: truth + rng.normal(0, s, len(d)).astype(np.float32) for k, s in zip(
        ("model", "barycentric", "bilateral"), (0.05, 0.1, 0.1), strict=True)}  # fmt: skip
    scores = {k: {"rmse": 0.1, "rmse_edges": 0.2, "rmse_flat": 0.05, "edge_share": 0.1} for k in maps}
    return SuperResRoom(
        scale=4, level=3, in_level=1, directions=d, truth=truth, coarse=truth[: num_vertices(1)],
        maps=maps, scores=scores, input_rmse=0.01, edges=np.zeros(len(d), bool),
    )  # fmt: skip


def _nodes(fig):
    return next(t for t in fig.data if t.name == "nodes")


def test_depth_maps_share_one_scale_and_errors_another(room):
    figs = superres_figures(room)
    assert set(figs) == {*DEPTH_MAPS, *(f"error_{m}" for m in room.maps), *(f"zoom_{n}" for n in DEPTH_MAPS)}
    assert all(f.data[0].type == "scatter" for f in figs.values()), "SVG only"
    ranges = {(_nodes(figs[n]).marker.cmin, _nodes(figs[n]).marker.cmax) for n in DEPTH_MAPS}
    assert len(ranges) == 1
    errs = {
        (_nodes(figs[f"error_{m}"]).marker.cmin, _nodes(figs[f"error_{m}"]).marker.cmax) for m in room.maps
    }
    ((lo, hi),) = errs
    assert lo == -hi < 0
    sizes = np.abs(np.concatenate(list(room.errors().values())))
    assert hi == pytest.approx(np.percentile(sizes, 99)) and hi < sizes.max()  # a few outliers saturate
    assert len(_nodes(figs["input"]).x) == num_vertices(1)


def test_the_zoom_shows_the_cap_around_the_pick_with_true_vertex_ids(room):
    figs = superres_figures(room, focus=200)
    cap = zoom_vertices(room.directions, 200)
    zoom = figs["zoom_model"]
    assert sorted(_nodes(zoom).customdata.tolist()) == sorted(cap.tolist())
    focus = next(t for t in zoom.data if t.name == "focus")
    assert focus.customdata.tolist() == [200] and focus.text == ("200",)
    assert zoom.layout.xaxis.range[1] - zoom.layout.xaxis.range[0] < 180
    # the input's zoom holds only its coarse vertices, and no marker when the pick is not one of them
    assert all(i < num_vertices(1) for i in _nodes(figs["zoom_input"]).customdata)
    assert not any(t.name == "focus" for t in figs["zoom_input"].data)
    assert any(t.name == "focus" for t in figs["error_bilateral"].data)


def test_without_a_pick_the_zoom_centers_on_the_worst_barycentric_vertex(room):
    figs = superres_figures(room)
    ids = _nodes(figs["zoom_truth"]).customdata.tolist()
    assert room.hardest_vertex() in ids
    assert not any(t.name == "focus" for f in figs.values() for t in f.data)
