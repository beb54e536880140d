"""Explanations: why an X-Node model predicts what it does for each node, beside post-hoc explainers, reviewable."""

import numpy as np
import streamlit as st

from nodescope.app import components as ui
from nodescope.app import explanations_data as ed
from nodescope.app import model_state, permalink, state
from nodescope.app.model_state import ActiveModel
from nodescope.core.export import json_bytes
from nodescope.core.models import MODELS
from nodescope.core.review_export import reviews_csv, reviews_html, reviews_sha256
from nodescope.core.reviews import VERDICTS
from nodescope.core.sample import Sample
from nodescope.explain.compare_tables import agreement_shown, edge_scores, fidelity_line, fidelity_styled
from nodescope.explain.focus import default_focus
from nodescope.explain.report import method_title
from nodescope.viz.compare_view import difference_graph_figure
from nodescope.viz.explanation_view import contributions_figure, importance_subgraph_figure
from nodescope.viz.graph_view import node_link_figure


def compare_views(s: Sample, fp: str, a: ActiveModel, b: ActiveModel, focus: int) -> None:
    """Model A (the page's) and model B explaining the same node side by side, and where they differ."""
    name_a, name_b = MODELS[a.key].title, model_state.compare_title(b)
    if a.key == b.key:  # two seeds of one model
        name_a = f"{name_a} ({a.origin})"
    method = ed.shared_method(a, b)
    st.subheader(f"{name_a} against {name_b} on node {s.node_label(focus)}")
    with st.spinner(f"Explaining node {s.node_label(focus)} with {name_b}…"):
        diff = ed.importance_difference(a, b, focus, method)
    lines = []
    for tag, name, m in (("A", name_a, a), ("B", name_b, b)):
        probs = model_state.outputs(m).logits[focus].softmax(-1)
        lines.append(
            f"- **{tag}: {name}** predicts {s.class_name(int(probs.argmax()))} ({float(probs.max()):.0%})"
        )
    st.markdown("\n".join(lines))
    differs = model_state.disagreement(s, a, b)
    view = ed.subgraph(fp, a, focus)
    drawn = a.data.edge_index[:, view.edge_ids].cpu().numpy()
    hover = ui.hover_texts(fp, s)
    local = {int(g): k for k, g in enumerate(view.nodes)}
    st.caption(
        f"{method_title(method)} edge importance of each model, relative to its own largest (0 to 1); right: "
        "B − A per edge (red: B relies on it more, blue: A does); diamonds: nodes the models predict differently."
    )
    columns = st.columns(3)
    for column, (key, title, what) in zip(
        columns, (("expl_cmp_a", f"A: {name_a}", "a"), ("expl_cmp_b", f"B: {name_b}", "b")), strict=False
    ):
        with column:
            fig = importance_subgraph_figure(
                view.xy, view.edge_index, np.nan_to_num(diff.on(drawn, what)), node_ids=view.nodes,
                center=view.center, hover=[hover[int(g)] for g in view.nodes], title=title, height=320,
                show_scale=False,
            )  # fmt: skip
            ui.chart(fig, key, fp, height=320)
    with columns[2]:
        fig = difference_graph_figure(
            view.xy, view.edge_index, diff.on(drawn), node_ids=view.nodes, title="B − A", height=320,
            disagree=[local[v] for v in differs["node"] if v in local], focus=view.center,
            hover=[hover[int(g)] for g in view.nodes],
        )  # fmt: skip
        ui.chart(fig, "expl_cmp_diff", fp, height=320)
    c_edges, c_nodes = st.columns(2)
    with c_edges:
        st.markdown(f"**Edges whose importance differs most** for node {s.node_label(focus)}")
        st.dataframe(diff.ranked(15), hide_index=True, width="stretch", height=280)
    with c_nodes:
        st.markdown(f"**Nodes whose prediction differs**: {len(differs)} of {s.num_nodes}")
        if len(differs):
            st.dataframe(differs, hide_index=True, width="stretch", height=280)


s = state.sample()
fp = state.fingerprint(s)

st.title("Explanations")
st.caption(
    "An X-Node model explains each node itself: from readable cues (degree, centrality, clustering, "
    "nearby training labels, its own features) it builds an explanation that feeds the prediction. "
    "Compare it with post-hoc explainers, see how faithful each is, and accept or reject it."
)
active = model_state.model_picker(s, fp, only=ed.XNODE_MODELS, widget_key="xnode_model_choice")
other = None
if active is not None:
    other = model_state.compare_picker(s, fp, active, keys=ed.compare_keys(), widget_key=ed.COMPARE_KEY)
