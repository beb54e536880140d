"""Saved sessions (issue 18 §3) in the app: save on one session, open in a fresh one."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from nodescope.app import session
from nodescope.core.reviews import ReviewStore
from tests.app.pages import MAIN

TIMEOUT = 300
LINK = {"source": "karate", "f": "5", "s": "0-2.5", "m": "gatv2", "l": "2", "h": "1"}


@pytest.fixture
def saved(monkeypatch):
    """The app's "Save session" bytes (AppTest runs the app in this process, its media are mocked)."""
    out: list[bytes] = []

    def recording(file):
        out.append(session_dumps(file))
        return out[-1]

    session_dumps = session.dumps
    monkeypatch.setattr(session, "dumps", recording)
    return out


def _app(page: str, params: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(MAIN, default_timeout=TIMEOUT)
    for k, v in (params or {"source": "karate"}).items():
        at.query_params[k] = v
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def _open(at: AppTest, blob: bytes, name: str = "karate-session.json") -> AppTest:
    at.sidebar.file_uploader(key="open_session").upload(name, blob, "application/json")
    at.run()
    assert not at.exception, at.exception
    return at


def _notices(at: AppTest) -> list[tuple[str, str]]:
    return [(kind, e.value) for kind in ("success", "warning", "error") for e in getattr(at.sidebar, kind)]


def test_save_then_open_in_a_fresh_session_restores_focus_model_and_notes(monkeypatch, tmp_path, saved):
    monkeypatch.setenv("NODESCOPE_REVIEWS_DB", str(tmp_path / "mine.sqlite3"))
    first = _app("views/attention.py", LINK)
    fp = first.session_state["sample"].fingerprint
    ReviewStore().add(dataset="Karate club", fingerprint=fp, model="gat (shipped)", node=5, verdict="reject")
    first.run()
    blob = saved[-1]
    record = json.loads(blob)
    assert record["data"]["fingerprint"] == fp and record["model"]["key"] == "gatv2"
    assert len(record["model"]["sha256"]) == 64 and len(record["reviews"]) == 1
    assert record["selection"]["focus"]["id"] == 5
    assert [n["id"] for n in record["selection"]["nodes"]] == [0, 1, 2, 5]

    # elsewhere: another reviews database, the app opened on other data with nothing selected
    monkeypatch.setenv("NODESCOPE_REVIEWS_DB", str(tmp_path / "theirs.sqlite3"))
    fresh = _app("views/attention.py", {"source": "les-miserables"})
    _open(fresh, blob)
    assert fresh.session_state["sample"].fingerprint == fp  # karate loaded by its name
    sel = fresh.session_state["selection"]
    assert (sel.focus, sel.nodes) == (5, (0, 1, 2, 5))
    assert fresh.selectbox(key="model_choice").value == "gatv2"
    assert fresh.selectbox(key="attn_layer").value == fresh.selectbox(key="attn_layer").options[1]
    assert fresh.selectbox(key="attn_head").value == "head 1"
    assert [(r.node, r.verdict) for r in ReviewStore().reviews(fingerprint=fp)] == [(5, "reject")]
    ((kind, text),) = _notices(fresh)
    assert kind == "success" and "selection" in text and "1 review note" in text, text
    _open(fresh, blob, "again.json")  # opening twice adds no note twice
    assert len(ReviewStore().reviews()) == 1
    record["model"]["sha256"] = "1" * 64  # saved with other gatv2 weights
    _open(fresh, json.dumps(record).encode(), "other-weights.json")
    ((kind, text),) = _notices(fresh)
    assert kind == "warning" and "gatv2's weights differ" in text and "111111111111" in text, text


def test_different_data_get_one_clear_notice_and_the_focus_is_dropped(monkeypatch, tmp_path, saved):
    monkeypatch.setenv("NODESCOPE_REVIEWS_DB", str(tmp_path / "r.sqlite3"))
    first = _app("views/explorer.py", {"source": "karate", "f": "7"})
    record = json.loads(saved[-1])
    record["data"]["fingerprint"] = "0" * 64  # the karate graph the file was saved on was another one
    at = _app("views/explorer.py", {"source": "karate", "f": "3"})
    _open(at, json.dumps(record).encode())
    ((kind, text),) = _notices(at)
    assert kind == "warning" and "data differ" in text and "000000000000" in text and "dropped" in text, text
    assert at.session_state["selection"].focus == 3  # kept, not replaced by the saved 7
    assert first.session_state["selection"].focus == 7


def test_a_corrupt_file_is_one_line_and_nothing_is_lost(monkeypatch, tmp_path):
    monkeypatch.setenv("NODESCOPE_REVIEWS_DB", str(tmp_path / "r.sqlite3"))
    at = _app("views/explorer.py", {"source": "karate", "f": "3"})
    before = at.session_state["sample"].fingerprint
    _open(at, b'{"format": "nodescope-session", "version": 1, "data": {"source"', "broken.json")
    ((kind, text),) = _notices(at)
    assert kind == "error" and text.startswith("broken.json: not a JSON file") and "nothing changed" in text
    assert "\n" not in text
    assert at.session_state["sample"].fingerprint == before and at.session_state["selection"].focus == 3
