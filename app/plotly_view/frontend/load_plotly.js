// Shared by the plotly_view component (prepended to plotly_view.js) and the preload that
// app/plotly_view.preload_plotly_js() puts on a page: both start or join one load.

// One plotly.js per page, loaded once by a classic script element (the UMD bundle sets
// window.Plotly). No "<" followed by a letter or "/" anywhere in this file: st.html's sanitizer
// (DOMPurify, SAFE_FOR_XML) drops a script whose text has one, and the preload with it.
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
