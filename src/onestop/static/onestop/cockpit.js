/* Cockpit charts (X-7): the tiles' chart data comes from the page's json_script "cockpit-charts";
   every canvas names its tile and chart ("pipeline:0"). Nothing is computed here: the figures
   are the server's. */
(function () {
  "use strict";

  var COLOURS = ["#0d6efd", "#198754", "#fd7e14", "#6f42c1", "#dc3545", "#20c997", "#6c757d", "#0dcaf0"];

  function grid(chart) {
    /* A matrix drawn as bubbles (the risk heat map): integer axes 1…n named by their scales. */
    function axis(size, title, labels) {
      return {
        min: 0.5, max: size + 0.5, offset: false,
        title: { display: true, text: title },
        /* one tick per row or column, at its centre, named by the scale */
        afterBuildTicks: function (scale) {
          scale.ticks = labels.map(function (_label, index) { return { value: index + 1 }; });
        },
        ticks: { autoSkip: false, callback: function (value) { return labels[value - 1] || ""; } }
      };
    }
    var g = chart.grid;
    return { x: axis(g.columns, g.x_title, g.x_labels), y: axis(g.rows, g.y_title, g.y_labels) };
  }

  function axes(chart) {
    if (chart.grid) return grid(chart);
    var scales = {};
    var horizontal = !!chart.horizontal;
    var valueAxis = horizontal ? "x" : "y";
    scales[valueAxis] = { beginAtZero: true };
    if (chart.percent) { scales[valueAxis].min = 0; scales[valueAxis].max = 100; }
    chart.datasets.forEach(function (set) {
      if (set.axis && set.axis !== "y") {
        var extra = { beginAtZero: true, position: horizontal ? "top" : "right", grid: { drawOnChartArea: false } };
        if (set.axis === "percent") { extra.min = 0; extra.max = 100; }
        scales[set.axis] = extra;
      }
    });
    return scales;
  }

  function draw() {
    var source = document.getElementById("cockpit-charts");
    if (!source || typeof Chart === "undefined") return;
    var data = JSON.parse(source.textContent);
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var ref = canvas.getAttribute("data-chart").split(":");
      var chart = (data[ref[0]] || [])[parseInt(ref[1], 10)];
      if (!chart) return;
      var horizontal = !!chart.horizontal;
      var datasets = chart.datasets.map(function (set, index) {
        var colour = set.colour || COLOURS[index % COLOURS.length];
        if (set.colours) colour = set.colours;  /* one colour per bar (e.g. the warning levels) */
        var result = {
          label: set.label,
          data: set.data,
          type: set.type || chart.type,
          backgroundColor: colour,
          borderColor: colour,
          spanGaps: true
        };
        if (set.axis && set.axis !== "y") {
          result[horizontal ? "xAxisID" : "yAxisID"] = set.axis;
        }
        return result;
      });
      canvas.chart = new Chart(canvas, {
        type: chart.type,
        data: { labels: chart.labels, datasets: datasets },
        options: {
          responsive: true,
          maintainAspectRatio: false,
          animation: false,
          indexAxis: horizontal ? "y" : "x",
          scales: axes(chart),
          plugins: {
            legend: { position: "bottom" },
            tooltip: { callbacks: { label: function (item) {
              var raw = item.raw;
              return raw && raw.count !== undefined ? item.dataset.label + ": " + raw.count : undefined;
            } } }
          },
          /* A point that carries the address of its records opens them (the heat map's cells). */
          onClick: function (event, elements) {
            if (!elements.length) return;
            var hit = elements[0];
            var point = datasets[hit.datasetIndex].data[hit.index];
            if (point && point.url) window.location.href = point.url;
          }
        }
      });
      canvas.setAttribute("data-drawn", "true");
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
