"""What a counterfactual search found for one node: the verified changes, and the sentence that says so."""

from __future__ import annotations

from dataclasses import dataclass, field

KINDS: tuple[str, ...] = ("cue", "feature", "edge")


@dataclass(frozen=True)
class Change:
    """One verified change that flips the prediction.

    Attributes:
        kind: ``"cue"``, ``"feature"`` or ``"edge"``.
        what: the change in plain words ("the link between 12 and 40 removed").
        size: how many cues, features or links it changes.
        new_class: the class the model predicts after it (argmax of the whole-graph run).
        new_probability: that class's probability after it.
        old_probability: the originally predicted class's probability after it.
        items: what changes, machine-readable: cue ``(name, z before, z after)``; feature
            ``(index, before, after)``; edge ``(u, v, "remove" | "add")``.
    """

    kind: str
    what: str
    size: int
    new_class: int
    new_probability: float
    old_probability: float
    items: tuple[tuple, ...]


@dataclass
class Counterfactual:
    """The search's result for one node.

    Attributes:
        node: the node.
        predicted: its predicted class, and ``probability`` that class's probability.
        class_names: the C class names.
        changes: kind → the smallest verified change of that kind that flips it (None: none found).
        tried: kind → candidates run through the model.
        skipped: kind → why the kind was not searched (no cues, constant features, no edges).
        seconds: wall time of the search.
    """

    node: int
    predicted: int
    probability: float
    class_names: list[str]
    changes: dict[str, Change | None] = field(default_factory=dict)
    tried: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def best(self) -> Change | None:
        """The change of fewest items over the kinds (ties: cue, then feature, then edge); None if none flips."""
        found = [c for c in (self.changes.get(k) for k in KINDS) if c is not None]
        return min(found, key=lambda c: (c.size, KINDS.index(c.kind))) if found else None

    def _then(self, change: Change) -> str:
        name = self.class_names
        return (
            f"the model then predicts {name[change.new_class]} ({change.new_probability:.0%}; "
            f"{name[self.predicted]} {change.old_probability:.0%})"
        )

    def lines(self) -> list[str]:
        """One line per kind: its smallest flip, or what was tried without one, or why it was skipped."""
        out = []
        for kind in KINDS:
            change = self.changes.get(kind)
            if kind in self.skipped:
                out.append(f"{kind.capitalize()}: not tried ({self.skipped[kind]}).")
            elif change is not None:
                out.append(f"{kind.capitalize()}: {change.what}; {self._then(change)}.")
            else:
                out.append(f"{kind.capitalize()}: none of the {self.tried.get(kind, 0)} tried flips it.")
        return out

    @property
    def sentence(self) -> str:
        """The "What would change it" sentence: the smallest verified change, or plainly that none was found."""
        best = self.best
        if best is not None:
            return f"What would change it: {best.what}; {self._then(best)}, checked by running the model."
        tried = [
            f"{self.tried[k]} {k} change{'s' if self.tried[k] != 1 else ''}"
            for k in KINDS
            if self.tried.get(k)
        ]
        if not tried:
            return "What would change it: nothing could be tried for this node."
        listed = ", ".join(tried[:-1]) + (" or " if len(tried) > 1 else "") + tried[-1]
        return (
            f"What would change it: none of the {listed} tried flips the prediction; "
            f"{self.class_names[self.predicted]} holds."
        )
