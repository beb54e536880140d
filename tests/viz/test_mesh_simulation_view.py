"""viz/mesh_simulation_view: time curves and a vertex's attention ring; mesh_figure's shared color range."""

import numpy as np

from nodescope.viz.mesh_simulation_view import BASELINE, TRUTH, ring_attention_figure, time_curves_figure
from nodescope.viz.surface_view import mesh_figure


def test_time_curves_per_step_with_truth_and_baselines_marked():
    curves = {"truth": np.arange(5.0), "model": np.ones(5), "no change": np.zeros(5)}
    fig = time_curves_figure(curves, dt=0.5, step=2, yaxis_title="u", truth="truth", baselines=("no change",))
    by_name = {t.name: t for t in fig.data}
    np.testing.assert_allclose(by_name["model"].x, [0, 1, 2, 3, 4])
    assert fig.layout.xaxis.title.text == "time step (dt = 0.5)"
    assert by_name["truth"].line.color == TRUTH and by_name["no change"].line.color == BASELINE
    assert by_name["model"].line.color not in (TRUTH, BASELINE)
    assert fig.layout.shapes[0].x0 == 2  # the current step


def test_ring_attention_one_panel_per_head_and_the_cotangents():
    xy = np.array([[1.0, 0], [0, 1], [-1, 0], [0, -1]])
    attention = np.full((4, 3), 0.25)
    fig = ring_attention_figure(
        xy, attention, np.array([0.1, 0.2, 0.3, 0.4]), [5, 6, 7, 8], rho=np.array([0.5, -0.1, 0.7])
    )
    titles = [a.text for a in fig.layout.annotations]
    assert titles == ["head 1 (ρ 0.50)", "head 2 (ρ -0.10)", "head 3 (ρ 0.70)", "cotangent"]
    markers = [t for t in fig.data if t.customdata is not None]
    assert len(markers) == 4 and list(markers[-1].marker.color) == [0.1, 0.2, 0.3, 0.4]
    assert list(markers[0].customdata) == [5, 6, 7, 8]


def test_mesh_figure_takes_a_shared_value_range():
    pos = np.array([[0.0, 0, 0], [1, 0, 0], [0, 1, 0]])
    faces = np.array([[0, 1, 2]])
    mesh = mesh_figure(pos, faces, values=np.array([0.0, 0.1, 0.2]), value_range=(-1.0, 1.0)).data[0]
    assert (mesh.cmin, mesh.cmax) == (-1.0, 1.0)
    assert mesh_figure(pos, faces, values=np.array([0.0, 0.1, 0.2])).data[0].cmax == 0.2
