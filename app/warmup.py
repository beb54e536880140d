"""The pages' heavy imports, started in the background as the server process starts.

Streamlit runs a page only once a browser has connected, and the first page would then spend
seconds importing torch, PyG and the loaders. ``nodescope app`` starts the server
through ``app/serve.py``, which calls :func:`start` first: those imports then run while the
server comes up and the browser loads the app. A page's run calls :func:`wait` before its own
imports (app/main.py): relying on Python's per-module import locks alone, the Attention page
importing beside the warm-up thread was left without its charts in the browser tests.

Only modules that do not use Streamlit are imported here: Streamlit's caches choose their
storage when they are declared, which needs the running server.

Modules that no page needs at once are deferred first (:mod:`nodescope.app.deferred`: PyG
imports ``torch._dynamo`` and ``numba``, ~1.3 s, which then run at their first use).

The cyclic garbage collector is paused during the imports: they create ~850k objects, and the
full collections that triggers would add ~1 s. At the end the imported objects are frozen
(:func:`gc.freeze`: left out of every later collection, see ``app/components.py``) without a
collection first, which would cost ~0.4 s: the ~10k unreachable objects the imports leave
(about a megabyte) stay, once per process.

While the imports run, the interpreter switches threads every 0.5 ms instead of every 5 ms
(:func:`sys.setswitchinterval`): the server's event loop, which meanwhile serves the browser
the app's ~60 script files and opens its connection, then waits less for the imports to hand
it the GIL after each read and write.
"""

from __future__ import annotations

import gc
import logging
import sys
import threading

from nodescope.app import deferred

log = logging.getLogger(__name__)

_done = threading.Event()
_started = threading.Event()
#: Seconds between thread switches while the imports run (Python's default is 0.005).
SWITCH_INTERVAL = 0.0005
_default_switch_interval = sys.getswitchinterval()


def start() -> None:
    """Defer the modules no page needs at once, pause the GC, import in a thread (once per process).

    The deferred modules are :data:`~nodescope.app.deferred.DEFERRED`; the thread runs
    :func:`_import_all`.
    """
    if _started.is_set():
        return
    _started.set()
    deferred.defer()
    gc.disable()
    sys.setswitchinterval(SWITCH_INTERVAL)
    threading.Thread(target=_import_all, name="nodescope-warm-up", daemon=True).start()


def wait() -> None:
    """Return once the warm-up has ended; at once where none was started (tests, ``streamlit run``)."""
    if _started.is_set():
        _done.wait()


def _import_all() -> None:
    """Import what the sidebar needs (torch, PyG: the sample), then what the Explorer adds."""
    try:
        import nodescope.core.device
        import nodescope.core.loaders  # noqa: F401

        log.debug("warm-up: the sample's modules are imported")
        import nodescope.explain.embedding
        import nodescope.viz.embedding_view
        import nodescope.viz.graph_view
        import nodescope.viz.layout  # noqa: F401
    except Exception:  # the page importing the same module shows the error where users see it
        log.debug("warm-up import failed", exc_info=True)
    finally:
        gc.freeze()
        gc.enable()
        sys.setswitchinterval(_default_switch_interval)
        _done.set()
