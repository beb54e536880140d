"""The counterfactual search per node (:func:`explain.counterfactual.search`); writes results/counterfactual.json.

The shipped seed-0 weights of ``--models`` (default GAT, the slowest of the batched models) on
Cora; ``--nodes`` test nodes taken evenly along the test mask (13 by default). Per model: the
median, min and max wall seconds per node with ``prepared`` passed (as ``nodescope explain
--counterfactual`` and the app do), the candidates tried, and each node's answer (per kind: the
change's items, the new class and its probability, rounded to 1e-6).

``--baseline DIR`` times another checkout too (``PYTHONPATH=DIR``, where ``DIR/nodescope`` is
the checkout, e.g. ``git archive HEAD`` unpacked there), in worker processes interleaved with
this one's (``--rounds`` each, the per-node minimum over rounds kept), so that before and after
meet the same machine load; the JSON then also says whether the answers are identical.

Run: ``OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_counterfactual.py --data-dir ../shared/data/planetoid``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from common import summarize, write

HERE = Path(__file__).resolve()


def worker(models: list[str], n_nodes: int, data_dir: str | None) -> dict[str, Any]:
    """Seconds and answers per node for each model, in this process (the ``nodescope`` on the path)."""
    import torch

    from nodescope.core.checkpoint import load_checkpoint, shipped_weights
    from nodescope.core.loaders import load
    from nodescope.core.training import with_split
    from nodescope.explain.counterfactual import search
    from nodescope.explain.subgraph import prepare_for_explaining

    torch.set_num_threads(1)
    sample = load("cora", data_dir=data_dir, download=data_dir is None)
    data = with_split(sample.data, seed=0)
    test = torch.nonzero(data.test_mask).flatten()
    nodes = [int(test[i]) for i in torch.linspace(0, test.numel() - 1, n_nodes).long()]
    out: dict[str, Any] = {}
    for key in models:
        model = load_checkpoint(shipped_weights(sample, key))[0]
        prepared = prepare_for_explaining(model, data)
        search(model, data, nodes[0], prepared=prepared)  # warm-up (first-call allocations)
        seconds, answers, tried = [], [], []
        for node in nodes:
            start = time.perf_counter()
            cf = search(model, data, node, prepared=prepared)
            seconds.append(time.perf_counter() - start)
            tried.append(sum(cf.tried.values()))
            answers.append(
                {
                    kind: None
                    if change is None
                    else [
                        [list(map(str, item)) for item in change.items],
                        change.new_class,
                        round(change.new_probability, 6),
                    ]
                    for kind, change in cf.changes.items()
                }
            )
        out[key] = {"nodes": nodes, "seconds": seconds, "tried": tried, "answers": answers}
    return out


def run_worker(pythonpath: str | None, args: argparse.Namespace) -> dict[str, Any]:
    env = dict(os.environ, OMP_NUM_THREADS="1")
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    cmd = [sys.executable, str(HERE), "--worker", "--nodes", str(args.nodes), "--models", *args.models]
    if args.data_dir:
        cmd += ["--data-dir", str(Path(args.data_dir).resolve())]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True, cwd=HERE.parent)
    return json.loads(done.stdout.strip().splitlines()[-1])


def merged(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Per model: the per-node minimum over rounds, summarized; answers of the first round."""
    out = {}
    for key in runs[0]:
        per_node = [min(r[key]["seconds"][i] for r in runs) for i in range(len(runs[0][key]["nodes"]))]
        out[key] = {
            **summarize(per_node),
            "per_node_s": [round(s, 3) for s in per_node],
            "candidates_median": statistics.median(runs[0][key]["tried"]),
            "nodes": runs[0][key]["nodes"],
            "answers": runs[0][key]["answers"],
            "answers_stable_over_rounds": all(r[key]["answers"] == runs[0][key]["answers"] for r in runs),
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", help="Planetoid raw files (e.g. ../shared/data/planetoid)")
    parser.add_argument("--models", nargs="+", default=["gat"])
    parser.add_argument("--nodes", type=int, default=13)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--baseline", help="PYTHONPATH of another checkout to time in the same runs")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.models, args.nodes, args.data_dir)))
        return
    here, base = [], []
    for _ in range(args.rounds):
        here.append(run_worker(None, args))
        if args.baseline:
            base.append(run_worker(args.baseline, args))
    payload: dict[str, Any] = {"load_average": os.getloadavg(), "after": merged(here)}
    if args.baseline:
        payload["before"] = merged(base)
        payload["answers_identical"] = {
            key: payload["after"][key]["answers"] == payload["before"][key]["answers"] for key in args.models
        }
    write("counterfactual", payload)


if __name__ == "__main__":
    main()
