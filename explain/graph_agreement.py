"""How well a learned graph (MTGNN's) agrees with a known one: ranking the true edges first.

Both graphs are (N, N) in Nodescope's layout (row ``i``: series ``i``'s incoming edges). The
diagonal is left out (self-edges are not part of either graph).
"""

from __future__ import annotations

import numpy as np

from nodescope.explain.fidelity import auroc


def graph_agreement(learned: np.ndarray, known: np.ndarray) -> dict[str, float | None]:
    """AUROC of the learned edge weights against the known edges, with and without direction.

    Args:
        learned: (N, N) learned weights (any scale; ties count half).
        known: (N, N) known graph; an entry > 0 is an edge.

    Returns:
        ``{"auroc": ..., "auroc_undirected": ...}``: the chance that a true edge outranks a
        non-edge (0.5 = chance), for ``j -> i`` edges, and for pairs ``{i, j}`` scored by
        ``learned[i, j] + learned[j, i]`` against "an edge either way". None where the known
        graph has no edges or only edges (nothing to rank against).
    """
    learned, known = np.asarray(learned, np.float64), np.asarray(known) > 0
    n = known.shape[0]
    off = ~np.eye(n, dtype=bool)
    upper = np.triu(off)
    pairs = [(learned[off], known[off]), ((learned + learned.T)[upper], (known | known.T)[upper])]
    scores: list[float | None] = []
    for weights, truth in pairs:
        scores.append(auroc(truth, weights) if 0 < truth.sum() < truth.size else None)
    return {"auroc": scores[0], "auroc_undirected": scores[1]}
