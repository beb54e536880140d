"""The Attention page on a sample with shipped weights, and without labels."""

import json

from streamlit.testing.v1 import AppTest

from tests.app.pages import open_page


def _attention_page(monkeypatch, source: str) -> AppTest:
    return open_page(monkeypatch, source, "views/attention.py", timeout=180)


def test_shipped_gat_shows_every_view(monkeypatch):
    at = _attention_page(monkeypatch, "karate")
    captions = " ".join(c.value for c in at.caption)
    assert "weights shipped" in captions
    # node-link, head grid, large map, salience vs importance
    assert len(at.get("bidi_component")) == 4
    assert len(at.tabs) == 2  # one table pair per layer
    assert any(m.label.startswith("Specialization") for m in at.metric)


def test_choosing_a_head_changes_the_layer_options(monkeypatch):
    at = _attention_page(monkeypatch, "karate")
    assert at.selectbox(key="attn_head").options[:2] == ["mean over heads", "max over heads"]
    at.selectbox(key="attn_head").select("head 3").run()
    assert not at.exception, at.exception
    assert "head 3" in " ".join(c.value for c in at.caption)


def test_unlabeled_sample_explains_why_nothing_is_shown(monkeypatch):
    at = _attention_page(monkeypatch, "airplane")
    assert "no node labels" in at.info[0].value


def _figures(at: AppTest) -> dict[str, dict]:
    """Each plotly_view's figure, by the end of its element id (the view's key)."""
    return {
        e.proto.id.rsplit("-", 1)[-1]: json.loads(e.proto.bytes)["figure"] for e in at.get("bidi_component")
    }


def test_gps_shows_its_global_attention_and_follows_the_chosen_head(monkeypatch):
    at = _attention_page(monkeypatch, "karate")
    at.selectbox(key="model_choice").select("gps").run()
    assert not at.exception, at.exception
    assert not any("not built yet" in i.value for i in at.info)
    figures = _figures(at)
    assert set(figures) == {"attn_global_graph", "attn_global_grid"}
    graph = figures["attn_global_graph"]
    assert [t["name"] for t in graph["data"]][:2] == ["graph edges", "10 most attended"]
    assert "over all 34 nodes" in graph["layout"]["title"]["text"]
    layers, heads = len(at.tabs), len(at.selectbox(key="attn_global_head").options) - 2
    assert len(figures["attn_global_grid"]["data"]) == layers * heads  # one row strip per head
    assert any(m.label.startswith("Attention on its 1-hop neighbors") for m in at.metric)
    stats = at.dataframe[0].value
    assert len(stats) == layers * heads
    assert ((stats["self"] + stats["neighbors"] + stats["beyond"]) - 1).abs().max() < 1e-4
    # causal importance of every global head, from switching each off alone
    (importance,) = at.get("plotly_chart")
    assert "error (points)" in importance.proto.spec and any(m.label == "Specialization" for m in at.metric)

    def node_colors() -> list[float]:
        nodes = next(t for t in _figures(at)["attn_global_graph"]["data"] if t["name"] == "nodes")
        return nodes["marker"]["color"]

    before = node_colors()
    at.selectbox(key="attn_global_layer").select(f"attention {layers}").run()
    at.selectbox(key="attn_global_head").select("head 2").run()
    assert not at.exception, at.exception
    assert node_colors() != before
    grid = _figures(at)["attn_global_grid"]
    assert len(grid["layout"]["shapes"]) == 1  # the chosen head's frame


def test_near_uniform_attention_is_said_in_words(monkeypatch):
    """Karate's shipped GAT spreads its attention almost evenly (entropy 99 % of uniform's)."""
    at = _attention_page(monkeypatch, "karate")
    warnings = [w.value for w in at.warning]
    assert any("attention is near uniform" in w for w in warnings), warnings
    assert not any("not learned" in w for w in warnings)  # 86 % on a 50 % majority class


def test_ba_shapes_gat_learns_with_structural_inputs_and_says_nothing(monkeypatch):
    """With degree and random-walk inputs the shipped GAT leaves the majority class and its uniform attention."""
    at = _attention_page(monkeypatch, "ba-shapes")
    assert at.selectbox(key="model_choice").value == "gat"
    assert not [w.value for w in at.warning]


def test_compare_with_gatv2_draws_both_and_their_difference(monkeypatch):
    at = _attention_page(monkeypatch, "karate")
    picker = at.selectbox(key="attn_compare")
    assert picker.options[0] == "nothing (one model)" and "GATv2" in picker.options
    assert picker.options[-1] == "GAT, seed 1"
    picker.select("gatv2").run()
    assert not at.exception, at.exception
    assert any(h.value == "GAT against GATv2" for h in at.subheader)
    figures = _figures(at)
    assert {"attn_cmp_a", "attn_cmp_b", "attn_cmp_diff"} <= set(figures)
    names = [t.get("name", "") for t in figures["attn_cmp_diff"]["data"]]
    assert any(n.startswith("prediction differs (") for n in names)
    edges = next(d.value for d in at.dataframe if "B − A" in d.value.columns)
    assert len(edges) >= 10 and edges["B − A"].abs().iloc[0] > 0
    # one selection: the same focus for both, set by the page's other views
    at.selectbox(key="attn_head").select("head 2").run()
    assert not at.exception, at.exception
    assert any("B = GATv2, conv 1, head 2" in c.value for c in at.caption)


def test_a_second_seed_is_trained_on_request(monkeypatch):
    at = _attention_page(monkeypatch, "karate")
    at.selectbox(key="attn_compare").select("gat@1").run()
    train = next(b for b in at.button if b.label.startswith("Train GAT (seed 1)"))
    train.click().run()
    assert not at.exception, at.exception
    assert any(h.value == "GAT (shipped) against GAT, seed 1" for h in at.subheader)
    assert any("weights trained here (seed 1)" in c.value for c in at.caption)
