"""``nodescope register``: register native spheres to fsaverage5 (SUGAR-style, see core/registration/pipeline.py).

One subject::

    nodescope register --moving-sphere lh.sphere --moving-sulc lh.sulc [--hemi lh|rh] [--fixed fsaverage5|fsaverage6]
                       [--rigid-only] [--refine N] [--method auto|fit|net|net+fit] --out lh.sphere.reg

registers onto the atlas's hemisphere given by ``--hemi``, else by the sphere's file name
(``lh.``/``rh.``), else ``lh`` (``--fixed fsaverage6``: SUGAR's 904-subject mean sulc, lh only,
see :mod:`core.registration.atlas`); it writes the registered sphere (FreeSurfer geometry;
GIfTI when ``--out`` ends in ``.gii``) and prints one JSON line: the metrics of
:func:`explain.registration.registration_metrics` against the fixed surface and the seconds per stage (``seconds`` is end to end: reading the files
to writing the result; the metrics come after and are timed apart), with the rigid stage's
score (``rigid_score``), its ``warnings`` and its QC ``flags`` (as the batch CSV's); each warning is also printed to stderr as
``nodescope: warning: ...`` (a poor rigid match: wrong hemisphere, not a sphere's sulc).

A batch::

    nodescope register --batch SUBJECTS_DIR [--hemi lh|rh|both] [--workers N | --cluster tcp://HOST:PORT]
                       --out OUT_DIR

registers both hemispheres (or the one ``--hemi`` names) of every subject folder of
``SUBJECTS_DIR`` holding ``surf/{lh,rh}.sphere`` and ``surf/{lh,rh}.sulc``, writes
``OUT_DIR/<subject>/surf/lh.sphere.reg`` and ``rh.sphere.reg`` (FreeSurfer's layout) and
``OUT_DIR/registration.csv`` (one row of metrics and times per subject and hemisphere, column
``hemi``; with FreeSurfer's own ``surf/<hemi>.sphere.reg`` and ``label/<hemi>.aparc.annot``
present, the geodesic distance to it and the Dice; ``rigid_score`` and ``warning``, empty when
all is well; ``flags``: each QC measure outside the reference subject's ranges, see
:mod:`explain.registration_qc`; a hemisphere whose files are absent gets a row saying so in
``skipped``, one that fails its ``error``), with a progress bar. One task per subject-hemisphere,
in this process or on Dask (``--workers N``: a local cluster of N processes; ``--cluster``: a
running scheduler); a failure is isolated, and a rerun skips what is done
(:mod:`cli.register_batch`).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nodescope.core.registration.io import Subject


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``register`` subcommand and its options to ``sub``, the ``nodescope`` subparsers."""
    p = sub.add_parser("register", help="register native cortical spheres to fsaverage5 (rigid + non-rigid)")
    p.add_argument("--moving-sphere", type=Path, help="the native sphere (lh.sphere or .surf.gii)")
    p.add_argument("--moving-sulc", type=Path, help="its sulcal depth (lh.sulc or .shape.gii)")
    p.add_argument(
        "--batch",
        type=Path,
        help="a folder of FreeSurfer subject folders (surf/{lh,rh}.sphere, surf/{lh,rh}.sulc)",
    )
    p.add_argument(
        "--hemi",
        choices=("lh", "rh", "both"),
        help="the hemisphere: a single registration takes it from the sphere's name (lh./rh.) by default; "
        "a batch registers both",
    )
    p.add_argument(
        "--fixed",
        default="fsaverage5",
        help="the fixed surface: fsaverage5, or fsaverage6 (SUGAR's 904-subject mean sulc, lh only; "
        "its files in $NODESCOPE_SUGAR_ATLAS or ~/.cache/nodescope/sugar-atlas)",
    )
    p.add_argument("--rigid-only", action="store_true", help="stop after the rigid stage")
    p.add_argument(
        "--refine", type=int, default=0, metavar="N", help="extra gradient steps at full resolution"
    )
    p.add_argument(
        "--method", default="auto", choices=("auto", "fit", "net", "net+fit"), help="the non-rigid stage"
    )
    p.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="--batch: register on a local Dask cluster of N processes (default 1: in this process)",
    )
    p.add_argument(
        "--cluster",
        metavar="ADDRESS",
        help="--batch: the address of a running Dask scheduler (tcp://HOST:PORT) to register on",
    )
    p.add_argument("--out", type=Path, required=True, help="the registered sphere (a folder with --batch)")
    p.set_defaults(func=run)


def _check(args: argparse.Namespace) -> None:
    from nodescope.core.errors import LoadError

    if args.batch is not None:
        if args.moving_sphere is not None or args.moving_sulc is not None:
            raise LoadError(
                "--batch takes a folder of subjects; leave out --moving-sphere and --moving-sulc."
            )
        if not args.batch.is_dir():
            raise LoadError(f"No such folder: '{args.batch}'.")
        if args.workers < 1:
            raise LoadError(f"--workers takes a number of processes >= 1, not {args.workers}.")
    elif args.moving_sphere is None or args.moving_sulc is None:
        raise LoadError("Give --moving-sphere and --moving-sulc (or --batch DIR).")
    elif args.workers != 1 or args.cluster is not None:
        raise LoadError("--workers and --cluster are for --batch; a single registration runs here.")
    else:
        _single_hemi(args)
    from nodescope.core.registration.atlas import FIXED_LEVELS, fixed_sulc

    if args.fixed not in FIXED_LEVELS:
        raise LoadError(f"Unknown fixed surface '{args.fixed}'; choose one of {', '.join(FIXED_LEVELS)}.")
    # The atlas's files and hemisphere, before any subject is read (fsaverage6: SUGAR's files, lh only).
    fixed_sulc(args.fixed, _single_hemi(args) if args.batch is None else "lh")
    if args.method in ("net", "net+fit"):
        from nodescope.core.models.sugar import SHIPPED_DIR, shipped_sugar

        if shipped_sugar() is None:
            raise LoadError(
                f"--method {args.method} needs the SUGAR weights in {SHIPPED_DIR}; use --method fit."
            )
    if args.refine < 0:
        raise LoadError(f"--refine takes a number of steps >= 0, not {args.refine}.")


