"""Time the attention analyses; write benchmarks/results/attention.json.

1. ``attention_maps`` (every edge x layer x head) of a 2-layer, 8-head GAT (8 hidden units per
   head, 8 output heads) on a random graph with 100k nodes, 1M directed edges and 64 features;
   the plain forward pass with attention is timed beside it to show what the collection adds.
   Target: under 3 s. Also ``head_statistics`` of those 16 heads (median of 3).
2. What the Attention page computes when the focus node changes on Cora (2,708 nodes), with the
   maps already cached: the incoming and outgoing tables of every layer (mean over heads and one
   head) and the focus node's rollout row. Target: under 300 ms. The same for GraphGPS's global
   attention (forward pass cached): the focus node's rows in every layer and head, its hop
   distances, the per-head statistics and the ranked table of every layer.
3. The Graph Transformer on the same 100k-node graph: ``prepare`` (Laplacian eigenvectors,
   once per graph) and a forward pass with attention.
4. GraphGPS forward passes on random graphs up to its 20,000-node limit (global attention is
   O(N²) in time), with the encoding given.

Medians over ``REPEATS`` runs (1 for the eigenvector computation). The machine is often shared:
the JSON records the load average, and for ``attention_maps`` also the process CPU time. Weights
are random: the timings do not depend on them. Cora needs ../shared/data (section 2 is skipped
without it).

Run: ``.venv/bin/python benchmarks/bench_attention.py``
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
from common import summarize, timed, write
from torch_geometric.data import Data

from nodescope.core.graph import hop_distances
from nodescope.core.models import MODELS, build
from nodescope.explain.attention import (
    attention_maps,
    attention_rollout,
    global_attention_focus,
    global_ranked,
    global_row_statistics,
    head_statistics,
    incoming,
    outgoing,
)

REPO = Path(__file__).resolve().parents[1]

SHARED = REPO.parent / "shared" / "data"
REPEATS = 5
NODES, DIRECTED_EDGES, FEATURES, CLASSES = 100_000, 1_000_000, 64, 7


def random_graph(n: int, directed_edges: int, features: int, seed: int = 0) -> Data:
    """Random undirected graph stored with both directions (``directed_edges`` columns in all)."""
    gen = torch.Generator().manual_seed(seed)
    half = torch.randint(0, n, (2, directed_edges // 2), generator=gen)
    edge_index = torch.cat([half, half.flip(0)], dim=1)
    return Data(x=torch.randn(n, features, generator=gen), edge_index=edge_index, num_nodes=n)


def cpu_seconds(fn: Callable[[], object], repeats: int) -> dict[str, float]:
    """Process CPU time (all threads) per call: on a shared machine, what the call costs, however
    long other processes made it wait; on an idle machine the wall time lies between this divided
    by the thread count and this."""
    times = []
    for _ in range(repeats):
        t0 = time.process_time()
        fn()
        times.append(time.process_time() - t0)
    return summarize(times)


def gat_maps(data: Data) -> dict:
    config = MODELS["gat"].config(FEATURES, CLASSES, options={"out_heads": 8})
    model = build(config).eval()
    maps = attention_maps(model, data)  # warm-up

    def forward() -> None:
        with torch.no_grad():
            model(data, attention=True)

    out = {
        "graph": {"nodes": NODES, "directed_edges": DIRECTED_EDGES, "features": FEATURES},
        "model": "gat: 2 layers, 8 heads x 8 hidden, 8 output heads",
        "alpha_shape": list(maps.alpha.shape),
        "attention_maps": timed(lambda: attention_maps(model, data), REPEATS),
        "forward_with_attention": timed(forward, REPEATS),
        "attention_maps_cpu": cpu_seconds(lambda: attention_maps(model, data), REPEATS),
        "target_s": 3.0,
        "head_statistics": timed(lambda: head_statistics(maps), 3),
    }
    wall, fwd = out["attention_maps"]["median_s"], out["forward_with_attention"]["median_s"]
    print(
        f"attention_maps: {wall:.2f} s (forward {fwd:.2f} s; CPU {out['attention_maps_cpu']['median_s']:.2f} s)"
    )
    return out


def cora(what: str):
    """Cora from ../shared/data, or None (with a line saying ``what`` is skipped) without it."""
    if not (SHARED / "planetoid").is_dir():
        print(f"skipping the {what} benchmark: ../shared/data is absent")
        return None
    from nodescope.core.loaders import load

    return load("cora", data_dir=SHARED / "planetoid")


def cora_focus() -> dict | None:
    sample = cora("Cora focus")
    if sample is None:
        return None
    model = build(MODELS["gat"].config(sample.data.num_features, sample.num_classes)).eval()
    maps = attention_maps(model, sample.data)
    focus_nodes = np.random.default_rng(0).choice(sample.num_nodes, 20, replace=False)

    def per_focus(node: int) -> None:
        for layer in range(len(maps.heads)):
            for how in ("mean", 0):
                incoming(maps, node, layer, how)
                outgoing(maps, node, layer, how)
        attention_rollout(maps, node)

    per_focus(int(focus_nodes[0]))
    times = []
    for node in focus_nodes:
        t0 = time.perf_counter()
        per_focus(int(node))
        times.append(time.perf_counter() - t0)
    out = {
        "graph": "cora (2,708 nodes, 13,264 edges with self-loops)",
        "per_focus_change": summarize(times),
        "what": "incoming + outgoing tables per layer (mean over heads and head 0) + rollout row",
        "target_s": 0.3,
    }
    print(f"Cora focus change: {1000 * out['per_focus_change']['median_s']:.1f} ms")
    return out


def cora_gps_focus() -> dict | None:
    sample = cora("Cora GraphGPS focus")
    if sample is None:
        return None
    model = build(MODELS["gps"].config(sample.data.num_features, sample.num_classes)).eval()
    data = model.prepare(sample.data)
    with torch.no_grad():
        output = model(data)
    edge_index, n = data.edge_index.numpy(), sample.num_nodes
    focus_nodes = np.random.default_rng(0).choice(n, 20, replace=False)

    def per_focus(node: int) -> None:
        rows = global_attention_focus(model, output, node)
        hops = hop_distances(edge_index, node, n, flow="undirected")
        global_row_statistics(rows, hops, [f"attention {i + 1}" for i in range(rows.shape[0])])
        for layer in range(rows.shape[0]):
            global_ranked(rows[layer].mean(axis=0), hops)

    per_focus(int(focus_nodes[0]))
    times = []
    for node in focus_nodes:
        t0 = time.perf_counter()
        per_focus(int(node))
        times.append(time.perf_counter() - t0)
    out = {
        "graph": "cora (2,708 nodes)",
        "model": "gps: 2 layers, 4 heads, 64 wide (random weights)",
        "per_focus_change": summarize(times),
        "what": "focus rows of every global layer and head + hops + head statistics + ranked tables",
        "target_s": 0.3,
    }
    print(f"Cora GraphGPS focus change: {1000 * out['per_focus_change']['median_s']:.1f} ms")
    return out


def transformer(data: Data) -> dict:
    model = build(MODELS["graph-transformer"].config(FEATURES, CLASSES)).eval()
    t0 = time.perf_counter()
    prepared = model.prepare(data)
    prepare_s = time.perf_counter() - t0

    def forward() -> None:
        with torch.no_grad():
            model(prepared, attention=True)

    out = {"prepare_laplacian_pe": summarize([prepare_s]), "forward_with_attention": timed(forward, REPEATS)}
    print(
        f"graph transformer 100k: prepare {prepare_s:.1f} s, forward {out['forward_with_attention']['median_s']:.2f} s"
    )
    return out


def gps() -> list[dict]:
    spec = MODELS["gps"]
    rows = []
    for n in (2_000, 5_000, 20_000):
        data = random_graph(n, 10 * n, FEATURES)
        data.lap_pe = torch.rand(n, spec.options["pe_dim"])
        model = build(spec.config(FEATURES, CLASSES)).eval()

        def forward(model=model, data=data) -> None:
            with torch.no_grad():
                model(data)

        rows.append({"nodes": n, "directed_edges": 10 * n, "forward": timed(forward, 3)})
        print(f"gps {n:,} nodes: forward {rows[-1]['forward']['median_s']:.2f} s")
    return rows


def main() -> None:
    data = random_graph(NODES, DIRECTED_EDGES, FEATURES)
    results = {
        "threads": torch.get_num_threads(),
        "load_average_at_start": os.getloadavg(),
        "gat_100k": gat_maps(data),
        "cora_focus": cora_focus(),
        "cora_gps_focus": cora_gps_focus(),
        "graph_transformer_100k": transformer(data),
        "gps_forward": gps(),
    }
    write(
        "attention",
        {"what": "attention maps, focus tables, GT and GPS forward (medians)", "results": results},
    )


if __name__ == "__main__":
    main()
