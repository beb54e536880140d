"""The panorama room generator: analytic depths, labels that agree with geometry, amodal layout, seeds."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from nodescope.core.panorama.classes import CEILING, CLASS_NAMES, FLOOR, LAYOUT_NAMES, OPENING, WALL
from nodescope.core.panorama.dataset import sphere_dataset
from nodescope.core.panorama.furniture import KINDS, OOD_KINDS
from nodescope.core.panorama.intersect import arc_geometry
from nodescope.core.panorama.parts import CeilingPlane, Vault, Wall
from nodescope.core.panorama.plans import CEILINGS, OOD_CEILINGS, OOD_PLANS, PLANS, ceiling_height
from nodescope.core.panorama.render import cast, equirect_directions, render_panorama
from nodescope.core.panorama.scene import sample_scene

SEEDS = range(12)


def _to_camera(scene, world: np.ndarray) -> np.ndarray:
    """Room-frame directions (N, 3) -> the camera's frame (undo the yaw)."""
    c, s = np.cos(scene.yaw), np.sin(scene.yaw)
    w = np.atleast_2d(world)
    return np.stack([c * w[:, 0] + s * w[:, 1], -s * w[:, 0] + c * w[:, 1], w[:, 2]], 1)


def _box_scene(**changes):
    """A 6 x 4 x 2.8 m box room, camera at (2, 1.5, 1.3), no furniture, yaw 0.7."""
    walls = tuple(
        Wall(a, b) for a, b in [((0, 0), (6, 0)), ((6, 0), (6, 4)), ((6, 4), (0, 4)), ((0, 4), (0, 0))]
    )
    base = sample_scene(0, "train")
    fields = {
        "walls": walls,
        "ceilings": (CeilingPlane(2.8),),
        "vault": None,
        "soffits": (),
        "items": (),
        "openings": (),
        "decals": (),
        "camera": (2.0, 1.5, 1.3),
        "yaw": 0.7,
    }
    return dataclasses.replace(base, **{**fields, **changes})


def test_box_room_depths_are_the_wall_distances():
    scene = _box_scene()
    world = np.array([[1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0], [0, 0, 1], [0, 0, -1]], float)
    hits = cast(scene, _to_camera(scene, world))
    np.testing.assert_allclose(hits.depth, [4.0, 2.0, 2.5, 1.5, 1.5, 1.3], rtol=1e-5)
    assert hits.label.tolist() == [WALL, WALL, WALL, WALL, CEILING, FLOOR]
    # A diagonal ray to the corner (6, 4, 0): Euclidean distance, not z-depth.
    corner = np.array([6.0, 4.0, 0.0]) - scene.camera
    hit = cast(scene, _to_camera(scene, corner / np.linalg.norm(corner)))
    np.testing.assert_allclose(hit.depth, np.linalg.norm(corner), rtol=1e-4)


def test_normals_are_in_the_camera_frame_and_face_it():
    scene = _box_scene()
    world = np.array([[1, 0, 0], [0, 0, -1]], float)
    hits = cast(scene, _to_camera(scene, world))
    np.testing.assert_allclose(hits.normal[0], _to_camera(scene, np.array([-1.0, 0, 0]))[0], atol=1e-5)
    np.testing.assert_allclose(hits.normal[1], [0, 0, 1], atol=1e-6)


