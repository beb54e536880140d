"""``examples/notebook_tour.py`` runs from start to end and writes the app's figures (CI runs it here)."""

import os
import subprocess
import sys
from pathlib import Path

TOUR = Path(__file__).resolve().parents[1] / "examples" / "notebook_tour.py"


def test_notebook_tour_runs_and_writes_every_figure(tmp_path):
    out = tmp_path / "figures"
    env = os.environ | {"NODESCOPE_HOME": str(tmp_path / "home")}  # its sweep cache stays in tmp_path
    proc = subprocess.run(
        [sys.executable, str(TOUR), str(out)], capture_output=True, text=True, timeout=300, env=env
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    pages = {p.stem for p in out.glob("*.html")}
    expected = {"graph", "embedding", "attention-graph", "explanation-contributions", "oversmoothing-curves"}
    assert expected | {"registration-map"} <= pages, sorted(pages)
    assert (out / "plotly.min.js").is_file()  # written once, beside the pages
    assert "karate" in proc.stdout.lower() and "geodesic error" in proc.stdout
