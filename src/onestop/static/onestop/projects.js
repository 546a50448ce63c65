/* Project pages (PRJ-1, PRJ-2): the read-only Gantt chart of milestones and tasks.
 * Data comes from a json_script element (CSP forbids inline scripts). */
(function () {
  "use strict";

  function renderGantt() {
    var holder = document.getElementById("gantt");
    var source = document.getElementById("gantt-data");
    if (!holder || !source || typeof window.Gantt === "undefined") {
      return;
    }
    var rows = JSON.parse(source.textContent);
    if (!rows.length) {
      return;
    }
    var lang = (document.documentElement.lang || "en").toLowerCase();
    var gantt = new window.Gantt(holder, rows, {
      view_mode: holder.dataset.viewMode || "Week",
      // Our own translated scale buttons (#gantt-modes) replace the library's English ones.
      view_mode_select: false,
      readonly: true,
      // Weekend highlighting is drawn with inline style attributes, which the CSP refuses.
      holidays: {},
      today_button: false,
      popup_on: "hover",
      container_height: "auto",
      scroll_to: "start",
      language: lang.indexOf("zh") === 0 ? "zh" : "en",
      popup: function (ctx) {
        ctx.set_title(ctx.task.name);
        ctx.set_subtitle(ctx.task._start.toISOString().slice(0, 10) + " – " +
          new Date(ctx.task._end.getTime() - 1).toISOString().slice(0, 10));
        ctx.set_details(ctx.task.progress + "%");
      },
    });
    holder.dataset.rendered = "1";
    window.onestopGantt = gantt;
    var modes = document.getElementById("gantt-modes");
    if (modes) {
      modes.addEventListener("click", function (event) {
        var button = event.target.closest("[data-gantt-mode]");
        if (!button) {
          return;
        }
        gantt.change_view_mode(button.dataset.ganttMode);
        modes.querySelectorAll("[data-gantt-mode]").forEach(function (other) {
          other.classList.toggle("active", other === button);
        });
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", renderGantt);
  } else {
    renderGantt();
  }
})();
