"""Nodescope: interactive visual exploration of graph neural networks.

The public Python API is filled in by :mod:`nodescope.api`.
"""

__all__: list[str] = []
