// Small behaviours of the UI shell; no inline scripts, so the Content-Security-Policy stays strict.
document.addEventListener("change", (event) => {
  const target = event.target;
  if (target instanceof HTMLSelectElement && target.hasAttribute("data-autosubmit")) {
    target.form.requestSubmit();
  }
});

// Quick entry of an inquiry: picking a looked-up contact fills the client and caller fields.
document.addEventListener("click", (event) => {
  const pick = event.target.closest("[data-fill-client]");
  if (!pick) return;
  const form = pick.closest("form") || document;
  const set = (name, value) => {
    const field = form.querySelector(`[name="${name}"]`);
    if (field && value !== undefined) field.value = value;
  };
  set("client", pick.dataset.fillClient);
  set("contact", pick.dataset.fillContact);
  set("contact_name", pick.dataset.fillName);
  set("contact_phone", pick.dataset.fillPhone);
  set("contact_email", pick.dataset.fillEmail);
  const results = document.getElementById("lookup-results");
  if (results) results.remove();
});

// Global search (core/search.py): the header's box shows a preview as the user types (htmx fills
// #global-search-results); Enter opens the results page.
const searchBox = () => document.getElementById("global-search");
const searchResults = () => document.getElementById("global-search-results");

document.addEventListener("htmx:afterSwap", (event) => {
  const results = searchResults();
  if (results && event.detail.target === results) {
    results.classList.toggle("show", results.textContent.trim() !== "");
  }
});

document.addEventListener("click", (event) => {
  const results = searchResults();
  if (results && !event.target.closest(".app-search")) results.classList.remove("show");
});

// Keyboard shortcuts, listed in the "?" dialogue (base.html): "/" or Ctrl+K searches,
// "g" then "w" opens My work, "g" then "i" the inbox, Esc closes the preview.
let pendingG = false;
const typing = (element) =>
  element instanceof HTMLInputElement ||
  element instanceof HTMLTextAreaElement ||
  element instanceof HTMLSelectElement ||
  (element instanceof HTMLElement && element.isContentEditable);

document.addEventListener("keydown", (event) => {
  const box = searchBox();
  if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "k") {
    event.preventDefault();
    if (box) box.focus();
    else window.location.assign(document.body.dataset.searchUrl || "/search/");
    return;
  }
  if (event.key === "Escape" && box && event.target === box) {
    searchResults()?.classList.remove("show");
    return;
  }
  if (event.key === "ArrowDown" && box && event.target === box) {
    const first = searchResults()?.querySelector("a.dropdown-item");
    if (first) {
      event.preventDefault();
      first.focus();
    }
    return;
  }
  if (typing(event.target) || event.ctrlKey || event.metaKey || event.altKey) return;
  if (event.key === "/") {
    event.preventDefault();
    if (box) box.focus();
    else window.location.assign(document.body.dataset.searchUrl || "/search/");
  } else if (event.key === "?") {
    const dialog = document.getElementById("shortcuts");
    if (dialog && window.bootstrap) window.bootstrap.Modal.getOrCreateInstance(dialog).show();
  } else if (pendingG && (event.key === "w" || event.key === "i")) {
    const link = document.querySelector(event.key === "w" ? "[data-shortcut-home]" : "#inbox-link");
    if (link) window.location.assign(link.href);
  }
  pendingG = event.key === "g";
});

// Filters over large tables (core/choices.py): the <select> holds only the chosen option; here
// it becomes a type-ahead (tom-select) that asks the choices endpoint for 20 matches as the user
// types. The server has searched already (several fields, Chinese substrings), so tom-select
// shows what it answers as it is and keeps only the latest answer.
const typeahead = (select) => {
  if (select.tomselect || typeof TomSelect === "undefined") return;
  const url = select.dataset.choicesUrl;
  const noResults = select.dataset.noResults || "";
  new TomSelect(select, {
    valueField: "value",
    labelField: "label",
    searchField: ["label"],
    placeholder: select.dataset.placeholder || "",
    allowEmptyOption: false, // "All" is the empty box (the placeholder), cleared with its ×
    plugins: ["clear_button"],
    maxOptions: 20,
    preload: "focus",
    loadThrottle: 300,
    shouldLoad: () => true,
    score: () => () => 1,
    load(query, callback) {
      this.loadedSearches = { [query]: true }; // ask again when the user comes back to a query
      const address = `${url}?${new URLSearchParams({ q: query })}`;
      fetch(address, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then((response) => (response.ok ? response.json() : []))
        .then((rows) => {
          this.clearOptions(); // the chosen option stays
          callback(rows);
        })
        .catch(() => callback());
    },
    render: {
      no_results: () => {
        const div = document.createElement("div");
        div.className = "no-results";
        div.textContent = noResults;
        return div;
      },
    },
  });
};
const typeaheads = () => document.querySelectorAll("select[data-choices-url]").forEach(typeahead);

document.addEventListener("DOMContentLoaded", typeaheads);
document.addEventListener("htmx:load", typeaheads);
// htmx keeps a copy of the page for the Back button: keep the plain <select> in it, not
// tom-select's markup without its behaviour, and build the type-ahead again on the way back.
document.addEventListener("htmx:beforeHistorySave", () => {
  document.querySelectorAll("select[data-choices-url]").forEach((select) => {
    if (select.tomselect) select.tomselect.destroy();
  });
});
document.addEventListener("htmx:historyRestore", typeaheads);
document.addEventListener("htmx:afterSettle", typeaheads);
