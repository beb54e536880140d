"""Deep GNNs and the remedies for over-smoothing, at any depth from 1 to 64.

``ModelConfig.layers`` is the depth everywhere: message-passing layers for GraphSAGE and
the GCN remedies (residual, JumpingKnowledge, PairNorm, DropEdge) and GCNII; propagation
steps K for the decoupled models (APPNP, DAGNN, DGMLP). ``ModelOutput.hidden`` holds
``layers + 1`` entries: ``hidden[0]`` the input to the first layer (the node features, or
their encoding for models that encode first) and ``hidden[k]`` the representation after
layer (or propagation step) k.

Registry keys (``gcn`` and ``gat`` from ``gnn.py`` also run at any depth):

- ``sage``: GraphSAGE, mean aggregation
- ``gcn-plain``: GCN without remedy, the baseline of the ``gcn-*`` keys (same width and code path)
- ``gcn-res``: GCN in PyG ``DeepGCNLayer`` res+ blocks (pre-activation residual)
- ``gcn-jk``: GCN with JumpingKnowledge (``jk`` option: ``cat`` or ``max``)
- ``gcn-pairnorm``: GCN with PairNorm after every hidden layer
- ``gcn-dropedge``: GCN with DropEdge (``dropedge``: share of undirected edges dropped per pass)
- ``gcnii``: GCNII (PyG ``GCN2Conv``): initial residual and identity mapping
- ``appnp``: APPNP: MLP, then K personalised-PageRank steps
- ``dagnn``: DAGNN: MLP, then K steps combined by adaptive retainment scores
- ``dgmlp``: DGMLP-style: propagation depth (``layers``) split from transformation depth

The remedies of ``sage`` and the ``gcn-*`` keys are options of one class
(:class:`DeepMPNN`: ``conv`` gcn/sage/gat, ``residual``, ``jk``, ``pairnorm``, ``dropedge``),
so they combine: ``options={"conv": "sage", "dropedge": 0.2}`` on ``gcn-res``.

GCNII, APPNP, DAGNN and DGMLP row-normalize the node features in ``prepare`` (option
``normalize_features``, on by default) as their papers do on Planetoid; call
``model(model.prepare(data))`` as :func:`core.training.train` does.

Propagation goes through one sparse matrix per graph (:func:`core.models.adjacency.gcn_adjacency`,
cached across forward passes), so a 64-layer model on a 100k-node graph does 64 sparse
matrix products instead of 64 edge-wise scatters, and training reuses Â and its transpose
at every epoch. Dropout is :func:`core.models.dropout.dropout` (same distribution as
``F.dropout``, a third of its CPU cost).
"""

from __future__ import annotations

import warnings

import numpy as np
import torch
import torch.nn.functional as F
from scipy.sparse.csgraph import connected_components
from torch import Tensor, nn
from torch_geometric.data import Data
from torch_geometric.nn import (
    DeepGCNLayer,
    GATConv,
    GCN2Conv,
    GCNConv,
    JumpingKnowledge,
    PairNorm,
    SAGEConv,
)
from torch_geometric.transforms import NormalizeFeatures
from torch_geometric.utils import dropout_edge, to_scipy_sparse_matrix

from nodescope.core.models.adjacency import gcn_adjacency, incoming_adjacency, propagate
from nodescope.core.models.base import ModelOutput, NodeModel
from nodescope.core.models.dropout import dropout
from nodescope.core.models.registry import ModelConfig, register

MAX_DEPTH = 64

# torch warns once per process that CSR tensors are "beta" and unchecked; they are what PyG's
# own spmm path uses, and the warnings would land in every CLI run's output.
warnings.filterwarnings("ignore", message="Sparse CSR tensor support is in beta state")
warnings.filterwarnings("ignore", message="Sparse invariant checks are implicitly disabled")


class _GCNConv(GCNConv):
    """``GCNConv`` whose product with a sparse Â goes through :func:`propagate` (same parameters and maths)."""

    def message_and_aggregate(self, adj_t: Tensor, x: Tensor) -> Tensor:
        return propagate(adj_t, x)


class _ResPlusBlock(DeepGCNLayer):
    """PyG's ``DeepGCNLayer`` res+ block (norm, act, dropout, conv, skip) with :func:`dropout`; same parameters."""

    def forward(self, x: Tensor, graph: Tensor) -> Tensor:
        return x + self.conv(dropout(self.act(self.norm(x)), self.dropout, self.training), graph)


