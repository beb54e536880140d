"""The SUGAR U-Net: shapes, identity start, gradients, safetensors round trip; the registration losses."""

import json

import numpy as np
import pytest
import torch

from nodescope.core.errors import LoadError
from nodescope.core.geometry.fsaverage import icosphere_level
from nodescope.core.models.sugar import SugarConfig, SugarNet, load_sugar, positional_encoding, save_sugar
from nodescope.core.registration.losses import (
    FixedMap,
    areal_loss,
    edge_loss,
    fold_loss,
    normalize,
    pearson_loss,
    smoothness_loss,
)
from nodescope.core.registration.warp import rotate

SMALL = SugarConfig(level=3, depth=2, hidden=8, heads=2)


def test_network_maps_every_vertex_to_three_bounded_angles_and_starts_at_identity():
    model = SugarNet(SMALL)
    maps = torch.randn(642, 2)
    angles = model(maps)
    assert angles.shape == (642, 3)
    assert torch.count_nonzero(angles) == 0  # zero-initialized head: the identity deformation
    with torch.no_grad():
        model.head.bias.fill_(10.0)
    assert model(maps).abs().max() <= SMALL.max_angle + 1e-6


def test_gradients_reach_every_level_of_the_unet():
    torch.manual_seed(0)
    model = SugarNet(SMALL)
    torch.nn.init.normal_(model.head.weight, std=0.1)
    moved = rotate(icosphere_level(3).vertices, model(torch.randn(642, 2)))
    moved.sum().backward()
    for name, p in model.named_parameters():
        assert p.grad is not None and p.grad.abs().sum() > 0, name


def test_positional_encoding_is_unit_sin_cos_pairs():
    pe = positional_encoding(3)
    assert pe.shape == (642, 4)
    np.testing.assert_allclose((pe[:, :2] ** 2).sum(1).numpy(), 1, atol=1e-6)
    np.testing.assert_allclose((pe[:, 2:] ** 2).sum(1).numpy(), 1, atol=1e-6)


def test_checkpoint_round_trips_and_rejects_tampering(tmp_path):
    torch.manual_seed(1)
    model = SugarNet(SMALL)
    torch.nn.init.normal_(model.head.weight)
    save_sugar(model, tmp_path / "net", info={"steps": 3})
    loaded = load_sugar(tmp_path / "net")
    maps = torch.randn(642, 2)
    torch.testing.assert_close(loaded(maps), model.eval()(maps))
    record = json.loads((tmp_path / "net.json").read_text())
    assert record["format"] == "nodescope-sugar" and record["steps"] == 3
    (tmp_path / "net.safetensors").write_bytes(b"not weights")
    with pytest.raises(LoadError, match="SHA-256"):
        load_sugar(tmp_path / "net")
    with pytest.raises(LoadError, match="No such"):
        load_sugar(tmp_path / "missing")


def test_regularizers_are_zero_at_rest_and_for_a_rotation():
    ico = icosphere_level(3)
    rest = ico.vertices.double()
    spun = rotate(rest, torch.tensor([[0.2, 0.4, -0.1]], dtype=torch.float64).expand(len(rest), 3))
    for moved in (rest, spun):
        assert fold_loss(moved, rest, ico.faces) == 0
        assert areal_loss(moved, rest, ico.faces) < 1e-12
        assert edge_loss(moved, rest, ico.edge_index) < 1e-12
    assert smoothness_loss(torch.full((len(rest), 3), 0.3), ico.edge_index) == 0


def test_fold_loss_sees_a_flipped_triangle():
    ico = icosphere_level(2)
    rest = ico.vertices.double()
    moved = rest.clone()
    a, b, c = ico.faces[0]
    moved[a] = rest[b] + 1.5 * (rest[c] - rest[a])  # drag a corner across the opposite side
    moved[a] = moved[a] / moved[a].norm()
    assert fold_loss(moved, rest, ico.faces) > 0


def test_similarity_pieces_and_fixed_map_reading():
    x = torch.randn(100)
    assert pearson_loss(x, 3 * x + 1) < 1e-6
    assert pearson_loss(x, -x) == pytest.approx(2.0)
    z = normalize(torch.cat([x, torch.tensor([1e6])]))
    assert z.abs().max() <= 3.0 and abs(float(z.mean())) < 0.1
    ico = icosphere_level(3)
    values = ico.vertices[:, 2].clone()
    reader = FixedMap(values, 3)
    torch.testing.assert_close(reader(ico.vertices), values)  # exact at the vertices
    points = ico.vertices.clone().requires_grad_(True)
    reader(points).sum().backward()
    assert points.grad.abs().sum() > 0  # the similarity's gradient reaches the points


def test_shipped_network_reduces_a_synthetic_warp_without_folds():
    from nodescope.core.models.sugar import shipped_sugar
    from nodescope.core.registration.pipeline import register, synthetic_subject
    from nodescope.explain.registration import angular_distance_deg, flipped_triangles

    if shipped_sugar() is None:
        pytest.skip("no shipped SUGAR weights (train them with examples/train_sugar.py)")
    vertices, faces, sulc, truth = synthetic_subject(11, magnitude_deg=6.0, rotation_deg=10.0)
    result = register(vertices, faces, sulc, method="net")
    assert angular_distance_deg(result.registered, truth).mean() < 0.7 * 6.0
    assert (
        angular_distance_deg(result.registered, truth).mean()
        < angular_distance_deg(result.rigid, truth).mean()
    )
    assert not flipped_triangles(result.registered, vertices, faces).any()
