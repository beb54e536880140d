"""Train the lifting models (MLP, SemGCN, HopFIR) on real motion capture; write lifting.json.

Each model trains on the CMU clips of the training subjects (``../shared/data/mocap``, split by
subject: :func:`core.models.lifting.evaluate.mocap_sets`), seen through **fresh random cameras
every epoch** (:func:`core.skeleton.dataset.build_lifting_set`: every 2nd frame, one camera with
exact 2D and one with 2D noise of 5 px), keeps the epoch with the lowest validation MPJPE
(subject 08), and is scored on the held-out subjects (09, 12) with exact 2D and with 2D noise of
σ = 5 px (the same cameras), and on the procedural built-in. Loss: MPJPE in metres; Adam, batch
256, cosine learning-rate decay.

Every run (model × seed) is resumable: its state (weights, best weights, optimizer, history) is
written after every epoch to ``--state-dir`` (safetensors + JSON); a finished run is not trained
again. Results (every seed, mean ± sample standard deviation, per joint, per action, parameter
counts, training seconds) go to ``benchmarks/results/lifting.json``. ``--ship`` writes seed 0
of each model to ``assets/models/skeleton/<model>.{safetensors,json}``.

Usage::

    nice -n 5 .venv/bin/python examples/train_lifting.py --models mlp gcn hopfir --seeds 0 1 2
    .venv/bin/python examples/train_lifting.py --ship      # after training: seed 0 to assets/
    .venv/bin/python examples/train_lifting.py --table     # README table from lifting.json
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors.torch import load_file, save_file

from nodescope.core import results as results_file
from nodescope.core.checkpoint import SHIPPED_DIR
from nodescope.core.models.lifting import DEFAULT_CONFIGS, LIFTERS, TITLES, Lifter, build_lifter, save_lifter
from nodescope.core.models.lifting.checkpoint import SHIPPED_DATASET
from nodescope.core.models.lifting.evaluate import (
    TEST_NOISE_PX,
    builtin_set,
    evaluate,
    mocap_clips,
    mocap_sets,
)
from nodescope.core.paths import user_dir
from nodescope.core.skeleton.dataset import Clip, LiftingSet, build_lifting_set
from nodescope.core.skeleton.joints import JOINT_NAMES

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results" / "lifting.json"
MOCAP = REPO.parent / "shared" / "data" / "mocap"
#: Training recipe (the same for every model).
RECIPE = {
    "epochs": 30,
    "batch": 256,
    "lr": 1e-3,
    "final_lr_fraction": 0.05,
    "train_stride": 2,
    "train_noise_px": 5.0,
    "cameras_per_epoch": "1 exact + 1 noisy per kept frame, fresh each epoch",
}
#: Published Human3.6M MPJPE with ground-truth 2D (protocol 1), as issue 15 and the papers state.
PUBLISHED_H36M = {"hopfir": 32.7, "gcn": 43.8, "mlp": 45.5}


def _tensors(data: LiftingSet) -> tuple[torch.Tensor, ...]:
    return (
        torch.as_tensor(data.keypoints_2d),
        torch.as_tensor(data.focal),
        torch.as_tensor(data.image_size, dtype=torch.float32),
        torch.as_tensor(data.joints_3d),
    )


def epoch_set(clips: list[Clip], seed: int, epoch: int) -> LiftingSet:
    """The epoch's training poses: every kept frame through one fresh clean and one fresh noisy camera."""
    base = 1_000_003 * (seed + 1) + 2 * epoch
    sets = [
        build_lifting_set(clips, cameras=1, noise_px=noise, seed=base + k)
        for k, noise in enumerate((0.0, RECIPE["train_noise_px"]))
    ]
    fields = ("keypoints_2d", "focal", "image_size", "joints_3d")
    merged = {f: np.concatenate([getattr(s, f) for s in sets]) for f in fields}
    return LiftingSet(
        **merged,
        root_depth=np.concatenate([s.root_depth for s in sets]),
        subject=np.concatenate([s.subject for s in sets]),
        clip=np.concatenate([s.clip for s in sets]),
        frame=np.concatenate([s.frame for s in sets]),
        clip_names=sets[0].clip_names,
        actions=sets[0].actions,
    )


