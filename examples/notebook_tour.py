"""A tour of Nodescope from Python, written as a notebook: one ``# %%`` cell per step.

Open it in Jupyter or VS Code as a notebook (jupytext's percent format), or run it whole::

    .venv/bin/python examples/notebook_tour.py [OUT_DIR]

It loads Zachary's karate club, takes the shipped GAT and X-Node weights, reads the attention,
explains a few predictions, sweeps over-smoothing, registers a synthetic cortical sphere onto
fsaverage5 and writes the app's figures as HTML files to ``OUT_DIR`` (default: a new temporary
folder). Everything is built in: no network, no file of yours. About a minute on a laptop CPU.
"""

# %%
import sys
import tempfile
import time
from pathlib import Path

import nodescope
from nodescope.core.registration.subjects import synthetic

out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="nodescope-tour-"))
out.mkdir(parents=True, exist_ok=True)
start = time.perf_counter()


def save(name, figures):
    """Write one figure, or each of a dict of figures, as ``OUT_DIR/<name>[-<key>].html``."""
    items = figures.items() if isinstance(figures, dict) else [("", figures)]
    for key, fig in items:
        path = out / (f"{name}-{key}.html".replace(" ", "-") if key else f"{name}.html")
        fig.write_html(path, include_plotlyjs="directory")  # plotly.min.js once, beside the pages
        print(f"  wrote {path.name}")


# %% [markdown]
# ## Load
# Built-ins, Planetoid names and files all load into one `Sample`: a PyG graph plus names,
# geometry and units.

# %%
s = nodescope.load("karate")
print(f"{s.name}: {s.num_nodes} nodes, {s.num_edges} edges, {s.num_classes} classes ({s.kind})")
save("graph", nodescope.show(s))  # the Explorer's node-link view
save("embedding", nodescope.show(s, "embedding"))

# %% [markdown]
# ## A model
# Shipped weights when they fit the sample; otherwise Nodescope trains one with the recipe of
# `nodescope train`.

# %%
gat = nodescope.model(s, "gat")
print(f"GAT: {gat.config.layers} layers, {gat.config.heads} heads, {gat.config.in_dim} inputs")

# %% [markdown]
# ## Attention
# Every edge's coefficient per layer and head, head statistics, and each head's causal
# importance (the change in test error when it alone is switched off).

# %%
att = nodescope.attention(s, gat)
layer, head = att.importance.top_heads[0]
print(
    f"α: {att.maps.alpha.shape} (layers, heads, edges); most important head L{layer + 1} H{head + 1}, "
    f"specialization {att.importance.specialization:.3f}"
)
print(att.heads[["layer", "head", "entropy_norm", "salience"]].head(3).round(3).to_string(index=False))
save("attention", nodescope.show(s, "attention", model=gat, focus=0))

# %% [markdown]
# ## Explanations
# An X-Node model explains each node itself; post-hoc explainers (`gnnexplainer`, `ig`,
# `saliency`, `attention`) work on any model. Fidelity is scored on a seeded sample of nodes.

# %%
report = nodescope.explain(s, "xnode-gcn", [0, 33], fidelity_nodes=2)
for row in report.table.itertuples():
    print(f"  node {row.node}: {row.text[:110]}…")
print(f"  Fid+ {report.fidelity['fid_plus']:.2f}, Fid- {report.fidelity['fid_minus']:.2f}")
save("explanation", nodescope.show(s, "explanation", model="xnode-gcn", focus=0))

# %% [markdown]
# ## Over-smoothing
# Dirichlet energy (and ten more metrics) at every layer of deep models, at initialization.

# %%
sweep = nodescope.oversmooth(s, ["gcn", "gcnii"], [2, 16])
for name in sweep.config.models:
    energy = sweep.curve(name, 16, "dirichlet")
    print(f"  {name:>6} at depth 16: √E from {energy[0]:.3g} (input) to {energy[-1]:.3g} (layer 16)")
save("oversmoothing", nodescope.show(sweep))

# %% [markdown]
# ## Cortical registration
# A synthetic subject (fsaverage5 warped by a known deformation and rotated) registered back
# onto fsaverage5, rigid then non-rigid; the known warp gives the geodesic error.

# %%
reg = nodescope.register(synthetic(seed=0))
m = reg.metrics
print(
    f"  stages {', '.join(reg.result.stages)}: sulc correlation {m['correlation']:.3f}, "
    f"geodesic error {m['geodesic_deg']:.2f}°, {m['flipped']} flipped triangles, "
    f"{reg.result.timings['total']:.1f} s"
)
save("registration", nodescope.show(reg, focus=0))

# %%
print(f"Figures in {out} ({time.perf_counter() - start:.0f} s)")
