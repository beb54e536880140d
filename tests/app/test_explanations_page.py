"""The Explanations page on Karate club with its shipped X-Node weights: views, focus, reviews, exports."""

import json
import re

import pytest
from streamlit.testing.v1 import AppTest

from nodescope.app import model_state
from nodescope.app.state import Selection
from nodescope.core.loaders import load
from nodescope.core.review_export import reviews_sha256
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
    at.text_input(key="reviewer_input").input("Dr. A").run()
    at.radio(key="expl_verdict").set_value("reject")
    at.text_area(key="expl_comment").input("degree is not why")
    next(b for b in at.button if b.label == "Save review").click().run()
    assert not at.exception, at.exception
    (review,) = ReviewStore(reviews_db).reviews()
    assert (review.node, review.verdict, review.comment) == (5, "reject", "degree is not why")
    assert "karate" in review.dataset and review.model == "xnode-gcn (shipped)"
    assert review.explanation.startswith("Predicted")
    assert any(c.value.startswith("Last review of node 5: **reject** by Dr. A") for c in at.caption)
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
    first.text_input(key="reviewer_input").input("Dr. A").run()
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


def test_a_review_is_signed_by_a_name_asked_once_and_keeps_its_history(monkeypatch, reviews_db):
    at = _page(monkeypatch)
    at.session_state["selection"] = Selection((4,), 4)
    at.run()
    save = next(b for b in at.button if b.label == "Save review")
    assert save.disabled  # no name yet
    at.text_input(key="reviewer_input").input("Dr. Jane Doe").run()
    assert not at.exception, at.exception
    for verdict, comment in (("accept", "fine"), ("reject", "on second thought")):
        assert not [t for t in at.text_input if t.key == "reviewer_input"]  # asked once
        at.radio(key="expl_verdict").set_value(verdict)
        at.text_area(key="expl_comment").input(comment)
        next(b for b in at.button if b.label == "Save review").click().run()
        assert not at.exception, at.exception
    first, second = ReviewStore(reviews_db).reviews()
    assert first.reviewer == second.reviewer == "Dr. Jane Doe"
    shipped = model_state.weights_ref(load("karate"), "", "xnode-gcn")
    assert len(first.weights_sha256) == 64 and first.weights_sha256 == shipped[1]
    assert any(m.value.startswith("**History of node 4** (2 verdict(s)") for m in at.markdown)
    history = next(d.value for d in at.dataframe if "weights" in d.value.columns)
    assert history["verdict"].tolist() == ["reject", "accept"]  # newest first
    assert history["reviewer"].tolist() == ["Dr. Jane Doe"] * 2
    assert any("Reviewing as **Dr. Jane Doe**" in c.value for c in at.caption)
    digest = reviews_sha256([first, second])
    assert any(digest in c.value for c in at.caption)


def _figure_keys(at: AppTest) -> set[str]:
    return {e.proto.id.rsplit("-", 1)[-1] for e in at.get("bidi_component")}


def test_compare_an_x_node_model_with_its_backbone(monkeypatch, reviews_db):
    at = _page(monkeypatch)
    picker = at.selectbox(key="expl_compare")
    assert picker.value == "nothing" and {"X-Node (GAT)", "GCN", "X-Node (GCN), seed 1"} <= set(
        picker.options
    )
    assert "X-Node (GIN)" in picker.options and "GIN" not in picker.options  # no GIN weights shipped
    assert any(c.value.startswith("Not offered: GIN (no weights for") for c in at.caption)
    at.session_state["selection"] = Selection((0,), 0)
    picker.select("gcn").run()
    assert not at.exception, at.exception
    assert any(h.value == "X-Node (GCN) against GCN on node 0" for h in at.subheader)
    assert {"expl_cmp_a", "expl_cmp_b", "expl_cmp_diff"} <= _figure_keys(at)
    assert any("Saliency edge importance of each model" in c.value for c in at.caption)
    predicted = [m.value for m in at.markdown if m.value.startswith("- **A: X-Node (GCN)**")]
    assert predicted and "**B: GCN** predicts" in predicted[0]
    edges = next(d.value for d in at.dataframe if "B − A" in d.value.columns)
    assert len(edges) == 15 and edges["B − A"].abs().is_monotonic_decreasing
    # another X-Node model is compared on X-Node's own explanation
    at.selectbox(key="expl_compare").select("xnode-gat").run()
    assert not at.exception, at.exception
    assert any("X-Node edge importance of each model" in c.value for c in at.caption)
