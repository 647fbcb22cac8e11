// Swagger UI at /docs from the bundled assets (vendor/swagger-ui-bundle.js defines SwaggerUIBundle), over
// /openapi.json. With CLINKG_API_TOKEN set, lib/api.js asks for the token first; Swagger is then
// authorized with it (its Authorize button shows it and can change it).
import "./docs.css";
import { guard, storedToken } from "./lib/api.js";

const SPEC = "/openapi.json";

function start() {
  const token = storedToken();
  const ui = window.SwaggerUIBundle({
    url: SPEC,
    dom_id: "#swagger-ui",
    // Deep links put an <a> inside each operation's toggle button (nested controls: axe, screen readers).
    deepLinking: false,
    layout: "BaseLayout",
    presets: [window.SwaggerUIBundle.presets.apis],
    // The default fetches a badge from validator.swagger.io: nothing leaves this service.
    validatorUrl: null,
    tryItOutEnabled: false,
    // The document itself is fetched before Authorize could apply: it carries the token here.
    requestInterceptor: (request) => {
      const stored = storedToken();
      if (stored && new URL(request.url, window.location.href).pathname === SPEC) {
        request.headers.Authorization = `Bearer ${stored}`;
      }
      return request;
    },
    onComplete: () => {
      if (token) ui.preauthorizeApiKey("bearer", token);
    },
  });
  window.ui = ui;
}

guard({ app: document.getElementById("app"), gate: document.getElementById("gate"), ready: start });
