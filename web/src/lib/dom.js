// DOM helpers that only ever create text nodes from data: no innerHTML anywhere in clinkg's pages.

/** An element with attributes and children; strings and numbers become text nodes. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") node.className = value;
    else if (name === "text") node.textContent = String(value);
    else if (name === "href") node.setAttribute("href", safeHref(value));
    else if (name.startsWith("on") && typeof value === "function") {
      node.addEventListener(name.slice(2), value);
    } else node.setAttribute(name, value === true ? "" : String(value));
  }
  append(node, children);
  return node;
}

/** Appends children (nested arrays allowed); null and undefined are skipped. */
export function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Empties a node, then appends the children. */
export function replace(node, ...children) {
  node.replaceChildren();
  return append(node, children);
}

/** A link target from data: same-site paths and http(s) URLs only (never javascript: or data:). */
export function safeHref(value) {
  const text = String(value);
  if (text.startsWith("/") && !text.startsWith("//")) return text;
  try {
    const url = new URL(text);
    if (url.protocol === "http:" || url.protocol === "https:") return url.href;
  } catch {
    // not a URL: fall through
  }
  return "#";
}

/** Readable words from an API name: "presents_with" -> "presents with". */
export function words(name) {
  return String(name ?? "").replaceAll("_", " ");
}
