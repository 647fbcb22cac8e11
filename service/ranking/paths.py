"""Paths through the graph: from a present item to the causes it supports, and between two entities.

Pure functions over the GraphIndex. A finding reaches a cause directly (presents_with), through a
mechanism (manifests_as <- acts_through) or as a risk factor (risk_factor_for), itself or through a
general finding it is a form of (form_of: paralysis is a form of leg weakness, so it reaches the causes of
leg weakness too, discounted); from any cause reached, the walk climbs causal chains (causes, upstream)
and descends to subtypes (subtype_of).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from clinkg.service.ranking.graph_index import Edge, GraphIndex
from clinkg.service.ranking.weights import Weights


@dataclass(frozen=True, eq=False)
class Path:
    """A walk from `nodes[0]` (the present item) to `nodes[-1]` (the cause it supports).

    Compared and hashed by identity: paths are walked once per item and kept by the Ranking's memo, so
    the same path is the same object, and caches keyed by it do not hash its nodes and edges.
    """

    nodes: tuple[str, ...]
    edges: tuple[Edge, ...]
    route: str  # direct | mechanism | risk_factor | history
    weight: float

    @property
    def end(self) -> str:
        return self.nodes[-1]


def general_forms(index: GraphIndex, finding: str) -> list[Path]:
    """The finding itself (an empty walk) and every finding it is a form of, each with its form_of walk.

    The walk's weight is the discount of its steps (w.path.form_of per step is applied by the caller).
    """
    walks = [Path((finding,), (), "form", 1.0)]
    queue = deque(walks)
    while queue:
        walk = queue.popleft()
        for edge in index.out_edges.get(walk.end, ()):
            if edge.predicate == "form_of" and edge.object not in walk.nodes:
                longer = Path(walk.nodes + (edge.object,), walk.edges + (edge,), "form", 1.0)
                walks.append(longer)
                queue.append(longer)
    return walks


def _first_hops(index: GraphIndex, finding: str, w: Weights) -> list[Path]:
    hops: list[Path] = []
    for form in general_forms(index, finding):
        # A general form of the finding is true of the patient too, but says less: discounted per step.
        discount = w.path.form_of ** len(form.edges)
        at = form.end
        for edge in index.in_edges.get(at, ()):
            if edge.predicate == "presents_with":
                nodes, edges = form.nodes + (edge.subject,), form.edges + (edge,)
                hops.append(Path(nodes, edges, "direct", w.path.direct * discount))
            elif edge.predicate == "manifests_as":
                for acts in index.in_edges.get(edge.subject, ()):
                    if acts.predicate == "acts_through":
                        nodes = form.nodes + (edge.subject, acts.subject)
                        edges = form.edges + (edge, acts)
                        hops.append(Path(nodes, edges, "mechanism", w.path.mechanism * discount))
        for edge in index.out_edges.get(at, ()):
            if edge.predicate == "risk_factor_for":
                nodes, edges = form.nodes + (edge.object,), form.edges + (edge,)
                hops.append(Path(nodes, edges, "risk_factor", w.path.risk_factor * discount))
    return hops


def _extend(index: GraphIndex, start: list[Path], w: Weights) -> list[Path]:
    """Every path plus its extensions up causal chains and down to subtypes (no node twice)."""
    done: list[Path] = []
    queue = deque((path, 0) for path in start)
    while queue:
        path, depth = queue.popleft()
        done.append(path)
        if depth >= w.max_chain_depth:
            continue
        for edge in index.in_edges.get(path.end, ()):
            if edge.subject in path.nodes:
                continue
            if edge.predicate == "causes":
                factor = w.path.chain_step
            elif edge.predicate == "subtype_of":
                factor = w.path.subtype
            else:
                continue
            longer = Path(
                path.nodes + (edge.subject,), path.edges + (edge,), path.route, path.weight * factor
            )
            queue.append((longer, depth + 1))
    return done


def walk_from_finding(index: GraphIndex, finding: str, w: Weights) -> tuple[Path, ...]:
    """Every path from a finding to a cause (Ranking.finding_paths keeps them: the graph does not change)."""
    return tuple(_extend(index, _first_hops(index, finding, w), w))


def walk_from_history(index: GraphIndex, item: str, w: Weights) -> tuple[Path, ...]:
    """A known condition, exposure or medication supports itself and the causes it leads to."""
    return tuple(_history_walk(index, item, w))


def _history_walk(index: GraphIndex, item: str, w: Weights) -> list[Path]:
    paths = [Path((item,), (), "history", w.history_item)]
    queue = deque(paths)
    while queue:
        path = queue.popleft()
        if len(path.edges) >= w.max_chain_depth:
            continue
        for edge in index.out_edges.get(path.end, ()):
            if edge.predicate == "causes" and edge.object not in path.nodes:
                longer = Path(
                    path.nodes + (edge.object,),
                    path.edges + (edge,),
                    "history",
                    path.weight * w.path.chain_step,
                )
                paths.append(longer)
                queue.append(longer)
    return paths


def finding_edge(path: Path) -> Edge | None:
    """The edge by which a path's cause (or its mechanism) names the finding it reached: the edge whose
    qualifiers (onset, side, course) describe how the cause shows that finding."""
    for edge in path.edges:
        if edge.predicate in ("presents_with", "manifests_as", "risk_factor_for"):
            return edge
    return None


TEST_PREDICATES = frozenset({"evaluated_by", "assesses"})


def paths_between(
    index: GraphIndex,
    start: str,
    goal: str,
    max_length: int,
    *,
    limit: int = 20,
    include_tests: bool = False,
    max_expansions: int = 20_000,
) -> list[list[Edge]]:
    """Simple paths of at most `max_length` edges between two entities, edges in either direction.

    Shortest first; at most `limit` paths. Edges to diagnostic tests join almost everything to
    everything, so they are followed only when asked. The walk stops after `max_expansions` partial
    paths: through tests the number of simple paths explodes, and a request must end quickly.
    """
    found: list[list[Edge]] = []
    queue: deque[tuple[str, list[Edge], frozenset[str]]] = deque([(start, [], frozenset({start}))])
    expanded = 0
    while queue and len(found) < limit and expanded < max_expansions:
        node, edges, seen = queue.popleft()
        expanded += 1
        if node == goal and edges:
            found.append(edges)
            continue
        if len(edges) >= max_length:
            continue
        for edge in (*index.out_edges.get(node, ()), *index.in_edges.get(node, ())):
            if edge.predicate in TEST_PREDICATES and not include_tests:
                continue
            other = edge.object if edge.subject == node else edge.subject
            if other not in seen:
                queue.append((other, [*edges, edge], seen | {other}))
    return found
