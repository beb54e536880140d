"""What would change a node's prediction: the smallest change that flips it, verified by running the model.

:func:`search` tries, for one node, changes of three kinds and keeps, per kind, the smallest
one after which the model predicts another class:

- **cue** (X-Node models only, :mod:`.cue`): one cue of the node set to another value, at the
  standardized values of :data:`explain.xnode.GRID` that some node of the graph reaches (the
  "no labeled neighbors" indicator: its other value); smallest = fewest standard deviations.
- **feature** (:mod:`.feature`): the node's own features. Each feature is moved to the end of its
  range over the graph's nodes (its minimum or maximum: on bag-of-words data, a word toggled) in
  the direction the model's gradient says lowers the predicted class against the runner-up;
  features are ranked by that first-order gain (:mod:`.ranking`). The top ``singles`` are tried
  one at a time, then the first 2, 3, 4, 6, 8, 12, 16 of the ranking together (up to
  ``max_set``); smallest = fewest features.
- **edge** (:mod:`.edge`): links of the node's computation subgraph (:mod:`explain.subgraph`)
  removed, both directions together, ranked by the gradient of the same margin with respect to a
  weight on each edge's messages: the top ``singles`` alone, then the first 2, 3, ... together;
  and links added from the node to the ``additions`` most confident nodes predicted as the
  runner-up class. Smallest = fewest links.

**Verified.** Every candidate is a changed copy of the node's computation subgraph run through
the model (copies batched into one disjoint graph per forward pass, as :mod:`explain.fidelity`
does; one whole-graph pass per candidate for models that attend to every node: :mod:`.candidates`).
During that search the inputs a model derives from the graph (X-Node's graph cues, positional
encodings) are held at their values on the real graph; X-Node's own-feature cues follow a feature
change. The change reported is then applied to the whole graph (edges and features: the model's
``prepare`` is rerun on the changed graph, so X-Node's cues and any encoding follow the change)
and the model run once more: the class and probabilities reported are that run's argmax and
softmax. A candidate that flips in the search but not in that final run is dropped for the next
(up to :data:`CONFIRM` per kind). The search itself: :mod:`.flip`; its result: :mod:`.result`.

Cost, measured on 13 Cora nodes on a shared 2-core CPU (load ~9), median (max) wall seconds per
node with ``prepared`` passed: GCN 0.28 (0.60), X-Node GCN 1.25 (5.6), GAT 2.7 (4.4); about
95 candidates per node (40 cue, 23 feature, 31 link changes). The features' column range is now
reduced once per graph, not per node (:func:`.feature.feature_range`), and a stream's
attribute widths read once, not per candidate: GAT 3.66 → 1.35 s median
(max 6.9 → 3.3) in interleaved runs at load ~20, 0.11 → 0.07 s at load 2
(``benchmarks/bench_counterfactual.py``), the same answers.
"""

from nodescope.explain.counterfactual.cue import cue_change_words
from nodescope.explain.counterfactual.flip import CONFIRM, DERIVED, search
from nodescope.explain.counterfactual.ranking import SET_SIZES
from nodescope.explain.counterfactual.result import KINDS, Change, Counterfactual

__all__ = [
    "CONFIRM",
    "DERIVED",
    "KINDS",
    "SET_SIZES",
    "Change",
    "Counterfactual",
    "cue_change_words",
    "search",
]
