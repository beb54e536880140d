"""``nodescope register --batch``: a cohort, one task per subject-hemisphere, here or on Dask.

``--workers 1`` (the default) registers one hemisphere after another in this process;
``--workers N`` starts a local Dask cluster of N worker processes (one thread each), and
``--cluster tcp://HOST:PORT`` sends the tasks to a running Dask scheduler instead (its workers
need Nodescope installed and the subject and output folders at the same paths). Every task runs
torch at one thread, here or on a worker (:func:`cli.register.one_thread`), reads only paths and
returns its CSV row, so nothing large travels.

- A failure is isolated: a subject that cannot be read or registered (or whose worker dies)
  gets a row whose ``error`` says why; the others go on.
- Resumable: ``registration.csv`` is rewritten after each finished task, and a
  subject-hemisphere whose registered sphere exists and whose row is in that CSV (without an
  ``error``) is not registered again; each one skipped so is named on stderr.
- QC: each row holds the measures of :data:`explain.registration_qc.QC_MEASURES`, the
  ``warning`` of the rigid stage and ``flags``: each measure outside the ranges measured on the
  reference subject (:func:`explain.registration_qc.qc_flags`), empty when all are within.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CSV_NAME = "registration.csv"
#: Columns kept at the end of the CSV, in this order (the first rows' own columns come before).
LAST_COLUMNS = ("flags", "skipped", "error")
#: Seconds to wait for a Dask scheduler named by ``--cluster``.
CONNECT_TIMEOUT_S = 20

Task = tuple[Path, str]


def has_hemisphere(folder: Path, hemi: str) -> bool:
    """Whether a subject folder holds ``surf/<hemi>.sphere`` and ``surf/<hemi>.sulc``."""
    return (folder / "surf" / f"{hemi}.sphere").is_file() and (folder / "surf" / f"{hemi}.sulc").is_file()


def output_path(out: Path, subject: str, hemi: str) -> Path:
    """Where a subject-hemisphere's registered sphere goes: FreeSurfer's ``OUT/<subject>/surf/<hemi>.sphere.reg``."""
    return out / subject / "surf" / f"{hemi}.sphere.reg"


def register_task(folder: Path, hemi: str, out: Path, options: dict[str, Any]) -> dict[str, Any]:
    """Register one subject-hemisphere and write it; its CSV row. Never raises: a failure is a row's ``error``.

    Args:
        folder: the subject folder (``surf/<hemi>.sphere`` and ``surf/<hemi>.sulc``).
        hemi: ``"lh"`` or ``"rh"``.
        out: the batch's output folder.
        options: ``fixed``, ``rigid_only``, ``refine``, ``method`` (``nodescope register``'s options).

    Returns:
        ``subject``, ``hemi``, the metrics, ``rigid_score``, ``warning``, the timings (s),
        ``cpu_seconds`` (reading to writing, torch at one thread: :func:`cli.register.one_thread`),
        ``flags``; or ``skipped``/``error`` saying why there are none.
    """
    row: dict[str, Any] = {"subject": folder.name, "hemi": hemi}
    if not has_hemisphere(folder, hemi):
        return row | {"skipped": f"no surf/{hemi}.sphere and surf/{hemi}.sulc"}
    if options["fixed"] == "fsaverage6" and hemi == "rh":
        return row | {"skipped": "fsaverage6 (SUGAR's atlas) has a left hemisphere only"}
    try:
        return row | _register(folder, hemi, out, options)
    except Exception as exc:  # noqa: BLE001 - any failure is this row's, the batch goes on
        text = str(exc).strip().splitlines()
        return row | {"error": text[0] if text else type(exc).__name__}


def _register(folder: Path, hemi: str, out: Path, options: dict[str, Any]) -> dict[str, Any]:
    from nodescope.cli.register import measure, one_thread, register_and_write
    from nodescope.core.registration.io import read_sphere, read_subject_dir
    from nodescope.explain.registration_qc import qc_flags

    with one_thread():
        start, cpu = time.perf_counter(), time.thread_time()
        subject = read_subject_dir(folder, hemi)
        args = argparse.Namespace(**options)
        timings, result = register_and_write(
            subject, output_path(out, folder.name, hemi), args, time.perf_counter() - start
        )
        cpu_seconds = round(time.thread_time() - cpu, 4)
    freesurfer = folder / "surf" / f"{hemi}.sphere.reg"
    reference = read_sphere(freesurfer)[0] if freesurfer.is_file() else None
    row = measure(subject, result.registered, options["fixed"], reference) | {
        "rigid_score": round(result.rigid_score, 4),
        "warning": "; ".join(result.warnings),
    }
    row |= timings | {"cpu_seconds": cpu_seconds}
    return row | {"flags": "; ".join(str(f) for f in qc_flags(row, options["fixed"], hemi))}


def read_rows(path: Path) -> dict[tuple[str, str], dict[str, str]]:
    """A batch CSV's rows by ``(subject, hemi)`` (empty when there is none yet)."""
    if not path.is_file():
        return {}
    with path.open(newline="") as f:
        return {(r["subject"], r["hemi"]): r for r in csv.DictReader(f) if "subject" in r and "hemi" in r}


def write_rows(path: Path, rows: list[dict[str, Any]]) -> None:
    """Write the batch CSV (whole, through a temporary file: an interrupted run leaves the last one)."""
    columns = list(dict.fromkeys(k for row in rows for k in row if k not in LAST_COLUMNS))
    columns += [c for c in LAST_COLUMNS if any(c in row for row in rows)]
    tmp = path.with_suffix(".csv.tmp")
    with tmp.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    os.replace(tmp, path)


def is_done(row: dict[str, str] | None, out: Path) -> bool:
    """Whether a previous run registered this row's subject-hemisphere: its sphere exists and its row has no error."""
    if row is None or row.get("error") or row.get("skipped"):
        return False
    return output_path(out, row["subject"], row["hemi"]).is_file()


@contextmanager
def dask_client(workers: int, cluster: str | None) -> Iterator[Any]:
    """A Dask client: of the scheduler at ``cluster``, else of a local cluster of ``workers`` processes.

    Raises:
        LoadError: the scheduler cannot be reached.
    """
    import logging

    from dask.distributed import Client, LocalCluster

    from nodescope.core.errors import LoadError

    local = None
    if cluster is not None:
        try:
            client = Client(cluster, timeout=CONNECT_TIMEOUT_S)
        except (OSError, TimeoutError) as exc:
            raise LoadError(f"Cannot reach the Dask scheduler at {cluster} ({exc}).") from exc
    else:
        local = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
        client = Client(local)
    try:
        yield client
    finally:
        client.close()
        if local is not None:
            local.close()


def run_tasks(
    tasks: list[Task], out: Path, options: dict[str, Any], client: Any = None
) -> Iterator[tuple[Task, dict[str, Any]]]:
    """Each task and its row, as they finish: in this process, or on ``client``'s Dask workers.

    A task whose worker fails (dies, or raises past :func:`register_task`) gets a row with its ``error``.
    """
    if client is None:
        for folder, hemi in tasks:
            yield (folder, hemi), register_task(folder, hemi, out, options)
        return
    from dask.distributed import as_completed

    futures = {client.submit(register_task, f, h, out, options, pure=False): (f, h) for f, h in tasks}
    for future in as_completed(futures):
        folder, hemi = futures[future]
        try:
            row = future.result()
        except Exception as exc:  # noqa: BLE001 - a dead worker or a lost task: this row's error
            row = {"subject": folder.name, "hemi": hemi, "error": f"the Dask task failed: {exc}"}
        yield (folder, hemi), row


def run_batch(args: argparse.Namespace, *, use_dask: bool | None = None) -> int:
    """Register every subject-hemisphere of ``args.batch`` (see the module docstring); print a JSON summary.

    Args:
        args: ``nodescope register``'s options (``batch``, ``hemi``, ``out``, ``workers``,
            ``cluster``, ``fixed``, ``rigid_only``, ``refine``, ``method``).
        use_dask: run on Dask even with one local worker (the benchmark's baseline); by default
            Dask runs for ``--workers`` above 1 or a ``--cluster``.

    Returns:
        0.

    Raises:
        LoadError: no subject folder with the asked hemispheres, or an unreachable ``--cluster``.
    """
    from nodescope.cli.progress import Bar
    from nodescope.core.errors import LoadError

    hemis = ("lh", "rh") if args.hemi in (None, "both") else (args.hemi,)
    folders = sorted(p for p in args.batch.iterdir() if has_hemisphere(p, "lh") or has_hemisphere(p, "rh"))
    if not any(has_hemisphere(p, h) for p in folders for h in hemis):
        wanted = " or ".join(f"surf/{h}.sphere and surf/{h}.sulc" for h in hemis)
        raise LoadError(f"{args.batch} holds no subject folder with {wanted}.")
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / CSV_NAME
    before = read_rows(path)
    asked = {(f, h) for f in folders for h in hemis}
    rows: dict[Task, dict[str, Any]] = {}
    todo = []
    for folder, hemi in ((f, h) for f in folders for h in hemis):
        previous = before.get((folder.name, hemi))
        if is_done(previous, args.out):
            rows[(folder, hemi)] = previous
            print(
                f"nodescope: {folder.name} {hemi}: registered before "
                f"({output_path(args.out, folder.name, hemi)} and its row in {CSV_NAME}); skipped",
                file=sys.stderr,
            )
        else:
            rows[(folder, hemi)] = {"subject": folder.name, "hemi": hemi}
            todo.append((folder, hemi))
    # Rows of an earlier run that this one does not ask for (another --hemi) stay in the CSV.
    kept = {key: row for key, row in before.items() if (args.batch / key[0], key[1]) not in rows}
    rows |= {(args.batch / subject, hemi): row for (subject, hemi), row in kept.items()}
    options = {k: getattr(args, k) for k in ("fixed", "rigid_only", "refine", "method")}
    workers, cluster = getattr(args, "workers", 1), getattr(args, "cluster", None)
    dask = use_dask if use_dask is not None else (workers > 1 or cluster is not None)
    start = time.perf_counter()
    bar = Bar("registering", unit="hemisphere", leave=True)
    with _engine(dask and bool(todo), workers, cluster) as client, bar:
        for i, (task, row) in enumerate(run_tasks(todo, args.out, options, client), 1):
            rows[task] = row
            _say_warnings(row)
            write_rows(path, list(rows.values()))
            bar.update(i, len(todo))
    write_rows(path, list(rows.values()))
    done = [row for task, row in rows.items() if task in asked]
    failed = sum(bool(r.get("error")) for r in done)
    skipped = sum(bool(r.get("skipped")) for r in done)
    summary = {
        "subjects": len(folders),
        "hemispheres": len(done) - failed - skipped,
        "skipped": skipped,
        "failed": failed,
        "resumed": len(done) - len(todo),
        "flagged": sum(bool(r.get("flags")) for r in done),
        "engine": f"dask ({cluster or f'{workers} local workers'})" if dask and todo else "this process",
        "seconds": round(time.perf_counter() - start, 2),
        "csv": str(path),
    }
    print(json.dumps(summary))
    return 0


@contextmanager
def _engine(dask: bool, workers: int, cluster: str | None) -> Iterator[Any]:
    if not dask:
        yield None
        return
    with dask_client(workers, cluster) as client:
        yield client


def _say_warnings(row: dict[str, Any]) -> None:
    """A finished row's warnings and error, one line each on stderr."""
    where = f"{row['subject']} {row['hemi']}"
    for line in filter(None, str(row.get("warning") or "").split("; ")):
        print(f"nodescope: warning: {where}: {line}", file=sys.stderr)
    if row.get("error"):
        print(f"nodescope: error: {where}: {row['error']}", file=sys.stderr)
