"""Overlays moved onto an atlas through a registered sphere: values interpolated, labels carried whole."""

import nibabel as nib
import numpy as np
import pytest
from nibabel.freesurfer import write_annot, write_morph_data
from scipy.spatial.transform import Rotation

from nodescope.core.errors import LoadError
from nodescope.core.geometry.fsaverage import fsaverage5_map, icosphere_level
from nodescope.core.registration.overlay import (
    Overlay,
    atlas_sphere,
    read_overlay,
    resample_overlay,
    write_overlay,
)

N5, N6 = 10242, 40962


@pytest.fixture(scope="module")
def atlas():
    ico = icosphere_level(5)
    return 100 * ico.vertices.double().numpy(), ico.faces.numpy()


def _parcellation(sphere: np.ndarray) -> np.ndarray:
    """Six labels by the largest coordinate's axis and sign, -1 on a cap (no label)."""
    unit = sphere / np.linalg.norm(sphere, axis=1, keepdims=True)
    axis = np.abs(unit).argmax(axis=1)
    labels = 2 * axis + (unit[np.arange(len(unit)), axis] < 0)
    return np.where(unit[:, 2] > 0.95, -1, labels)


def test_the_atlas_own_sulc_through_an_identity_registration_comes_back(atlas):
    sphere, faces = atlas
    sulc = Overlay("sulc", fsaverage5_map("sulc", "left"))
    same = resample_overlay(sulc, sphere, faces, atlas_sphere("fsaverage5"))
    np.testing.assert_allclose(same.values, sulc.values, atol=1e-9)
    # fsaverage6's new vertices halve fsaverage5's sides: they get the mean of the side's two ends.
    finer = resample_overlay(sulc, sphere, faces, atlas_sphere("fsaverage6"))
    parents = icosphere_level(6).parents.numpy()
    np.testing.assert_allclose(finer.values[:N5], sulc.values, atol=1e-9)
    np.testing.assert_allclose(finer.values[N5:], sulc.values[parents].mean(axis=1), atol=1e-6)


def test_a_parcellation_stays_integer_with_the_same_label_set(atlas):
    sphere, faces = atlas
    labels = Overlay("parc", _parcellation(sphere), True, tuple(f"region{i}" for i in range(6)))
    turned = sphere @ Rotation.from_rotvec([0.1, -0.2, 0.05]).as_matrix().T  # a registration that moves
    for target in ("fsaverage5", "fsaverage6"):
        moved = resample_overlay(labels, turned, faces, atlas_sphere(target))
        assert moved.values.dtype == np.int64 and moved.label_names == labels.label_names
        assert set(np.unique(moved.values)) == set(np.unique(labels.values))  # nothing averaged or invented
    same = resample_overlay(labels, sphere, faces, atlas_sphere("fsaverage6"))
    np.testing.assert_array_equal(same.values[:N5], labels.values)


@pytest.mark.parametrize("name", ["out.func.gii", "out.shape.gii", "out.mgh", "out.mgz", "lh.thickness"])
def test_continuous_overlays_round_trip(tmp_path, name):
    values = fsaverage5_map("thick", "left")
    path = write_overlay(tmp_path / name, Overlay("thick", values))
    back = read_overlay(path, N5)
    assert not back.is_labels
    np.testing.assert_allclose(back.values, values, rtol=1e-6)


@pytest.mark.parametrize("name", ["out.annot", "out.label.gii"])
def test_labels_round_trip_with_names_and_no_label(tmp_path, atlas, name):
    labels = _parcellation(atlas[0])
    assert (labels == -1).any()
    overlay = Overlay("parc", labels, True, tuple(f"region{i}" for i in range(6)))
    back = read_overlay(write_overlay(tmp_path / name, overlay), N5)
    assert back.is_labels and back.label_names[:6] == overlay.label_names
    np.testing.assert_array_equal(back.values, labels)


def test_a_freesurfer_label_and_annot_are_read_as_labels(tmp_path, atlas):
    listed = np.array([3, 7, 11])
    lines = ["#!ascii label  , from subject", str(len(listed))]
    lines += [
        f"{v} {x:.3f} {y:.3f} {z:.3f} 0.0" for v, (x, y, z) in zip(listed, atlas[0][listed], strict=True)
    ]
    (tmp_path / "lh.V1.label").write_text("\n".join(lines) + "\n")
    mask = read_overlay(tmp_path / "lh.V1.label", N5)
    assert mask.is_labels and mask.label_names == ("outside", "lh.V1") and mask.values.sum() == 3
    ctab = np.array([[255, 0, 0, 0], [0, 255, 0, 0]])
    write_annot(str(tmp_path / "lh.two.annot"), np.arange(N5) % 2, ctab, ["a", "b"], fill_ctab=True)
    annot = read_overlay(tmp_path / "lh.two.annot", N5)
    assert annot.label_names == ("a", "b") and annot.colors[0].tolist() == [255, 0, 0, 255]


def test_bad_overlays_are_one_line_errors(tmp_path):
    write_morph_data(str(tmp_path / "lh.short"), np.zeros(100, np.float32))
    with pytest.raises(LoadError, match="has 100 values but the sphere has 10,242 vertices"):
        read_overlay(tmp_path / "lh.short", N5)
    (tmp_path / "lh.far.label").write_text("#!ascii\n1\n99999 0 0 0 0\n")
    with pytest.raises(LoadError, match="lists vertex 99999"):
        read_overlay(tmp_path / "lh.far.label", N5)
    nib.save(
        nib.gifti.GiftiImage(darrays=[nib.gifti.GiftiDataArray(np.zeros(N5, np.float32))]),
        tmp_path / "x.label.gii",
    )
    with pytest.raises(LoadError, match="holds no label array"):
        read_overlay(tmp_path / "x.label.gii", N5)
    with pytest.raises(LoadError, match="holds labels but"):
        write_overlay(tmp_path / "x.annot", Overlay("thick", np.zeros(N5)))
    with pytest.raises(LoadError, match="Unknown atlas"):
        atlas_sphere("fsaverage7")
