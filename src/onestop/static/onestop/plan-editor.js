// The plan editor (PLN-1): add a row from the formset's empty row, remove one (it is marked for
// deletion and hidden: the server deletes it on save), and the budget total against the fee.
"use strict";

const amountOf = (text) => {
  const value = Number.parseFloat(String(text || "").replace(/[,\s]/g, ""));
  return Number.isFinite(value) ? value : 0;
};
const grouped = (value) =>
  value.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

const updateBudget = (editor) => {
  const box = editor.querySelector("#budget-total");
  if (!box) return;
  let total = 0;
  editor.querySelectorAll('[data-formset="budget"] tr[data-row]').forEach((row) => {
    if (row.hidden) return;
    const input = row.querySelector('input[name$="-amount"]');
    if (input) total += amountOf(input.value);
  });
  box.querySelector("[data-budget-total]").textContent = grouped(total);
  const fee = box.dataset.fee === "" ? null : amountOf(box.dataset.fee);
  const over = box.querySelector("#budget-over");
  if (fee === null || total <= fee + 0.0001) {
    over.hidden = true;
  } else {
    over.querySelector("[data-budget-over]").textContent = grouped(total - fee);
    over.hidden = false;
  }
};

const countRows = (part) => {
  const shown = part.querySelectorAll("tr[data-row]:not([hidden])").length;
  part.querySelector("[data-row-count]").textContent = String(shown);
  part.querySelector("[data-empty-note]").hidden = shown > 0;
};

document.addEventListener("DOMContentLoaded", () => {
  const editor = document.getElementById("plan-editor");
  if (!editor) return;
  editor.querySelectorAll("[data-formset]").forEach((part) => {
    const prefix = part.dataset.formset;
    const total = part.querySelector(`input[name="${prefix}-TOTAL_FORMS"]`);
    part.querySelector("[data-add-row]").addEventListener("click", () => {
      const index = Number.parseInt(total.value, 10);
      const html = part.querySelector("template[data-empty-row]").innerHTML.replace(/__prefix__/g, String(index));
      const body = part.querySelector("tbody[data-rows]");
      body.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      const row = body.lastElementChild;
      countRows(part);
      // Type-aheads (static/onestop/app.js) are built on this event.
      row.dispatchEvent(new CustomEvent("htmx:load", { bubbles: true }));
      const first = row.querySelector("input:not([type=hidden]):not([data-delete]), select, textarea");
      if (first) first.focus();
    });
    part.addEventListener("click", (event) => {
      const button = event.target.closest("[data-remove-row]");
      if (!button) return;
      const row = button.closest("tr[data-row]");
      row.querySelector("[data-delete]").checked = true;
      row.hidden = true;
      countRows(part);
      updateBudget(editor);
    });
    countRows(part);
  });
  editor.addEventListener("input", (event) => {
    if (event.target.name && event.target.name.endsWith("-amount")) updateBudget(editor);
  });
  updateBudget(editor);
});
