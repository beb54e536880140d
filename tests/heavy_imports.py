"""Which heavy libraries a statement imports, run in a fresh interpreter (the light-start tests)."""

from __future__ import annotations

import subprocess
import sys

#: Libraries that take a second or more to import; a start-up path must not load them.
HEAVY = ("torch", "torch_geometric", "plotly", "pandas", "streamlit", "scipy", "numpy", "dask", "numba")


def heavy_modules_after(statement: str) -> list[str]:
    """The sorted :data:`HEAVY` libraries loaded after running ``statement`` in a new Python."""
    code = f"import sys; {statement}; print(','.join(sorted({{m.split('.')[0] for m in sys.modules}} & {set(HEAVY)!r})))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    return [m for m in out.stdout.strip().split(",") if m]
