"""What the Explanations page caches: X-Node's analysis, per-node comparisons, the focus subgraph, exports.

X-Node's analysis of every node is one forward pass (cached per model ``ident``). Post-hoc
explainers cost seconds per node, so they run for the focus node only, on demand, and each
node's :class:`~explain.compare.NodeComparison` is kept in a per-model store shared by the
sessions; the whole-graph map's agreement and fidelity colors come from that store
(:mod:`explain.compare_tables`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st
from torch_geometric.data import Data

from nodescope.app.model_state import ActiveModel, weights_ref
from nodescope.core.models import MODELS
from nodescope.core.models.xnode import BACKBONES
from nodescope.core.reviews import Review, ReviewStore
from nodescope.core.sample import Sample
from nodescope.explain.compare import NodeComparison, attribute, compare_node
from nodescope.explain.compare_tables import comparison_values, explanation_table, with_comparisons
from nodescope.explain.counterfactual import Counterfactual, search
from nodescope.explain.focus import drawable_neighborhood
from nodescope.explain.model_compare import EdgeDifference, edge_difference
from nodescope.explain.neighborhood import NeighborhoodMix, neighborhood_mix
from nodescope.explain.posthoc import Attribution
from nodescope.explain.subgraph import hops_of, prepare_for_explaining
from nodescope.explain.text import NodeExplanation, explain_node
from nodescope.explain.xnode import XNodeResult, analyse
from nodescope.viz.layout import graph_layout
from nodescope.viz.limits import SUBGRAPH_NODES

#: The models this page explains: the X-Node wrappers of each backbone.
XNODE_MODELS: tuple[str, ...] = tuple(f"xnode-{b}" for b in BACKBONES)
MAP_COLORS = ("confidence", "agreement between explainers", "fidelity (X-Node)")


@st.cache_resource(show_spinner="Explaining every node (one forward pass)…", max_entries=8)
def _analysis(ident: str, _active: ActiveModel, _s: Sample) -> XNodeResult:
    return analyse(_active.model, _active.data, class_names=_s.label_names)


def analysis(active: ActiveModel, s: Sample) -> XNodeResult:
    """X-Node's analysis of every node (cached per model)."""
    return _analysis(active.ident, active, s)


def node_explanation(active: ActiveModel, s: Sample, node: int) -> NodeExplanation:
    """X-Node's explanation of ``node`` (:func:`explain.text.explain_node` of the cached analysis).

    Its "what would change it" sentence is the verified search's (:func:`counterfactual`).
    """
    return explain_node(analysis(active, s), node, counterfactual(active, s, node))


@st.cache_resource(show_spinner=False, max_entries=8)
def _counterfactuals(ident: str) -> dict[int, Counterfactual]:
    return {}


@st.cache_resource(show_spinner=False, max_entries=8)
def _prepared(ident: str, _active: ActiveModel) -> Data:
    return prepare_for_explaining(_active.model, _active.data)


def counterfactual(active: ActiveModel, s: Sample, node: int) -> Counterfactual:
    """What would change ``node``'s prediction (:func:`explain.counterfactual.search`; once per model and node)."""
    store = _counterfactuals(active.ident)
    if node not in store:
        store[node] = search(
            active.model, active.data, node, class_names=s.label_names, feature_names=s.feature_names,
            node_label=s.node_label, xnode_result=analysis(active, s), prepared=_prepared(active.ident, active),
        )  # fmt: skip
    return store[node]


def neighborhood(active: ActiveModel, s: Sample, node: int) -> NeighborhoodMix:
    """The known labels and the model's predictions around ``node``, within the label cues' radius."""
    result = analysis(active, s)
    data = active.data
    return neighborhood_mix(
        data.edge_index, node, result.num_nodes, result.predicted, result.class_names,
        hops=result.hops, y=data.get("y"), train_mask=data.get("train_mask"),
    )  # fmt: skip


# ---------------------------------------------------------------- per-node comparisons
@st.cache_resource(show_spinner=False, max_entries=8)
def _store(ident: str) -> dict[int, NodeComparison]:
    return {}


def comparisons(active: ActiveModel) -> dict[int, NodeComparison]:
    """Node → its comparison, for the nodes compared so far with this model."""
    return _store(active.ident)


def comparison(active: ActiveModel, node: int) -> NodeComparison:
    """Every explainer on ``node`` with fidelity (computed once per model and node)."""
    store = _store(active.ident)
    if node not in store:
        store[node] = compare_node(active.model, active.data, node)
    return store[node]


def next_nodes(active: ActiveModel, result: XNodeResult, count: int) -> list[int]:
    """The ``count`` least confident nodes not compared yet."""
    done = comparisons(active)
    order = result.probs.max(1).values.argsort().tolist()
    return [i for i in order if i not in done][:count]


def map_values(active: ActiveModel, result: XNodeResult, choice: str) -> tuple[np.ndarray, str]:
    """(N,) values the whole-graph map colors by, and the color bar's title.

    ``choice`` is one of :data:`MAP_COLORS`; values are NaN where not computed.
    """
    if choice == MAP_COLORS[0]:
        return result.probs.max(1).values.numpy().astype(np.float64), "confidence"
    if choice == MAP_COLORS[1]:
        return comparison_values(comparisons(active), result.num_nodes, "agreement"), "agreement"
    return comparison_values(comparisons(active), result.num_nodes, "fidelity"), "robust Fid+ − Fid−"


