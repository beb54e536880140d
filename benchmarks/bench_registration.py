"""Register sugar-sub-001 and held-out synthetic subjects; write benchmarks/results/registration.json.

For each non-rigid method (rigid only, gradient fit, SUGAR network alone, network + fit,
fit + 20 refinement steps):

- on ``../shared/data/sugar-sub-001`` (110,864 vertices) against fsaverage5: sulc
  correlation, flipped triangles, areal and edge distortion, geodesic distance to FreeSurfer's
  ``lh.sphere.reg``, Dice of the aparc labels carried through ours vs FreeSurfer's, and the
  end-to-end seconds (read the two files -> write the registered sphere; median of
  ``--runs`` after one warm-up run, whose time is reported as ``first_s``);
- on held-out synthetic subjects (seeds 100.. of :func:`core.registration.pipeline.synthetic_subject`,
  20 degree rotation) per warp magnitude: mean geodesic error to the known truth, and flips.

The machine is shared: the 1-minute load average is recorded before and after.

Run: ``OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_registration.py [--runs 3] [--synthetic 3]``
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from common import summarize, write

from nodescope.core.models.sugar import shipped_sugar
from nodescope.core.registration import read_sphere, read_subject, read_subject_dir, write_sphere
from nodescope.core.registration.pipeline import register, synthetic_subject
from nodescope.explain.registration import angular_distance_deg, flipped_triangles, registration_metrics

REPO = Path(__file__).resolve().parents[1]

SUBJECT = REPO.parent / "shared" / "data" / "sugar-sub-001"
MAGNITUDES = (2.0, 5.0, 10.0)
FREESURFER = {"correlation": 0.884, "flipped": 0, "areal_distortion": 0.340, "edge_distortion": 0.218}


def variants() -> dict[str, dict]:
    out = {
        "rigid": {"rigid_only": True},
        "fit": {"method": "fit"},
        "fit+refine20": {"method": "fit", "refine": 20},
    }
    if shipped_sugar() is not None:
        out["net"] = {"method": "net"}
        out["net+fit"] = {"method": "net+fit"}
    return out


def end_to_end(kwargs: dict, out: Path) -> tuple[float, object, object]:
    """Seconds from reading lh.sphere + lh.sulc to writing the registered sphere."""
    t = time.perf_counter()
    subject = read_subject(SUBJECT / "surf" / "lh.sphere", SUBJECT / "surf" / "lh.sulc")
    result = register(subject.sphere, subject.faces, subject.sulc, **kwargs)
    write_sphere(out, result.registered, subject.faces, subject.volume_info)
    return time.perf_counter() - t, subject, result


def real_subject(kwargs: dict, runs: int) -> dict:
    full = read_subject_dir(SUBJECT)
    reference, _ = read_sphere(SUBJECT / "surf" / "lh.sphere.reg")
    with tempfile.TemporaryDirectory() as tmp:
        first, _, result = end_to_end(kwargs, Path(tmp) / "lh.sphere.reg")
        times = [end_to_end(kwargs, Path(tmp) / "lh.sphere.reg")[0] for _ in range(runs)]
    metrics = registration_metrics(
        result.registered, full.sphere, full.faces, full.sulc, reference=reference, labels=full.labels
    )
    return {
        **metrics.as_dict(),
        "stages": result.stages,
        "stage_seconds": {k: round(v, 3) for k, v in result.timings.items()},
        "end_to_end": summarize(times),
        "first_s": first,
    }


def synthetic(kwargs: dict, subjects: int) -> dict:
    out = {}
    for magnitude in MAGNITUDES:
        before, after, flips = [], [], 0
        for seed in range(100, 100 + subjects):
            v, f, s, truth = synthetic_subject(seed, magnitude_deg=magnitude, rotation_deg=20.0)
            result = register(v, f, s, **kwargs)
            before.append(angular_distance_deg(v, truth).mean())
            after.append(angular_distance_deg(result.registered, truth).mean())
            flips += int(flipped_triangles(result.registered, v, f).sum())
        out[f"{magnitude:g}"] = {
            "error_before_deg": float(np.mean(before)),
            "error_after_deg": float(np.mean(after)),
            "flipped": flips,
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--synthetic", type=int, default=3, help="held-out synthetic subjects per magnitude")
    args = parser.parse_args()
    if not SUBJECT.is_dir():
        sys.exit(f"reference data not found at {SUBJECT}")
    load_before = os.getloadavg()[0]
    results = {}
    for name, kwargs in variants().items():
        results[name] = {
            "real": real_subject(kwargs, args.runs),
            "synthetic": synthetic(kwargs, args.synthetic),
        }
        real = results[name]["real"]
        print(
            f"{name:>14}: r={real['correlation']:.3f} flips={real['flipped']} areal={real['areal_distortion']:.3f} "
            f"edge={real['edge_distortion']:.3f} geo={real['geodesic_mm']:.2f}mm dice={real['dice']:.3f} "
            f"{real['end_to_end']['median_s']:.2f}s  synthetic={results[name]['synthetic']}",
            flush=True,
        )
    write(
        "registration",
        {
            "what": "SUGAR-style registration of sugar-sub-001 to fsaverage5 and of held-out synthetic subjects",
            "threads": os.environ.get("OMP_NUM_THREADS"),
            "load_average_1min": {"before": load_before, "after": os.getloadavg()[0]},
            "freesurfer_on_sub_001": FREESURFER,
            "results": results,
        },
    )


if __name__ == "__main__":
    main()
