/* The cost page's charts (RES-6, RES-7): data from the page's json_script "cost-charts". */
(function () {
  "use strict";

  var palette = ["#0d6efd", "#fd7e14", "#6f42c1", "#20c997", "#d63384", "#6c757d"];

  function money(value) {
    return value === null || value === undefined ? "—" : Number(value).toLocaleString(undefined, { maximumFractionDigits: 0 });
  }

  function draw() {
    var source = document.getElementById("cost-charts");
    if (!source || typeof Chart === "undefined") return;
    var data = JSON.parse(source.textContent);
    var labels = data.labels;

    function make(id, config) {
      var canvas = document.getElementById(id);
      if (!canvas) return;
      config.options = Object.assign({ responsive: true, maintainAspectRatio: false, animation: false }, config.options || {});
      config.options.plugins = Object.assign({
        tooltip: { callbacks: { label: function (item) { return item.dataset.label + ": " + money(item.raw); } } }
      }, config.options.plugins || {});
      canvas.chart = new Chart(canvas, config);
    }

    make("chart-cumulative", {
      type: "line",
      data: {
        labels: data.months,
        datasets: [
          { label: labels.cumulative, data: data.cumulative, borderColor: "#dc3545", backgroundColor: "#dc3545", tension: 0.1, spanGaps: false },
          { label: labels.planned, data: data.planned_value, borderColor: "#0d6efd", backgroundColor: "#0d6efd", borderDash: [6, 4], tension: 0.1 },
          { label: labels.budget, data: data.budget_line, borderColor: "#6c757d", backgroundColor: "#6c757d", pointRadius: 0, borderWidth: 1 }
        ]
      },
      options: { scales: { y: { beginAtZero: true, ticks: { callback: money } } } }
    });

    make("chart-monthly", {
      type: "bar",
      data: {
        labels: data.months,
        datasets: data.stacked.map(function (series, index) {
          return { label: series.label, data: series.data, backgroundColor: palette[index % palette.length] };
        })
      },
      options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { callback: money } } } }
    });

    make("chart-categories", {
      type: "bar",
      data: {
        labels: data.categories,
        datasets: [
          { label: labels.budget, data: data.category_budget, backgroundColor: "#adb5bd" },
          { label: labels.actual, data: data.category_actual, backgroundColor: "#dc3545" }
        ]
      },
      options: { indexAxis: "y", scales: { x: { beginAtZero: true, ticks: { callback: money } } } }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
