"""One color scale over both hemispheres (viz.limits.color_limits) and pair vertex names in the 3D view."""

import numpy as np
import pytest

from nodescope.viz.colors import DIVERGING, SEQUENTIAL
from nodescope.viz.limits import color_limits
from nodescope.viz.surface_view import mesh_figure


def test_signed_maps_get_one_symmetric_scale_over_every_array():
    lh, rh = np.array([-3.0, 1.0]), np.array([-0.5, 7.0, np.nan])
    assert color_limits(lh, rh) == (-7.0, 7.0, DIVERGING)
    assert color_limits(lh) == (-3.0, 3.0, DIVERGING)  # lh alone would get its own


def test_non_negative_maps_get_a_sequential_scale_from_min_to_max():
    assert color_limits(np.array([1.5, 2.0]), np.array([4.0, 0.5])) == (0.5, 4.0, SEQUENTIAL)


def test_user_limits_replace_the_defaults_one_by_one_and_keep_the_scale():
    v = np.array([-2.0, 1.0])
    assert color_limits(v, user=(-1.0, None)) == (-1.0, 2.0, DIVERGING)
    assert color_limits(v, user=(None, 0.5)) == (-2.0, 0.5, DIVERGING)
    lo, hi, _ = color_limits(v, user=(1.0, 1.0))  # an empty range is widened, never inverted
    assert lo < hi


def test_empty_or_constant_maps_still_give_a_range():
    assert color_limits(None, np.array([np.nan])) == (0.0, 1.0, SEQUENTIAL)
    assert color_limits(np.array([3.0, 3.0]))[:2] == (2.5, 3.5)


def test_mesh_figure_takes_the_shared_range_and_names_pair_vertices():
    pos = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0], [5, 0, 0], [6, 0, 0], [5, 1, 0]], float)
    faces = np.array([[0, 1, 2], [3, 4, 5]])
    names = ["lh 0", "lh 1", "lh 2", "rh 0", "rh 1", "rh 2"]
    fig = mesh_figure(
        pos, faces, values=np.arange(6.0) - 2, value_range=(-9.0, 9.0), vertex_names=names, focus=4
    )
    mesh = fig.data[0]
    assert (mesh.cmin, mesh.cmax) == (-9.0, 9.0)
    assert list(mesh.text) == names and "%{text}" in mesh.hovertemplate
    focus = next(t for t in fig.data if t.name == "focus")
    assert list(focus.customdata) == [4] and list(focus.text) == ["rh 1"]
    with pytest.raises(ValueError, match="vertex_names"):
        mesh_figure(pos, faces, vertex_names=names[:2])


def test_mesh_figure_without_names_is_unchanged():
    pos = np.eye(3)
    fig = mesh_figure(pos, np.array([[0, 1, 2]]), focus=1)
    assert fig.data[0].text is None and "%{customdata}" in fig.data[0].hovertemplate


def test_on_scale_puts_the_map_on_the_3d_views_limits():
    from nodescope.viz.surface_view import on_scale, sphere_map_figure

    sph = np.array([[0.0, 0.0], [10.0, 20.0], [-5.0, 40.0]])
    fig = on_scale(
        sphere_map_figure(sph, values=np.array([-1.0, 0.5, 2.0]), selected=[1]), (-4.0, 4.0), "RdBu_r"
    )
    colored = [t for t in fig.data if t.marker.cmin is not None]
    assert colored and all((t.marker.cmin, t.marker.cmax) == (-4.0, 4.0) for t in colored)
