"""``nodescope register --batch`` as a cohort: Dask workers, isolated failures, resuming, QC flags."""

import csv
import json
import time

import pytest

from nodescope.cli.main import main
from nodescope.cli.register_batch import CSV_NAME
from nodescope.core.registration import read_sphere
from tests.cli.registration_subjects import write_hemisphere as _write

FAST = ["--rigid-only", "--method", "fit"]


@pytest.fixture
def cohort(tmp_path):
    """sub-01 and sub-02: fsaverage4 synthetic left hemispheres; sub-03: its lh.sulc is not a sulc file."""
    root = tmp_path / "subjects"
    _write(root / "sub-01" / "surf", "lh", 0)
    _write(root / "sub-02" / "surf", "lh", 1)
    _write(root / "sub-03" / "surf", "lh", 2)
    (root / "sub-03" / "surf" / "lh.sulc").write_bytes(b"not a FreeSurfer morph file")
    return root


def _rows(out):
    with (out / CSV_NAME).open() as f:
        return {(r["subject"], r["hemi"]): r for r in csv.DictReader(f)}


def _summary(capsys):
    captured = capsys.readouterr()
    return json.loads(captured.out.strip().splitlines()[-1]), captured.err


def test_two_dask_workers_isolate_a_failure_and_a_rerun_skips_what_is_done(cohort, tmp_path, capsys):
    out = tmp_path / "out"
    args = ["register", "--batch", str(cohort), "--hemi", "lh", *FAST, "--out", str(out)]
    assert main([*args, "--workers", "2"]) == 0
    summary, err = _summary(capsys)
    assert summary == summary | {"subjects": 3, "hemispheres": 2, "failed": 1, "resumed": 0}
    assert summary["engine"] == "dask (2 local workers)"
    rows = _rows(out)
    assert rows[("sub-03", "lh")]["error"] and rows[("sub-03", "lh")]["correlation"] == ""
    assert "nodescope: error: sub-03 lh:" in err
    for name in ("sub-01", "sub-02"):
        assert rows[(name, "lh")]["error"] == "" and float(rows[(name, "lh")]["rigid_score"]) > 0.8
        assert read_sphere(out / name / "surf" / "lh.sphere.reg")[0].shape == (2562, 3)
    assert "flags" in rows[("sub-01", "lh")]
    written = {n: (out / n / "surf" / "lh.sphere.reg").stat().st_mtime_ns for n in ("sub-01", "sub-02")}

    # Rerun here: the two done are skipped (said on stderr, files untouched), the failed one retried.
    time.sleep(0.01)
    assert main(args) == 0
    summary, err = _summary(capsys)
    assert summary == summary | {"resumed": 2, "failed": 1, "hemispheres": 2, "engine": "this process"}
    for name in ("sub-01", "sub-02"):
        assert f"nodescope: {name} lh: registered before" in err
        assert (out / name / "surf" / "lh.sphere.reg").stat().st_mtime_ns == written[name]
    assert "sub-03 lh: registered before" not in err
    assert _rows(out)[("sub-01", "lh")] == rows[("sub-01", "lh")]


def test_a_subject_whose_output_is_gone_is_registered_again(cohort, tmp_path, capsys):
    out = tmp_path / "out"
    args = ["register", "--batch", str(cohort), "--hemi", "lh", *FAST, "--out", str(out)]
    assert main(args) == 0
    capsys.readouterr()
    (out / "sub-02" / "surf" / "lh.sphere.reg").unlink()
    assert main(args) == 0
    summary, err = _summary(capsys)
    assert (
        summary["resumed"] == 1 and "sub-01 lh: registered before" in err and "sub-02 lh: regist" not in err
    )
    assert (out / "sub-02" / "surf" / "lh.sphere.reg").is_file()


def test_rows_of_a_hemisphere_not_asked_this_time_stay_in_the_csv(tmp_path, capsys):
    root = tmp_path / "subjects"
    _write(root / "sub-01" / "surf", "lh", 0)
    _write(root / "sub-01" / "surf", "rh", 1)
    out = tmp_path / "out"
    base = ["register", "--batch", str(root), *FAST, "--out", str(out)]
    assert main([*base, "--hemi", "lh"]) == 0
    assert main([*base, "--hemi", "rh"]) == 0
    assert set(_rows(out)) == {("sub-01", "lh"), ("sub-01", "rh")}


def test_the_batch_runs_on_a_named_dask_scheduler(cohort, tmp_path, capsys):
    from dask.distributed import LocalCluster

    out = tmp_path / "out"
    with LocalCluster(n_workers=1, threads_per_worker=1, dashboard_address=None) as cluster:
        args = ["register", "--batch", str(cohort), "--hemi", "lh", *FAST, "--out", str(out)]
        assert main([*args, "--cluster", cluster.scheduler_address]) == 0
    summary, _ = _summary(capsys)
    assert summary["engine"] == f"dask ({cluster.scheduler_address})" and summary["hemispheres"] == 2


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--workers", "0"], "--workers takes a number of processes >= 1"),
        (["--cluster", "tcp://127.0.0.1:9"], "Cannot reach the Dask scheduler at tcp://127.0.0.1:9"),
    ],
)
def test_bad_cohort_options_exit_2_with_one_line(cohort, tmp_path, capsys, extra, message):
    args = ["register", "--batch", str(cohort), *FAST, "--out", str(tmp_path / "out"), *extra]
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("nodescope: ") and "\n" not in err and message in err


def test_workers_are_for_a_batch_only(cohort, tmp_path, capsys):
    surf = cohort / "sub-01" / "surf"
    args = ["register", "--moving-sphere", str(surf / "lh.sphere"), "--moving-sulc", str(surf / "lh.sulc")]
    assert main([*args, "--workers", "2", "--out", str(tmp_path / "x.reg")]) == 2
    assert "--workers and --cluster are for --batch" in capsys.readouterr().err


def test_a_single_registration_prints_its_qc_flags_and_cpu_seconds(cohort, tmp_path, capsys):
    surf = cohort / "sub-01" / "surf"
    args = ["register", "--moving-sphere", str(surf / "lh.sphere"), "--moving-sulc", str(surf / "lh.sulc")]
    assert main([*args, *FAST, "--out", str(tmp_path / "lh.sphere.reg")]) == 0
    record = json.loads(capsys.readouterr().out.strip())
    assert isinstance(record["flags"], list) and all(" < " in f or " > " in f for f in record["flags"])
    assert record["timings"]["cpu_seconds"] > 0
