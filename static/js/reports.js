// Charts of the report pages and the dashboard, drawn with the vendored Chart.js.
// Data comes from json_script blocks; each chart has a table beside it for when this does not run.
// Colours come from static/css/app.css: a status's tone (the --tone of a .state-NAME element) and
// the chart tokens, so charts follow light and dark mode; they redraw when the appearance changes.
(function () {
  "use strict";

  var SERIES_TONES = ["delivered", "scheduled", "unknown", "failed", "pending"];

  function readJSON(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function cssVar(name, element) {
    return window.getComputedStyle(element || document.body).getPropertyValue(name).trim();
  }

  // The solid colour of a status ("Delivered", "Failed", ...) as the badges have it.
  function toneOf(status) {
    var probe = document.createElement("span");
    probe.className = "state state-" + String(status).toLowerCase().replace(/\s+/g, "_");
    probe.hidden = true;
    document.body.appendChild(probe);
    var colour = cssVar("--tone", probe);
    probe.remove();
    return colour;
  }

  // Days ("2026-12-04") as UTC midnights, so the axis spaces them by time and prints them as dates.
  function dayValue(iso) {
    var p = iso.split("-");
    return Date.UTC(+p[0], +p[1] - 1, +p[2]);
  }

  function formatter(options) {
    var locale = document.documentElement.lang || undefined;
    var format = new Intl.DateTimeFormat(locale, options);
    return function (value) { return format.format(new Date(value)); };
  }

  function timeAxis(min, max, format, unitMs) {
    return {
      type: "linear",
      min: min - unitMs / 2,
      max: max + unitMs / 2,
      grid: { color: cssVar("--chart-grid") },
      ticks: {
        color: cssVar("--chart-text"),
        maxTicksLimit: 7,
        stepSize: unitMs,
        callback: function (value) { return value >= min - 1 && value <= max + 1 ? format(value) : ""; }
      }
    };
  }

  // At most `limit` of the values, evenly picked, always with the first and the last.
  function thinned(values, limit) {
    if (values.length <= limit) { return values.slice(); }
    var step = (values.length - 1) / (limit - 1);
    var out = [];
    for (var i = 0; i < limit; i++) { out.push(values[Math.round(i * step)]); }
    return out;
  }

  function draw(canvas, config) {
    if (!canvas || !window.Chart) { return; }
    var existing = window.Chart.getChart(canvas);
    if (existing) { existing.destroy(); }
    var text = cssVar("--chart-text");
    config.options = Object.assign({
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: { legend: { display: config.data.datasets.length > 1, labels: { color: text } } }
    }, config.options || {});
    new window.Chart(canvas, config);
    canvas.setAttribute("data-drawn", "1");
  }

  function valueAxis(chart) {
    var axis = { beginAtZero: true, ticks: { precision: 0, color: cssVar("--chart-text") }, grid: { color: cssVar("--chart-grid") } };
    if (chart.percent) { axis.max = 100; }
    return axis;
  }

  function reportCharts() {
    var charts = readJSON("chart-data") || [];
    var DAY = 24 * 3600 * 1000;
    charts.forEach(function (chart) {
      if (chart.kind === "figure") { return; }
      var canvas = document.getElementById("chart-" + chart.id);
      var timed = Boolean(chart.x);
      var datasets = chart.series.map(function (series, index) {
        var colour = chart.tone ? toneOf(chart.tone) : toneOf(SERIES_TONES[index % SERIES_TONES.length]);
        var data = timed
          ? series.data.map(function (y, i) { return { x: dayValue(chart.x[i]), y: y }; })
          : series.data;
        return {
          label: series.label,
          data: data,
          borderColor: colour,
          backgroundColor: chart.tones ? chart.labels.map(toneOf) : colour,
          tension: 0.2,
          spanGaps: false,
          pointRadius: 3,
          maxBarThickness: 64
        };
      });
      var scales = { y: valueAxis(chart) };
      if (timed) {
        var xs = chart.x.map(dayValue);
        scales.x = timeAxis(Math.min.apply(null, xs), Math.max.apply(null, xs), formatter({ day: "numeric", month: "short", timeZone: "UTC" }), DAY);
        scales.x.afterBuildTicks = function (axis) { axis.ticks = thinned(xs, 7).map(function (v) { return { value: v }; }); };
      } else {
        scales.x = { ticks: { color: cssVar("--chart-text") }, grid: { display: false } };
      }
      var type = chart.kind;
      var options = { scales: scales, parsing: timed ? { xAxisKey: "x", yAxisKey: "y" } : undefined };
      if (timed) {
        options.plugins = { legend: { display: false }, tooltip: { callbacks: { title: function (items) { return chart.labels[items[0].dataIndex]; } } } };
      }
      draw(canvas, { type: type, data: timed ? { datasets: datasets } : { labels: chart.labels, datasets: datasets }, options: options });
    });
  }

  // The balance as it was checked: uneven moments, spaced by time on the axis.
  function balanceTrend() {
    var trend = readJSON("balance-trend");
    var canvas = document.getElementById("chart-balance");
    if (!trend || !canvas || !trend.times.length) { return; }
    var colour = toneOf("scheduled");
    var zone = trend.zone || undefined;
    var min = Math.min.apply(null, trend.times);
    var max = Math.max.apply(null, trend.times);
    var span = Math.max(max - min, 3600 * 1000);
    var short = span <= 2 * 24 * 3600 * 1000;
    var format = formatter(short ? { hour: "2-digit", minute: "2-digit", timeZone: zone } : { day: "numeric", month: "short", timeZone: zone });
    var axis = timeAxis(min, max, format, span / 6);
    axis.min = min;
    axis.max = max;
    axis.ticks.stepSize = undefined;
    axis.ticks.callback = function (value) { return format(value); };
    axis.afterBuildTicks = function (scale) {
      var ticks = [];
      for (var i = 0; i <= 5; i++) { ticks.push({ value: min + (span * i) / 5 }); }
      scale.ticks = ticks;
    };
    draw(canvas, {
      type: "line",
      data: { datasets: [{ label: trend.label, data: trend.times.map(function (t, i) { return { x: t, y: trend.values[i] }; }), borderColor: colour, backgroundColor: colour, tension: 0.2, pointRadius: 2 }] },
      options: {
        scales: { x: axis, y: { ticks: { color: cssVar("--chart-text") }, grid: { color: cssVar("--chart-grid") } } },
        plugins: { legend: { display: false }, tooltip: { callbacks: { title: function (items) { return trend.labels[items[0].dataIndex]; } } } }
      }
    });
  }

  function drawAll() { reportCharts(); balanceTrend(); }

  document.addEventListener("DOMContentLoaded", drawAll);
  document.addEventListener("themechange", drawAll);
  if (window.matchMedia) {
    window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", drawAll);
  }
})();
