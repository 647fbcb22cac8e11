// The API client of the pages: JSON in and out, the bearer token from sessionStorage, and the token
// form shown whenever the service answers 401 (the page shows nothing else until a token works).
import { el, replace } from "./dom.js";

const TOKEN_KEY = "clinkg.api-token";
const PROBE = "/v1/entities?limit=1";

export class ApiError extends Error {
  constructor(status, body) {
    const detail = body && typeof body.detail === "string" ? body.detail : `the service answered ${status}`;
    super(detail);
    this.status = status;
    this.body = body;
  }
}

export class Unauthorized extends ApiError {}

/** The bearer token the page was given (null when none): for clients that send their own requests. */
export function storedToken() {
  return sessionStorage.getItem(TOKEN_KEY);
}

let locked = () => {};

/** One API call; `body` is sent as JSON. Resolves to the parsed answer, throws ApiError. */
export async function api(path, { method = "GET", body, signal } = {}) {
  const headers = { accept: "application/json" };
  const token = storedToken();
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal,
    credentials: "omit",
  });
  return readAnswer(response);
}

/** The parsed body of a response; `api()` uses it, and a page that times the response calls it itself. */
export async function readAnswer(response) {
  if (response.status === 401) {
    locked();
    throw new Unauthorized(401, null);
  }
  const data = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

/** The raw fetch for a JSON POST with the token (for a page that marks when the response arrives). */
export function post(path, body) {
  const headers = { accept: "application/json", "content-type": "application/json" };
  const token = storedToken();
  if (token) headers.authorization = `Bearer ${token}`;
  return fetch(path, { method: "POST", headers, body: JSON.stringify(body), credentials: "omit" });
}

/**
 * Shows `app` once the service answers; on 401 hides it and asks for the token in `gate` (a form).
 * `ready` runs once, the first time access works.
 */
export function guard({ app, gate, ready }) {
  let started = false;
  const message = el("p", { class: "gate-message", role: "status" });
  const input = el("input", {
    id: "api-token",
    name: "token",
    type: "password",
    autocomplete: "off",
    required: true,
  });
  const form = el(
    "form",
    { class: "gate-form", "aria-labelledby": "gate-title" },
    el("h2", { id: "gate-title", text: "This service needs an API token" }),
    el("p", { text: "The token is kept in this tab only (session storage) and sent with every request." }),
    el("label", { for: "api-token", text: "API token" }),
    input,
    el("button", { type: "submit", text: "Use this token" }),
    message,
  );
  replace(gate, form);

  const lock = (why) => {
    app.hidden = true;
    gate.hidden = false;
    message.textContent = why;
    input.focus();
  };
  const open = async () => {
    try {
      await api(PROBE);
    } catch (error) {
      // 401 has locked the page; any other failure is the page's to report on its first real call.
      if (error instanceof Unauthorized) return;
    }
    app.hidden = false;
    gate.hidden = true;
    if (!started) {
      started = true;
      ready();
    }
  };
  locked = () => {
    const had = sessionStorage.getItem(TOKEN_KEY);
    sessionStorage.removeItem(TOKEN_KEY);
    lock(had ? "That token was refused. Enter a valid token." : "");
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, input.value.trim());
    input.value = "";
    open();
  });
  app.hidden = true;
  gate.hidden = true;
  open();
}
