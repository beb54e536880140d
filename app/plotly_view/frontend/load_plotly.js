// Shared by the plotly_view component (prepended to plotly_view.js) and the preload that
// app/plotly_view.preload_plotly_js() puts on a page: both start or join one load.

// One plotly.js per page, loaded once by a classic <script> (the UMD bundle sets window.Plotly).
function loadPlotly(url) {
  if (!window.__nodescopePlotly) {
    window.__nodescopePlotly = new Promise((resolve, reject) => {
      if (window.Plotly && window.Plotly.react) return resolve(window.Plotly);
      const s = document.createElement("script");
      s.src = url;
      s.async = true;
      s.onload = () => resolve(window.Plotly);
      s.onerror = () => {
        window.__nodescopePlotly = null; // let a later render retry
        reject(new Error(`plotly_view: could not load plotly.js from ${url}`));
      };
      document.head.appendChild(s);
    });
  }
  return window.__nodescopePlotly;
}
