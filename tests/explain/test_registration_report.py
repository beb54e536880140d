"""A registration's report: colorings, the metrics table and maps carried onto the fixed vertices."""

import dataclasses

import numpy as np
import pytest

from nodescope.core.registration.subjects import fixed_subject, synthetic
from nodescope.explain.registration_report import metrics_table, resampled_maps, vertex_values


@pytest.fixture(scope="module")
def fixed():
    return fixed_subject()


def test_maps_resampled_through_an_identity_registration_are_the_maps(fixed):
    moving = dataclasses.replace(fixed, key="test:identity", anatomy={})
    frame = resampled_maps(moving, fixed, fixed.sphere)
    assert list(frame.columns) == ["vertex", "sulc", "curv", "areal distortion"]
    np.testing.assert_allclose(frame["sulc"], fixed.maps["sulc"], atol=1e-9)  # shared vertices: exact
    np.testing.assert_allclose(frame["areal distortion"], 0, atol=1e-9)


def test_colorings_are_the_maps_then_the_run_measures(fixed):
    assert vertex_values(fixed, "sulc") is fixed.sulc
    assert vertex_values(fixed, "folds") is None  # before a run
    np.testing.assert_array_equal(vertex_values(fixed, "folds", fixed.sphere), 0)
    np.testing.assert_allclose(vertex_values(fixed, "areal distortion", 2 * fixed.sphere), 0, atol=1e-9)
    with pytest.raises(ValueError, match="unknown coloring"):
        vertex_values(fixed, "thickness", fixed.sphere)


def test_the_metrics_table_has_a_row_per_stage_and_the_geodesic_error_of_a_known_warp(fixed):
    moving = synthetic(1, 5.0, 0.0)
    table = metrics_table(moving, fixed, moving.sphere, moving.truth)
    assert list(table.index) == ["native (before)", "rigid", "registered"]
    assert {"sulc correlation", "flipped triangles", "geodesic error (mm)"} <= set(table.columns)
    assert table.loc["registered", "geodesic error (mm)"] == pytest.approx(0, abs=1e-6)
    assert table.loc["native (before)", "geodesic error (mm)"] > 1
