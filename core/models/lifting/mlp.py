"""The MLP lifting baseline after Martinez et al. (ICCV 2017).

"A simple yet effective baseline for 3d human pose estimation". Follows the paper: the 2D joints flattened, a linear layer to ``hidden`` features, then
``layers`` residual blocks of two (linear, batch norm, ReLU, dropout) each, and a linear layer
to the 3D joints; the loss is on the joints (we use MPJPE in metres, the paper squared error).

Departs from the paper: the input is the canonical, scale-free 2D of
:mod:`~core.models.lifting.normalize` (the paper: 2D normalized by training-set mean and
deviation, in one fixed camera set), the width is ``hidden`` (the paper: 1024, about 4.3 M
parameters; the shipped one is sized to match the graph models here), no max-norm constraint.
"""

from __future__ import annotations

from torch import Tensor, nn

from nodescope.core.models.lifting.base import Lifter, LifterConfig
from nodescope.core.skeleton.joints import NUM_JOINTS


def _unit(width: int, dropout: float) -> list[nn.Module]:
    return [nn.Linear(width, width), nn.BatchNorm1d(width), nn.ReLU(), nn.Dropout(dropout)]


class MLPLifter(Lifter):
    """Martinez et al.'s residual MLP (see the module docstring).

    Shapes:
        lift: (B, 17, 2) normalized keypoints -> (B, 17, 3) metres.
    """

    key = "mlp"

    def __init__(self, config: LifterConfig) -> None:
        """Build the input layer, ``config.layers`` residual blocks of width ``config.hidden`` and the output layer."""
        super().__init__(config)
        w = config.hidden
        self.inp = nn.Sequential(
            nn.Linear(NUM_JOINTS * 2, w), nn.BatchNorm1d(w), nn.ReLU(), nn.Dropout(config.dropout)
        )
        self.blocks = nn.ModuleList(
            nn.Sequential(*_unit(w, config.dropout), *_unit(w, config.dropout)) for _ in range(config.layers)
        )
        self.out = nn.Linear(w, NUM_JOINTS * 3)

    def lift(self, x: Tensor) -> Tensor:
        """(B, 17, 3) canonical joints, metres, from (B, 17, 2) normalized keypoints."""
        h = self.inp(x.flatten(1))
        for block in self.blocks:
            h = h + block(h)
        return self.out(h).view(-1, NUM_JOINTS, 3)