if active is not None:
    result = ed.analysis(active, s)
    # Events first, so every view below draws the focus they set.
    ui.take_chart_event("expl_map")
    for method in ("xnode", "gnnexplainer", "ig", "saliency", "attention"):
        ui.take_chart_event(f"expl_sub_{method}")
    for compared in ("expl_cmp_a", "expl_cmp_b", "expl_cmp_diff"):
        ui.take_chart_event(compared)
    sel = state.selection()
    if sel.focus is not None and sel.focus < result.num_nodes:
        focus = sel.focus
    else:
        focus = default_focus(active.data.edge_index, result.num_nodes, probs=result.probs)
    with st.spinner(f"Searching what would change node {s.node_label(focus)}'s prediction…"):
        words = ed.node_explanation(active, s, focus)
    flip = ed.counterfactual(active, s, focus)
    around = ed.neighborhood(active, s, focus)

    left, right = st.columns([3, 2])
    with left:
        c_color, c_more = st.columns([2, 1])
        permalink.choose("c", "expl_map_color", ed.MAP_COLORS)  # a copied link's coloring, once
        color = c_color.selectbox("Color nodes by", ed.MAP_COLORS, key="expl_map_color")
        permalink.note("c", color)
        values, color_title = ed.map_values(active, result, color)
        done = len(ed.comparisons(active))
        if color != ed.MAP_COLORS[0]:
            st.caption(
                f"Gray: not compared yet ({done} of {result.num_nodes} nodes are). Post-hoc explainers take "
                "seconds per node; compare the least confident nodes first."
            )
        with c_more:
            count = min(10, result.num_nodes - done)
            if count > 0 and st.button(f"Compare {count} more nodes", help="least confident first"):
                todo = ed.next_nodes(active, result, count)
                bar = st.progress(0.0, text="Running every explainer…")
                for k, node in enumerate(todo, 1):
                    ed.comparison(active, node)
                    bar.progress(k / len(todo), text=f"node {s.node_label(node)} ({k}/{len(todo)})")
                st.rerun()
        fig = node_link_figure(
            ui.layout_xy(fp, s),
            s.data.edge_index.numpy(),
            edge_image=ui.edge_image(fp, s),
            title="Every node (click one to explain it)",
            color=values,
            color_title=color_title,
            colorscale="RdYlGn",
            hover=ui.hover_texts(fp, s),
            selected=sel.nodes,
            focus=focus,
        )
        ui.chart(fig, "expl_map", fp, height=480)
    with right:
        st.subheader(f"Node {s.node_label(focus)}")
        if sel.focus is None:
            st.caption("No node selected: showing the least confident node.")
        st.markdown(
            f"**Predicted {words.predicted}** ({words.confidence:.0%})"
            + (f"; runner-up {words.runner_up} ({words.runner_up_confidence:.0%})" if words.runner_up else "")
        )
        st.markdown("**Its neighborhood**\n\n" + "\n".join(f"- {line}" for line in around.lines()))
        st.markdown(
            "**What would change the prediction**\n\n" + "\n".join(f"- {line}" for line in flip.lines())
        )
        st.caption(
            f"Each change was checked by running the model on the changed graph "
            f"({sum(flip.tried.values())} candidates in {flip.seconds:.1f} s)."
        )
        with st.expander("The whole explanation in words", expanded=True):
            st.markdown(words.text)
        cues = words.cues
        ui.plot(
            contributions_figure(
                cues["cue"].tolist(), cues["contribution"].to_numpy(), words=cues["short"].tolist(),
                hover=[f"{w}; value {v}" for w, v in zip(cues["words"], cues["shown"], strict=True)],
                title="What each cue contributes (probability points)",
            ),
            "expl_contributions", config={},
        )  # fmt: skip

    st.subheader(f"Node {s.node_label(focus)} under every explainer")
    with st.spinner(f"Explaining node {s.node_label(focus)} with every explainer and scoring fidelity…"):
        cmp = ed.comparison(active, focus)
    view = ed.subgraph(fp, active, focus)
    st.caption(
        f"Its {view.hops}-hop neighborhood ({view.nodes.size} nodes); edges wider and darker the more "
        f"important to each explainer (each on its own scale). Agreement between explainers (mean "
        f"overlap of their top {cmp.top_k} edges, 20 % of those that reach it): **{agreement_shown(cmp)}**."
    )
    hover = ui.hover_texts(fp, s)
    methods = list(cmp.attributions)
    for column, method in zip(st.columns(len(methods)), methods, strict=True):
        with column:
            fig = importance_subgraph_figure(
                view.xy, view.edge_index, edge_scores(cmp, method, view.edge_ids),
                node_ids=view.nodes, center=view.center, hover=[hover[int(g)] for g in view.nodes],
                title=method_title(method), height=320, show_scale=False,
            )  # fmt: skip
            ui.chart(fig, f"expl_sub_{method}", fp, height=320)
            st.caption(fidelity_line(cmp, method))
    for method, why in cmp.errors.items():
        st.caption(f"{method_title(method)}: {why}")
    st.dataframe(fidelity_styled(cmp), width="stretch")
    st.caption(
        "Fid+ (PyG): does the prediction change without the top edges (1 yes; high is good). Fid−: does "
        "it change with only them (low is good). prob. Fid+ / Fid−: the same as the drop in the predicted "
        "class's probability. Robust fidelity (Zheng et al., 2024) removes a random part instead: the drop "
        "without a random 10% of the top edges (high is good), and with the top edges and a random 90% of "
        "the others (low is good). n/a: the measure does not apply to this node, for the reason given."
    )

    if other is not None:
        compare_views(s, fp, active, other, focus)

    st.subheader("Review")
    reviews = ed.store()
    label = ed.model_label(active)
    who = ed.reviewer()
    if who is None:
        st.text_input(
            "Your name (signs your reviews in this session)", key=ed.REVIEWER_INPUT, on_change=ed.keep_reviewer,
            placeholder="e.g. Dr. Jane Doe", help="Asked once per session; every review you save carries it.",
        )  # fmt: skip
    else:
        st.caption(
            f"Reviewing as **{who}**; reviews record it with the weights' SHA-256 "
            f"({ed.weights_hash(active, s, fp)[:12]}…)."
        )
    with st.form("expl_review", clear_on_submit=True):
        verdict = st.radio(
            f"Node {s.node_label(focus)}'s explanation", VERDICTS, horizontal=True, key="expl_verdict"
        )
        comment = st.text_area("Comment", key="expl_comment", placeholder="what is right or wrong about it")
        if st.form_submit_button("Save review", type="primary", disabled=who is None):
            reviews.add(
                dataset=s.name, fingerprint=fp, model=label, node=focus, verdict=verdict, comment=comment,
                explanation=words.text, reviewer=who or "", weights_sha256=ed.weights_hash(active, s, fp),
            )  # fmt: skip
            st.toast(f"Review of node {s.node_label(focus)} saved")
    if who is None:
        st.caption("Give your name above to save a review.")
    history = reviews.history(fingerprint=fp, model=label, node=focus)
    if history:
        last = history[-1]
        st.caption(
            f"Last review of node {s.node_label(focus)}: **{last.verdict}** by {last.reviewer or 'unsigned'} "
            f"({last.created})" + (f": {last.comment}" if last.comment else "")
        )
        st.markdown(
            f"**History of node {s.node_label(focus)}** ({len(history)} verdict(s); the newest stands)"
        )
        st.dataframe(ed.history_table(history), hide_index=True, width="stretch")
    table = reviews.frame(fingerprint=fp, model=label)
    st.caption(
        f"{len(table)} review(s) of {label} on {s.name}, stored in {reviews.path}. Reviews are never "
        "changed or deleted: a new verdict supersedes the old one."
    )
    if len(table):
        st.dataframe(
            table[["created", "reviewer", "node", "verdict", "comment"]].iloc[::-1], hide_index=True,
            width="stretch",
        )  # fmt: skip
    signed = reviews.reviews(fingerprint=fp, model=label)
    st.caption(
        f"Content SHA-256 of these {len(signed)} review(s): `{reviews_sha256(signed)}`. The CSV's last line and "
        "the printable page carry it; `nodescope reviews verify FILE.csv --expected HASH` re-hashes a file."
    )
    c_reviews, c_print, c_csv, c_json = st.columns(4)
    c_reviews.download_button(
        "Download reviews (CSV)",
        lambda: reviews_csv(signed).encode(),
        file_name=f"{s.name}-{active.key}-reviews.csv",
        mime="text/csv",
        on_click="ignore",
    )
    c_print.download_button(
        "Printable reviews (HTML)",
        lambda: reviews_html(signed, title=f"Reviews of {label} on {s.name}").encode(),
        file_name=f"{s.name}-{active.key}-reviews.html",
        mime="text/html",
        on_click="ignore",
    )
    every = ed.explanations(active, s)
    c_csv.download_button(
        "Download every node's explanation (CSV)",
        lambda: every.to_csv(index=False).encode(),
        file_name=f"{s.name}-{active.key}-explanations.csv",
        mime="text/csv",
        on_click="ignore",
    )
    c_json.download_button(
        "Download every node's explanation (JSON)",
        lambda: json_bytes(every),
        file_name=f"{s.name}-{active.key}-explanations.json",
        mime="application/json",
        on_click="ignore",
    )
    st.caption(f"{len(every)} nodes; X-Node explained all of them in {result.seconds:.2f} s.")
