"""JavaScript run in the page to find plotly charts and where a node is drawn.

Each chart is a ``div.js-plotly-plot`` holding plotly's own state (``_fullData``,
``_fullLayout``); node points carry their id in ``customdata``. The selection and the focus
are drawn either as traces ("selected (k)", "focus": viz.nodes.node_scatter_traces, 3D views)
or as layout shapes named "selected <id>" / "focus <id>" (viz.nodes.node_scatter_marked); the
helpers read both.
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

#: (gd, name) -> node ids marked by the trace ``name`` ("focus", "selected (k)") or, failing
#: that, by the layout shapes named "<name> <node id>"; null when neither exists.
_MARKED_IDS = r"""
(gd, name) => {
  // _fullData, not data: plotly keeps typed arrays base64-encoded in `data`
  const tr = gd._fullData.find(t => t.name === name || t.name.startsWith(name + ' ('));
  if (tr) return Array.from(tr.customdata || [], c => Array.isArray(c) ? c[0] : c);
  const ids = (gd._fullLayout.shapes || []).map(s => s.name || '')
    .filter(n => n.startsWith(name + ' ') && /^\d+$/.test(n.slice(name.length + 1)))
    .map(n => Number(n.slice(name.length + 1)));
  return ids.length ? ids : null;
}
"""

#: chartIndex -> node ids of the focus mark (the highlighted focus node), [] when none, or null.
FOCUS_IDS = f"""
(chartIndex) => {{
  const gd = document.querySelectorAll('.js-plotly-plot')[chartIndex];
  if (!gd || !gd._fullData) return null;
  return ({_MARKED_IDS})(gd, 'focus') || [];
}}
"""

#: chartIndex -> node ids drawn as selected (outlined), [] when none, or null.
SELECTED_IDS = f"""
(chartIndex) => {{
  const gd = document.querySelectorAll('.js-plotly-plot')[chartIndex];
  if (!gd || !gd._fullData) return null;
  return ({_MARKED_IDS})(gd, 'selected') || [];
}}
"""

#: Number of rendered plotly charts.
CHART_COUNT = "() => document.querySelectorAll('.js-plotly-plot').length"
#: Titles of every chart on the page, joined by " | ".
CHART_TITLES = """() => Array.from(document.querySelectorAll('.js-plotly-plot'))
  .map((gd) => (gd._fullLayout && gd._fullLayout.title && gd._fullLayout.title.text) || '').join(' | ')"""
#: (chartIndex) -> the title of that chart ('' when it has none or is not drawn yet).
CHART_TITLE = """(i) => {
  const gd = document.querySelectorAll('.js-plotly-plot')[i];
  return (gd && gd._fullLayout && gd._fullLayout.title && gd._fullLayout.title.text) || '';
}"""
#: Indices of the charts whose title contains the text given.
CHART_WITH_TITLE = """(text) => Array.from(document.querySelectorAll('.js-plotly-plot'))
  .map((gd, i) => [i, (gd._fullLayout && gd._fullLayout.title && gd._fullLayout.title.text) || ''])
  .filter(([, t]) => t.includes(text)).map(([i]) => i)"""
