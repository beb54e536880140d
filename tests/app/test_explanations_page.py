"""The Explanations page on Karate club with its shipped X-Node weights: views, focus, reviews, exports."""

import json
import re

import pytest
from streamlit.testing.v1 import AppTest

from nodescope.app.state import Selection
from nodescope.core.reviews import ReviewStore
from tests.app.pages import open_page


@pytest.fixture
def reviews_db(monkeypatch, tmp_path):
    path = tmp_path / "reviews.sqlite3"
    monkeypatch.setenv("NODESCOPE_REVIEWS_DB", str(path))
    return path


def _page(monkeypatch, source: str = "karate") -> AppTest:
    return open_page(monkeypatch, source, "views/explanations.py")


def _markdown(at: AppTest) -> str:
    return " ".join(m.value for m in at.markdown)


def test_shows_the_least_confident_node_under_every_explainer(monkeypatch, reviews_db):
    at = _page(monkeypatch)
    assert "weights shipped" in " ".join(c.value for c in at.caption)
    assert at.selectbox(key="xnode_model_choice").options == ["X-Node (GCN)", "X-Node (GAT)", "X-Node (GIN)"]
    assert at.subheader[0].value.startswith("Node ")
    assert "least confident" in " ".join(c.value for c in at.caption)
    assert "Predicted" in _markdown(at)
    # the map and one subgraph per explainer (GCN backbone: no attention)
    assert len(at.get("bidi_component")) == 1 + 4
    fidelity = at.dataframe[0].value
    assert list(fidelity.index) == ["X-Node", "GNNExplainer", "Integrated Gradients", "Saliency"]
    assert fidelity["Fid+"].between(0, 1).all()


def test_a_gat_backbone_adds_the_attention_explainer(monkeypatch, reviews_db):
    at = _page(monkeypatch)
    at.selectbox(key="xnode_model_choice").select("xnode-gat").run()
    assert not at.exception, at.exception
    assert "Attention" in list(at.dataframe[0].value.index)


def test_focus_from_the_shared_selection_and_a_saved_review(monkeypatch, reviews_db):
    at = _page(monkeypatch)
    at.session_state["selection"] = Selection((5,), 5)
    at.run()
    assert at.subheader[0].value == "Node 5"
    at.radio(key="expl_verdict").set_value("reject")
    at.text_area(key="expl_comment").input("degree is not why")
    next(b for b in at.button if b.label == "Save review").click().run()
    assert not at.exception, at.exception
    (review,) = ReviewStore(reviews_db).reviews()
    assert (review.node, review.verdict, review.comment) == (5, "reject", "degree is not why")
    assert "karate" in review.dataset and review.model == "xnode-gcn (shipped)"
    assert review.explanation.startswith("Predicted")
    assert any(c.value.startswith("Last review of node 5: **reject**") for c in at.caption)
    listed = at.dataframe[-1].value
    assert listed["comment"].tolist() == ["degree is not why"]
    labels = [b.label for b in at.get("download_button")]
    assert any("reviews (CSV)" in b for b in labels)
    assert any("(JSON)" in b for b in labels)


def test_reviews_are_listed_in_a_new_session(monkeypatch, reviews_db):
    ReviewStore(reviews_db).add(
        dataset="karate", fingerprint="another graph", model="xnode-gcn (shipped)", node=1, verdict="accept"
    )
    first = _page(monkeypatch)
    first.session_state["selection"] = Selection((3,), 3)
    first.run()
    first.text_area(key="expl_comment").input("clear")
    next(b for b in first.button if b.label == "Save review").click().run()
    again = _page(monkeypatch)  # a new session on the same database
    assert any(c.value.startswith("1 review(s) of xnode-gcn (shipped)") for c in again.caption)
    assert again.dataframe[-1].value["comment"].tolist() == ["clear"]


def _compared(at: AppTest) -> int:
    """How many nodes the map says are compared (the store is shared by sessions of one process)."""
    (caption,) = [c.value for c in at.caption if c.value.startswith("Gray: not compared yet")]
    return int(re.search(r"\((\d+) of 34 nodes are\)", caption).group(1))


def test_comparing_more_nodes_colors_the_map_by_agreement(monkeypatch, reviews_db):
    at = _page(monkeypatch)
    at.selectbox(key="expl_map_color").select("agreement between explainers").run()
    before = _compared(at)
    assert before >= 1  # the focus node at least
    next(b for b in at.button if b.label.startswith("Compare")).click().run()
    assert not at.exception, at.exception
    assert _compared(at) == min(before + 10, 34)


def test_unlabeled_sample_explains_why_nothing_is_shown(monkeypatch, reviews_db):
    at = _page(monkeypatch, "airplane")
    assert "no node labels" in at.info[0].value
    assert not at.get("bidi_component")


def test_the_neighborhood_and_what_would_change_it_come_first_in_plain_words(monkeypatch, reviews_db):
    at = _page(monkeypatch)
    at.session_state["selection"] = Selection((0,), 0)
    at.run()
    assert not at.exception, at.exception
    texts = [m.value for m in at.markdown]

    def first(prefix: str) -> int:
        return next(i for i, t in enumerate(texts) if t.startswith(prefix))

    head, hood, flip = first("**Predicted "), first("**Its neighborhood**"), first("**What would change")
    whole = next(i for i, t in enumerate(texts) if "the runner-up is" in t)
    assert head < hood < flip < whole  # prominent: before the full explanation
    # the labeled neighbors counted on the page are the ones the sentence counts
    labeled = int(re.search(r"\((\d+) of the \d+ nodes have one\)", texts[hood]).group(1))
    assert f"Of the {labeled} nodes within 2 hops with a known (training) label" in texts[whole]
    assert "The model predicts them as " in texts[hood]
    lines = texts[flip].splitlines()[2:]
    assert [line.split(":")[0] for line in lines] == ["- Cue", "- Feature", "- Edge"]
    for line in lines:
        assert "the model then predicts" in line or "tried flips it" in line or "not tried" in line, line
    assert any(c.value.startswith("Each change was checked by running the model") for c in at.caption)
    # the sentence's "what would change it" is the verified search's, not the single-cue guess
    assert "What would change it: " in texts[whole] and "No single cue change we tried" not in texts[whole]
    # the chart's labels are words, its numbers only in tooltips
    (chart,) = [c for c in at.get("plotly_chart") if "What each cue contributes" in c.proto.spec]
    labels = json.loads(chart.proto.spec)["data"][0]["y"]
    assert any(label.startswith("degree: ") and "neighbor" in label for label in labels)
    assert not any(re.search(r"\de-\d", label) for label in labels)
