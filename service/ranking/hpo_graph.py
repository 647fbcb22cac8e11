"""The HPO graph of a release as the entities and paths routes show it: a term's parents, children and
how many diseases carry it, a disease's annotations, and paths joining HP terms, HPO diseases and the
curated entities that cite HP codes.

A path between an HP term and a disease is the differential's explanation of a match: the is_a walk from
the term to a term the disease is annotated with (up to a more general one, down to a more specific one,
or up to their nearest shared ancestor and down again), then the phenotype.hpoa row. A curated entity
joins the HPO graph through its HP codes (its SKOS mappings), so its paths start with that mapping. An HP
term that no entity cites meets the curated graph where the differential takes it, at the entity citing
its nearest cited ancestor: its paths to other curated entities go there, then through the curated graph.
"""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass

from clinkg.service.ranking.graph_index import Edge, GraphIndex
from clinkg.service.ranking.hpo_rank import Annotation, HpoIndex
from clinkg.service.ranking.paths import paths_between
from clinkg.service.ranking.resolver import Kind

# Paths are built from the end that comes first here: a curated entity, then an HP term, then a disease.
_ORDER: dict[Kind, int] = {"entity": 0, "hpo_term": 1, "hpo_disease": 2}


@dataclass(frozen=True, slots=True)
class Step:
    """One edge: is_a (lower term -> upper term), presents_with or not_presents_with (disease -> term,
    with its phenotype.hpoa row), or a curated entity's mapping to a code (exact_match, close_match, ...)."""

    predicate: str
    subject: str
    object: str
    annotation: Annotation | None = None


@dataclass(frozen=True, slots=True)
class End:
    """What a path starts or ends at: a curated entity, an HP term (with the curated entity it stands for,
    if any) or an HPO disease."""

    kind: Kind
    id: str
    stand_in: str | None = None


@dataclass(frozen=True, slots=True)
class HpoPath:
    """Node ids (our entity ids, HP CURIEs, disease CURIEs) in walking order, and the edges between them:
    HPO steps, and curated edges where a path goes on through the curated graph."""

    nodes: tuple[str, ...]
    steps: tuple[Step | Edge, ...]


_Walk = tuple[tuple[str, ...], tuple[Step, ...]]


