"""The registration pipeline: rigid recovery, synthetic warps, folds, written files and the CLI."""

import json

import nibabel as nib
import numpy as np
import pytest
import torch
from nibabel.freesurfer import read_geometry, write_geometry, write_morph_data
from scipy.spatial.transform import Rotation

from nodescope.cli.main import main
from nodescope.core.geometry.fsaverage import fsaverage5_map, icosphere_level
from nodescope.core.geometry.triangles import signed_volumes
from nodescope.core.registration import read_sphere, read_subject_dir, write_sphere
from nodescope.core.registration.pipeline import register, synthetic_subject
from nodescope.core.registration.warp import euler_matrices, rotate, unfold
from nodescope.explain.registration import angular_distance_deg, flipped_triangles


@pytest.fixture(scope="module")
def warped():
    """A synthetic subject (8 degree warp, 15 degree rotation) and its registration by gradient fit."""
    vertices, faces, sulc, truth = synthetic_subject(3, magnitude_deg=8.0, rotation_deg=15.0)
    return vertices, faces, sulc, truth, register(vertices, faces, sulc, method="fit")


def test_rigid_recovers_a_rotation_of_fsaverage5_within_one_degree():
    ico = icosphere_level(5)
    true = Rotation.from_rotvec(np.radians(25) * np.array([0.6, -0.64, 0.48])).as_matrix()
    moving = 100 * ico.vertices.double().numpy() @ true.T
    result = register(moving, ico.faces.numpy(), fsaverage5_map("sulc", "left"), rigid_only=True)
    error = np.degrees(Rotation.from_matrix(result.rotation @ true).magnitude())
    assert error < 1.0
    assert result.stages == ("rigid",)
    np.testing.assert_allclose(result.registered, result.rigid)
    assert angular_distance_deg(result.registered, 100 * ico.vertices.double().numpy()).max() < 1.0


def test_synthetic_warp_is_recovered_well_below_its_magnitude(warped):
    vertices, faces, _, truth, result = warped
    before = angular_distance_deg(vertices, truth).mean()
    after = angular_distance_deg(result.registered, truth).mean()
    assert before > 10  # rotation and warp together
    assert after < 0.6 * 8.0
    assert angular_distance_deg(result.rigid, truth).mean() > after  # the non-rigid stage helps
    assert result.stages == ("rigid", "nonrigid")
    assert set(result.timings) >= {"read", "rigid", "nonrigid", "total"}


def test_registration_keeps_the_radius_and_folds_no_triangle(warped):
    vertices, faces, _, _, result = warped
    np.testing.assert_allclose(np.linalg.norm(result.registered, axis=1), 100.0, rtol=1e-6)
    assert not flipped_triangles(result.registered, vertices, faces).any()


def test_refine_adds_a_stage_and_keeps_the_warp_fold_free():
    vertices, faces, sulc, truth = synthetic_subject(5, magnitude_deg=5.0, rotation_deg=5.0, level=4)
    result = register(vertices, faces, sulc, method="fit", refine=5)
    assert result.stages == ("rigid", "nonrigid", "refine")
    assert not flipped_triangles(result.registered, vertices, faces).any()
    assert (
        angular_distance_deg(result.registered, truth).mean() < angular_distance_deg(vertices, truth).mean()
    )


def test_synthetic_subject_is_reproducible_fold_free_and_of_the_asked_magnitude():
    a = synthetic_subject(7, magnitude_deg=6.0, rotation_deg=0.0)
    b = synthetic_subject(7, magnitude_deg=6.0, rotation_deg=0.0)
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)
    vertices, faces, sulc, truth = a
    assert angular_distance_deg(vertices, truth).mean() == pytest.approx(6.0, abs=0.3)
    assert (signed_volumes(vertices, faces) > 0).all()
    assert np.corrcoef(sulc, fsaverage5_map("sulc", "left"))[0, 1] > 0.9


def test_euler_angles_give_rotations_and_rotate_keeps_points_on_the_sphere():
    angles = torch.tensor([[0.3, -0.2, 1.1]], dtype=torch.float64)
    matrix = euler_matrices(angles)[0].numpy()
    np.testing.assert_allclose(matrix @ matrix.T, np.eye(3), atol=1e-12)
    np.testing.assert_allclose(matrix[2, 0], -np.sin(-0.2), atol=1e-12)  # Rz Ry Rx: -sin(b) at (2, 0)
    points = icosphere_level(2).vertices.double()
    moved = rotate(points, torch.full((len(points), 3), 0.1, dtype=torch.float64))
    np.testing.assert_allclose(moved.norm(dim=1).numpy(), 1.0)


def test_unfold_unflips_a_vertex_pushed_across_its_neighbors():
    ico = icosphere_level(3)
    native, faces = ico.vertices.double().numpy(), ico.faces.numpy()
    moved = native.copy()
    vertex = 100
    neighbor = ico.edge_index[1, ico.edge_index[0] == vertex][0]
    moved[vertex] = native[neighbor] + 1.5 * (native[neighbor] - native[vertex])  # past its neighbor
    moved[vertex] /= np.linalg.norm(moved[vertex])
    assert flipped_triangles(moved, native, faces).any()
    fixed, left = unfold(moved, native, faces)
    assert left == 0
    assert not flipped_triangles(fixed, native, faces).any()


