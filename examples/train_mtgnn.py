"""Train MTGNN (the recipe of ``nodescope forecast``) over seeds and horizons; ship the built-ins' weights.

For each dataset x horizon x seed this trains :func:`core.forecasting.recipe.fit_forecaster`
(MTGNN with the recipe's departures from the paper, see :mod:`core.forecasting.recipe`), scores
it on the test split beside the persistence, AR and VAR baselines of the same split, and, where
the true graph is known (the built-ins), the AUROC of the learned edge weights against it
(:func:`explain.graph_agreement.graph_agreement`). Results merge into
``benchmarks/results/mtgnn.json``. ``--ship`` writes seed 0's weights (seed 0, not the best
seed) of each built-in as ``assets/models/<dataset>/mtgnn-h<H>.{safetensors,json}``, which the
app and the CLI load for the same window, horizon and layers.

Every run writes a resumable state after each epoch under ``.cache/mtgnn/``: an interrupted
run continues where it stopped when the same command is given again.

Usage::

    .venv/bin/python examples/train_mtgnn.py --datasets graph-var road-diffusion --seeds 3 --ship
    .venv/bin/python examples/train_mtgnn.py --datasets exchange-rate --horizons 3 6 12 24 --window 168
    .venv/bin/python examples/train_mtgnn.py --table      # README table from the results
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results" / "mtgnn.json"
STATES = REPO / ".cache" / "mtgnn"
EXCHANGE_RATE = REPO.parent / "shared" / "data" / "timeseries" / "exchange_rate.txt.gz"
BUILTINS = ("graph-var", "road-diffusion")


def run_one(dataset: str, horizon: int, seed: int, args: argparse.Namespace) -> dict[str, Any]:
    """Train one seed at one horizon; return its scores (and ship it when asked)."""
    from nodescope.core.forecasting import baseline_scores, fit_forecaster, forecaster_record, save_forecaster
    from nodescope.core.forecasting.checkpoint import shipped_path
    from nodescope.core.loaders import load, load_series
    from nodescope.core.loaders.timeseries import known_adjacency
    from nodescope.explain.graph_agreement import graph_agreement

    sample = load_series(EXCHANGE_RATE) if dataset == "exchange-rate" else load(dataset)
    variant = args.variant.replace("/", "-").replace("=", "")
    state = STATES / f"{dataset}-w{args.window}-l{args.layers}-h{horizon}{variant}-s{seed}"
    t0 = time.perf_counter()
    result, data = fit_forecaster(
        sample,
        window=args.window,
        horizon=horizon,
        layers=args.layers,
        epochs=args.epochs,
        batch_size=args.batch_size,
        seed=seed,
        state_path=state,
        progress=lambda e, n, row: print(f"    epoch {e}/{n} val RSE {row['val_rse']:.4f}", flush=True),
    )
    row: dict[str, Any] = {
        **result.scores["test"],
        "val": result.scores["val"],
        "best_epoch": result.best_epoch,
        "epochs": result.epochs,
        "train_seconds": result.seconds,
        "wall_seconds": round(time.perf_counter() - t0, 1),
    }
    known = known_adjacency(sample)
    if known is not None:
        agreement = graph_agreement(result.model.adjacency().cpu().numpy(), known)
        row["graph_auroc"], row["graph_auroc_undirected"] = agreement["auroc"], agreement["auroc_undirected"]
    if seed == 0:
        row["baselines"] = baseline_scores(data)
    if args.ship and seed == 0 and dataset in BUILTINS:
        save_forecaster(
            result.model,
            shipped_path(dataset, horizon),
            forecaster_record(
                sample=sample,
                data=data,
                settings={"epochs": args.epochs, "batch_size": args.batch_size, "seed": seed},
                scores=result.scores,
                epochs=result.epochs,
                best_epoch=result.best_epoch,
                seconds=result.seconds,
                graph_auroc=row.get("graph_auroc"),
                trained_by="examples/train_mtgnn.py",
            ),
        )
    return row


def summarize(runs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Mean and sample std over seeds of the test RSE, CORR and graph AUROC."""
    out = {}
    for key in ("rse", "corr", "graph_auroc", "graph_auroc_undirected"):
        values = [r[key] for r in runs.values() if r.get(key) is not None]
        if values:
            out[key] = {
                "mean": statistics.fmean(values),
                "std": statistics.stdev(values) if len(values) > 1 else 0.0,
                "n": len(values),
            }
    return out


