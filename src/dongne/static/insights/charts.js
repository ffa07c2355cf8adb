/* Dongne insights: draws the plotly figures embedded by the server as JSON.
   Each chart is <div data-figure="ID"> next to <script type="application/json" id="ID">{data, layout}</script>.
   Runs on the first load, after every htmx swap (filters) and after a history restore; plotly.js itself is
   served by this site (no CDN), and so are the map boundaries (see insights/geo.py). */
(function () {
  "use strict";

  function config(div) {
    return {
      responsive: true,
      displaylogo: false,
      modeBarButtonsToRemove: ["select2d", "lasso2d", "sendDataToCloud"],
      // Geo subplots want a base-map topojson even when it is hidden: ours is a local empty one.
      topojsonURL: div.getAttribute("data-topojson") || "/insights/topojson/",
      scrollZoom: false,
    };
  }

  function draw(div) {
    var source = document.getElementById(div.getAttribute("data-figure"));
    if (!source || !window.Plotly) return;
    var figure = JSON.parse(source.textContent);
    if (div.classList.contains("js-plotly-plot")) window.Plotly.purge(div);
    div.innerHTML = "";
    div.setAttribute("data-drawn", "pending");
    window.Plotly.newPlot(div, figure.data, figure.layout || {}, config(div)).then(
      function () { div.setAttribute("data-drawn", "yes"); },
      function () { div.setAttribute("data-drawn", "error"); }
    );
  }

  function render(root) {
    var scope = root && root.querySelectorAll ? root : document;
    var divs = Array.prototype.slice.call(scope.querySelectorAll("[data-figure]"));
    if (scope.matches && scope.matches("[data-figure]")) divs.push(scope);
    divs.forEach(draw);
  }

  function purge(root) {
    if (!window.Plotly || !root || !root.querySelectorAll) return;
    root.querySelectorAll(".js-plotly-plot").forEach(function (div) { window.Plotly.purge(div); });
  }

  window.dongneCharts = { render: render };

  if (window.htmx) {
    window.htmx.onLoad(render); // the first page load and every piece of swapped-in content
    document.body.addEventListener("htmx:beforeSwap", function (event) { purge(event.detail.target); });
    document.body.addEventListener("htmx:historyRestore", function () { render(document); });
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { render(document); });
  } else {
    render(document);
  }
})();
