"""Quality control of a registration: which of its measures fall outside the reference ranges.

A QC row is one registration's measures (:class:`explain.registration.RegistrationMetrics`
fields, the rigid stage's score and the end-to-end seconds). Each is checked against a limit
derived from the range measured on the reference subject (``sugar-sub-001``, from several
starting orientations, with the default method) and stored with where it came from in
:data:`RANGES_FILE` (written by ``examples/registration_qc_ranges.py``):

- ``correlation`` (sulc with the atlas) and ``rigid_score``: flagged below the measured minimum
  less a margin;
- ``flipped``, ``areal_distortion``, ``edge_distortion`` and ``cpu_seconds``: flagged above the
  measured maximum times a factor (``flipped``: above the maximum itself).

Time is judged in CPU seconds (the registering thread's, torch at one thread, reading the files
to writing the result), not wall
seconds: on a shared machine the wall time follows the other processes' load (the reference
subject took 3 to 83 wall seconds here at load averages of 10 to 17), the CPU time much less.

Ranges are kept per fixed surface and hemisphere (``fsaverage5/lh``, ``fsaverage5/rh`` from the
mirrored reference subject, ``fsaverage6/lh``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

#: The reference ranges and their provenance (see the module docstring).
RANGES_FILE = Path(__file__).resolve().parents[1] / "assets" / "registration" / "qc_ranges.json"
#: The QC measures, in CSV order, and what each one is in plain words.
QC_MEASURES = {
    "correlation": "sulc correlation with the atlas",
    "flipped": "flipped triangles",
    "areal_distortion": "areal distortion",
    "edge_distortion": "edge distortion",
    "rigid_score": "rigid-match score",
    "cpu_seconds": "CPU seconds end to end",
}


@dataclass(frozen=True)
class Flag:
    """One QC measure outside its reference range.

    Attributes:
        name: the measure (a key of :data:`QC_MEASURES`).
        value: its value in the row.
        limit: the limit it crossed.
        low: True when the value is below a lower limit, False when above an upper one.
    """

    name: str
    value: float
    limit: float
    low: bool

    def __str__(self) -> str:
        """``name value < limit`` (or ``>``), as the batch CSV's ``flags`` column lists it."""
        return f"{self.name} {_fmt(self.value)} {'<' if self.low else '>'} {_fmt(self.limit)}"

    def why(self) -> str:
        """The flag in plain words."""
        side = "below" if self.low else "above"
        return f"{QC_MEASURES[self.name]} {_fmt(self.value)} is {side} the reference limit {_fmt(self.limit)}"


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:.3g}"


@lru_cache(maxsize=4)
def reference_ranges(path: Path = RANGES_FILE) -> dict[str, Any]:
    """The stored reference ranges: ``{"source": {...}, "rule": {...}, "ranges": {"fsaverage5/lh": {...}}}``.

    Each range is ``{measure: {"measured": [min, max], "low": limit or None, "high": limit or None}}``.
    """
    return json.loads(Path(path).read_text())


def limits(fixed: str, hemi: str, path: Path = RANGES_FILE) -> dict[str, dict[str, Any]] | None:
    """The limits of each measure for a fixed surface and hemisphere, or None where none were measured."""
    return reference_ranges(path)["ranges"].get(f"{fixed}/{hemi}")


def qc_flags(row: Mapping[str, Any], fixed: str = "fsaverage5", hemi: str = "lh") -> list[Flag]:
    """The measures of a QC row outside the reference ranges of its fixed surface and hemisphere.

    Args:
        row: measure name -> value (:data:`QC_MEASURES`; missing, empty or NaN ones are not checked).
        fixed: the fixed surface registered onto (``fsaverage5``, ``fsaverage6``).
        hemi: ``"lh"`` or ``"rh"``.

    Returns:
        One :class:`Flag` per measure outside its limits, in :data:`QC_MEASURES` order; empty when
        all are within (or no ranges exist for ``fixed``/``hemi``: see :func:`limits`).
    """
    table = limits(fixed, hemi) or {}
    flags = []
    for name in QC_MEASURES:
        value, bounds = row.get(name), table.get(name)
        if bounds is None or value is None or value == "" or math.isnan(float(value)):
            continue
        value = float(value)
        if bounds.get("low") is not None and value < bounds["low"]:
            flags.append(Flag(name, value, float(bounds["low"]), low=True))
        elif bounds.get("high") is not None and value > bounds["high"]:
            flags.append(Flag(name, value, float(bounds["high"]), low=False))
    return flags


def run_row(metrics: Mapping[str, Any], rigid_score: float) -> dict[str, Any]:
    """A QC row (time left out) from a run's metrics as :func:`explain.registration_report.metrics_table` titles them.

    Args:
        metrics: the table's ``registered`` row: column title -> value.
        rigid_score: the rigid stage's score.
    """
    from nodescope.explain.registration_report import METRIC_COLUMNS

    row = {name: metrics[title] for name, title in METRIC_COLUMNS.items() if title in metrics}
    return row | {"rigid_score": rigid_score}


def qc_summary(flags: list[Flag], fixed: str = "fsaverage5", hemi: str = "lh") -> str:
    """One plain sentence: within the reference ranges, or which measures are not and why."""
    if limits(fixed, hemi) is None:
        return f"No reference ranges for {fixed} {hemi}: the QC cannot judge this registration."
    if not flags:
        return "Every QC measure is within the reference ranges."
    return "Outside the reference ranges: " + "; ".join(f.why() for f in flags) + "."
