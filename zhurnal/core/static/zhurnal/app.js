// Small behaviours that work without inline scripts (the CSP forbids them).
document.addEventListener("change", (event) => {
  const el = event.target;
  if (el instanceof HTMLSelectElement && el.hasAttribute("data-autosubmit") && el.form) {
    el.form.requestSubmit();
  }
});
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  for (const group of document.querySelectorAll(".nav-group[open]")) {
    group.removeAttribute("open");
    group.querySelector("summary").focus();
  }
});
document.addEventListener("click", (event) => {
  // One menu group open at a time; a click elsewhere closes it.
  for (const group of document.querySelectorAll(".nav-group[open]")) {
    if (!group.contains(event.target)) group.removeAttribute("open");
  }
  const el = event.target.closest("[data-confirm]");
  if (el && !window.confirm(el.getAttribute("data-confirm"))) {
    event.preventDefault();
  }
});

// Every signed-in page says so to the other tabs: a journal page whose session ended saves what waits.
if (document.body && document.body.hasAttribute("data-signed-in")) {
  try {
    window.localStorage.setItem("zhurnal-signed-in", String(Date.now()));
  } catch (e) { /* private mode */ }
}
