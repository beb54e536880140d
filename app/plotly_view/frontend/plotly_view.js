// plotly_view: a plotly chart that keeps its DOM node, its WebGL contexts and its zoom across
// Streamlit reruns, and reports clicks and box/lasso selections.
//
// Runs as an st.components.v2 module in the app's own document (no iframe). Streamlit calls
// the default export on mount and again whenever `data` changes, always with the same
// `parentElement` while the component's key is unchanged. So the first call draws with
// Plotly.newPlot and every later call with Plotly.react on the same div: buffers are updated
// in place and no new WebGL context is created.
//
// data (from app/plotly_view/__init__.py): UTF-8 JSON bytes of
//   figure      fig.to_json(): {data, layout}; typed arrays as {dtype, bdata} (see reuse())
//   config      plotly config object; plotGlPixelRatio "device" means window.devicePixelRatio
//   height      chart height in px
//   plotly_url  where the offline plotly.min.js is served
//   click_selects  false: layout.clickmode is forced to "event" (see draw())
//   traces      only when Python sends large traces once (plotly_view(send_once=True)):
//               {hash: trace}, the large traces this chart has not been sent yet; figure.data
//               then names every large trace as {$ref: hash}, resolved from heldTraces()
//
// Updates keep what did not change: Plotly.react compares data arrays and the template by
// identity and, when any differs, recalculates and redraws every trace (the whole WebGL scene,
// ~0.1 s per chart in software GL). A figure parsed from JSON is new in every part, so reuse()
// swaps each part equal to what is drawn for the drawn object, and decodes typed arrays
// ({dtype, bdata}, which plotly.js would decode anew on every call) once. An update that only
// moves layout shapes (the selection marks of viz.nodes.node_scatter_marked) then redraws them
// alone.
//
// State sent back (setStateValue "event"): {kind: "click" | "select", event_id, points: [
//   {curve_number, point_index, customdata, x, y[, z]}]}. event_id strictly increases within a
// browser tab (also across remounts: it is at least Date.now()), so Python can tell a new
// event from the one it already handled. Empty selections and double-click deselects are not
// sent (they would only cost a rerun). "resend" (an id like event_id): a $ref named a trace
// this tab does not hold; Python then sends the chart's large traces again.

const STATE = "__nodescopePlotlyView";
const HELD = "__nodescopePlotlyTraces";
// Large traces kept per browser tab (shared by every chart: Python assumes at most 8 per chart).
const MAX_HELD = 64;

// The tab's large traces by hash, most recently used last (a Map keeps insertion order).
function heldTraces() {
  if (!window[HELD]) window[HELD] = new Map();
  return window[HELD];
}

function holdTraces(defs) {
  const held = heldTraces();
  for (const [hash, trace] of Object.entries(defs || {})) {
    held.delete(hash);
    held.set(hash, trace);
  }
  while (held.size > MAX_HELD) held.delete(held.keys().next().value);
}

// figure.data with each {$ref} replaced by the held trace (the object drawn last time, so
// Plotly.react sees it unchanged), or null when one is missing.
function resolveTraces(data) {
  const held = heldTraces();
  const out = [];
  for (const trace of data || []) {
    if (trace && typeof trace.$ref === "string") {
      const found = held.get(trace.$ref);
      if (!found) return null;
      held.delete(trace.$ref);
      held.set(trace.$ref, found);
      out.push(found);
    } else {
      out.push(trace);
    }
  }
  return out;
}

// loadPlotly(url): frontend/load_plotly.js, prepended to this module by app/plotly_view.

const TYPED_ARRAYS = {
  f8: Float64Array, f4: Float32Array, i4: Int32Array, u4: Uint32Array, i2: Int16Array,
  u2: Uint16Array, i1: Int8Array, u1: Uint8Array, u1c: Uint8ClampedArray,
};