def test_sloped_ceiling_vault_and_arc_wall_depths():
    plane = CeilingPlane(2.5, 0.1, -0.05)
    scene = _box_scene(ceilings=(plane,))
    up = cast(scene, np.array([[0.0, 0, 1]]))
    np.testing.assert_allclose(up.depth, 2.5 + 0.1 * 2.0 - 0.05 * 1.5 - 1.3, rtol=1e-5)
    vault = Vault(axis=1, qc=2.0, zc=1.0, radius=2.5)
    scene = _box_scene(ceilings=(CeilingPlane(9.0),), vault=vault)
    up = cast(scene, np.array([[0.0, 0, 1]]))
    np.testing.assert_allclose(up.depth, 1.0 + np.sqrt(2.5**2 - 0.5**2) - 1.3, rtol=1e-5)
    # The +X wall bulges by 1 m: the ray along +X through its apex height reaches x = 7 at y = 2.
    walls = list(_box_scene().walls)
    walls[1] = Wall((6, 0), (6, 4), bulge=1.0)
    scene = _box_scene(walls=tuple(walls), camera=(2.0, 2.0, 1.3))
    hit = cast(scene, _to_camera(scene, np.array([1.0, 0, 0])))
    np.testing.assert_allclose(hit.depth, 5.0, rtol=1e-5)
    center, radius, _, _ = arc_geometry((6, 0), (6, 4), 1.0)
    direction = np.array([np.cos(0.4), np.sin(0.4), 0.0])
    hit = cast(scene, _to_camera(scene, direction))
    p = np.asarray(scene.camera) + hit.depth[0] * direction
    np.testing.assert_allclose(np.hypot(*(p[:2] - center)), radius, rtol=1e-5)


@pytest.mark.parametrize("split", ["train", "ood"])
def test_straight_down_is_the_camera_height(split):
    for seed in SEEDS:
        scene = sample_scene(seed, split)
        hits = cast(scene, np.array([[0.0, 0.0, -1.0]]))
        assert hits.depth[0] == pytest.approx(scene.camera_height, rel=1e-5)
        assert hits.label[0] == FLOOR and hits.normal[0, 2] == pytest.approx(1.0)
        assert 0.5 <= scene.camera_height <= 2.2


def test_labels_agree_with_geometry_and_the_layout_has_no_furniture():
    directions = equirect_directions(256, 128)
    seen_furniture = 0
    for split, seed in [(s, k) for s in ("train", "ood") for k in range(6)]:
        scene = sample_scene(seed, split)
        hits = cast(scene, directions)
        c, s = np.cos(scene.yaw), np.sin(scene.yaw)
        d = directions
        world = np.stack([c * d[:, 0] - s * d[:, 1], s * d[:, 0] + c * d[:, 1], d[:, 2]], 1)
        p = np.asarray(scene.camera) + world * hits.depth[:, None]
        floor = hits.label == FLOOR
        np.testing.assert_allclose(p[floor, 2], 0.0, atol=1e-3)
        np.testing.assert_allclose(hits.normal[floor, 2], 1.0, atol=1e-5)
        wall = np.isin(hits.label, [WALL, OPENING])
        assert np.abs(hits.normal[wall, 2]).max() < 1e-5
        ceiling = hits.label == CEILING
        assert (hits.normal[ceiling, 2] < -0.2).all()
        if not scene.soffits:
            top = ceiling_height(list(scene.ceilings), scene.vault, p[ceiling, :2])
            np.testing.assert_allclose(p[ceiling, 2], top, atol=2e-3)
        np.testing.assert_allclose(np.linalg.norm(hits.normal, axis=1), 1.0, atol=1e-5)
        # Amodal layout: never nearer than what is seen, the same where no furniture is seen.
        furniture = hits.label >= len(LAYOUT_NAMES) + 1
        assert (hits.layout_depth >= hits.depth - 1e-5).all()
        np.testing.assert_array_equal(hits.layout_depth[~furniture], hits.depth[~furniture])
        np.testing.assert_array_equal(np.minimum(hits.label, 1)[hits.label == OPENING], 1)
        assert (
            hits.layout[~furniture] == np.where(hits.label == OPENING, WALL, hits.label)[~furniture]
        ).all()
        assert (hits.layout_depth[furniture] > hits.depth[furniture]).all()
        assert set(np.unique(hits.layout)) <= {FLOOR, WALL, CEILING}
        seen_furniture += int(furniture.sum())
        assert hits.rgb.dtype == np.float32 and hits.rgb.min() >= 0 and hits.rgb.max() <= 1
    assert seen_furniture > 0


