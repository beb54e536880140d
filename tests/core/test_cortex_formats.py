"""The formats FreeSurfer and nilearn users have: .gii.gz, .mgh/.mgz overlays and .label files."""

from pathlib import Path

import nibabel as nib
import nilearn
import numpy as np
import pytest
from nibabel.freesurfer import write_geometry

from nodescope.cli.main import main
from nodescope.core.errors import LoadError
from nodescope.core.geometry.fsaverage import icosphere_level
from nodescope.core.loaders import load
from nodescope.core.registration import read_subject

NILEARN_FSAVERAGE5 = Path(nilearn.__file__).parent / "datasets" / "data" / "fsaverage5"


@pytest.fixture
def sphere(tmp_path) -> Path:
    """A FreeSurfer sphere of 162 vertices (icosphere level 2), radius 100."""
    ico = icosphere_level(2)
    path = tmp_path / "lh.sphere"
    write_geometry(str(path), 100 * ico.vertices.numpy(), ico.faces.numpy().astype(np.int32))
    return path


def _mgh(path: Path, values: np.ndarray) -> Path:
    data = values.reshape(len(values), 1, 1, -1).astype(np.float32)
    data = data[..., 0] if data.shape[3] == 1 else data  # one frame: (V, 1, 1), as FreeSurfer writes it
    nib.save(nib.freesurfer.MGHImage(data, np.eye(4)), str(path))
    return path


def _label(path: Path, vertices: list[int]) -> Path:
    rows = "".join(f"{v}  0.0  0.0  0.0 0.0\n" for v in vertices)
    path.write_text(f"#!ascii label  , from subject  vox2ras=TkReg\n{len(vertices)}\n{rows}")
    return path


def test_nilearns_gzipped_fsaverage_sphere_loads_and_cli_info_reads_it(capsys):
    path = NILEARN_FSAVERAGE5 / "sphere_left.gii.gz"
    sample = load(path, companions=[NILEARN_FSAVERAGE5 / "sulc_left.gii.gz"])
    assert sample.kind == "cortex" and sample.num_nodes == 10242
    assert "sphere" in sample.surfaces and sample.feature_names == ["sulc_left"]
    assert main(["info", str(path)]) == 0
    assert "10,242" in capsys.readouterr().out


def test_registration_reads_gzipped_gifti_inputs():
    subject = read_subject(NILEARN_FSAVERAGE5 / "sphere_left.gii.gz", NILEARN_FSAVERAGE5 / "sulc_left.gii.gz")
    assert subject.sphere.shape == (10242, 3) and subject.sulc.shape == (10242,)


@pytest.mark.parametrize("suffix", [".mgh", ".mgz"])
def test_mgh_overlay_becomes_a_feature_per_frame(sphere, suffix):
    values = np.random.default_rng(0).normal(size=(162, 2))
    one = _mgh(sphere.parent / f"lh.thickness{suffix}", values[:, 0])
    two = _mgh(sphere.parent / f"lh.area{suffix}", values)
    sample = load(sphere, companions=[one, two])
    assert sample.feature_names == ["thickness", "area_0", "area_1"]
    np.testing.assert_allclose(sample.data.x.numpy(), values[:, [0, 0, 1]], atol=1e-6)


def test_mgh_overlay_of_another_mesh_is_refused_in_one_line(sphere):
    wrong = _mgh(sphere.parent / "lh.thickness.mgz", np.zeros(10242))
    with pytest.raises(
        LoadError, match=r"^lh\.thickness\.mgz has 10,242 values but the surface has 162 vertices\.$"
    ):
        load(sphere, companions=[wrong])


def test_mgh_volume_is_refused(sphere):
    path = sphere.parent / "brain.mgz"
    nib.save(nib.freesurfer.MGHImage(np.zeros((4, 4, 4), np.float32), np.eye(4)), str(path))
    with pytest.raises(LoadError, match="is a volume"):
        load(sphere, companions=[path])


def test_label_file_becomes_a_mask_feature(sphere):
    path = _label(sphere.parent / "lh.cortex.label", [0, 5, 161])
    sample = load(sphere, companions=[path])
    assert sample.feature_names == ["cortex"]
    mask = sample.data.x[:, 0].numpy()
    assert mask.sum() == 3 and mask[[0, 5, 161]].tolist() == [1, 1, 1]


def test_label_of_a_bigger_mesh_is_refused_in_one_line(sphere):
    path = _label(sphere.parent / "lh.V1.label", [3, 40000])
    with pytest.raises(LoadError) as err:
        load(sphere, companions=[path])
    assert "lists vertex 40000 but the surface has 162 vertices" in str(err.value)
    assert "\n" not in str(err.value)
