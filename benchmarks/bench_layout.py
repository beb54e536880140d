"""Time graph_layout and the node-link figure on random graphs; write benchmarks/results/layout.json.

For 10k and 100k nodes with 5 random undirected edges per node (100k nodes -> 500k edges,
1M directed): median of 3 runs of the layout, of building ``node_link_figure`` (with
labels, a selection and a focus node) and of ``fig.to_json()``, plus the JSON size.

Run: ``.venv/bin/python benchmarks/bench_layout.py``
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from common import summarize, write

from nodescope.viz.graph_view import node_link_figure
from nodescope.viz.layout import graph_layout

REPO = Path(__file__).resolve().parents[1]

SIZES = (10_000, 100_000)
EDGES_PER_NODE = 5
RUNS = 3


def random_graph(n: int, seed: int = 0) -> np.ndarray:
    """(2, 2 * 5n) directed edge index of a random graph (both directions, as PyG stores it)."""
    rng = np.random.default_rng(seed)
    e = rng.integers(0, n, (2, EDGES_PER_NODE * n))
    return np.concatenate([e, e[::-1]], 1)


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def bench(n: int) -> dict:
    ei = random_graph(n)
    labels = np.arange(n) % 7
    times: dict[str, list[float]] = {"layout": [], "figure": [], "to_json": []}
    size = 0
    for _ in range(RUNS):
        xy, t = timed(lambda: graph_layout(ei, n, seed=0))
        times["layout"].append(t)
        fig, t = timed(
            lambda xy=xy: node_link_figure(xy, ei, labels=labels, selected=list(range(50)), focus=0)
        )
        times["figure"].append(t)
        js, t = timed(fig.to_json)
        times["to_json"].append(t)
        size = len(js)
    out = {"nodes": n, "directed_edges": int(ei.shape[1]), "json_mb": round(size / 1e6, 2)}
    out.update({k: summarize(v) for k, v in times.items()})
    print(
        f"{n:>7,} nodes / {ei.shape[1]:>9,} directed edges: layout {out['layout']['median_s']:.2f} s, "
        f"figure {out['figure']['median_s']:.2f} s, to_json {out['to_json']['median_s']:.2f} s ({out['json_mb']} MB)"
    )
    return out


def main() -> None:
    results = [bench(n) for n in SIZES]
    write(
        "layout",
        {"what": "graph_layout + node_link_figure on random graphs (median of 3)", "results": results},
    )


if __name__ == "__main__":
    main()
