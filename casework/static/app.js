// Starts GOV.UK Frontend's components. Loaded as a module from our own origin (no inline script).
import { initAll } from "./govuk/govuk-frontend.min.js";

initAll();

// DASH checklist: keep the running count of "yes" answers up to date as radios change.
// The server shows the saved count, so the page works the same without this.
for (const counter of document.querySelectorAll("[data-dash-count]")) {
  const form = document.getElementById(counter.dataset.dashCount);
  const shown = counter.querySelector("[data-dash-yes]");
  if (form && shown) {
    form.addEventListener("change", () => {
      shown.textContent = String(form.querySelectorAll('input[type="radio"][value="yes"]:checked').length);
    });
  }
}
