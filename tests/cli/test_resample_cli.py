"""``nodescope resample``: an overlay onto fsaverage5/6 through a registered sphere; bad input exits 2."""

import json

import nibabel as nib
import numpy as np
import pytest
from nibabel.freesurfer import read_annot, write_annot, write_morph_data

from nodescope.cli.main import main
from nodescope.core.geometry.fsaverage import fsaverage5_map, icosphere_level
from nodescope.core.registration.io import write_sphere


@pytest.fixture
def identity(tmp_path):
    """fsaverage5's own sphere as a subject's registered sphere, with its sulc and a parcellation."""
    ico = icosphere_level(5)
    sphere = 100 * ico.vertices.double().numpy()
    write_sphere(tmp_path / "lh.sphere.reg", sphere, ico.faces.numpy())
    write_morph_data(str(tmp_path / "lh.sulc"), fsaverage5_map("sulc", "left").astype(np.float32))
    labels = (np.arange(len(sphere)) * 7) % 5
    ctab = np.array([[200, 10 * k, 0, 0] for k in range(5)])
    write_annot(str(tmp_path / "lh.parc.annot"), labels, ctab, [f"r{k}" for k in range(5)], fill_ctab=True)
    return tmp_path


def _run(identity, overlay, out, *extra):
    args = ["resample", str(identity / overlay), "--sphere-reg", str(identity / "lh.sphere.reg")]
    return main([*args, *extra, "--out", str(out)])


def test_the_atlas_sulc_through_an_identity_registration_returns_it(identity, tmp_path, capsys):
    out = tmp_path / "sulc.fsaverage5.func.gii"
    assert _run(identity, "lh.sulc", out, "--to", "fsaverage5") == 0
    record = json.loads(capsys.readouterr().out)
    assert record["vertices"] == 10242 and record["labels"] is False and record["to"] == "fsaverage5"
    values = nib.load(out).darrays[0].data
    np.testing.assert_allclose(values, fsaverage5_map("sulc", "left"), rtol=1e-6, atol=1e-6)


def test_a_parcellation_moves_onto_fsaverage6_as_integers_with_its_label_set(identity, tmp_path, capsys):
    out = tmp_path / "parc.fsaverage6.annot"
    assert _run(identity, "lh.parc.annot", out, "--to", "fsaverage6") == 0
    record = json.loads(capsys.readouterr().out)
    assert record["vertices"] == 40962 and record["labels"] is True and record["label_count"] == 5
    labels, _, names = read_annot(str(out))
    original, _, _ = read_annot(str(identity / "lh.parc.annot"))
    assert labels.dtype.kind == "i" and [n.decode() for n in names] == [f"r{k}" for k in range(5)]
    assert set(np.unique(labels)) == set(np.unique(original))
    np.testing.assert_array_equal(labels[:10242], original)  # fsaverage5's vertices come first


def test_an_overlay_of_another_mesh_exits_2_with_one_line(identity, tmp_path, capsys):
    write_morph_data(str(identity / "lh.thickness"), np.zeros(2562, np.float32))
    assert _run(identity, "lh.thickness", tmp_path / "x.mgh") == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("nodescope: ") and "\n" not in err
    assert "lh.thickness has 2,562 values but the sphere has 10,242 vertices" in err
    assert not (tmp_path / "x.mgh").exists()


@pytest.mark.parametrize(
    ("overlay", "sphere", "out", "message"),
    [
        ("lh.sulc", "no.sphere.reg", "x.mgh", "No such file"),
        ("lh.nothing", "lh.sphere.reg", "x.mgh", "No such file"),
        ("lh.sulc", "lh.sulc", "x.mgh", "neither a FreeSurfer triangle surface"),
        ("lh.sulc", "lh.sphere.reg", "x.label.gii", "holds labels but lh.sulc is a continuous map"),
    ],
)
def test_bad_input_exits_2_with_one_line(identity, tmp_path, capsys, overlay, sphere, out, message):
    args = ["resample", str(identity / overlay), "--sphere-reg", str(identity / sphere)]
    assert main([*args, "--out", str(tmp_path / out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("nodescope: ") and "\n" not in err and message in err
