"""The one entry of ranking: a question, with references as people and other systems write them, is
resolved into a frozen query, and the query is answered in its scope (the curated differential, every
disease of the HPO graph, or both). Everything that decides an answer is here or below; the HTTP layer only
validates the request, calls these two functions and serializes.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from clinkg.service.ranking.context import Ranking
from clinkg.service.ranking.differential import differential
from clinkg.service.ranking.graph_index import IMPLIED
from clinkg.service.ranking.hpo_rank import HpoCandidate, HpoIndex
from clinkg.service.ranking.model import Differential, Query

# What may be reported present or absent: findings and history items (causes: conditions, exposures...).
HISTORY_OR_FINDING = frozenset({"finding", "cause"})


@dataclass(frozen=True)
class Question:
    """A request as asked: references (ids, CURIEs, codes, labels), qualifiers and what to list."""

    present: tuple[str, ...]
    absent: tuple[str, ...] = ()
    onset: str | None = None
    laterality: str | None = None
    course: str | None = None
    age: int | None = None
    scope: str = "curated"  # curated | hpo | all
    limit: int | None = None
    contributors: bool = False
    namespaces: tuple[str, ...] = ()  # HPO diseases of these sources only (OMIM, ORPHA, DECIPHER); () all


class UnresolvedError(ValueError):
    """The question cannot be answered as asked (unknown or misplaced references, a scope the release
    lacks, an item both present and absent). The message names the problems; `unknown` holds the
    references neither graph knows, for a caller that names them otherwise (by where it read them)."""

    def __init__(self, message: str, unknown: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.unknown = unknown


@dataclass(frozen=True)
class ScopedQuery:
    """A resolved question: the curated query and, in scopes hpo and all, the HP terms. Frozen and
    hashable: equal queries have equal answers, so it is the answer cache's key."""

    curated: Query
    scope: str = "curated"
    hpo_present: tuple[str, ...] = ()
    hpo_absent: tuple[str, ...] = ()
    hpo_limit: int = 0
    hpo_namespaces: tuple[str, ...] = ()
    # Items the HPO ranking cannot use (curated items with no HP code): said in the answer, not dropped.
    hpo_uncoded: tuple[str, ...] = ()


@dataclass
class Answer:
    """The differential of a query: the curated part (its candidates and tests are empty in scope hpo;
    its red flags and triage are there in every scope) and the HPO diseases, explained."""

    query: ScopedQuery
    differential: Differential
    hpo: list[HpoCandidate] = field(default_factory=list)


def _resolve_items(
    r: Ranking, field_name: str, refs: tuple[str, ...]
) -> tuple[tuple[str, ...], list[str], list[str]]:
    """Entity ids for the references of one field, the problems with the others, the unknown ones."""
    index = r.index
    ids: list[str] = []
    unknown: list[str] = []
    misplaced: list[str] = []
    for ref in refs:
        found = r.resolver.resolve(ref)
        if found is not None and found.kind == "hpo_disease":
            misplaced.append(f"{ref} (an HPO disease)")
        elif found is None or found.entity is None:
            unknown.append(ref)
        elif index.entities[found.entity].type not in HISTORY_OR_FINDING:
            misplaced.append(f"{ref} (a {index.entities[found.entity].type})")
        elif found.entity not in ids:
            ids.append(found.entity)
    problems = []
    if unknown:
        problems.append(f"unknown ids in '{field_name}': {', '.join(unknown)}")
    if misplaced:
        problems.append(f"'{field_name}' takes findings and history items only, not: {', '.join(misplaced)}")
    return tuple(ids), problems, unknown


