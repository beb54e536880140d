"""app.plotly_view without a browser: the element's identity, its payload, events, plotly.js.

The browser side (clicks, Plotly.react in place, zoom kept) is tests/browser/test_plotly_view.py.
"""

from __future__ import annotations

import json
import re

import pytest
from streamlit.testing.v1 import AppTest

from nodescope.app import plotly_view as pv
from nodescope.viz.nodes import node_ids_from_points

EVENT = {
    "kind": "click",
    "event_id": 1_790_000_000_123,
    "points": [{"curve_number": 2, "point_index": 7, "customdata": 41, "x": 0.5, "y": -1.0}],
}


def two_views() -> None:
    """A page with two plotly_views whose figures change with session state."""
    import json

    import plotly.graph_objects as go
    import streamlit as st

    from nodescope.app.plotly_view import latest_event, plotly_view

    k = st.session_state.get("k", 3)
    st.text(json.dumps({"before": latest_event("a")}))
    fig = go.Figure(go.Scattergl(x=list(range(k)), y=list(range(k)), customdata=list(range(k))))
    ret = plotly_view(fig, key="a", config={"scrollZoom": True}, height=300)
    plotly_view(go.Figure(go.Scatter(x=[0], y=[k])), key="b")
    st.text(json.dumps({"returned": ret}))


def mesh_and_marker() -> None:
    """One plotly_view sending large traces once: a big trace, and a marker that moves with state."""
    import numpy as np
    import plotly.graph_objects as go
    import streamlit as st

    from nodescope.app.plotly_view import plotly_view

    k = st.session_state.get("k", 0)
    n = 4000
    big = go.Scattergl(x=np.arange(n, dtype=float), y=np.sin(np.arange(n)), name="big")
    plotly_view(go.Figure([big, go.Scatter(x=[k], y=[0], name="mark")]), key="a", send_once=True)


def payloads(at: AppTest) -> list[tuple[str, dict]]:
    """(element id, decoded data) of each plotly_view element."""
    els = at.get("bidi_component")
    assert all(e.proto.component_name == "nodescope.plotly_view" for e in els)
    return [(e.proto.id, json.loads(e.proto.bytes)) for e in els]


def texts(at: AppTest) -> dict:
    out: dict = {}
    for t in at.text:
        out.update(json.loads(t.value))
    return out


def test_identity_is_the_key_not_the_figure():
    at = AppTest.from_function(two_views).run()
    assert not at.exception, at.exception
    (id_a, data_a), (id_b, _) = payloads(at)
    assert id_a != id_b
    assert data_a["figure"]["data"][0]["type"] == "scattergl"
    assert data_a["height"] == 300 and data_a["config"]["scrollZoom"] is True
    assert "sendChartToCloud" in data_a["config"]["modeBarButtonsToRemove"]
    assert data_a["click_selects"] is False
    assert data_a["plotly_url"].endswith(f"/plotly.min.js?v={pv.plotly.__version__}")

    at.session_state["k"] = 5  # new figures: st.plotly_chart would get new ids (a remount)
    at.run()
    assert not at.exception, at.exception
    (id_a2, data_a2), (id_b2, _) = payloads(at)
    assert (id_a2, id_b2) == (id_a, id_b)
    assert data_a2["figure"] != data_a["figure"]


def test_no_event_before_the_first_click():
    at = AppTest.from_function(two_views).run()
    assert texts(at) == {"before": None, "returned": None}


def test_event_is_readable_before_and_after_drawing():
    at = AppTest.from_function(two_views).run()
    at.session_state["a"] = {"event": EVENT}  # what the frontend's setStateValue("event", ...) stores
    at.run()
    assert not at.exception, at.exception
    seen = texts(at)
    assert seen["before"] == seen["returned"] == EVENT
    assert node_ids_from_points(seen["before"]["points"]) == [41]
    at.run()  # a rerun caused by anything else: the same event, recognizable by its id
    assert texts(at)["before"]["event_id"] == EVENT["event_id"]


@pytest.mark.parametrize(
    "value", [None, 3, {}, {"event": None}, {"event": {"points": "no"}}, {"event": {"event_id": 1}}]
)
def test_malformed_state_is_no_event(value):
    assert pv._as_event(value.get("event") if isinstance(value, dict) else value) is None


def test_chart_config_keeps_user_settings_and_drops_cloud_upload():
    user = {"scrollZoom": True, "modeBarButtonsToRemove": ["lasso2d"]}
    out = pv.chart_config(user)
    assert out["scrollZoom"] is True
    assert out["modeBarButtonsToRemove"] == ["lasso2d", "sendChartToCloud"]
    assert user["modeBarButtonsToRemove"] == ["lasso2d"]  # not mutated
    assert pv.chart_config(None) == {"modeBarButtonsToRemove": ["sendChartToCloud"]}


def test_plotly_js_url_honours_base_path(monkeypatch):
    monkeypatch.setattr(pv.st, "get_option", lambda name: "/tools/nodescope/")
    url = pv.plotly_js_url()
    assert url.startswith("/tools/nodescope/component/nodescope.app.plotly_view.plotly_js/plotly.min.js?v=")


def test_preload_script_survives_the_html_sanitizer():
    """st.html runs its HTML through DOMPurify, whose SAFE_FOR_XML rule drops an element whose text
    has "<" before a letter or "/": a "<script>" in a comment of load_plotly.js removed the preload's
    script, so plotly.js only started loading with the first chart (issue 19, start-up)."""
    html = pv._PRELOAD_HTML.format(load_plotly=pv._LOAD_PLOTLY_JS, url="/component/x/plotly.min.js")
    script = html.split("<script>", 1)[1].rsplit("</script>", 1)[0]
    assert "loadPlotly(" in script
    assert re.search(r"<[/\w]", script) is None


def test_shipped_plotly_js_decodes_typed_arrays():
    """fig.to_json() sends numpy arrays as {dtype, bdata}: plotly.js reads those since 2.28."""
    head = (pv.PLOTLY_DIR / "plotly.min.js").read_text(encoding="utf-8", errors="replace")[:300]
    version = tuple(int(v) for v in re.search(r"plotly\.js v(\d+)\.(\d+)\.(\d+)", head).groups())
    assert version >= (2, 28, 0), version


def test_send_once_sends_a_large_trace_once_then_names_it():
    """Issue 17: a marker move re-sent every mesh of the registration page (1 MB per 3D view)."""
    at = AppTest.from_function(mesh_and_marker).run()
    assert not at.exception, at.exception
    ((_, first),) = payloads(at)
    ref, mark = first["figure"]["data"]
    assert set(ref) == {"$ref"} and list(first["traces"]) == [ref["$ref"]]
    assert first["traces"][ref["$ref"]]["name"] == "big"
    assert mark["name"] == "mark" and mark["x"] == [0]  # small traces go inline

    at.session_state["k"] = 3
    at.run()
    ((_, second),) = payloads(at)
    assert second["traces"] == {}  # the browser holds it: named, not sent
    assert second["figure"]["data"][0] == ref and second["figure"]["data"][1]["x"] == [3]
    assert len(at.get("bidi_component")[0].proto.bytes) < 20_000

    at.session_state["a"] = {"resend": 1_790_000_000_001}  # the browser lacked it
    at.run()
    ((_, third),) = payloads(at)
    assert list(third["traces"]) == [ref["$ref"]]
    at.run()  # that request is handled once
    assert payloads(at)[0][1]["traces"] == {}


def test_without_send_once_every_trace_goes_inline():
    at = AppTest.from_function(two_views).run()
    assert all("traces" not in data for _, data in payloads(at))
