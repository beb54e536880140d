"""The layers import one way (import-linter's contract), and every import goes through ``nodescope``.

Layers: ``core`` at the bottom; ``explain`` and ``viz`` independent siblings above it; the Python
API (``api.py``) above them, with the newer pages' figures (``page_figures.py``) between it and
them; ``app`` and ``cli`` independent siblings on top.
"""

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
LAYERS = ("core", "explain", "viz", "app", "cli")


def _lint_imports(cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    exe = shutil.which("lint-imports") or str(Path(sys.executable).with_name("lint-imports"))
    return subprocess.run([exe], cwd=cwd, capture_output=True, text=True, timeout=300, env=env)


def test_import_linter_contract_holds():
    proc = _lint_imports(REPO)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "1 kept, 0 broken" in proc.stdout


@pytest.mark.parametrize(
    ("layer", "bad_import"),
    [
        ("core", "import nodescope.app.state\n"),
        ("viz", "import nodescope.explain.attention\n"),
        ("explain", "import nodescope.viz.colors\n"),
        ("cli", "import nodescope.app.pages\n"),
        ("core", "import nodescope.api\n"),
        ("viz", "import nodescope.api\n"),
        ("viz", "import nodescope.page_figures\n"),
    ],
)
def test_a_forbidden_import_is_caught(tmp_path, layer, bad_import):
    # The contract must actually bite: a copy of the package where one layer imports a forbidden one.
    package = tmp_path / "nodescope"
    package.mkdir()
    for name in ("__init__.py", "api.py", "page_figures.py"):
        shutil.copy(REPO / name, package / name)
    for name in LAYERS:
        shutil.copytree(REPO / name, package / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    (package / layer / "bad_import.py").write_text(bad_import)
    proc = _lint_imports(tmp_path, env={"PYTHONPATH": str(tmp_path), "PATH": ""})
    assert proc.returncode != 0 and "broken" in proc.stdout, proc.stdout[-2000:]


def _bare_layer_imports(path: Path) -> list[str]:
    """``import core...`` / ``from viz... import`` lines that bypass the ``nodescope`` package."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        found += [f"{path.relative_to(REPO)}:{node.lineno} {n}" for n in names if n.split(".")[0] in LAYERS]
    return found


def test_every_import_of_the_layers_goes_through_nodescope():
    # A bare `import core.x` would load a second copy of the module beside `nodescope.core.x`
    # (the repository root is on sys.path in tests) and would break once installed.
    folders = [*LAYERS, "tests", "examples", "benchmarks"]
    files = [REPO / "__init__.py", *(f for d in folders for f in (REPO / d).rglob("*.py"))]
    bare = [hit for f in files for hit in _bare_layer_imports(f)]
    assert not bare, bare