class _GCN2Conv(GCN2Conv):
    """``GCN2Conv`` whose product with a sparse Â goes through :func:`propagate` (same parameters and maths)."""

    def message_and_aggregate(self, adj_t: Tensor, x: Tensor) -> Tensor:
        return propagate(adj_t, x)


def _prepare_features(config: ModelConfig, data: Data) -> Data:
    """``data`` with rows of ``x`` non-negative and summing to 1 when the option is on.

    This is PyG's ``NormalizeFeatures``, the Planetoid preprocessing of the GCNII, APPNP, DAGNN and
    DGMLP papers, applied when the model's ``normalize_features`` option is on; ``data`` itself is
    not modified.
    """
    return NormalizeFeatures()(data) if bool(config.option("normalize_features")) else data


def _check_depth(config: ModelConfig) -> None:
    if not 1 <= config.layers <= MAX_DEPTH:
        raise ValueError(f"{config.model}: layers must be between 1 and {MAX_DEPTH}, not {config.layers}")


_MPNN_OPTIONS = {"conv": "gcn", "residual": False, "jk": "none", "pairnorm": False, "dropedge": 0.0}
_DEEP_DEFAULTS = {"hidden": 64, "layers": 8, "heads": 1, "dropout": 0.5}


class DeepMPNN(NodeModel):
    """A stack of ``layers`` GCN, GraphSAGE or GAT layers with optional remedies.

    Options:
        conv: ``gcn`` | ``sage`` (mean aggregation) | ``gat`` (``heads`` heads, averaged).
        residual: PyG ``DeepGCNLayer`` res+ blocks (per-node LayerNorm, ReLU, dropout, conv,
            skip) as in PyG's DeeperGCN example; a linear encoder maps features to ``hidden``
            first and a linear head gives logits.
        jk: ``none`` | ``cat`` | ``max``: JumpingKnowledge over all layer outputs, then a linear head.
        pairnorm: PyG ``PairNorm`` after every hidden layer (before the activation; after
            each block with ``residual``).
        dropedge: share of undirected edges dropped at random in each training pass (0: off).

    Without ``residual`` or ``jk`` the last layer outputs the class scores, as in ``gcn``.
    """

    def __init__(self, config: ModelConfig) -> None:
        super().__init__(config)
        _check_depth(config)
        self.kind = str(config.option("conv"))
        if self.kind not in ("gcn", "sage", "gat"):
            raise ValueError(f"conv must be gcn, sage or gat, not {self.kind!r}")
        self.residual = bool(config.option("residual"))
        self.jk_mode = str(config.option("jk"))
        if self.jk_mode not in ("none", "cat", "max"):
            raise ValueError(f"jk must be none, cat or max, not {self.jk_mode!r}")
        self.dropedge = float(config.option("dropedge"))
        h, n = config.hidden, config.layers
        head = self.residual or self.jk_mode != "none"
        if self.residual:
            self.encoder = nn.Linear(config.in_dim, h)
            self.blocks = nn.ModuleList(
                _ResPlusBlock(
                    self._conv(h, h), nn.LayerNorm(h), nn.ReLU(), block="res+", dropout=config.dropout
                )
                for _ in range(n)
            )
            self.out_norm = nn.LayerNorm(h)
        else:
            dims = [config.in_dim] + [h] * (n if head else n - 1) + ([] if head else [config.out_dim])
            self.convs = nn.ModuleList(self._conv(a, b) for a, b in zip(dims[:-1], dims[1:], strict=True))
        self.pairnorm = PairNorm() if bool(config.option("pairnorm")) else None
        self.jk = JumpingKnowledge(self.jk_mode) if self.jk_mode != "none" else None
        self.head = nn.Linear(h * n if self.jk_mode == "cat" else h, config.out_dim) if head else None

    def _conv(self, a: int, b: int) -> nn.Module:
        if self.kind == "gcn":
            return _GCNConv(a, b, normalize=False)  # gets the normalized Â
        if self.kind == "sage":
            return SAGEConv(a, b, aggr="mean")
        return GATConv(a, b, heads=self.config.heads, concat=False)

    def _graph(self, data: Data) -> Tensor:
        """What the convs take: Â for GCN, the plain adjacency for SAGE, edges for GAT (after DropEdge)."""
        edge_index, n = data.edge_index, data.num_nodes
        if self.dropedge > 0:
            edge_index = dropout_edge(
                edge_index, self.dropedge, force_undirected=True, training=self.training
            )[0]
        if self.kind == "gcn":
            return gcn_adjacency(edge_index, n)
        if self.kind == "sage":
            return incoming_adjacency(edge_index, n)
        return edge_index

    def forward(self, data: Data, *, attention: bool = False) -> ModelOutput:
        """One forward pass (see :meth:`NodeModel.forward`); ``attention`` is ignored.

        ``hidden`` holds the input (the encoder's output with ``residual``) and every layer's output.
        """
        graph = self._graph(data)
        p, train = self.config.dropout, self.training
        if self.residual:
            x = self.encoder(dropout(data.x, p, train))
            hidden = [x]
            for block in self.blocks:
                x = block(x, graph)
                if self.pairnorm is not None:
                    x = self.pairnorm(x)
                hidden.append(x)
            x = dropout(F.relu(self.out_norm(x)), p, train)
            return ModelOutput(logits=self.head(x), hidden=hidden)
        x, hidden = data.x, [data.x]
        for i, conv in enumerate(self.convs):
            x = conv(dropout(x, p, train), graph)
            if self.jk is not None or i < len(self.convs) - 1:
                if self.pairnorm is not None:
                    x = self.pairnorm(x)
                x = F.relu(x)
            hidden.append(x)
        if self.jk is not None:
            x = self.head(dropout(self.jk(hidden[1:]), p, train))
        return ModelOutput(logits=x, hidden=hidden)


