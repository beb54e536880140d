"""The Cortical registration page: a synthetic subject registered end to end, and uploads."""

import nibabel as nib
import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from nodescope.app import registration_data as rd
from nodescope.core.errors import LoadError
from nodescope.core.geometry.fsaverage import fsaverage5_map, icosphere_level
from tests.app.pages import open_app, open_page

PAGE = "views/registration.py"


def _page(monkeypatch) -> AppTest:
    return open_page(monkeypatch, "karate", PAGE)  # karate: the fastest sample for the sidebar


def _charts(at: AppTest) -> int:
    return len(at.get("bidi_component"))


def test_home_links_the_page(monkeypatch):
    at = open_app(monkeypatch, "karate")
    assert "Cortical registration" in " ".join(str(el.proto.label) for el in at.get("page_link"))


def test_before_a_run_the_moving_and_fixed_views_and_the_map_show(monkeypatch):
    at = _page(monkeypatch)
    assert at.radio(key="reg_source").value.startswith("Synthetic")
    assert _charts(at) == 3  # moving, fixed, map; the registered view waits for a run
    assert any("Register" in i.value for i in at.info)
    assert at.selectbox(key="reg_colour").options == ["sulc", "curv"]
    assert at.selectbox(key="reg_surface_fixed").options == ["sphere", "inflated", "pial", "white"]


def test_upload_mode_asks_for_files_and_draws_nothing_yet(monkeypatch):
    at = _page(monkeypatch)
    at.radio(key="reg_source").set_value("Upload FreeSurfer / GIfTI files").run()
    assert not at.exception, at.exception
    assert any("Upload a native sphere" in i.value for i in at.info)
    assert _charts(at) == 0  # no subject yet: no views, no Register button
    assert not [b for b in at.button if b.key == "reg_run"]


def test_register_then_follow_a_vertex_and_download(monkeypatch):
    at = _page(monkeypatch)
    at.button(key="reg_run").click().run()
    assert not at.exception, at.exception
    assert _charts(at) == 4

    metrics = at.dataframe[0].value
    assert list(metrics.index) == ["native (before)", "rigid", "registered"]
    assert metrics.loc["registered", "sulc correlation"] > metrics.loc["native (before)", "sulc correlation"]
    # the synthetic subject's known warp: the registration brings vertices much closer to it
    error = metrics["geodesic error (mm)"]
    assert error["registered"] < 0.5 * error["native (before)"]
    assert metrics.loc["registered", "flipped triangles"] == 0
    assert len(at.get("download_button")) == 4

    assert "areal distortion" in at.selectbox(key="reg_colour").options
    at.selectbox(key="reg_colour").select("folds").run()
    at.selectbox(key="reg_surface_registered").select("inflated").run()
    assert not at.exception, at.exception

    at.session_state[rd.FOCUS] = 123
    at.run()
    assert not at.exception, at.exception
    assert any(m.value == "#### Moving vertex 123" for m in at.markdown)


def _sphere_bytes(fmt: str) -> bytes:
    ico = icosphere_level(5)
    return rd.sphere_bytes(100 * ico.vertices.double().numpy(), ico.faces.numpy(), fmt)


def test_uploaded_gifti_and_freesurfer_spheres_read_back(tmp_path):
    sulc = fsaverage5_map("sulc")
    img = nib.gifti.GiftiImage(darrays=[nib.gifti.GiftiDataArray(sulc.astype(np.float32))])
    nib.save(img, str(tmp_path / "lh.sulc.shape.gii"))
    sulc_item = ("lh.sulc.shape.gii", (tmp_path / "lh.sulc.shape.gii").read_bytes())
    for fmt, name in (("gifti", "lh.sphere.surf.gii"), ("freesurfer", "lh.sphere")):
        hemi = rd.read_uploaded((name, _sphere_bytes(fmt)), sulc_item)
        assert hemi.sphere.shape == (10242, 3) and list(hemi.surfaces) == ["sphere"]
        np.testing.assert_allclose(hemi.maps["sulc"], sulc, atol=1e-5)
        assert hemi.key.startswith("upload:")


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
        rd.read_uploaded(sphere, sulc)
    assert str(err.value).startswith(message) and "\n" not in str(err.value)


def test_progress_covers_the_run_in_order():
    stages = [
        ("read", 0.0),
        ("rigid", 0.0),
        ("nonrigid", 0.0),
        ("nonrigid", 0.67),
        ("refine", 0.0),
        ("done", 1.0),
    ]
    values = [rd.overall_progress(s, f)[0] for s, f in stages]
    assert values == sorted(values) and values[0] == 0.0 and values[-1] == 1.0


def test_maps_resampled_through_an_identity_registration_are_the_maps_and_npy_reads_back(tmp_path):
    fixed = rd.fixed_hemisphere()
    moving = rd.Hemisphere("test:identity", "fsaverage5", fixed.sphere, fixed.faces, dict(fixed.maps))
    frame = rd.resampled_maps("test:identity|run", moving, fixed, fixed.sphere)
    assert list(frame.columns) == ["vertex", "sulc", "curv", "areal distortion"]
    np.testing.assert_allclose(frame["sulc"], fixed.maps["sulc"], atol=1e-9)  # shared vertices: exact
    np.testing.assert_allclose(frame["areal distortion"], 0, atol=1e-9)
    (tmp_path / "maps.npy").write_bytes(rd.npy_bytes(frame))
    back = np.load(tmp_path / "maps.npy", allow_pickle=False)
    assert back.shape == (10242, 4) and back.dtype == np.float64
    np.testing.assert_array_equal(back[:, 1], frame["sulc"].to_numpy())
