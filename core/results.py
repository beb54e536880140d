"""Results files of the training scripts in examples/: JSON stamped with the machine and time."""

from __future__ import annotations

import json
import time
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