def _lr(epoch: int, epochs: int) -> float:
    lo = RECIPE["lr"] * RECIPE["final_lr_fraction"]
    return lo + (RECIPE["lr"] - lo) * 0.5 * (1 + math.cos(math.pi * epoch / max(epochs - 1, 1)))


def _save_state(path: Path, model: Lifter, best: dict, opt: torch.optim.Optimizer, info: dict) -> None:
    tensors = {f"model.{k}": v.detach().clone().contiguous() for k, v in model.state_dict().items()}
    tensors |= {f"best.{k}": v.clone().contiguous() for k, v in best.items()}
    opt_state = opt.state_dict()
    for idx, state in opt_state["state"].items():
        for name, value in state.items():
            tensors[f"opt.{idx}.{name}"] = torch.as_tensor(value).clone().contiguous()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    save_file(tensors, str(tmp))
    tmp.replace(path.with_suffix(".safetensors"))
    path.with_suffix(".json").write_text(json.dumps(info, indent=1) + "\n")


def _load_state(path: Path, model: Lifter, opt: torch.optim.Optimizer) -> dict[str, torch.Tensor]:
    tensors = load_file(str(path.with_suffix(".safetensors")))
    model.load_state_dict({k[6:]: v for k, v in tensors.items() if k.startswith("model.")})
    opt_state = opt.state_dict()
    for key, value in tensors.items():
        if key.startswith("opt."):
            _, idx, name = key.split(".", 2)
            opt_state["state"].setdefault(int(idx), {})[name] = value
    opt.load_state_dict(opt_state)
    return {k[5:]: v for k, v in tensors.items() if k.startswith("best.")}


def train_run(
    key: str, seed: int, clips: list[Clip], sets: dict[str, LiftingSet], state_dir: Path, epochs: int
) -> dict:
    """Train (or resume, or read back) one model × seed; returns its finished record."""
    path = state_dir / f"{key}-seed{seed}"
    info: dict[str, Any] = {"model": key, "seed": seed, "epoch": 0, "history": [], "seconds": 0.0}
    torch.manual_seed(seed)
    model = build_lifter(DEFAULT_CONFIGS[key])
    opt = torch.optim.Adam(model.parameters(), lr=RECIPE["lr"])
    best = {k: v.detach().clone() for k, v in model.state_dict().items()}
    if path.with_suffix(".json").is_file():
        info = json.loads(path.with_suffix(".json").read_text())
        if info.get("done"):
            return info
        best = _load_state(path, model, opt)
    val = sets["val"]
    for epoch in range(info["epoch"], epochs):
        start = time.perf_counter()
        torch.manual_seed(1_000 * seed + epoch)
        kp, focal, size, target = _tensors(epoch_set(clips, seed, epoch))
        order = torch.randperm(len(kp))
        for group in opt.param_groups:
            group["lr"] = _lr(epoch, epochs)
        model.train()
        losses = []
        for i in range(0, len(kp), RECIPE["batch"]):
            idx = order[i : i + RECIPE["batch"]]
            if len(idx) < 2:  # batch norm needs two poses
                continue
            loss = (model(kp[idx], focal[idx], size[idx]) - target[idx]).norm(dim=-1).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
        val_mpjpe = evaluate(model, val)["mpjpe"]
        seconds = time.perf_counter() - start
        best_val = min([h["val_mpjpe"] for h in info["history"]], default=math.inf)
        if val_mpjpe < best_val:
            best = {k: v.detach().clone() for k, v in model.state_dict().items()}
        info["history"].append(
            {
                "epoch": epoch,
                "train_mpjpe": 1000 * float(np.mean(losses)),
                "val_mpjpe": val_mpjpe,
                "seconds": seconds,
            }
        )
        info["epoch"], info["seconds"] = epoch + 1, info["seconds"] + seconds
        _save_state(path, model, best, opt, info)
        print(
            f"  {key} seed {seed} epoch {epoch}: train {1000 * np.mean(losses):.1f} mm, val {val_mpjpe:.1f} mm ({seconds:.0f} s)",
            flush=True,
        )
    model.load_state_dict(best)
    model.eval()
    best_epoch = int(np.argmin([h["val_mpjpe"] for h in info["history"]]))
    info |= {
        "done": True,
        "params": model.num_parameters(),
        "config": model.config.to_dict(),
        "best_epoch": best_epoch,
        "val_mpjpe": info["history"][best_epoch]["val_mpjpe"],
        "test": evaluate(model, sets["test"]),
        "test_noisy": evaluate(model, sets["test_noisy"]),
        "builtin": evaluate(model, builtin_set()),
    }
    _save_state(path, model, best, opt, info)
    return info


