"""Plain graphs: edge-list CSV/TSV (with optional features and labels), GraphML/GML/GEXF, built-ins."""

from __future__ import annotations

import csv
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import torch

from nodescope.core.errors import LoadError
from nodescope.core.loaders.registry import Builtin, FileReader
from nodescope.core.sample import Sample
from nodescope.core.validate import make_sample

#: Column names recognized as node labels in node tables and graph files.
LABEL_COLUMNS = ("label", "labels", "class", "y", "community", "club", "group", "target")


# ---------------------------------------------------------------- edge lists
_HEADER_WORDS = {"source", "target", "src", "dst", "from", "to", "u", "v", "node1", "node2", "weight"}
_HEADER_WORDS |= {"id", "node", "node_id", "name", *LABEL_COLUMNS}


def _read_table(path: Path, what: str) -> pd.DataFrame:
    """Read a CSV/TSV (delimiter sniffed) as strings.

    The first row is a header when it names a known column (``source``, ``id``,
    ``label``...) or when it is non-numeric where the second row is numeric.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LoadError(f"{path.name} is not a text file (expected a {what} in CSV/TSV).") from exc
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    if not lines:
        raise LoadError(f"{path.name} is empty (expected a {what}).")
    if "\t" in lines[0]:
        sep = "\t"
    else:
        try:
            sep = csv.Sniffer().sniff(lines[0], delimiters=",; ").delimiter
        except csv.Error:
            sep = ","
    rows = [[c.strip() for c in (ln.split() if sep == " " else ln.split(sep))] for ln in lines[:2]]
    has_header = any(c.lower() in _HEADER_WORDS for c in rows[0]) or (
        len(rows) == 2
        and any(not _is_number(a) and _is_number(b) for a, b in zip(rows[0], rows[1], strict=False))
    )
    try:
        df = pd.read_csv(
            path,
            sep=r"\s+" if sep == " " else sep,
            header=0 if has_header else None,
            comment="#",
            skipinitialspace=True,
            dtype=str,
            engine="python",
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise LoadError(f"{path.name} is not a valid {what}: {str(exc).splitlines()[0]}") from exc
    if df.empty:
        raise LoadError(f"{path.name} has no rows (expected a {what}).")
    return df


def _is_number(s: str) -> bool:
    try:
        float(s)
    except ValueError:
        return False
    return True


def read_edge_list(
    path: Path,
    *,
    features: Path | None = None,
    labels: Path | None = None,
    directed: bool = False,
) -> Sample:
    """Read an edge list: one edge per row, ``source, target[, weight]``.

    Node ids may be integers or names. An optional node table gives features (first
    column the node id, other columns numeric) and/or labels (a column named
    ``label``/``class``/...); ``labels`` may also be a two-column ``id, label`` table.

    Returns:
        A graph sample; ``edge_attr`` (E, 1) holds weights when a third column exists.
    """
    df = _read_table(path, "edge list")
    if df.shape[1] < 2:
        raise LoadError(f"{path.name} needs two columns (source, target) per row; found {df.shape[1]}.")
    src, dst = df.iloc[:, 0].str.strip(), df.iloc[:, 1].str.strip()
    if src.isna().any() or dst.isna().any() or (src == "").any() or (dst == "").any():
        row = int((src.isna() | dst.isna() | (src == "") | (dst == "")).to_numpy().nonzero()[0][0])
        raise LoadError(f"{path.name} row {row + 1} has a missing node id.")
    node_tables = [_read_table(p, "node table") for p in (features, labels) if p is not None]
    notices: list[str] = []
    ids = _node_ids(pd.concat([src, dst]), [t.iloc[:, 0].str.strip() for t in node_tables], notices)
    index = {name: i for i, name in enumerate(ids)}
    edge_index = np.stack([src.map(index).to_numpy(), dst.map(index).to_numpy()]).astype(np.int64)
    weights = None
    if df.shape[1] >= 3:
        w = pd.to_numeric(df.iloc[:, 2], errors="coerce").to_numpy(np.float32)
        if np.isnan(w).any():
            raise LoadError(f"{path.name}: the third column (edge weight) has non-numeric values.")
        if not np.isfinite(w).all():
            raise LoadError(f"{path.name}: edge weights contain infinite values.")
        weights = w[:, None]
    x, feature_names, y, label_names = None, None, None, None
    for table, p in zip(node_tables, [q for q in (features, labels) if q is not None], strict=True):
        fx, fnames, fy, flabels = _node_table(table, index, p.name, notices)
        if fx is not None:
            x, feature_names = fx, fnames
        if fy is not None:
            y, label_names = fy, flabels
    return make_sample(
        kind="graph",
        name=path.stem,
        source=str(path),
        num_nodes=len(ids),
        edge_index=edge_index,
        x=x if x is not None else _structural_features(edge_index, len(ids)),
        feature_names=feature_names if x is not None else ["degree", "log degree"],
        y=y,
        label_names=label_names,
        node_names=None if all(n == str(i) for i, n in enumerate(ids)) else list(ids),
        directed=directed,
        edge_values={"edge_attr": weights} if weights is not None else None,
        notices=notices,
    )


def _node_ids(edge_ends: pd.Series, table_ids: list[pd.Series], notices: list[str]) -> list[str]:
    """All node names: in numeric order when every name is an integer, else in first-seen order.

    Only ids that appear in the file or a node table become nodes: integer ids with gaps (1, 2, 7)
    give three nodes named "1", "2", "7", not eight with five invented isolated ones. Mixed
    integer ids and names are read as names, with a notice.
    """
    names = pd.unique(pd.concat([edge_ends, *table_ids]))
    is_int = np.array([n.lstrip("-").isdigit() for n in names])
    if is_int.all():
        nums = sorted(int(n) for n in names)
        if nums[0] < 0:
            raise LoadError(f"Node ids must not be negative (found {nums[0]}).")
        return [str(n) for n in nums]
    if is_int.any():
        odd = names[~is_int] if is_int.mean() >= 0.5 else names[is_int]
        notices.append(
            f"Node ids mix integers and names ({int(is_int.sum())} integers, {int((~is_int).sum())} names, "
            f"e.g. '{odd[0]}'): every id was read as a name, in order of first appearance."
        )
    return [str(n) for n in names]


def _node_table(
    table: pd.DataFrame, index: dict[str, int], filename: str, notices: list[str]
) -> tuple[np.ndarray | None, list[str] | None, np.ndarray | None, list[str] | None]:
    """Split a node table into a feature matrix and/or a label vector aligned with ``index``.

    A table with features must list every node (a node it lacks would get invented zeros): one
    that does not is refused. A labels-only table may leave nodes out; they are unlabeled, and a
    notice says how many.
    """
    ids = table.iloc[:, 0].str.strip()
    rows = ids.map(index).to_numpy(np.int64)  # every table id is a node (see _node_ids)
    absent = sorted(set(index) - set(ids), key=index.get)
    cols = [str(c) for c in table.columns[1:]]
    label_cols = [c for c in cols if c.strip().lower() in LABEL_COLUMNS]
    if (
        len(cols) == 1
        and not label_cols
        and not pd.to_numeric(table.iloc[:, 1], errors="coerce").notna().all()
    ):
        label_cols = cols  # a bare "id, name" table: the second column is the label
    y = label_names = None
    if label_cols:
        raw = table[table.columns[1 + cols.index(label_cols[0])]].str.strip()
        label_names = sorted(
            raw.dropna().unique(), key=lambda s: (not s.lstrip("-").isdigit(), _int_or(s), s)
        )
        lookup = {name: i for i, name in enumerate(label_names)}
        y = np.full(len(index), -1, np.int64)
        y[rows] = raw.map(lookup).fillna(-1).to_numpy(np.int64)
    feat_cols = [c for c in cols if c not in label_cols]
    if absent and feat_cols:
        shown = ", ".join(f"'{a}'" for a in absent[:3]) + (", ..." if len(absent) > 3 else "")
        raise LoadError(
            f"The edges name {len(absent)} node(s) that the node table {filename} lacks ({shown}); "
            "add them to the table or remove those edges."
        )
    if absent:
        notices.append(f"{len(absent)} of {len(index)} nodes are not in {filename}: they are unlabeled.")
    x = None
    if feat_cols:
        vals = table[[table.columns[1 + cols.index(c)] for c in feat_cols]].apply(
            pd.to_numeric, errors="coerce"
        )
        if vals.isna().to_numpy().any():
            r, c = (int(i[0]) for i in np.nonzero(vals.isna().to_numpy()))
            raise LoadError(
                f"{filename}: feature '{feat_cols[c]}' of node '{ids.iloc[r]}' is missing or not a number; "
                "fill it and load again."
            )
        x = np.zeros((len(index), len(feat_cols)), np.float32)
        x[rows] = vals.to_numpy(np.float32)
    return x, (feat_cols or None), y, label_names


def _int_or(s: str) -> int:
    return int(s) if s.lstrip("-").isdigit() else 0


def _structural_features(edge_index: np.ndarray, n: int) -> np.ndarray:
    """Degree features for graphs that come without any: (N, 2) degree and log(1 + degree)."""
    deg = np.bincount(edge_index.reshape(-1), minlength=n).astype(np.float32)
    return np.stack([deg, np.log1p(deg)], 1)


# ---------------------------------------------------------------- networkx formats
def read_networkx_file(path: Path, companions: list[Path] | None = None) -> Sample:
    """GraphML, GML or GEXF via networkx.

    Numeric node attributes become features; an attribute named like a label (``label``,
    ``class``, ``community``...) becomes ``y``.
    """
    readers = {".graphml": nx.read_graphml, ".gml": nx.read_gml, ".gexf": nx.read_gexf}
    if path.stat().st_size == 0:
        raise LoadError(f"{path.name} is empty.")
    try:
        graph = readers[path.suffix.lower()](path)
    except Exception as exc:  # networkx raises many types (XML, parse, key errors) on bad files
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise LoadError(f"{path.name} is not a valid {path.suffix[1:].upper()} file: {first}") from exc
    return graph_to_sample(graph, name=path.stem, source=str(path))


def graph_to_sample(
    graph: nx.Graph,
    *,
    name: str,
    source: str,
    label_attr: str | None = None,
    label_names: list[str] | None = None,
) -> Sample:
    """Turn a networkx graph into a sample (nodes in the graph's order)."""
    nodes = list(graph.nodes)
    if not nodes:
        raise LoadError(f"{name} has no nodes.")
    index = {v: i for i, v in enumerate(nodes)}
    edges = np.array([(index[u], index[v]) for u, v in graph.edges()], np.int64).reshape(-1, 2).T
    attrs = pd.DataFrame([graph.nodes[v] for v in nodes], index=range(len(nodes)))
    label_col = label_attr or next((c for c in attrs.columns if str(c).lower() in LABEL_COLUMNS), None)
    y = None
    if label_col is not None and label_col in attrs:
        raw = attrs.pop(label_col)
        if label_names is None:
            label_names = sorted({str(v) for v in raw.dropna()})
        lookup = {n: i for i, n in enumerate(label_names)}
        y = np.array([lookup.get(str(v), -1) if pd.notna(v) else -1 for v in raw], np.int64)
    numeric, notices = _numeric_attributes(attrs, [str(v) for v in nodes])
    weights = None
    edge_weights = [d.get("weight") for _, _, d in graph.edges(data=True)]
    if edges.shape[1] and all(isinstance(w, int | float) for w in edge_weights):
        weights = np.asarray(edge_weights, np.float32)[:, None]
    if numeric.shape[1]:
        x, feature_names = numeric.to_numpy(np.float32), [str(c) for c in numeric.columns]
    else:
        x, feature_names = _structural_features(edges, len(nodes)), ["degree", "log degree"]
    names = [str(v) for v in nodes]
    return make_sample(
        kind="graph",
        name=name,
        source=source,
        num_nodes=len(nodes),
        edge_index=edges,
        x=x,
        feature_names=feature_names,
        y=y,
        label_names=label_names if y is not None else None,
        node_names=None if names == [str(i) for i in range(len(nodes))] else names,
        directed=graph.is_directed(),
        edge_values={"edge_attr": weights} if weights is not None else None,
        notices=notices,
    )


def _numeric_attributes(attrs: pd.DataFrame, node_names: list[str]) -> tuple[pd.DataFrame, list[str]]:
    """The node attributes usable as features, and a notice for each numeric one left out.

    An attribute becomes a feature when every node has a finite number for it and it varies.
    Text attributes are not features and need no notice; a numeric attribute with missing or
    NaN values, or the same value everywhere, is left out with a notice saying so.
    """
    numeric = attrs.apply(pd.to_numeric, errors="coerce")
    if not len(numeric.columns):
        return numeric, []
    numeric = numeric.replace([np.inf, -np.inf], np.nan)
    notices: list[str] = []
    keep = []
    for column in numeric.columns:
        values = numeric[column]
        if values.notna().all():
            if values.nunique() > 1:
                keep.append(column)
            else:
                notices.append(f"Attribute '{column}' is the same for every node: not used as a feature.")
        elif values.notna().any():  # numeric somewhere, missing or NaN elsewhere
            bad = values.isna().to_numpy()
            notices.append(
                f"Attribute '{column}' is missing, NaN or not a number on {int(bad.sum())} of {len(bad)} "
                f"nodes (first: '{node_names[int(bad.argmax())]}'): not used as a feature."
            )
    return numeric.loc[:, keep], notices


def read_edge_list_file(path: Path, companions: list[Path]) -> Sample:
    """Edge list reader for the registry: companions whose name mentions 'label' are labels."""
    labels = next((p for p in companions if "label" in p.name.lower() or "class" in p.name.lower()), None)
    features = next((p for p in companions if p is not labels), None)
    return read_edge_list(path, features=features, labels=labels)


# ---------------------------------------------------------------- built-ins
def karate() -> Sample:
    """Zachary's karate club as PyG ships it: 34 members, 4 communities, one-hot features."""
    from torch_geometric.datasets import KarateClub

    data = KarateClub()[0]
    return make_sample(
        kind="graph",
        name="Zachary's karate club",
        source="builtin:karate",
        num_nodes=34,
        edge_index=data.edge_index,
        x=data.x,
        feature_names=[f"member {i}" for i in range(34)],
        y=data.y,
        label_names=[f"community {i}" for i in range(4)],
        extra={"train_mask": data.train_mask},
    )


def les_miserables() -> Sample:
    """Co-appearance of the characters of Les Misérables (77 nodes, weighted edges).

    Labels are the communities found by greedy modularity, for coloring; features
    are structural (degree, weighted degree, clustering, PageRank).
    """
    g = nx.les_miserables_graph()
    communities = nx.community.greedy_modularity_communities(g, weight="weight")
    label = {v: i for i, c in enumerate(communities) for v in c}
    pr = nx.pagerank(g, weight="weight")
    clustering = nx.clustering(g)
    feats = {
        v: {
            "degree": g.degree(v),
            "weighted degree": g.degree(v, weight="weight"),
            "clustering": clustering[v],
            "pagerank": pr[v],
            "community": f"community {label[v]}",
        }
        for v in g
    }
    h = nx.Graph()
    h.add_nodes_from((v, feats[v]) for v in g)
    h.add_edges_from(g.edges(data=True))
    return graph_to_sample(
        h,
        name="Les Misérables",
        source="builtin:les-miserables",
        label_attr="community",
        label_names=[f"community {i}" for i in range(len(communities))],
    )


def ba_shapes(seed: int = 0) -> Sample:
    """BA-Shapes (GNNExplainer's benchmark): a 300-node Barabási-Albert graph with 80 house motifs.

    Classes are base / house top / middle / bottom, with the ground-truth motif node and edge
    masks (``node_mask_gt``, ``edge_mask_gt``). Features are constant (10 ones), as in the
    benchmark, so only structure can explain a prediction.
    """
    from torch_geometric.datasets import ExplainerDataset
    from torch_geometric.datasets.graph_generator import BAGraph

    torch.manual_seed(seed)
    np.random.seed(seed)  # noqa: NPY002  PyG's barabasi_albert_graph draws from NumPy's global RNG
    data = ExplainerDataset(
        graph_generator=BAGraph(num_nodes=300, num_edges=5), motif_generator="house", num_motifs=80
    )[0]
    n = int(data.num_nodes)
    return make_sample(
        kind="graph",
        name="BA-Shapes",
        source="builtin:ba-shapes",
        num_nodes=n,
        edge_index=data.edge_index,
        x=np.ones((n, 10), np.float32),
        feature_names=[f"const {i}" for i in range(10)],
        y=data.y,
        label_names=["base", "house top", "house middle", "house bottom"],
        edge_values={"edge_mask_gt": data.edge_mask.float()},
        extra={"node_mask_gt": data.node_mask.bool()},
    )


def stochastic_block_model(seed: int = 0) -> Sample:
    """Four communities of 150 nodes (p_in = 0.08, p_out = 0.004) with 16 noisy Gaussian features.

    The features' means depend on the community, so both structure and features carry the class.
    """
    sizes, p_in, p_out = [150, 150, 150, 150], 0.08, 0.004
    probs = [[p_in if i == j else p_out for j in range(4)] for i in range(4)]
    g = nx.stochastic_block_model(sizes, probs, seed=seed)
    y = np.repeat(np.arange(4), sizes)
    rng = np.random.default_rng(seed)
    centers = rng.normal(0.0, 1.0, (4, 16))
    x = centers[y] + rng.normal(0.0, 1.5, (len(y), 16))
    edges = np.array(g.edges(), np.int64).T
    return make_sample(
        kind="graph",
        name="Stochastic block model",
        source="builtin:sbm",
        num_nodes=len(y),
        edge_index=edges,
        x=x,
        feature_names=[f"f{i}" for i in range(16)],
        y=y,
        label_names=[f"block {i}" for i in range(4)],
    )


BUILTINS = [
    Builtin("karate", "graph", "Karate club", "Zachary's karate club: 34 members, 4 communities.", karate),
    Builtin(
        "les-miserables",
        "graph",
        "Les Misérables",
        "Co-appearances of 77 characters in Victor Hugo's novel, colored by community.",
        les_miserables,
    ),
    Builtin(
        "ba-shapes",
        "graph",
        "BA-Shapes",
        "GNNExplainer's benchmark: house motifs on a Barabási-Albert graph, with ground-truth motif masks.",
        ba_shapes,
    ),
    Builtin(
        "sbm",
        "graph",
        "Stochastic block model",
        "600 nodes in 4 planted communities with community-dependent features.",
        stochastic_block_model,
    ),
]

READERS = [
    FileReader("graph", (".csv", ".tsv", ".txt", ".edges", ".edgelist"), read_edge_list_file),
    FileReader("graph", (".graphml", ".gml", ".gexf"), read_networkx_file),
]
