"""Reading a subject to register and writing registered spheres: round trips and one-line errors."""

import shutil

import nibabel as nib
import numpy as np
import pytest
from nibabel.freesurfer import read_geometry, write_annot, write_geometry, write_morph_data

from nodescope.core.errors import LoadError
from nodescope.core.geometry.fsaverage import icosphere_level
from nodescope.core.registration import Subject, read_sphere, read_subject, read_subject_dir, write_sphere
from nodescope.core.registration.io import read_morph


@pytest.fixture
def subject_dir(tmp_path):
    """A small FreeSurfer-layout subject on ico3 (642 vertices), every optional file present."""
    ico = icosphere_level(3)
    v, f = 100 * ico.vertices.double().numpy(), ico.faces.numpy().astype(np.int32)
    n = len(v)
    root = tmp_path / "sub-01"
    (root / "surf").mkdir(parents=True)
    (root / "label").mkdir()
    write_geometry(str(root / "surf" / "lh.sphere"), v, f)
    write_geometry(str(root / "surf" / "lh.smoothwm"), 0.5 * v + [0, 0, 10], f)
    write_morph_data(str(root / "surf" / "lh.sulc"), np.linspace(-1, 1, n).astype(np.float32))
    write_morph_data(str(root / "surf" / "lh.curv"), np.cos(np.arange(n)).astype(np.float32))
    ctab = np.array([[25, 5, 25, 0, 0], [25, 100, 40, 0, 0]], dtype=np.int32)
    write_annot(str(root / "label" / "lh.aparc.annot"), np.arange(n) % 2, ctab, [b"unknown", b"bankssts"])
    return root


def test_read_subject_dir_finds_every_file(subject_dir):
    s = read_subject_dir(subject_dir)
    assert isinstance(s, Subject) and s.name == "sub-01"
    assert s.sphere.shape == (642, 3) and s.faces.shape == (1280, 3) and s.faces.dtype == np.int64
    assert np.allclose(np.linalg.norm(s.sphere, axis=1), 100, atol=1e-4)
    assert s.sulc[0] == -1 and s.sulc[-1] == 1 and s.curv.shape == (642,)
    assert np.allclose(s.smoothwm, 0.5 * s.sphere + [0, 0, 10], atol=1e-4)
    assert s.labels.tolist()[:4] == [0, 1, 0, 1] and s.label_names == ("unknown", "bankssts")


def test_optional_files_may_be_absent(subject_dir):
    for name in ("surf/lh.curv", "surf/lh.smoothwm", "label/lh.aparc.annot"):
        (subject_dir / name).unlink()
    s = read_subject_dir(subject_dir)
    assert s.curv is None and s.smoothwm is None and s.labels is None and s.label_names == ()


@pytest.mark.parametrize("name", ["lh.sphere.reg", "lh.sphere.reg.surf.gii"])
def test_written_sphere_round_trips(tmp_path, subject_dir, name):
    s = read_subject_dir(subject_dir)
    registered = s.sphere @ np.array([[0, -1, 0], [1, 0, 0], [0, 0, 1]])  # a 90 degree turn
    path = write_sphere(tmp_path / "out" / name, registered, s.faces, s.volume_info)
    v, f = read_sphere(path)
    assert np.array_equal(f, s.faces)
    assert np.allclose(v, registered, atol=1e-4)  # stored as float32
    assert np.array_equal(v, registered.astype(np.float32))
    # ...and nibabel reads it back by itself.
    if name.endswith(".gii"):
        assert len(nib.load(path).darrays) == 2
    else:
        assert np.array_equal(read_geometry(str(path))[1], s.faces)


def test_volume_info_is_carried_from_the_native_sphere(tmp_path, shared_data):
    surf = shared_data / "sugar-sub-001" / "surf"
    s = read_subject(surf / "lh.sphere", surf / "lh.sulc")
    assert s.volume_info is not None and s.sphere.shape == (110864, 3)
    path = write_sphere(tmp_path / "lh.sphere.reg", s.sphere, s.faces, s.volume_info)
    assert read_geometry(str(path), read_metadata=True)[2]["filename"] == s.volume_info["filename"]


def test_gifti_inputs_are_read(tmp_path, subject_dir):
    s = read_subject_dir(subject_dir)
    sphere = write_sphere(tmp_path / "sphere.surf.gii", s.sphere, s.faces)
    sulc = tmp_path / "sulc.shape.gii"
    nib.save(nib.gifti.GiftiImage(darrays=[nib.gifti.GiftiDataArray(s.sulc.astype(np.float32))]), str(sulc))
    g = read_subject(sphere, sulc)
    assert g.name == "sphere.surf.gii" and g.volume_info is None
    assert np.allclose(g.sulc, s.sulc) and np.array_equal(g.faces, s.faces)


def one_line(err: LoadError) -> str:
    text = str(err)
    assert "\n" not in text
    return text


def test_missing_files_say_what_is_missing(tmp_path, subject_dir):
    with pytest.raises(LoadError, match="No such subject folder") as e:
        read_subject_dir(tmp_path / "nobody")
    one_line(e.value)
    (subject_dir / "surf" / "lh.sulc").unlink()
    with pytest.raises(LoadError, match=r"has no surf/lh\.sulc"):
        read_subject_dir(subject_dir)
    with pytest.raises(LoadError, match="No such file"):
        read_subject(subject_dir / "surf" / "lh.sphere", tmp_path / "lh.sulc")


def test_corrupt_and_mismatched_files_are_one_line_errors(tmp_path, subject_dir):
    surf = subject_dir / "surf"
    sphere, sulc = surf / "lh.sphere", surf / "lh.sulc"
    bad = tmp_path / "lh.sulc"
    bad.write_bytes(sulc.read_bytes()[:200])
    with pytest.raises(LoadError, match="truncated") as e:
        read_subject(sphere, bad)
    one_line(e.value)
    bad_sphere = tmp_path / "lh.sphere"
    bad_sphere.write_bytes(sphere.read_bytes()[:1000])
    with pytest.raises(LoadError, match="corrupt or truncated"):
        read_sphere(bad_sphere)
    with pytest.raises(LoadError, match="neither a FreeSurfer triangle surface"):
        read_sphere(sulc)
    with pytest.raises(LoadError, match="neither a FreeSurfer morph"):
        read_morph(sphere, 642)
    write_morph_data(str(bad), np.zeros(100, np.float32))
    with pytest.raises(LoadError, match="has 100 values but the sphere has 642"):
        read_subject(sphere, bad)
    # A surface that is not a sphere (the smoothed white surface given by mistake).
    shutil.copy(surf / "lh.smoothwm", tmp_path / "lh.white")
    with pytest.raises(LoadError, match="not a sphere"):
        read_subject(tmp_path / "lh.white", sulc)
    gii = tmp_path / "broken.surf.gii"
    gii.write_text("<GIFTI>")
    with pytest.raises(LoadError, match="not a readable GIfTI"):
        read_sphere(gii)


def test_read_morph_reads_an_mgz_overlay_and_refuses_several_frames(tmp_path):
    values = np.linspace(-2, 2, 642).astype(np.float32)
    path = tmp_path / "lh.sulc.mgz"
    nib.save(nib.freesurfer.MGHImage(values.reshape(-1, 1, 1), np.eye(4)), str(path))
    assert np.allclose(read_morph(path, 642), values)
    frames = tmp_path / "lh.thickness.mgh"
    nib.save(nib.freesurfer.MGHImage(np.zeros((642, 1, 1, 2), np.float32), np.eye(4)), str(frames))
    with pytest.raises(LoadError, match="holds 2 frames"):
        read_morph(frames, 642)
