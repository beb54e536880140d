"""The Cortical registration page: a synthetic subject registered end to end, and the upload form."""

import base64
import json

import numpy as np
from streamlit.testing.v1 import AppTest

from nodescope.app import registration_data as rd
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
    assert at.selectbox(key="reg_color").options == ["sulc", "curv"]
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
    assert _charts(at) == 6  # and the QC's registered and atlas sulc on the inflated surface

    metrics = at.dataframe[0].value
    assert list(metrics.index) == ["native (before)", "rigid", "registered"]
    assert metrics.loc["registered", "sulc correlation"] > metrics.loc["native (before)", "sulc correlation"]
    # the synthetic subject's known warp: the registration brings vertices much closer to it
    error = metrics["geodesic error (mm)"]
    assert error["registered"] < 0.5 * error["native (before)"]
    assert metrics.loc["registered", "flipped triangles"] == 0
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels.count("Download as HTML") == 1
    page_downloads = [x for x in labels if x not in ("Download as HTML", "Save session")]
    assert len(page_downloads) == 4, labels  # the page's own four

    assert "areal distortion" in at.selectbox(key="reg_color").options
    at.selectbox(key="reg_color").select("folds").run()
    at.selectbox(key="reg_surface_registered").select("inflated").run()
    assert not at.exception, at.exception

    at.session_state[rd.FOCUS] = 123
    at.run()
    assert not at.exception, at.exception
    assert any(m.value == "#### Moving vertex 123" for m in at.markdown)


def _array(value) -> np.ndarray:
    """A figure JSON array: a list, or plotly's typed-array form {dtype, bdata}."""
    if isinstance(value, dict):
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
    return np.asarray(value)


def _payloads(at: AppTest) -> dict[str, dict]:
    """Each view's plotly_view data, by its key."""
    return {e.proto.id.rsplit("-", 1)[-1]: json.loads(e.proto.bytes) for e in at.get("bidi_component")}


def test_a_new_focus_sends_the_marks_not_the_meshes(monkeypatch):
    """Issue 17: a click re-sent all three 10k-vertex meshes (3.5 MB) to move one mark each."""
    at = _page(monkeypatch)
    first = _payloads(at)
    assert all(len(first[k]["traces"]) >= 1 for k in ("reg_moving", "reg_fixed", "reg_map"))
    at.session_state[rd.FOCUS] = 123
    at.run()
    assert not at.exception, at.exception
    after = _payloads(at)
    for key in ("reg_moving", "reg_fixed", "reg_map"):
        assert after[key]["traces"] == {}, key  # the large traces are named, not sent again
        assert len(at.get("bidi_component")[list(after).index(key)].proto.bytes) < 50_000
    moving = rd.synthetic_hemisphere(0, 10.0, 20.0)
    focus = next(t for t in after["reg_moving"]["figure"]["data"] if t.get("name") == "focus")
    assert _array(focus["customdata"]).tolist() == [123]  # the mark, inline
    xyz = [_array(focus[c])[0] for c in "xyz"]
    np.testing.assert_allclose(xyz, moving.surfaces["sphere"][123], rtol=1e-6)
    landing = next(t for t in after["reg_fixed"]["figure"]["data"] if t.get("name") == "focus")
    assert landing["text"] == ["123 lands here"]


def test_the_right_hemisphere_registers_onto_the_right_atlas(monkeypatch):
    at = _page(monkeypatch)
    assert at.radio(key="reg_hemi").value == "lh"
    at.radio(key="reg_hemi").set_value("rh").run()
    assert not at.exception, at.exception
    at.button(key="reg_run").click().run()
    assert not at.exception, at.exception
    out = next(iter(at.session_state["registration_results"].values()))
    assert out.hemi == "rh"
    metrics = at.dataframe[0].value
    # A synthetic warp of the rh atlas, matched against the rh atlas's sulc.
    assert metrics.loc["registered", "sulc correlation"] > 0.9
    assert metrics.loc["registered", "flipped triangles"] == 0


def test_fsaverage6_is_a_fixed_surface_for_the_left_hemisphere_only(monkeypatch, shared_data):
    monkeypatch.setenv("NODESCOPE_SUGAR_ATLAS", str(shared_data / "sugar-atlas"))
    at = _page(monkeypatch)
    at.selectbox(key="reg_fixed_name").set_value("fsaverage6").run()
    assert not at.exception, at.exception
    assert _charts(at) == 3  # moving, fixed (SUGAR's atlas: its sphere only) and the map
    at.button(key="reg_run").click().run()
    assert not at.exception, at.exception
    metrics = at.dataframe[0].value  # against the 904-subject mean on fsaverage6's 40,962 vertices
    assert metrics.loc["registered", "sulc correlation"] > metrics.loc["native (before)", "sulc correlation"]
    assert any("fsaverage6 has no inflated surface here" in i.value for i in at.info)
    at.radio(key="reg_hemi").set_value("rh").run()
    assert not at.exception, at.exception
    assert any("left hemisphere only" in e.value for e in at.error) and _charts(at) == 0


def test_quality_control_says_in_words_what_is_outside_the_reference_ranges(monkeypatch):
    at = _page(monkeypatch)
    at.button(key="reg_run").click().run()
    assert not at.exception, at.exception
    assert [h.value for h in at.subheader].count("Quality control") == 1
    said = [*(s.value for s in at.success), *(w.value for w in at.warning)]
    assert any(
        x == "Every QC measure is within the reference ranges."
        or x.startswith("Outside the reference ranges: ")
        for x in said
    ), said
    assert any("sugar-sub-001" in c.value for c in at.caption)
    # Rigid only: no non-rigid warp, so the sulc correlation falls below the reference range.
    at.toggle(key="reg_rigid_only").set_value(True).run()
    at.button(key="reg_run").click().run()
    assert not at.exception, at.exception
    assert any("sulc correlation with the atlas" in w.value and "is below" in w.value for w in at.warning)
