// The entity page (/e/<id>): one entity from GET /v1/entities/{id} (label, synonyms, codes linked to
// their IRIs, definition, citations) and its neighbourhood as a graph that grows when a node is clicked.
import "./entity.css";
import { api, ApiError, guard } from "./lib/api.js";
import { el, replace, words } from "./lib/dom.js";
import { drawGraph } from "./lib/graph.js";
import { entityHref, idFromLocation, iriOf } from "./lib/ids.js";
import { provenanceView } from "./lib/provenance.js";

// A hub (an HP term with hundreds of children) would bury the graph: draw this many neighbours per node.
const MAX_NEIGHBOURS = 40;
// Force-directed, spread wide enough for the labels; no animation, so a click lands where a node is drawn.
const LAYOUT = { name: "cose", animate: false, padding: 30, nodeRepulsion: () => 60000, idealEdgeLength: () => 120, randomize: true };
const $ = (id) => document.getElementById(id);
const entities = new Map(); // id -> entity answer, for every node expanded
const edgeData = new Map(); // edge id -> {from, to, predicate, qualifiers, provenance}

const HPO_TYPES = new Set(["hpo_term", "hpo_disease"]);

/** The entity route for an id; `graph=hpo` when the node is known to be the HPO's (an HP code that a
 * curated finding also carries would otherwise open the curated finding). */
function entityUrl(id, { type, graph } = {}) {
  const chosen = graph ?? (HPO_TYPES.has(type) ? "hpo" : null);
  return `/v1/entities/${encodeURIComponent(id)}${chosen ? `?graph=${encodeURIComponent(chosen)}` : ""}`;
}

const codeLink = (code) => {
  const iri = iriOf(code);
  return iri ? el("a", { class: "code", href: iri, rel: "noreferrer", text: code }) : el("span", { class: "code", text: code });
};

function facts(entity) {
  const rows = [
    ["Type", [words(entity.type), entity.kind ? ` (${words(entity.kind)})` : ""].join("")],
    entity.category ? ["Category", words(entity.category)] : null,
    entity.urgency ? ["Urgency", el("span", { class: `badge level-${entity.urgency}`, text: words(entity.urgency) })] : null,
    ["Identifier", codeLink(entity.id)],
    entity.xrefs.length || entity.mappings.length
      ? [
          "Codes",
          el(
            "ul",
            { class: "codes" },
            (entity.mappings.length ? entity.mappings : entity.xrefs.map((code) => ({ code, relation: null }))).map((m) =>
              el("li", {}, codeLink(m.code), m.relation ? el("span", { class: "muted", text: ` (${words(m.relation)} match)` }) : null),
            ),
          ),
        ]
      : null,
    entity.action ? ["Action", entity.action] : null,
    entity.safety_net ? ["Safety net", entity.safety_net] : null,
    entity.annotated_diseases !== undefined ? ["Annotated diseases", `${entity.annotated_diseases} (${entity.directly_annotated_diseases} directly)`] : null,
    entity.curated ? ["Curated entity", el("a", { href: entityHref(entity.curated.id ?? entity.curated), text: entity.curated.label ?? String(entity.curated.id ?? entity.curated) })] : null,
    entity.same_disease && entity.same_disease.length
      ? ["Same disease", entity.same_disease.map((d, i) => [i ? ", " : "", el("a", { href: entityHref(d.id ?? d, "hpo_disease"), text: d.label ?? String(d.id ?? d) })])]
      : null,
  ].filter(Boolean);
  return el("dl", { class: "facts" }, rows.map(([term, value]) => [el("dt", { text: term }), el("dd", {}, value)]));
}

function citations(entity) {
  if (!entity.citations.length) return null;
  return el(
    "section",
    { "aria-labelledby": "citations-title" },
    el("h2", { id: "citations-title", text: "Citations" }),
    el(
      "ul",
      { class: "citations" },
      entity.citations.map((c) =>
        el(
          "li",
          { class: "citation" },
          el("q", { class: "citation-statement", text: c.statement }),
          el("span", { class: "muted", text: ` — ${c.source}${c.section ? `, “${c.section}”` : ""}${c.paragraph ? `, paragraph ${c.paragraph}` : ""}` }),
        ),
      ),
    ),
  );
}

function edgeId(entityId, edge) {
  const [from, to] = edge.direction === "in" ? [edge.other.id, entityId] : [entityId, edge.other.id];
  return { id: `${from}|${edge.predicate}|${to}`, from, to };
}

/** Nodes and edges (not yet in `cy`) for the neighbours of `entity`, at most MAX_NEIGHBOURS new nodes. */
function neighbourhood(cy, entity) {
  const added = [];
  let skipped = 0;
  const fresh = new Set();
  for (const edge of entity.edges) {
    const { id, from, to } = edgeId(entity.id, edge);
    const other = edge.other;
    const known = cy && cy.getElementById(other.id).nonempty();
    if (!known && !fresh.has(other.id)) {
      if (fresh.size >= MAX_NEIGHBOURS) {
        skipped += 1;
        continue;
      }
      fresh.add(other.id);
      added.push({ group: "nodes", data: { id: other.id, label: other.label, type: other.type } });
    }
    if (!edgeData.has(id)) {
      edgeData.set(id, { from, to, predicate: edge.predicate, qualifiers: edge.qualifiers, provenance: edge.provenance });
      if (!(cy && cy.getElementById(id).nonempty())) {
        added.push({ group: "edges", data: { id, source: from, target: to, label: words(edge.predicate) } });
      }
    }
  }
  return { added, skipped };
}

