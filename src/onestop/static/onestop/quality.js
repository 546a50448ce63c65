/* Quality analysis charts (QA-3): the data comes from the page's json_script "quality-charts". */
(function () {
  "use strict";

  function draw() {
    var source = document.getElementById("quality-charts");
    if (!source || typeof Chart === "undefined") return;
    var data = JSON.parse(source.textContent);
    var labels = data.labels;
    var blue = "#0d6efd", red = "#dc3545", green = "#198754", grey = "#6c757d";

    function make(id, config) {
      var canvas = document.getElementById(id);
      if (!canvas) return;
      config.options = Object.assign({ responsive: true, maintainAspectRatio: false, animation: false }, config.options || {});
      canvas.chart = new Chart(canvas, config);
    }

    make("chart-trend", {
      type: "bar",
      data: {
        labels: data.trend.labels,
        datasets: [
          { type: "bar", label: labels.inspections, data: data.trend.total, backgroundColor: blue, yAxisID: "y" },
          { type: "bar", label: labels.failed, data: data.trend.failed, backgroundColor: red, yAxisID: "y" },
          { type: "line", label: labels.rate, data: data.trend.rate, borderColor: green, backgroundColor: green, yAxisID: "rate" }
        ]
      },
      options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } }, rate: { position: "right", min: 0, max: 100, grid: { drawOnChartArea: false } } } }
    });

    function pareto(id, series) {
      make(id, {
        type: "bar",
        data: {
          labels: series.labels,
          datasets: [
            { type: "bar", label: labels.findings, data: series.counts, backgroundColor: red, yAxisID: "y" },
            { type: "line", label: labels.cumulative, data: series.cumulative, borderColor: grey, backgroundColor: grey, yAxisID: "pct" }
          ]
        },
        options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } }, pct: { position: "right", min: 0, max: 100, grid: { drawOnChartArea: false } } } }
      });
    }
    pareto("chart-category", data.category);
    pareto("chart-cause", data.cause);

    make("chart-phase", {
      type: "bar",
      data: { labels: data.phase.labels, datasets: [{ label: labels.rate, data: data.phase.rates, backgroundColor: green }] },
      options: { indexAxis: "y", scales: { x: { min: 0, max: 100 } } }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
