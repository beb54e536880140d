"""Permalinks (issue 18 §2): one encode/decode pair, and a copied address reproducing the view."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from nodescope.app.permalink import View, decode, encode, head_code, layer_code, node_ranges, parse_ranges
from nodescope.app.state import Selection
from tests.app.pages import MAIN

MODELS = ("gcn", "gat", "gatv2")
TIMEOUT = 300


def test_node_ranges_are_compact_and_round_trip():
    nodes = [0, 1, 2, 3, 8, 10, 11, 33]
    assert node_ranges(nodes) == "0-3.8.10-11.33"
    assert parse_ranges(node_ranges(nodes), 34) == tuple(nodes)
    assert node_ranges(range(1000)) == "0-999"


@pytest.mark.parametrize(
    "view",
    [
        View(),
        View(focus=5, nodes=(5,)),
        View(focus=3, nodes=(0, 1, 2, 3, 9), model="gat", layer="2", head="1"),
        View(focus=None, nodes=(4, 6), model="gcn", layer="r", head="mean"),
        View(focus=1, nodes=(1,), color="feature 3 (x)"),
    ],
)
def test_encode_decode_round_trip(view):
    params = encode(view)
    assert all(len(k) == 1 for k in params)  # short keys
    back = decode(params, 34, MODELS)
    assert back == view and not back.problems


@pytest.mark.parametrize(
    ("params", "problem"),
    [
        ({"f": "34"}, "f=34"),
        ({"f": "-1"}, "f=-1"),
        ({"f": "abc"}, "f=abc"),
        ({"s": "3-1"}, "s=3-1"),
        ({"s": "0-99"}, "s=0-99"),
        ({"s": "1..2"}, "s=1..2"),
        ({"m": "nosuch"}, "m=nosuch"),
        ({"l": "0"}, "l=0"),
        ({"h": "all"}, "h=all"),
        ({"c": "x" * 200}, "c=" + "x" * 80 + "…"),
    ],
)
def test_a_bad_value_is_left_out_and_named(params, problem):
    view = decode({"f": "2", **params} if "f" not in params else params, 34, MODELS)
    assert [p.split(" ")[0] for p in view.problems] == [problem]
    kept = decode({}, 34, MODELS)
    assert (view.model, view.layer, view.head, view.color) == (kept.model, kept.layer, kept.head, kept.color)


def test_widget_codes():
    assert layer_code("layer 2", ["layer 1", "layer 2", "rollout"], "rollout") == "2"
    assert layer_code("rollout", ["layer 1", "layer 2", "rollout"], "rollout") == "r"
    assert (
        head_code("head 3") == "3"
        and head_code("mean over heads") == "mean"
        and head_code("max over heads") == "max"
    )


def _open(params: dict[str, str], page: str | None = None) -> AppTest:
    at = AppTest.from_file(MAIN, default_timeout=TIMEOUT)
    for k, v in params.items():
        at.query_params[k] = v
    if page is not None:
        at.switch_page(page)
    at.run()
    assert not at.exception, at.exception
    return at


def _param(at: AppTest, key: str) -> str | None:
    value = at.query_params.get(key)
    return value[0] if isinstance(value, list) else value


def test_an_attention_link_opens_the_same_focus_model_layer_and_head():
    at = _open(
        {"source": "karate", "f": "5", "s": "0-2.5", "m": "gatv2", "l": "2", "h": "1"}, "views/attention.py"
    )
    sel = at.session_state["selection"]
    assert (sel.focus, sel.nodes) == (5, (0, 1, 2, 5))
    assert at.selectbox(key="model_choice").value == "gatv2"
    layer, head = at.selectbox(key="attn_layer").value, at.selectbox(key="attn_head").value
    assert (layer, head) == (at.selectbox(key="attn_layer").options[1], "head 1")
    assert not at.toast  # nothing was ignored
    # ... and the address it writes back is the same link.
    assert {k: _param(at, k) for k in ("source", "f", "s", "m", "l", "h")} == {
        "source": "karate", "f": "5", "s": "0-2.5", "m": "gatv2", "l": "2", "h": "1"
    }  # fmt: skip


def test_a_stale_parameter_is_ignored_with_one_notice():
    at = _open({"source": "karate", "f": "999", "m": "nosuch"}, "views/explorer.py")
    assert "selection" not in at.session_state or at.session_state["selection"].focus is None
    assert len(at.toast) == 1
    assert "f=999" in at.toast[0].value and "m=nosuch" in at.toast[0].value
    assert _param(at, "f") is None and _param(at, "m") is None  # the address no longer has them


def test_a_click_is_written_into_the_address():
    at = _open({"source": "karate"}, "views/explorer.py")
    assert _param(at, "f") is None
    at.session_state["selection"] = Selection((3, 4, 5, 9), 4)
    at.run()
    assert (_param(at, "f"), _param(at, "s")) == ("4", "3-5.9")


def test_an_explorer_link_opens_the_same_coloring():
    at = _open({"source": "karate", "f": "2", "c": "degree"}, "views/explorer.py")
    (color,) = [w for w in at.selectbox if w.label == "Color nodes by"]
    assert color.value == "degree"
    assert (_param(at, "c"), _param(at, "f")) == ("degree", "2")
    bad = _open({"source": "karate", "c": "no such feature"}, "views/explorer.py")
    assert len(bad.toast) == 1 and "c=no such feature" in bad.toast[0].value