const nodeLabel = (cy, id) => cy.getElementById(id).data("label") ?? id;

function showEdge(cy, id) {
  const edge = edgeData.get(id);
  if (!edge) return;
  const panel = $("selection");
  replace(
    panel,
    el("h2", { id: "selection-title", text: "Edge" }),
    provenanceView({
      fromLabel: nodeLabel(cy, edge.from),
      predicate: edge.predicate,
      toLabel: nodeLabel(cy, edge.to),
      qualifiers: edge.qualifiers,
      statements: edge.provenance,
    }),
  );
  panel.dataset.edge = id;
}

async function expand(cy, id) {
  const panel = $("selection");
  const node = cy.getElementById(id);
  replace(panel, el("h2", { id: "selection-title", text: node.data("label") ?? id }), el("p", { class: "muted", text: "Loading its neighbours…" }));
  try {
    const entity = entities.get(id) ?? (await api(entityUrl(id, { type: node.data("type") })));
    entities.set(id, entity);
    const { added, skipped } = neighbourhood(cy, entity);
    if (added.length) {
      cy.add(added);
      cy.layout({ ...LAYOUT, randomize: false }).run();
    }
    node.addClass("focus");
    const grown = added.filter((a) => a.group === "nodes").length;
    replace(
      panel,
      el("h2", { id: "selection-title" }, el("a", { href: entityHref(entity.id, entity.type), text: entity.label })),
      el("p", { class: "muted", text: `${words(entity.type)} · ${entity.id}` }),
      entity.definition ? el("p", { text: entity.definition }) : null,
      el("p", { class: "expand-status", text: `${grown} new neighbour(s) drawn${skipped ? `, ${skipped} more not drawn` : ""}.` }),
    );
    $("graph").dataset.expanded = [$("graph").dataset.expanded, id].filter(Boolean).join(" ");
  } catch (error) {
    replace(panel, el("p", { class: "error", text: `Could not load ${id}: ${error.message}` }));
  }
}

function edgeTable(entity) {
  if (!entity.edges.length) return el("p", { class: "muted", text: "No edges." });
  return el(
    "table",
    { class: "edges" },
    el("caption", { class: "visually-hidden", text: `Edges of ${entity.label}` }),
    el("thead", {}, el("tr", {}, ["Relation", "Other", "Statement"].map((h) => el("th", { scope: "col", text: h })))),
    el(
      "tbody",
      {},
      entity.edges.map((edge) =>
        el(
          "tr",
          {},
          el("td", { text: edge.direction === "in" ? `← ${words(edge.predicate)}` : `${words(edge.predicate)} →` }),
          el("td", {}, el("a", { href: entityHref(edge.other.id, edge.other.type), text: edge.other.label })),
          el("td", { text: edge.provenance.map((p) => p.statement).join(" ") }),
        ),
      ),
    ),
  );
}

function render(entity) {
  document.title = `${entity.label} – clinkg`;
  replace(
    $("entity"),
    el("h1", { id: "entity-label", text: entity.label }),
    entity.definition ? el("p", { class: "definition", text: entity.definition }) : null,
    facts(entity),
    entity.synonyms.length
      ? el("section", { "aria-labelledby": "synonyms-title" }, el("h2", { id: "synonyms-title", text: "Synonyms" }), el("ul", { class: "synonyms" }, entity.synonyms.map((s) => el("li", { text: s }))))
      : null,
    citations(entity),
  );
  const box = $("graph");
  const { added, skipped } = neighbourhood(null, entity);
  const elements = [{ group: "nodes", data: { id: entity.id, label: entity.label, type: entity.type } }, ...added];
  const cy = drawGraph(box, {
    elements,
    layout: LAYOUT,
    edgeLabels: false,
    onEdge: (data) => showEdge(cy, data.id),
    onNode: (data) => expand(cy, data.id),
  });
  cy.getElementById(entity.id).addClass("focus");
  $("graph-note").textContent = `${added.filter((a) => a.group === "nodes").length} neighbours${skipped ? ` (${skipped} more not drawn; all are in the table below)` : ""}. Click a node to add its neighbours, an edge to read its source.`;
  replace($("edge-table"), edgeTable(entity));
  document.body.dataset.entity = "ready";
}

async function start() {
  const id = idFromLocation(window.location);
  if (!id) {
    replace($("entity"), el("h1", { text: "No entity named" }), el("p", { text: "Open /e/<id>, e.g. /e/leg-weakness." }));
    return;
  }
  try {
    const graph = new URLSearchParams(window.location.search).get("graph");
    const entity = await api(entityUrl(id, { graph }));
    entities.set(entity.id, entity);
    render(entity);
  } catch (error) {
    const missing = error instanceof ApiError && error.status === 404;
    replace(
      $("entity"),
      el("h1", { text: missing ? "Not found" : "Could not load the entity" }),
      el("p", { class: "error", role: "alert", text: missing ? `No entity is known as “${id}”.` : error.message }),
    );
    $("neighbourhood").hidden = true;
    document.body.dataset.entity = missing ? "missing" : "error";
  }
}

guard({ app: $("main"), gate: $("gate"), ready: start });
