"""X-Node's self-explanations in plain words, built deterministically from :func:`explain.xnode.analyse`.

For every node the text says, in this order:

1. what was predicted and how confidently (and the runner-up class);
2. which cues drove the prediction: the cues with the largest contributions, the strongest
   first, with their values in plain words and their rank among all nodes
   (:mod:`explain.cue_words`: "it lies on few shortest paths between other nodes, lower than 90%
   of nodes"), and their contribution in signed percentage points; then the cues that pointed
   most the other way;
3. how the nodes around it are labeled, from training labels only;
4. what would change it: given :func:`explain.counterfactual.search`'s result, the smallest
   verified change of a cue, a feature or a link that flips the prediction (or that none tried
   does); otherwise the smallest single-cue change that does, or the runner-up's margin;
5. how faithfully the explanation vector reproduces the model's internal representation.

A contribution follows :mod:`explain.xnode`'s one sign convention: p(predicted class) minus
p(predicted class) with that cue alone at the graph's average, positive when the cue supports
the prediction. The words read the very array the chart draws
(:func:`viz.explanation_view.contributions_figure` of :attr:`NodeExplanation.cues`), at the
precision of its hover (:func:`points`): a cue the text names "supports" has a positive bar, one
"pointing the other way" a negative bar, and "no single cue carries this prediction" is said
only when every bar is shorter than :data:`NOTABLE`.

The same inputs always give the same words; nothing is sent anywhere (no language model).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from nodescope.explain.counterfactual import Counterfactual, cue_change_words
from nodescope.explain.cue_words import CueFacts, CueWords, cue_words, ordered
from nodescope.explain.xnode import XNodeResult

#: Contributions whose magnitude is below this (probability units: half a percentage point)
#: are not named; "no single cue carries this prediction" means every one is below it.
NOTABLE = 0.005


@dataclass
class NodeExplanation:
    """One node's explanation.

    Attributes:
        node: the node id.
        text: the explanation in plain words (several sentences).
        predicted: the predicted class's name; ``predicted_index`` its id.
        confidence: the predicted class's probability.
        runner_up: the second most probable class's name, and ``runner_up_confidence`` its probability.
        cues: one row per cue, sorted by contribution (largest first): ``cue``, ``value``
            (own units; NaN for an unknown label agreement), ``shown`` (the raw number, for
            tooltips), ``words`` (the value in plain words with its rank, as the text says it:
            :mod:`explain.cue_words`), ``short`` (a few words, for chart labels), ``z`` (standard
            deviations from the graph average), ``percentile``
            (% of nodes with a lower value), ``contribution`` (probability points).
        neighbor_labels: training-labeled nodes within ``hops`` hops, per class name (non-zero only).
        counterfactual: the "what would change it" sentence.
        reconstruction_error: the Decoder's relative error for this node (0 perfect, 1 no better than
            the mean embedding; see :mod:`core.models.xnode`).
    """

    node: int
    text: str
    predicted: str
    predicted_index: int
    confidence: float
    runner_up: str | None
    runner_up_confidence: float
    cues: pd.DataFrame
    neighbor_labels: dict[str, int]
    counterfactual: str
    reconstruction_error: float


_ORDERED: dict[int, tuple[np.ndarray, list[np.ndarray]]] = {}


def _ordered_columns(result: XNodeResult) -> list[np.ndarray]:
    """Each cue's known raw values sorted (what ranks read), kept for the last result seen."""
    hit = _ORDERED.get(id(result))
    if hit is not None and hit[0] is result.raw:
        return hit[1]
    columns = [ordered(result.raw[:, k]) for k in range(result.raw.shape[1])]
    _ORDERED.clear()
    _ORDERED[id(result)] = (result.raw, columns)
    return columns


def words_of(result: XNodeResult, node: int, k: int) -> CueWords:
    """Cue column ``k`` of ``node`` in plain words (:func:`explain.cue_words.cue_words`)."""
    return cue_words(
        CueFacts(
            name=result.cue_names[k],
            value=float(result.raw[node, k]),
            ordered=_ordered_columns(result)[k],
            num_nodes=result.num_nodes,
            label_counts=result.label_counts[node],
            class_names=result.class_names,
            hops=result.hops,
        )
    )


def _confidence_word(p: float) -> str:
    return "high" if p >= 0.9 else "moderate" if p >= 0.6 else "low"


def _cue_phrase(result: XNodeResult, node: int, k: int) -> str:
    name = result.cue_names[k]
    if name == "no labeled neighbors":
        return "having no labeled node nearby" if result.raw[node, k] > 0.5 else "having labeled nodes nearby"
    words = words_of(result, node, k)
    return f"its {name} (it {words.says}{', ' + words.rank if words.rank else ''})"


def points(contribution: float) -> str:
    """A contribution (probability units) as the text writes it: signed percentage points.

    One decimal, as the chart's hover shows it: ``0.4036`` → ``"+40.4 points"``.
    """
    return f"{100.0 * contribution:+.1f} points"


