"""Nodescope: interactive visual exploration of graph neural networks.

The public Python API (see :mod:`nodescope.api`)::

    import nodescope
    s = nodescope.load("karate")
    figures = nodescope.show(s, "attention", model=nodescope.model(s, "gat"))

Importing ``nodescope`` loads no torch, PyG or plotly: the functions import them when called.
"""

import types

from nodescope import explain as _explain_layer
from nodescope.api import attention, draw_page, load, model, oversmooth, register, report, show
from nodescope.api import explain as _explain


class _CallableLayer(types.ModuleType):
    """The ``explain`` layer, callable as the API function :func:`nodescope.api.explain`.

    ``nodescope.explain`` names both the analyses subpackage and the API's ``explain(...)``.
    Binding the function over the name would hide the subpackage from attribute access
    (``import nodescope.explain.report as r`` and ``mock.patch("nodescope.explain....")`` would
    fail), so the subpackage stays what the name is, and calling it calls the function.
    """

    def __call__(self, *args, **kwargs):
        return _explain(*args, **kwargs)


_explain_layer.__class__ = _CallableLayer
explain = _explain_layer

__all__ = ["attention", "draw_page", "explain", "load", "model", "oversmooth", "register", "report", "show"]
