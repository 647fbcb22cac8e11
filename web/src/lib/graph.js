// Graph drawing with Cytoscape.js. Labels reach the canvas as data, never as markup. Each container
// keeps its instance as `container.cy` (the browser tests find nodes and edges through it).
import cytoscape from "cytoscape";

// Cytoscape writes a <style> element for `.__________cytoscape_container` unless an element with this id
// exists; the page CSP refuses inline styles, so the rule is in base.css and this placeholder stops it.
const STYLESHEET_ID = "__________cytoscape_stylesheet";

export const TYPE_COLOURS = {
  finding: "#1f5f99",
  mechanism: "#7a4d00",
  cause: "#8c1c13",
  test: "#2f6b2f",
  red_flag: "#b00020",
  source: "#555555",
  hpo_term: "#1f5f99",
  hpo_disease: "#8c1c13",
};

const STYLE = [
  {
    selector: "node",
    style: {
      label: "data(label)",
      "background-color": (node) => TYPE_COLOURS[node.data("type")] ?? "#444444",
      color: "#111111",
      "font-size": 11,
      "text-wrap": "wrap",
      "text-max-width": "130px",
      "text-valign": "bottom",
      "text-margin-y": 4,
      width: 22,
      height: 22,
      "text-background-color": "#ffffff",
      "text-background-opacity": 0.85,
      "text-background-padding": 2,
    },
  },
  { selector: "node[type = 'mechanism']", style: { shape: "round-rectangle" } },
  { selector: "node[type = 'cause'], node[type = 'hpo_disease']", style: { shape: "diamond", width: 28, height: 28 } },
  { selector: "node.focus", style: { "border-width": 4, "border-color": "#111111" } },
  {
    selector: "edge",
    style: {
      width: 2,
      "line-color": "#8a8a8a",
      "target-arrow-color": "#8a8a8a",
      "target-arrow-shape": "triangle",
      "curve-style": "bezier",
      label: "data(label)",
      "font-size": 9,
      color: "#333333",
      "text-rotation": "autorotate",
      "text-background-color": "#ffffff",
      "text-background-opacity": 0.85,
      "text-background-padding": 1,
    },
  },
  { selector: "edge:selected", style: { width: 4, "line-color": "#111111", "target-arrow-color": "#111111" } },
  { selector: "node:selected", style: { "border-width": 4, "border-color": "#f0b400" } },
];

// A crowded neighbourhood stays readable when an edge names its relation only once selected.
const QUIET_EDGES = [
  { selector: "edge", style: { label: "" } },
  { selector: "edge:selected", style: { label: "data(label)" } },
];

/** A Cytoscape graph in `container`; `onEdge(data)` and `onNode(data)` run on taps. */
export function drawGraph(container, { elements, layout, onEdge, onNode, edgeLabels = true }) {
  if (!document.getElementById(STYLESHEET_ID)) {
    const placeholder = document.createElement("meta");
    placeholder.id = STYLESHEET_ID;
    document.head.append(placeholder);
  }
  const cy = cytoscape({
    container,
    elements,
    style: edgeLabels ? STYLE : [...STYLE, ...QUIET_EDGES],
    layout,
    minZoom: 0.2,
    maxZoom: 3,
    boxSelectionEnabled: false,
  });
  if (onEdge) cy.on("tap", "edge", (event) => onEdge(event.target.data()));
  if (onNode) cy.on("tap", "node", (event) => onNode(event.target.data()));
  container.cy = cy;
  return cy;
}