def _named(result: XNodeResult, contrib: np.ndarray, node: int, k: int, predicted: int) -> str:
    """A cue's phrase and its contribution; says so when label agreement's sign may surprise.

    Label agreement is how unanimous the nearby training labels are, whatever their class: it
    can push against the predicted class although that class is the neighbors' majority.
    """
    text = f"{_cue_phrase(result, node, k)}, {points(contrib[k])}"
    counts = result.label_counts[node]
    if result.cue_names[k] == "label agreement" and counts.sum() > 0:
        majority_predicted = predicted < len(counts) and counts[predicted] == counts.max()
        if majority_predicted != (contrib[k] > 0):
            text += " (the model reads how unanimous the nearby labels are, not which class they agree on)"
    return text


def _drivers(result: XNodeResult, contrib: np.ndarray, node: int, predicted: int, p: float) -> str:
    """The cues for and against the prediction, from ``contrib`` (K,), the array the chart draws."""
    if not result.injects:
        return (
            "This model runs with explanation injection off, so the cues below describe the node "
            "but did not enter this prediction."
        )
    name = result.class_names[predicted]
    order = np.argsort(-contrib, kind="stable")
    pro = [k for k in order if contrib[k] >= NOTABLE][:3]
    con = [k for k in order[::-1] if contrib[k] <= -NOTABLE][: 1 if pro else 3]
    if not pro and not con:
        return (
            "No single cue carries this prediction: with any one of them at the graph's average, the "
            f"probability of {name} would move by less than half a percentage point."
        )

    def at_average(k: int) -> str:
        return f"with it at the graph's average, the probability of {name} would be {p - contrib[k]:.0%} instead of {p:.0%}"

    parts = []
    if pro:
        parts.append(
            f"What drove it most: {_named(result, contrib, node, pro[0], predicted)}; {at_average(pro[0])}."
        )
        if len(pro) > 1:
            parts.append(
                "Then " + " and ".join(_named(result, contrib, node, k, predicted) for k in pro[1:]) + "."
            )
    else:
        parts.append(
            f"No cue supports this prediction: with any one of them at the graph's average, the probability "
            f"of {name} would drop by less than half a percentage point, or rise."
        )
    if con:
        parts.append(
            f"Pointing the other way: {_named(result, contrib, node, con[0], predicted)}; {at_average(con[0])}."
        )
        if len(con) > 1:
            parts.append(
                "Then " + " and ".join(_named(result, contrib, node, k, predicted) for k in con[1:]) + "."
            )
    return " ".join(parts)


def _neighbors(result: XNodeResult, node: int, predicted: int) -> tuple[str, dict[str, int]]:
    counts = result.label_counts[node]
    names = result.class_names
    by_class = {names[c]: int(v) for c, v in enumerate(counts) if v > 0 and c < len(names)}
    total = int(counts.sum())
    hops = f"{result.hops} hop{'s' if result.hops > 1 else ''}"
    if total == 0:
        return f"No node within {hops} has a known (training) label.", by_class
    top = int(np.argmax(counts))
    most = int(counts[top])
    text = (
        f"Of the {total} node{'s' if total > 1 else ''} within {hops} with a known (training) label, "
        f"{most} {'is' if most == 1 else 'are'} {names[top]}"
    )
    if top == predicted:
        text += ", the predicted class."
    else:
        same = int(counts[predicted]) if predicted < len(counts) else 0
        text += f"; {same} {'is' if same == 1 else 'are'} {names[predicted]}."
    return text, by_class


def _counterfactual(
    result: XNodeResult,
    arrays: dict[str, np.ndarray],
    node: int,
    predicted: str,
    runner_up: str | None,
    margin: float,
) -> str:
    k = int(arrays["flip_cue"][node])
    if k < 0:
        tail = f"; {predicted} leads {runner_up} by {margin * 100:.0f} points." if runner_up else "."
        tried = (
            "up to two standard deviations, within this graph's range"
            if result.injects
            else "none enter the prediction"
        )
        return f"No single cue change we tried ({tried}) changes the prediction{tail}"
    new = result.class_names[int(arrays["flip_class"][node])]
    change = cue_change_words(
        result, node, result.cue_names[k], float(result.z[node, k]), float(arrays["flip_z"][node])
    )
    return f"What would change it: if {change}, the model would predict {new}."


def _faithfulness(error: float) -> str:
    if not np.isfinite(error):
        return (
            "How much of the model's internal picture the explanation reproduces cannot be measured "
            "here: the model gives every node nearly the same internal representation before its last "
            "layer, so there is no variation for the explanation to account for."
        )
    return (
        f"The explanation accounts for {_share_words(1.0 - error)} of the model's internal picture "
        f"of this node (of what sets it apart from an average node; reconstruction error "
        f"{error:.2f}: 0 is perfect, 1 no better than the average node's picture)."
    )


def _share_words(share: float) -> str:
    """A share of the picture in words: "about 80 %", "almost all", "hardly any" (below 5 %)."""
    if share >= 0.975:
        return "almost all"
    if share < 0.05:
        return "hardly any"
    return f"about {5 * round(20 * share)} %"


