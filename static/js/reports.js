// Charts of the report pages and the dashboard, drawn with the vendored Chart.js.
// Data comes from json_script blocks; each chart has a table beside it for when this does not run.
(function () {
  "use strict";

  var COLOURS = ["#0f766e", "#2563eb", "#b45309", "#b91c1c", "#7c3aed", "#475569", "#db2777", "#15803d"];

  function readJSON(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function draw(canvas, config) {
    if (!canvas || !window.Chart) { return; }
    var existing = window.Chart.getChart(canvas);
    if (existing) { existing.destroy(); }
    config.options = Object.assign({
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: { legend: { display: config.data.datasets.length > 1 } }
    }, config.options || {});
    new window.Chart(canvas, config);
  }

  function reportCharts() {
    var charts = readJSON("chart-data") || [];
    charts.forEach(function (chart) {
      var canvas = document.getElementById("chart-" + chart.id);
      var datasets = chart.series.map(function (series, index) {
        var colour = COLOURS[index % COLOURS.length];
        return {
          label: series.label,
          data: series.data,
          borderColor: colour,
          backgroundColor: chart.kind === "bar" && chart.id === "status"
            ? chart.labels.map(function (_, i) { return COLOURS[i % COLOURS.length]; })
            : colour,
          tension: 0.2,
          spanGaps: true,
          maxBarThickness: 64
        };
      });
      var scales = { y: { beginAtZero: true, ticks: { precision: 0 } } };
      if (chart.percent) { scales.y.max = 100; }
      draw(canvas, { type: chart.kind, data: { labels: chart.labels, datasets: datasets }, options: { scales: scales } });
      if (canvas) { canvas.setAttribute("data-drawn", "1"); }
    });
  }

  function balanceTrend() {
    var trend = readJSON("balance-trend");
    var canvas = document.getElementById("chart-balance");
    if (!trend || !canvas) { return; }
    draw(canvas, {
      type: "line",
      data: { labels: trend.labels, datasets: [{ label: "Credits", data: trend.values, borderColor: COLOURS[0], backgroundColor: COLOURS[0], tension: 0.2, pointRadius: 2 }] },
      options: { scales: { x: { ticks: { maxTicksLimit: 6 } } } }
    });
    canvas.setAttribute("data-drawn", "1");
  }

  function drawAll() { reportCharts(); balanceTrend(); }

  document.addEventListener("DOMContentLoaded", drawAll);
})();
