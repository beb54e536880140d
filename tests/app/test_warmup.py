"""The server process's warm-up (app/warmup.py) and its launcher (app/serve.py), in fresh processes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SERVE = Path(__file__).resolve().parents[2] / "app" / "serve.py"

WARM_UP = """
import gc, sys
from nodescope.app import warmup
warmup.wait()  # none started: returns at once
assert "torch" not in sys.modules
warmup.start()
assert not gc.isenabled()
assert sys.getswitchinterval() == warmup.SWITCH_INTERVAL  # the event loop gets the GIL sooner
warmup.wait()
assert sys.getswitchinterval() == 0.005  # Python's default, back
assert {"torch_geometric", "nodescope.core.loaders", "nodescope.explain.embedding"} <= set(sys.modules)
assert "sklearn" not in sys.modules  # PCA on the first paint needs SciPy only
assert gc.isenabled() and gc.get_freeze_count() > 100_000
print("ok")
"""


def test_warm_up_imports_the_pages_modules_then_restores_the_gc():
    out = subprocess.run([sys.executable, "-c", WARM_UP], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "ok"


def test_serve_hands_its_arguments_to_streamlit():
    out = subprocess.run(
        [sys.executable, str(SERVE), "--version"], capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.startswith("Streamlit, version")


FIRST_PAINT = """
import sys
import nodescope.app.permalink, nodescope.app.warmup, nodescope.app.pages, nodescope.app.plotly_view
heavy = {"torch", "torch_geometric", "pandas", "scipy", "sklearn"} & set(sys.modules)
assert not heavy, heavy
print("ok")
"""


def test_the_first_paint_imports_no_torch():
    """What app/main.py and the Home page import before the sidebar: Home's text is drawn while
    the warm-up still imports torch and PyG (issue 19, start-up)."""
    out = subprocess.run([sys.executable, "-c", FIRST_PAINT], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "ok"
