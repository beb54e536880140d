"""What the analyses do when the user does not say: one place for the app, the CLI and the Python API.

Plain constants, no imports: the CLI's option parser and ``import nodescope`` read them without
loading torch (the modules that compute the analyses do).
"""

#: The explainers, as ``nodescope explain --method`` and :func:`nodescope.explain` name them:
#: X-Node's self-explanation, then :data:`explain.posthoc.METHODS` (``explain.report.METHODS``).
EXPLAIN_METHODS: tuple[str, ...] = ("xnode", "gnnexplainer", "ig", "saliency", "attention")
#: Without a list of nodes, graphs up to this size get every node's global attention row
#: (GraphGPS; ``nodescope attention --global-nodes``, :func:`nodescope.attention`).
GLOBAL_ALL_NODES = 1000
#: Depths a sweep runs when none are given: those of ``nodescope oversmooth``, the app's
#: Over-smoothing page and the shipped sweeps.
DEFAULT_SWEEP_DEPTHS: tuple[int, ...] = (2, 4, 8, 16, 32, 64)
#: Models swept and drawn first when none are given: plain GCN and its remedies.
DEFAULT_SWEEP_MODELS: tuple[str, ...] = ("gcn", "gcn-res", "gcn-pairnorm", "gcnii", "appnp", "dagnn")

#: The model ``nodescope report`` (and :func:`nodescope.report`) reports on when none is named:
#: X-Node's GAT has attention heads and explains itself, so every section of a report applies.
REPORT_MODEL = "xnode-gat"

__all__ = [
    "DEFAULT_SWEEP_DEPTHS",
    "DEFAULT_SWEEP_MODELS",
    "EXPLAIN_METHODS",
    "GLOBAL_ALL_NODES",
    "REPORT_MODEL",
]