// A 1-D typed array spec as plotly.py writes it, or null.
function typedArrayOf(spec) {
  const T = TYPED_ARRAYS[spec.dtype];
  if (!T || typeof spec.bdata !== "string" || spec.shape !== undefined || Object.keys(spec).length !== 2) {
    return null;
  }
  let bytes;
  if (Uint8Array.fromBase64) {
    bytes = Uint8Array.fromBase64(spec.bdata);
  } else {
    const bin = atob(spec.bdata);
    bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  }
  const out = new T(bytes.buffer);
  out.bdata = spec.bdata; // as plotly.js marks the arrays it decodes: compared on the next update
  out.dtype = spec.dtype;
  return out;
}

// `fresh` (parsed JSON, modified in place) with every part deep-equal to `drawn` replaced by
// the drawn object, and typed array specs decoded (or reused when their bytes are unchanged).
function reuse(drawn, fresh) {
  if (fresh === null || typeof fresh !== "object") return fresh;
  if (typeof fresh.bdata === "string" && typeof fresh.dtype === "string") {
    if (ArrayBuffer.isView(drawn) && drawn.bdata === fresh.bdata && drawn.dtype === fresh.dtype) return drawn;
    return typedArrayOf(fresh) || fresh;
  }
  const isArray = Array.isArray(fresh);
  const base =
    drawn !== null && typeof drawn === "object" && !ArrayBuffer.isView(drawn) && Array.isArray(drawn) === isArray
      ? drawn
      : undefined;
  let same = base !== undefined;
  if (isArray) {
    same = same && base.length === fresh.length;
    for (let i = 0; i < fresh.length; i++) {
      fresh[i] = reuse(base && base[i], fresh[i]);
      same = same && fresh[i] === base[i];
    }
  } else {
    const keys = Object.keys(fresh);
    same = same && Object.keys(base).length === keys.length;
    for (const k of keys) {
      fresh[k] = reuse(base && base[k], fresh[k]);
      same = same && fresh[k] === base[k];
    }
  }
  return same ? base : fresh;
}

