"""MTGNN (Wu et al., KDD 2020): a graph learned from the series, mix-hop propagation, dilated inception.

"Connecting the Dots: Multivariate Time Series Forecasting with Graph Neural Networks". The
architecture follows the paper and its reference code (``nnzhan/MTGNN``, ``net.gtnet`` and
``layer.py``), written anew here:

- **graph learning** (:class:`GraphLearner`): two node-embedding tables ``E1, E2`` (N x d),
  ``M_k = tanh(alpha * Theta_k E_k)``, ``A = ReLU(tanh(alpha * (M1 M2^T - M2 M1^T)))`` — the
  difference makes the graph uni-directional (``A[v, w] > 0`` excludes ``A[w, v] > 0``) — and
  each row keeps its ``k`` largest entries;
- **mix-hop propagation** (:class:`MixHop`): ``H^(k) = beta * H_in + (1 - beta) * A_norm H^(k-1)``
  for ``k = 1..depth`` with ``A_norm`` the row-normalized ``A + I``, the hops concatenated and
  mixed by a 1 x 1 convolution; every layer propagates along ``A`` and along ``A^T`` and adds both
  (``both_directions``; along ``A`` only when False, see below);
- **dilated inception** (:class:`DilatedInception`): parallel temporal convolutions of widths
  2, 3, 6 and 7, cropped to the shortest, with dilation ``2^layer``; a tanh filter times a
  sigmoid gate;
- residual connections, a skip connection from every layer to the output, layer norm over
  (channels, nodes, time).

Direction: row ``v`` of the learned ``A`` holds ``v``'s **incoming** edges, as everywhere in
Nodescope — propagation computes ``out[v] = sum_w A_norm[v, w] x[w]`` (the reference code's
``nconv``, ``einsum('ncwl,vw->ncvl')``), and the row normalization makes it a weighted mean over
``v``'s sources.

Identifiability (measured on the built-in ``graph-var`` with positive couplings; README, issue
14): as published, the learned graph does not find the true one (AUROC 0.54-0.57 whatever the
saturation, top-k or an L1 penalty). Propagating along both ``A`` and ``A^T`` lets an edge in
row ``i`` or in row ``j`` serve equally, so nothing decides its direction; with propagation
along ``A`` only (``both_directions=False``) and an L1 penalty on ``A`` (training's
``graph_l1``) the learned edges find the true ones (AUROC 0.94). The recipe
(:mod:`core.forecasting.recipe`) uses those settings; the defaults here are the paper's.

Shapes: inputs (B, P, N) scaled windows (P steps of N series), outputs (B, N) single-step
forecasts. This is a forecaster, not a node classifier, so it is not in :data:`core.models.MODELS`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

#: The temporal kernel widths of the dilated inception layer (the paper's 1x2, 1x3, 1x6, 1x7).
KERNELS = (2, 3, 6, 7)


@dataclass(frozen=True)
class MTGNNConfig:
    """MTGNN's hyper-parameters; defaults are the reference single-step script's.

    Attributes:
        num_nodes: N, the number of series.
        window: P, input steps.
        subgraph_size: k, the edges kept per node in the learned graph (at most N).
        node_dim: d, the node embeddings' width.
        tanh_alpha: alpha, the saturation of the graph learner.
        gcn_depth: propagation steps per mix-hop layer.
        prop_alpha: beta, the share of a mix-hop layer's input kept at every step.
        layers: temporal + graph layers (dilation doubles each layer).
        conv_channels: channels of the dilated inception layers.
        residual_channels: channels of the residual stream.
        skip_channels: channels of the skip connections.
        end_channels: channels of the output head.
        dropout: dropout after each gated temporal layer and on the input skip.
        dilation_exponential: the dilation grows by this factor per layer.
        layer_norm_affine: learn a scale and shift in the layer norms (the single-step script: no).
        both_directions: propagate along ``A`` and ``A^T`` (the paper) or along ``A`` only.
    """

    num_nodes: int
    window: int = 168
    subgraph_size: int = 20
    node_dim: int = 40
    tanh_alpha: float = 3.0
    gcn_depth: int = 2
    prop_alpha: float = 0.05
    layers: int = 5
    conv_channels: int = 16
    residual_channels: int = 16
    skip_channels: int = 32
    end_channels: int = 64
    dropout: float = 0.3
    dilation_exponential: int = 2
    layer_norm_affine: bool = False
    both_directions: bool = True

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON (a checkpoint's ``config``)."""
        return asdict(self)

    @property
    def receptive_field(self) -> int:
        """Input steps the stacked dilated layers see; shorter windows are zero-padded on the left."""
        width = max(KERNELS) - 1
        if self.dilation_exponential > 1:
            growth = (self.dilation_exponential**self.layers - 1) / (self.dilation_exponential - 1)
            return int(1 + width * growth)
        return self.layers * width + 1


