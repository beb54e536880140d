"""Registration metrics: sulc correlation, flips, distortion (per triangle and per vertex), geodesic distance, Dice; the README's table."""

import numpy as np
import pytest
from nibabel.freesurfer import read_annot, read_geometry, read_morph_data
from scipy.spatial import cKDTree
from scipy.spatial.transform import Rotation

from nodescope.core.geometry.fsaverage import fsaverage5_map, icosphere_level
from nodescope.explain.registration import (
    RegistrationMetrics,
    angular_distance_deg,
    dice_scores,
    flipped_triangles,
    log2_area_ratio,
    log2_edge_ratio,
    per_vertex_mean,
    registration_metrics,
    vertex_areal_distortion,
    vertex_folds,
)


@pytest.fixture(scope="module")
def subject(shared_data):
    root = shared_data / "sugar-sub-001"
    native, faces = read_geometry(str(root / "surf" / "lh.sphere"))
    freesurfer, _ = read_geometry(str(root / "surf" / "lh.sphere.reg"))
    return {
        "native": native,
        "freesurfer": freesurfer,
        "faces": faces,
        "sulc": read_morph_data(str(root / "surf" / "lh.sulc")),
        "labels": read_annot(str(root / "label" / "lh.aparc.annot"))[0],
    }


def ico3() -> tuple[np.ndarray, np.ndarray]:
    ico = icosphere_level(3)
    return 100 * ico.vertices.double().numpy(), ico.faces.numpy()


def ico2() -> tuple[np.ndarray, np.ndarray]:
    ico = icosphere_level(2)  # 162 vertices
    return 100 * ico.vertices.double().numpy(), ico.faces.numpy()


def test_native_sphere_as_registration_reproduces_the_readme_row(subject):
    m = registration_metrics(subject["native"], subject["native"], subject["faces"], subject["sulc"])
    # README: 0.466 with nearest-vertex resampling; barycentric interpolation gives 0.4670.
    assert m.correlation == pytest.approx(0.4670, abs=5e-4)
    assert (m.flipped, m.areal_distortion, m.edge_distortion) == (0, 0.0, 0.0)
    assert m.geodesic_mm is None and m.dice is None


def test_freesurfer_registration_reproduces_the_readme_row(subject):
    m = registration_metrics(
        subject["freesurfer"],
        subject["native"],
        subject["faces"],
        subject["sulc"],
        reference=subject["native"],
        labels=subject["labels"],
    )
    # README: 0.884 with nearest-vertex resampling; barycentric interpolation gives 0.8849.
    assert m.correlation == pytest.approx(0.8849, abs=5e-4)
    assert m.flipped == 0
    assert round(m.areal_distortion, 3) == 0.340
    assert round(m.edge_distortion, 3) == 0.218
    # FreeSurfer moves vertices by several degrees on average, so its parcels land elsewhere.
    assert 5 < m.geodesic_deg < 10 and m.geodesic_mm == pytest.approx(np.radians(m.geodesic_deg) * 100)
    assert 0.3 < m.dice < 0.9


def test_readme_correlations_are_the_nearest_vertex_ones(subject):
    fixed = icosphere_level(5).vertices.double().numpy()
    fixed_sulc = fsaverage5_map("sulc", "left")
    for sphere, expected in (("native", 0.466), ("freesurfer", 0.884)):
        unit = subject[sphere] / np.linalg.norm(subject[sphere], axis=1, keepdims=True)
        nearest = subject["sulc"][cKDTree(unit).query(fixed)[1]]
        assert round(float(np.corrcoef(nearest, fixed_sulc)[0, 1]), 3) == expected


def test_a_registration_against_itself_has_dice_one_and_no_distance(subject):
    m = registration_metrics(
        subject["freesurfer"],
        subject["native"],
        subject["faces"],
        subject["sulc"],
        reference=subject["freesurfer"],
        labels=subject["labels"],
    )
    assert m.dice == 1.0 and m.geodesic_deg == 0.0 and m.geodesic_mm == 0.0


def test_fsaverage5_registered_to_itself_correlates_perfectly():
    ico = icosphere_level(5)
    sulc = fsaverage5_map("sulc", "left")
    m = registration_metrics(100 * ico.vertices, ico.vertices, ico.faces, sulc)
    assert m.correlation == pytest.approx(1.0, abs=1e-9)
    assert m == RegistrationMetrics(m.correlation, 0, m.areal_distortion, m.edge_distortion)
    assert m.areal_distortion < 1e-6 and m.edge_distortion < 1e-6  # a uniform scale is no distortion


