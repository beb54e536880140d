"""The Attention page's global-attention view on a graph too large to draw whole (the analyses
themselves are tested in tests/explain/test_global_focus.py)."""

import numpy as np
import torch
from torch_geometric.data import Data
from torch_geometric.utils import erdos_renyi_graph, to_undirected

from nodescope.app import attention_data as ad
from nodescope.app import state
from nodescope.app.model_state import ActiveModel
from nodescope.core.models import MODELS, build
from nodescope.core.sample import Sample
from nodescope.core.training import with_split


def test_a_large_graph_draws_the_focus_and_its_most_attended_nodes():
    n = ad.WHOLE_GRAPH_NODES + 500
    torch.manual_seed(0)
    edges = to_undirected(erdos_renyi_graph(n, 4 / n))
    s = Sample(
        Data(x=torch.randn(n, 8), edge_index=edges, y=torch.randint(0, 3, (n,))),
        "graph", "random", "test:random", [f"f{i}" for i in range(8)], ["a", "b", "c"],
    )  # fmt: skip
    model = build(MODELS["gps"].config(8, 3)).eval()
    active = ActiveModel(
        "gps", model, model.prepare(with_split(s.data, seed=0)), "trained here", None, "test:gps"
    )
    focus = 7
    g = ad.global_focus(active, focus)
    row = ad.global_row(g, g.layer_names[-1], ad.MEAN)
    view = ad.global_view(s, state.fingerprint(s), row, focus)
    assert view.nodes.size == ad.GLOBAL_TOP_K + 1 and view.nodes[view.focus] == focus
    others = np.setdiff1d(np.arange(n), view.nodes)
    assert row[np.setdiff1d(view.nodes, [focus])].min() >= row[others].max()
    kept = np.isin(edges, view.nodes).all(0)
    assert view.edge_index.shape[1] == int(kept.sum())  # the graph edges among the drawn nodes
    table = ad.global_ranked_table(s, g, 0, "head 1", k=5)
    assert list(table.columns[:4]) == ["node", "alpha", "x_uniform", "hops"] and len(table) == 5
    assert "class" in table  # named after the sample