class GraphLearner(nn.Module):
    """The uni-directional graph MTGNN learns from two node-embedding tables (see the module docstring)."""

    def __init__(self, num_nodes: int, k: int, dim: int, alpha: float) -> None:
        super().__init__()
        self.source = nn.Embedding(num_nodes, dim)
        self.target = nn.Embedding(num_nodes, dim)
        self.lin_source = nn.Linear(dim, dim)
        self.lin_target = nn.Linear(dim, dim)
        self.k = min(k, num_nodes)
        self.alpha = alpha

    def dense(self) -> Tensor:
        """(N, N) weights in [0, 1) before the top-k, row ``v`` = ``v``'s incoming edges."""
        m1 = torch.tanh(self.alpha * self.lin_source(self.source.weight))
        m2 = torch.tanh(self.alpha * self.lin_target(self.target.weight))
        return F.relu(torch.tanh(self.alpha * (m1 @ m2.T - m2 @ m1.T)))

    def forward(self) -> Tensor:
        """(N, N) the learned graph: :meth:`dense` with the ``k`` largest entries of each row kept."""
        adj = self.dense()
        keep = torch.zeros_like(adj).scatter_(1, adj.topk(self.k, dim=1).indices, 1.0)
        return adj * keep


class MixHop(nn.Module):
    """Mix-hop propagation along a dense adjacency (row ``v``: ``v``'s incoming edges)."""

    def __init__(self, c_in: int, c_out: int, depth: int, alpha: float) -> None:
        super().__init__()
        self.mix = nn.Conv2d((depth + 1) * c_in, c_out, kernel_size=1)
        self.depth = depth
        self.alpha = alpha

    def forward(self, x: Tensor, adj: Tensor) -> Tensor:
        """(B, C_out, N, T) from x (B, C_in, N, T) and adj (N, N)."""
        adj = adj + torch.eye(adj.shape[0], device=adj.device, dtype=adj.dtype)
        norm = adj / adj.sum(1, keepdim=True)
        hops, h = [x], x
        for _ in range(self.depth):
            h = self.alpha * x + (1 - self.alpha) * torch.einsum("bcwt,vw->bcvt", h, norm)
            hops.append(h)
        return self.mix(torch.cat(hops, dim=1))


class DilatedInception(nn.Module):
    """Temporal convolutions of widths :data:`KERNELS`, concatenated over channels after cropping."""

    def __init__(self, c_in: int, c_out: int, dilation: int) -> None:
        super().__init__()
        if c_out % len(KERNELS):
            raise ValueError(f"conv channels ({c_out}) must be a multiple of {len(KERNELS)}")
        width = c_out // len(KERNELS)
        self.convs = nn.ModuleList(nn.Conv2d(c_in, width, (1, k), dilation=(1, dilation)) for k in KERNELS)

    def forward(self, x: Tensor) -> Tensor:
        """(B, C_out, N, T - dilation * 6) from (B, C_in, N, T)."""
        outs = [conv(x) for conv in self.convs]
        shortest = outs[-1].shape[-1]
        return torch.cat([o[..., -shortest:] for o in outs], dim=1)


