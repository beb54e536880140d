"""A context cue's value in plain words, with its rank among the graph's nodes: one helper, one table.

A clinician reads "it lies on few shortest paths between other nodes (lower than 90% of nodes)",
not "betweenness 2.8e-06". :func:`cue_words` turns a cue's raw value (its own units, see
:data:`core.context.CUES`) into a :class:`CueWords`: what the value says (``says``, a verb
phrase whose subject is the node: "has 7 neighbors"), a short form for chart labels
(``short``: "7 neighbors"), its rank among the graph's nodes (``rank``) and the raw number for
a tooltip or a table (``raw``).

**Rank.** Shares are of the nodes where the cue is known (label agreement is unknown where no
labeled node is near), rounded down so the claim holds: with ``lower`` the % of nodes with a
strictly lower value and ``higher`` the % with a strictly higher one,

- ``higher >= 50``: "lower than {higher}% of nodes" ("fewer than" for counts);
- else ``lower >= 50``: "higher than {lower}% of nodes" ("more than" for counts);
- else (a value many nodes share, spanning the median): "the same as {tied}% of nodes"
  ("like every node" when all share it).

**Levels.** Words such as "few" and "many" come from the mid-rank percentile
``lower + tied / 2``: below :data:`LOW` (25) it is low, above :data:`HIGH` (75) high, otherwise
typical.

**Declaring a cue.** Every cue gets words: one declared in :data:`PHRASES` (with
:func:`phrase`, keyed by the cue's name) has its own; any other cue falls back to "has a
low/typical/high <name>" and the rank, so a cue added to :mod:`core.context` reads sensibly
before anyone writes its words.

Units, per declared cue: degree in neighbors; clustering as the share of pairs of neighbors
that are linked (0-1); PageRank relative to the average node (N x value, 1 = average);
betweenness as the normalized share of shortest paths through the node (0-1; 0 = none);
label agreement from the training labels within ``hops`` hops (counts per class); feature
saliency as the L1 norm of gradient x input (relative: only its rank is worded); top-feature
share as the largest feature's share of that norm (0-1); the per-class votes (``"own-feature
vote: c"``, ``"neighbor vote: c"``, declared once per family) as probabilities of class c (0-1).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

#: Mid-rank percentiles below LOW read as low ("few"), above HIGH as high ("many").
LOW = 25.0
HIGH = 75.0


@dataclass(frozen=True)
class CueFacts:
    """What the words of one cue at one node may read.

    Attributes:
        name: the cue's name (:data:`core.context.CUES`).
        value: its raw value at the node, in its own units (NaN when unknown).
        ordered: (M,) the cue's known raw values over the graph's nodes, sorted ascending
            (:func:`ordered`).
        num_nodes: N, the graph's node count (PageRank is worded relative to 1/N).
        label_counts: (C,) training-labeled nodes per class within ``hops`` hops, or None.
        class_names: the C class names.
        hops: the radius of the label cues.
    """

    name: str
    value: float
    ordered: np.ndarray
    num_nodes: int
    label_counts: np.ndarray | None = None
    class_names: Sequence[str] = ()
    hops: int = 2


@dataclass(frozen=True)
class CueWords:
    """One cue's value in words.

    Attributes:
        says: a verb phrase about the node ("has 7 neighbors"); the full words are
            ``f"it {says} ({rank})"``.
        short: a few words for a chart label ("7 neighbors").
        rank: the rank among the graph's nodes ("more than 95% of nodes"; "" when unknown).
        raw: the raw value as a number, for a tooltip or a table.
        level: "low", "typical" or "high" (see the module docstring), "unknown" for NaN.
    """

    says: str
    short: str
    rank: str
    raw: str
    level: str

    @property
    def sentence(self) -> str:
        """``"it has 7 neighbors (more than 95% of nodes)"``."""
        return f"it {self.says} ({self.rank})" if self.rank else f"it {self.says}"


@dataclass(frozen=True)
class Phrase:
    """How one cue is worded: ``words(facts, level)`` gives (says, short); ``counts`` picks fewer/more."""

    words: Callable[[CueFacts, str], tuple[str, str]]
    counts: bool = False


#: Cue name → its words. Add a cue with :func:`phrase`; undeclared cues use :func:`_fallback`.
PHRASES: dict[str, Phrase] = {}


def phrase(name: str, *, counts: bool = False) -> Callable:
    """Declare the words of cue ``name``: decorates ``f(facts, level) -> (says, short)``."""

    def register(f: Callable[[CueFacts, str], tuple[str, str]]) -> Callable[[CueFacts, str], tuple[str, str]]:
        PHRASES[name] = Phrase(f, counts)
        return f

    return register


def ordered(values: np.ndarray) -> np.ndarray:
    """(M,) the known (non-NaN) values of one cue over the nodes, sorted: what :class:`CueFacts` ranks against."""
    values = np.asarray(values, dtype=np.float64)
    return np.sort(values[~np.isnan(values)])


def shares(value: float, ordered_values: np.ndarray) -> tuple[float, float]:
    """(% of nodes with a strictly lower value, % with a strictly higher one), NaN when unknown."""
    m = len(ordered_values)
    if math.isnan(value) or m == 0:
        return math.nan, math.nan
    lower = np.searchsorted(ordered_values, value, side="left")
    higher = m - np.searchsorted(ordered_values, value, side="right")
    return 100.0 * lower / m, 100.0 * higher / m


def rank_words(value: float, ordered_values: np.ndarray, *, counts: bool = False) -> str:
    """The rank clause of the module docstring ("lower than 90% of nodes"); "" when unknown."""
    lower, higher = shares(value, ordered_values)
    if math.isnan(lower):
        return ""
    less, more = ("fewer", "more") if counts else ("lower", "higher")
    if higher >= 50:
        return f"{less} than {math.floor(higher)}% of nodes"
    if lower >= 50:
        return f"{more} than {math.floor(lower)}% of nodes"
    tied = 100.0 - lower - higher
    return "like every node" if tied >= 100.0 else f"the same as {math.floor(tied)}% of nodes"


def level_of(value: float, ordered_values: np.ndarray) -> str:
    """``"low"``, ``"typical"`` or ``"high"`` by the mid-rank percentile (module docstring); ``"unknown"`` for NaN."""
    lower, higher = shares(value, ordered_values)
    if math.isnan(lower):
        return "unknown"
    middle = lower + (100.0 - lower - higher) / 2.0
    return "low" if middle < LOW else "high" if middle > HIGH else "typical"


def raw_shown(name: str, value: float) -> str:
    """The raw value as a number (tooltips, tables): 3 significant digits, integers for counts."""
    if math.isnan(value):
        return "unknown"
    if name in ("degree", "no labeled neighbors"):
        return f"{value:.0f}"
    return f"{value:.3g}"


def phrase_of(name: str) -> Phrase | None:
    """The declared words of cue ``name``; a per-class cue (``"neighbor vote: 3"``) uses its family's."""
    if name in PHRASES:
        return PHRASES[name]
    family, sep, c = name.rpartition(": ")
    return PHRASES.get(family) if sep and c.isdigit() else None


