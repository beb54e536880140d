"""The 3D & sphere page's "Both hemispheres" toggle and its color bar limits (issue 18 item 7)."""

import numpy as np
import pytest

from nodescope.app.state import Selection
from tests.app.pages import open_page

PAGE = "views/geometry.py"


@pytest.fixture
def page(monkeypatch):
    return open_page(monkeypatch, "fsaverage5-right", PAGE)


def test_both_hemispheres_toggle_keeps_the_selection_and_goes_back(page):
    at = page
    fp = at.session_state["sample"].fingerprint
    assert at.session_state["sample"].num_nodes == 10242
    at.session_state["selection"] = Selection((5, 7), 7)
    at.run()
    at.toggle(key=f"both_hemispheres_{fp}").set_value(True).run()
    assert not at.exception, at.exception
    pair = at.session_state["sample"]
    assert pair.num_nodes == 20484 and pair.source == "builtin:fsaverage5-both"
    # rh vertex 7 is pair vertex 10242 + 7, and says so
    assert at.session_state["selection"] == Selection((10247, 10249), 10249)
    assert pair.node_label(10249) == "10249 · rh 7"
    assert any("Both hemispheres are real" in c.value for c in at.caption)
    assert len(at.get("bidi_component")) == 2
    at.toggle(key=f"both_hemispheres_{pair.fingerprint}").set_value(False).run()
    assert not at.exception, at.exception
    assert at.session_state["sample"].source == "builtin:fsaverage5-right"
    assert at.session_state["selection"] == Selection((5, 7), 7)


def test_color_bar_limits_default_symmetric_set_and_reset(page):
    at = page
    fp = at.session_state["sample"].fingerprint
    at.toggle(key=f"both_hemispheres_{fp}").set_value(True).run()
    pair = at.session_state["sample"]
    sulc = pair.data.x[:, pair.feature_names.index("sulc")].numpy()
    key = f"clim_{pair.fingerprint}_sulc"
    low, high = at.number_input(key=f"{key}_low"), at.number_input(key=f"{key}_high")
    m = float(np.abs(sulc).max())  # over both hemispheres
    assert low.value == pytest.approx(-m, abs=1e-3) and high.value == pytest.approx(m, abs=1e-3)
    high.set_value(2.0).run()
    low = at.number_input(key=f"{key}_low")
    low.set_value(-1.0).run()
    assert not at.exception, at.exception
    assert at.number_input(key=f"{key}_high").value == 2.0
    at.button(key=f"{key}_reset").click().run()
    assert at.number_input(key=f"{key}_high").value == pytest.approx(m, abs=1e-3)
