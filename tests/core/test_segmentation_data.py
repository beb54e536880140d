"""The segmentation shapes (labels by construction, seeds, splits) and their dual graphs and features."""

from __future__ import annotations

import numpy as np
import pytest

from nodescope.core.segmentation import (
    FEATURE_NAMES,
    PART_NAMES,
    TRAIN_FAMILIES,
    UNSEEN_FAMILIES,
    dual_edges,
    face_features,
    part_mesh,
    split_specs,
)
from nodescope.core.segmentation.parts import capsule, ellipsoid, label_faces

EXPECTED_PARTS = {
    "quadruped": {"body", "neck", "head", "leg", "tail"},
    "humanoid": {"body", "neck", "head", "arm", "leg"},
    "mug": {"body", "handle", "base"},
    "dinosaur": {"body", "neck", "head", "leg", "arm", "tail"},
}


def test_a_face_takes_the_part_nearest_its_centroid():
    parts = {
        "body": [ellipsoid([0, 0, 0], [1.0, 0.5, 0.5])],
        "leg": [capsule([0.5, 0, 0], [0.5, 0, -1.5], 0.1), capsule([-0.5, 0, 0], [-0.5, 0, -1.5], 0.1)],
    }
    points = np.array([[0, 0, 0.5], [0.5, 0, -1.2], [-0.5, 0.1, -1.0], [0.9, 0, 0]])
    names = [PART_NAMES[k] for k in label_faces(parts, points)]
    assert names == ["body", "leg", "leg", "body"]


@pytest.mark.parametrize("family", [*TRAIN_FAMILIES, *UNSEEN_FAMILIES])
def test_each_family_has_its_parts_and_is_seeded(family):
    a, b = part_mesh(family, 3, 1500), part_mesh(family, 3, 1500)
    np.testing.assert_array_equal(a.pos, b.pos)
    np.testing.assert_array_equal(a.part, b.part)
    assert 1000 <= len(a.faces) <= 2100 and a.part.shape == (len(a.faces),)
    assert {PART_NAMES[k] for k in np.unique(a.part)} == EXPECTED_PARTS[family]
    assert np.linalg.norm(a.pos, axis=1).max() == pytest.approx(1.0)
    other = part_mesh(family, 4, 1500)
    assert len(other.faces) != len(a.faces) or not np.allclose(other.pos, a.pos)


def test_splits_are_disjoint_and_unseen_is_a_new_family():
    specs = {s: split_specs(s) for s in ("train", "val", "test", "unseen")}
    seeds = [{seed for _, seed, _ in v} for v in specs.values()]
    assert sum(len(s) for s in seeds) == len(set().union(*seeds))
    assert {f for f, _, _ in specs["unseen"]}.isdisjoint({f for f, _, _ in specs["train"]})
    assert all(1000 <= faces <= 4000 for v in specs.values() for _, _, faces in v)


def test_dual_edges_of_a_tetrahedron():
    pos = np.array([[0.0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]])
    faces = np.array([[0, 2, 1], [0, 1, 3], [0, 3, 2], [1, 2, 3]])  # outward
    edges, angle = dual_edges(pos, faces)
    assert edges.shape == (2, 12)
    assert {tuple(e) for e in edges.T} == {(s, t) for s in range(4) for t in range(4) if s != t}
    assert (angle > 0).all()  # convex everywhere
    assert np.all(np.diff(edges[1]) >= 0)  # sorted by target


def test_features_are_invariant_to_rotation_translation_and_scale():
    mesh = part_mesh("humanoid", 1, 1500)
    q, _ = np.linalg.qr(np.random.default_rng(0).normal(size=(3, 3)))
    q *= np.sign(np.linalg.det(q))
    a = face_features(mesh.pos, mesh.faces)
    b = face_features(2.5 * mesh.pos @ q.T + [3, -1, 2], mesh.faces)
    assert a.x.shape == (len(mesh.faces), len(FEATURE_NAMES))
    np.testing.assert_allclose(a.x.numpy(), b.x.numpy(), atol=1e-4)
    np.testing.assert_allclose(a.edge_attr.numpy(), b.edge_attr.numpy(), atol=1e-5)
    assert 2.9 * len(mesh.faces) <= a.edge_index.shape[1] <= 3 * len(mesh.faces)  # closed but for repairs
