"""Every page runs headless (Streamlit's AppTest) on each kind of sample, and the sidebar's
bad-input path keeps the previous sample with a one-line error."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

MAIN = str(Path(__file__).resolve().parents[2] / "app" / "main.py")
TIMEOUT = 120


def run_app(source: str | None = None, monkeypatch=None) -> AppTest:
    if source is not None and monkeypatch is not None:
        monkeypatch.setenv("NODESCOPE_SOURCE", source)
    at = AppTest.from_file(MAIN, default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, at.exception
    return at


def test_home_says_what_each_page_is_for():
    at = run_app()
    links = " ".join(str(el.proto.label) for el in at.get("page_link"))
    assert "Explorer" in links and "3D & sphere" in links
    text = " ".join(m.value for m in at.markdown)
    assert "node-link" in text.lower() or "nodes and links" in text
    assert any("Device:" in c.value for c in at.sidebar.caption)


def test_explorer_renders_linked_views_and_table(monkeypatch):
    at = run_app("karate", monkeypatch)
    at.switch_page("views/explorer.py").run()
    assert not at.exception, at.exception
    assert at.title[0].value.endswith("Explorer")
    assert len(at.get("bidi_component")) == 2  # node-link + embedding
    assert at.dataframe[-1].value.shape[0] == 34  # one row per node


def test_explorer_shows_focus_node_details(monkeypatch):
    from nodescope.app.state import Selection

    at = run_app("karate", monkeypatch)
    at.session_state["selection"] = Selection((0, 5), 5)
    at.switch_page("views/explorer.py").run()
    assert not at.exception, at.exception
    assert any(m.value.startswith("#### Node 5") for m in at.markdown)
    assert at.dataframe[-1].value["selected"].sum() == 2


@pytest.mark.parametrize("source", ["fsaverage5-left", "room", "airplane"])
def test_geometry_page_draws_3d_and_map(monkeypatch, source):
    at = run_app(source, monkeypatch)
    at.switch_page("views/geometry.py").run()
    assert not at.exception, at.exception
    assert len(at.get("bidi_component")) == 2
    # a surface picker only where there is a choice (issue 17: "Surface: surface" alone)
    pickers = [box for box in at.selectbox if box.label == "Surface"]
    assert len(pickers) == (1 if source == "fsaverage5-left" else 0)
    if pickers:
        assert len(pickers[0].options) > 1


def test_geometry_page_explains_itself_for_plain_graphs(monkeypatch):
    at = run_app("karate", monkeypatch)
    at.switch_page("views/geometry.py").run()
    assert not at.exception
    assert "no 3D geometry" in at.info[0].value


def test_switching_builtin_loads_it(monkeypatch):
    at = run_app("karate", monkeypatch)
    at.sidebar.selectbox(key="builtin_key").select("sbm").run()
    assert not at.exception, at.exception
    assert at.session_state["sample"].source == "builtin:sbm"


def _keypoints_npy() -> bytes:
    import io

    import numpy as np

    buffer = io.BytesIO()
    np.save(buffer, np.random.default_rng(0).uniform(0, 500, (4, 15, 2)))
    return buffer.getvalue()


def _upload_then_sidebar(name: str, blob: bytes, max_bytes: int):
    # AppTest cannot drive st.file_uploader; this runs the path the sidebar's Load button takes.
    from nodescope.app import sidebar, state

    state.sample()
    state.try_load_upload([(name, blob)], level=None, max_bytes=max_bytes)
    sidebar.render()


@pytest.mark.parametrize(
    ("name", "blob", "max_bytes", "words"),
    [
        ("broken.ply", b"ply\nformat ascii 1.0\nelement vertex 3\n", 1 << 20, "broken.ply"),
        ("huge.csv", b"0,1\n" * 600, 1024, "upload limit"),
        ("nan.csv", b"0,1,nan\n1,2,1\n", 1 << 20, "non-numeric"),
        ("wide.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, 1 << 20, "wide.png"),
        # 15 joints, not 17: refused with one line naming the 17 the lifters need.
        ("pose.npy", _keypoints_npy(), 1 << 20, "expected (frames, 17, 2)"),
    ],
)
def test_bad_upload_keeps_previous_sample_with_one_line_error(monkeypatch, name, blob, max_bytes, words):
    monkeypatch.setenv("NODESCOPE_SOURCE", "karate")
    at = AppTest.from_function(_upload_then_sidebar, args=(name, blob, max_bytes), default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, at.exception
    assert at.session_state["sample"].source == "builtin:karate"
    errors = [e.value for e in at.sidebar.error]
    assert len(errors) == 1 and "\n" not in errors[0] and words in errors[0], errors


def test_explorer_shows_umap_once_computed(monkeypatch):
    # Issue 17: after "Compute UMAP" (~8 s) the view stayed on PCA (the radio's state, set while
    # PCA was its only option, won over its new default), and before it a one-option radio showed.
    import numpy as np

    monkeypatch.setattr(
        "nodescope.explain.embedding.umap_2d", lambda x, **_: np.zeros((len(x), 2), np.float32)
    )
    at = run_app("karate", monkeypatch)
    at.switch_page("views/explorer.py").run()
    assert not [r for r in at.radio if r.label == "Embedding"]
    next(b for b in at.button if b.label == "Compute UMAP").click().run()
    assert not at.exception, at.exception
    (embedding,) = [r for r in at.radio if r.label == "Embedding"]
    assert embedding.value == "UMAP" and embedding.options == ["PCA", "UMAP"]