class HpoGraph:
    """Neighbourhoods and paths over one release's HPO index and its curated graph."""

    def __init__(self, hpo: HpoIndex, index: GraphIndex) -> None:
        self.hpo = hpo
        self.index = index
        children: dict[str, list[str]] = defaultdict(list)
        for term, parents in hpo.parents.items():
            for parent in parents:
                children[parent].append(term)
        self._children = {term: tuple(sorted(below)) for term, below in children.items()}
        # HP code -> the curated entities mapping to it, with the mapping relation (exact, close, ...).
        cited: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for entity in index.entities.values():
            for relation, code in entity.mappings:
                if hpo.known(code):
                    cited[code].append((entity.id, relation))
        self.cited_by = dict(cited)

    # ------------------------------------------------------------------ neighbourhoods

    def parents(self, term: str) -> tuple[str, ...]:
        """The term's is_a parents."""
        return self.hpo.parents.get(term, ())

    def children(self, term: str) -> tuple[str, ...]:
        """The terms whose is_a parent the term is."""
        return self._children.get(term, ())

    def diseases_with(self, term: str) -> tuple[int, int]:
        """How many diseases are annotated with the term itself, and with it or a more specific term."""
        return len(self.hpo.direct.get(term, ())), len(self.hpo.propagated.get(term, ()))

    def annotations(self, disease: str) -> list[Annotation]:
        """Every phenotype.hpoa row of the disease: present ones, then NOT ones, by term and line."""
        rows = [
            row
            for table in (self.hpo.positive, self.hpo.negative)
            for found in table.get(disease, {}).values()
            for row in found
        ]
        return sorted(rows, key=lambda row: (row.negated, row.term, row.paragraph))

    # ------------------------------------------------------------------ paths

    def paths(
        self, start: End, goal: End, max_length: int, limit: int, include_tests: bool = False
    ) -> list[HpoPath]:
        """Paths of at most `max_length` edges from `start` to `goal`, shortest first, at most `limit`.

        None between two curated entities here (the curated graph has those), nor between two diseases
        (they share terms, which says nothing about either). `include_tests` as in `paths_between`, for
        the curated part of a path.
        """
        first, last = (start, goal) if _ORDER[start.kind] <= _ORDER[goal.kind] else (goal, start)
        found = self._ordered(first, last, max_length)
        found += self._through_stand_in(first, last, max_length, limit, include_tests)
        if first is not start:
            found = [HpoPath(p.nodes[::-1], p.steps[::-1]) for p in found]
        found.sort(key=_path_order)
        return found[:limit]

    def _ordered(self, first: End, last: End, budget: int) -> list[HpoPath]:
        if first.kind == "hpo_term" and last.kind == "hpo_term":
            walk = self._walk(first.id, last.id, budget)
            return [] if walk is None else [HpoPath(*walk)]
        if first.kind == "hpo_term" and last.kind == "hpo_disease":
            return self._to_disease(first.id, last.id, budget)
        if first.kind == "entity" and last.kind != "entity":
            found = []
            for relation, code in self.index.entities[first.id].mappings:
                if not self.hpo.known(code) or budget < 1:
                    continue
                mapping = Step(f"{relation}_match", first.id, code)
                for rest in self._ordered(End("hpo_term", code), last, budget - 1):
                    found.append(HpoPath((first.id, *rest.nodes), (mapping, *rest.steps)))
            return found
        return []

    def _through_stand_in(
        self, first: End, last: End, budget: int, limit: int, include_tests: bool
    ) -> list[HpoPath]:
        """From a curated entity to an uncited term through the curated graph: to the entity the term
        stands for, then its mapping and is_a walk to the term."""
        stand_in = last.stand_in
        if first.kind != "entity" or last.kind != "hpo_term" or stand_in is None or stand_in == first.id:
            return []
        found = []
        for tail in self._ordered(End("entity", stand_in), last, budget - 1):
            for edges in paths_between(
                self.index,
                first.id,
                stand_in,
                budget - len(tail.steps),
                limit=limit,
                include_tests=include_tests,
            ):
                nodes = [first.id]
                for edge in edges:
                    nodes.append(edge.object if edge.subject == nodes[-1] else edge.subject)
                found.append(HpoPath((*nodes, *tail.nodes[1:]), (*edges, *tail.steps)))
        return found

    def _to_disease(self, term: str, disease: str, budget: int) -> list[HpoPath]:
        """From a term through the walk to each annotated term (one per term), then each of its rows."""
        found = []
        walks: dict[str, _Walk | None] = {}
        for row in self.annotations(disease):
            if row.term not in walks:
                walks[row.term] = self._walk(term, row.term, budget - 1)
            walk = walks[row.term]
            if walk is not None:
                predicate = "not_presents_with" if row.negated else "presents_with"
                nodes, steps = walk
                found.append(HpoPath((*nodes, disease), (*steps, Step(predicate, disease, row.term, row))))
        return found

    def _walk(self, start: str, goal: str, budget: int) -> _Walk | None:
        """The shortest is_a walk from one term to another within `budget` edges: up to their nearest
        shared ancestor (the most informative one of those as near), then down; None when longer."""
        if budget < 0 or not (self.hpo.known(start) and self.hpo.known(goal)):
            return None
        rise, fall = self._heights(start), self._heights(goal)
        shared = rise.keys() & fall.keys()
        if not shared:
            return None
        top = min(shared, key=lambda t: (rise[t] + fall[t], -self.hpo.ic[t], t))
        if rise[top] + fall[top] > budget:
            return None
        up = self.hpo.chain(start, top)
        down = self.hpo.chain(goal, top)[::-1]
        steps = [Step("is_a", low, high) for low, high in zip(up, up[1:], strict=False)]
        steps += [Step("is_a", low, high) for high, low in zip(down, down[1:], strict=False)]
        return (*up, *down[1:]), tuple(steps)

    def _heights(self, term: str) -> dict[str, int]:
        """The term (0) and each ancestor with the fewest is_a steps up to it."""
        heights = {term: 0}
        queue = deque([term])
        while queue:
            here = queue.popleft()
            for parent in self.hpo.parents.get(here, ()):
                if parent not in heights:
                    heights[parent] = heights[here] + 1
                    queue.append(parent)
        return heights


def _path_order(path: HpoPath) -> tuple[int, tuple[str, ...], tuple[int, ...]]:
    """Shortest first, then by node ids, then by phenotype.hpoa line (rows of one disease and term)."""
    lines = tuple(
        s.annotation.paragraph for s in path.steps if isinstance(s, Step) and s.annotation is not None
    )
    return len(path.steps), path.nodes, lines
