"""Explaining nodes: X-Node against post-hoc explainers, in time and in fidelity; writes results/explain.json.

1. Time to explain every node of Cora (2,708 nodes) with X-Node: one forward pass, the
   what-if pass of its last layer and the words for every node (:func:`explain.xnode.analyse`
   + :func:`explain.text.explain_all`). Cold (first call: the graph cues are computed) and
   warm (cached). Target: under 1 s. Also X-Node's edge masks for every node (one backward
   pass per 64 batched computation subgraphs).
2. GNNExplainer (100 epochs), Integrated Gradients (50 steps) and Saliency per node on a
   seeded sample of Cora's nodes, extrapolated to all nodes (median × 2,708: said so in the
   output). They run on each node's computation subgraph (:mod:`explain.subgraph`); for
   reference, GNNExplainer on the whole graph (PyG's plain usage) for two nodes.
3. Fidelity of every explainer and of a random baseline (:mod:`explain.fidelity`: PyG
   Fid+/Fid-, characterization, probability Fid+/Fid-, robust Fid_{0.1,+}/Fid_{0.9,-}; on
   BA-Shapes precision, recall and AUROC against the house motifs; explanations are the top
   20 % of each node's computation edges) for X-Node GCN and X-Node GAT (on BA-Shapes also
   the plain GCN) on a fixed sample of 50 nodes per dataset (BA-Shapes: motif nodes). X-Node should be no worse than GNNExplainer
   on BA-Shapes, and every explainer better than random.
4. The whole ``nodescope explain --dataset cora --model xnode-gcn --method xnode --nodes all``
   command (a fresh process: imports, explaining every node, fidelity over 50 nodes, writing
   the CSV), median of 3; target < 10 s. ``--baseline PYTHONPATH`` times another checkout's
   command in the same runs, interleaved (``PYTHONPATH=DIR`` where ``DIR/nodescope`` is the
   checkout), for a before/after comparison on the same machine load. Also the fidelity of
   those 50 nodes alone, in process.

The models are the shipped seed-0 X-Node weights (assets/models/<dataset>/xnode-*.safetensors)
when present, else trained here with the same settings. Cora needs ../shared/data.

Run: ``OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_explain.py`` (one thread is the fastest
on a busy 2-core machine); ``--parts xnode-timing`` re-runs one part and keeps the others from
the last results/explain.json. Each part records when it ran and the load average then.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import torch
from common import RESULTS, summarize, timed, write
from torch_geometric.explain import Explainer
from torch_geometric.explain.algorithm import GNNExplainer

from nodescope.core.checkpoint import load_checkpoint, shipped_checkpoint
from nodescope.core.loaders import load
from nodescope.core.models import MODELS, NodeModel
from nodescope.core.training import settings_for, train, with_split
from nodescope.explain import fidelity, posthoc, xnode
from nodescope.explain.posthoc import MODEL_CONFIG
from nodescope.explain.subgraph import Logits, prepare_for_explaining
from nodescope.explain.text import explain_all

REPO = Path(__file__).resolve().parents[1]

SHARED = REPO.parent / "shared" / "data"
SAMPLES = {"gnnexplainer": 10, "ig": 30, "saliency": 100}
FIDELITY_NODES = 50
SEED = 0
PARTS = ("xnode-timing", "posthoc-timing", "fidelity", "command")
COMMAND_RUNS = 3
OUTPUT = RESULTS / "explain.json"


def model_for(dataset: str, key: str, data_dir: Path | None) -> tuple[Any, Any, NodeModel, str]:
    sample = load(dataset, data_dir=data_dir)
    data = with_split(sample.data, seed=0)
    path = shipped_checkpoint(dataset, key)
    if path is not None:
        return sample, data, load_checkpoint(path)[0], f"shipped {path.relative_to(REPO)}"
    config = MODELS[key].config(sample.data.num_features, sample.num_classes)
    return sample, data, train(config, data, settings_for(key, seed=0)).model, "trained here (seed 0)"


def xnode_timing(sample: Any, data: Any, model: NodeModel) -> dict[str, Any]:
    names = sample.label_names
    start = time.perf_counter()
    table = explain_all(xnode.analyse(model, data, class_names=names))
    cold = time.perf_counter() - start
    warm = timed(lambda: explain_all(xnode.analyse(model, data, class_names=names)), 3)
    start = time.perf_counter()
    edges = sum(1 for _ in xnode.attributions(model, data, range(sample.num_nodes)))
    out = {
        "nodes": len(table),
        "explain_every_node_cold_s": cold,
        "explain_every_node_warm": warm,
        "target_s": 1.0,
        "edge_masks_every_node_s": time.perf_counter() - start,
        "edge_masks_nodes": edges,
    }
    print(
        f"X-Node, every node: {cold:.2f} s cold, {warm['median_s']:.2f} s warm; edge masks {out['edge_masks_every_node_s']:.1f} s"
    )
    return out


def posthoc_timing(sample: Any, data: Any, model: NodeModel) -> dict[str, Any]:
    n = sample.num_nodes
    out: dict[str, Any] = {}
    for method, count in SAMPLES.items():
        nodes = random.Random(SEED).sample(range(n), count)
        seconds = [att.seconds for att in posthoc.explain_nodes(method, model, data, nodes)]
        per_node = summarize(seconds)
        out[method] = {
            "sampled_nodes": count,
            "per_node": per_node,
            "mean_per_node_s": statistics.mean(seconds),
            "all_nodes_extrapolated_s": per_node["median_s"] * n,
            "extrapolated": f"median per node x {n} nodes, from {count} sampled nodes",
        }
        print(
            f"{method}: {per_node['median_s']:.3f} s per node, ~{per_node['median_s'] * n / 60:.0f} min for all"
        )
    clone = posthoc.private_copy(model)
    whole = prepare_for_explaining(clone, data)
    seconds = []
    for node in random.Random(SEED).sample(range(n), 2):
        explainer = Explainer(
            model=Logits(clone, whole),
            algorithm=GNNExplainer(epochs=100),
            explanation_type="model",
            node_mask_type="attributes",
            edge_mask_type="object",
            model_config=MODEL_CONFIG,
        )
        start = time.perf_counter()
        explainer(whole.x, whole.edge_index, index=node)
        seconds.append(time.perf_counter() - start)
        posthoc.scrub(clone)
    out["gnnexplainer_whole_graph"] = {
        "sampled_nodes": 2,
        "per_node": summarize(seconds),
        "all_nodes_extrapolated_s": statistics.median(seconds) * n,
        "what": "PyG GNNExplainer on the whole graph, as PyG's examples run it (for reference)",
    }
    print(f"gnnexplainer on the whole graph: {statistics.median(seconds):.1f} s per node")
    return out


def fidelity_of(dataset: str, key: str, data_dir: Path | None) -> dict[str, Any]:
    sample, data, model, source = model_for(dataset, key, data_dir)
    pool = [i for i in range(sample.num_nodes) if dataset != "ba-shapes" or int(data.y[i]) > 0]
    nodes = sorted(random.Random(SEED).sample(pool, FIDELITY_NODES))
    methods = (["xnode"] if key.startswith("xnode-") else []) + ["gnnexplainer", "ig", "saliency"]
    methods += ["attention"] if MODELS[key].attention != "none" else []
    methods += list(posthoc.BASELINES)
    out: dict[str, Any] = {"model": key, "weights": source, "nodes": nodes, "methods": {}}
    for method in methods:
        start = time.perf_counter()
        if method == "xnode":
            atts = list(xnode.attributions(model, data, nodes))
        else:
            atts = list(posthoc.explain_nodes(method, model, data, nodes))
        explain_s = time.perf_counter() - start
        start = time.perf_counter()
        frame = fidelity.evaluate(model, data, atts, samples=64, seed=SEED)
        out["methods"][method] = {
            **fidelity.summarize(frame),
            "explain_s": explain_s,
            "fidelity_s": time.perf_counter() - start,
        }
        s = out["methods"][method]
        shown = [
            "fid_plus",
            "fid_minus",
            "prob_fid_plus",
            "prob_fid_minus",
            "robust_fid_plus",
            "robust_fid_minus",
        ]
        shown += ["auroc"] if "auroc" in s else []
        print(f"{dataset} {key} {method}: " + ", ".join(fidelity.shown_summary(s, m) for m in shown))
    better = ("prob_fid_delta", "robust_fid_delta") + (("auroc",) if dataset == "ba-shapes" else ())
    baseline = out["methods"]["random"]
    out["better_than_random"] = {
        method: {m: bool(s[m] > baseline[m]) for m in better}
        for method, s in out["methods"].items()
        if method != "random"
    }
    if dataset == "ba-shapes" and "xnode" in methods:
        x, g = out["methods"]["xnode"], out["methods"]["gnnexplainer"]
        out["xnode_no_worse_than_gnnexplainer"] = {
            m: bool(x[m] >= g[m])
            for m in (
                "auroc",
                "precision",
                "recall",
                "characterization",
                "prob_fid_delta",
                "robust_fid_delta",
            )
        }
    return out


def command_timing(planetoid: Path, baseline: str | None) -> dict[str, Any]:
    """Wall time of the whole ``nodescope explain`` command on Cora (and of a baseline checkout's)."""
    out_dir = Path(tempfile.mkdtemp(prefix="bench-explain-"))
    args = ["explain", "--dataset", "cora", "--model", "xnode-gcn", "--method", "xnode", "--nodes", "all"]
    args += ["--data-dir", str(planetoid)]
    builds = {"this checkout": None} | ({"baseline": baseline} if baseline else {})
    seconds: dict[str, list[float]] = {name: [] for name in builds}
    for _ in range(COMMAND_RUNS):
        for k, (name, path) in enumerate(builds.items()):
            env = dict(os.environ) | ({"PYTHONPATH": path} if path else {})
            command = [sys.executable, "-m", "nodescope.cli.main", *args, "--out", str(out_dir / f"{k}.csv")]
            start = time.perf_counter()
            subprocess.run(command, env=env, check=True, capture_output=True)
            seconds[name].append(time.perf_counter() - start)
    fidelity_json = json.loads((out_dir / "0.fidelity.json").read_text())  # this checkout's
    out = {
        "command": "nodescope " + " ".join(args),
        "omp_num_threads": os.environ.get("OMP_NUM_THREADS"),
        "target_s": 10.0,
        **{name: summarize(values) for name, values in seconds.items()},
        "fidelity_summary": fidelity_json,
    }
    if baseline:
        out["baseline_pythonpath"] = baseline
    print(", ".join(f"{name}: {statistics.median(v):.1f} s" for name, v in seconds.items()))
    sample, data, model, _ = model_for("cora", "xnode-gcn", planetoid)
    nodes = sorted(random.Random(SEED).sample(range(sample.num_nodes), FIDELITY_NODES))
    atts = list(xnode.attributions(model, data, nodes))
    out["fidelity_50_nodes"] = timed(lambda: fidelity.evaluate(model, data, atts, samples=64, seed=SEED))
    print(f"fidelity of 50 nodes in process: {out['fidelity_50_nodes']['median_s']:.2f} s")
    return out


def _stamp() -> dict[str, Any]:
    """When a part finished and the load average (1, 5, 15 min) then: the machine is shared."""
    return {"when": time.strftime("%Y-%m-%d %H:%M:%S"), "load_average": os.getloadavg()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--parts",
        nargs="+",
        choices=PARTS,
        default=list(PARTS),
        help="run only these parts; the others are kept from the last results/explain.json",
    )
    parser.add_argument("--baseline", help="PYTHONPATH of a checkout to time the command against")
    options = parser.parse_args(argv)
    parts = set(options.parts)
    planetoid = SHARED / "planetoid"
    previous = json.loads(OUTPUT.read_text()) if OUTPUT.is_file() else {}
    payload: dict[str, Any] = {
        k: previous[k] for k in ("cora_timing", "fidelity", "command", "updated") if k in previous
    }
    payload |= {
        "torch_threads": torch.get_num_threads(),
        "settings": {
            "gnnexplainer_epochs": 100,
            "ig_steps": 50,
            "explanation_size": f"top {fidelity.FRACTION:.0%} of each node's computation edges, at least 1",
            "mc_samples": 64,
            "alpha1": fidelity.ALPHA1,
            "alpha2": fidelity.ALPHA2,
            "fidelity_nodes": FIDELITY_NODES,
            "seed": SEED,
        },
    }
    updated = payload.setdefault("updated", {})
    timing_parts = parts & {"xnode-timing", "posthoc-timing"}
    if timing_parts and planetoid.is_dir():
        sample, data, model, source = model_for("cora", "xnode-gcn", planetoid)
        timing = payload.setdefault("cora_timing", {}) | {"model": "xnode-gcn", "weights": source}
        if "xnode-timing" in parts:
            timing["xnode"] = xnode_timing(sample, data, model)
            updated["xnode-timing"] = _stamp()
        if "posthoc-timing" in parts:
            timing["posthoc"] = posthoc_timing(sample, data, model)
            updated["posthoc-timing"] = _stamp()
        payload["cora_timing"] = timing
    elif timing_parts:
        print("skipping Cora: ../shared/data is absent")
    if "fidelity" in parts:
        payload["fidelity"] = {}
        for dataset in ("ba-shapes", "cora"):
            if dataset == "cora" and not planetoid.is_dir():
                continue
            for key in (
                ("gcn", "xnode-gcn", "xnode-gat") if dataset == "ba-shapes" else ("xnode-gcn", "xnode-gat")
            ):
                payload["fidelity"][f"{dataset}/{key}"] = fidelity_of(dataset, key, planetoid)
        updated["fidelity"] = _stamp()
    if "command" in parts and planetoid.is_dir():
        payload["command"] = command_timing(planetoid, options.baseline)
        updated["command"] = _stamp()
    write("explain", payload)


if __name__ == "__main__":
    main()
