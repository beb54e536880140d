"""X-Node: a backbone GNN whose nodes explain themselves (Sengupta & Rekik, 2025).

Every node gets a context vector of readable cues (:mod:`core.context`: degree,
clustering, PageRank, betweenness, label agreement from training labels, and, computed here,
two feature-saliency cues and two per-class "vote" families: which class its own features
point to and which class its neighbors' features point to). A **Reasoner** (small MLP) maps
the context to an explanation vector e; a **Decoder** (linear) reconstructs the node's hidden
embedding from e, and the reconstruction error is the auxiliary (faithfulness) loss the
training loop adds to the cross-entropy. With ``inject`` on, e is fed back into message passing: a linear map
of e is added to each node's hidden state before the last layer (the same as concatenating
e to the hidden state and letting the layer's own linear map mix it in), so neighbors
also receive each node's explanation. With ``inject`` off the prediction is the backbone's
and the explanation only has to reconstruct the embedding: the switch lets users compare.

Registered as ``xnode-gcn``, ``xnode-gat`` and ``xnode-gin``, with the backbone's defaults and
training settings. Options (beyond the backbone's):

- ``inject`` (bool, True): feed the explanation into message passing.
- ``cues`` (list of names, all of :data:`core.context.CUES`): the cues the Reasoner sees; a
  per-class family (:data:`core.context.CLASS_CUES`) adds one cue per class. Checkpoints
  trained before the vote cues existed list the eight scalar cues and load unchanged.
- ``expl_dim`` (16): width of the explanation vector; ``reasoner_hidden`` (32): the Reasoner's hidden width.
- ``recon_weight`` (1.0): weight of the reconstruction loss.
- ``zero_init_injection`` (False; True for ``xnode-gin``): start the injector at zero, so that
  the model starts as its backbone and the explanation enters the prediction only as far as
  training makes it useful. GIN needs it: on Planetoid its validation accuracy peaks within
  ~10 epochs, before the Reasoner has learned anything, and a randomly initialized injection
  of an untrained explanation is noise added to every node (summed over neighbors by GIN's
  aggregation) in the weights that early stopping keeps.
- ``hops`` (2): radius of the label-agreement cue; ``betweenness_samples`` (256).
- ``input_encoding`` / ``input_encoding_dim``: passed to the backbone (GCN, GAT), which
  concatenates the structural encoding to the features. On BA-Shapes' constant features a GAT
  gives every node the same embedding before its last layer without it (attention averages
  identical messages), and there is nothing for the explanation to reconstruct.
- ``explanation_epochs`` (500) and ``explanation_keep`` (10.0): the explanation fit after
  training (:meth:`XNode.after_training`); 0 epochs skips it.

**Explanation fit.** The model is trained in two steps (:func:`core.training.train` calls
:meth:`XNode.before_training` and :meth:`XNode.after_training`). First the usual training, with
the vote cues muted (read as the graph average): injected while the model is fitted, they cost
up to 7 points of test accuracy on Cora, because on the training nodes, whose labels the
backbone has learned, the own-feature vote is nearly always right, and the model learns to
trust it more than it deserves on the other nodes. Early stopping then keeps the weights of an
early epoch (about the 30th on Cora), when the Reasoner and Decoder have barely started: the
explanation reproduced no more of the embedding than the mean embedding does (median
reconstruction error ≈ 1 on Cora's test nodes). So, second, with the backbone frozen (the cues,
the embeddings and the last layer's other inputs stay fixed) and the votes live, the Reasoner
and the Decoder alone are trained for ``explanation_epochs`` full-batch Adam steps (lr 0.01, no
weight decay, no labels) on the reconstruction loss plus ``explanation_keep`` times the KL
divergence of every node's predicted probabilities from those of the kept weights, so the
explanation, which is injected, keeps the predictions (≈ 99 % of Cora's nodes keep their class).
Where fewer than :data:`KEEP_AGREEMENT` of the nodes keep their class the fit is undone (a
BA-Shapes GCN whose embeddings had nearly collapsed fell from 99 % to 22 % with it), and where
the embeddings do not vary over nodes (:data:`FLAT_EMBEDDINGS`) it is skipped.

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

The vote cues come from the same pass: ``own-feature vote: c`` is the probability of class c
the backbone gives the node seen alone, ``neighbor vote: c`` the mean of that probability over
the node's direct neighbors (0 for a node without neighbors), standardized by their own
non-affine batch norm. They are what lets the explanation account for the embedding: on Cora
the embedding mostly says which class the node's and its neighbors' words point to, which no
structural cue can say. They are computed from features and edges only, never from the
node's embedding or from a label.

**Reconstruction error.** Per node, ``||z - ẑ||² / ||z - z̄||²``: the squared error of the
Decoder's reconstruction ẑ of the node's embedding z over the node's squared distance from the
mean embedding z̄ of the graph's nodes. It is the share of what sets this node's embedding
apart from an average node that the explanation does not reproduce: 0 is perfect, and
predicting the mean embedding scores exactly 1 at every node, so "below 0.5" means the
explanation accounts for more than half of it. The training loss is the same ratio over all
nodes together (squared errors summed over the nodes over squared distances summed), so nodes
that sit almost at the mean do not dominate it.

The training mask must be known before training: :meth:`XNode.prepare` computes the graph
cues from ``data.train_mask`` (see :func:`core.training.with_split`) and stores them as
``data.xnode_context``.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch_geometric.data import Data
from torch_geometric.nn import MessagePassing

from nodescope.core.context import CLASS_CUES, CUES, GRAPH_CUES, MODEL_CUES, cue_names, graph_context
from nodescope.core.models import gin, gnn  # noqa: F401  the backbones must be registered first
from nodescope.core.models.base import ModelOutput, NodeModel
from nodescope.core.models.registry import MODELS, ModelConfig, register

BACKBONES: tuple[str, ...] = ("gcn", "gat", "gin")
#: Below this share of the embeddings' mean squared norm, their spread over nodes is no spread.
FLAT_EMBEDDINGS = 1e-6
#: The explanation fit is undone when fewer nodes than this share keep their predicted class.
KEEP_AGREEMENT = 0.97
#: Options passed to the backbone (see :class:`core.models.NodeModel`), not read by X-Node itself.
ENCODING_OPTIONS: tuple[str, ...] = ("input_encoding", "input_encoding_dim")
XNODE_OPTIONS = {
    "inject": True,
    "cues": list(CUES),
    "expl_dim": 16,
    "reasoner_hidden": 32,
    "recon_weight": 1.0,
    "hops": 2,
    "betweenness_samples": 256,
    "zero_init_injection": False,
    "explanation_epochs": 500,
    "explanation_keep": 10.0,
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
        recon_error: (N,) per node, the squared reconstruction error over the node's squared
            distance from the mean embedding (0 perfect, 1 no better than the mean embedding;
            see the module docstring); detached.
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
        # The input encoding belongs to the backbone (its own hook and prepare), so the saliency
        # pass, which runs the backbone alone, sees it too.
        own = {k: v for k, v in config.options.items() if k not in ENCODING_OPTIONS}
        super().__init__(dataclasses.replace(config, options=own))
        self.config = config
        if config.layers < 2:
            raise ValueError("X-Node injects before the last layer: it needs layers >= 2")
        key = config.model.removeprefix("xnode-")
        spec = MODELS[key]
        options = {k: config.options.get(k, v) for k, v in spec.options.items()}
        options |= {k: config.options[k] for k in ENCODING_OPTIONS if k in config.options}
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
        #: the cues the Reasoner sees, in :data:`core.context.CUES` order, per-class families
        #: expanded (``"neighbor vote: 0"``, ...; :func:`core.context.cue_names`).
        self.cue_names: tuple[str, ...] = cue_names(chosen, config.out_dim)
        self._graph_cols = [GRAPH_CUES.index(c) for c in self.cue_names if c in GRAPH_CUES]
        self._model_cols = [MODEL_CUES.index(c) for c in self.cue_names if c in MODEL_CUES]
        c = config.out_dim
        #: columns of the per-class cues read, in the raw model cues of :meth:`saliency`.
        self.vote_columns = [
            len(MODEL_CUES) + CLASS_CUES.index(f) * c + k for f in CLASS_CUES if f in chosen for k in range(c)
        ]
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
        self.vote_norm = nn.BatchNorm1d(len(self.vote_columns), affine=False) if self.vote_columns else None
        #: True between :meth:`before_training` and :meth:`after_training`: the vote cues read as
        #: the graph average (standardized 0), so they cannot enter the prediction while it is fitted.
        self.votes_muted = False
        self.recon_weight = float(config.option("recon_weight"))

    @property
    def injects(self) -> bool:
        """Whether the explanation is fed into message passing."""
        return self.injector is not None

    def prepare(self, data: Data) -> Data:
        """``data`` with what the backbone needs and ``xnode_context`` (N, 6): the graph cues, training labels only."""
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
        out = copy.copy(self.backbone.prepare(data))
        out.xnode_context = context.z.to(data.x.device)
        return out

    @property
    def reads_alone(self) -> bool:
        """Whether the context needs the pass with every node seen alone (saliency or vote cues)."""
        return bool(self._model_cols or self.vote_columns)

    def saliency(self, data: Data) -> tuple[Tensor, Tensor]:
        """Each node's own-feature saliency and class votes, seen alone (see the module docstring); detached.

        Returns:
            (N, 2 + 2C) raw model cues: log1p of the saliency's L1 norm, the top-feature share,
            the C own-feature votes and the C neighbor votes (probabilities); and the (N, F)
            gradient × input of the predicted-class score.
        """
        alone = Data(
            x=data.x.detach(), edge_index=data.edge_index.new_empty((2, 0)), num_nodes=data.num_nodes
        )
        if data.get("input_encoding") is not None:  # a node's structural encoding is its own input
            alone.input_encoding = data.input_encoding
        was_training = self.backbone.training
        self.backbone.eval()
        try:
            with torch.enable_grad(), _edge_masks_off(self.backbone):
                x = alone.x.requires_grad_()
                logits = self.backbone(alone).logits
                (grad,) = torch.autograd.grad(logits.max(1).values.sum(), x)
        finally:
            self.backbone.train(was_training)
        gx = grad * alone.x.detach()
        l1 = gx.abs().sum(1)
        share = gx.abs().max(1).values / l1.clamp_min(1e-12)
        own = logits.detach().softmax(-1)
        src, dst = data.edge_index
        keep = src != dst
        src, dst = src[keep], dst[keep]
        total = torch.zeros_like(own).index_add_(0, dst, own[src])
        count = torch.zeros(own.shape[0], device=own.device).index_add_(
            0, dst, torch.ones_like(dst, dtype=own.dtype)
        )
        neighbors = total / count.clamp_min(1)[:, None]
        return torch.cat([torch.log1p(l1)[:, None], share[:, None], own, neighbors], 1), gx

    def freeze_saliency(self, data: Data) -> tuple[Data, Tensor]:
        """A copy of ``data`` with the current weights' saliency cues frozen, and the gradient × input.

        The copy's ``xnode_saliency`` holds the (N, 2 + 2C) raw model cues of the current weights;
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
        if self.reads_alone:
            cues = None if self.training else data.get("xnode_saliency")
            if cues is None:
                cues, gx = self.saliency(data)
            if self.saliency_norm is not None:
                parts.append(self.saliency_norm(cues[:, : len(MODEL_CUES)])[:, self._model_cols])
            if self.vote_norm is not None:
                votes = self.vote_norm(cues[:, self.vote_columns])  # running statistics update either way
                parts.append(torch.zeros_like(votes) if self.votes_muted else votes)
        return torch.cat(parts, 1), gx

    def injection(self, context: Tensor) -> tuple[Tensor, Tensor | None]:
        """The explanation vectors (N, expl_dim) of ``context`` and what is added before the last layer (or None)."""
        explanation = self.reasoner(context)
        return explanation, (self.injector(explanation) if self.injector is not None else None)

    def before_training(self, data: Data) -> None:
        """Mute the vote cues while the model is fitted (see "Explanation fit" above)."""
        self.votes_muted = bool(self.vote_columns)

    def after_training(self, data: Data) -> None:
        """Fit the Reasoner and Decoder to the trained backbone (see "Explanation fit" above).

        Called by :func:`core.training.train` on the kept weights; leaves the model in eval mode.

        Args:
            data: the prepared training graph (:meth:`prepare`), on the model's device.
        """
        epochs = int(self.config.option("explanation_epochs"))
        self.votes_muted = False
        self.eval()
        if epochs <= 0:
            return
        with torch.no_grad():
            out = self(data)
            context, target = out.context, out.hidden[-2]
            _, added = self.injection(context)
            base = out.last_input - (added if added is not None else 0.0)
            kept = out.logits.log_softmax(-1)
            spread = (target - target.mean(0)).pow(2).sum(1).mean()
        if float(spread) <= FLAT_EMBEDDINGS * float(target.pow(2).sum(1).mean()) or float(spread) == 0:
            return  # every node has (nearly) the same embedding: there is nothing to reconstruct
        before = copy.deepcopy((self.reasoner.state_dict(), self.decoder.state_dict()))
        keep = float(self.config.option("explanation_keep"))
        opt = torch.optim.Adam([*self.reasoner.parameters(), *self.decoder.parameters()], lr=0.01)
        with torch.enable_grad():
            for _ in range(epochs):
                opt.zero_grad()
                explanation = self.reasoner(context)
                loss = (self.decoder(explanation) - target).pow(2).sum(1).mean() / spread
                if self.injector is not None and keep > 0:
                    logits = self.last_layer(base + self.injector(explanation), data.edge_index)
                    loss = loss + keep * F.kl_div(
                        logits.log_softmax(-1), kept, log_target=True, reduction="batchmean"
                    )
                loss.backward()
                opt.step()
        self.zero_grad(set_to_none=True)
        with torch.no_grad():
            agree = (self(data).logits.argmax(-1) == kept.argmax(-1)).float().mean()
        if float(agree) < KEEP_AGREEMENT:  # the fit moved the predictions: keep the trained model
            self.reasoner.load_state_dict(before[0])
            self.decoder.load_state_dict(before[1])

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
        squared = (reconstruction - target).pow(2).sum(1)
        distance = (target - target.mean(0)).pow(2).sum(1)
        spread = distance.mean().clamp_min(1e-12)
        recon_error = squared / distance.clamp_min(1e-6 * float(spread))
        return XNodeOutput(
            logits=out.logits,
            hidden=out.hidden,
            attention=out.attention,
            aux_loss=self.recon_weight * squared.mean() / spread,
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