def _mean_std(values: list[float]) -> dict[str, float]:
    return {"mean": statistics.mean(values), "std": statistics.stdev(values) if len(values) > 1 else 0.0}


def summarize(runs: list[dict]) -> dict[str, Any]:
    """Mean ± std over seeds of one model's finished runs."""
    out: dict[str, Any] = {
        "seeds": [r["seed"] for r in runs],
        "params": runs[0]["params"],
        "config": runs[0]["config"],
    }
    for split in ("test", "test_noisy", "builtin"):
        out[split] = {m: _mean_std([r[split][m] for r in runs]) for m in ("mpjpe", "p_mpjpe")}
        out[split]["per_joint"] = dict(
            zip(JOINT_NAMES, np.mean([r[split]["per_joint"] for r in runs], 0).tolist(), strict=True)
        )
        actions = runs[0][split]["per_action"]
        out[split]["per_action"] = {
            a: statistics.mean(r[split]["per_action"][a] for r in runs) for a in actions
        }
    out["val_mpjpe"] = _mean_std([r["val_mpjpe"] for r in runs])
    out["train_seconds"] = _mean_std([r["seconds"] for r in runs])
    out["epochs"] = runs[0]["epoch"]
    out["runs"] = [{k: v for k, v in r.items() if k != "history"} | {"history": r["history"]} for r in runs]
    return out


def read_results() -> dict[str, Any]:
    return results_file.read_results(RESULTS, {"models": {}})


def write_results(results: dict[str, Any]) -> None:
    results["recipe"] = RECIPE
    results["test_noise_px"] = TEST_NOISE_PX
    results["published_h36m_mpjpe"] = PUBLISHED_H36M
    results_file.write_results(RESULTS, results)


def markdown_table(results: dict[str, Any]) -> str:
    """README table: one row per model."""
    lines = [
        "| model | parameters | MPJPE, exact 2D | P-MPJPE, exact 2D | MPJPE, 2D σ = 5 px | P-MPJPE, 2D σ = 5 px | train time | Human3.6M, published |",
        "|---|---|---|---|---|---|---|---|",
    ]
    seeds = set()
    for key in ("hopfir", "gcn", "mlp"):
        entry = results["models"].get(key)
        if entry is None:
            continue
        seeds.add(len(entry["seeds"]))

        def cell(split: str, metric: str, entry: dict = entry) -> str:
            return f"{entry[split][metric]['mean']:.1f} ± {entry[split][metric]['std']:.1f}"

        lines.append(
            f"| {TITLES[key]} | {entry['params'] / 1000:.0f} k | {cell('test', 'mpjpe')} | {cell('test', 'p_mpjpe')} "
            f"| {cell('test_noisy', 'mpjpe')} | {cell('test_noisy', 'p_mpjpe')} | {entry['train_seconds']['mean'] / 60:.1f} min "
            f"| {PUBLISHED_H36M[key]} |"
        )
    over = f"{seeds.pop()} seeds" if len(seeds) == 1 else "several seeds"
    lines += [
        "",
        f"Millimetres, mean ± sample standard deviation over {over} (0, 1, 2: initialization, training "
        "cameras, dropout); train time per seed; Human3.6M: published MPJPE with ground-truth 2D, another "
        "dataset and protocol (below).",
    ]
    return "\n".join(lines)


