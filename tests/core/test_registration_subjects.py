"""Subjects to register besides folders: the atlas, synthetic warps, uploads; and their file names."""

import dataclasses

import nibabel as nib
import numpy as np
import pytest

from nodescope.core.errors import LoadError
from nodescope.core.geometry.fsaverage import fsaverage5_map, icosphere_level
from nodescope.core.registration.io import Subject, sphere_bytes
from nodescope.core.registration.subjects import file_stem, fixed_subject, read_uploaded, synthetic


def _sphere_bytes(fmt: str) -> bytes:
    ico = icosphere_level(5)
    return sphere_bytes(100 * ico.vertices.double().numpy(), ico.faces.numpy(), fmt)


def test_the_atlas_has_its_anatomy_and_maps():
    fixed = fixed_subject()
    assert fixed.name == "fsaverage5" and fixed.key == "fixed:fsaverage5"
    assert list(fixed.surfaces) == ["sphere", "inflated", "pial", "white"]
    assert list(fixed.maps) == ["sulc", "curv"]
    assert fixed.sphere.shape == (10242, 3) and fixed.faces.dtype == np.int64
    with pytest.raises(LoadError, match="Unknown fixed surface 'mni'"):
        fixed_subject("mni")


def test_a_synthetic_subject_borrows_the_atlas_anatomy_and_knows_its_truth():
    fixed = fixed_subject()
    s = synthetic(0, 10.0, 20.0, atlas=fixed)
    assert s.key == "synthetic:0:10:20" and s.truth.shape == s.sphere.shape
    assert list(s.surfaces) == ["sphere", "inflated", "pial", "white"] and s.curv is fixed.curv
    assert not np.allclose(s.sphere, fixed.sphere)
    bare = synthetic(0, 10.0, 20.0)
    assert list(bare.surfaces) == ["sphere"] and list(bare.maps) == ["sulc"]
    np.testing.assert_array_equal(bare.sphere, s.sphere)


def test_uploaded_gifti_and_freesurfer_spheres_read_back(tmp_path):
    sulc = fsaverage5_map("sulc")
    img = nib.gifti.GiftiImage(darrays=[nib.gifti.GiftiDataArray(sulc.astype(np.float32))])
    nib.save(img, str(tmp_path / "lh.sulc.shape.gii"))
    sulc_item = ("lh.sulc.shape.gii", (tmp_path / "lh.sulc.shape.gii").read_bytes())
    for fmt, name in (("gifti", "lh.sphere.surf.gii"), ("freesurfer", "lh.sphere")):
        hemi = read_uploaded((name, _sphere_bytes(fmt)), sulc_item)
        assert hemi.sphere.shape == (10242, 3) and list(hemi.surfaces) == ["sphere"]
        np.testing.assert_allclose(hemi.maps["sulc"], sulc, atol=1e-5)
        assert hemi.key.startswith("upload:") and hemi.name == name


def test_an_uploaded_surface_is_shown_under_its_file_name():
    sphere = _sphere_bytes("freesurfer")
    morph = b"\xff\xff\xff" + (10242).to_bytes(4, "big") + (0).to_bytes(4, "big") + (1).to_bytes(4, "big")
    morph += np.linspace(-1, 1, 10242).astype(">f4").tobytes()
    hemi = read_uploaded(("lh.sphere", sphere), ("lh.sulc", morph), surface=("lh.inflated", sphere))
    assert list(hemi.surfaces) == ["sphere", "lh.inflated"]


@pytest.mark.parametrize(
    ("sphere", "sulc", "message"),
    [
        (("lh.sphere", b"not a surface"), ("lh.sulc", b"\xff\xff\xff"), "lh.sphere is neither"),
        (("lh.sphere", None), ("lh.sulc", b"\xff\xff\xff\x00\x00"), "lh.sulc is truncated"),
    ],
)
def test_a_bad_upload_is_one_line_naming_the_file(sphere, sulc, message):
    sphere = (sphere[0], sphere[1] if sphere[1] is not None else _sphere_bytes("freesurfer"))
    with pytest.raises(LoadError) as err:
        read_uploaded(sphere, sulc)
    assert str(err.value).startswith(message) and "\n" not in str(err.value)
    assert "nodescope-registration-" not in str(err.value)


def test_files_are_named_after_the_subject():
    fixed = fixed_subject()
    assert file_stem(dataclasses.replace(fixed, name="lh.sphere")) == "lh"
    assert file_stem(dataclasses.replace(fixed, name="sub-01_lh.sphere.surf.gii")) == "sub-01_lh"
    assert file_stem(synthetic(3, 5.0, 10.0)) == "synthetic_subject_seed_3_warp_5_rotation_10"
    assert file_stem(dataclasses.replace(fixed, name="../../")) == "subject"


def test_a_subject_without_a_key_is_keyed_by_its_content():
    ico = icosphere_level(2)
    v, f = 100 * ico.vertices.double().numpy(), ico.faces.numpy()
    a = Subject("a", v, f, np.zeros(len(v)))
    assert a.key.startswith("subject:") and a.key == Subject("b", v, f, np.zeros(len(v))).key
    assert a.key != Subject("a", v, f, np.ones(len(v))).key
