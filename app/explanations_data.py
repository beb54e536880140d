"""What the Explanations page computes and caches: X-Node's analysis, per-node comparisons, the map, exports.

X-Node's analysis of every node is one forward pass (cached per model ``ident``). Post-hoc
explainers cost seconds per node, so they run for the focus node only, on demand, and each
node's :class:`~explain.compare.NodeComparison` is kept in a per-model store shared by the
sessions; the whole-graph map's agreement and fidelity colours come from that store.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st
import torch
from torch_geometric.utils import k_hop_subgraph

from nodescope.app.model_state import ActiveModel
from nodescope.core.models.xnode import BACKBONES
from nodescope.core.reviews import ReviewStore
from nodescope.core.sample import Sample
from nodescope.explain.compare import NodeComparison, compare_node
from nodescope.explain.report import TITLES
from nodescope.explain.subgraph import hops_of
from nodescope.explain.text import NodeExplanation, explain_all, explain_node
from nodescope.explain.xnode import XNodeResult, analyse
from nodescope.viz.layout import graph_layout

#: The models this page explains: the X-Node wrappers of each backbone.
XNODE_MODELS: tuple[str, ...] = tuple(f"xnode-{b}" for b in BACKBONES)
MAP_COLOURS = ("confidence", "agreement between explainers", "fidelity (X-Node)")
#: Subgraphs larger than this are drawn as the 1-hop neighbourhood instead.
SUBGRAPH_NODES = 300


@st.cache_resource(show_spinner="Explaining every node (one forward pass)…", max_entries=8)
def _analysis(ident: str, _active: ActiveModel, _s: Sample) -> XNodeResult:
    return analyse(_active.model, _active.data, class_names=_s.label_names)


def analysis(active: ActiveModel, s: Sample) -> XNodeResult:
    """X-Node's analysis of every node (cached per model)."""
    return _analysis(active.ident, active, s)


def node_explanation(active: ActiveModel, s: Sample, node: int) -> NodeExplanation:
    return explain_node(analysis(active, s), node)


def default_focus(result: XNodeResult) -> int:
    """The least confident node: the first one worth a second look."""
    return int(result.probs.max(1).values.argmin())


def title(method: str) -> str:
    return TITLES.get(method, method)


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


def fidelity_table(cmp: NodeComparison) -> pd.DataFrame:
    """One row per method: PyG Fid+/Fid- and the robust fidelities, indexed by the method's title."""
    cols = [
        c
        for c in ("fid_plus", "fid_minus", "robust_fid_plus", "robust_fid_minus", "auroc")
        if c in cmp.fidelity
    ]
    frame = cmp.fidelity.set_index("method")[cols]
    frame.index = [title(m) for m in frame.index]
    return frame.rename(
        columns={
            "fid_plus": "Fid+",
            "fid_minus": "Fid−",
            "robust_fid_plus": "robust Fid+ (α=0.1)",
            "robust_fid_minus": "robust Fid− (α=0.9)",
            "auroc": "AUROC vs motif",
        }
    )


def fidelity_line(cmp: NodeComparison, method: str) -> str:
    """One method's fidelity in a line: PyG Fid+/Fid- and the robust pair."""
    row = cmp.fidelity[cmp.fidelity["method"] == method]
    if not len(row):
        return "no edge mask to score"
    r = row.iloc[0]
    return (
        f"Fid+ {r['fid_plus']:.0f} · Fid− {r['fid_minus']:.0f} · "
        f"robust {r['robust_fid_plus']:.3f} / {r['robust_fid_minus']:.3f}"
    )


def map_values(active: ActiveModel, result: XNodeResult, choice: str) -> tuple[np.ndarray, str]:
    """(N,) values the whole-graph map colours by and the colour bar's title; NaN where not computed."""
    if choice == MAP_COLOURS[0]:
        return result.probs.max(1).values.numpy().astype(np.float64), "confidence"
    values = np.full(result.num_nodes, np.nan)
    for node, cmp in comparisons(active).items():
        if choice == MAP_COLOURS[1]:
            values[node] = cmp.agreement
        else:
            row = cmp.fidelity[cmp.fidelity["method"] == "xnode"]
            if len(row):
                values[node] = float(row["robust_fid_plus"].iloc[0] - row["robust_fid_minus"].iloc[0])
    return values, "agreement" if choice == MAP_COLOURS[1] else "robust Fid+ − Fid−"


