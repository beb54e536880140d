"""fsaverage icosphere hierarchy: FreeSurfer's vertex order, outward faces, pooling and unpooling."""

import numpy as np
import pytest
import torch
from nibabel.freesurfer import read_geometry

from nodescope.core.geometry.fsaverage import (
    IcoLevel,
    _fsaverage5_sphere,
    fsaverage5_map,
    icosphere_level,
    num_vertices,
    pool,
    subdivide,
    unpool,
)
from nodescope.core.geometry.triangles import signed_volumes

LEVELS = range(7)


@pytest.mark.parametrize("level", LEVELS)
def test_level_sizes_unit_vertices_and_outward_faces(level):
    ico = icosphere_level(level)
    v, f = ico.vertices, ico.faces
    assert isinstance(ico, IcoLevel) and ico.level == level
    assert v.shape == (num_vertices(level), 3) and v.dtype == torch.float32
    assert f.shape == (20 * 4**level, 3) and f.dtype == torch.int64
    assert torch.allclose(v.norm(dim=1), torch.ones(len(v)), atol=1e-6)
    assert (signed_volumes(v, f) > 0).all(), "every face must be counter-clockwise seen from outside"
    # A closed triangulated sphere: E = 3F/2 undirected edges, both directions listed, Euler V - E + F = 2.
    e = ico.edge_index
    assert e.shape == (2, 3 * len(f))
    assert len(v) - e.shape[1] // 2 + len(f) == 2
    assert set(map(tuple, e.t().tolist())) == set(map(tuple, e.flip(0).t().tolist()))


def test_named_sizes_are_fsaverage3_to_6():
    assert [len(icosphere_level(k).vertices) for k in (3, 4, 5, 6)] == [642, 2562, 10242, 40962]


@pytest.mark.parametrize("level", range(1, 7))
def test_levels_are_nested_and_new_vertices_halve_a_coarse_edge(level):
    fine, coarse = icosphere_level(level), icosphere_level(level - 1)
    n = len(coarse.vertices)
    assert torch.equal(fine.vertices[:n], coarse.vertices)
    p = fine.parents
    assert p.shape == (len(fine.vertices) - n, 2) and int(p.max()) < n
    coarse_edges = set(map(tuple, coarse.edge_index.t().tolist()))
    assert all(tuple(e) in coarse_edges for e in p.tolist())
    mid = coarse.vertices[p[:, 0]].double() + coarse.vertices[p[:, 1]].double()
    mid = mid / mid.norm(dim=1, keepdim=True)
    # Levels up to 5 keep fsaverage5's coordinates, which the file rounds to 0.01 mm on radius 100.
    assert (fine.vertices[n:].double() - mid).abs().max() < 2e-4
    # Each new vertex is joined to both its parents in the fine mesh.
    fine_edges = set(map(tuple, fine.edge_index.t().tolist()))
    new = torch.arange(n, len(fine.vertices))
    assert all(
        (int(a), int(m)) in fine_edges and (int(b), int(m)) in fine_edges
        for (a, b), m in zip(p, new, strict=True)
    )


def test_level5_is_nilearns_fsaverage5_exactly():
    vertices, faces = _fsaverage5_sphere()
    ico = icosphere_level(5)
    assert np.array_equal(ico.faces.numpy(), faces)
    assert np.allclose(ico.vertices.numpy(), vertices, atol=1e-7)


def test_subdividing_a_level_gives_the_next_levels_faces_in_order():
    coarse, fine = icosphere_level(4), icosphere_level(5)
    _, faces, parents = subdivide(coarse.vertices.double().numpy(), coarse.faces.numpy())
    assert np.array_equal(faces, fine.faces.numpy())
    assert np.array_equal(parents, fine.parents.numpy())


def test_level6_equals_freesurfers_fsaverage6_vertex_for_vertex(shared_data):
    coords, faces = read_geometry(str(shared_data / "sugar-atlas" / "fsaverage6.sphere"))
    ico = icosphere_level(6)
    assert np.array_equal(ico.faces.numpy(), faces)
    # The file stores coordinates rounded to 0.01 mm on its radius-100 sphere.
    assert np.abs(ico.vertices.double().numpy() * 100 - coords).max() < 0.015
    unit = coords / np.linalg.norm(coords, axis=1, keepdims=True)
    ours = ico.vertices.double().numpy()
    angle = np.degrees(np.arctan2(np.linalg.norm(np.cross(unit, ours), axis=1), (unit * ours).sum(1)))
    assert angle.max() < 0.01  # degrees


def test_icosphere_level_is_cached_and_checks_its_argument():
    assert icosphere_level(4) is icosphere_level(4)
    for bad in (-1, 7, 2.5, True):
        with pytest.raises(ValueError, match="level"):
            icosphere_level(bad)


def test_fsaverage5_sulc_has_one_value_per_vertex():
    sulc = fsaverage5_map("sulc", "left")
    assert sulc.shape == (10242,) and np.isfinite(sulc).all() and sulc.std() > 0.1
    assert not np.array_equal(sulc, fsaverage5_map("sulc", "right"))
    with pytest.raises(ValueError, match="hemi"):
        fsaverage5_map("sulc", "both")


def test_pool_is_the_mean_of_each_coarse_vertexs_fine_one_ring():
    fine = icosphere_level(3)
    x = torch.randn(len(fine.vertices), 2, 3)
    pooled = pool(x, 3)
    assert pooled.shape == (len(icosphere_level(2).vertices), 2, 3)
    ring = lambda i: [i] + fine.edge_index[1, fine.edge_index[0] == i].tolist()  # noqa: E731
    for i in (0, 11, 12, 161):  # two of the 12 five-neighbor vertices, two regular ones
        members = ring(i)
        assert len(members) == (6 if i < 12 else 7)
        assert torch.allclose(pooled[i], x[members].mean(0), atol=1e-6)


def test_unpool_keeps_coarse_values_and_averages_the_two_parents():
    coarse = torch.randn(num_vertices(4), 5, requires_grad=True)
    fine = unpool(coarse, 4)
    parents = icosphere_level(5).parents
    assert fine.shape == (num_vertices(5), 5)
    assert torch.equal(fine[: len(coarse)], coarse)
    assert torch.allclose(fine[len(coarse) :], (coarse[parents[:, 0]] + coarse[parents[:, 1]]) / 2)
    fine.sum().backward()  # differentiable: each coarse value feeds itself and its new neighbors
    assert (coarse.grad >= 1).all()


def test_pool_after_unpool_keeps_a_constant_and_both_check_sizes():
    c = torch.full((num_vertices(5), 1), 3.0)
    assert torch.allclose(pool(unpool(c, 5), 6), c)
    with pytest.raises(ValueError, match="rows"):
        pool(torch.zeros(100, 1), 6)
    with pytest.raises(ValueError, match="rows"):
        unpool(torch.zeros(100, 1), 6)
