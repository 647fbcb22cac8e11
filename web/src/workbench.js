// The SPARQL workbench: YASGUI on this service's /sparql, the graph's prefixes predefined, the query library
// (queries/sparql/*.rq through GET /v1/sparql/examples) loadable with its headers, results as a table, a
// bar chart or the raw response. With CLINKG_API_TOKEN set, lib/api.js asks for the token first.
import Yasgui from "@zazuko/yasgui";
import "@zazuko/yasgui/build/yasgui.min.css";
import "./lib/base.css";
import "./workbench.css";
import { ApiError, Unauthorized, api, guard, storedToken } from "./lib/api.js";
import { ChartPlugin } from "./workbench/chart.js";

const ENDPOINT = new URL("/sparql", window.location.href).href;
const LIBRARY = "/v1/sparql/examples";
const state = { prefixes: {}, examples: [] };
// YASGUI sends its own requests, so it needs the header itself.

function authHeaders() {
  const token = storedToken();
  return token ? { Authorization: `Bearer ${token}` } : {};
}

// column-resizer (YASR's table) writes its rules into a <style> element it adds to <head>, which the page's
// CSP refuses (style-src 'self'): its rules are in workbench.css instead, and the element stays out.
const head = document.head;
const appendToHead = head.appendChild.bind(head);
head.appendChild = (node) => (node instanceof HTMLStyleElement && "gripid" in node ? node : appendToHead(node));

// YASGUI's markup made to pass axe (WCAG AA): the add-tab button leaves the tab list (a tablist holds
// tabs only; its empty wrapper stays, YASGUI inserts new tabs before it), and the endpoint field, the
// editor's input and its scroller get names. Run again whenever YASGUI draws (a new tab).
function accessible(root) {
  const list = root.querySelector(".tabsList");
  const add = list && list.querySelector("button.addTab");
  if (add) list.after(add);
  for (const input of root.querySelectorAll("input.autocomplete:not([aria-label])")) {
    input.setAttribute("aria-label", "SPARQL endpoint");
  }
  for (const area of root.querySelectorAll(".CodeMirror textarea:not([aria-label])")) {
    area.setAttribute("aria-label", "SPARQL query");
  }
  // A long query scrolls: the scroller takes focus so that keys scroll it (the editor's own input is a
  // hidden textarea outside it).
  for (const scroller of root.querySelectorAll(".CodeMirror-scroll:not([tabindex='0'])")) {
    scroller.setAttribute("tabindex", "0");
    scroller.setAttribute("aria-label", "SPARQL query, scrollable");
  }
  const names = [
    [".tabsList input", "Tab name"],
    ["select.tableSizer", "Rows per page"],
    ["input.tableFilter", "Filter the rows"],
  ];
  for (const [selector, name] of names) {
    for (const control of root.querySelectorAll(`${selector}:not([aria-label])`)) {
      control.setAttribute("aria-label", name);
    }
  }
}

function status(text) {
  document.getElementById("status").textContent = text;
}

// The first sentence of a question, for the list; the whole question shows once chosen.
function gist(question) {
  const first = question.split(/(?<=[.;])\s/)[0];
  return first.length > 110 ? `${first.slice(0, 109)}…` : first;
}

function fillExamples(select, examples) {
  select.replaceChildren();
  const prompt = document.createElement("option");
  prompt.value = "";
  prompt.textContent = `Choose one of ${examples.length} queries…`;
  select.appendChild(prompt);
  for (const example of examples) {
    const option = document.createElement("option");
    option.value = example.name;
    option.textContent = `${example.name}: ${gist(example.question)}`;
    option.title = example.question;
    select.appendChild(option);
  }
  select.disabled = false;
}

function declarations(prefixes) {
  return Object.entries(prefixes)
    .map(([name, iri]) => `PREFIX ${name}: <${iri}>`)
    .join("\n");
}

function configure() {
  Yasgui.Yasr.registerPlugin("chart", ChartPlugin);
  Yasgui.Yasr.defaults.pluginOrder = ["table", "chart", "response"];
  Yasgui.Yasr.defaults.prefixes = () => state.prefixes;
  // YASQE's class and property completers ask lov.linkeddata.es, and its prefix completer may ask
  // prefix.cc: offline, and under the page's CSP, only the graph's own prefixes are offered (and declared
  // as they are typed).
  Yasgui.Yasqe.forkAutocompleter(
    "prefixes",
    {
      name: "graphPrefixes",
      persistenceId: null,
      get: () => Promise.resolve(Object.entries(state.prefixes).map(([n, iri]) => `${n}: <${iri}>`).sort()),
    },
    false,
  );
  Yasgui.Yasqe.defaults.autocompleters = ["graphPrefixes", "variables"];
}

function createYasgui() {
  const firstQuery = [
    declarations(state.prefixes),
    "",
    "SELECT ?cause ?label WHERE {",
    "  ?cause a ckg:Cause ;",
    "         rdfs:label ?label .",
    "}",
    "ORDER BY ?label",
    "LIMIT 20",
  ].join("\n");
  const root = document.getElementById("yasgui");
  new MutationObserver(() => accessible(root)).observe(root, { childList: true, subtree: true });
  return new Yasgui(root, {
    // This service's endpoint whatever a stored tab says: a function here is evaluated at every request.
    requestConfig: {
      endpoint: () => ENDPOINT,
      method: "POST",
      headers: () => authHeaders(),
    },
    endpointCatalogueOptions: { getData: () => [{ endpoint: ENDPOINT }] },
    yasqe: { value: firstQuery },
    autofocus: false,
  });
}

async function start() {
  const select = document.getElementById("example");
  try {
    const loaded = await api(LIBRARY);
    state.prefixes = loaded.prefixes;
    state.examples = loaded.examples;
  } catch (error) {
    if (error instanceof Unauthorized) return; // the gate is showing; ready() runs again once it opens
    status(`The query library did not load (${error.message}); queries can still be written and run.`);
  }
  configure();
  const yasgui = createYasgui();
  fillExamples(select, state.examples);

  const question = document.getElementById("example-question");
  select.addEventListener("change", () => {
    const chosen = state.examples.find((e) => e.name === select.value);
    question.textContent = chosen ? chosen.question : "";
    if (!chosen) return;
    const tab = yasgui.getTab();
    tab.setQuery(chosen.text);
    tab.setName(chosen.name);
  });

  // A refused query may mean the token was withdrawn: a call through lib/api.js shows the gate on 401.
  yasgui.on("queryResponse", (_yasgui, tab) => {
    const results = tab.getYasr().results;
    if (results && results.hasError()) {
      api(LIBRARY).catch((error) => {
        if (!(error instanceof ApiError)) status(error.message);
      });
    }
  });
}

guard({
  app: document.getElementById("app"),
  gate: document.getElementById("gate"),
  ready: () => start().catch((error) => status(`The workbench could not start: ${error.message}`)),
});