def test_written_registered_spheres_round_trip_through_nibabel(warped, tmp_path):
    _, faces, _, _, result = warped
    fs = write_sphere(tmp_path / "lh.sphere.reg", result.registered, faces)
    coords, tris = read_geometry(str(fs))
    np.testing.assert_allclose(coords, result.registered, atol=1e-4)
    np.testing.assert_array_equal(tris, faces)
    gii = write_sphere(tmp_path / "lh.sphere.reg.surf.gii", result.registered, faces)
    img = nib.load(str(gii))
    np.testing.assert_allclose(img.darrays[0].data, result.registered, atol=1e-4)
    np.testing.assert_array_equal(img.darrays[1].data, faces)


@pytest.fixture
def subjects(tmp_path):
    """Two synthetic FreeSurfer subject folders at fsaverage4 resolution."""
    root = tmp_path / "subjects"
    for seed in (0, 1):
        v, f, s, _ = synthetic_subject(seed, magnitude_deg=4.0, rotation_deg=5.0, level=4)
        surf = root / f"sub-{seed:02d}" / "surf"
        surf.mkdir(parents=True)
        write_geometry(str(surf / "lh.sphere"), v, f.astype(np.int32))
        write_morph_data(str(surf / "lh.sulc"), s.astype(np.float32))
    (root / "not-a-subject").mkdir()
    return root


def test_cli_registers_one_subject_and_prints_metrics(subjects, tmp_path, capsys):
    surf = subjects / "sub-00" / "surf"
    out = tmp_path / "lh.sphere.reg.gii"
    code = main(
        ["register", "--moving-sphere", str(surf / "lh.sphere"), "--moving-sulc", str(surf / "lh.sulc")]
        + ["--method", "fit", "--out", str(out)]
    )
    assert code == 0
    record = json.loads(capsys.readouterr().out.strip())
    assert record["flipped"] == 0 and record["correlation"] > 0.8
    assert record["timings"]["seconds"] > 0
    coords, _ = read_sphere(out)
    assert coords.shape == (2562, 3)


def test_cli_batch_writes_every_subject_and_a_csv(subjects, tmp_path, capsys):
    out = tmp_path / "out"
    assert (
        main(["register", "--batch", str(subjects), "--method", "fit", "--rigid-only", "--out", str(out)])
        == 0
    )
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["subjects"] == 2 and summary["failed"] == 0
    rows = (out / "registration.csv").read_text().splitlines()
    # One row per subject and hemisphere: these subjects have no rh, so its rows say it was skipped.
    assert rows[0].startswith("subject,hemi,correlation,flipped") and len(rows) == 5
    assert sum(row.endswith("no surf/rh.sphere and surf/rh.sulc") for row in rows) == 2
    for name in ("sub-00", "sub-01"):
        registered = read_subject_dir(subjects / name).sphere
        assert read_sphere(out / name / "surf" / "lh.sphere.reg")[0].shape == registered.shape


@pytest.mark.parametrize(
    "args",
    [
        ["--moving-sphere", "/no/such/lh.sphere", "--moving-sulc", "/no/such/lh.sulc"],
        ["--moving-sphere", "x"],
        ["--batch", "/no/such/folder"],
        ["--fixed", "fsaverage7", "--batch", "."],
        ["--refine", "-1", "--batch", "."],
    ],
)
def test_cli_bad_input_exits_2_with_one_line(args, tmp_path, capsys):
    assert main(["register", *args, "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("nodescope: ") and "\n" not in err


def test_cli_batch_without_subjects_exits_2(tmp_path, capsys):
    assert main(["register", "--batch", str(tmp_path), "--out", str(tmp_path / "out")]) == 2
    assert "no subject folder" in capsys.readouterr().err


def test_real_subject_matches_freesurfer_without_folds(shared_data):
    from nodescope.explain.registration import registration_metrics

    subject = read_subject_dir(shared_data / "sugar-sub-001")
    result = register(subject.sphere, subject.faces, subject.sulc, method="fit")
    metrics = registration_metrics(result.registered, subject.sphere, subject.faces, subject.sulc)
    # FreeSurfer's own lh.sphere.reg on this subject: r 0.884, 0 flips, areal 0.340, edge 0.218.
    assert metrics.correlation >= 0.88
    assert metrics.flipped == 0
    assert metrics.areal_distortion <= 0.340 and metrics.edge_distortion <= 0.218


def test_progress_covers_the_run_in_order():
    from nodescope.core.registration.pipeline import overall_progress

    stages = [("read", 0.0), ("rigid", 0.0), ("nonrigid", 0.0), ("nonrigid", 0.67), ("refine", 0.0)]
    stages.append(("done", 1.0))
    values = [overall_progress(s, f)[0] for s, f in stages]
    assert values == sorted(values) and values[0] == 0.0 and values[-1] == 1.0
