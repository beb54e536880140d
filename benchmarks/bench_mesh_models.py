"""The mesh models against the solver and two trivial baselines; rollout speed; attention against physics.

For each trained run of :mod:`core.models.mesh.recipe` (``examples/train_mesh.py``; every seed
found in ``--state-dir``) on the heat equation:

- **errors** on the test split (12 samples of the training shape families) and the unseen
  split (12 samples of shape families never trained on: tori and pyvista's airplane, ant, nut,
  sphere): one-step RMSE (from every true state) and 50-step rollout RMSE (autoregressive from
  ``u_0``, over steps 1..50 and every vertex), field units, mean over samples; beside the
  **no-change** and **uniform-Laplacian** baselines (:mod:`core.models.mesh.rollout`) on the
  same samples (the latter's mean is dominated by the samples where it diverges, so its median
  and the number of samples where each model beats it are reported too);
- **speed**: a 100-step rollout on a 20,000-vertex procedural torus (seed 0 weights, median of
  runs, graph building included), wall-clock and this process's CPU seconds (the machine is
  shared: the CPU time is what the rollout itself costs);
- **attention vs physics** (transformer): Spearman ρ between each first-layer head's attention
  and the normalized cotangent weights of the same edges, at ``u_0`` of each test sample, mean
  over samples (:mod:`explain.mesh_attention`).

Writes ``benchmarks/results/mesh_models.json`` and prints the README table.

Usage (one process; or parts in parallel, then ``--merge`` their JSON files)::

    nice -n 5 .venv/bin/python benchmarks/bench_mesh_models.py [--seeds 0 1 2] [--repeats 3]
    .venv/bin/python benchmarks/bench_mesh_models.py --models mpnn --seeds 0 --repeats 0 --out part1
    .venv/bin/python benchmarks/bench_mesh_models.py --speed-only --repeats 1 --out part2
    nice -n 5 .venv/bin/python benchmarks/bench_mesh_models.py --speed-only --repeats 3 --out mesh_rollout_speed
    .venv/bin/python benchmarks/bench_mesh_models.py --merge part1 part2 --out mesh_models
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.common import RESULTS, summarize, write  # noqa: E402

ROLLOUT_STEPS = 50
SPEED_VERTICES, SPEED_STEPS = 20_000, 100


def _mean_std(values: list[float]) -> dict[str, float]:
    return {"mean": statistics.mean(values), "std": statistics.stdev(values) if len(values) > 1 else 0.0}


def baselines(examples: list) -> dict[str, Any]:
    """No-change and uniform-Laplacian rollout RMSE per sample."""
    import numpy as np

    from nodescope.core.models.mesh import no_change, uniform_laplacian_rollout
    from nodescope.core.models.mesh.training import rollout_rmse

    still, laplace = [], []
    for ex in examples:
        s, truth = ex.sample, ex.states.numpy()
        still.append(rollout_rmse(no_change(truth[0], ROLLOUT_STEPS), truth))
        pred = uniform_laplacian_rollout(
            s.faces,
            equation=s.equation,
            h=ex.graph.h,
            coefficient=s.coefficient,
            dt=s.dt,
            initial=truth[0],
            steps=ROLLOUT_STEPS,
            fixed=s.fixed,
            source=s.source,
        )
        laplace.append(rollout_rmse(pred, truth))
    laplace_arr = np.asarray(laplace)
    return {
        "no_change": {"rollout_rmse": float(np.mean(still)), "per_sample": still},
        "uniform_laplacian": {
            "rollout_rmse": float(np.mean(laplace_arr)) if np.isfinite(laplace_arr).all() else float("inf"),
            "rollout_rmse_median": float(np.median(laplace_arr)),
            "diverged": int((~np.isfinite(laplace_arr) | (laplace_arr > 10)).sum()),
            "per_sample": [float(x) if np.isfinite(x) else 1e30 for x in laplace],
        },
    }


def speed(model: Any, repeats: int, threads: tuple[int, ...] = (1,)) -> dict[str, Any]:
    """Seconds for a 100-step rollout on a 20k-vertex torus (graph building included).

    The fused-kernel rollout (``fast``, what :func:`rollout` runs on the CPU) and the plain
    forward (``plain``) are timed interleaved in this one process (plain, fast, plain, ...),
    for each torch thread count in ``threads``, so both see the same machine load; after one
    untimed short rollout of each (numba's compilation or disk-cache load: ``warmup_s``).
    The top-level figures are the fast path's with ``threads[0]``.
    """
    import numpy as np
    import torch

    from nodescope.core.models.mesh import mesh_graph, rollout, step_number
    from nodescope.core.simulation import gaussian_bumps, procedural_mesh

    mesh = procedural_mesh("torus", 0, SPEED_VERTICES)
    initial = gaussian_bumps(mesh.pos, mesh.faces, np.random.default_rng(0), count=3, width=(0.15, 0.35))

    def run(fast: bool, steps: int = SPEED_STEPS) -> np.ndarray:
        graph = mesh_graph(mesh.pos, mesh.faces, k=model.config.k)
        number = step_number("heat", 0.1, 0.01, graph.h)
        return rollout(model, graph, number=number, initial=initial, steps=steps, fast=fast)

    start = time.perf_counter()
    run(True, 1)
    warmup = time.perf_counter() - start
    run(False, 1)
    before = torch.get_num_threads()
    per_threads: dict[str, Any] = {}
    for count in threads:
        torch.set_num_threads(count)
        times: dict[str, list[float]] = {"plain": [], "fast": []}
        cpu: dict[str, list[float]] = {"plain": [], "fast": []}
        states = {}
        for _ in range(repeats):
            for path in ("plain", "fast"):
                start, start_cpu = time.perf_counter(), time.process_time()
                states[path] = run(path == "fast")
                times[path].append(time.perf_counter() - start)
                cpu[path].append(time.process_time() - start_cpu)
        entry = {path: {**summarize(times[path]), "cpu_s": summarize(cpu[path])} for path in times}
        entry["speedup_wall"] = entry["plain"]["median_s"] / entry["fast"]["median_s"]
        entry["speedup_cpu"] = entry["plain"]["cpu_s"]["median_s"] / entry["fast"]["cpu_s"]["median_s"]
        # The benchmark's step number (c·dt/h² ≈ 2.2) is ~9x the training range, so the rollout
        # amplifies float32 rounding; the one-step equality is checked in tests/core/test_mesh_fast.py.
        entry["max_abs_state_difference"] = float(np.abs(states["fast"] - states["plain"]).max())
        per_threads[str(count)] = entry
        print(
            f"{model.config.model}, {count} thread(s): plain {entry['plain']['median_s']:.1f} s "
            f"(CPU {entry['plain']['cpu_s']['median_s']:.1f} s), fast {entry['fast']['median_s']:.1f} s "
            f"(CPU {entry['fast']['cpu_s']['median_s']:.1f} s)",
            flush=True,
        )
    torch.set_num_threads(before)
    first = per_threads[str(threads[0])]["fast"]
    # CPU seconds of this process: what the rollout costs whatever else the machine runs.
    return {
        "vertices": mesh.num_vertices,
        "steps": SPEED_STEPS,
        **first,
        "warmup_s": warmup,
        "threads": per_threads,
        "load_average": list(os.getloadavg()),
    }


def attention_rho(model: Any, examples: list) -> dict[str, Any]:
    """Mean over samples of each first-layer head's Spearman ρ with the normalized cotangent weights."""
    import numpy as np

    from nodescope.explain.mesh_attention import attention_vs_cotangent

    rows = []
    for ex in examples:
        s = ex.sample
        result = attention_vs_cotangent(
            model,
            ex.graph,
            s.pos,
            s.faces,
            number=ex.number,
            u=ex.states[0].numpy(),
            source_dt=None if ex.source_dt is None else ex.source_dt.numpy(),
        )
        rows.append(result.rho)
    per_head = np.nanmean(np.asarray(rows), axis=0)
    return {
        "per_head": per_head.tolist(),
        "best_head": int(np.argmax(per_head)),
        "best": float(per_head.max()),
    }


def main() -> None:
    """Score every trained run, the baselines, the speed and the attention; write the JSON."""
    import numpy as np
    import torch

    from nodescope.core.models.mesh.recipe import COUNTS, DATA_CONFIG, SETTINGS, load_run, split_examples
    from nodescope.core.models.mesh.registry import MESH_MODELS
    from nodescope.core.models.mesh.training import evaluate

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--models", nargs="+", default=list(MESH_MODELS))
    parser.add_argument("--repeats", type=int, default=3, help="speed runs (0: no speed measure)")
    parser.add_argument("--out", default="mesh_models", help="results name (benchmarks/results/NAME.json)")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--speed-threads", nargs="+", type=int, default=[1, 2], help="torch thread counts of the speed runs"
    )
    parser.add_argument("--state-dir", type=Path, default=REPO / ".cache" / "mesh")
    parser.add_argument("--speed-only", action="store_true", help="only the rollout speed (seed 0 weights)")
    parser.add_argument(
        "--merge",
        nargs="+",
        metavar="NAME",
        help="combine the runs of partial results (NAME.json) into --out",
    )
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if args.merge:
        payload = merge([json.loads((RESULTS / f"{name}.json").read_text()) for name in args.merge])
        write(args.out, payload)
        print(markdown_table(payload))
        return
    if args.speed_only:
        payload = {"models": {}}
        for key in args.models:
            loaded = load_run(key, "heat", min(args.seeds), state_dir=args.state_dir)
            if loaded is not None:
                payload["models"][key] = {
                    "runs": [],
                    "speed": speed(loaded[0], args.repeats, tuple(args.speed_threads)),
                }
        write(args.out, payload)
        return
    cache = args.state_dir / "data"
    splits = {s: split_examples(s, "heat", 1, cache) for s in ("test", "unseen")}
    payload: dict[str, Any] = {
        "equation": "heat",
        "counts": {s: COUNTS[s] for s in ("train", "test", "unseen")},
        "data": {"vertices": list(DATA_CONFIG.vertices), "steps": DATA_CONFIG.steps},
        "settings": {"steps": SETTINGS.steps, "batch": SETTINGS.batch, "lr": SETTINGS.lr},
        "rollout_steps": ROLLOUT_STEPS,
        "threads": torch.get_num_threads(),
        "baselines": {s: baselines(ex) for s, ex in splits.items()},
        "models": {},
    }
    for key in args.models:
        runs = []
        for seed in args.seeds:
            loaded = load_run(key, "heat", seed, state_dir=args.state_dir)
            if loaded is None:
                continue
            model, info = loaded
            if not info.get("done") or info["step"] < SETTINGS.steps:
                print(f"{key} seed {seed}: unfinished ({info['step']} steps), skipped")
                continue
            run: dict[str, Any] = {"seed": seed, "params": info["params"], "train_seconds": info["seconds"]}
            for split, examples in splits.items():
                run[split] = evaluate(model, examples, steps=ROLLOUT_STEPS)
                lap = np.asarray(payload["baselines"][split]["uniform_laplacian"]["per_sample"])
                mine = np.asarray(run[split]["per_sample"]["rollout_rmse"])
                run[split]["beats_laplacian"] = int((mine < lap).sum())
            if key == "mesh-transformer":
                run["attention_rho"] = attention_rho(model, splits["test"])
            if seed == min(args.seeds) and args.repeats > 0:
                run["speed"] = speed(model, args.repeats, tuple(args.speed_threads))
            runs.append(run)
            print(
                f"{key} seed {seed}: unseen rollout {run['unseen']['rollout_rmse']:.4f}, "
                f"test rollout {run['test']['rollout_rmse']:.4f}",
                flush=True,
            )
        if runs:
            payload["models"][key] = summarize_runs(key, runs)
    write(args.out, payload)
    print(markdown_table(payload))


