"""The Cortical registration page's "Both hemispheres" view (issue 18 item 7)."""

import numpy as np
import pytest

from nodescope.app import registration_data as rd
from nodescope.core.registration.io import Subject
from tests.app.pages import open_page

PAGE = "views/registration.py"


def _ids(at) -> list[str]:
    return [e.proto.id.rsplit("-", 1)[-1] for e in at.get("bidi_component")]


def test_both_hemispheres_one_view_one_scale_and_a_pick_on_the_rh_switches_to_it(monkeypatch):
    at = open_page(monkeypatch, "karate", PAGE)
    assert "reg_both_view" not in _ids(at)
    at.toggle(key="reg_both").set_value(True).run()
    assert not at.exception, at.exception
    assert "reg_both_view" in _ids(at)
    assert at.selectbox(key="reg_surface_both").options == ["sphere", "inflated", "pial", "white"]
    lh, rh = rd.synthetic_hemisphere(0, 10.0, 20.0, "lh"), rd.synthetic_hemisphere(0, 10.0, 20.0, "rh")
    m = max(np.abs(lh.maps["sulc"]).max(), np.abs(rh.maps["sulc"]).max())
    assert at.number_input(key="reg_clim_sulc_high").value == pytest.approx(m, abs=1e-3)
    assert at.number_input(key="reg_clim_sulc_low").value == pytest.approx(-m, abs=1e-3)
    assert any("switches the page" in c.value for c in at.caption)
    # a click on rh vertex 40 (pair id 10242 + 40): the page moves to the rh and follows vertex 40
    click = {"kind": "click", "event_id": 1, "points": [{"customdata": len(lh.sphere) + 40}]}
    at.session_state["reg_both_view"] = {"event": click}
    at.run()
    assert not at.exception, at.exception
    assert at.radio(key="reg_hemi").value == "rh"
    assert at.session_state[rd.FOCUS] == 40
    assert any(m.value == "#### Moving vertex 40" for m in at.markdown)
    # and back: lh vertex 7
    at.session_state["reg_both_view"] = {"event": {**click, "event_id": 2, "points": [{"customdata": 7}]}}
    at.run()
    assert at.radio(key="reg_hemi").value == "lh" and at.session_state[rd.FOCUS] == 7
    at.number_input(key="reg_clim_sulc_high").set_value(1.0).run()
    assert not at.exception, at.exception


def test_an_upload_has_its_mirror_as_a_stand_in_rh():
    sphere = np.array([[100.0, 0, 0], [0, 100, 0], [0, 0, 100], [-100, 0, 0]])
    faces = np.array([[0, 1, 2], [1, 3, 2]])
    moving = Subject("lh.sphere", sphere, faces, np.array([1.0, -1, 2, 0]), key="upload:x", hemi="lh")
    other, real = rd.other_hemisphere(moving, None)
    assert not real and other.hemi == "rh"
    np.testing.assert_allclose(other.sphere, sphere * [-1, 1, 1])
    np.testing.assert_array_equal(other.sulc, moving.sulc)


def _upload_script(folder: str, with_rh: bool) -> None:
    """Run inside AppTest: upload lh (and maybe rh) files, then report what each hemisphere pairs with."""
    from pathlib import Path

    import streamlit as st

    from nodescope.app import registration_data as rd

    class File:  # what st.file_uploader returns, as far as try_upload reads it
        def __init__(self, path: Path) -> None:
            self.name, self._data = path.name, path.read_bytes()

        def getvalue(self) -> bytes:
            return self._data

    surf = Path(folder)
    files = {
        "sphere": File(surf / "lh.sphere"),
        "sulc": File(surf / "lh.sulc"),
        "curv": None,
        "surface": None,
    }
    if with_rh:
        files.update(other_sphere=File(surf / "rh.sphere"), other_sulc=File(surf / "rh.sulc"))
    assert rd.try_upload(files), rd.upload_error()
    for hemi in ("lh", "rh"):
        moving = rd.uploaded_hemisphere(hemi)
        other, real = rd.other_hemisphere(moving, None)
        st.write(f"{hemi}: moving {moving.hemi} {moving.name}, other {other.hemi} real={real}")


def _fs_subject(folder, hemis):
    from nibabel.freesurfer import write_geometry, write_morph_data

    from nodescope.core.geometry.icosphere import icosphere

    v, f = icosphere(2)
    for k, hemi in enumerate(hemis):
        write_geometry(str(folder / f"{hemi}.sphere"), np.asarray(v) * 100, np.asarray(f))
        write_morph_data(str(folder / f"{hemi}.sulc"), np.linspace(-1, 1 + k, len(v)).astype(np.float32))


@pytest.mark.parametrize("with_rh", [True, False])
def test_an_uploaded_rh_is_the_real_other_hemisphere(tmp_path, with_rh):
    from streamlit.testing.v1 import AppTest

    _fs_subject(tmp_path, ["lh", "rh"] if with_rh else ["lh"])
    at = AppTest.from_function(_upload_script, args=(str(tmp_path), with_rh), default_timeout=120).run()
    assert not at.exception, at.exception
    lines = [m.value for m in at.markdown]
    if with_rh:  # the page's hemisphere picks which upload is registered; the other one is real
        assert lines == [
            "lh: moving lh lh.sphere, other rh real=True",
            "rh: moving rh rh.sphere, other lh real=True",
        ]
    else:  # the mirror of the lh stands in
        assert lines == [
            "lh: moving lh lh.sphere, other rh real=False",
            "rh: moving lh lh.sphere, other rh real=False",
        ]
