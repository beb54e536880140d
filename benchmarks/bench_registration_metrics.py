"""Time the registration foundations on the real subject; write benchmarks/results/registration_metrics.json.

On ``../shared/data/sugar-sub-001`` (110,864-vertex native sphere) and fsaverage5 (10,242
vertices), median of 5 runs of:

- reading the subject (sphere, sulc, curv, smoothwm, aparc) and FreeSurfer's ``lh.sphere.reg``;
- building the icosphere hierarchy, levels 3..6, from a cold cache;
- locating + resampling sulc from the native sphere onto fsaverage5's vertices (110k -> 10k)
  and fsaverage5's sulc onto the native sphere's vertices (10k -> 110k);
- every registration metric of FreeSurfer's registration (with geodesic distance and Dice
  against the native sphere), fsaverage5 already cached.

Run: ``.venv/bin/python benchmarks/bench_registration_metrics.py``
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from common import summarize, write

from nodescope.core.geometry import fsaverage
from nodescope.core.geometry.resample import locate, resample
from nodescope.core.registration import read_sphere, read_subject_dir
from nodescope.explain.registration import registration_metrics

REPO = Path(__file__).resolve().parents[1]

SUBJECT = REPO.parent / "shared" / "data" / "sugar-sub-001"
RUNS = 5


def build_hierarchy() -> None:
    for cached in (
        fsaverage.icosphere_level,
        fsaverage._mesh,
        fsaverage._shipped_levels,
        fsaverage._fsaverage5_sphere,
    ):
        cached.cache_clear()
    for level in (3, 4, 5, 6):
        fsaverage.icosphere_level(level)


def main() -> None:
    if not SUBJECT.is_dir():
        sys.exit(f"reference data not found at {SUBJECT}")
    subject = read_subject_dir(SUBJECT)
    freesurfer, _ = read_sphere(SUBJECT / "surf" / "lh.sphere.reg")
    ico = fsaverage.icosphere_level(5)
    fixed_sulc = fsaverage.fsaverage5_map("sulc", "left")
    steps = {
        "read_subject": lambda: (read_subject_dir(SUBJECT), read_sphere(SUBJECT / "surf" / "lh.sphere.reg")),
        "build_hierarchy_3_to_6": build_hierarchy,
        "resample_110k_to_10k": lambda: resample(
            subject.sulc, subject.faces, *locate(subject.sphere, subject.faces, ico.vertices)
        ),
        "resample_10k_to_110k": lambda: resample(
            fixed_sulc, ico.faces, *locate(ico.vertices, ico.faces, subject.sphere)
        ),
        "all_metrics": lambda: registration_metrics(
            freesurfer,
            subject.sphere,
            subject.faces,
            subject.sulc,
            reference=subject.sphere,
            labels=subject.labels,
        ),
    }
    results = {}
    for name, step in steps.items():
        step()  # warm-up: imports, first-call overheads
        times = []
        for _ in range(RUNS):
            t = time.perf_counter()
            step()
            times.append(time.perf_counter() - t)
        results[name] = summarize(times)
        print(f"{name:>24}: {results[name]['median_s']:.3f} s")
    metrics = registration_metrics(
        freesurfer,
        subject.sphere,
        subject.faces,
        subject.sulc,
        reference=subject.sphere,
        labels=subject.labels,
    )
    write(
        "registration_metrics",
        {
            "what": f"registration foundations on sugar-sub-001 ({len(subject.sphere):,} vertices) and fsaverage5 "
            f"(median of {RUNS})",
            "results": results,
            "freesurfer_metrics": metrics.as_dict(),
        },
    )


if __name__ == "__main__":
    main()
