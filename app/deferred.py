"""Modules the server process imports only when first used, not when a library names them.

PyG's package ``__init__`` imports ``torch._dynamo`` (``torch_geometric/isinstance.py``, to
recognise ``torch.compile``-d models) and ``numba`` (``torch_geometric/utils/ppr.py``, for one
function); neither runs on a Nodescope page until a page asks for it (no page compiles a model;
numba serves UMAP and PyG's personalized PageRank). Importing them costs ~1.3 s of the app's
start-up on the 2-core machine of ``benchmarks/bench_app.py`` (``python -X importtime``):
torch._dynamo ~1.1 s (it pulls sympy and cProfile in), numba ~0.25 s.

:func:`defer` makes ``import torch._dynamo`` (and ``import numba``) bind a module whose code
runs at the first attribute access instead, as :class:`importlib.util.LazyLoader` does, but
under a lock: Python 3.11's LazyLoader lets a second thread read a half-executed module while
the first runs it. Same module object, same code, run once; only later. ``nodescope app`` calls
it in the server process (:func:`nodescope.app.warmup.start`); nothing else does.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import sys
import threading
import types
from collections.abc import Sequence

#: Imported on first use in the server process (module docstring).
DEFERRED: tuple[str, ...] = ("torch._dynamo", "numba")

_lock = threading.RLock()
_running: set[str] = set()
#: Submodules whose import ran a deferred package's code, which imported them: the import under
#: way must take them as they are (:class:`_Existing`), not run their code a second time.
_imported_with_parent: set[str] = set()

#: What the import system sets before a module's code runs: read without running it (Streamlit
#: reads ``__file__``, ``__spec__`` and ``__path__`` of every module after each script run).
#: ``__path__`` read by the import system itself (a submodule's import) runs the code first.
#: ``__class__``: ``isinstance(module, type)`` reads it (``inspect.getmodule`` asks of every module).
_METADATA = frozenset(
    ("__class__", "__name__", "__file__", "__spec__", "__loader__", "__package__", "__cached__")
)


class _DeferredModule(types.ModuleType):
    """A module whose code has not run yet: the first attribute use runs it, once, under the lock."""

    def __getattribute__(self, attr: str) -> object:
        get = object.__getattribute__
        if attr in _METADATA:
            return get(self, attr)
        if attr == "__path__":
            caller = sys._getframe(1)
            if not caller.f_code.co_filename.startswith("<frozen importlib"):
                return get(self, attr)
            _run(
                self,
                caller.f_locals.get("name") if caller.f_code.co_name == "_find_and_load_unlocked" else None,
            )
        else:
            _run(self, None)
        return get(self, attr)


def _run(module: types.ModuleType, importing: str | None) -> None:
    """Run ``module``'s code unless it ran or is running; ``importing``: the submodule being imported."""
    get = object.__getattribute__
    with _lock:
        spec = get(module, "__spec__")
        if type(module) is not _DeferredModule or spec.name in _running:
            return  # run already, or its own code reading its attributes while it runs
        _running.add(spec.name)
        try:
            spec.loader_state["loader"].exec_module(module)
        finally:
            _running.discard(spec.name)
            module.__class__ = types.ModuleType
        if importing is not None and importing in sys.modules:
            _imported_with_parent.add(importing)


class _Existing(importlib.abc.Loader):
    """The loader of a module already imported: gives the module back, runs nothing."""

    def __init__(self, module: types.ModuleType) -> None:
        self.module = module
        self.spec = module.__spec__

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        return self.module

    def exec_module(self, module: types.ModuleType) -> None:
        if module.__spec__ is not self.spec:  # the import system set ours: put the module's own back
            module.__spec__ = self.spec


class _DeferringLoader(importlib.abc.Loader):
    """Creates the module as its real loader does and leaves its code to :class:`_DeferredModule`."""

    def __init__(self, loader: importlib.abc.Loader) -> None:
        self.loader = loader

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType | None:
        return self.loader.create_module(spec)

    def exec_module(self, module: types.ModuleType) -> None:
        module.__spec__.loader_state = {"loader": self.loader}
        module.__class__ = _DeferredModule


class _DeferringFinder(importlib.abc.MetaPathFinder):
    """Finds the modules of ``names`` as the other finders do, with a :class:`_DeferringLoader`."""

    def __init__(self, names: Sequence[str]) -> None:
        self.names = frozenset(names)

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: types.ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname in _imported_with_parent:
            _imported_with_parent.discard(fullname)
            if fullname in sys.modules:
                return importlib.util.spec_from_loader(fullname, _Existing(sys.modules[fullname]))
        if fullname not in self.names:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                if spec.loader is None or not hasattr(spec.loader, "exec_module"):
                    return None  # a namespace package or a legacy loader: import it as usual
                spec.loader = _DeferringLoader(spec.loader)
                return spec
        return None


def defer(names: Sequence[str] = DEFERRED) -> None:
    """Import the modules ``names`` on first use from now on (once per process; already imported: unchanged)."""
    if not any(isinstance(f, _DeferringFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, _DeferringFinder(names))


def is_deferred(name: str) -> bool:
    """True while module ``name`` is imported but its code has not run yet."""
    module = sys.modules.get(name)
    return module is not None and type(module) is _DeferredModule
