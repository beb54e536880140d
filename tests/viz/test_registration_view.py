"""Figures of a registration: surfaces with the correspondence, the map."""

import numpy as np
import plotly.graph_objects as go
import pytest

from nodescope.core.geometry.fsaverage import icosphere_level
from nodescope.core.geometry.sphere import xyz_to_latlon
from nodescope.viz.registration_view import (
    COLOR_SCALES,
    registration_map_figure,
    surface_figure,
)


@pytest.fixture(scope="module")
def ico() -> tuple[np.ndarray, np.ndarray]:
    level = icosphere_level(2)  # 162 vertices
    return 100 * level.vertices.double().numpy(), level.faces.numpy()


def _rotation(deg: float) -> np.ndarray:
    c, s = np.cos(np.radians(deg)), np.sin(np.radians(deg))
    return np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]])


def by_name(fig: go.Figure) -> dict:
    return {t.name: t for t in fig.data}


def test_surface_figure_marks_the_picked_vertex_or_the_landing_point(ico):
    v, f = ico
    fig = surface_figure(v, f, values=v[:, 2], color_title="areal distortion", focus=7, title="moving")
    traces = by_name(fig)
    assert traces["mesh"].colorscale == go.Mesh3d(colorscale=COLOR_SCALES["areal distortion"]).colorscale
    assert list(traces["focus"].customdata) == [7]
    np.testing.assert_allclose([traces["focus"].x[0], traces["focus"].z[0]], v[7, [0, 2]])

    point = 0.5 * (v[3] + v[4])
    fig = surface_figure(v, f, values=v[:, 0], color_title="sulc", focus=7, landing=point, landing_vertex=3,
                         landing_label="7 lands here")  # fmt: skip
    focus = [t for t in fig.data if t.name == "focus"]
    assert len(focus) == 1  # the landing point replaces the vertex mark
    assert list(focus[0].customdata) == [3] and list(focus[0].text) == ["7 lands here"]
    np.testing.assert_allclose([focus[0].x[0], focus[0].y[0], focus[0].z[0]], point)
    assert by_name(fig)["mesh"].cmin == -by_name(fig)["mesh"].cmax  # sulc: diverging, centered on 0


def test_surface_figure_draws_no_pick_cloud_the_mesh_itself_reports_vertex_clicks(ico):
    # Issue 17: the pick cloud (one transparent marker per vertex) took most of every redraw
    # of a 3D view in software WebGL; a click on the Mesh3d reports the vertex id by itself.
    v, f = ico
    names = [t.name for t in surface_figure(v, f, values=v[:, 2], focus=7).data]
    assert names == ["mesh", "focus"]
    assert list(by_name(surface_figure(v, f))["mesh"].customdata) == list(range(len(v)))


def test_registration_map_puts_the_focus_at_its_registered_place_and_marks_where_it_was(ico):
    v, f = ico
    registered = v @ _rotation(40).T
    fig = registration_map_figure(registered, values=v[:, 2], color_title="sulc", focus=11, native=v)
    traces = by_name(fig)
    lat, lon = xyz_to_latlon(registered[11])[0]
    assert list(traces["focus"].customdata) == [11]
    assert (traces["focus"].x[0], traces["focus"].y[0]) == pytest.approx((lon, lat))
    lat0, lon0 = xyz_to_latlon(v[11])[0]
    assert list(traces["before"].customdata) == [11]
    assert (traces["before"].x[0], traces["before"].y[0]) == pytest.approx((lon0, lat0))
    ids = np.concatenate([np.asarray(t.customdata) for t in fig.data if t.name == "nodes"])
    assert sorted(ids.tolist()) == list(range(len(v)))
    assert "before" not in by_name(registration_map_figure(registered, focus=11))
    assert len(fig.to_json()) > 1000


def test_the_camera_turns_to_the_mark_once_per_mark(ico):
    v, f = ico
    fig = surface_figure(v, f, focus=9)
    eye = np.array([fig.layout.scene.camera.eye[k] for k in "xyz"])
    np.testing.assert_allclose(
        eye / np.linalg.norm(eye), v[9] / 100, atol=1e-9
    )  # looking from outside vertex 9
    same = surface_figure(v, f, values=v[:, 0], color_title="sulc", focus=9)
    assert same.layout.scene.uirevision == fig.layout.scene.uirevision  # a new coloring keeps the user's view
    assert surface_figure(v, f, focus=10).layout.scene.uirevision != fig.layout.scene.uirevision
    point = v[3] + np.array([0.0, 0.0, 5.0])
    eye = surface_figure(v, f, landing=point, landing_vertex=3).layout.scene.camera.eye
    np.testing.assert_allclose(np.array([eye.x, eye.y, eye.z]) / np.linalg.norm([eye.x, eye.y, eye.z]),
                               point / np.linalg.norm(point), atol=1e-9)  # fmt: skip
    assert surface_figure(v, f, focus=9, turn_to_mark=False).layout.scene.camera.eye.x is None
