// Small behaviours of the UI shell; no inline scripts, so the Content-Security-Policy stays strict.
document.addEventListener("change", (event) => {
  const target = event.target;
  if (target instanceof HTMLSelectElement && target.hasAttribute("data-autosubmit")) {
    target.form.requestSubmit();
  }
});
