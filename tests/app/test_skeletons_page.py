"""The Skeletons page: the built-in walk lifted by each model, a joint pick moving the attention
panel, the 2D noise changing the errors, bad uploads keeping the page's state, and the other pages
pointing a skeleton here."""

from __future__ import annotations

import io
import re

import numpy as np
from streamlit.testing.v1 import AppTest

from nodescope.app.state import Selection
from tests.app.pages import open_app, open_page

PAGE = "views/skeletons.py"
TIMEOUT = 240


def _text(at: AppTest) -> str:
    charts = at.get("plotly_chart") + at.get("bidi_component")
    return " ".join(str(c.proto) for c in charts) + " ".join(c.value for c in at.caption)


def _mpjpe(at: AppTest) -> float:
    caption = next(c.value for c in at.caption if "MPJPE **" in c.value)
    return float(re.search(r"MPJPE \*\*(\d+) mm", caption).group(1))


def test_the_walk_is_lifted_and_every_view_drawn(monkeypatch):
    at = open_page(monkeypatch, "skeleton-walk", PAGE, timeout=TIMEOUT)
    assert at.title[0].value == "Skeletons"
    text = _text(at)
    assert "HopFIR (88 k parameters) on 66 frame(s)" in text
    assert "attention from the left wrist" in text and "Fusion across hops" in text
    assert "SemGCN for contrast" in text and "Error over the clip" in text
    assert len(at.get("bidi_component")) == 4  # 2D, 3D, the hop grid, SemGCN's weights
    assert 30 < _mpjpe(at) < 200


def test_models_switch_and_noise_changes_the_errors(monkeypatch):
    at = open_page(monkeypatch, "skeleton-walk", PAGE, timeout=TIMEOUT)
    hopfir = _mpjpe(at)
    at.radio(key="sk_model").set_value("mlp").run()
    assert not at.exception, at.exception
    assert "MLP (Martinez et al.)" in _text(at) and _mpjpe(at) != hopfir
    at.radio(key="sk_model").set_value("gcn").run()
    assert "SemGCN (77 k parameters)" in _text(at)
    exact = _mpjpe(at)
    at.slider(key="sk_noise").set_value(20).run()
    assert not at.exception, at.exception
    assert "2D noise σ = 20 px" in _text(at) and _mpjpe(at) > exact


def test_a_joint_pick_moves_the_attention_panel_and_every_view(monkeypatch):
    at = open_page(monkeypatch, "skeleton-walk", PAGE, timeout=TIMEOUT)
    before = _text(at)
    at.session_state["selection"] = Selection((16,), 16)  # what a click on the right wrist writes
    at.run()
    assert not at.exception, at.exception
    text = _text(at)
    assert "attention from the right wrist" in text and "attention from the left wrist" not in text
    assert "Where the right wrist looks" in [h.value for h in at.subheader]
    assert "right wrist" in text and text != before
    at.radio(key="sk_layer").set_value(1).run()
    assert "HopFIR layer 1: attention from the right wrist" in _text(at)
    at.slider(key="sk_frame").set_value(30).run()
    assert not at.exception, at.exception
    assert "2D input, frame 30" in _text(at)


def test_graph_pages_send_a_skeleton_here_and_this_page_sends_a_graph_away(monkeypatch):
    at = open_page(monkeypatch, "skeleton-walk", "views/explorer.py", timeout=TIMEOUT)
    assert [i.value for i in at.info] == [
        "**Walk (procedural skeleton)** is a skeleton: its 2D-to-3D lifting and attention are on the "
        "**Skeletons** page."
    ]
    assert "skeleton · Walk (procedural skeleton)" in at.sidebar.selectbox(key="builtin_key").options
    at = open_page(monkeypatch, "karate", PAGE, timeout=TIMEOUT)
    assert len(at.info) == 1 and "not a skeleton" in at.info[0].value


def _npy(shape) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, np.random.default_rng(0).uniform(100, 500, shape))
    return buffer.getvalue()


def _pick_then_upload(name: str, blob: bytes):
    # AppTest cannot drive st.file_uploader; this runs the path the sidebar's Load button takes.
    import streamlit as st

    from nodescope.app import sidebar, state

    state.sample()
    if "picked" not in st.session_state:
        st.session_state["picked"] = True
        state.set_focus(16)
    state.try_load_upload([(name, blob)], level=None, max_bytes=1 << 20)
    sidebar.render()


def test_a_bad_upload_keeps_the_clip_and_the_picked_joint_with_one_line(monkeypatch):
    monkeypatch.setenv("NODESCOPE_SOURCE", "skeleton-walk")
    at = AppTest.from_function(
        _pick_then_upload, args=("pose.npy", _npy((5, 17, 3, 1))), default_timeout=TIMEOUT
    )
    at.run()
    assert not at.exception, at.exception
    assert at.session_state["sample"].source == "builtin:skeleton-walk"
    assert at.session_state["selection"].focus == 16
    errors = [e.value for e in at.sidebar.error]
    assert len(errors) == 1 and "\n" not in errors[0] and "pose.npy" in errors[0], errors


def test_an_uploaded_keypoint_file_opens_on_the_page_without_errors_to_show(monkeypatch):
    monkeypatch.setenv("NODESCOPE_SOURCE", "skeleton-walk")
    at = AppTest.from_function(
        _pick_then_upload, args=("pose.npy", _npy((4, 17, 2))), default_timeout=TIMEOUT
    )
    at.run()
    assert not at.exception, at.exception
    assert at.session_state["sample"].kind == "skeleton" and at.session_state["sample"].num_frames == 4
    at = open_app(monkeypatch, "skeleton-jump", timeout=TIMEOUT)
    assert at.session_state["sample"].source == "builtin:skeleton-jump"


def test_play_shows_the_clip_as_an_animation(monkeypatch):
    at = open_page(monkeypatch, "skeleton-walk", PAGE, timeout=TIMEOUT)
    at.toggle(key="sk_play").set_value(True).run()
    assert not at.exception, at.exception
    assert "HopFIR over the clip" in _text(at) and "Play" in _text(at)


def test_a_2d_only_keypoint_file_is_lifted_with_an_assumed_camera_and_no_errors(monkeypatch, tmp_path):
    path = tmp_path / "detected.npz"
    np.savez(path, kp2d=np.load(io.BytesIO(_npy((6, 17, 2)))))
    at = open_page(monkeypatch, str(path), PAGE, timeout=TIMEOUT)
    captions = " ".join(c.value for c in at.caption)
    assert "no 3D joints, so there are no errors to show" in captions
    assert "No focal length in the file" in captions and "principal point" in captions
    assert "attention from the left wrist" in _text(at) and "Error over the clip" not in _text(at)


def test_another_virtual_camera_sees_the_jump_from_elsewhere(monkeypatch):
    at = open_page(monkeypatch, "skeleton-jump", PAGE, timeout=TIMEOUT)
    before = set(re.findall(r"focal (\d+) px", _text(at)))
    at.number_input(key="sk_camera").set_value(5).run()
    assert not at.exception, at.exception
    after = set(re.findall(r"focal (\d+) px", _text(at)))
    assert len(before) == len(after) == 1 and before != after