def _single_hemi(args: argparse.Namespace) -> str:
    """The hemisphere of a single registration: ``--hemi``, else the sphere's name, else ``lh``."""
    from nodescope.core.errors import LoadError
    from nodescope.core.registration.io import hemi_of

    named = hemi_of(args.moving_sphere)
    if args.hemi == "both":
        raise LoadError("--hemi both is for --batch; a single registration takes --hemi lh or rh.")
    if args.hemi is not None and named is not None and args.hemi != named:
        raise LoadError(
            f"--hemi {args.hemi} but the sphere is named {args.moving_sphere.name}; "
            f"register it with --hemi {named} (or rename the file)."
        )
    return args.hemi or named or "lh"


@contextmanager
def one_thread() -> Iterator[None]:
    """Run torch at one thread (as every registration benchmark and the QC ranges were measured), then restore it.

    One thread makes the calling thread's CPU time (:func:`time.thread_time`) the registration's
    whole cost: the ``cpu_seconds`` the QC judges, whatever else the process or machine runs.
    """
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def register_and_write(
    subject: Subject, out: Path, args: argparse.Namespace, read_s: float
) -> tuple[dict[str, float], Any]:
    """Register a read subject as ``args`` say and write it to ``out``.

    Args:
        subject: the hemisphere read (in ``read_s`` seconds).
        out: the registered sphere's path.
        args: ``fixed``, ``rigid_only``, ``refine``, ``method``.
        read_s: the seconds reading it took.

    Returns:
        ``(timings, result)``: seconds per stage with ``read_files``, ``write`` and ``seconds``
        (end to end), and the :class:`~core.registration.pipeline.RegistrationResult`.
    """
    from nodescope.core.registration.io import write_sphere
    from nodescope.core.registration.pipeline import register_subject

    result = register_subject(
        subject,
        fixed=args.fixed,
        rigid_only=args.rigid_only,
        refine=args.refine,
        method=args.method,
    )
    t = time.perf_counter()
    write_sphere(out, result.registered, subject.faces, subject.volume_info)
    timings = {"read_files": read_s, **result.timings, "write": time.perf_counter() - t}
    timings["seconds"] = read_s + result.timings["total"] + timings["write"]
    return {k: round(v, 4) for k, v in timings.items()}, result


def measure(subject: Subject, registered: Any, fixed: str, reference: Any = None) -> dict[str, Any]:
    """Every registration measure (:func:`explain.registration.registration_metrics`) against ``fixed`` but those undefined."""
    from nodescope.explain.registration import registration_metrics

    metrics = registration_metrics(
        registered,
        subject.sphere,
        subject.faces,
        subject.sulc,
        reference=reference,
        labels=subject.labels if reference is not None else None,
        fixed=fixed,
        hemi=subject.hemi,
    )
    return {k: v for k, v in metrics.as_dict().items() if v is not None}


def _single(args: argparse.Namespace) -> int:
    from nodescope.core.registration.io import read_subject
    from nodescope.explain.registration_qc import qc_flags

    with one_thread():
        start, cpu = time.perf_counter(), time.thread_time()
        subject = read_subject(args.moving_sphere, args.moving_sulc, hemi=_single_hemi(args))
        timings, result = register_and_write(subject, args.out, args, time.perf_counter() - start)
        timings["cpu_seconds"] = round(time.thread_time() - cpu, 4)
    for line in result.warnings:
        print(f"nodescope: warning: {subject.name}: {line}", file=sys.stderr)
    t = time.perf_counter()
    metrics = measure(subject, result.registered, args.fixed)
    flags = qc_flags(metrics | timings | {"rigid_score": result.rigid_score}, args.fixed, subject.hemi)
    record = {
        "out": str(args.out),
        "hemi": subject.hemi,
        "stages": list(result.stages),
        **metrics,
        "rigid_score": round(result.rigid_score, 4),
        "warnings": list(result.warnings),
        "flags": [str(f) for f in flags],
        "timings": timings,
        "metrics_seconds": round(time.perf_counter() - t, 4),
    }
    print(json.dumps(record))
    return 0


def run(args: argparse.Namespace) -> int:
    """Register one subject, or every subject of ``--batch``, as the module docstring describes.

    Args:
        args: the parsed ``nodescope register`` options.

    Returns:
        0.

    Raises:
        LoadError: contradictory or missing options, an unknown fixed surface, missing SUGAR
            weights for ``--method net``/``net+fit``, an unreachable ``--cluster``, or a subject
            that cannot be read (in a batch, such a subject becomes a row with its error instead).
    """
    _check(args)
    if args.batch is None:
        return _single(args)
    from nodescope.cli.register_batch import run_batch

    return run_batch(args)
