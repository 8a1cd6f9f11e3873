// Start the GOV.UK Frontend components on the page (progressive enhancement: pages work without it).
import { initAll } from "/static/govuk/govuk-frontend.min.js";

initAll();
