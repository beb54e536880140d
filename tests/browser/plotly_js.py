"""JavaScript run in the page to find plotly charts and where a node is drawn.

Each chart is a ``div.js-plotly-plot`` holding plotly's own state (``_fullData``,
``_fullLayout``); node points carry their id in ``customdata``.
"""

#: (chartIndex, nodeId) -> {x, y} page coordinates of the node's point, or null.
NODE_POSITION = """
([chartIndex, nodeId]) => {
  const gd = document.querySelectorAll('.js-plotly-plot')[chartIndex];
  if (!gd || !gd._fullData) return null;
  const fl = gd._fullLayout;
  const rect = gd.getBoundingClientRect();
  for (const tr of gd._fullData) {
    if (!tr.customdata || tr.visible === false || tr.type.endsWith('3d')) continue;
    const ids = Array.from(tr.customdata, c => Array.isArray(c) ? c[0] : c);
    const k = ids.indexOf(nodeId);
    if (k < 0) continue;
    const xa = fl[tr.xaxis.replace('x', 'xaxis')], ya = fl[tr.yaxis.replace('y', 'yaxis')];
    return {x: rect.left + xa._offset + xa.l2p(tr.x[k]), y: rect.top + ya._offset + ya.l2p(tr.y[k])};
  }
  return null;
}
"""

#: chartIndex -> node ids of the trace named 'focus' (the highlighted focus node), or null.
FOCUS_IDS = """
(chartIndex) => {
  const gd = document.querySelectorAll('.js-plotly-plot')[chartIndex];
  if (!gd || !gd._fullData) return null;
  // _fullData, not data: plotly keeps typed arrays base64-encoded in `data`
  const tr = gd._fullData.find(t => t.name === 'focus');
  return tr ? Array.from(tr.customdata || [], c => Array.isArray(c) ? c[0] : c) : [];
}
"""

#: Number of rendered plotly charts.
CHART_COUNT = "() => document.querySelectorAll('.js-plotly-plot').length"
