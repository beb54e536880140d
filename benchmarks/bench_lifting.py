"""Lifting speed: 10,000 poses through each lifting model on the CPU (median of runs).

For each model (shipped weights when present, else the same architecture freshly initialized:
the time does not depend on the weights) lifts 10,000 poses (the procedural walk and jump seen
by random cameras, repeated) in one call of :meth:`core.models.lifting.Lifter.predict`, with
normalization included; issue 15's target is under 1 s. HopFIR is also timed on its reference
path (``fast_inference`` off: the layers' ``forward``, as before the inference path), interleaved
with the fast one run by run. One block per torch thread count, each with the machine's load
average, which matters on a shared machine. Writes ``benchmarks/results/lifting_speed.json``.

Usage::

    .venv/bin/python benchmarks/bench_lifting.py [--repeats 7] [--threads 1 2]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.common import summarize, write  # noqa: E402

POSES = 10_000


def main() -> None:
    """Time each model on 10,000 poses, write the JSON."""
    import numpy as np
    import torch

    from nodescope.core.models.lifting import DEFAULT_CONFIGS, build_lifter, load_lifter, shipped_lifter
    from nodescope.core.models.lifting.evaluate import builtin_set

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument(
        "--threads", type=int, nargs="+", help="torch CPU threads, a run each (default: torch's)"
    )
    args = parser.parse_args()
    data = builtin_set()
    index = np.arange(POSES) % len(data)
    kp = torch.as_tensor(data.keypoints_2d[index])
    focal = torch.as_tensor(data.focal[index])
    size = torch.as_tensor(data.image_size[index], dtype=torch.float32)
    models = {}
    for key, config in DEFAULT_CONFIGS.items():
        path = shipped_lifter(key)
        model = load_lifter(path)[0] if path is not None else build_lifter(config).eval()
        models[key] = (model, "shipped" if path is not None else "untrained")
    runs = []
    for threads in args.threads or [torch.get_num_threads()]:
        torch.set_num_threads(threads)
        rows = {}
        for key, (model, weights) in models.items():
            calls = {key: lambda m=model: m.predict(kp, focal, size, batch=POSES)}
            if hasattr(model, "fast_inference"):
                calls[f"{key}_reference"] = lambda m=model: reference(m, kp, focal, size)
            times = interleaved(
                calls, args.repeats, warm_up=lambda m=model: m.predict(kp[:256], focal[:256], size[:256])
            )
            for name, (seconds, cpu) in times.items():
                rows[name] = {
                    **summarize(seconds),
                    "cpu_median_s": statistics.median(cpu),
                    "params": model.num_parameters(),
                    "weights": weights,
                }
                print(threads, name, rows[name], flush=True)
        runs.append({"threads": threads, "load_average": os.getloadavg(), "models": rows})
    write("lifting_speed", {"poses": POSES, "runs": runs})


def reference(model, kp, focal, size):
    """HopFIR's lift on its reference path (the layers' ``forward``)."""
    model.fast_inference = False
    try:
        return model.predict(kp, focal, size, batch=POSES)
    finally:
        model.fast_inference = True


def interleaved(calls, repeats, warm_up):
    """Wall and process CPU seconds of each call over ``repeats`` rounds, the calls taking turns.

    CPU time (all of the process's threads) is the steadier figure on a loaded machine.
    """
    import time

    warm_up()
    times = {name: ([], []) for name in calls}
    for _ in range(repeats):
        for name, call in calls.items():
            t0, c0 = time.perf_counter(), time.process_time()
            call()
            times[name][0].append(time.perf_counter() - t0)
            times[name][1].append(time.process_time() - c0)
    return times


if __name__ == "__main__":
    main()
