// The provenance of one edge, as text: which source, section and paragraph says it, in which words.
import { el, words } from "./dom.js";
import { iriOf } from "./ids.js";

function qualifierText(qualifiers) {
  const entries = Object.entries(qualifiers ?? {});
  return entries.length ? entries.map(([key, value]) => `${words(key)}: ${value}`).join("; ") : null;
}

function referenceList(references) {
  if (!references || !references.length) return null;
  return references.map((ref, index) => {
    const iri = iriOf(ref);
    return [index ? ", " : "", iri ? el("a", { href: iri, rel: "noreferrer", text: ref }) : ref];
  });
}

/** A block naming the edge (from -predicate-> to) and each statement that supports it. */
export function provenanceView({ fromLabel, predicate, toLabel, qualifiers, statements }) {
  const qualified = qualifierText(qualifiers);
  return el(
    "div",
    { class: "provenance-body" },
    el("p", { class: "edge-name" }, el("strong", { text: fromLabel }), ` ${words(predicate)} `, el("strong", { text: toLabel })),
    qualified ? el("p", { class: "muted", text: qualified }) : null,
    statements.map((item) =>
      el(
        "dl",
        { class: "statement" },
        el("dt", { text: "Source" }),
        el("dd", { class: "prov-source", text: item.source }),
        el("dt", { text: "Section" }),
        el("dd", { class: "prov-section", text: item.section || "(introduction)" }),
        el("dt", { text: "Paragraph" }),
        el("dd", { class: "prov-paragraph", text: item.paragraph ?? "–" }),
        el("dt", { text: "Statement" }),
        el("dd", { class: "prov-statement", text: item.statement }),
        item.evidence ? [el("dt", { text: "Evidence" }), el("dd", { text: item.evidence })] : null,
        item.references && item.references.length
          ? [el("dt", { text: "References" }), el("dd", {}, referenceList(item.references))]
          : null,
      ),
    ),
  );
}