def summarize_runs(key: str, runs: list[dict[str, Any]], speed_entry: dict | None = None) -> dict[str, Any]:
    """Mean ± std over a model's runs (seeds)."""
    runs = sorted(runs, key=lambda r: r["seed"])
    summary: dict[str, Any] = {"seeds": [r["seed"] for r in runs], "params": runs[0]["params"], "runs": runs}
    for split in ("test", "unseen"):
        summary[split] = {
            m: _mean_std([r[split][m] for r in runs]) for m in ("one_step_rmse", "rollout_rmse")
        }
        summary[split]["beats_laplacian"] = [r[split]["beats_laplacian"] for r in runs]
    if key == "mesh-transformer":
        summary["attention_best_rho"] = _mean_std([r["attention_rho"]["best"] for r in runs])
        summary["attention_rho_per_head"] = [r["attention_rho"]["per_head"] for r in runs]
    summary["speed"] = speed_entry or next((r["speed"] for r in runs if "speed" in r), None)
    summary["train_seconds"] = _mean_std([r["train_seconds"] for r in runs])
    return summary


def merge(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """One payload from partial ones (runs measured in separate processes, on the same data)."""
    skip = ("benchmark", "machine", "when", "models")
    payload: dict[str, Any] = {}
    for part in parts:
        for k, v in part.items():
            if k not in skip:
                payload.setdefault(k, v)
    payload["models"] = {}
    for key in dict.fromkeys(k for part in parts for k in part["models"]):
        runs = {r["seed"]: r for part in parts for r in part["models"].get(key, {}).get("runs", [])}
        speeds = [p["models"][key]["speed"] for p in parts if (p["models"].get(key) or {}).get("speed")]
        if runs:
            payload["models"][key] = summarize_runs(key, list(runs.values()), speeds[0] if speeds else None)
    payload["merged_from"] = [p.get("when") for p in parts]
    return payload


def markdown_table(payload: dict[str, Any]) -> str:
    """The README table from the JSON payload."""
    base = payload["baselines"]
    lines = [
        "| model | parameters | one-step, test | one-step, unseen | 50-step, test | 50-step, unseen | 100 steps on 20k vertices |",
        "|---|---|---|---|---|---|---|",
    ]

    def cell(entry: dict[str, Any], split: str, metric: str) -> str:
        value = entry[split][metric]
        return f"{value['mean']:.4f} ± {value['std']:.4f}"

    for key, entry in payload["models"].items():
        speed_entry = entry.get("speed") or {"median_s": float("nan"), "cpu_s": {"median_s": float("nan")}}
        seconds = f"{speed_entry['median_s']:.0f} s (CPU {speed_entry['cpu_s']['median_s']:.0f} s)"
        lines.append(
            f"| {key} | {entry['params']:,} | {cell(entry, 'test', 'one_step_rmse')} | {cell(entry, 'unseen', 'one_step_rmse')} "
            f"| {cell(entry, 'test', 'rollout_rmse')} | {cell(entry, 'unseen', 'rollout_rmse')} | {seconds} |"
        )
    for name, label in (("no_change", "no change"), ("uniform_laplacian", "uniform Laplacian, explicit")):
        t, u = base["test"][name], base["unseen"][name]
        extra = ""
        if name == "uniform_laplacian":
            extra = f" (median {t['rollout_rmse_median']:.4f} / {u['rollout_rmse_median']:.4f}; diverged on {t['diverged']} / {u['diverged']})"
        lines.append(
            f"| {label} | – | – | – | {t['rollout_rmse']:.4g} | {u['rollout_rmse']:.4g}{extra} | – |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
