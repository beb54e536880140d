import json

import pytest

from nodescope.explain.registration_qc import QC_MEASURES, RANGES_FILE, Flag, limits, qc_flags, qc_summary


def _measured(fixed="fsaverage5", hemi="lh", end=1):
    return {name: bounds["measured"][end] for name, bounds in limits(fixed, hemi).items()}


def test_the_stored_ranges_say_where_they_came_from_and_cover_every_measure():
    record = json.loads(RANGES_FILE.read_text())
    assert "sugar-sub-001" in record["source"]["subject"] and record["source"]["command"]
    for key in ("fsaverage5/lh", "fsaverage5/rh"):
        assert set(record["ranges"][key]) == set(QC_MEASURES)


@pytest.mark.parametrize("end", [0, 1])
def test_values_measured_on_the_reference_subject_are_not_flagged(end):
    assert qc_flags(_measured(end=end)) == []
    assert qc_summary([]) == "Every QC measure is within the reference ranges."


def test_each_value_outside_its_range_is_named_with_its_limit():
    row = _measured() | {
        "correlation": 0.41,
        "flipped": 12,
        "cpu_seconds": "",
        "edge_distortion": float("nan"),
    }
    flags = qc_flags(row)
    assert [f.name for f in flags] == ["correlation", "flipped"]
    low = limits("fsaverage5", "lh")["correlation"]["low"]
    assert str(flags[0]) == f"correlation 0.41 < {low:.3g}" and flags[0].low
    assert str(flags[1]).startswith("flipped 12 > ")
    summary = qc_summary(flags)
    assert summary.startswith("Outside the reference ranges: sulc correlation with the atlas 0.41 is below")
    assert "flipped triangles 12 is above" in summary


def test_without_ranges_nothing_is_flagged_and_the_summary_says_so():
    assert limits("fsaverage6", "rh") is None
    assert qc_flags({"correlation": 0.0}, "fsaverage6", "rh") == []
    assert "No reference ranges for fsaverage6 rh" in qc_summary([], "fsaverage6", "rh")
    assert Flag("cpu_seconds", 200.0, 100.0, low=False).why() == (
        "CPU seconds end to end 200 is above the reference limit 100"
    )
