"""How much a view draws: the node counts above which a figure shows a part instead of the whole.

One place for the app's pages and :func:`nodescope.show`, so a figure drawn from Python looks like
the page's.
"""

#: Graphs up to this many nodes are drawn whole in the attention view; larger ones as the focus
#: node's neighborhood.
WHOLE_GRAPH_NODES = 1500
#: The widest attention neighborhood drawn around the focus node (nodes).
NEIGHBORHOOD_NODES = 600
#: Explanation subgraphs larger than this are drawn as a smaller neighborhood (nodes).
SUBGRAPH_NODES = 300
#: Columns of the global-attention grid: the focus and its most attended nodes.
GLOBAL_STRIP_NODES = 12

__all__ = ["GLOBAL_STRIP_NODES", "NEIGHBORHOOD_NODES", "SUBGRAPH_NODES", "WHOLE_GRAPH_NODES"]