def _register_mpnn(key: str, title: str, reference: str, **options: object) -> None:
    register(
        key,
        title=title,
        attention="none",
        reference=reference,
        defaults=_DEEP_DEFAULTS,
        options={**_MPNN_OPTIONS, **options},
    )(DeepMPNN)


_register_mpnn("sage", "GraphSAGE", "Hamilton, Ying & Leskovec, NeurIPS 2017", conv="sage")
_register_mpnn("gcn-plain", "GCN, width 64, no remedy (the remedies' baseline)", "Kipf & Welling, ICLR 2017")
_register_mpnn("gcn-res", "GCN + residual (res+)", "Li et al., DeeperGCN, 2020", residual=True)
_register_mpnn("gcn-jk", "GCN + JumpingKnowledge", "Xu et al., ICML 2018", jk="cat")
_register_mpnn("gcn-pairnorm", "GCN + PairNorm", "Zhao & Akoglu, ICLR 2020", pairnorm=True)
_register_mpnn("gcn-dropedge", "GCN + DropEdge", "Rong et al., ICLR 2020", dropedge=0.3)


@register(
    "gcnii",
    title="GCNII",
    attention="none",
    reference="Chen et al., ICML 2020",
    defaults={"hidden": 64, "layers": 64, "heads": 1, "dropout": 0.6},
    options={"alpha": 0.1, "theta": 0.5, "normalize_features": True},
    training={"lr": 0.01, "weight_decay": 5e-4},
)
class GCNII(NodeModel):
    """GCNII: linear encoder, ``layers`` ``GCN2Conv`` layers, linear head.

    Each layer has initial residual ``alpha`` and identity mapping with strength
    log(``theta``/k + 1) at layer k.
    """

    def __init__(self, config: ModelConfig) -> None:
        super().__init__(config)
        _check_depth(config)
        h = config.hidden
        self.encoder = nn.Linear(config.in_dim, h)
        alpha, theta = float(config.option("alpha")), float(config.option("theta"))
        self.convs = nn.ModuleList(
            _GCN2Conv(h, alpha, theta, layer=k + 1, normalize=False) for k in range(config.layers)
        )
        self.head = nn.Linear(h, config.out_dim)

    def prepare(self, data: Data) -> Data:
        """``data`` with rows of ``x`` summing to 1 when ``normalize_features`` is on (a copy)."""
        return _prepare_features(self.config, data)

    def forward(self, data: Data, *, attention: bool = False) -> ModelOutput:
        """One forward pass (see :meth:`NodeModel.forward`); ``attention`` is ignored.

        ``hidden`` holds the encoder's output x0 and every GCNII layer's output.
        """
        adj = gcn_adjacency(data.edge_index, data.num_nodes)
        p, train = self.config.dropout, self.training
        x = x0 = F.relu(self.encoder(dropout(data.x, p, train)))
        hidden = [x0]
        for conv in self.convs:
            x = F.relu(conv(dropout(x, p, train), x0, adj))
            hidden.append(x)
        return ModelOutput(logits=self.head(dropout(x, p, train)), hidden=hidden)


