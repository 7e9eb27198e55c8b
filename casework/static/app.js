// Starts GOV.UK Frontend's components. Loaded as a module from our own origin (no inline script).
import { initAll } from "./govuk/govuk-frontend.min.js";

initAll();
