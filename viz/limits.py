"""How much a view draws, and over what range its colors run.

The node counts above which a figure shows a part instead of the whole, and the color limits
shared by several surfaces (:func:`color_limits`). One place for the app's pages and
:func:`nodescope.show`, so a figure drawn from Python looks like the page's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # numpy only when a color limit is asked for: `import nodescope` stays light
    import numpy as np

#: Graphs up to this many nodes are drawn whole in the attention view; larger ones as the focus
#: node's neighborhood.
WHOLE_GRAPH_NODES = 1500
#: The widest attention neighborhood drawn around the focus node (nodes).
NEIGHBORHOOD_NODES = 600
#: Explanation subgraphs larger than this are drawn as a smaller neighborhood (nodes).
SUBGRAPH_NODES = 300
#: Columns of the global-attention grid: the focus and its most attended nodes.
GLOBAL_STRIP_NODES = 12


def color_limits(
    *values: np.ndarray | None, user: tuple[float | None, float | None] | None = None
) -> tuple[float, float, str]:
    """One color scale for several arrays drawn together (both hemispheres of a cortex, say).

    Signed values (some below 0, some above: sulc, curvature) get a diverging scale symmetric
    around 0, ``±max|value|`` over every array; values of one sign (thickness, area) a
    sequential scale from their minimum to their maximum. Limits the user set replace the
    defaults one by one; the scale (diverging or sequential) stays the data's.

    Args:
        *values: arrays of any shape (None is skipped); non-finite entries are ignored.
        user: ``(low, high)`` set by the user; either may be None (keep that default).

    Returns:
        ``(low, high, colorscale)`` with ``low < high`` (a constant map is widened by 0.5 each side).

    Example:
        >>> color_limits(np.array([-1.0, 0.5]), np.array([2.0]))
        (-2.0, 2.0, 'RdBu_r')
        >>> color_limits(np.array([1.0, 3.0]), user=(None, 2.5))
        (1.0, 2.5, 'Viridis')
    """
    import numpy as np

    from nodescope.viz.colors import DIVERGING, SEQUENTIAL

    arrays = [np.asarray(v, dtype=np.float64).ravel() for v in values if v is not None]
    finite = np.concatenate(arrays) if arrays else np.zeros(0)
    finite = finite[np.isfinite(finite)]
    if not finite.size:
        lo, hi, scale = 0.0, 1.0, SEQUENTIAL
    elif finite.min() < 0 < finite.max():
        m = float(np.abs(finite).max())
        lo, hi, scale = -m, m, DIVERGING
    else:
        lo, hi, scale = float(finite.min()), float(finite.max()), SEQUENTIAL
    if user is not None:
        lo = lo if user[0] is None else float(user[0])
        hi = hi if user[1] is None else float(user[1])
    if hi <= lo:
        mid = 0.5 * (lo + hi)
        lo, hi = mid - 0.5, mid + 0.5
    return lo, hi, scale


__all__ = ["GLOBAL_STRIP_NODES", "NEIGHBORHOOD_NODES", "SUBGRAPH_NODES", "WHOLE_GRAPH_NODES", "color_limits"]
