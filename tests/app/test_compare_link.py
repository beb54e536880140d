"""The two-models comparison in permalinks and saved sessions (issue 18 §2-§4): ``b`` round-trips."""

from __future__ import annotations

import pytest

from nodescope.app import session
from nodescope.app.attention_data import COMPARE_KEY as ATTN_COMPARE
from nodescope.app.explanations_data import COMPARE_KEY as EXPL_COMPARE
from nodescope.app.permalink import View, decode, encode
from tests.app.test_permalink import _open, _param  # the address helpers: a link opened in AppTest

MODELS = ("gcn", "gat", "gatv2", "xnode-gcn")


@pytest.mark.parametrize("compare", ["gatv2", "gat@1"])
def test_the_compared_model_encodes_and_decodes(compare):
    view = View(focus=5, nodes=(5,), model="gat", compare=compare)
    assert encode(view)["b"] == compare
    back = decode(encode(view), 34, MODELS)
    assert back == view and not back.problems


@pytest.mark.parametrize("bad", ["nosuch", "gat@x", "@1"])
def test_a_bad_compared_model_is_left_out_and_named(bad):
    view = decode({"f": "2", "b": bad}, 34, MODELS)
    assert view.compare is None and view.focus == 2
    assert [p.split(" ")[0] for p in view.problems] == [f"b={bad}"]


def test_an_attention_link_opens_the_same_comparison_and_writes_it_back():
    at = _open({"source": "karate", "f": "5", "m": "gat", "b": "gatv2"}, "views/attention.py")
    assert at.selectbox(key="model_choice").value == "gat"
    assert at.selectbox(key=ATTN_COMPARE).value == "gatv2"
    assert not at.toast  # nothing was ignored
    assert (_param(at, "m"), _param(at, "b")) == ("gat", "gatv2")
    at.selectbox(key=ATTN_COMPARE).set_value("nothing").run()  # one model again: the address drops b
    assert _param(at, "b") is None


@pytest.mark.parametrize(
    ("params", "says"),
    [
        ({"m": "gat", "b": "nosuch"}, "b=nosuch"),  # no such model
        ({"m": "gat", "b": "gat"}, "b=gat (not offered here)"),  # the model itself: not offered
    ],
)
def test_a_stale_compared_model_is_ignored_with_one_notice(params, says):
    at = _open({"source": "karate", **params}, "views/attention.py")
    assert at.selectbox(key=ATTN_COMPARE).value == "nothing"
    assert len(at.toast) == 1 and says in at.toast[0].value, [t.value for t in at.toast]
    assert _param(at, "b") is None


def test_a_saved_session_reopens_the_comparison(monkeypatch, tmp_path):
    monkeypatch.setenv("NODESCOPE_REVIEWS_DB", str(tmp_path / "reviews.sqlite3"))
    saved: list[bytes] = []
    dumps = session.dumps
    monkeypatch.setattr(session, "dumps", lambda file: saved.append(dumps(file)) or saved[-1])
    first = _open({"source": "karate", "f": "3", "m": "xnode-gcn", "b": "gcn"}, "views/explanations.py")
    assert first.selectbox(key=EXPL_COMPARE).value == "gcn"
    blob = saved[-1]
    assert b'"b": "gcn"' in blob

    fresh = _open({"source": "karate"}, "views/explanations.py")
    assert fresh.selectbox(key=EXPL_COMPARE).value == "nothing"
    fresh.sidebar.file_uploader(key="open_session").upload("karate-session.json", blob, "application/json")
    fresh.run()
    assert not fresh.exception, fresh.exception
    assert fresh.selectbox(key=EXPL_COMPARE).value == "gcn"
    assert _param(fresh, "b") == "gcn"
