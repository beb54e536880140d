"""Barycentric resampling between spherical meshes: containing triangles, exact weights, gradients."""

import numpy as np
import pytest
import torch
from nibabel.freesurfer import read_geometry, read_morph_data

from nodescope.core.geometry.fsaverage import icosphere_level, unpool
from nodescope.core.geometry.resample import TriangleLocator, barycentric_weights, landing, locate, resample


def random_directions(n: int, seed: int = 0) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=(n, 3))
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def jittered_mesh(level: int, scale: float, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """An irregular, fold-free spherical mesh of radius 100: an icosphere with its vertices moved a little."""
    ico = icosphere_level(level)
    v = ico.vertices.double().numpy() + scale * np.random.default_rng(seed).normal(size=ico.vertices.shape)
    return 100 * v / np.linalg.norm(v, axis=1, keepdims=True), ico.faces.numpy()


def inside_any(vertices: np.ndarray, faces: np.ndarray, point: np.ndarray) -> set[int]:
    """Brute force: every triangle the ray through ``point`` crosses (on the point's side of the center)."""
    a, b, c = (vertices[faces[:, i]] for i in range(3))
    w = np.stack([np.cross(b, c) @ point, np.cross(c, a) @ point, np.cross(a, b) @ point], axis=1)
    facing = w.sum(1) * np.einsum("ij,ij->i", np.cross(b - a, c - a), a) > 0
    return set(np.flatnonzero(facing & ((w / w.sum(1, keepdims=True)) >= -1e-9).all(1)))


def test_identity_returns_the_data_exactly_at_shared_vertices():
    ico = icosphere_level(4)
    data = torch.randn(len(ico.vertices), 3, dtype=torch.float64)
    tri, w = locate(ico.vertices, ico.faces, ico.vertices)
    assert torch.equal(resample(data, ico.faces, tri, w), data)


def test_fine_points_on_coarse_mesh_match_unpooling():
    # An ico6 vertex lies on the ray through its parents' chord midpoint: weights 1/2, 1/2, 0.
    coarse, fine = icosphere_level(5), icosphere_level(6)
    x = torch.randn(len(coarse.vertices), 2, dtype=torch.float64)
    tri, w = locate(coarse.vertices.double(), coarse.faces, fine.vertices.double())
    assert torch.allclose(resample(x, coarse.faces, tri, w), unpool(x, 5), atol=1e-5)


@pytest.mark.parametrize("scale", [0.0, 0.004])
def test_every_point_gets_a_triangle_that_contains_it(scale):
    vertices, faces = jittered_mesh(3, scale)
    points = random_directions(2000)
    tri = TriangleLocator(vertices, faces)(points)
    for q in range(0, 2000, 50):
        assert tri[q] in inside_any(vertices, faces, points[q])


def test_weights_are_those_of_the_radial_projection_onto_the_triangle():
    vertices, faces = jittered_mesh(3, 0.004)
    points = random_directions(500, seed=1)
    tri, w = locate(vertices, faces, points)
    assert (w >= 0).all() and torch.allclose(w.sum(1), torch.ones(500, dtype=w.dtype))
    # sum_i w_i v_i is the point where the ray through p crosses the flat triangle.
    crossing = (w[:, :, None] * torch.from_numpy(vertices[faces[tri.numpy()]])).sum(1)
    p = torch.from_numpy(points)
    assert torch.linalg.cross(crossing, p).norm(dim=1).max() < 1e-9 * 100
    # ...so a linear function of position is interpolated exactly there.
    coef = torch.tensor([0.3, -1.2, 2.0], dtype=torch.float64)
    values = resample(torch.from_numpy(vertices) @ coef, faces, tri, w)
    assert torch.allclose(values, crossing @ coef)


def test_orientation_and_radius_do_not_matter():
    ico = icosphere_level(3)
    points = random_directions(300, seed=2)
    tri, w = locate(ico.vertices.double(), ico.faces, points)
    tri2, w2 = locate(100 * ico.vertices.double(), ico.faces.flip(1), 7 * points)
    assert torch.equal(tri, tri2) and torch.allclose(w, w2.flip(1))


def test_points_in_a_hole_fall_back_to_a_nearby_triangle_with_valid_weights():
    ico = icosphere_level(3)
    keep = torch.ones(len(ico.faces), dtype=torch.bool)
    keep[:10] = False
    faces = ico.faces[keep]
    v = ico.vertices.double()
    centers = v[ico.faces[:10]].mean(1)
    tri, w = locate(v, faces, centers)
    assert (tri >= 0).all() and torch.isfinite(w).all() and (w >= 0).all()
    assert torch.allclose(w.sum(1), torch.ones(10, dtype=w.dtype))
    used = set(faces[tri].flatten().tolist())
    assert used & set(ico.faces[:10].flatten().tolist()), "the fallback triangle should touch the hole"


def test_weights_are_differentiable_in_points_and_vertices():
    ico = icosphere_level(2)
    points = torch.from_numpy(random_directions(20, seed=3)).requires_grad_()
    vertices = ico.vertices.double().requires_grad_()
    tri, _ = locate(ico.vertices, ico.faces, points)
    torch.autograd.gradcheck(lambda p, v: barycentric_weights(v, ico.faces, tri, p), (points, vertices))
    # Through locate and resample as well.
    data = torch.randn(len(ico.vertices), dtype=torch.float64)
    tri, w = locate(vertices, ico.faces, points)
    resample(data, ico.faces, tri, w).sum().backward()
    assert points.grad.abs().sum() > 0 and vertices.grad.abs().sum() > 0


def test_resample_reads_big_endian_arrays_and_keeps_trailing_dims():
    ico = icosphere_level(2)
    data = np.arange(len(ico.vertices) * 2, dtype=">f4").reshape(-1, 2)  # nibabel's morph data is big-endian
    tri, w = locate(ico.vertices, ico.faces, ico.vertices)
    out = resample(data, ico.faces, tri, w)
    assert out.shape == (len(ico.vertices), 2) and np.allclose(out.numpy(), data)


def test_bad_shapes_are_refused():
    with pytest.raises(ValueError, match="faces"):
        TriangleLocator(np.zeros((4, 3)), np.zeros((2, 4), dtype=int))


def test_native_freesurfer_sphere_both_directions(shared_data):
    surf = shared_data / "sugar-sub-001" / "surf"
    native, faces = read_geometry(str(surf / "lh.sphere"))
    sulc = read_morph_data(str(surf / "lh.sulc"))
    ico = icosphere_level(5)
    # 110,864-vertex native sphere -> fsaverage5's vertices: every point inside a triangle.
    tri, w = locate(native, faces, ico.vertices)
    assert tri.shape == (10242,) and (w >= 0).all()
    p = ico.vertices.double().numpy()
    a, b, c = (native[faces[tri.numpy(), i]] for i in range(3))
    vol = np.stack([(np.cross(b, c) * p).sum(1), (np.cross(c, a) * p).sum(1), (np.cross(a, b) * p).sum(1)], 1)
    assert (vol / vol.sum(1, keepdims=True)).min() > -1e-9, "no point needed the outside fallback"
    on_ico = resample(sulc, faces, tri, w)
    # fsaverage5 -> native vertices and back is a smoothing, not a scrambling.
    tri2, w2 = locate(ico.vertices, ico.faces, native)
    assert tri2.shape == (len(native),) and (w2 >= 0).all()
    back = resample(on_ico, ico.faces, tri2, w2).numpy()
    assert np.corrcoef(back, sulc)[0, 1] > 0.8


def test_a_landing_is_the_holding_triangle_and_carries_to_another_surface():
    ico = icosphere_level(3)
    v, f = ico.vertices.double().numpy(), ico.faces.numpy()
    point = v[f[7]].mean(0)  # the center of triangle 7
    land = landing(100 * v, f, point / np.linalg.norm(point))
    assert land.tri == 7 and np.allclose(land.weights, 1 / 3) and land.nearest in f[7]
    np.testing.assert_allclose(land.on(2 * v, f), 2 * point)
