// A YASR plugin drawing a bar chart of one numeric column of a SELECT result, in plain SVG (YASR 4.6
// ships no chart plugin; a charting library would triple the page for one bar chart). Every label is set
// as text (textContent), never parsed as markup.

const SVG = "http://www.w3.org/2000/svg";
const XSD = "http://www.w3.org/2001/XMLSchema#";
const NUMERIC = new Set(
  [
    "integer", "decimal", "double", "float", "long", "int", "short", "byte", "nonNegativeInteger",
    "positiveInteger", "nonPositiveInteger", "negativeInteger", "unsignedLong", "unsignedInt",
    "unsignedShort", "unsignedByte",
  ].map((name) => XSD + name),
);
const MAX_BARS = 100;
const WIDTH = 860;
const LABEL_WIDTH = 300;
const ROW = 24;
const BAR = 16;
const LABEL_CHARS = 44;

function svg(name, attributes = {}) {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
  return element;
}

function isNumber(binding) {
  return (
    binding !== undefined &&
    binding.type !== "uri" &&
    binding.type !== "bnode" &&
    NUMERIC.has(binding.datatype) &&
    Number.isFinite(Number(binding.value))
  );
}

/** The variables every bound value of which is a number (at least one bound). */
export function numericColumns(variables, bindings) {
  return variables.filter((name) => {
    const bound = bindings.map((row) => row[name]).filter((b) => b !== undefined);
    return bound.length > 0 && bound.every(isNumber);
  });
}

function shorten(value, prefixes) {
  for (const [prefix, iri] of Object.entries(prefixes)) {
    if (iri && value.startsWith(iri) && value.length > iri.length) return `${prefix}:${value.slice(iri.length)}`;
  }
  return value;
}

function clip(text) {
  return text.length > LABEL_CHARS ? `${text.slice(0, LABEL_CHARS - 1)}…` : text;
}

function select(id, labelText, options, chosen, onChange) {
  const wrapper = document.createElement("span");
  const label = document.createElement("label");
  label.htmlFor = id;
  label.textContent = labelText;
  const list = document.createElement("select");
  list.id = id;
  for (const name of options) {
    const option = document.createElement("option");
    option.value = name;
    option.textContent = `?${name}`;
    option.selected = name === chosen;
    list.appendChild(option);
  }
  list.addEventListener("change", () => onChange(list.value));
  wrapper.append(label, list);
  return wrapper;
}

export class ChartPlugin {
  constructor(yasr) {
    this.yasr = yasr;
    this.priority = 5;
    this.label = "Chart";
    this.svg = undefined;
  }

  columns() {
    const results = this.yasr.results;
    if (!results || !results.getVariables || !results.getBindings) return undefined;
    const variables = results.getVariables() || [];
    const bindings = results.getBindings() || [];
    if (bindings.length === 0) return undefined;
    const numeric = numericColumns(variables, bindings);
    if (numeric.length === 0) return undefined;
    const others = variables.filter((name) => !numeric.includes(name));
    return { variables, bindings, numeric, others };
  }

  canHandleResults() {
    return this.columns() !== undefined;
  }

  getIcon() {
    const icon = svg("svg", { viewBox: "0 0 16 16", width: 15, height: 15, "aria-hidden": "true" });
    for (const [x, h] of [[1, 6], [6, 12], [11, 9]]) {
      icon.appendChild(svg("rect", { x, y: 15 - h, width: 4, height: h, fill: "currentColor" }));
    }
    return icon;
  }

  draw(persistentConfig) {
    const found = this.columns();
    if (!found) return;
    const { bindings, numeric, others } = found;
    const config = persistentConfig || {};
    const value = numeric.includes(config.value) ? config.value : numeric[0];
    const preferred = others.find((name) => name === "label") ?? others[0];
    const label = others.includes(config.label) ? config.label : preferred;
    const prefixes = this.yasr.getPrefixes ? this.yasr.getPrefixes() : {};

    const root = document.createElement("div");
    root.className = "clinkg-chart";
    const controls = document.createElement("div");
    controls.className = "clinkg-chart-controls";
    const redraw = (change) => {
      this.yasr.storePluginConfig("chart", { value, label, ...change });
      this.yasr.draw();
    };
    controls.appendChild(select("clinkg-chart-value", "Value", numeric, value, (v) => redraw({ value: v })));
    if (others.length > 0) {
      controls.appendChild(select("clinkg-chart-label", "Bars", others, label, (v) => redraw({ label: v })));
    }
    root.appendChild(controls);

    const rows = bindings.slice(0, MAX_BARS).map((row, i) => {
      const name = label && row[label] ? shorten(row[label].value, prefixes) : `row ${i + 1}`;
      const amount = row[value] ? Number(row[value].value) : 0;
      return { name, amount };
    });
    const largest = Math.max(0, ...rows.map((r) => r.amount));
    const smallest = Math.min(0, ...rows.map((r) => r.amount));
    const span = largest - smallest || 1;
    const plot = WIDTH - LABEL_WIDTH - 70;
    const zero = LABEL_WIDTH + (-smallest / span) * plot;
    const height = rows.length * ROW + 8;

    const chart = svg("svg", {
      viewBox: `0 0 ${WIDTH} ${height}`,
      width: "100%",
      role: "img",
      "aria-labelledby": "clinkg-chart-title",
      class: "clinkg-chart-svg",
    });
    const title = svg("title", { id: "clinkg-chart-title" });
    title.textContent = `Bar chart of ?${value}${label ? ` by ?${label}` : ""}, ${rows.length} bars`;
    chart.appendChild(title);
    rows.forEach((row, i) => {
      const y = i * ROW + 4;
      const group = svg("g", { class: "bar" });
      const tip = svg("title");
      tip.textContent = `${row.name}: ${row.amount}`;
      group.appendChild(tip);
      const text = svg("text", { x: LABEL_WIDTH - 8, y: y + BAR - 3, "text-anchor": "end", class: "bar-label" });
      text.textContent = clip(row.name);
      const width = (Math.abs(row.amount) / span) * plot;
      const x = row.amount < 0 ? zero - width : zero;
      const rect = svg("rect", { x, y, width: Math.max(width, 1), height: BAR, class: "bar-rect" });
      const figure = svg("text", { x: x + Math.max(width, 1) + 6, y: y + BAR - 3, class: "bar-value" });
      figure.textContent = String(row.amount);
      group.append(text, rect, figure);
      chart.appendChild(group);
    });
    chart.appendChild(svg("line", { x1: zero, x2: zero, y1: 0, y2: height, class: "axis" }));
    root.appendChild(chart);
    if (bindings.length > MAX_BARS) {
      const note = document.createElement("p");
      note.className = "clinkg-chart-note";
      note.textContent = `The first ${MAX_BARS} of ${bindings.length} rows.`;
      root.appendChild(note);
    }
    this.svg = chart;
    this.yasr.resultsEl.appendChild(root);
  }

  download() {
    if (!this.svg) return undefined;
    const chart = this.svg;
    return {
      contentType: "image/svg+xml",
      getData: () => new XMLSerializer().serializeToString(chart),
      filename: "chart.svg",
      title: "Download the chart (SVG)",
    };
  }
}