def test_deterministic_by_seed():
    a, b = render_panorama(sample_scene(3, "val"), 128, 64), render_panorama(sample_scene(3, "val"), 128, 64)
    for field in ("rgb", "depth", "normal", "label", "layout", "layout_depth"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
    assert sample_scene(3, "val") == sample_scene(3, "val")


def test_split_seeds_are_disjoint_and_ood_is_unseen():
    cameras = {
        split: {sample_scene(k, split).camera for k in range(30)} for split in ("train", "val", "test", "ood")
    }
    for a in cameras:
        for b in cameras:
            if a < b:
                assert not cameras[a] & cameras[b], (a, b)
    assert not set(OOD_PLANS) & set(PLANS)
    assert not set(OOD_KINDS) & set(KINDS)
    assert set(OOD_CEILINGS) - set(CEILINGS) == {"pyramid"}
    ood = [sample_scene(k, "ood") for k in range(30)]
    assert {s.plan for s in ood} <= set(OOD_PLANS)
    assert {i.kind for s in ood for i in s.items} <= set(OOD_KINDS)
    train = [sample_scene(k, "train") for k in range(30)]
    assert {s.plan for s in train} <= set(PLANS) and {i.kind for s in train for i in s.items} <= set(KINDS)
    with pytest.raises(ValueError, match="split"):
        sample_scene(0, "dev")


def test_sphere_dataset_shapes_and_cache(tmp_path, monkeypatch):
    data = sphere_dataset("test", 2, 2, cache_dir=tmp_path, antialias=2)
    n = 10 * 4**2 + 2
    assert data["rgb"].shape == (2, n, 3) and data["rgb"].dtype == np.float32
    assert data["normal"].shape == (2, n, 3) and data["depth"].shape == (2, n)
    assert data["label"].dtype == np.int64 and data["layout"].dtype == np.int64
    assert data["label"].max() < len(CLASS_NAMES) and data["layout"].max() < len(LAYOUT_NAMES)
    assert data["camera_height"].shape == (2,)
    assert len(list(tmp_path.glob("*.npz"))) == 1

    def boom(*args, **kwargs):
        raise AssertionError("cast again although cached")

    monkeypatch.setattr("nodescope.core.panorama.dataset.sample_scene", boom)
    again = sphere_dataset("test", 2, 2, cache_dir=tmp_path, antialias=2)
    np.testing.assert_array_equal(again["depth"], data["depth"])
    np.testing.assert_array_equal(again["label"], data["label"])


def test_fsaverage_dataset_is_cast_at_the_fsaverage_vertices(tmp_path):
    from nodescope.core.panorama.dataset import sphere_mesh

    ico = sphere_dataset("val", 1, 2, cache_dir=tmp_path)
    fs = sphere_dataset("val", 1, 2, cache_dir=tmp_path, sphere="fsaverage")
    assert len(list(tmp_path.glob("*.npz"))) == 2  # cached apart
    scene = sample_scene(0, "val")
    for data, sphere in ((ico, "icosphere"), (fs, "fsaverage")):
        hits = cast(scene, sphere_mesh(2, sphere)[0])
        np.testing.assert_array_equal(data["depth"][0], hits.depth)
        np.testing.assert_array_equal(data["layout"][0], hits.layout)


def test_rugs_and_pictures_change_only_the_color():
    rooms = (sample_scene(k, "train") for k in range(40))
    scene = next(s for s in rooms if {d.wall < 0 for d in s.decals} == {True, False})  # a rug and a picture
    with_decals = render_panorama(scene, 256, 128)
    without = render_panorama(dataclasses.replace(scene, decals=()), 256, 128)
    for field in ("depth", "normal", "label", "layout", "layout_depth"):
        np.testing.assert_array_equal(getattr(with_decals, field), getattr(without, field))
    assert np.abs(with_decals.rgb - without.rgb).max() > 0.05
