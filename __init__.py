"""Nodescope: interactive visual exploration of graph neural networks.

The public Python API (see :mod:`nodescope.api`)::

    import nodescope
    s = nodescope.load("karate")
    figures = nodescope.show(s, "attention", model=nodescope.model(s, "gat"))

Importing ``nodescope`` loads no torch, PyG or plotly: the functions import them when called.
"""

# The subpackage ``nodescope.explain`` shares its name with the function ``explain``. Loading a
# submodule binds it on its parent package the first time, so the (empty, light) subpackage is
# loaded before the function is bound: ``nodescope.explain`` then stays the function, and
# ``from nodescope.explain.report import ...`` still finds the subpackage in ``sys.modules``.
from nodescope import explain as _explain_layer
from nodescope.api import attention, explain, load, model, oversmooth, register, show

del _explain_layer

__all__ = ["attention", "explain", "load", "model", "oversmooth", "register", "show"]
