"""Results files of the training scripts in examples/: JSON stamped with the machine and time."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from nodescope.core.device import machine


def read_results(path: Path, empty: dict[str, Any]) -> dict[str, Any]:
    """The results recorded so far at ``path``, or ``empty`` when there are none yet."""
    return json.loads(path.read_text()) if path.is_file() else empty


def write_results(path: Path, results: dict[str, Any]) -> None:
    """Write ``results`` to ``path`` with the machine that measured them and the time."""
    results["machine"] = machine()
    results["updated"] = time.strftime("%Y-%m-%d %H:%M:%S")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=1) + "\n")


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A README (GitHub markdown) table: ``header``'s column names, then one line per row of cells."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def mean_std(summary: Mapping[str, float], scale: float = 1.0, digits: int = 1) -> str:
    """``"mean ± std"`` of a summary with ``mean`` and ``std`` keys, times ``scale`` (e.g. 100 for %)."""
    return f"{scale * summary['mean']:.{digits}f} ± {scale * summary['std']:.{digits}f}"


def seeds_phrase(counts: Iterable[int]) -> str:
    """``"3 seeds"`` when every entry ran the same number of seeds, else ``"several seeds"``."""
    distinct = set(counts)
    return f"{distinct.pop()} seeds" if len(distinct) == 1 else "several seeds"
