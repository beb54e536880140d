"""A cohort on Dask: N copies of sugar-sub-001 registered on 1 and on 2 local workers.

Each copy is a subject folder whose ``surf/lh.sphere`` and ``surf/lh.sulc`` link to
``../shared/data/sugar-sub-001``'s (110,864 vertices); ``nodescope register --batch`` registers
their left hemispheres with the default method, one Dask task each (:mod:`cli.register_batch`),
on a local cluster of 1, then 2 worker processes (one thread each, torch at one thread), each
run into a fresh output folder. Reported per worker count: wall seconds from the call to the
CSV written (the cluster's start-up included, and measured apart), subjects per minute, and
the speed-up of 2 workers over 1; also the same batch in this process without Dask
(``--serial``). The 1-minute load average is recorded before and after each run: the machine
is shared (2 cores here), so the speed-up is bounded by what the other processes leave; each
task's CPU seconds (median) say what a subject costs whatever the load.

Run: ``OMP_NUM_THREADS=1 nice .venv/bin/python benchmarks/bench_registration_cohort.py [--subjects 32]
[--workers 1 2] [--serial]``
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from common import write

from nodescope.cli.register_batch import CSV_NAME, dask_client, read_rows, run_batch

REPO = Path(__file__).resolve().parents[1]
SUBJECT = REPO.parent / "shared" / "data" / "sugar-sub-001"


def cohort(root: Path, n: int) -> Path:
    """``n`` subject folders linking to the reference subject's lh sphere and sulc."""
    for i in range(n):
        surf = root / "subjects" / f"copy-{i:03d}" / "surf"
        surf.mkdir(parents=True)
        for name in ("lh.sphere", "lh.sulc"):
            (surf / name).symlink_to(SUBJECT / "surf" / name)
    return root / "subjects"


def batch(subjects: Path, out: Path, workers: int, use_dask: bool) -> dict:
    args = argparse.Namespace(
        batch=subjects, hemi="lh", out=out, workers=workers, cluster=None,
        fixed="fsaverage5", rigid_only=False, refine=0, method="auto",
    )  # fmt: skip
    load = os.getloadavg()[0]
    stdout = io.StringIO()
    t = time.perf_counter()
    with contextlib.redirect_stdout(stdout):
        run_batch(args, use_dask=use_dask)
    wall = time.perf_counter() - t
    summary = json.loads(stdout.getvalue().strip().splitlines()[-1])
    cpu = [float(r["cpu_seconds"]) for r in read_rows(out / CSV_NAME).values() if r.get("cpu_seconds")]
    return {
        "workers": workers if use_dask else "this process",
        "wall_s": round(wall, 2),
        "subjects_per_minute": round(60 * summary["hemispheres"] / wall, 2),
        "registered": summary["hemispheres"],
        "failed": summary["failed"],
        "flagged": summary["flagged"],
        # Each task's own CPU seconds (its process's): what the load does not inflate much.
        "cpu_seconds_per_subject_median": round(statistics.median(cpu), 2) if cpu else None,
        "load_1min": [round(load, 2), round(os.getloadavg()[0], 2)],
    }


def startup(workers: int) -> float:
    """Seconds to start (and connect to) a local Dask cluster of ``workers`` processes, then close it."""
    t = time.perf_counter()
    with dask_client(workers, None) as client:
        client.wait_for_workers(workers)
        started = time.perf_counter() - t
    return round(started, 2)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subjects", type=int, default=32)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--serial", action="store_true", help="also run the batch in this process")
    parser.add_argument("--name", default="registration_cohort")
    args = parser.parse_args()
    if not SUBJECT.is_dir():
        print(f"no reference subject at {SUBJECT}", file=sys.stderr)
        return 2
    runs = []
    startups = {str(n): startup(n) for n in args.workers}
    with tempfile.TemporaryDirectory() as tmp:
        subjects = cohort(Path(tmp), args.subjects)
        if args.serial:
            runs.append(batch(subjects, Path(tmp) / "out-serial", 1, use_dask=False))
        for n in args.workers:
            runs.append(batch(subjects, Path(tmp) / f"out-{n}", n, use_dask=True))
            print(json.dumps(runs[-1]), file=sys.stderr)
    by_workers = {r["workers"]: r for r in runs}
    speedup = (
        round(by_workers[1]["wall_s"] / by_workers[2]["wall_s"], 2) if {1, 2} <= by_workers.keys() else None
    )
    write(
        args.name,
        {
            "subject": "sugar-sub-001 lh (110,864 vertices), linked as N copies",
            "method": "default (nodescope register --batch --hemi lh)",
            "subjects": args.subjects,
            "cluster_startup_s": startups,
            "runs": runs,
            "speedup_2_over_1": speedup,
            "cpus": os.cpu_count(),
        },
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
