"""fsaverage6 as the fixed surface: SUGAR's 904-subject mean sulc, found where the user put it, lh only."""

import numpy as np
import pytest
import torch
from nibabel.freesurfer import write_geometry, write_morph_data

from nodescope.cli.main import main
from nodescope.core.errors import LoadError
from nodescope.core.geometry.fsaverage import icosphere_level, pool
from nodescope.core.registration import atlas, read_subject_dir
from nodescope.core.registration.losses import normalize
from nodescope.core.registration.pipeline import fixed_maps, register_subject, synthetic_subject
from nodescope.core.registration.subjects import fixed_subject
from nodescope.explain.registration import registration_metrics


@pytest.fixture
def sugar(shared_data, monkeypatch):
    """SUGAR's atlas from ../shared/data, named by the environment variable as a user would."""
    monkeypatch.setenv(atlas.ENV, str(shared_data / "sugar-atlas"))
    atlas.sugar_sulc.cache_clear()
    yield shared_data / "sugar-atlas"
    atlas.sugar_sulc.cache_clear()


@pytest.fixture
def no_sugar(tmp_path, monkeypatch):
    monkeypatch.setattr(atlas, "sugar_dirs", lambda: [tmp_path / "empty"])
    atlas.sugar_sulc.cache_clear()
    fixed_maps.cache_clear()
    yield
    atlas.sugar_sulc.cache_clear()


def test_the_atlas_is_read_from_the_named_folder_and_pooled_onto_the_grid(sugar):
    assert atlas.sugar_dirs()[0] == sugar
    mean, std = atlas.sugar_sulc()
    assert mean.shape == std.shape == (40962,) and (std > 0).all()
    vertices, sulc = atlas.fixed_sulc("fsaverage6")
    assert vertices.shape == (40962, 3) and sulc is mean
    grid = fixed_maps("fsaverage6")[5].values.double().numpy()
    pooled = pool(torch.from_numpy(mean), 6)  # each fsaverage5 vertex: the mean of its fsaverage6 1-ring
    np.testing.assert_allclose(grid, normalize(pooled).double().numpy(), atol=1e-6)
    fixed = fixed_subject("fsaverage6")
    assert (
        fixed.sphere.shape == (40962, 3)
        and list(fixed.surfaces) == ["sphere"]
        and fixed.key == "fixed:fsaverage6"
    )
    np.testing.assert_array_equal(fixed.faces, icosphere_level(6).faces.numpy())


def test_without_the_files_fsaverage6_is_refused_in_one_line(no_sugar):
    with pytest.raises(LoadError, match="fsaverage6 needs SUGAR's 904-subject sulc atlas") as err:
        atlas.fixed_sulc("fsaverage6")
    assert "Apache-2.0" in str(err.value) and atlas.ENV in str(err.value) and "\n" not in str(err.value)
    with pytest.raises(LoadError, match="needs SUGAR"):
        fixed_subject("fsaverage6")
    atlas.fixed_sulc("fsaverage5")  # fsaverage5 needs nothing of SUGAR's


def test_fsaverage6_has_a_left_hemisphere_only(sugar):
    with pytest.raises(LoadError, match="left hemisphere only"):
        atlas.fixed_sulc("fsaverage6", "rh")
    with pytest.raises(LoadError, match="Unknown fixed surface 'fsaverage7'"):
        atlas.fixed_sulc("fsaverage7")


def test_the_reference_subject_onto_fsaverage6_beats_freesurfer(sugar, shared_data):
    subject = read_subject_dir(shared_data / "sugar-sub-001")
    result = register_subject(subject, fixed="fsaverage6")
    metrics = registration_metrics(
        result.registered, subject.sphere, subject.faces, subject.sulc, fixed="fsaverage6"
    )  # against the 904-subject mean on fsaverage6's vertices
    # FreeSurfer's own lh.sphere.reg scores 0.910 against the 904-subject mean; measured here 0.918
    # (the 0.92 is not met by the default; the gradient cascade alone gives 0.920).
    assert metrics.correlation > 0.910 and metrics.flipped == 0
    assert metrics.areal_distortion <= 0.340 and metrics.edge_distortion <= 0.218


@pytest.fixture
def subjects(tmp_path):
    root = tmp_path / "subjects"
    for hemi, seed in (("lh", 0), ("rh", 1)):
        v, f, s, _ = synthetic_subject(seed, magnitude_deg=3.0, rotation_deg=5.0, level=4, hemi=hemi)
        surf = root / "sub-01" / "surf"
        surf.mkdir(parents=True, exist_ok=True)
        write_geometry(str(surf / f"{hemi}.sphere"), v, f.astype(np.int32))
        write_morph_data(str(surf / f"{hemi}.sulc"), s.astype(np.float32))
    return root


def test_cli_registers_onto_fsaverage6_and_skips_rh_in_a_batch(sugar, subjects, tmp_path, capsys):
    out = tmp_path / "out"
    args = ["register", "--batch", str(subjects), "--fixed", "fsaverage6", "--rigid-only", "--method", "fit"]
    assert main([*args, "--out", str(out)]) == 0
    rows = (out / "registration.csv").read_text().splitlines()
    assert len(rows) == 3 and rows[2].endswith("fsaverage6 (SUGAR's atlas) has a left hemisphere only")
    assert float(rows[1].split(",")[2]) > 0.5  # correlation with the 904-subject mean at fsaverage6
    surf = subjects / "sub-01" / "surf"
    single = ["register", "--moving-sphere", str(surf / "rh.sphere"), "--moving-sulc", str(surf / "rh.sulc")]
    capsys.readouterr()
    assert main([*single, "--fixed", "fsaverage6", "--out", str(tmp_path / "x.reg")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("nodescope: ") and "\n" not in err and "left hemisphere only" in err


def test_cli_without_the_atlas_files_exits_2_with_one_line(no_sugar, subjects, tmp_path, capsys):
    surf = subjects / "sub-01" / "surf"
    single = ["register", "--moving-sphere", str(surf / "lh.sphere"), "--moving-sulc", str(surf / "lh.sulc")]
    assert main([*single, "--fixed", "fsaverage6", "--out", str(tmp_path / "x.reg")]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "fsaverage6 needs SUGAR's 904-subject sulc atlas" in err
    assert not (tmp_path / "x.reg").exists()