def ship(results: dict[str, Any], state_dir: Path) -> None:
    """Write seed 0 of each trained model to assets/models/skeleton/."""
    for key, entry in results["models"].items():
        run = next((r for r in entry["runs"] if r["seed"] == 0), None)
        if run is None:
            continue
        model = build_lifter(DEFAULT_CONFIGS[key])
        tensors = load_file(str((state_dir / f"{key}-seed0").with_suffix(".safetensors")))
        model.load_state_dict({k[5:]: v for k, v in tensors.items() if k.startswith("best.")})
        model.eval()
        builtin = evaluate(model, builtin_set())
        assert abs(builtin["mpjpe"] - run["builtin"]["mpjpe"]) < 1e-3, "the state file does not match the run"
        record = {
            "seed": 0,
            "params": run["params"],
            "best_epoch": run["best_epoch"],
            "epochs": run["epoch"],
            "train_seconds": run["seconds"],
            "recipe": RECIPE,
            "val_mpjpe": run["val_mpjpe"],
            "test": {k: run["test"][k] for k in ("mpjpe", "p_mpjpe", "poses")},
            "test_noisy": {k: run["test_noisy"][k] for k in ("mpjpe", "p_mpjpe", "poses")},
            "builtin": {k: builtin[k] for k in ("mpjpe", "p_mpjpe", "poses")},
            "data": "CMU mocap (../shared/data/mocap), subjects split by core.models.lifting.evaluate.mocap_sets",
        }
        save_lifter(model, SHIPPED_DIR / SHIPPED_DATASET / key, record)
        print(f"shipped {key}: test MPJPE {run['test']['mpjpe']:.1f} mm, built-in {builtin['mpjpe']:.1f} mm")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", nargs="+", default=["mlp", "gcn", "hopfir"], choices=list(LIFTERS))
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=RECIPE["epochs"])
    parser.add_argument(
        "--data", type=Path, default=MOCAP, help="the BVH clips (default ../shared/data/mocap)"
    )
    parser.add_argument(
        "--state-dir", type=Path, default=user_dir() / "cache" / "lifting", help="per-run states"
    )
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads (default 1)")
    parser.add_argument("--table", action="store_true", help="print the README table from lifting.json")
    parser.add_argument(
        "--ship", action="store_true", help="write seed 0 of each model to assets/models/skeleton"
    )
    args = parser.parse_args(argv)
    if args.table:
        print(markdown_table(read_results()))
        return 0
    if args.ship:
        ship(read_results(), args.state_dir)
        return 0
    torch.set_num_threads(args.threads)
    RECIPE["epochs"] = args.epochs
    train_clips = mocap_clips(args.data, stride=RECIPE["train_stride"])["train"]
    sets = mocap_sets(args.data)
    for key in args.models:
        runs = [train_run(key, seed, train_clips, sets, args.state_dir, args.epochs) for seed in args.seeds]
        results = read_results()  # re-read: other runs may have finished meanwhile
        previous = {r["seed"]: r for r in results["models"].get(key, {}).get("runs", [])}
        previous |= {r["seed"]: r for r in runs}
        results["models"][key] = summarize([previous[s] for s in sorted(previous)])
        write_results(results)
        entry = results["models"][key]
        print(
            f"{key}: test MPJPE {entry['test']['mpjpe']['mean']:.1f} ± {entry['test']['mpjpe']['std']:.1f} mm",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
