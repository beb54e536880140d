"""Time the over-smoothing lab; write benchmarks/results/oversmoothing.json.

1. Untrained metric curves of a 64-layer GCN (``gcn-plain``, hidden 64) with 64 random
   features and 7 random classes on two graphs of about 100k nodes: a random graph with 5
   random undirected edges per node (1M directed edges, as bench_layout.py; no memory
   locality, the worst case for sparse products) and the real FreeSurfer sphere of
   ../shared/data (110,864 vertices, 665k directed edges; skipped without it). Timed: the
   forward pass, the per-graph context (edge sample, sampled node pairs and their hop
   distances) and all metrics at the 65 layers. Target: under 10 s in total.
2. A trained depth sweep on Cora (public split): depths 2, 4, 8, 16, 32, 64 x gcn, gcnii,
   dagnn, gcn-res, one seed, the sweep defaults (200 epochs at most, patience 50), no cache.
   Target: under 5 minutes. Needs ../shared/data (skipped without it).

Wall and CPU (process) seconds are both reported: the machine may be shared, and CPU time
is what the work itself cost.

Run: ``.venv/bin/python benchmarks/bench_oversmoothing.py [--skip-sweep]``
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import torch
from common import write
from torch_geometric.data import Data

from nodescope.core.models import MODELS, build
from nodescope.core.sweeps import SweepConfig, run_sweep
from nodescope.explain.oversmoothing import measure_for

REPO = Path(__file__).resolve().parents[1]

NODES = 100_000
EDGES_PER_NODE = 5
DEPTH = 64
SHARED = REPO.parent / "shared" / "data" / "planetoid"
SWEEP = SweepConfig(
    "cora", ("gcn", "gcnii", "dagnn", "gcn-res"), (2, 4, 8, 16, 32, 64), seeds=1, trained=True
)


class Clock:
    """Wall and CPU seconds since creation."""

    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def read(self) -> dict[str, float]:
        return {
            "wall_s": round(time.perf_counter() - self.wall, 3),
            "cpu_s": round(time.process_time() - self.cpu, 3),
        }


def with_random_signal(edge_index: torch.Tensor, n: int, seed: int = 0) -> Data:
    gen = torch.Generator().manual_seed(seed)
    x, y = torch.randn(n, 64, generator=gen), torch.randint(0, 7, (n,), generator=gen)
    return Data(x=x, edge_index=edge_index, y=y)


def random_graph(seed: int = 0) -> Data:
    gen = torch.Generator().manual_seed(seed)
    e = torch.randint(0, NODES, (2, EDGES_PER_NODE * NODES), generator=gen)
    return with_random_signal(torch.cat([e, e.flip(0)], 1), NODES, seed)


def cortex_graph() -> Data | None:
    path = REPO.parent / "shared" / "data" / "sugar-sub-001" / "surf" / "lh.sphere"
    if not path.is_file():
        return None
    from nodescope.core.loaders import load

    sample = load(path)
    return with_random_signal(sample.data.edge_index, sample.num_nodes)


def untrained_curves(name: str, data: Data) -> dict:
    n = data.num_nodes
    torch.manual_seed(0)
    model = build(MODELS["gcn-plain"].config(64, 7, layers=DEPTH)).eval()
    total = Clock()
    with torch.no_grad():
        hidden = model(data).hidden
    forward = total.read()
    clock = Clock()
    measure = measure_for(data)
    context = clock.read()
    clock = Clock()
    curves = measure(hidden)
    metrics = clock.read()
    out = {
        "graph": {"name": name, "nodes": n, "directed_edges": int(data.edge_index.shape[1]), "features": 64},
        "model": f"gcn-plain, {DEPTH} layers, hidden 64, untrained",
        "forward": forward,
        "context": context,
        "metrics_65_layers": metrics,
        "total": total.read(),
        "dirichlet_first_last": [float(curves["dirichlet"][1]), float(curves["dirichlet"][-1])],
    }
    print(
        f"untrained {DEPTH}-layer GCN on {name} ({n:,} nodes): forward {forward['wall_s']:.1f} s, "
        f"context {context['wall_s']:.1f} s, metrics {metrics['wall_s']:.1f} s, "
        f"total {out['total']['wall_s']:.1f} s wall / {out['total']['cpu_s']:.1f} s CPU"
    )
    return out


def trained_sweep() -> dict:
    clock = Clock()
    result = run_sweep(SWEEP, measure_for, data_dir=SHARED, use_cache=False)
    elapsed = clock.read()
    accuracy = {
        m: {str(d): round(100 * acc[0], 1) for d, acc in result.accuracy(m).items()} for m in SWEEP.models
    }
    print(
        f"trained sweep on Cora: {elapsed['wall_s']:.0f} s wall / {elapsed['cpu_s']:.0f} s CPU; accuracy {accuracy}"
    )
    return {
        "what": f"{len(SWEEP.models)} models x depths {list(SWEEP.depths)} on Cora, 1 seed, "
        f"max {SWEEP.max_epochs} epochs, patience {SWEEP.patience}",
        "time": elapsed,
        "test_accuracy_percent": accuracy,
        "epochs": {f"{r.model}@{r.depth}": r.epochs for r in result.runs},
        "run_seconds": {f"{r.model}@{r.depth}": round(r.seconds, 1) for r in result.runs},
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--skip-sweep", action="store_true", help="only the untrained 100k-node curves")
    args = parser.parse_args()
    payload = {"torch_threads": torch.get_num_threads(), "load_average_at_start": os.getloadavg()}
    payload["untrained_100k"] = [untrained_curves("random graph", random_graph())]
    cortex = cortex_graph()
    if cortex is not None:
        payload["untrained_100k"].append(untrained_curves("FreeSurfer lh.sphere mesh", cortex))
    if not args.skip_sweep and SHARED.is_dir():
        payload["trained_sweep_cora"] = trained_sweep()
    payload["targets"] = {"untrained_100k_total_s": 10, "trained_sweep_cora_s": 300}
    payload["load_average_at_end"] = os.getloadavg()
    write("oversmoothing", payload)


if __name__ == "__main__":
    main()
