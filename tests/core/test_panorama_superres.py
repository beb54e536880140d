"""Guided depth super-resolution: the sensor model, the two baselines, the scores and the network."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from nodescope.core.geometry.fsaverage import icosphere_level, num_vertices
from nodescope.core.geometry.harmonics import num_harmonics, real_harmonics
from nodescope.core.models.panorama.checkpoint import load_superres, save_superres
from nodescope.core.models.panorama.superres import SIGMA_R0, SIGMA_S0, DepthSuperRes, SuperResConfig
from nodescope.core.panorama.metrics import vertex_weights
from nodescope.core.panorama.superres import (
    FAR_M,
    NEAR_M,
    degrade,
    discontinuity_mask,
    quantize_depth,
    superres_scores,
)
from nodescope.core.panorama.upsample import (
    barycentric_table,
    barycentric_upsample,
    joint_bilateral_upsample,
)


@pytest.fixture(autouse=True)
def _one_thread():
    torch.set_num_threads(1)


def _vertices(level: int) -> np.ndarray:
    return icosphere_level(level).vertices.double().numpy()


def test_real_harmonics_are_orthonormal_on_the_sphere():
    level, degree = 5, 4
    y = real_harmonics(_vertices(level), degree)
    w = vertex_weights(level, "fsaverage") * 4 * np.pi / num_vertices(level)  # cell areas, summing to 4 pi
    gram = y.T @ (w[:, None] * y)
    assert y.shape == (num_vertices(level), num_harmonics(degree))
    np.testing.assert_allclose(gram, np.eye(num_harmonics(degree)), atol=5e-3)


def test_quantized_depth_is_within_half_a_code_step_and_idempotent():
    depth = np.linspace(NEAR_M, FAR_M, 1001)
    q = quantize_depth(depth)
    step = (1 / NEAR_M - 1 / FAR_M) / 255
    assert np.abs(1 / q - 1 / depth).max() <= step / 2 + 1e-6
    np.testing.assert_allclose(quantize_depth(q), q, rtol=1e-6)
    assert len(np.unique(q)) <= 256
    assert quantize_depth(np.array([0.1, 50.0])).tolist() == pytest.approx([NEAR_M, FAR_M], rel=1e-6)


def test_degrade_keeps_the_coarse_vertices():
    depth = np.random.default_rng(0).uniform(1, 3, size=(2, num_vertices(4)))
    low = degrade(depth, 2)
    assert low.shape == (2, num_vertices(2)) and low.dtype == np.float32
    np.testing.assert_allclose(low, quantize_depth(depth[:, : num_vertices(2)]))


def test_barycentric_upsampling_is_exact_on_constant_and_linear_fields():
    lo, hi = 2, 4
    coarse_v, fine_v = _vertices(lo), _vertices(hi)
    np.testing.assert_allclose(barycentric_upsample(np.full((3, len(coarse_v)), 2.5), lo, hi), 2.5)
    # An affine field of 3-D position is reproduced at the point where each fine vertex's ray
    # crosses its flat coarse triangle (computed here from the triangle's plane, not the weights).
    g, c = np.array([0.3, -1.2, 0.7]), 1.5
    up = barycentric_upsample(coarse_v @ g + c, lo, hi)
    corners, weights = barycentric_table(lo, hi)
    a, b, d = (coarse_v[corners[:, i]] for i in range(3))
    normal = np.cross(b - a, d - a)
    t = (normal * a).sum(1) / (normal * fine_v).sum(1)
    np.testing.assert_allclose(up, (t[:, None] * fine_v) @ g + c, atol=1e-9)
    # Coarse vertices keep their values exactly.
    field = np.random.default_rng(1).normal(size=len(coarse_v))
    np.testing.assert_allclose(barycentric_upsample(field, lo, hi)[: len(coarse_v)], field, atol=1e-12)
    assert (weights >= 0).all()


def test_joint_bilateral_upsampling_is_exact_on_a_constant_field_and_follows_color_edges():
    lo, hi = 2, 4
    fine_v = _vertices(hi)
    rgb = np.random.default_rng(2).uniform(size=(2, len(fine_v), 3))
    coarse = np.full((2, num_vertices(lo)), 3.0)
    np.testing.assert_allclose(joint_bilateral_upsample(coarse, rgb, lo, 0.5, 0.1), 3.0)
    # Depth 2 m above the equator and 4 m below, the colors white and black the same way.
    upper = fine_v[:, 2] > 0
    depth = np.where(upper, 2.0, 4.0)[None]
    colors = np.repeat(upper[None, :, None].astype(float), 3, axis=2)
    low = depth[:, : num_vertices(lo)]
    bilateral = joint_bilateral_upsample(low, colors, lo, 0.75, 0.1)
    barycentric = barycentric_upsample(low, lo, hi)
    assert np.abs(bilateral - depth).max() < 1e-6 < np.abs(barycentric - depth).max()


def test_discontinuity_mask_marks_two_rings_around_a_jump_and_nothing_on_smooth_depth():
    level = 4
    v = _vertices(level)
    assert not discontinuity_mask(np.full((1, len(v)), 2.0), level).any()
    smooth = 2.0 + 0.1 * v[:, 0]
    assert not discontinuity_mask(smooth[None], level).any()
    jump = np.where(v[:, 2] > 0, 2.0, 4.0)[None]
    mask = discontinuity_mask(jump, level)[0]
    edge = 1.1071 / 2**level  # mean edge angle, radians
    lat = np.abs(np.arcsin(np.clip(v[:, 2], -1, 1)))
    assert mask[lat < 0.5 * edge].all()  # the vertices at the jump
    assert not mask[lat > 4 * edge].any()  # nothing beyond the rings
    assert discontinuity_mask(jump, level, rings=0)[0].sum() < mask.sum()


def test_superres_scores_are_zero_for_the_truth_and_split_by_the_mask():
    level = 3
    v = _vertices(level)
    depth = np.where(v[:, 2] > 0, 2.0, 4.0)[None]
    perfect = superres_scores(depth, depth, level)
    assert perfect["rmse"] == perfect["rmse_edges"] == perfect["rmse_flat"] == 0.0
    off = superres_scores(depth + 0.1, depth, level)
    assert off["rmse"] == pytest.approx(0.1) and off["rmse_edges"] == pytest.approx(0.1)
    assert 0 < off["edge_share"] < 1


def _tiny(level: int = 3, in_level: int = 1, degree: int = 1) -> DepthSuperRes:
    torch.manual_seed(0)
    return DepthSuperRes(
        SuperResConfig(level=level, in_level=in_level, degree=degree, width=8, global_width=8)
    )


def test_network_shapes():
    model = _tiny()
    batch = 3
    coarse = torch.rand(batch, num_vertices(1)) + 1
    rgb = torch.rand(batch, num_vertices(3), 3)
    out = model(coarse, rgb)
    for key in ("depth", "log_depth", "global", "upsampled", "selected", "residual", "gate"):
        assert out[key].shape == (batch, num_vertices(3)), key
    assert out["coefficients"].shape == (batch, num_harmonics(1))
    assert (out["depth"] > 0).all() and ((out["gate"] > 0) & (out["gate"] < 1)).all()
    out["depth"].sum().backward()
    assert all(p.grad is not None for p in model.parameters() if p.requires_grad)
    with pytest.raises(ValueError):
        model(coarse[:, :-1], rgb)


def test_global_branch_has_the_rank_of_its_basis():
    model = _tiny(degree=1)  # 4 harmonics
    with torch.no_grad():  # a trained-looking correction, not the zero it starts from
        for p in model.global_branch.coefficients.parameters():
            p.normal_()
    coarse = torch.rand(12, num_vertices(1)) * 3 + 0.5
    rgb = torch.rand(12, num_vertices(3), 3)
    field = model(coarse, rgb)["global"].detach().double()
    assert torch.linalg.matrix_rank(field, rtol=1e-4).item() == model.config.rank == 4  # float32 noise aside
    # and it lies in the span of the harmonics
    basis = model.global_branch.basis.double()
    fit = torch.linalg.lstsq(basis, field.T).solution
    torch.testing.assert_close(basis @ fit, field.T, atol=1e-4, rtol=0)


def test_untrained_network_starts_from_joint_bilateral_upsampling():
    model = _tiny(degree=2)
    rng = np.random.default_rng(3)
    coarse = rng.uniform(1, 4, size=(2, num_vertices(1))).astype(np.float32)
    rgb = rng.uniform(size=(2, num_vertices(3), 3)).astype(np.float32)
    out = model(torch.from_numpy(coarse), torch.from_numpy(rgb))
    np.testing.assert_allclose(
        out["upsampled"].detach().numpy(), barycentric_upsample(np.log(coarse), 1, 3), atol=1e-5
    )
    bilateral = joint_bilateral_upsample(np.log(coarse), rgb, 1, SIGMA_S0, SIGMA_R0)
    np.testing.assert_allclose(out["selected"].detach().numpy(), bilateral, atol=1e-4)
    gate = out["gate"].detach().numpy()
    assert gate.min() > 0.9 and np.abs(out["residual"].detach().numpy()).max() == 0.0


def test_checkpoint_round_trip(tmp_path):
    model = _tiny()
    coarse, rgb = torch.rand(2, num_vertices(1)) + 1, torch.rand(2, num_vertices(3), 3)
    save_superres(model, tmp_path / "sr", {"note": "test"})
    back, record = load_superres(tmp_path / "sr")
    assert record["note"] == "test" and record["config"]["degree"] == 1
    assert (tmp_path / "sr.safetensors").stat().st_size < 200_000  # fixed bases are not stored
    with torch.no_grad():
        torch.testing.assert_close(back.cpu()(coarse, rgb)["depth"], model.eval()(coarse, rgb)["depth"])