class MTGNN(nn.Module):
    """MTGNN for single-step forecasting with a learned graph (see the module docstring).

    Args:
        config: the hyper-parameters (:class:`MTGNNConfig`).
    """

    def __init__(self, config: MTGNNConfig) -> None:
        super().__init__()
        self.config = c = config
        self.graph = GraphLearner(c.num_nodes, c.subgraph_size, c.node_dim, c.tanh_alpha)
        self.start = nn.Conv2d(1, c.residual_channels, kernel_size=1)
        field = c.receptive_field
        length = max(c.window, field)  # the padded input length
        self.filters, self.gates = nn.ModuleList(), nn.ModuleList()
        self.skips, self.norms = nn.ModuleList(), nn.ModuleList()
        self.forward_props, self.backward_props = nn.ModuleList(), nn.ModuleList()
        dilation, steps = 1, length
        for _ in range(c.layers):
            self.filters.append(DilatedInception(c.residual_channels, c.conv_channels, dilation))
            self.gates.append(DilatedInception(c.residual_channels, c.conv_channels, dilation))
            steps -= (max(KERNELS) - 1) * dilation
            self.skips.append(nn.Conv2d(c.conv_channels, c.skip_channels, kernel_size=(1, steps)))
            self.forward_props.append(MixHop(c.conv_channels, c.residual_channels, c.gcn_depth, c.prop_alpha))
            if c.both_directions:
                self.backward_props.append(
                    MixHop(c.conv_channels, c.residual_channels, c.gcn_depth, c.prop_alpha)
                )
            self.norms.append(
                nn.LayerNorm(
                    [c.residual_channels, c.num_nodes, steps], elementwise_affine=c.layer_norm_affine
                )
            )
            dilation *= c.dilation_exponential
        self.skip_in = nn.Conv2d(1, c.skip_channels, kernel_size=(1, length))
        self.skip_out = nn.Conv2d(c.residual_channels, c.skip_channels, kernel_size=(1, steps))
        self.head = nn.Sequential(
            nn.ReLU(),
            nn.Conv2d(c.skip_channels, c.end_channels, kernel_size=1),
            nn.ReLU(),
            nn.Conv2d(c.end_channels, 1, kernel_size=1),
        )

    def learned_graph(self) -> Tensor:
        """(N, N) the learned graph, differentiable (row ``i``: ``i``'s incoming edge weights)."""
        return self.graph()

    @torch.no_grad()
    def adjacency(self) -> Tensor:
        """(N, N) the learned graph, detached: row ``i`` holds ``i``'s incoming edge weights."""
        return self.graph()

    def forward(self, inputs: Tensor, adj: Tensor | None = None) -> Tensor:
        """(B, N) forecasts from (B, P, N) scaled input windows.

        Args:
            inputs: (B, P, N) windows, P = ``config.window``.
            adj: (N, N) a graph to use instead of the learned one (row ``i``: ``i``'s incoming
                edges), e.g. to measure what the learned edges contribute.
        """
        c = self.config
        if inputs.shape[1:] != (c.window, c.num_nodes):
            raise ValueError(f"expected inputs (B, {c.window}, {c.num_nodes}), got {tuple(inputs.shape)}")
        adj = self.graph() if adj is None else adj
        x_in = inputs.transpose(1, 2).unsqueeze(1)  # (B, 1, N, P)
        if c.window < c.receptive_field:
            x_in = F.pad(x_in, (c.receptive_field - c.window, 0))
        x = self.start(x_in)
        skip = self.skip_in(F.dropout(x_in, c.dropout, self.training))
        for i in range(c.layers):
            residual = x
            x = torch.tanh(self.filters[i](x)) * torch.sigmoid(self.gates[i](x))
            x = F.dropout(x, c.dropout, self.training)
            skip = skip + self.skips[i](x)
            propagated = self.forward_props[i](x, adj)
            if c.both_directions:
                propagated = propagated + self.backward_props[i](x, adj.T)
            x = self.norms[i](propagated + residual[..., -propagated.shape[-1] :])
        skip = skip + self.skip_out(x)
        return self.head(skip)[:, 0, :, 0]