# ---------------------------------------------------------------- the focus subgraph
@dataclass(frozen=True)
class SubgraphView:
    """The focus node's neighbourhood as drawn: global ``nodes`` (n,), positions ``xy`` (n, 2),
    ``edge_index`` (2, e) in local ids, ``edge_ids`` (e,) columns of the whole graph's edges,
    ``center`` (local id of the focus) and ``hops``."""

    nodes: np.ndarray
    xy: np.ndarray
    edge_index: np.ndarray
    edge_ids: np.ndarray
    center: int
    hops: int


@st.cache_data(show_spinner=False, max_entries=128)
def _subgraph(fp: str, ident: str, _active: ActiveModel, node: int) -> SubgraphView:
    ei = _active.data.edge_index.cpu()
    n = int(_active.data.num_nodes)
    for hops in range(hops_of(_active.model) or 2, 0, -1):  # the widest that stays readable
        subset, local, mapping, mask = k_hop_subgraph(node, hops, ei, relabel_nodes=True, num_nodes=n)
        if subset.numel() <= SUBGRAPH_NODES or hops == 1:
            break
    xy = graph_layout(local.numpy(), subset.numel(), seed=0)
    return SubgraphView(
        subset.numpy(), xy, local.numpy(), mask.nonzero().flatten().numpy(), int(mapping[0]), hops
    )


def subgraph(fp: str, active: ActiveModel, node: int) -> SubgraphView:
    """The focus node's k-hop neighbourhood (k = the model's depth, or less when too large)."""
    return _subgraph(fp, active.ident, active, node)


def edge_scores(cmp: NodeComparison, method: str, view: SubgraphView) -> np.ndarray:
    """(e,) the method's edge importance on the drawn edges."""
    mask = cmp.attributions[method].edge_mask
    return np.zeros(len(view.edge_ids)) if mask is None else mask[torch.from_numpy(view.edge_ids)].numpy()


# ---------------------------------------------------------------- export
@st.cache_data(show_spinner=False, max_entries=8)
def _explanations(ident: str, _result: XNodeResult, _s: Sample) -> pd.DataFrame:
    table = explain_all(_result)
    y = _s.data.get("y")
    if y is not None:
        table.insert(3, "true_label", [_s.class_name(int(c)) if int(c) >= 0 else "" for c in y.tolist()])
    if _s.node_names is not None:
        table.insert(1, "name", list(_s.node_names))
    return table


def explanations(active: ActiveModel, s: Sample) -> pd.DataFrame:
    """One row per node: X-Node's prediction, cues, contributions and text (:func:`explain.text.explain_all`),
    the true label, and, for nodes compared so far, each explainer's fidelity and their agreement."""
    table = _explanations(active.ident, analysis(active, s), s).copy()
    done = comparisons(active)
    if done:
        extra = pd.DataFrame({"node": list(done), "agreement": [c.agreement for c in done.values()]})
        for method in {m for c in done.values() for m in c.fidelity["method"]}:
            extra[f"{method} robust_fid_plus"] = [_fid(c, method, "robust_fid_plus") for c in done.values()]
            extra[f"{method} robust_fid_minus"] = [_fid(c, method, "robust_fid_minus") for c in done.values()]
        table = table.merge(extra, on="node", how="left")
    return table


def _fid(cmp: NodeComparison, method: str, column: str) -> float:
    row = cmp.fidelity[cmp.fidelity["method"] == method]
    return float(row[column].iloc[0]) if len(row) else math.nan


def as_json(table: pd.DataFrame) -> bytes:
    """The table as a JSON list of objects (NaN → null)."""
    records = json.loads(table.to_json(orient="records"))
    return json.dumps(records, indent=1, ensure_ascii=False).encode()


# ---------------------------------------------------------------- reviews
def model_label(active: ActiveModel) -> str:
    """How reviews name the model: registry key and where its weights came from."""
    return f"{active.key} ({active.origin})"


def store() -> ReviewStore:
    return ReviewStore()