def _hpo_terms(
    r: Ranking, hpo: HpoIndex, field_name: str, refs: tuple[str, ...]
) -> tuple[tuple[str, ...], list[str], list[str], list[str]]:
    """The HP terms of one field (HP terms however named, or curated items through the HP codes they
    imply), the problems, the references neither graph knows, and the curated items with no HP code.

    A curated item without an HP code of the release is fine: it takes part in the curated graph (red
    flags, and the curated candidates of scope "all") only. An item neither graph knows is a problem, and
    so is an HPO disease (listed with the unknown references, so that a phenopacket names it by path).
    """
    terms: list[str] = []
    unknown: list[str] = []
    diseases: list[str] = []
    uncoded: list[str] = []
    for ref in refs:
        found = r.resolver.resolve(ref)
        if found is not None and found.kind == "hpo_disease":
            diseases.append(ref)
            continue
        if found is not None and found.term is not None and hpo.known(found.term):
            codes = [found.term]
        elif found is not None and found.entity is not None:
            # Codes the entity implies (exact, close or broader): a patient who has it has those terms.
            codes = [code for code in r.index.entities[found.entity].codes(IMPLIED) if hpo.known(code)]
            if not codes:
                uncoded.append(ref)
        else:
            unknown.append(ref)
            continue
        terms.extend(term for term in codes if term not in terms)
    problems = []
    if unknown:
        problems.append(
            f"unknown in both the HPO graph and the curated graph in '{field_name}' (give HP CURIEs such as "
            f"HP:0007340, or curated ids): {', '.join(unknown)}"
        )
    if diseases:
        problems.append(
            f"'{field_name}' takes phenotypes and history items, not diseases: {', '.join(diseases)}"
        )
    return tuple(terms), problems, unknown + diseases, uncoded


def resolve(question: Question, r: Ranking) -> ScopedQuery:
    """The question's references as entity ids and HP terms (UnresolvedError naming what is wrong)."""
    quiet = question.scope != "curated"  # in other scopes, the curated graph takes the items it knows
    present, present_problems, present_unknown = _resolve_items(r, "present", question.present)
    absent, absent_problems, absent_unknown = _resolve_items(r, "absent", question.absent)
    problems = [] if quiet else present_problems + absent_problems
    if problems:
        raise UnresolvedError("; ".join(problems), tuple(present_unknown + absent_unknown))
    both = sorted(set(present) & set(absent))
    if both and quiet:
        # Two HP terms, one present and one excluded, can map to one curated finding (a close match of
        # each). The HP terms are ranked as given; the curated graph, there for red flags and triage, keeps
        # the finding present (an absent one would only lower curated scores).
        absent = tuple(a for a in absent if a not in both)
    elif both:
        # Two references (a label and a code, say) that name the same entity, one present and one absent.
        names = ", ".join(r.index.entities[i].curie for i in both)
        raise UnresolvedError(f"an item cannot be both present and absent: {names}")
    curated = Query(
        present=present,
        absent=absent,
        onset=question.onset,
        laterality=question.laterality,
        course=question.course,
        age=question.age,
        contributors=question.contributors,
        limit=question.limit,
    )
    if question.scope == "curated":
        return ScopedQuery(curated)
    hpo = r.hpo
    if hpo is None:
        raise UnresolvedError(
            f"scope '{question.scope}' needs a release with the HPO graph (`clinkg import hpo`); "
            "this service has the curated graph only"
        )
    terms, term_problems, term_unknown, term_uncoded = _hpo_terms(r, hpo, "present", question.present)
    missing, missing_problems, missing_unknown, missing_uncoded = _hpo_terms(
        r, hpo, "absent", question.absent
    )
    if not terms and not term_problems and question.scope == "hpo":
        term_problems.append("scope 'hpo' needs at least one HP term in 'present' (or a finding with one)")
    if term_problems or missing_problems:
        raise UnresolvedError(
            "; ".join(term_problems + missing_problems), tuple(term_unknown + missing_unknown)
        )
    return ScopedQuery(
        curated,
        question.scope,
        tuple(sorted(terms)),
        tuple(sorted(missing)),
        question.limit or r.weights.hpo.candidates,
        tuple(sorted(set(question.namespaces))),
        tuple(sorted(term_uncoded + missing_uncoded)),
    )


def answer(query: ScopedQuery, r: Ranking) -> Answer:
    """The answer to a resolved query. Red flags and triage come from the curated graph in every scope."""
    result = differential(r, query.curated)
    if query.scope == "curated" or r.hpo is None:
        return Answer(query, result)
    if query.scope == "hpo":
        result = replace(result, candidates=[], tests=[])
    w = r.weights.hpo
    ranked = r.hpo.rank(query.hpo_present, query.hpo_absent, query.hpo_limit, w, query.hpo_namespaces)
    diseases = []
    for slot in ranked:
        candidate = r.hpo.explain(slot.disease, slot.score, query.hpo_present, query.hpo_absent, w)
        candidate.same_disease = [(twin, r.hpo.disease_labels[twin], score) for twin, score in slot.same]
        diseases.append(candidate)
    return Answer(query, result, diseases)
