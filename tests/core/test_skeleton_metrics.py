"""Pose errors (core/skeleton/metrics.py) on hand-computed cases."""

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from nodescope.core.skeleton.metrics import (
    joint_errors,
    mpjpe,
    p_mpjpe,
    per_group,
    per_joint,
    procrustes_align,
)


def skeleton(n=4, seed=0):
    return np.random.default_rng(seed).normal(size=(n, 17, 3)) * 0.3


def test_mpjpe_of_a_shifted_copy_is_the_shift_in_millimetres():
    truth = skeleton()
    assert mpjpe(truth + [0.03, 0.04, 0.0], truth) == pytest.approx(50.0)
    assert mpjpe(truth, truth) == 0.0


def test_p_mpjpe_of_a_rotated_scaled_translated_copy_is_zero():
    truth = skeleton()
    rotation = Rotation.random(4, random_state=3).as_matrix()
    pred = 1.7 * np.einsum("nij,nkj->nki", rotation, truth) + [0.5, -1.0, 3.0]
    assert mpjpe(pred, truth) > 100
    assert p_mpjpe(pred, truth) == pytest.approx(0.0, abs=1e-9)
    np.testing.assert_allclose(procrustes_align(pred, truth), truth, atol=1e-12)


def test_procrustes_excludes_reflections():
    truth = skeleton()
    mirrored = truth * [-1.0, 1.0, 1.0]
    assert p_mpjpe(mirrored, truth) > 10  # a mirror image is not a rotation of the pose


def test_p_mpjpe_is_at_most_mpjpe():
    truth = skeleton()
    pred = truth + np.random.default_rng(1).normal(size=truth.shape) * 0.05
    assert p_mpjpe(pred, truth) <= mpjpe(pred, truth)


def test_per_joint_and_per_group():
    truth = np.zeros((3, 17, 3))
    pred = truth.copy()
    pred[0, 5, 0] = 0.017  # one joint of the first pose off by 17 mm
    pred[2, :, 1] = 0.002  # every joint of the last pose off by 2 mm
    errors = joint_errors(pred, truth)
    assert errors.shape == (3, 17)
    expected = np.full(17, 2.0 / 3)
    expected[5] += 17.0 / 3
    np.testing.assert_allclose(per_joint(errors), expected)
    groups = per_group(errors, np.array(["walk", "run", "walk"]))
    assert groups == pytest.approx({"run": 0.0, "walk": (17.0 + 34.0) / 34})


def test_shapes_must_agree():
    with pytest.raises(ValueError, match="differ in shape"):
        joint_errors(np.zeros((2, 17, 3)), np.zeros((2, 16, 3)))
