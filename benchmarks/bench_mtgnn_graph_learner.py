"""Which settings let MTGNN's graph learner find the true graph (README, issue 14).

Trains MTGNN variants on the built-in process ``graph_var`` (positive or signed couplings) or
``road_diffusion`` at window 24, 2 layers, horizon 1, no dropout, batch 32, lr 1e-3, and reports
per epoch the validation/test RSE and the AUROC of the learned dense weights against the true
directed edges. One variant per process (they take minutes each on a CPU); results merge into
``benchmarks/results/mtgnn_graph_learner.json``.

Usage::

    .venv/bin/python benchmarks/bench_mtgnn_graph_learner.py paper            # alpha 1, both directions
    .venv/bin/python benchmarks/bench_mtgnn_graph_learner.py recipe           # one way, L1 0.05, 3x graph lr
    .venv/bin/python benchmarks/bench_mtgnn_graph_learner.py recipe --data signed
    .venv/bin/python benchmarks/bench_mtgnn_graph_learner.py k3 | l1 | one-way | recipe-lr1
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
RESULTS = REPO / "benchmarks" / "results" / "mtgnn_graph_learner.json"

#: name -> (MTGNNConfig overrides, ForecastTrainConfig overrides)
VARIANTS = {
    "paper": ({}, {}),
    "k3": ({"subgraph_size": 3}, {}),
    "l1": ({}, {"graph_l1": 0.05}),
    "one-way": ({"both_directions": False}, {}),
    "recipe": ({"both_directions": False}, {"graph_l1": 0.05, "graph_lr_scale": 3.0}),
    "recipe-lr1": ({"both_directions": False}, {"graph_l1": 0.05}),
}


def main() -> None:
    """Train one variant and merge its per-epoch curve into the JSON."""
    import torch

    from nodescope.core.forecasting import ForecastTrainConfig, graph_var, road_diffusion, train_forecaster
    from nodescope.core.forecasting.windows import ForecastData
    from nodescope.core.models.mtgnn import MTGNNConfig
    from nodescope.explain.graph_agreement import graph_agreement

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("variant", choices=sorted(VARIANTS))
    parser.add_argument("--data", choices=("positive", "signed", "road"), default="positive")
    parser.add_argument("--epochs", type=int, default=20)
    args = parser.parse_args()
    torch.set_num_threads(1)
    made = road_diffusion(0) if args.data == "road" else graph_var(0, signed=args.data == "signed")
    data = ForecastData.from_raw(made.values, 24, 1)
    n = data.num_series
    model_overrides, train_overrides = VARIANTS[args.variant]
    config = MTGNNConfig(
        num_nodes=n, window=24, layers=2, subgraph_size=n, dropout=0.0, tanh_alpha=1.0, **model_overrides
    )
    curve = []

    def progress(epoch: int, epochs: int, row: dict[str, float]) -> None:
        curve.append({"epoch": epoch, "val_rse": row["val_rse"]})
        print(f"epoch {epoch}/{epochs} val RSE {row['val_rse']:.4f}", flush=True)

    t0 = time.perf_counter()
    settings = ForecastTrainConfig(epochs=args.epochs, batch_size=32, lr=1e-3, **train_overrides)
    result = train_forecaster(config, data, settings, progress=progress)
    agreement = graph_agreement(result.model.graph.dense().detach().cpu().numpy(), made.adjacency)
    row = {
        "test_rse": result.scores["test"]["rse"],
        "val_rse": result.scores["val"]["rse"],
        "auroc": agreement["auroc"],
        "auroc_undirected": agreement["auroc_undirected"],
        "best_epoch": result.best_epoch,
        "seconds": round(time.perf_counter() - t0, 1),
        "curve": curve,
    }
    print(json.dumps({k: v for k, v in row.items() if k != "curve"}))
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results[f"{args.data}/{args.variant}"] = row
    RESULTS.write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    main()
