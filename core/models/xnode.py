"""X-Node: a backbone GNN whose nodes explain themselves (Sengupta & Rekik, 2025).

Every node gets a context vector of readable cues (:mod:`core.context`: degree,
clustering, PageRank, betweenness, label agreement from training labels, and two
feature-saliency cues computed here). A **Reasoner** (small MLP) maps the context to an
explanation vector e; a **Decoder** (linear) reconstructs the node's hidden embedding from
e, and the reconstruction error is the auxiliary (faithfulness) loss the training loop adds
to the cross-entropy. With ``inject`` on, e is fed back into message passing: a linear map
of e is added to each node's hidden state before the last layer (the same as concatenating
e to the hidden state and letting the layer's own linear map mix it in), so neighbors
also receive each node's explanation. With ``inject`` off the prediction is the backbone's
and the explanation only has to reconstruct the embedding: the switch lets users compare.

Registered as ``xnode-gcn``, ``xnode-gat`` and ``xnode-gin``, with the backbone's defaults and
training settings. Options (beyond the backbone's):

- ``inject`` (bool, True): feed the explanation into message passing.
- ``cues`` (list of names, all of :data:`core.context.CUES`): the cues the Reasoner sees.
- ``expl_dim`` (16): width of the explanation vector; ``reasoner_hidden`` (32): the Reasoner's hidden width.
- ``recon_weight`` (1.0): weight of the reconstruction loss.
- ``zero_init_injection`` (False; True for ``xnode-gin``): start the injector at zero, so that
  the model starts as its backbone and the explanation enters the prediction only as far as
  training makes it useful. GIN needs it: on Planetoid its validation accuracy peaks within
  ~10 epochs, before the Reasoner has learned anything, and a randomly initialized injection
  of an untrained explanation is noise added to every node (summed over neighbors by GIN's
  aggregation) in the weights that early stopping keeps.
- ``hops`` (2): radius of the label-agreement cue; ``betweenness_samples`` (256).

Feature saliency (the two model cues) is the gradient of the backbone's predicted-class score
with respect to the node's own features, times those features, from a first backbone pass
in which **each node is seen alone** (no edges, no dropout) and the result detached. Seen
alone, a node's score depends on its own features only, so one backward pass gives every
node's exact own-feature gradient (with the edges present, one backward pass would mix in
how a node's features move its neighbors' predictions, and exact per-node gradients would
take N passes). The cues are ``log1p`` of its L1 norm and the share of its largest entry,
standardized by a non-affine batch norm (running statistics in eval mode, so a node's
context does not depend on which other nodes are in the batch). ``explain/`` freezes them
(:meth:`XNode.freeze_saliency`) so that, like the graph cues, they are fixed inputs that
explainers perturbing features or edges do not change.

The training mask must be known before training: :meth:`XNode.prepare` computes the graph
cues from ``data.train_mask`` (see :func:`core.training.with_split`) and stores them as
``data.xnode_context``.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import torch
from torch import Tensor, nn
from torch_geometric.data import Data
from torch_geometric.nn import MessagePassing

from nodescope.core.context import CUES, GRAPH_CUES, MODEL_CUES, graph_context
from nodescope.core.models import gin, gnn  # noqa: F401  the backbones must be registered first
from nodescope.core.models.base import ModelOutput, NodeModel
from nodescope.core.models.registry import MODELS, ModelConfig, register

BACKBONES: tuple[str, ...] = ("gcn", "gat", "gin")
XNODE_OPTIONS = {
    "inject": True,
    "cues": list(CUES),
    "expl_dim": 16,
    "reasoner_hidden": 32,
    "recon_weight": 1.0,
    "hops": 2,
    "betweenness_samples": 256,
    "zero_init_injection": False,
}
#: Per-backbone overrides of :data:`XNODE_OPTIONS` (see the module docstring). GCN and GAT keep
#: the default initialization, so their shipped weights and results stay as trained.
BACKBONE_OPTIONS: dict[str, dict[str, object]] = {"gin": {"zero_init_injection": True}}


@dataclass
class XNodeOutput(ModelOutput):
    """:class:`ModelOutput` plus what X-Node explains with (all per node, N rows).

    Attributes:
        context: (N, K) standardized cues the Reasoner saw, columns ``model.cue_names``.
        explanation: (N, expl_dim) the Reasoner's explanation vectors.
        reconstruction: (N, D) the Decoder's reconstruction of the hidden embedding
            (``hidden[-2]``, the input of the last layer before injection).
        recon_error: (N,) squared reconstruction error over the mean squared deviation of
            the embeddings (0 perfect, 1 no better than the mean embedding); detached.
        feature_saliency: (N, F) gradient × input of each node's predicted-class score
            seen alone (see the module docstring); None when no saliency cue is read or the
            cues were frozen (:meth:`XNode.freeze_saliency`).
        last_input: (N, D) what the last message-passing layer received (after dropout and,
            with injection on, the injected explanation).
    """

    context: Tensor | None = None
    explanation: Tensor | None = None
    reconstruction: Tensor | None = None
    recon_error: Tensor | None = None
    feature_saliency: Tensor | None = None
    last_input: Tensor | None = None


def _input_width(conv: nn.Module) -> int:
    """Input width of a GCNConv / GATConv (``in_channels``) or a GINConv (its MLP's first layer)."""
    width = getattr(conv, "in_channels", None)
    if isinstance(width, int):
        return width
    return int(conv.nn[0].in_features)


@contextmanager
def _edge_masks_off(module: nn.Module) -> Iterator[None]:
    """Switch PyG's explain masks off for a pass over a different edge set, then back on.

    PyG explainers put an (E,) mask on every message-passing layer; the saliency pass has
    no edges, so the masks must not apply to it.
    """
    masked = [m for m in module.modules() if isinstance(m, MessagePassing) and m.explain]
    for m in masked:
        m.explain = False
    try:
        yield
    finally:
        for m in masked:
            m.explain = True


class XNode(NodeModel):
    """A registry backbone (``config.model`` minus the ``xnode-`` prefix) with Reasoner, Decoder and injection."""

    def __init__(self, config: ModelConfig) -> None:
        super().__init__(config)
        if config.layers < 2:
            raise ValueError("X-Node injects before the last layer: it needs layers >= 2")
        key = config.model.removeprefix("xnode-")
        spec = MODELS[key]
        options = {k: config.options.get(k, v) for k, v in spec.options.items()}
        self.backbone = MODELS[key].cls(
            ModelConfig(
                key,
                config.in_dim,
                config.out_dim,
                config.hidden,
                config.layers,
                config.heads,
                config.dropout,
                options,
            )
        )
        chosen = list(config.option("cues"))
        unknown = set(chosen) - set(CUES)
        if unknown or not chosen:
            raise ValueError(f"X-Node cues must be a non-empty subset of {list(CUES)}; got {chosen}")
        #: the cues the Reasoner sees, in :data:`core.context.CUES` order.
        self.cue_names: tuple[str, ...] = tuple(c for c in CUES if c in chosen)
        self._graph_cols = [GRAPH_CUES.index(c) for c in self.cue_names if c in GRAPH_CUES]
        self._model_cols = [MODEL_CUES.index(c) for c in self.cue_names if c in MODEL_CUES]
        width = _input_width(self.backbone.convs[-1])
        expl, hidden = int(config.option("expl_dim")), int(config.option("reasoner_hidden"))
        self.reasoner = nn.Sequential(
            nn.Linear(len(self.cue_names), hidden), nn.ReLU(), nn.Linear(hidden, expl)
        )
        self.decoder = nn.Linear(expl, width)
        self.injector = nn.Linear(expl, width) if config.option("inject") else None
        if self.injector is not None and config.option("zero_init_injection"):
            # After the default initialization, so the random stream (and the backbone's and
            # Reasoner's initial weights) are the same either way.
            nn.init.zeros_(self.injector.weight)
            nn.init.zeros_(self.injector.bias)
        self.saliency_norm = nn.BatchNorm1d(len(MODEL_CUES), affine=False) if self._model_cols else None
        self.recon_weight = float(config.option("recon_weight"))

    @property
    def injects(self) -> bool:
        """Whether the explanation is fed into message passing."""
        return self.injector is not None

    def prepare(self, data: Data) -> Data:
        """``data`` with ``xnode_context`` (N, 6): the standardized graph cues, training labels only."""
        if data.get("train_mask") is None:
            raise ValueError(
                "X-Node's label cues need data.train_mask (training labels only); "
                "add a split with core.training.with_split"
            )
        context = graph_context(
            data,
            hops=int(self.config.option("hops")),
            betweenness_samples=int(self.config.option("betweenness_samples")),
        )
        out = copy.copy(data)
        out.xnode_context = context.z.to(data.x.device)
        return out

    def saliency(self, data: Data) -> tuple[Tensor, Tensor]:
        """Each node's own-feature saliency, seen alone (see the module docstring); detached.

        Returns:
            (N, 2) raw model cues (log1p of the L1 norm, top-feature share) and the (N, F)
            gradient × input of the predicted-class score.
        """
        alone = Data(
            x=data.x.detach(), edge_index=data.edge_index.new_empty((2, 0)), num_nodes=data.num_nodes
        )
        was_training = self.backbone.training
        self.backbone.eval()
        try:
            with torch.enable_grad(), _edge_masks_off(self.backbone):
                x = alone.x.requires_grad_()
                score = self.backbone(alone).logits.max(1).values.sum()
                (grad,) = torch.autograd.grad(score, x)
        finally:
            self.backbone.train(was_training)
        gx = grad * alone.x.detach()
        l1 = gx.abs().sum(1)
        share = gx.abs().max(1).values / l1.clamp_min(1e-12)
        return torch.stack([torch.log1p(l1), share], 1), gx

    def freeze_saliency(self, data: Data) -> tuple[Data, Tensor]:
        """A copy of ``data`` with the current weights' saliency cues frozen, and the gradient × input.

        The copy's ``xnode_saliency`` holds the (N, 2) raw saliency cues of the current weights;
        the second value is the (N, F) gradient × input of the same pass (see :meth:`saliency`).

        Forward passes in eval mode then read them instead of recomputing them, so explainers
        that perturb features see the cues fixed, like the graph cues, and subgraphs batched
        for explaining skip the recomputation. Training always recomputes them. Freeze again
        after the weights change.
        """
        cues, gx = self.saliency(data)
        out = copy.copy(data)
        out.xnode_saliency = cues
        return out, gx

    def context(self, data: Data) -> tuple[Tensor, Tensor | None]:
        """(N, K) standardized cues (columns :attr:`cue_names`) and the (N, F) saliency.

        The saliency is None when no saliency cue is read or frozen ones are used (see
        :meth:`freeze_saliency`).
        """
        if data.get("xnode_context") is None:
            raise ValueError("X-Node needs data.xnode_context: call model.prepare(data) first")
        parts, gx = [data.xnode_context[:, self._graph_cols]], None
        if self.saliency_norm is not None:
            cues = None if self.training else data.get("xnode_saliency")
            if cues is None:
                cues, gx = self.saliency(data)
            parts.append(self.saliency_norm(cues)[:, self._model_cols])
        return torch.cat(parts, 1), gx

    def injection(self, context: Tensor) -> tuple[Tensor, Tensor | None]:
        """The explanation vectors (N, expl_dim) of ``context`` and what is added before the last layer (or None)."""
        explanation = self.reasoner(context)
        return explanation, (self.injector(explanation) if self.injector is not None else None)

    def last_layer(self, h: Tensor, edge_index: Tensor) -> Tensor:
        """The backbone's last message-passing layer: (N, D) inputs → (N, C) logits."""
        return self.backbone.apply_conv(-1, h, edge_index)

    def forward(self, data: Data, *, attention: bool = False) -> XNodeOutput:
        """The backbone's forward pass with the explanation injected before its last layer.

        Args:
            data: as :meth:`NodeModel.forward`.
            attention: passed to the backbone.

        Returns:
            The backbone's output plus the context, explanation, reconstruction and its per-node
            error, the saliency and the last layer's input (see :class:`XNodeOutput`); ``aux_loss``
            is the weighted mean reconstruction error.
        """
        context, gx = self.context(data)
        explanation, added = self.injection(context)
        captured: dict[str, Tensor] = {}

        def inject(_module: nn.Module, args: tuple) -> tuple:
            h = args[0] if added is None else args[0] + added
            captured["last_input"] = h
            return (h, *args[1:])

        handle = self.backbone.convs[-1].register_forward_pre_hook(inject)
        try:
            out = self.backbone(data, attention=attention)
        finally:
            handle.remove()
        # The target is detached: the explanation follows the model, the model is not bent
        # towards what the context can explain.
        target = out.hidden[-2].detach()
        reconstruction = self.decoder(explanation)
        spread = (target - target.mean(0)).pow(2).sum(1).mean().clamp_min(1e-12)
        recon_error = (reconstruction - target).pow(2).sum(1) / spread
        return XNodeOutput(
            logits=out.logits,
            hidden=out.hidden,
            attention=out.attention,
            aux_loss=self.recon_weight * recon_error.mean(),
            context=context,
            explanation=explanation,
            reconstruction=reconstruction,
            recon_error=recon_error.detach(),
            feature_saliency=gx,
            last_input=captured["last_input"],
        )


for _key in BACKBONES:
    _spec = MODELS[_key]
    register(
        f"xnode-{_key}",
        title=f"X-Node ({_spec.title})",
        attention=_spec.attention,
        reference=f"Sengupta & Rekik, 2025 (X-Node); backbone {_spec.reference}",
        defaults=dict(_spec.defaults),
        options={**_spec.options, **XNODE_OPTIONS, **BACKBONE_OPTIONS.get(_key, {})},
        training=dict(_spec.training),
    )(XNode)