def _arrays(result: XNodeResult) -> dict[str, np.ndarray]:
    """The result's tensors as NumPy arrays, converted once for a loop over nodes."""
    order = np.argsort(-result.probs.numpy(), axis=1, kind="stable")
    return {
        "probs": result.probs.numpy(),
        "order": order,
        "contributions": result.contributions.numpy(),
        "flip_cue": result.flip_cue.numpy(),
        "flip_class": result.flip_class.numpy(),
        "flip_z": result.flip_z.numpy(),
        "recon_error": result.recon_error.numpy(),
    }


def _parts(
    result: XNodeResult, arrays: dict[str, np.ndarray], node: int, searched: Counterfactual | None = None
) -> dict:
    probs, order = arrays["probs"][node], arrays["order"][node]
    pred, p = int(order[0]), float(probs[order[0]])
    names = result.class_names
    runner, p2 = (names[int(order[1])], float(probs[order[1]])) if len(order) > 1 else (None, 0.0)
    neighbors, by_class = _neighbors(result, node, pred)
    if searched is not None and searched.node == node:
        counterfactual = searched.sentence
    else:
        counterfactual = _counterfactual(result, arrays, node, names[pred], runner, p - p2)
    error = float(arrays["recon_error"][node])
    head = f"Predicted {names[pred]} with {_confidence_word(p)} confidence ({p:.0%})"
    head += f"; the runner-up is {runner} ({p2:.0%})." if runner else "."
    drivers = _drivers(result, arrays["contributions"][node], node, pred, p)
    text = " ".join([head, drivers, neighbors, counterfactual, _faithfulness(error)])
    return {
        "pred": pred,
        "p": p,
        "runner": runner,
        "p2": p2,
        "text": text,
        "by_class": by_class,
        "counterfactual": counterfactual,
        "error": error,
    }


def explain_node(
    result: XNodeResult, node: int, counterfactual: Counterfactual | None = None
) -> NodeExplanation:
    """The explanation of ``node`` (see the module docstring).

    Args:
        result: the analysis.
        node: the node.
        counterfactual: :func:`explain.counterfactual.search` of this node, whose sentence then
            says what would change it (default: the single-cue change of the analysis).
    """
    if not 0 <= node < result.num_nodes:
        raise IndexError(f"node {node} is not in this graph (0..{result.num_nodes - 1})")
    parts = _parts(result, _arrays(result), node, counterfactual)
    words = [words_of(result, node, k) for k in range(len(result.cue_names))]
    cues = pd.DataFrame(
        {
            "cue": list(result.cue_names),
            "value": result.raw[node],
            "shown": [w.raw for w in words],
            "words": [w.sentence for w in words],
            "short": [w.short for w in words],
            "z": result.z[node].numpy(),
            "percentile": result.percentile[node],
            "contribution": result.contributions[node].numpy(),
        }
    ).sort_values("contribution", ascending=False, kind="stable", ignore_index=True)
    return NodeExplanation(
        node=node,
        text=parts["text"],
        predicted=result.class_names[parts["pred"]],
        predicted_index=parts["pred"],
        confidence=parts["p"],
        runner_up=parts["runner"],
        runner_up_confidence=parts["p2"],
        cues=cues,
        neighbor_labels=parts["by_class"],
        counterfactual=parts["counterfactual"],
        reconstruction_error=parts["error"],
    )


def _top_cue(result: XNodeResult, contrib: np.ndarray) -> str:
    """The cue with the largest contribution in ``contrib`` (K,), "" when none supports the prediction."""
    k = int(np.argmax(contrib))
    return result.cue_names[k] if result.injects and contrib[k] >= NOTABLE else ""


def explain_all(result: XNodeResult) -> pd.DataFrame:
    """One row per node of X-Node's prediction, cues, contributions and text.

    Columns ``node``, ``predicted``, ``confidence``, ``runner_up``, ``runner_up_confidence``,
    ``top_cue`` (the cue the text says drove it most: the largest contribution, empty when none
    reaches :data:`NOTABLE` or injection is off), each cue's value (column named
    after the cue) and contribution (``<cue> contribution``), ``reconstruction_error``,
    ``counterfactual`` and ``text``.
    """
    rows = []
    arrays = _arrays(result)
    contrib = arrays["contributions"]
    for node in range(result.num_nodes):
        parts = _parts(result, arrays, node)
        row = {
            "node": node,
            "predicted": result.class_names[parts["pred"]],
            "confidence": parts["p"],
            "runner_up": parts["runner"],
            "runner_up_confidence": parts["p2"],
            "top_cue": _top_cue(result, contrib[node]),
        }
        row |= {name: float(result.raw[node, k]) for k, name in enumerate(result.cue_names)}
        row |= {f"{name} contribution": float(contrib[node, k]) for k, name in enumerate(result.cue_names)}
        row |= {
            "reconstruction_error": parts["error"],
            "counterfactual": parts["counterfactual"],
            "text": parts["text"],
        }
        rows.append(row)
    return pd.DataFrame(rows)
