"""What the Meshes page computes and caches.

The shipped heat models (``assets/models/mesh``) are loaded once per process; the loaded
mesh checked for simulation (:func:`core.simulation.prepare_mesh`), the heat simulation with
both rollouts (:func:`explain.mesh_rollout.roll_out_heat`) and the transformer's first-layer
attention at a time step (:func:`explain.mesh_rollout.heat_attention`) are cached by their
inputs (the sample's fingerprint, the steps, the seed, the step, the vertex); so is the shipped
segmenter's labeling of the mesh (:func:`core.models.segmentation.segment_mesh`).
"""

from __future__ import annotations

import streamlit as st

from nodescope.core.errors import LoadError
from nodescope.core.models.mesh import MESH_MODELS, MeshModel, load_mesh_model, shipped_mesh_model
from nodescope.core.models.segmentation import (
    MeshSegmentation,
    Segmenter,
    load_segmenter,
    segment_mesh,
    shipped_segmenter,
)
from nodescope.core.sample import Sample
from nodescope.core.simulation import SimulationMesh, prepare_mesh
from nodescope.explain.mesh_attention import AttentionPhysics
from nodescope.explain.mesh_rollout import (
    MeshRollouts,
    RingAttention,
    heat_attention,
    ring_attention,
    roll_out_heat,
)

#: The most vertices the page simulates (a 50-step rollout of both models stays within seconds).
MAX_VERTICES = 20_000
#: The model whose attention the page reads.
TRANSFORMER = "mesh-transformer"


@st.cache_resource(show_spinner="Loading the mesh models…", max_entries=4)
def model(key: str) -> MeshModel | None:
    """The shipped heat model ``key`` in eval mode, or None where none is shipped."""
    path = shipped_mesh_model(key, "heat")
    return None if path is None else load_mesh_model(path)[0]


def models() -> dict[str, MeshModel]:
    """Every shipped heat model, by key (registry order)."""
    loaded = {key: model(key) for key in MESH_MODELS}
    return {key: m for key, m in loaded.items() if m is not None}


@st.cache_data(show_spinner=False, max_entries=16)
def mesh(fp: str, max_vertices: int, _s: Sample) -> SimulationMesh | str:
    """The sample's mesh as simulated (repaired with notices), or the one line saying why not."""
    try:
        return prepare_mesh(_s.data.pos.numpy(), _s.faces, name=_s.name, max_vertices=max_vertices)
    except LoadError as exc:
        return str(exc)


@st.cache_data(show_spinner="Simulating heat and rolling out the models…", max_entries=16)
def run(fp: str, steps: int, seed: int, _mesh: SimulationMesh) -> MeshRollouts:
    """Heat for ``steps`` steps from the field of ``seed``, with every shipped model's rollout."""
    return roll_out_heat(_mesh, models(), steps=steps, seed=seed)


@st.cache_data(show_spinner=False, max_entries=64)
def attention(fp: str, steps: int, seed: int, step: int, _run: MeshRollouts) -> AttentionPhysics:
    """The transformer's first-layer attention at the solver's state ``step``, beside the cotangents."""
    return heat_attention(model(TRANSFORMER), _run, step)  # type: ignore[arg-type]


@st.cache_data(show_spinner=False, max_entries=256)
def ring(fp: str, steps: int, seed: int, step: int, vertex: int, _run: MeshRollouts) -> RingAttention:
    """What ``vertex``'s first-layer attention gives each neighbor at ``step`` (and their cotangents)."""
    return ring_attention(attention(fp, steps, seed, step, _run), _run.pos, vertex)


@st.cache_resource(show_spinner="Loading the segmenter…", max_entries=2)
def segmenter() -> Segmenter | None:
    """The shipped dual-graph attention segmenter in eval mode, or None where none is shipped."""
    path = shipped_segmenter("dual-gat")
    return None if path is None else load_segmenter(path)[0]


@st.cache_data(show_spinner="Segmenting the mesh…", max_entries=16)
def segmentation(fp: str, _mesh: SimulationMesh) -> MeshSegmentation:
    """The shipped segmenter's parts and attention on the mesh as simulated (keyed by the sample)."""
    return segment_mesh(segmenter(), _mesh.pos, _mesh.faces)  # type: ignore[arg-type]