def test_a_rotation_moves_vertices_without_distortion_or_flips():
    native, faces = ico3()
    rot = Rotation.from_euler("z", 30, degrees=True)
    rotated = rot.apply(native)
    assert not flipped_triangles(rotated, native, faces).any()
    assert np.abs(log2_area_ratio(rotated, native, faces)).max() < 1e-9
    assert np.abs(log2_edge_ratio(rotated, native, faces)).max() < 1e-9
    # A vertex at latitude phi moves by the great-circle angle of 30 degrees of longitude there.
    angle = angular_distance_deg(native, rotated)
    lat = np.arcsin(native[:, 2] / 100)
    expected = np.degrees(np.arccos(np.sin(lat) ** 2 + np.cos(lat) ** 2 * np.cos(np.radians(30))))
    assert np.allclose(angle, expected, atol=1e-6)
    assert angle[0] == pytest.approx(0.0, abs=1e-6) and angle.max() == pytest.approx(30.0, abs=0.5)


def test_a_mirror_flips_every_triangle_and_a_pulled_vertex_flips_its_fan():
    native, faces = ico3()
    assert flipped_triangles(native * [-1, 1, 1], native, faces).all()
    pulled = native.copy()
    # Drag vertex 0 across one of its neighbors (to its mirror image through that neighbor).
    neighbor = faces[(faces == 0).any(1)][0]
    neighbor = neighbor[neighbor != 0][0]
    pulled[0] = 2 * native[neighbor] - native[0]
    flips = flipped_triangles(pulled, native, faces)
    fan = (faces == 0).any(1)
    assert 1 <= flips.sum() < fan.sum() and not flips[~fan].any()


def test_stretching_one_triangle_shows_in_its_area_and_edges():
    native, faces = ico3()
    moved = native.copy()
    moved[0] = moved[0] + 3.0 * (moved[faces[0, 0]] - moved[faces[0, 1]])  # push vertex 0 away
    ratio = log2_area_ratio(moved, native, faces)
    touched = (faces == 0).any(1)
    assert np.abs(ratio[~touched]).max() < 1e-9 and np.abs(ratio[touched]).min() > 0.01
    assert log2_edge_ratio(moved, native, faces).shape == (3 * len(faces) // 2,)


def test_dice_scores_by_label():
    a = np.array([0, 0, 1, 1, 2, -1])
    b = np.array([0, 1, 1, 1, -1, 2])
    # label 0: |A|=2, |B|=1, both=1 -> 2/3; label 1: |A|=2, |B|=3, both=2 -> 4/5; label 2: 1 and 1, none.
    assert dice_scores(a, b) == pytest.approx({0: 2 / 3, 1: 0.8, 2: 0.0})
    assert dice_scores(a, a) == {0: 1.0, 1: 1.0, 2: 1.0}


def test_per_vertex_mean_averages_the_incident_triangles():
    faces = np.array([[0, 1, 2], [0, 2, 3]])
    np.testing.assert_allclose(per_vertex_mean(np.array([1.0, 3.0]), faces, 5), [2.0, 1.0, 2.0, 3.0, 0.0])


def test_vertex_distortion_and_folds_are_zero_for_a_rotation_and_a_rescale():
    v, f = ico2()
    for registered in (Rotation.from_euler("z", 30, degrees=True).apply(v), 0.01 * v):
        np.testing.assert_allclose(vertex_areal_distortion(registered, v, f), 0, atol=1e-9)
        np.testing.assert_array_equal(vertex_folds(registered, v, f), 0)


def test_moving_one_vertex_distorts_only_its_neighborhood():
    v, f = ico2()
    moved = v.copy()
    moved[20] = v[20] + 0.3 * (v[f[f[:, 0] == 20][0, 1]] - v[20])  # towards a neighbor
    moved[20] *= 100 / np.linalg.norm(moved[20])
    d = vertex_areal_distortion(moved, v, f)
    touched = np.unique(f[(f == 20).any(axis=1)])  # the vertex and its 1-ring
    assert (d[touched] > 0.01).all()
    assert np.allclose(np.delete(d, touched), 0, atol=1e-9)
    assert d[20] == d.max()  # all its triangles changed; its neighbors' only in part


def test_a_mirror_flips_every_triangle_of_every_vertex():
    v, f = ico2()
    folds = vertex_folds(v * np.array([-1.0, 1.0, 1.0]), v, f)
    np.testing.assert_array_equal(folds, np.bincount(f.ravel(), minlength=len(v)))  # incident triangles
    assert vertex_folds(v, v, f).sum() == 0