def class_of(facts: CueFacts) -> str:
    """The class a per-class cue (``"neighbor vote: 3"``) is about, by name ("class 3" when unnamed)."""
    c = int(facts.name.rpartition(": ")[2])
    return facts.class_names[c] if c < len(facts.class_names) else f"class {c}"


def cue_words(facts: CueFacts) -> CueWords:
    """``facts``' cue in plain words (see the module docstring)."""
    spec = phrase_of(facts.name)
    level = level_of(facts.value, facts.ordered)
    says, short = (spec.words if spec else _fallback)(facts, level)
    rank = rank_words(facts.value, facts.ordered, counts=bool(spec and spec.counts))
    if facts.name == "no labeled neighbors":
        rank = ""  # a yes/no fact; its rank says nothing more
    return CueWords(says=says, short=short, rank=rank, raw=raw_shown(facts.name, facts.value), level=level)


def _fallback(facts: CueFacts, level: str) -> tuple[str, str]:
    if level == "unknown":
        return f"has no known {facts.name}", "unknown"
    return f"has a {level} {facts.name}", level


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


@phrase("degree", counts=True)
def _degree(facts: CueFacts, level: str) -> tuple[str, str]:
    n = _plural(round(facts.value), "neighbor")
    return f"has {n}", n


@phrase("clustering")
def _clustering(facts: CueFacts, level: str) -> tuple[str, str]:
    share = facts.value
    if share <= 0:
        return "has no two neighbors linked to each other", "no neighbors linked"
    if share >= 1:
        return "has every pair of its neighbors linked to each other", "all neighbors linked"
    return (
        f"has {share:.0%} of the pairs of its neighbors linked to each other",
        f"{share:.0%} of neighbor pairs linked",
    )


