"""The multi-task spherical U-Net: graphs, layers, heads, yaw equivariance, training, checkpoints."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy.spatial import cKDTree
from torch_geometric.nn import GATv2Conv

from nodescope.core.errors import LoadError
from nodescope.core.geometry.fsaverage import icosphere_level, num_vertices, pool, unpool
from nodescope.core.geometry.sphere import latlon_to_pixel, xyz_to_latlon
from nodescope.core.geometry.tangent import edge_headings, from_local, local_frames, to_local
from nodescope.core.loaders.panorama import sample_bilinear
from nodescope.core.loaders.room import render_room
from nodescope.core.models.panorama.checkpoint import load_panorama, save_panorama
from nodescope.core.models.panorama.graph import neighbor_table
from nodescope.core.models.panorama.heads import TASK_NAMES, decode, task_channels
from nodescope.core.models.panorama.layers import TableGATv2
from nodescope.core.models.panorama.loss import panorama_loss
from nodescope.core.models.panorama.unet import SphericalUNet, SphericalUNetConfig
from nodescope.core.panorama.classes import CLASS_NAMES
from nodescope.core.panorama.dataset import sphere_dataset

SMALL = SphericalUNetConfig(
    level=3, min_level=1, width=8, max_width=16, task_width=8, num_classes=len(CLASS_NAMES)
)


def _rotation(deg: float) -> np.ndarray:
    a = np.radians(deg)
    return np.array([[np.cos(a), -np.sin(a), 0], [np.sin(a), np.cos(a), 0], [0, 0, 1.0]])


def _yaw_permutation(level: int, deg: float) -> np.ndarray:
    """``perm[i]``: the vertex at R v_i (R the yaw), for a yaw that maps the icosphere to itself."""
    v = icosphere_level(level).vertices.double().numpy()
    dist, perm = cKDTree(v).query(v @ _rotation(deg).T)
    assert dist.max() < 1e-3 and len(set(perm.tolist())) == len(v)
    return perm


def _vertex_colors(image: np.ndarray, level: int) -> torch.Tensor:
    """(1, V, 3) colors of an equirectangular uint8 image at the fsaverage vertices (bilinear)."""
    sph = xyz_to_latlon(icosphere_level(level).vertices.double().numpy())
    u, v = latlon_to_pixel(sph[:, 0], sph[:, 1], image.shape[1], image.shape[0])
    return torch.from_numpy(sample_bilinear(image, u, v) / 255.0).float()[None]


def test_unet_hierarchy_levels_6_to_3_nest_pool_and_unpool():
    config = SphericalUNetConfig()
    assert config.levels == [6, 5, 4, 3]
    for fine in config.levels[:-1]:
        n = num_vertices(fine - 1)
        assert torch.equal(icosphere_level(fine).vertices[:n], icosphere_level(fine - 1).vertices)
        x = torch.randn(num_vertices(fine - 1), 2, 5)
        up = unpool(x, fine - 1)
        assert up.shape == (num_vertices(fine), 2, 5)
        assert torch.equal(up[:n], x)  # coarse vertices keep their values
        parents = icosphere_level(fine).parents
        assert torch.allclose(up[n:], 0.5 * (x[parents[:, 0]] + x[parents[:, 1]]))
        assert torch.allclose(pool(torch.ones(num_vertices(fine), 3), fine), torch.ones(n, 3))
        # Pooling a smooth field (z) keeps it close: each coarse vertex averages its small 1-ring.
        z = icosphere_level(fine).vertices[:, 2:]
        assert (pool(z, fine) - z[:n]).abs().max() < 0.02


@pytest.mark.parametrize("level", [1, 3])
def test_neighbor_table_is_the_mesh_with_self_loops_and_unit_bearings(level):
    table = neighbor_table(level, torch.device("cpu"))
    ico = icosphere_level(level)
    pairs = set(map(tuple, table.edge_index().t().tolist()))
    loops = {(i, i) for i in range(len(ico.vertices))}
    assert pairs == set(map(tuple, ico.edge_index.t().tolist())) | loops
    assert int((~table.mask).sum()) == 12  # the icosahedron's corners have 5 neighbors
    # Unit bearings on every edge, except seen from the two poles (no direction there: (0, 0)).
    pole = ico.vertices[:, :2].norm(dim=1) < 1e-6
    edge = table.mask & (table.attr[..., 2] == 0)
    norm = table.attr[..., :2].norm(dim=-1)
    assert torch.allclose(norm[edge & ~pole[:, None]], torch.tensor(1.0), atol=1e-5)
    assert (norm[pole] == 0).all() and int(pole.sum()) == 2


def test_frames_are_orthonormal_and_bearings_are_yaw_invariant():
    v = icosphere_level(3).vertices.double()
    v = v / v.norm(dim=1, keepdim=True)
    east, north = local_frames(v)
    pole = v[:, :2].norm(dim=1) < 1e-6
    assert pole.sum() == 2 and (east[pole] == 0).all() and (north[pole] == 0).all()
    basis = torch.stack([v, east, north], dim=1)[~pole]
    eye = torch.eye(3, dtype=v.dtype).expand(len(basis), 3, 3)
    assert torch.allclose(basis @ basis.transpose(1, 2), eye, atol=1e-9)
    vec = torch.randn(len(v), 3, dtype=v.dtype)
    assert torch.allclose(from_local(to_local(vec, v), v)[~pole], vec[~pole], atol=1e-9)
    # At the poles only the radial part survives: nothing there turns with a yaw.
    assert torch.allclose(
        from_local(to_local(vec, v), v)[pole], (vec[pole] * v[pole]).sum(1, keepdim=True) * v[pole]
    )
    # A 72-degree yaw maps the icosphere to itself; the bearing of every edge is unchanged (up to
    # the fsaverage file's rounding of the vertices, 1e-4 on edges of 0.1 rad at level 3).
    perm = torch.from_numpy(_yaw_permutation(3, 72.0))
    e = icosphere_level(3).edge_index
    assert (edge_headings(v, e) - edge_headings(v, perm[e])).abs().max() < 5e-3


def test_table_gatv2_equals_pyg_gatv2conv():
    torch.manual_seed(0)
    ours = TableGATv2(5, 4, heads=2)
    with torch.no_grad():
        ours.bias.normal_()
        ours.lin_l.bias.normal_()
    ref = GATv2Conv(5, 4, heads=2, edge_dim=3, add_self_loops=False)
    ref.load_state_dict(ours.state_dict())
    table = neighbor_table(2, torch.device("cpu"))
    x = torch.randn(num_vertices(2), 1, 5)
    out, alpha = ours(x, 2)
    expected = ref(x[:, 0], table.edge_index(), table.attr[table.mask])
    assert torch.allclose(out[:, 0], expected, atol=1e-5)
    assert torch.allclose(alpha.sum(dim=1), torch.ones(num_vertices(2), 1, 2), atol=1e-5)


def test_heads_have_their_shapes_and_decode_to_units():
    torch.manual_seed(0)
    model = SphericalUNet(SMALL).eval()
    v = num_vertices(3)
    attention: list = []
    raw = model(torch.rand(2, v, 3), attention=attention)
    channels = task_channels(len(CLASS_NAMES))
    assert list(raw) == list(TASK_NAMES)
    for task in TASK_NAMES:
        assert raw[task].shape == (2, v, channels[task])
    out = decode(raw, model.directions())
    assert out["depth"].shape == out["layout_depth"].shape == (2, v) and (out["depth"] > 0).all()
    assert out["class"].shape == out["layout"].shape == (2, v)
    assert int(out["layout"].max()) <= 2 and out["class_prob"].shape == (2, v, len(CLASS_NAMES))
    assert torch.allclose(out["normal"].norm(dim=-1), torch.ones(2, v), atol=1e-5)
    # Fresh depth heads start near the prior (2.5 m), so the first steps are not spent on scale.
    assert 1.0 < float(out["depth"].detach().median()) < 6.0
    # One attention record per GATv2 block: 3 encoder levels, 5 tasks x 2 decoder levels.
    assert len(attention) == 3 + 5 * 2
    assert attention[0]["alpha"].shape == (v, 7, 2, SMALL.heads)
    with pytest.raises(ValueError, match="rgb must be"):
        model(torch.rand(2, v + 1, 3))


def _compare(out: dict, out_rot: dict, perm: np.ndarray, deg: float) -> dict[str, float]:
    """Largest disagreement of yawed-input predictions, un-yawed, with the originals, per field."""
    p = torch.from_numpy(perm)
    r = torch.from_numpy(_rotation(deg)).float()
    return {
        "depth": float((out_rot["depth"][:, p].log() - out["depth"].log()).abs().max()),
        "layout_depth": float((out_rot["layout_depth"][:, p].log() - out["layout_depth"].log()).abs().max()),
        "class_prob": float((out_rot["class_prob"][:, p] - out["class_prob"]).abs().max()),
        "layout_prob": float((out_rot["layout_prob"][:, p] - out["layout_prob"]).abs().max()),
        "normal": float((out_rot["normal"][:, p] - out["normal"] @ r.T).abs().max()),
    }


def test_yaw_by_a_symmetry_of_the_icosphere_commutes_with_the_network():
    """Yawing the input by 72 degrees yaws every prediction by 72 degrees.

    72 degrees maps the fsaverage icosphere (north pole at vertex 0) to itself, so the yaw of
    the input is a permutation of the vertices. With the colors permuted exactly the outputs
    agree to 1e-3 (float32 rounding, and the fsaverage file's rounding of the vertices by up
    to 1e-4, which turns the vertices' east/north frames by as much). With the image itself rotated (its columns
    rolled by a fifth) and resampled, the colors differ by the interpolation at vertices the
    fsaverage file rounds by up to 1e-4 rad (~0.02 px at 1000 px): the predictions then agree
    within 0.02 (log-depth, probabilities, normal components).
    """
    torch.manual_seed(0)
    model = SphericalUNet(SMALL).eval()
    perm = _yaw_permutation(3, 72.0)
    image = render_room(1000, 500, seed=3).image
    rgb = _vertex_colors(image, 3)
    rgb_rot = torch.empty_like(rgb)
    rgb_rot[:, perm] = rgb  # vertex R v_i sees what v_i saw
    with torch.no_grad():
        out = decode(model(rgb), model.directions())
        exact = decode(model(rgb_rot), model.directions())
        resampled = decode(model(_vertex_colors(np.roll(image, 200, axis=1), 3)), model.directions())
    exact_gap, resampled_gap = _compare(out, exact, perm, 72.0), _compare(out, resampled, perm, 72.0)
    assert max(exact_gap.values()) < 1e-3, exact_gap
    assert max(resampled_gap.values()) < 0.02, resampled_gap


def test_yaw_by_any_angle_changes_predictions_only_by_interpolation():
    """A 30-degree yaw (not a symmetry of the mesh): un-yawed predictions stay close.

    Rolling a 1200 px image by 100 columns is an exact 30-degree yaw of the panorama; the
    vertices then sample it at other places, so the network sees a differently interpolated
    room. Un-yawing its output (barycentric interpolation of the yawed predictions at the
    rotated vertex directions) must agree with the plain predictions to well within their own
    spread: the median difference is under a tenth of the log-depth's spread across the room.
    A network fed longitude would fail this (its outputs would follow the image columns).
    """
    from nodescope.core.geometry.resample import locate, resample

    torch.manual_seed(0)
    model = SphericalUNet(SMALL).eval()
    image = render_room(1200, 600, seed=5).image
    ico = icosphere_level(3)
    with torch.no_grad():
        out = model(_vertex_colors(image, 3))["depth"][0, :, 0]
        out_rot = model(_vertex_colors(np.roll(image, 100, axis=1), 3))["depth"][0, :, 0]
    rotated = ico.vertices.double().numpy() @ _rotation(30.0).T
    tri, weights = locate(ico.vertices, ico.faces, rotated)
    back = resample(out_rot[:, None], ico.faces, tri, weights)[:, 0]
    diff = (back - out).abs()
    assert float(diff.median()) < 0.1 * float(out.std())


def test_overfits_two_rooms():
    data = sphere_dataset("train", 2, 3, sphere="fsaverage")
    batch = {
        k: torch.from_numpy(data[k]) for k in ("rgb", "depth", "normal", "label", "layout", "layout_depth")
    }
    torch.manual_seed(0)
    model = SphericalUNet(SMALL)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    losses = []
    for _ in range(40):
        loss, parts = panorama_loss(model(batch["rgb"]), batch, model.directions())
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss))
    assert losses[-1] < 0.5 * losses[0], losses
    assert set(parts) == set(TASK_NAMES)


def test_checkpoint_round_trip_and_refusal(tmp_path):
    torch.manual_seed(0)
    model = SphericalUNet(SMALL).eval()
    save_panorama(model, tmp_path / "net", {"seed": 0})
    loaded, record = load_panorama(tmp_path / "net.json")
    assert record["format"] == "nodescope-panorama" and record["config"]["level"] == 3
    rgb = torch.rand(1, num_vertices(3), 3)
    with torch.no_grad():
        assert torch.allclose(model(rgb)["depth"], loaded.cpu()(rgb)["depth"])
    meta = tmp_path / "net.json"
    good = meta.read_text()
    meta.write_text(good.replace('"level": 3', '"level": 9'))
    with pytest.raises(LoadError, match="bad panorama network config"):
        load_panorama(tmp_path / "net")
    meta.write_text(good)
    (tmp_path / "net.safetensors").write_bytes(b"not weights")
    with pytest.raises(LoadError):
        load_panorama(tmp_path / "net")


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_runs_on_cuda_like_on_the_cpu():
    torch.manual_seed(0)
    model = SphericalUNet(SMALL)
    rgb = torch.rand(2, num_vertices(3), 3)
    cpu = model(rgb)
    gpu = model.to("cuda")(rgb.to("cuda"))
    for task in TASK_NAMES:
        assert torch.allclose(cpu[task], gpu[task].cpu(), atol=1e-4)
    loss = sum(v.float().square().mean() for v in gpu.values())
    loss.backward()
    assert all(p.grad is not None for p in model.parameters())
