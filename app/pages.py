"""The app's pages: one table read by the navigation (app/main.py) and the Home page.

Light on purpose (no torch): the Home page's text shows before any model code loads.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageInfo:
    """A page of the app: its script under app/views, navigation entry and Home blurb."""

    script: str
    title: str
    icon: str
    url_path: str
    blurb: str
    #: The sample kinds the page draws; any other gets one line pointing to the right page.
    kinds: tuple[str, ...] = ("graph", "mesh", "cortex", "panorama")


PAGES: tuple[PageInfo, ...] = (
    PageInfo(
        "explorer.py", "Explorer", ":material/hub:", "explorer",
        "The graph as nodes and links, a 2D embedding of the node features (PCA at once, UMAP on "
        "request), a sortable node table and the details of the focus node. Click, box- or "
        "lasso-select in any view, or pick table rows: all views show the same selection.",
    ),
    PageInfo(
        "geometry.py", "3D & sphere", ":material/public:", "geometry",
        "Meshes, cortical surfaces and panoramas in 3D, beside a flat longitude/latitude map of "
        "the sphere. Pick a vertex on the map (or in 3D) and it lights up in both.",
    ),
    PageInfo(
        "attention.py", "Attention", ":material/visibility:", "attention",
        "What each head of a trained GAT, GATv2, Graph Transformer or GraphGPS looks at: edges "
        "weighted by attention, a grid of every layer and head, whom the focus node attends to, and "
        "which heads actually matter when switched off.",
    ),
    PageInfo(
        "explanations.py", "Explanations", ":material/psychology:", "explanations",
        "Why an X-Node model predicts what it does for each node, in words and cue contributions, beside "
        "GNNExplainer, Integrated Gradients, Saliency and attention with their fidelity; accept or reject "
        "each explanation, and export them all.",
    ),
    PageInfo(
        "oversmoothing.py", "Over-smoothing", ":material/blur_on:", "oversmoothing",
        "Why deep GNNs fail: Dirichlet energy, MAD and rank layer by layer for plain and remedied "
        "models (residual, PairNorm, GCNII, APPNP, DAGNN), accuracy vs depth, and one model's nodes "
        "collapsing as you move a layer slider.",
    ),
    PageInfo(
        "registration.py", "Cortical registration", ":material/neurology:", "registration",
        "Register a subject's cortical sphere onto fsaverage5 (rigid, then non-rigid) and follow any "
        "vertex to where it lands, on the sphere and on the inflated or pial surface, with metrics and "
        "downloads.",
        ("graph", "mesh", "cortex", "panorama", "timeseries", "skeleton"),  # its subjects are its own
    ),
    PageInfo(
        "timeseries.py", "Time series", ":material/timeline:", "timeseries",
        "The graph MTGNN learns among many time series, beside the known one: forecasts and their errors "
        "per series, why a forecast is what it is (Integrated Gradients over series × lags, beside the "
        "learned edges), and over-smoothing per mix-hop layer.",
        ("timeseries",),
    ),
    PageInfo(
        "skeletons.py", "Skeletons", ":material/accessibility_new:", "skeletons",
        "2D keypoints lifted to 3D by HopFIR, SemGCN or an MLP, beside the truth, frame by frame, with "
        "each joint's error; pick a joint to see where it looks, hop by hop along the bones, per head, "
        "and how HopFIR fuses the hops, while you add 2D noise.",
        ("skeleton",),
    ),
    PageInfo(
        "panoramas.py", "Panoramas", ":material/panorama:", "panoramas",
        "A spherical U-Net's depth, visible class, room layout and normals for a generated room (with "
        "its truth, errors and scores beside a latitude-band oracle) or a loaded panorama; pick a vertex "
        "in any map or in the room's 3D point cloud and every view marks it.",
        ("panorama",),
    ),
    PageInfo(
        "meshes.py", "Meshes", ":material/deployed_code:", "meshes",
        "Heat simulated on a mesh beside a mesh transformer's and a MeshGraphNets MPNN's rollouts, with "
        "their errors over time; pick a vertex to follow it and to see where each attention head looks, "
        "against the cotangent weights of the exact operator.",
        ("mesh",),
    ),
    PageInfo(
        "pipeline.py", "Pipeline", ":material/view_timeline:", "pipeline",
        "A deep GCNII trained as GNNPipe does: layers cut into stages, the graph into chunks flowing "
        "through them. The run's timeline as a Gantt chart with its bubbles, memory per stage, the "
        "staleness of the historical embeddings, accuracy and Dirichlet energy; pick a node to see its chunk.",
        ("graph",),
    ),
)  # fmt: skip


def wrong_kind_message(page: PageInfo, kind: str, name: str) -> str | None:
    """One line for a page given a sample it does not draw (a time series on a graph page...), else None."""
    if kind in page.kinds:
        return None
    if kind == "timeseries":
        return (
            f"**{name}** is a time series: its learned graph and forecasts are on the **Time series** page."
        )
    if kind == "skeleton":
        return f"**{name}** is a skeleton: its 2D-to-3D lifting and attention are on the **Skeletons** page."
    if page.kinds == ("graph",):
        return f"**{name}** is a {kind}: the Pipeline page trains on labeled graphs (karate, Cora…)."
    if page.kinds == ("panorama",):
        return (
            f"**{name}** is a {kind}, not a panorama. Load *Indoor room (procedural)* or upload a 2:1 "
            "equirectangular image in the sidebar."
        )
    if page.kinds == ("mesh",):
        return (
            f"**{name}** is a {kind} sample, not one of the meshes this page simulates on. Load *ant*, "
            "*airplane*, *nut* or a mesh file (PLY, OBJ, STL, VTK, OFF) in the sidebar."
        )
    if page.kinds == ("skeleton",):
        return (
            f"**{name}** is a {kind}, not a skeleton. Load *skeleton-walk*, *skeleton-jump*, a BVH clip or a "
            "keypoint file (.npy/.npz) in the sidebar."
        )
    return (
        f"**{name}** is a {kind}, not a time series. Load *graph-var*, *road-diffusion* or a time series "
        "file (Upload, tick *Time series*) in the sidebar."
    )