@phrase("pagerank")
def _pagerank(facts: CueFacts, level: str) -> tuple[str, str]:
    ratio = facts.value * facts.num_nodes
    where = {"low": "is peripheral", "high": "is central", "typical": "is about as central as most nodes"}
    return (
        f"{where.get(level, 'has an unknown centrality')} in the network: PageRank {ratio:.1f}× the average node's",
        f"PageRank {ratio:.1f}× average",
    )


@phrase("betweenness")
def _betweenness(facts: CueFacts, level: str) -> tuple[str, str]:
    if facts.value <= 0:
        return "lies on no shortest path between other nodes", "on no shortest path"
    many = {"low": "few", "high": "many", "typical": "some"}.get(level, "some")
    return f"lies on {many} shortest paths between other nodes", f"on {many} shortest paths"


@phrase("label agreement")
def _label_agreement(facts: CueFacts, level: str) -> tuple[str, str]:
    counts = facts.label_counts
    within = f"within {_plural(facts.hops, 'hop')}"
    if counts is None or math.isnan(facts.value) or int(np.sum(counts)) == 0:
        return f"has no labeled node {within}", "no labeled nodes near"
    total, top = int(np.sum(counts)), int(np.argmax(counts))
    most = int(counts[top])
    name = facts.class_names[top] if top < len(facts.class_names) else str(top)
    tied = int((np.asarray(counts) == most).sum()) > 1
    if most == total:
        says = f"has {'its one' if total == 1 else f'all {total}'} labeled node{'s' if total > 1 else ''} {within} in {name}"
    elif tied:
        order = np.argsort(-np.asarray(counts), kind="stable")[:3]
        split = ", ".join(
            f"{int(counts[c])} {facts.class_names[c] if c < len(facts.class_names) else c}"
            for c in order
            if counts[c] > 0
        )
        says = f"has its {total} labeled nodes {within} split: {split}"
    else:
        says = f"has {most} of its {total} labeled nodes {within} in {name}"
    return says, f"{most} of {total} labeled nodes agree"


@phrase("no labeled neighbors")
def _no_labeled(facts: CueFacts, level: str) -> tuple[str, str]:
    within = f"within {_plural(facts.hops, 'hop')}"
    if facts.value > 0.5:
        return f"has no labeled node {within}", "none labeled near"
    return f"has labeled nodes {within}", "labeled nodes near"


@phrase("feature saliency")
def _feature_saliency(facts: CueFacts, level: str) -> tuple[str, str]:
    how = {"low": "weakly", "high": "strongly", "typical": "moderately"}.get(level, "unknown")
    return f"is pushed {how} by its own features", f"own features push {how}"


@phrase("top-feature share")
def _top_feature_share(facts: CueFacts, level: str) -> tuple[str, str]:
    return (
        f"gets {facts.value:.0%} of its own features' push from a single feature",
        f"one feature {facts.value:.0%} of the push",
    )


@phrase("own-feature vote")
def _own_vote(facts: CueFacts, level: str) -> tuple[str, str]:
    name = class_of(facts)
    return (
        f"has its own features alone give {name} {facts.value:.0%}",
        f"own features: {facts.value:.0%} {name}",
    )


@phrase("neighbor vote")
def _neighbor_vote(facts: CueFacts, level: str) -> tuple[str, str]:
    name = class_of(facts)
    return (
        f"has neighbors whose own features give {name} {facts.value:.0%} on average",
        f"neighbors' features: {facts.value:.0%} {name}",
    )
