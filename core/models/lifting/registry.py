"""Lifting model names -> classes, and the configs of the shipped weights."""

from __future__ import annotations

from nodescope.core.models.lifting.base import Lifter, LifterConfig
from nodescope.core.models.lifting.hopfir import HopFIRLifter
from nodescope.core.models.lifting.mlp import MLPLifter
from nodescope.core.models.lifting.semgcn import SemGCNLifter

#: Model key -> class.
LIFTERS: dict[str, type[Lifter]] = {cls.key: cls for cls in (HopFIRLifter, SemGCNLifter, MLPLifter)}
#: What the README and the app call each model.
TITLES = {"hopfir": "HopFIR", "gcn": "SemGCN", "mlp": "MLP (Martinez et al.)"}
#: The architectures trained and shipped by ``examples/train_lifting.py`` (about 80 k parameters each).
DEFAULT_CONFIGS: dict[str, LifterConfig] = {
    "mlp": LifterConfig("mlp", hidden=128, layers=2, dropout=0.25),
    "gcn": LifterConfig("gcn", hidden=64, layers=3, dropout=0.1),
    "hopfir": LifterConfig("hopfir", hidden=48, layers=3, heads=4, dropout=0.1),
}


def build_lifter(config: LifterConfig) -> Lifter:
    """A freshly initialized lifting model for ``config`` (on the CPU).

    Raises:
        ValueError: an unknown model key.
    """
    if config.model not in LIFTERS:
        raise ValueError(f"unknown lifting model {config.model!r}; known: {', '.join(LIFTERS)}")
    return LIFTERS[config.model](config)
