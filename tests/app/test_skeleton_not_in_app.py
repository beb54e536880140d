"""Skeletons load in the API and the CLI but have no page yet: the app keeps them out (issue 15)."""

from __future__ import annotations

from tests.app.pages import open_app


def test_a_skeleton_source_falls_back_with_one_line_and_is_not_in_the_picker(monkeypatch):
    at = open_app(monkeypatch, "skeleton-walk", timeout=120)
    assert not at.exception, at.exception
    assert at.session_state["sample"].kind != "skeleton"
    assert [e.value for e in at.sidebar.error] == [
        "skeleton-walk: Walk (procedural skeleton) is a skeleton sample; the app has no page for it yet."
    ]
    options = at.sidebar.selectbox(key="builtin_key").options
    assert "skeleton-walk" not in options and "skeleton-jump" not in options
