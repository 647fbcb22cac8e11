// A keyboard-usable combobox (WAI-ARIA 1.2 pattern) over GET /v1/search: arrows move, Enter picks,
// Escape closes. Suggestions are text nodes.
import { api } from "./api.js";
import { el, replace, words } from "./dom.js";

const DELAY_MS = 120;

/** Wires `input` (role=combobox) and `listbox` (role=listbox); `pick({id, label, type})` on choice. */
export function autocomplete({ input, listbox, status, pick, limit = 8 }) {
  let results = [];
  let active = -1;
  let timer = 0;
  let controller = null;
  let asked = "";

  const close = () => {
    listbox.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  };

  const highlight = (index) => {
    active = index;
    for (const [i, option] of [...listbox.children].entries()) {
      option.setAttribute("aria-selected", String(i === index));
      if (i === index) {
        input.setAttribute("aria-activedescendant", option.id);
        option.scrollIntoView({ block: "nearest" });
      }
    }
  };

  const choose = (index) => {
    const chosen = results[index];
    if (!chosen) return;
    close();
    input.value = "";
    status.textContent = `${chosen.label} added`;
    pick(chosen);
  };

  const show = (items) => {
    results = items;
    replace(
      listbox,
      items.map((item, index) =>
        el(
          "li",
          {
            id: `${listbox.id}-${index}`,
            role: "option",
            "aria-selected": "false",
            class: "suggestion",
            "data-id": item.id,
            onmousedown: (event) => event.preventDefault(),
            onclick: () => choose(index),
          },
          el("span", { class: "suggestion-label", text: item.label }),
          " ",
          el("span", { class: "muted", text: words(item.type) }),
          item.matched && item.matched !== item.label ? el("span", { class: "muted", text: ` – “${item.matched}”` }) : null,
        ),
      ),
    );
    listbox.hidden = items.length === 0;
    input.setAttribute("aria-expanded", String(items.length > 0));
    status.textContent = items.length ? `${items.length} suggestions; arrow keys to choose` : "No match";
    active = -1;
    if (items.length) highlight(0);
  };

  const search = async () => {
    const query = input.value.trim();
    if (query === asked) return;
    asked = query;
    if (controller) controller.abort();
    if (!query) {
      show([]);
      close();
      return;
    }
    controller = new AbortController();
    try {
      const answer = await api(`/v1/search?q=${encodeURIComponent(query)}&limit=${limit}`, {
        signal: controller.signal,
      });
      if (input.value.trim() === query) show(answer.results);
    } catch (error) {
      if (error.name !== "AbortError") status.textContent = `Search failed: ${error.message}`;
    }
  };

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(search, DELAY_MS);
  });
  input.addEventListener("keydown", (event) => {
    const open = !listbox.hidden && results.length > 0;
    if (event.key === "ArrowDown" && open) {
      event.preventDefault();
      highlight((active + 1) % results.length);
    } else if (event.key === "ArrowUp" && open) {
      event.preventDefault();
      highlight((active - 1 + results.length) % results.length);
    } else if (event.key === "Enter" && open && active >= 0) {
      event.preventDefault();
      choose(active);
    } else if (event.key === "Escape") {
      close();
    }
  });
  input.addEventListener("blur", () => setTimeout(close, 100));
  input.addEventListener("focus", () => {
    if (results.length && input.value.trim()) {
      listbox.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }
  });
  close();
}
