"""Lifting speed: 10,000 poses through each lifting model on the CPU (median of runs).

For each model (shipped weights when present, else the same architecture freshly initialized:
the time does not depend on the weights) lifts 10,000 poses (the procedural walk and jump seen
by random cameras, repeated) in one call of :meth:`core.models.lifting.Lifter.predict`, with
normalization included; issue 15's target is under 1 s. Records the torch thread count and the
machine's load average, which matter on a shared machine. Writes
``benchmarks/results/lifting_speed.json``.

Usage::

    .venv/bin/python benchmarks/bench_lifting.py [--repeats 7] [--threads 1]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.common import timed, write  # noqa: E402

POSES = 10_000


def main() -> None:
    """Time each model on 10,000 poses, write the JSON."""
    import numpy as np
    import torch

    from nodescope.core.models.lifting import DEFAULT_CONFIGS, build_lifter, load_lifter, shipped_lifter
    from nodescope.core.models.lifting.evaluate import builtin_set

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--threads", type=int, help="torch CPU threads (default: torch's choice)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    data = builtin_set()
    index = np.arange(POSES) % len(data)
    kp = torch.as_tensor(data.keypoints_2d[index])
    focal = torch.as_tensor(data.focal[index])
    size = torch.as_tensor(data.image_size[index], dtype=torch.float32)
    rows = {}
    for key, config in DEFAULT_CONFIGS.items():
        path = shipped_lifter(key)
        model = load_lifter(path)[0] if path is not None else build_lifter(config).eval()
        model.predict(kp[:256], focal[:256], size[:256])  # warm up
        rows[key] = {
            **timed(lambda m=model: m.predict(kp, focal, size, batch=POSES), repeats=args.repeats),
            "params": model.num_parameters(),
            "weights": "shipped" if path is not None else "untrained",
        }
        print(key, rows[key], flush=True)
    write(
        "lifting_speed",
        {"poses": POSES, "threads": torch.get_num_threads(), "load_average": os.getloadavg(), "models": rows},
    )


if __name__ == "__main__":
    main()