class _Decoupled(NodeModel):
    """Transformation first (two-layer MLP to class scores), then parameter-free propagation.

    Args:
        config: as :class:`NodeModel`; ``layers`` is the number K of propagation steps.
    """

    def __init__(self, config: ModelConfig) -> None:
        super().__init__(config)
        _check_depth(config)
        self.lin1 = nn.Linear(config.in_dim, config.hidden)
        self.lin2 = nn.Linear(config.hidden, config.out_dim)

    def prepare(self, data: Data) -> Data:
        """``data`` with rows of ``x`` summing to 1 when ``normalize_features`` is on (a copy)."""
        return _prepare_features(self.config, data)

    def transform(self, x: Tensor) -> Tensor:
        """Z = MLP(X): (N, F) features to (N, C) class scores, with dropout in training."""
        p, train = self.config.dropout, self.training
        return self.lin2(dropout(F.relu(self.lin1(dropout(x, p, train))), p, train))


@register(
    "appnp",
    title="APPNP",
    attention="none",
    reference="Gasteiger, Bojchevski & Günnemann, ICLR 2019",
    defaults={"hidden": 64, "layers": 10, "heads": 1, "dropout": 0.5},
    options={"alpha": 0.1, "normalize_features": True},
    training={"lr": 0.01, "weight_decay": 5e-3},
)
class APPNP(_Decoupled):
    """APPNP: Z = MLP(X), then K = ``layers`` steps h <- (1 - alpha) Â h + alpha Z.

    The two-line step of PyG's ``APPNP`` is written out so that every step lands in
    ``hidden`` (PyG's module returns only the last).
    """

    def forward(self, data: Data, *, attention: bool = False) -> ModelOutput:
        """One forward pass (see :meth:`NodeModel.forward`); ``attention`` is ignored.

        ``hidden`` holds Z and the K propagation steps, (N, C) each; the last is the logits.
        """
        adj = gcn_adjacency(data.edge_index, data.num_nodes)
        alpha = float(self.config.option("alpha"))
        h = z = self.transform(data.x)
        hidden = [z]
        for _ in range(self.config.layers):
            h = (1 - alpha) * propagate(adj, h) + alpha * z
            hidden.append(h)
        return ModelOutput(logits=h, hidden=hidden)


@register(
    "dagnn",
    title="DAGNN",
    attention="none",
    reference="Liu, Gao & Ji, KDD 2020",
    defaults={"hidden": 64, "layers": 10, "heads": 1, "dropout": 0.8},
    options={"normalize_features": True},
    training={"lr": 0.01, "weight_decay": 5e-3},
)
class DAGNN(_Decoupled):
    """DAGNN: Z = MLP(X), H_k = Â^k Z for k = 0..K, logits = sum_k s_k H_k.

    s_k = sigmoid(H_k w + b) in (0, 1) is a retainment score per node and step.
    """

    def __init__(self, config: ModelConfig) -> None:
        super().__init__(config)
        self.retain = nn.Linear(config.out_dim, 1)

    def propagate(self, data: Data) -> tuple[list[Tensor], Tensor]:
        """(hidden: K + 1 tensors (N, C), scores: (N, K + 1) retainment scores in (0, 1))."""
        adj = gcn_adjacency(data.edge_index, data.num_nodes)
        h = self.transform(data.x)
        hidden = [h]
        for _ in range(self.config.layers):
            h = propagate(adj, h)
            hidden.append(h)
        scores = torch.sigmoid(self.retain(torch.stack(hidden, 1))).squeeze(-1)
        return hidden, scores

    def retainment(self, data: Data) -> Tensor:
        """(N, K + 1) retainment scores of each node for each propagation step (as in the current mode)."""
        return self.propagate(data)[1]

    def forward(self, data: Data, *, attention: bool = False) -> ModelOutput:
        """One forward pass (see :meth:`NodeModel.forward`); ``attention`` is ignored.

        ``hidden`` holds H_0 = Z .. H_K, (N, C) each.
        """
        hidden, scores = self.propagate(data)
        logits = (scores.unsqueeze(-1) * torch.stack(hidden, 1)).sum(1)
        return ModelOutput(logits=logits, hidden=hidden)


