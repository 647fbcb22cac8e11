// ReDoc at /redoc from the bundled assets (vendor/redoc.standalone.js defines Redoc), over /openapi.json,
// fetched through lib/api.js so that a service run with CLINKG_API_TOKEN asks for the token first.
import "./docs.css";
import { api, guard } from "./lib/api.js";

async function start() {
  const spec = await api("/openapi.json");
  const root = document.getElementById("redoc");
  window.Redoc.init(
    spec,
    { expandResponses: "200", hideDownloadButton: false, nativeScrollbars: true },
    root,
    () => {
      // ReDoc's code samples scroll sideways but cannot take focus: a keyboard user could not scroll
      // them (axe: scrollable-region-focusable). Each becomes a focusable region.
      for (const block of root.querySelectorAll("pre")) {
        block.tabIndex = 0;
      }
    },
  );
}

guard({
  app: document.getElementById("app"),
  gate: document.getElementById("gate"),
  ready: () =>
    start().catch((error) => {
      document.getElementById("redoc").textContent = `The API description did not load: ${error.message}`;
    }),
});
