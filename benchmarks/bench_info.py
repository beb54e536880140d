"""`nodescope info` wall time (a new process each run, as a user types it): fsaverage5 and the
110,864-vertex FreeSurfer sphere of ../shared/data/sugar-sub-001 (skipped when absent)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from common import summarize, write

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"
NODESCOPE = str(Path(sys.executable).with_name("nodescope"))


def run(source: str, repeats: int = 3) -> dict:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        subprocess.run([NODESCOPE, "info", source, "--json"], check=True, capture_output=True)
        times.append(time.perf_counter() - t0)
    return summarize(times)


def main() -> None:
    results = {"fsaverage5-left": run("fsaverage5-left")}
    sphere = SHARED / "sugar-sub-001" / "surf" / "lh.sphere"
    if sphere.exists():
        results["sugar-sub-001 lh.sphere (110,864 vertices)"] = run(str(sphere))
    results["karate (baseline: process start + imports)"] = run("karate")
    write("info", {"what": "nodescope info SOURCE --json, wall time of a new process", "results": results})


if __name__ == "__main__":
    main()