# ---------------------------------------------------------------- the focus subgraph
@dataclass(frozen=True)
class SubgraphView:
    """The focus node's neighborhood as drawn.

    Global ``nodes`` (n,), positions ``xy`` (n, 2), ``edge_index`` (2, e) in local ids,
    ``edge_ids`` (e,) columns of the whole graph's edges, ``center`` (local id of the focus) and
    ``hops``.
    """

    nodes: np.ndarray
    xy: np.ndarray
    edge_index: np.ndarray
    edge_ids: np.ndarray
    center: int
    hops: int


@st.cache_data(show_spinner=False, max_entries=128)
def _subgraph(fp: str, ident: str, _active: ActiveModel, node: int) -> SubgraphView:
    data = _active.data
    hood = drawable_neighborhood(
        data.edge_index, node, hops_of(_active.model) or 2, SUBGRAPH_NODES, int(data.num_nodes)
    )
    xy = graph_layout(hood.edge_index, hood.nodes.size, seed=0)
    return SubgraphView(hood.nodes, xy, hood.edge_index, hood.edge_ids, hood.center, hood.hops)


def subgraph(fp: str, active: ActiveModel, node: int) -> SubgraphView:
    """The focus node's k-hop neighborhood (k = the model's depth, or less when too large)."""
    return _subgraph(fp, active.ident, active, node)


# ---------------------------------------------------------------- two models side by side
COMPARE_KEY = "expl_compare"


def compare_keys() -> list[str]:
    """What the page compares an X-Node model with: the other X-Node models and their backbones."""
    return [*XNODE_MODELS, *(b for b in BACKBONES if b in MODELS)]


def shared_method(a: ActiveModel, b: ActiveModel) -> str:
    """The explainer both models are explained with: X-Node's own when both are X-Node, else Saliency.

    Saliency is the edge-weight gradient that X-Node's own edge mask is (:mod:`explain.xnode`),
    so an X-Node model and its backbone are compared on the same quantity.
    """
    both = all(m.key in XNODE_MODELS for m in (a, b))
    return "xnode" if both else "saliency"


@st.cache_resource(show_spinner=False, max_entries=16)
def _attributions(ident: str) -> dict[tuple[int, str], Attribution]:
    return {}


def attribution(active: ActiveModel, node: int, method: str) -> Attribution:
    """One explainer's attribution of ``node`` (:func:`explain.compare.attribute`; once per model, node, method)."""
    store = _attributions(active.ident)
    if (node, method) not in store:
        store[node, method] = attribute(active.model, active.data, node, method)
    return store[node, method]


def importance_difference(a: ActiveModel, b: ActiveModel, node: int, method: str) -> EdgeDifference:
    """B − A of ``node``'s relative edge importance (each model's |mask| over its largest, in [0, 1])."""
    rel = []
    for m in (a, b):
        mask = attribution(m, node, method).edge_mask
        values = np.zeros(m.data.edge_index.shape[1]) if mask is None else mask.detach().abs().cpu().numpy()
        top = float(values.max()) if values.size else 0.0
        rel.append(values / top if top > 0 else values)
    return edge_difference(a.data.edge_index.cpu().numpy(), rel[0], b.data.edge_index.cpu().numpy(), rel[1])


# ---------------------------------------------------------------- export
@st.cache_data(show_spinner=False, max_entries=8)
def _explanations(ident: str, _result: XNodeResult, _s: Sample) -> pd.DataFrame:
    return explanation_table(_result, _s)


def explanations(active: ActiveModel, s: Sample) -> pd.DataFrame:
    """The explanation table: one row per node.

    X-Node's prediction, cues, contributions and text (:func:`explain.text.explain_all`), the true
    label, and, for nodes compared so far, each explainer's fidelity and their agreement.
    """
    return with_comparisons(_explanations(active.ident, analysis(active, s), s), comparisons(active))


# ---------------------------------------------------------------- reviews
def model_label(active: ActiveModel) -> str:
    """How reviews name the model: registry key and where its weights came from."""
    return f"{active.key} ({active.origin})"


def store() -> ReviewStore:
    """Where reviews are kept (:class:`core.reviews.ReviewStore`'s default file)."""
    return ReviewStore()


def history_table(history: list[Review]) -> pd.DataFrame:
    """One node's verdicts, newest first: time, reviewer, verdict, comment and the weights' short hash."""
    return pd.DataFrame(
        {
            "created": [r.created for r in history],
            "reviewer": [r.reviewer or "unsigned" for r in history],
            "verdict": [r.verdict for r in history],
            "comment": [r.comment for r in history],
            "weights": [r.weights_sha256[:12] or "unknown" for r in history],
        }
    ).iloc[::-1]


REVIEWER_KEY = "reviewer"  # session: the name this session's reviews are signed with
REVIEWER_INPUT = "reviewer_input"  # the widget asking for it (gone once given, so copied)


def keep_reviewer() -> None:
    """Keep the name typed into the :data:`REVIEWER_INPUT` box for the rest of the session."""
    name = str(st.session_state.get(REVIEWER_INPUT) or "").strip()
    if name:
        st.session_state[REVIEWER_KEY] = name


def signed_in_user() -> str | None:
    """The signed-in user's name (else e-mail) when the app runs behind Streamlit's authentication."""
    try:
        if not st.user.get("is_logged_in"):
            return None
        return str(st.user.get("name") or st.user.get("email") or "") or None
    except (AttributeError, KeyError, RuntimeError):  # no auth configured
        return None


def reviewer() -> str | None:
    """Who signs this session's reviews: the signed-in user, else the name given once on the page; None yet."""
    return signed_in_user() or st.session_state.get(REVIEWER_KEY) or None


def weights_hash(active: ActiveModel, s: Sample, fp: str) -> str:
    """SHA-256 of ``active``'s weights (:func:`app.model_state.weights_ref`), as reviews record it."""
    ref = weights_ref(s, fp, active.key)
    return ref[1] if ref is not None else ""
