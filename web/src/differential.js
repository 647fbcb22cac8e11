// The differential page (/): findings in (search, or a note read by /v1/intake), the answer out with
// the triage first, then red flags, candidates with their explanation graphs, and tests.
import "./differential.css";
import { api, ApiError, guard, post, readAnswer } from "./lib/api.js";
import { autocomplete } from "./lib/autocomplete.js";
import { el, replace, words } from "./lib/dom.js";
import { drawGraph } from "./lib/graph.js";
import { entityHref } from "./lib/ids.js";
import { provenanceView } from "./lib/provenance.js";

const $ = (id) => document.getElementById(id);
const findings = new Map(); // id -> {id, label, present}

function renderChips() {
  const list = $("chips");
  replace(
    list,
    [...findings.values()].map((item) => {
      const toggle = el("button", {
        type: "button",
        class: item.present ? "toggle present" : "toggle absent",
        "aria-pressed": String(item.present),
        "aria-label": `${item.label}: ${item.present ? "present" : "absent"}; press to mark it ${item.present ? "absent" : "present"}`,
        text: item.present ? "present" : "absent",
        onclick: () => {
          item.present = !item.present;
          renderChips();
          list.querySelector(`[data-id="${CSS.escape(item.id)}"] .toggle`)?.focus();
        },
      });
      return el(
        "li",
        { class: "chip", "data-id": item.id },
        el("span", { class: "chip-label", text: item.label }),
        toggle,
        el("button", {
          type: "button",
          class: "remove",
          "aria-label": `Remove ${item.label}`,
          text: "×",
          onclick: () => {
            findings.delete(item.id);
            renderChips();
            $("finding-search").focus();
          },
        }),
      );
    }),
  );
  $("chips-empty").hidden = findings.size > 0;
}

function addFinding({ id, label }, present = true) {
  findings.set(id, { id, label, present });
  renderChips();
}

function setSelect(id, value) {
  const select = $(id);
  if (value !== null && value !== undefined && [...select.options].some((o) => o.value === String(value))) {
    select.value = String(value);
  }
}

async function readNote(event) {
  event.preventDefault();
  const text = $("note").value.trim();
  const out = $("intake-result");
  if (!text) {
    replace(out, el("p", { class: "error", text: "Write or paste a note first." }));
    return;
  }
  replace(out, el("p", { class: "muted", text: "Reading the note…" }));
  try {
    const read = await api("/v1/intake", { method: "POST", body: { text } });
    for (const item of read.present) addFinding(item, true);
    for (const item of read.absent) addFinding(item, false);
    setSelect("onset", read.onset);
    setSelect("laterality", read.laterality);
    setSelect("course", read.course);
    if (read.age !== null && read.age !== undefined) $("age").value = String(read.age);
    const summary = [
      `${read.present.length} present, ${read.absent.length} absent`,
      read.onset ? `onset ${read.onset}` : null,
      read.laterality ? `side ${read.laterality}` : null,
      read.course ? `course ${read.course}` : null,
      read.age !== null && read.age !== undefined ? `age ${read.age}` : null,
    ].filter(Boolean);
    replace(
      out,
      el("p", { text: `Read from the note: ${summary.join(", ")}.` }),
      read.history.length ? el("p", { class: "muted", text: `History (not counted as now): ${read.history.map((h) => h.label).join(", ")}` }) : null,
      read.unmatched.length
        ? el("details", {}, el("summary", { text: `${read.unmatched.length} sentence(s) not understood` }), el("ul", {}, read.unmatched.map((s) => el("li", { text: typeof s === "string" ? s : s.text ?? JSON.stringify(s) }))))
        : null,
    );
  } catch (error) {
    replace(out, el("p", { class: "error", text: `The note could not be read: ${error.message}` }));
  }
}

function request() {
  const body = {
    present: [...findings.values()].filter((f) => f.present).map((f) => f.id),
    absent: [...findings.values()].filter((f) => !f.present).map((f) => f.id),
  };
  for (const key of ["onset", "laterality", "course"]) if ($(key).value) body[key] = $(key).value;
  const age = $("age").value.trim();
  if (age) body.age = Number(age);
  return body;
}

async function run(event) {
  event.preventDefault();
  const out = $("answer");
  const body = request();
  if (!body.present.length) {
    replace(out, el("p", { class: "error", role: "alert", text: "Add at least one finding that is present." }));
    return;
  }
  document.body.dataset.answer = "pending";
  replace(out, el("p", { class: "muted", text: "Working…" }));
  let answer;
  try {
    const response = await post("/v1/differential", body);
    performance.clearMarks();
    performance.mark("clinkg:response");
    answer = await readAnswer(response);
  } catch (error) {
    document.body.dataset.answer = "error";
    replace(out, el("p", { class: "error", role: "alert", text: problem(error) }));
    return;
  }
  render(answer);
  requestAnimationFrame(() => {
    performance.mark("clinkg:drawn");
    performance.measure("clinkg:answer", "clinkg:response", "clinkg:drawn");
    document.body.dataset.answer = "ready";
  });
}

