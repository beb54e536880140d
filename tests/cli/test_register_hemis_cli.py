"""``nodescope register`` with both hemispheres: --hemi, names, FreeSurfer's layout and the CSV's hemi column."""

import csv
import json

import pytest

from nodescope.cli.main import main
from nodescope.core.registration import read_sphere
from tests.cli.registration_subjects import write_hemisphere as _write


@pytest.fixture
def subjects(tmp_path):
    """sub-01 has both hemispheres (fsaverage4 synthetic warps of each atlas hemisphere); sub-02 only lh."""
    root = tmp_path / "subjects"
    _write(root / "sub-01" / "surf", "lh", 0)
    _write(root / "sub-01" / "surf", "rh", 1)
    _write(root / "sub-02" / "surf", "lh", 2)
    return root


def _rows(path):
    with path.open() as f:
        return list(csv.DictReader(f))


def test_batch_registers_both_hemispheres_in_freesurfer_layout(subjects, tmp_path, capsys):
    out = tmp_path / "out"
    assert (
        main(["register", "--batch", str(subjects), "--rigid-only", "--method", "fit", "--out", str(out)])
        == 0
    )
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary == summary | {"subjects": 2, "hemispheres": 3, "skipped": 1, "failed": 0}
    rows = _rows(out / "registration.csv")
    assert list(rows[0])[:3] == ["subject", "hemi", "correlation"] and list(rows[0])[-1] == "skipped"
    assert [(r["subject"], r["hemi"]) for r in rows] == [
        ("sub-01", "lh"), ("sub-01", "rh"), ("sub-02", "lh"), ("sub-02", "rh")
    ]  # fmt: skip
    assert rows[3]["skipped"] == "no surf/rh.sphere and surf/rh.sulc" and rows[3]["correlation"] == ""
    for r in rows[:3]:  # each matched against its own atlas hemisphere
        assert r["skipped"] == "" and float(r["rigid_score"]) > 0.8
    for name, hemi in (("sub-01", "lh"), ("sub-01", "rh"), ("sub-02", "lh")):
        assert read_sphere(out / name / "surf" / f"{hemi}.sphere.reg")[0].shape == (2562, 3)
    assert not (out / "sub-02" / "surf" / "rh.sphere.reg").exists()


def test_batch_hemi_rh_registers_only_right_hemispheres(subjects, tmp_path, capsys):
    out = tmp_path / "out"
    args = ["register", "--batch", str(subjects), "--hemi", "rh", "--rigid-only", "--method", "fit"]
    assert main([*args, "--out", str(out)]) == 0
    rows = _rows(out / "registration.csv")
    assert [(r["subject"], r["hemi"], r.get("skipped", "")) for r in rows] == [
        ("sub-01", "rh", ""), ("sub-02", "rh", "no surf/rh.sphere and surf/rh.sulc")
    ]  # fmt: skip


def test_single_registration_takes_the_hemisphere_from_the_name(subjects, tmp_path, capsys):
    surf = subjects / "sub-01" / "surf"
    args = ["register", "--moving-sphere", str(surf / "rh.sphere"), "--moving-sulc", str(surf / "rh.sulc")]
    assert main([*args, "--rigid-only", "--method", "fit", "--out", str(tmp_path / "rh.sphere.reg")]) == 0
    record = json.loads(capsys.readouterr().out.strip())
    assert record["hemi"] == "rh" and record["rigid_score"] > 0.8


@pytest.mark.parametrize(
    ("hemi", "sphere", "message"),
    [
        ("both", "rh.sphere", "--hemi both is for --batch"),
        ("lh", "rh.sphere", "--hemi lh but the sphere is named rh.sphere"),
    ],
)
def test_a_contradictory_hemisphere_exits_2_with_one_line(subjects, tmp_path, capsys, hemi, sphere, message):
    surf = subjects / "sub-01" / "surf"
    args = ["register", "--moving-sphere", str(surf / sphere), "--moving-sulc", str(surf / "rh.sulc")]
    assert main([*args, "--hemi", hemi, "--out", str(tmp_path / "x.reg")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("nodescope: ") and "\n" not in err and message in err


def test_batch_without_the_asked_hemisphere_exits_2(tmp_path, capsys):
    _write(tmp_path / "subjects" / "sub-01" / "surf", "lh", 0)
    assert (
        main(
            ["register", "--batch", str(tmp_path / "subjects"), "--hemi", "rh", "--out", str(tmp_path / "o")]
        )
        == 2
    )
    assert "no subject folder with surf/rh.sphere and surf/rh.sulc" in capsys.readouterr().err
