"""Backbone vs X-Node: train both for several seeds, ship X-Node's seed-0 weights, write xnode_results.json.

For each dataset × backbone (GCN, GAT, GIN) this trains the plain backbone and its X-Node
wrapper (``xnode-<backbone>``, explanation injection on) with the same published settings
(:func:`core.training.settings_for`) and seeds 0..N-1, saves the X-Node seed-0 checkpoint as
``assets/models/<dataset>/xnode-<backbone>.{safetensors,json}`` (seed 0, so shipped weights are
not picked by test accuracy) and merges into ``assets/models/xnode_results.json`` every seed's
test accuracy (fractions), the means, sample standard deviations and the difference. Cora and
CiteSeer use the public Planetoid split; built-in graphs the seed-0 random split the app uses
(:func:`core.training.with_split`). Seeds vary initialization and dropout only. On graphs whose
features say nothing (BA-Shapes), GAT and X-Node GAT both get the structural input encoding of
:data:`core.recipes.DATASET_ENCODING` (without it a GAT gives every node the same embedding).

Usage::

    .venv/bin/python examples/train_xnode.py --data-dir ../shared/data/planetoid --threads 1
    .venv/bin/python examples/train_xnode.py --datasets karate --backbones gcn --seeds 2
    .venv/bin/python examples/train_xnode.py --datasets cora --xnode-only  # keep the backbones' runs
    .venv/bin/python examples/train_xnode.py --table     # README table from xnode_results.json
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import torch

from nodescope.core import results as results_file
from nodescope.core.checkpoint import SHIPPED_DIR, save_checkpoint, train_info
from nodescope.core.loaders import load
from nodescope.core.models import MODELS
from nodescope.core.models.xnode import BACKBONES
from nodescope.core.recipes import DATASET_ENCODING
from nodescope.core.results import markdown_table, mean_std, seeds_phrase
from nodescope.core.training import settings_for, train, with_split

DATASETS = ("cora", "citeseer", "ba-shapes", "karate")
RESULTS = SHIPPED_DIR / "xnode_results.json"
TITLES = {"cora": "Cora", "citeseer": "CiteSeer", "ba-shapes": "BA-Shapes", "karate": "Karate club"}


def train_seeds(dataset: str, key: str, seeds: int, data_dir: Path | None, *, ship: bool) -> dict[str, Any]:
    """Train ``key`` on ``dataset`` for seeds 0..seeds-1; with ``ship``, save seed 0's checkpoint."""
    sample = load(dataset, data_dir=data_dir)
    has_split = all(sample.data.get(m) is not None for m in ("train_mask", "val_mask", "test_mask"))
    split = "public" if has_split else "random seed 0"
    data = with_split(sample.data, seed=0)
    backbone = MODELS[key.removeprefix("xnode-")]
    encoded = backbone.attention == "local" and backbone.cls.takes_input_encoding
    options = DATASET_ENCODING.get(sample.source, {}) if encoded else {}
    config = MODELS[key].config(sample.data.num_features, sample.num_classes, options=options)
    runs = []
    for seed in range(seeds):
        settings = settings_for(key, seed=seed)
        result = train(config, data, settings)
        runs.append(train_info(dataset, sample, split, settings, result))
        if ship and seed == 0:
            save_checkpoint(result.model, SHIPPED_DIR / dataset / key, info=runs[0])
        print(
            f"  {dataset} {key} seed {seed}: test {result.test_acc:.1%} ({result.seconds:.0f} s)", flush=True
        )
    tests = [r["test_acc"] for r in runs]
    return {
        "test_acc": tests,
        "mean": statistics.mean(tests),
        "std": statistics.stdev(tests) if len(tests) > 1 else 0.0,
        "epochs": [r["epochs"] for r in runs],
        "seconds": [r["seconds"] for r in runs],
        "split": split,
        "options": config.options,
    }


def read_results() -> dict[str, Any]:
    return results_file.read_results(RESULTS, {"results": {}})


def write_results(results: dict[str, Any]) -> None:
    results_file.write_results(RESULTS, results)


def readme_table(results: dict[str, Any]) -> str:
    """README table: one row per dataset × backbone; test accuracy (%) of the backbone and of X-Node."""
    order = [d for d in DATASETS if d in results["results"]] + sorted(set(results["results"]) - set(DATASETS))
    entries = [
        (dataset, backbone, entry)
        for dataset in order
        for backbone, entry in results["results"][dataset].items()
    ]
    rows = [
        [
            TITLES.get(dataset, dataset),
            MODELS[backbone].title,
            mean_std(entry["backbone"], scale=100),
            mean_std(entry["xnode"], scale=100),
            f"{100 * entry['difference']:+.1f}",
        ]
        for dataset, backbone, entry in entries
    ]
    over = seeds_phrase(len(e[side]["test_acc"]) for _, _, e in entries for side in ("backbone", "xnode"))
    return (
        markdown_table(["dataset", "backbone", "backbone acc.", "X-Node acc.", "difference (points)"], rows)
        + f"\n\nTest accuracy (%), mean ± sample standard deviation over {over}; difference = X-Node − "
        "backbone. Same published settings, seeds and split for both (Cora, CiteSeer: public split; "
        "built-in graphs: random split, seed 0). X-Node: explanation injection on, all cues."
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, help="Planetoid raw files (e.g. ../shared/data/planetoid)")
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS), help="default: %(default)s")
    parser.add_argument("--backbones", nargs="+", default=list(BACKBONES), choices=BACKBONES)
    parser.add_argument("--seeds", type=int, default=5, help="seeds 0..N-1 per model (default 5)")
    parser.add_argument(
        "--threads", type=int, help="torch CPU threads (1 is fastest on a busy 2-core machine)"
    )
    parser.add_argument("--table", action="store_true", help="print the README table from xnode_results.json")
    parser.add_argument(
        "--xnode-only",
        action="store_true",
        help="train X-Node only and keep the backbone's recorded runs (same settings, seeds and split)",
    )
    args = parser.parse_args(argv)
    if args.table:
        print(readme_table(read_results()))
        return 0
    if args.threads:
        torch.set_num_threads(args.threads)
    for dataset in args.datasets:
        for backbone in args.backbones:
            start = time.perf_counter()
            recorded = read_results()["results"].get(dataset, {}).get(backbone, {}).get("backbone")
            if args.xnode_only and recorded is None:
                raise SystemExit(f"--xnode-only: no recorded backbone runs for {dataset} {backbone}")
            base = (
                recorded
                if args.xnode_only
                else train_seeds(dataset, backbone, args.seeds, args.data_dir, ship=False)
            )
            xn = train_seeds(dataset, f"xnode-{backbone}", args.seeds, args.data_dir, ship=True)
            entry = {"backbone": base, "xnode": xn, "difference": xn["mean"] - base["mean"]}
            results = read_results()  # re-read: other runs may have finished meanwhile
            results["results"].setdefault(dataset, {})[backbone] = entry
            write_results(results)
            print(
                f"{dataset} {backbone}: backbone {100 * base['mean']:.1f} %, X-Node {100 * xn['mean']:.1f} % "
                f"({100 * entry['difference']:+.1f} points, {time.perf_counter() - start:.0f} s)",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
