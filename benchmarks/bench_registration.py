"""Register sugar-sub-001 and held-out synthetic subjects; write benchmarks/results/registration.json.

For each non-rigid method (rigid only, gradient fit, SUGAR network alone, network + fit,
fit + 20 refinement steps):

- on ``../shared/data/sugar-sub-001`` (110,864 vertices) against fsaverage5: sulc
  correlation, flipped triangles, areal and edge distortion, geodesic distance to FreeSurfer's
  ``lh.sphere.reg``, Dice of the aparc labels carried through ours vs FreeSurfer's, and the
  end-to-end seconds (read the two files -> write the registered sphere; median of
  ``--runs`` after one warm-up run, whose time is reported as ``first_s``);
- on held-out synthetic subjects (seeds 100.. of :func:`core.registration.pipeline.synthetic_subject`,
  20 degree rotation) per warp magnitude: mean geodesic error to the known truth, and flips;
- with ``--fixed fsaverage6``: against SUGAR's 904-subject mean sulc, measured on fsaverage6's
  40,962 vertices (lh only);
- with ``--hemis rh`` (default both): the same subject mirrored (x -> -x) as a stand-in right
  hemisphere (the reference data has no real rh) against fsaverage5's right sulc
  (``real_rh_mirror``: correlation, flips, distortion, time; no FreeSurfer reference for it), and
  synthetic warps of the rh atlas (``synthetic_rh``).

The machine is shared: the 1-minute load average is recorded before and after.

Run: ``OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_registration.py [--runs 3] [--synthetic 3]
[--hemis lh rh] [--variants fit net ...] [--name registration]``
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
from nodescope.core.registration.subjects import mirrored
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


def end_to_end(kwargs: dict, out: Path, hemi: str = "lh") -> tuple[float, object, object]:
    """Seconds from reading lh.sphere + lh.sulc (mirrored for ``rh``) to writing the registered sphere."""
    t = time.perf_counter()
    subject = read_subject(SUBJECT / "surf" / "lh.sphere", SUBJECT / "surf" / "lh.sulc")
    if hemi == "rh":
        subject = mirrored(subject)
    result = register(subject.sphere, subject.faces, subject.sulc, hemi=hemi, **kwargs)
    write_sphere(out, result.registered, subject.faces, subject.volume_info)
    return time.perf_counter() - t, subject, result


def real_subject(kwargs: dict, runs: int, hemi: str = "lh") -> dict:
    """The reference subject (its lh; mirrored as a stand-in rh for ``hemi="rh"``, without FreeSurfer's reference)."""
    full = read_subject_dir(SUBJECT)
    reference, _ = read_sphere(SUBJECT / "surf" / "lh.sphere.reg")
    if hemi == "rh":
        full, reference = mirrored(full), None
    with tempfile.TemporaryDirectory() as tmp:
        first, _, result = end_to_end(kwargs, Path(tmp) / "lh.sphere.reg", hemi)
        times = [end_to_end(kwargs, Path(tmp) / "lh.sphere.reg", hemi)[0] for _ in range(runs)]
    metrics = registration_metrics(
        result.registered,
        full.sphere,
        full.faces,
        full.sulc,
        reference=reference,
        labels=full.labels,
        fixed=kwargs.get("fixed", "fsaverage5"),
        hemi=hemi,
    )
    return {
        **metrics.as_dict(),
        "stages": result.stages,
        "stage_seconds": {k: round(v, 3) for k, v in result.timings.items()},
        "end_to_end": summarize(times),
        "first_s": first,
    }


def synthetic(kwargs: dict, subjects: int, hemi: str = "lh") -> dict:
    out: dict = {}
    if not subjects:
        return out
    for magnitude in MAGNITUDES:
        before, after, flips = [], [], 0
        for seed in range(100, 100 + subjects):
            v, f, s, truth = synthetic_subject(seed, magnitude_deg=magnitude, rotation_deg=20.0, hemi=hemi)
            result = register(v, f, s, hemi=hemi, **kwargs)
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
    parser.add_argument("--hemis", nargs="+", default=["lh", "rh"], choices=["lh", "rh"])
    parser.add_argument("--variants", nargs="+", help="only these variants (default: all)")
    parser.add_argument("--fixed", default="fsaverage5", choices=["fsaverage5", "fsaverage6"])
    parser.add_argument(
        "--name", default="registration", help="results file name (benchmarks/results/NAME.json)"
    )
    args = parser.parse_args()
    if not SUBJECT.is_dir():
        sys.exit(f"reference data not found at {SUBJECT}")
    load_before = os.getloadavg()[0]
    results = {}
    for name, kwargs in variants().items():
        if args.variants and name not in args.variants:
            continue
        kwargs = {**kwargs, "fixed": args.fixed}
        results[name] = {}
        if "lh" in args.hemis:
            results[name] |= {
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
        if "rh" in args.hemis:
            results[name] |= {
                "real_rh_mirror": real_subject(kwargs, args.runs, "rh"),
                "synthetic_rh": synthetic(kwargs, args.synthetic, "rh"),
            }
            real = results[name]["real_rh_mirror"]
            print(
                f"{name + ' rh':>14}: r={real['correlation']:.3f} flips={real['flipped']} "
                f"areal={real['areal_distortion']:.3f} edge={real['edge_distortion']:.3f} "
                f"{real['end_to_end']['median_s']:.2f}s  synthetic={results[name]['synthetic_rh']}",
                flush=True,
            )
    write(
        args.name,
        {
            "what": f"SUGAR-style registration of sugar-sub-001 (lh; mirrored as a stand-in rh) to {args.fixed} "
            "and of held-out synthetic subjects",
            "threads": os.environ.get("OMP_NUM_THREADS"),
            "fixed": args.fixed,
            "load_average_1min": {"before": load_before, "after": os.getloadavg()[0]},
            "freesurfer_on_sub_001": FREESURFER,
            "results": results,
        },
    )


if __name__ == "__main__":
    main()
