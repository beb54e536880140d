"""One generated room through depth super-resolution and its baselines (core.models.panorama.superres_room)."""

import numpy as np
import pytest
import torch

from nodescope.core.geometry.fsaverage import icosphere_level, num_vertices
from nodescope.core.models.panorama.superres import DepthSuperRes, SuperResConfig
from nodescope.core.models.panorama.superres_room import (
    METHODS,
    superres_room,
    vertex_on_level,
    zoom_vertices,
)
from nodescope.core.panorama.superres import superres_scores


@pytest.fixture(scope="module")
def room():
    torch.manual_seed(0)
    torch.set_num_threads(1)
    model = DepthSuperRes(SuperResConfig(level=4, in_level=2, width=8, global_width=8, degree=3))
    return superres_room(model, seed=1, split="test")


def test_every_map_shares_the_output_levels_vertex_ids(room):
    v, v_in = num_vertices(4), num_vertices(2)
    assert room.scale == 4 and room.truth.shape == (v,) and room.coarse.shape == (v_in,)
    assert set(room.maps) == set(METHODS) and all(m.shape == (v,) for m in room.maps.values())
    # the sensor samples the truth at the coarse vertices (ids 0..V_in-1), quantized to 8 bits
    assert np.allclose(room.coarse, room.truth[:v_in], rtol=0.1)
    assert 0 < room.input_rmse < 0.1
    # barycentric upsampling returns the input itself at the coarse vertices
    assert np.allclose(room.maps["barycentric"][:v_in], room.coarse, atol=1e-5)
    assert np.allclose(room.directions, icosphere_level(4).vertices.double().numpy(), atol=1e-6)


def test_scores_are_those_of_the_benchmark_on_this_room(room):
    for m in METHODS:
        expected = superres_scores(room.maps[m][None], room.truth[None], 4)
        assert room.scores[m] == pytest.approx(expected)
    errors = room.errors()
    assert np.allclose(errors["model"], room.maps["model"] - room.truth)
    assert abs(errors["barycentric"][room.hardest_vertex()]) == pytest.approx(
        np.abs(errors["barycentric"]).max()
    )
    assert room.edges.dtype == bool and 0 < room.edges.mean() < 0.5


def test_zoom_is_the_cap_around_a_vertex():
    d = icosphere_level(4).vertices.double().numpy()
    ids = zoom_vertices(d, 100, 20.0)
    assert 100 in ids
    angles = np.degrees(np.arccos(np.clip(d @ d[100], -1, 1)))
    assert set(ids) == set(np.flatnonzero(angles <= 20.0))


def test_vertices_move_between_nested_levels():
    assert vertex_on_level(np.array([0, 5, 161]), 2, 4).tolist() == [0, 5, 161]  # coarse ids stay
    fine = icosphere_level(4).vertices.double().numpy()
    coarse = fine[: num_vertices(2)]
    ids = np.array([0, 200, 2000])
    nearest = np.argmax(fine[ids] @ coarse.T, axis=1)
    assert vertex_on_level(ids, 4, 2).tolist() == nearest.tolist()
