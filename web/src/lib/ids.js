// Entity ids, their page links and the IRIs of codes. The namespaces are data (codes.json).
import namespaces from "./codes.json";

const OWN = "clinkg:";

/** The page of an entity: /e/<id>, our own ids without their `clinkg:` prefix. */
export function entityHref(id, type) {
  const local = id.startsWith(OWN) ? id.slice(OWN.length) : id;
  const graph = type === "hpo_term" || type === "hpo_disease" ? "?graph=hpo" : "";
  return `/e/${encodeURIComponent(local).replaceAll("%3A", ":")}${graph}`;
}

/** The IRI a CURIE stands for (null when its prefix is not known). */
export function iriOf(curie) {
  const colon = curie.indexOf(":");
  if (colon < 1) return null;
  const base = namespaces[curie.slice(0, colon)];
  return base ? base + encodeURIComponent(curie.slice(colon + 1)).replaceAll("%3A", ":") : null;
}

/** The entity id the page's own URL names (/e/<id>). */
export function idFromLocation(location) {
  const rest = location.pathname.replace(/^\/e\//, "");
  try {
    return decodeURIComponent(rest);
  } catch {
    return rest;
  }
}
