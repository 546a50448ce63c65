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
