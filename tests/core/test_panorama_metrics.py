"""Panorama scores: depth, classes, normals, weights and the latitude-band layout oracle."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from nodescope.core.panorama.metrics import (
    band_oracle,
    band_oracle_accuracy,
    depth_abs_rel,
    depth_delta,
    equirect_weights,
    mean_iou,
    median_normal_angle,
    vertex_latitudes,
    vertex_weights,
    weighted_accuracy,
)


def test_band_oracle_is_the_best_band():
    rng = np.random.default_rng(0)
    lat = rng.choice(np.linspace(-80, 80, 9), 40)  # ties: a cut never splits equal latitudes
    layout = rng.integers(0, 3, 40)
    weights = rng.uniform(0.5, 1.5, 40)
    score, lo, hi = band_oracle(layout, lat, weights)
    cuts = np.linspace(-90, 90, 181)
    best = max(
        weighted_accuracy(np.where(lat < a, 0, np.where(lat > b, 2, 1)), layout, weights)
        for a, b in itertools.product(cuts, cuts)
        if a <= b
    )
    assert score == pytest.approx(best)
    predicted = np.where(lat < lo, 0, np.where(lat > hi, 2, 1))
    assert weighted_accuracy(predicted, layout, weights) == pytest.approx(score)


def test_band_oracle_is_perfect_on_a_band_layout():
    lat = vertex_latitudes(3)
    layout = np.where(lat < -30, 0, np.where(lat > 40, 2, 1))
    assert band_oracle_accuracy(layout[None], lat, vertex_weights(3)) == pytest.approx([1.0])


def test_weights():
    w = equirect_weights(8, 16)
    assert w.shape == (8, 16) and w.mean() == pytest.approx(1.0)
    assert w[0, 0] < w[3, 0]
    v = vertex_weights(3)
    assert v.mean() == pytest.approx(1.0) and v.min() > 0.5 and v.max() < 1.5


def test_depth_class_and_normal_scores():
    target = np.array([1.0, 2.0, 4.0, 0.0])
    pred = np.array([1.1, 2.0, 2.0, 5.0])
    assert depth_abs_rel(pred, target) == pytest.approx((0.1 + 0 + 0.5) / 3)
    assert depth_delta(pred, target) == pytest.approx(2 / 3)
    assert mean_iou(np.array([0, 0, 1, 2]), np.array([0, 1, 1, 2]), 4) == pytest.approx((0.5 + 0.5 + 1) / 3)
    n = np.array([[0, 0, 1.0], [0, 0, 1.0], [0, 1.0, 0]])
    m = np.array([[0, 0, 2.0], [0, np.sin(0.2), np.cos(0.2)], [0, 0, 1.0]])
    assert median_normal_angle(m, n) == pytest.approx(np.degrees(0.2))


def test_image_shaped_inputs_with_cos_latitude_weights():
    lat = np.repeat(((0.5 - (np.arange(8) + 0.5) / 8) * 180)[:, None], 16, axis=1)
    layout = np.where(lat < -20, 0, np.where(lat > 20, 2, 1))
    weights = equirect_weights(8, 16)
    assert band_oracle(layout, lat, weights)[0] == pytest.approx(1.0)
    normals = np.zeros((8, 16, 3))
    normals[..., 2] = 1
    assert median_normal_angle(normals, normals, weights) == pytest.approx(0.0, abs=1e-6)