function problem(error) {
  if (error instanceof ApiError && error.body && Array.isArray(error.body.unknown)) {
    return `Not understood: ${error.body.unknown.map((u) => u.ref).join(", ")}`;
  }
  return `The differential failed: ${error.message}`;
}

const label = (answer, id) => answer.nodes[id]?.label ?? id;

function triageBanner(triage) {
  const level = triage.level ?? "unknown";
  return el(
    "section",
    { id: "triage", class: `triage level-${level}`, "aria-labelledby": "triage-title" },
    el("h2", { id: "triage-title" }, "Triage: ", el("span", { class: "triage-level", text: words(level) })),
    el("p", { class: "triage-action", text: triage.action }),
    el("ul", { class: "triage-reasons" }, (triage.reason ?? []).map((r) => el("li", { text: r.detail }))),
    triage.safety_net ? el("p", { class: "triage-safety" }, el("strong", { text: "Safety net: " }), triage.safety_net) : null,
  );
}

function redFlags(answer) {
  if (!answer.red_flags.length) return el("section", { id: "red-flags", "aria-labelledby": "rf-title" }, el("h2", { id: "rf-title", text: "Red flags" }), el("p", { class: "muted", text: "No red flag is triggered by these findings." }));
  return el(
    "section",
    { id: "red-flags", "aria-labelledby": "rf-title" },
    el("h2", { id: "rf-title", text: `Red flags (${answer.red_flags.length} triggered)` }),
    el(
      "ul",
      { class: "red-flag-list" },
      answer.red_flags.map((flag) =>
        el(
          "li",
          { class: "red-flag", "data-id": flag.id },
          el("span", { class: `badge level-${flag.urgency}`, text: words(flag.urgency) }),
          " ",
          el("strong", { class: "red-flag-label", text: flag.label }),
          el("p", { class: "red-flag-action", text: flag.action }),
          el("p", { class: "muted", text: `Triggered by: ${flag.triggered_by.map((id) => label(answer, id)).join(", ")}` + conditionText(flag.conditions) }),
          flag.concerns.length ? el("p", {}, "Concern for: ", flag.concerns.map((c, i) => [i ? ", " : "", el("a", { href: entityHref(c.id), text: c.label })])) : null,
        ),
      ),
    ),
  );
}

function conditionText(conditions) {
  const entries = Object.entries(conditions ?? {});
  return entries.length ? `; with ${entries.map(([k, v]) => `${words(k)} ${words(v)}`).join(", ")}` : "";
}

function candidateElements(answer, candidate) {
  const nodes = new Set();
  const edges = new Set();
  const roots = new Set();
  for (const path of candidate.paths) {
    path.nodes.forEach((id) => nodes.add(id));
    path.edges.forEach((id) => edges.add(id));
    if (path.nodes.length) roots.add(path.nodes[0]);
  }
  nodes.add(candidate.id);
  const elements = [...nodes].map((id) => ({
    data: { id, label: label(answer, id), type: answer.nodes[id]?.type ?? (id === candidate.id ? "cause" : "") },
  }));
  for (const id of edges) {
    const edge = answer.edges[id];
    if (!edge) continue;
    elements.push({ data: { id, source: edge.from, target: edge.to, label: words(edge.predicate), predicate: edge.predicate } });
  }
  return { elements, roots: [...roots] };
}

function showProvenance(panel, answer, edgeId) {
  const edge = answer.edges[edgeId];
  if (!edge) return;
  replace(
    panel,
    el("h4", { text: "Why the graph says this" }),
    provenanceView({
      fromLabel: label(answer, edge.from),
      predicate: edge.predicate,
      toLabel: label(answer, edge.to),
      qualifiers: edge.qualifiers,
      statements: [edge.provenance],
    }),
  );
  panel.hidden = false;
  panel.dataset.edge = edgeId;
}

function explanation(answer, candidate, index) {
  const panelId = `prov-${index}`;
  const panel = el("div", { id: panelId, class: "provenance", role: "region", "aria-live": "polite", "aria-label": `Provenance for ${candidate.label}`, hidden: true });
  const graphBox = el("div", { class: "graph", role: "img", "aria-label": `Explanation graph of ${candidate.label}: the paths listed below, drawn` });
  const pathList = el(
    "ol",
    { class: "path-list" },
    candidate.paths.map((path) =>
      el(
        "li",
        {},
        el("span", { class: "muted", text: `${words(path.route)} (weight ${path.weight}): ` }),
        path.edges.map((edgeId, i) => {
          const edge = answer.edges[edgeId];
          if (!edge) return null;
          return [
            i ? " · " : "",
            el("button", {
              type: "button",
              class: "edge-button",
              "data-edge": edgeId,
              "aria-controls": panelId,
              text: `${label(answer, edge.from)} ${words(edge.predicate)} ${label(answer, edge.to)}`,
              onclick: () => {
                const cy = graphBox.cy;
                if (cy) {
                  cy.elements().unselect();
                  cy.getElementById(edgeId).select();
                }
                showProvenance(panel, answer, edgeId);
              },
            }),
          ];
        }),
      ),
    ),
  );
  const box = el(
    "div",
    { class: "explanation" },
    el("p", { class: "muted", text: "Click an edge in the graph, or a step in the list, to see its source." }),
    graphBox,
    el("h4", { text: "Paths as text" }),
    pathList,
    panel,
  );
  return { box, graphBox, panel };
}