@register(
    "dgmlp",
    title="DGMLP",
    attention="none",
    reference="Zhang et al., KDD 2022 (Model Degradation Hinders Deep GNNs)",
    defaults={"hidden": 64, "layers": 10, "heads": 1, "dropout": 0.5},
    options={"mlp_layers": 3, "normalize_features": True},
    training={"lr": 0.01, "weight_decay": 5e-4},
)
class DGMLP(NodeModel):
    """DGMLP-style split of propagation depth D_p (``layers``) from transformation depth D_t.

    A linear encoder maps features to ``hidden`` width; D_p parameter-free steps Â h
    follow; each node combines its steps with weights softmax_k(d_k / d_0), where d_k is
    the distance of step k from the stationary state Â^∞ h (node-adaptive combination after
    NAFS/DGMLP: nodes close to over-smoothed lean on early steps); an MLP of
    ``mlp_layers`` linear layers (D_t, residual connections between hidden ones) gives
    the logits. Unlike DGMLP, which propagates raw features, the encoder comes first so
    that the D_p + 1 stored steps stay ``hidden`` wide.
    """

    def __init__(self, config: ModelConfig) -> None:
        super().__init__(config)
        _check_depth(config)
        h, depth = config.hidden, int(config.option("mlp_layers"))
        if depth < 1:
            raise ValueError(f"mlp_layers must be at least 1, not {depth}")
        self.encoder = nn.Linear(config.in_dim, h)
        self.mlp = nn.ModuleList(nn.Linear(h, h) for _ in range(depth - 1))
        self.head = nn.Linear(h, config.out_dim)

    def prepare(self, data: Data) -> Data:
        """``data`` with rows of ``x`` summing to 1 when ``normalize_features`` is on (a copy)."""
        return _prepare_features(self.config, data)

    def forward(self, data: Data, *, attention: bool = False) -> ModelOutput:
        """One forward pass (see :meth:`NodeModel.forward`); ``attention`` is ignored.

        ``hidden`` holds the encoder's output and the D_p propagation steps, (N, ``hidden``) each.
        """
        p, train, n = self.config.dropout, self.training, data.num_nodes
        adj = gcn_adjacency(data.edge_index, n)
        h = self.encoder(dropout(data.x, p, train))
        hidden = [h]
        for _ in range(self.config.layers):
            h = propagate(adj, h)
            hidden.append(h)
        steps = torch.stack(hidden, 1)  # (N, K + 1, hidden)
        stationary = _stationary_state(hidden[0], data.edge_index, n)
        dist = (steps - stationary[:, None]).norm(dim=-1)
        weights = torch.softmax(dist / dist[:, :1].clamp_min(1e-12), dim=1)
        x = (weights.unsqueeze(-1) * steps).sum(1)
        for lin in self.mlp:
            x = x + F.relu(lin(dropout(x, p, train)))
        return ModelOutput(logits=self.head(dropout(x, p, train)), hidden=hidden)


def _stationary_state(h: Tensor, edge_index: Tensor, num_nodes: int) -> Tensor:
    """Â^∞ h: per connected component, the projection of h on u = sqrt(d̃) (Â's eigenvector of eigenvalue 1)."""
    _, comp = connected_components(
        to_scipy_sparse_matrix(edge_index.cpu(), num_nodes=num_nodes), directed=False
    )
    comp = torch.from_numpy(comp.astype(np.int64)).to(h.device)
    deg = torch.bincount(edge_index[1], minlength=num_nodes).to(h.dtype) + 1.0
    u = deg.sqrt()
    n_comp = int(comp.max()) + 1
    num = torch.zeros(n_comp, h.shape[1], dtype=h.dtype, device=h.device).index_add_(0, comp, u[:, None] * h)
    den = torch.zeros(n_comp, dtype=h.dtype, device=h.device).index_add_(0, comp, u * u)
    return u[:, None] * (num / den[:, None])[comp]
