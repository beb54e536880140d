"""The README's over-smoothing figure: the page's own curves for Cora, as a PNG.

Draws, from the shipped sweep ``assets/sweeps/cora.json``, the Dirichlet energy per layer of
64-layer models at initialization (log scale) beside the trained accuracy against depth, with
the figure functions the app uses (:mod:`viz.oversmoothing_view`), and photographs them in
headless Chromium (no kaleido needed): ``assets/screenshots/oversmoothing-cora.png``.

Usage::

    .venv/bin/python examples/oversmoothing_figure.py [--dataset cora] [--metric dirichlet]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from nodescope.core.models import MODELS  # noqa: E402
from nodescope.core.sweeps import precomputed  # noqa: E402
from nodescope.explain.oversmoothing import METRICS  # noqa: E402
from nodescope.viz.oversmoothing_view import accuracy_depth_figure, metric_curves_figure  # noqa: E402
from tests.browser.harness import CHROMIUM_ARGS, chromium_path  # noqa: E402

CURVE_MODELS = ("gcn", "gcn-res", "gcn-pairnorm", "gcnii", "appnp", "dagnn")
WIDTH, HEIGHT = 1400, 480


def page_html(dataset: str, metric: str) -> str:
    sweeps = precomputed(dataset)
    if "untrained" not in sweeps:
        sys.exit(f"no shipped sweep for {dataset}: run examples/precompute_sweeps.py first")
    untrained = sweeps["untrained"]
    depth = max(untrained.config.depths)
    models = [m for m in CURVE_MODELS if m in untrained.config.models]
    names = {m: MODELS[m].title for m in MODELS}
    figs = [
        metric_curves_figure(
            {m: untrained.curve(m, depth, metric) for m in models},
            metric_title=METRICS[metric].title,
            names=names,
            log_y=METRICS[metric].log_scale,
            title=f"{dataset.capitalize()}: {METRICS[metric].title} per layer, {depth}-layer models at initialization",
        )
    ]
    if "trained" in sweeps:
        trained = sweeps["trained"]
        acc = {m: trained.accuracy(m) for m in trained.config.models}
        figs.append(
            accuracy_depth_figure(
                acc,
                names=names,
                title=f"{dataset.capitalize()}: test accuracy vs depth, trained ({trained.config.seeds} seed(s))",
            )
        )
    width = WIDTH // len(figs)
    divs = []
    for i, fig in enumerate(figs):
        fig.update_layout(width=width, height=HEIGHT, template="plotly_white")
        divs.append(fig.to_html(full_html=False, include_plotlyjs="inline" if i == 0 else False))
    cells = "".join(f'<div style="display:inline-block">{d}</div>' for d in divs)
    return f"<html><body style='margin:0;background:white;white-space:nowrap'>{cells}</body></html>"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="cora")
    parser.add_argument("--metric", default="dirichlet", choices=list(METRICS))
    parser.add_argument(
        "--out", type=Path, default=REPO / "assets" / "screenshots" / "oversmoothing-cora.png"
    )
    args = parser.parse_args()
    exe = chromium_path()
    if exe is None:
        sys.exit("no Chromium found: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        html = Path(tmp) / "figure.html"
        html.write_text(page_html(args.dataset, args.metric))
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
            page.goto(html.as_uri())
            page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot').length > 0")
            time.sleep(1)  # let plotly finish drawing
            page.screenshot(path=str(args.out))
            browser.close()
    print("saved", args.out)


if __name__ == "__main__":
    main()