function candidates(answer) {
  return el(
    "section",
    { id: "candidates", "aria-labelledby": "cand-title" },
    el("h2", { id: "cand-title", text: "Candidates" }),
    el("p", { class: "muted", text: answer.scoring ?? "" }),
    el(
      "ol",
      { class: "candidate-list" },
      answer.candidates.map((candidate, index) => {
        const detailId = `cand-${index}-detail`;
        const detail = el("div", { id: detailId, class: "candidate-detail", hidden: true });
        let drawn = false;
        const button = el("button", {
          type: "button",
          class: "expand",
          "aria-expanded": "false",
          "aria-controls": detailId,
          text: "Show explanation",
        });
        button.addEventListener("click", () => {
          const open = button.getAttribute("aria-expanded") !== "true";
          button.setAttribute("aria-expanded", String(open));
          button.textContent = open ? "Hide explanation" : "Show explanation";
          detail.hidden = !open;
          if (open && !drawn) {
            drawn = true;
            const { box, graphBox, panel } = explanation(answer, candidate, index);
            replace(detail, box);
            const { elements, roots } = candidateElements(answer, candidate);
            drawGraph(graphBox, {
              elements,
              layout: { name: "breadthfirst", directed: false, roots, spacingFactor: 1.1, padding: 30 },
              onEdge: (data) => showProvenance(panel, answer, data.id),
            });
          }
        });
        return el(
          "li",
          { class: "candidate", "data-id": candidate.id },
          el(
            "div",
            { class: "candidate-head" },
            el("span", { class: "rank", text: `#${candidate.rank}` }),
            el("a", { class: "candidate-label", href: entityHref(candidate.id, candidate.graph === "hpo" ? "hpo_disease" : null), text: candidate.label }),
            candidate.urgency ? el("span", { class: `badge level-${candidate.urgency}`, text: words(candidate.urgency) }) : null,
            el("span", { class: "muted", text: `score ${candidate.score}` }),
            candidate.graph && candidate.graph !== "curated" ? el("span", { class: "muted", text: candidate.graph }) : null,
            button,
          ),
          el("p", { class: "matched" }, "Supported by: ", candidate.matched.map((m) => m.label).join(", ") || "–"),
          candidate.against.length ? el("p", { class: "against" }, "Against: ", candidate.against.map((m) => m.label ?? m.id).join(", ")) : null,
          detail,
        );
      }),
    ),
  );
}

function tests(answer) {
  return el(
    "section",
    { id: "tests", "aria-labelledby": "tests-title" },
    el("h2", { id: "tests-title", text: "Recommended tests" }),
    answer.tests.length
      ? el(
          "ol",
          { class: "test-list" },
          answer.tests.map((test) =>
            el("li", { class: "test", "data-id": test.id }, el("a", { href: entityHref(test.id), text: test.label }), el("p", { class: "rationale", text: test.rationale })),
          ),
        )
      : el("p", { class: "muted", text: "No test to recommend for these candidates." }),
  );
}

function extras(answer) {
  const parts = [];
  if (answer.ignored && answer.ignored.length) {
    parts.push(el("p", { class: "muted", text: `Left out: ${answer.ignored.map((i) => `${i.ref} (${i.reason})`).join("; ")}` }));
  }
  return parts;
}

function render(answer) {
  $("disclaimer").textContent = answer.disclaimer;
  replace(
    $("answer"),
    el("h2", { class: "visually-hidden", text: "Answer" }),
    triageBanner(answer.triage),
    redFlags(answer),
    candidates(answer),
    tests(answer),
    extras(answer),
  );
}

function start() {
  autocomplete({
    input: $("finding-search"),
    listbox: $("suggestions"),
    status: $("search-status"),
    pick: (item) => addFinding(item, true),
  });
  $("query").addEventListener("submit", run);
  $("read-note").addEventListener("click", readNote);
  $("clear").addEventListener("click", () => {
    findings.clear();
    renderChips();
    for (const key of ["onset", "laterality", "course", "age"]) $(key).value = "";
    replace($("answer"));
    replace($("intake-result"));
  });
  renderChips();
}

guard({ app: $("main"), gate: $("gate"), ready: start });
