"""The server process defers torch._dynamo and numba (app/deferred.py): not run at start-up, whole when used."""

from __future__ import annotations

import subprocess
import sys

START_UP = """
import sys, threading
from nodescope.app import deferred, warmup
warmup.start()
warmup.wait()
from nodescope.core.loaders import DEFAULT_SOURCE, load
s = load(DEFAULT_SOURCE)  # the first paint's sample
import nodescope.app.components  # the Explorer's helpers (no Streamlit server: bare mode)
assert "torch_geometric" in sys.modules
from streamlit.watcher.local_sources_watcher import get_module_paths
for module in list(sys.modules.values()):  # what Streamlit reads of every module after a run
    get_module_paths(module)
import torch._dynamo  # a second import statement
import inspect
inspect.getmodule(inspect.currentframe())  # reads every module's __file__ (Streamlit's components do)
assert deferred.is_deferred("torch._dynamo") and deferred.is_deferred("numba"), "ran at start-up"

# First use, from several threads at once: each sees the whole module, its code runs once.
import torch
seen, errors = [], []
def use():
    try:
        seen.append(torch._dynamo.OptimizedModule.__name__)
    except Exception as exc:
        errors.append(repr(exc))
threads = [threading.Thread(target=use) for _ in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
assert not errors and seen == ["OptimizedModule"] * 4, (errors, seen)
assert not deferred.is_deferred("torch._dynamo") and type(sys.modules["torch._dynamo"]).__name__ == "module"

import torch_geometric
from nodescope.core.checkpoint import load_checkpoint, shipped_weights
model = load_checkpoint(shipped_weights(load("karate"), "gcn"))[0]
assert torch_geometric.is_torch_instance(torch.compile(model), type(model))  # what PyG imports it for
import numba
assert callable(numba.njit) and not deferred.is_deferred("numba")
print("ok")
"""

SUBMODULE_FIRST = """
import sys
from nodescope.app import deferred
deferred.defer()
import torch_geometric
assert deferred.is_deferred("torch._dynamo")
from torch._dynamo.eval_frame import OptimizedModule  # a submodule first: the package's code runs first
import torch._dynamo.config as config
import torch
assert torch._dynamo.OptimizedModule is OptimizedModule and torch._dynamo.config is config  # run once
assert sys.modules["torch._dynamo.config"] is config and config.__spec__.name == "torch._dynamo.config"
print("ok")
"""

ELSEWHERE = """
import sys
import torch_geometric
from nodescope.app import deferred
assert not deferred.is_deferred("torch._dynamo") and "torch._dynamo" in sys.modules  # nothing deferred
print("ok")
"""


def test_start_up_defers_dynamo_and_numba_until_first_use():
    out = subprocess.run([sys.executable, "-c", START_UP], capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.strip().endswith("ok")


def test_only_the_server_defers():
    out = subprocess.run([sys.executable, "-c", ELSEWHERE], capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.strip() == "ok"


def test_a_submodule_imported_first_runs_the_package_once():
    out = subprocess.run([sys.executable, "-c", SUBMODULE_FIRST], capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.strip() == "ok"