function sameBytes(a, b) {
  if (!b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

let lastEventId = 0;
function nextEventId() {
  lastEventId = Math.max(Date.now(), lastEventId + 1);
  return lastEventId;
}

function toPoint(p) {
  const out = {
    curve_number: p.curveNumber,
    point_index: p.pointIndex !== undefined ? p.pointIndex : p.pointNumber,
    customdata: p.customdata === undefined ? null : p.customdata,
    x: p.x === undefined ? null : p.x,
    y: p.y === undefined ? null : p.y,
  };
  if (p.z !== undefined) out.z = p.z;
  return out;
}

// Sent at once, in plotly's event handler: a task queued for later would wait behind the next
// frame, and a WebGL frame can take hundreds of ms in software GL. With clickmode
// "event+select" one click fires plotly_selected and then plotly_click with the same point:
// the second is dropped.
function send(st, kind, points) {
  if (!points || points.length === 0 || st.disposed) return;
  const pts = Array.from(points, toPoint);
  const sig = JSON.stringify(pts.map((p) => [p.curve_number, p.point_index]));
  const now = performance.now();
  if (sig === st.lastSig && now - st.lastSentAt < 300) return;
  st.lastSig = sig;
  st.lastSentAt = now;
  st.gd.dataset.sentAt = now.toFixed(1);
  st.setStateValue("event", { kind, event_id: nextEventId(), points: pts });
}

function showError(st, err) {
  st.error.textContent = String((err && err.message) || err);
  st.error.style.display = "block";
  console.error(err);
}

async function draw(st) {
  const raw = st.latest;
  // Already drawn: a newer render drew this one's successor, or a rerun sent the same bytes.
  if (!raw || raw === st.drawn || sameBytes(raw, st.drawn)) return;
  const t0 = performance.now();
  const data = st.latestParsed;
  const resolved = resolveTraces(data.figure.data);
  if (resolved === null) {  // a named trace is not held here: ask for them all, draw that answer
    if (st.resendFor !== raw) {
      st.resendFor = raw;
      st.setStateValue("resend", nextEventId());
    }
    return;
  }
  st.drawn = raw;
  const Plotly = await loadPlotly(data.plotly_url);
  if (st.disposed) return;
  const fig = data.figure;
  const fresh = fig.layout || {};
  // plotly's own click-selection restyles and redraws the whole WebGL scene before the rerun,
  // which then draws the app's selection anyway: clicks only report, unless asked otherwise.
  if (!data.click_selects && fresh.clickmode !== "none") fresh.clickmode = "event";
  const traces = reuse(st.plotted ? st.gd.data : undefined, resolved);
  const layout = reuse(st.plotted ? st.gd.layout : undefined, fresh);
  const height = layout.height || data.height;
  st.gd.style.height = `${height}px`;
  // Plotly.react reruns the whole plot when the config changes: keep the same object while
  // its content is the same.
  const configJson = JSON.stringify(data.config || {});
  if (configJson !== st.configJson) {
    st.configJson = configJson;
    st.config = JSON.parse(configJson);
    // "device": WebGL drawn at the screen's own resolution, not plotly's default of 2x (4x the
    // pixels to shade on a standard screen: most of a 3D redraw in software GL).
    if (st.config.plotGlPixelRatio === "device") {
      st.config.plotGlPixelRatio = Math.min(4, Math.max(1, window.devicePixelRatio || 1));
    }
  }
  if (!st.plotted) {
    await Plotly.newPlot(st.gd, traces, layout, st.config);
    st.plotted = true;
    st.gd.on("plotly_click", (ev) => send(st, "click", ev && ev.points));
    st.gd.on("plotly_selected", (ev) => send(st, "select", ev && ev.points));
    st.resize = new ResizeObserver(() => {
      // Follow the container's width (sidebar toggled, window resized); a div being removed
      // reports size 0 first: not a plot to resize.
      if (st.gd._fullLayout && st.gd.isConnected && st.gd.offsetParent !== null) {
        Plotly.Plots.resize(st.gd).catch(() => {});
      }
    });
    st.resize.observe(st.gd);
    st.gd.dataset.newplots = String(Number(st.gd.dataset.newplots || 0) + 1);
  } else {
    await Plotly.react(st.gd, traces, layout, st.config);
    st.gd.dataset.reacts = String(Number(st.gd.dataset.reacts || 0) + 1);
  }
  // Timings (performance.now() ms) read by tests and benchmarks/bench_plotly_view.py.
  st.gd.dataset.drawMs = (performance.now() - t0).toFixed(1);
  st.gd.dataset.drawnAt = performance.now().toFixed(1);
  st.error.style.display = "none";
}

export default function (component) {
  const { data, parentElement, setStateValue } = component;
  let st = parentElement[STATE];
  if (!st) {
    const gd = document.createElement("div");
    gd.className = "nodescope-plotly-view";
    gd.style.width = "100%";
    const error = document.createElement("div");
    error.style.cssText = "display:none;color:#b00020;font:14px sans-serif;padding:8px";
    parentElement.appendChild(gd);
    parentElement.appendChild(error);
    st = { gd, error, chain: Promise.resolve(), plotted: false, disposed: false };
    parentElement[STATE] = st;
  }
  st.setStateValue = setStateValue;
  if (data && data !== st.latest && !sameBytes(data, st.latest)) {
    // Parsed on arrival, not when drawn: a payload overtaken before its draw may still carry
    // large traces that later payloads only name.
    st.latestParsed = JSON.parse(new TextDecoder().decode(data));
    holdTraces(st.latestParsed.traces);
  }
  st.latest = data;
  st.gd.dataset.receivedAt = performance.now().toFixed(1);
  // One draw at a time: a render that arrives while plotly.js loads or draws waits, and only
  // the newest data is drawn.
  st.chain = st.chain.then(() => draw(st)).catch((err) => showError(st, err));
  // Streamlit calls a returned cleanup when the element unmounts, but also at once when a
  // newer render overtook this call: dispose only once the element has left the page.
  return () =>
    setTimeout(() => {
      if (parentElement.isConnected || parentElement[STATE] !== st) return;
      st.disposed = true;
      if (st.resize) st.resize.disconnect();
      if (window.Plotly && st.plotted) window.Plotly.purge(st.gd);
      delete parentElement[STATE];
    }, 0);
}
