"""Measure the reference subject's QC ranges; write assets/registration/qc_ranges.json.

``../shared/data/sugar-sub-001`` is registered with the default method (as ``nodescope register``
does: read the files, register, write the sphere) from its own orientation and from
``--rotations`` random starting rotations (seeded), onto:

- fsaverage5 lh (its ``lh``),
- fsaverage5 rh (its ``lh`` mirrored, x -> -x: a stand-in, the reference data has no ``rh``),
- fsaverage6 lh (SUGAR's 904-subject mean sulc; skipped without SUGAR's atlas files).

For each measure of :data:`explain.registration_qc.QC_MEASURES` the range over those runs is
stored, with the limits :mod:`explain.registration_qc` flags against (the rule is stored too),
the command, the date and the machine's load.

Run: ``OMP_NUM_THREADS=1 nice .venv/bin/python examples/registration_qc_ranges.py [--rotations 4]``
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from scipy.spatial.transform import Rotation

from nodescope.core.errors import LoadError
from nodescope.core.registration import read_subject_dir, write_sphere
from nodescope.core.registration.atlas import sugar_sulc
from nodescope.core.registration.pipeline import register_subject
from nodescope.core.registration.subjects import mirrored
from nodescope.explain.registration import registration_metrics
from nodescope.explain.registration_qc import QC_MEASURES, RANGES_FILE

REPO = Path(__file__).resolve().parents[1]
SUBJECT = REPO.parent / "shared" / "data" / "sugar-sub-001"
#: Limits from the measured range: lower ones at min - margin, upper ones at max * factor.
RULE = {
    "correlation": {"low_margin": 0.05},
    "rigid_score": {"low_margin": 0.1},
    "flipped": {"high_factor": 1.0},
    "areal_distortion": {"high_factor": 1.5},
    "edge_distortion": {"high_factor": 1.5},
    # CPU seconds (the registering thread's, torch at one thread): the load of a shared machine
    # changes them less than wall seconds, but still some, so only a run several times costlier
    # is flagged.
    "cpu_seconds": {"high_factor": 5.0},
}


def one_run(fixed: str, hemi: str, rotation: np.ndarray) -> dict[str, float]:
    """Read the reference subject, rotate it, register it and write it; its QC measures."""
    with tempfile.TemporaryDirectory() as tmp:
        cpu = time.thread_time()
        subject = read_subject_dir(SUBJECT)
        if hemi == "rh":
            subject = mirrored(subject)
        subject = dataclasses.replace(subject, sphere=subject.sphere @ rotation.T, key="")
        result = register_subject(subject, fixed=fixed)
        write_sphere(Path(tmp) / f"{hemi}.sphere.reg", result.registered, subject.faces, subject.volume_info)
        cpu_seconds = time.thread_time() - cpu
    metrics = registration_metrics(
        result.registered, subject.sphere, subject.faces, subject.sulc, fixed=fixed, hemi=hemi
    ).as_dict()
    return {
        k: float(metrics[k]) for k in ("correlation", "flipped", "areal_distortion", "edge_distortion")
    } | {
        "rigid_score": float(result.rigid_score),
        "cpu_seconds": cpu_seconds,
    }


def limits(values: list[float], rule: dict[str, float]) -> dict[str, object]:
    lo, hi = min(values), max(values)
    return {
        "measured": [round(lo, 4), round(hi, 4)],
        "low": round(lo - rule["low_margin"], 4) if "low_margin" in rule else None,
        "high": round(hi * rule["high_factor"], 4) if "high_factor" in rule else None,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rotations", type=int, default=4, help="random starting rotations besides the native one"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=RANGES_FILE)
    args = parser.parse_args()
    torch.set_num_threads(1)
    if not SUBJECT.is_dir():
        print(f"no reference subject at {SUBJECT}", file=sys.stderr)
        return 2
    rotations = [np.eye(3), *Rotation.random(args.rotations, random_state=args.seed).as_matrix()]
    configs = [("fsaverage5", "lh"), ("fsaverage5", "rh"), ("fsaverage6", "lh")]
    load_before = os.getloadavg()[0]
    ranges, runs = {}, {}
    for fixed, hemi in configs:
        if fixed == "fsaverage6":
            try:
                sugar_sulc()
            except LoadError as exc:
                print(f"skipping fsaverage6: {exc}", file=sys.stderr)
                continue
        rows = []
        for i, rotation in enumerate(rotations):
            rows.append(one_run(fixed, hemi, rotation))
            print(
                f"{fixed}/{hemi} start {i}: {json.dumps({k: round(v, 4) for k, v in rows[-1].items()})}",
                file=sys.stderr,
            )
        key = f"{fixed}/{hemi}"
        runs[key] = len(rows)
        ranges[key] = {name: limits([r[name] for r in rows], RULE[name]) for name in QC_MEASURES}
    record = {
        "source": {
            "subject": "sugar-sub-001 (../shared/data; rh: its lh mirrored, x -> -x)",
            "method": "the default (nodescope register without --method)",
            "starts": f"native orientation and {args.rotations} random rotations "
            f"(scipy Rotation.random, random_state={args.seed})",
            "runs": runs,
            "command": "OMP_NUM_THREADS=1 nice .venv/bin/python examples/registration_qc_ranges.py "
            f"--rotations {args.rotations} --seed {args.seed}",
            "date": datetime.date.today().isoformat(),
            "load_average_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)],
            "cpus": os.cpu_count(),
        },
        "rule": RULE,
        "ranges": ranges,
    }
    args.out.write_text(json.dumps(record, indent=1) + "\n")
    print(json.dumps(record["ranges"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
