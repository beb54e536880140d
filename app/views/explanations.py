"""Explanations: why an X-Node model predicts what it does for each node, beside post-hoc explainers, reviewable."""

import streamlit as st

from nodescope.app import components as ui
from nodescope.app import explanations_data as ed
from nodescope.app import model_state, permalink, state
from nodescope.core.export import json_bytes
from nodescope.core.reviews import VERDICTS
from nodescope.explain.compare_tables import agreement_shown, edge_scores, fidelity_line, fidelity_styled
from nodescope.explain.focus import default_focus
from nodescope.explain.report import method_title
from nodescope.viz.explanation_view import contributions_figure, importance_subgraph_figure
from nodescope.viz.graph_view import node_link_figure

s = state.sample()
fp = state.fingerprint(s)

st.title("Explanations")
st.caption(
    "An X-Node model explains each node itself: from readable cues (degree, centrality, clustering, "
    "nearby training labels, its own features) it builds an explanation that feeds the prediction. "
    "Compare it with post-hoc explainers, see how faithful each is, and accept or reject it."
)
active = model_state.model_picker(s, fp, only=ed.XNODE_MODELS, widget_key="xnode_model_choice")
if active is not None:
    result = ed.analysis(active, s)
    # Events first, so every view below draws the focus they set.
    ui.take_chart_event("expl_map")
    for method in ("xnode", "gnnexplainer", "ig", "saliency", "attention"):
        ui.take_chart_event(f"expl_sub_{method}")
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

    st.subheader("Review")
    reviews = ed.store()
    label = ed.model_label(active)
    with st.form("expl_review", clear_on_submit=True):
        verdict = st.radio(
            f"Node {s.node_label(focus)}'s explanation", VERDICTS, horizontal=True, key="expl_verdict"
        )
        comment = st.text_area("Comment", key="expl_comment", placeholder="what is right or wrong about it")
        if st.form_submit_button("Save review", type="primary"):
            reviews.add(
                dataset=s.name, fingerprint=fp, model=label, node=focus, verdict=verdict,
                comment=comment, explanation=words.text,
            )  # fmt: skip
            st.toast(f"Review of node {s.node_label(focus)} saved")
    previous = reviews.latest(fingerprint=fp, model=label).get(focus)
    if previous is not None:
        st.caption(
            f"Last review of node {s.node_label(focus)}: **{previous.verdict}** ({previous.created})"
            + (f": {previous.comment}" if previous.comment else "")
        )
    table = reviews.frame(fingerprint=fp, model=label)
    st.caption(f"{len(table)} review(s) of {label} on {s.name}, stored in {reviews.path}")
    if len(table):
        st.dataframe(
            table[["created", "node", "verdict", "comment"]].iloc[::-1], hide_index=True, width="stretch"
        )
    c_reviews, c_csv, c_json = st.columns(3)
    c_reviews.download_button(
        "Download reviews (CSV)",
        lambda: reviews.to_csv(fingerprint=fp, model=label).encode(),
        file_name=f"{s.name}-{active.key}-reviews.csv",
        mime="text/csv",
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