def table(results: dict[str, Any]) -> str:
    """The README table: MTGNN mean ± std over seeds beside the baselines, per dataset and horizon."""
    from nodescope.core.results import markdown_table, mean_std

    header = [
        "data (window, layers)", "horizon", "MTGNN RSE", "MTGNN CORR", "learned-graph AUROC",
        "persistence", "AR", "VAR", "seeds",
    ]  # fmt: skip
    rows = []
    for _key, entry in sorted(results.items()):
        s, runs = entry["summary"], entry["runs"]
        base = next((r["baselines"] for r in runs.values() if "baselines" in r), None)
        auroc = s.get("graph_auroc")
        rows.append(
            [
                f"{entry['dataset']} ({entry['window']}, {entry['layers']}){entry.get('variant', '')}",
                str(entry["horizon"]),
                mean_std(s["rse"], digits=4),
                mean_std(s["corr"], digits=4),
                mean_std(auroc, digits=2) if auroc else "—",
                *(f"{base[b]['rse']:.4f}" if base else "—" for b in ("persistence", "ar", "var")),
                str(s["rse"]["n"]),
            ]
        )
    return markdown_table(header, rows)


def main() -> None:
    """Parse the options, train what is asked, merge the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=list(BUILTINS), choices=[*BUILTINS, "exchange-rate"])
    parser.add_argument("--horizons", nargs="+", type=int, default=[3])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--window", type=int, default=None, help="default: the recipe's")
    parser.add_argument("--layers", type=int, default=None, help="default: the recipe's")
    parser.add_argument("--epochs", type=int, default=None, help="default: the recipe's")
    parser.add_argument("--batch-size", type=int, default=None, help="default: the recipe's")
    parser.add_argument("--graph-l1", type=float, default=None, help="default: the recipe's GRAPH_L1")
    parser.add_argument("--ship", action="store_true", help="write seed 0's weights of the built-ins")
    parser.add_argument("--table", action="store_true", help="print the README table and stop")
    args = parser.parse_args()
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    if args.table:
        print(table(results))
        return
    import torch

    from nodescope.core.forecasting import recipe

    torch.set_num_threads(1)  # two small processes share the cores better than one wide one
    args.window = args.window or recipe.WINDOW
    args.layers = args.layers or recipe.LAYERS
    args.epochs = args.epochs or recipe.EPOCHS
    args.batch_size = args.batch_size or recipe.BATCH_SIZE
    if args.graph_l1 is not None and args.graph_l1 != recipe.GRAPH_L1:
        recipe.GRAPH_L1 = args.graph_l1  # an experiment: its results are kept under their own key
        args.variant = f"/l1={args.graph_l1:g}"
    else:
        args.variant = ""
    for dataset in args.datasets:
        for horizon in args.horizons:
            key = f"{dataset}/w{args.window}/l{args.layers}/h{horizon}{args.variant}"
            entry = results.setdefault(key, {"runs": {}})
            entry.update(dataset=dataset, window=args.window, layers=args.layers, horizon=horizon)
            entry.update(epochs=args.epochs, batch_size=args.batch_size, variant=args.variant)
            for seed in range(args.seeds):
                print(f"{key} seed {seed}", flush=True)
                entry["runs"][str(seed)] = run_one(dataset, horizon, seed, args)
                entry["summary"] = summarize(entry["runs"])
                # Re-read before writing: runs of other datasets or horizons may share the file.
                merged = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
                RESULTS.write_text(json.dumps(merged | {key: entry}, indent=1) + "\n")
                results = merged | {key: entry}
    print(table(results))


if __name__ == "__main__":
    sys.exit(main())
