"""The analyses' defaults live once, in a module that loads nothing, and match what the analyses offer."""

import ast
import subprocess
import sys
from pathlib import Path

from nodescope.explain import defaults, posthoc, report

ROOT = Path(__file__).resolve().parents[2]
SKIP = {".venv", "build", "dist", ".git", "node_modules"}


def test_defaults_import_nothing_heavy():
    code = "import sys, nodescope.explain.defaults; print(sorted({m.split('.')[0] for m in sys.modules} & {'torch', 'torch_geometric', 'numpy'}))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert out.stdout.strip() == "[]"


def test_explain_methods_are_the_explainers():
    assert defaults.EXPLAIN_METHODS == report.METHODS == ("xnode", *posthoc.METHODS)


def _assigned(path: Path) -> set[str]:
    """Names a module assigns at its top level (plain or annotated)."""
    names: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        targets = (
            node.targets
            if isinstance(node, ast.Assign)
            else [node.target]
            if isinstance(node, ast.AnnAssign)
            else []
        )
        names |= {t.id for t in targets if isinstance(t, ast.Name)}
    return names


def test_each_default_is_defined_once():
    # api.py and cli/attention.py each had their own GLOBAL_ALL_NODES = 1000: one could change alone.
    shared = set(defaults.__all__)
    where = {
        str(p.relative_to(ROOT)): _assigned(p) & shared
        for p in ROOT.rglob("*.py")
        if not SKIP & set(p.relative_to(ROOT).parts) and p.parts[-2:] != ("explain", "defaults.py")
    }
    assert {p: names for p, names in where.items() if names} == {}
