"""One resolver for every way a reference can name something the release knows.

A reference is our id (`leg-weakness`, any case), a `clinkg:` CURIE, the full IRI of one of our entities,
a cross-reference CURIE (`HP:0007340`, `HP_0007340`, `hp:0007340`, `ICD10CM:G61.0`, `OMIM:620106`,
`ORPHA:1401`), a bare ICD-10-CM code (`G61.0`, `g61.0`, `G610` when only one code reads so), a full
cross-reference IRI (the namespaces of `XREF_NAMESPACES`), or an exact label or synonym (compared without
case and with whitespace collapsed). What it names is a curated entity, an HP term or an HPO disease.

A code that a curated entity cites (exact, close or narrower: `IDENTIFYING`) names that entity, as it
always has; the HP term stays available (`Resolution.term`). An HP term that no entity cites names the
term in the HPO graph of the release, and stands in the curated graph for the entity citing its nearest
cited ancestor (`Resolution.entity`). A release without an HPO graph knows only its hierarchy: there such a
term names that ancestor's entity directly, and a term without a cited ancestor is unknown.

Pure: no web framework, no store; built once per served graph (`Ranking.resolver`).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Literal

from clinkg.ontology import ID, PREFIXES, XREF_NAMESPACES
from clinkg.service.ranking.graph_index import IDENTIFYING, GraphIndex
from clinkg.service.ranking.hierarchy import Hierarchy
from clinkg.service.ranking.hpo_rank import HpoIndex

Kind = Literal["entity", "hpo_term", "hpo_disease"]
Matched = Literal["id", "curie", "iri", "code", "label", "synonym"]
Graph = Literal["curated", "hpo"]

_HP, _ICD = "HP", "ICD10CM"
_OURS = next(prefix for prefix, namespace in PREFIXES.items() if namespace == ID)  # clinkg
# A prefix, then ":" or the "_" of OBO IRIs' local names (HP_0007340).
_CURIE = re.compile(r"([A-Za-z][A-Za-z0-9]*)[:_](\S+)")
# ICD-10-CM: a letter, two characters, then optionally the dot and up to four more (G61.0, G35, M62.84).
_ICD_CODE = re.compile(r"[A-Z][0-9][0-9A-Z](?:\.?[0-9A-Z]{1,4})?")
# Clients and proxies that merge slashes turn "https://" into "https:/"; the scheme itself says nothing.
_SCHEME = re.compile(r"https?:/+", re.IGNORECASE)


def name_key(text: str) -> str:
    """A label or synonym as references are compared with it: case and runs of whitespace ignored."""
    return " ".join(text.split()).casefold()


def _after_scheme(iri: str) -> int | None:
    """Where an IRI's text after `http(s)://` starts; None when it is not an IRI."""
    found = _SCHEME.match(iri)
    return None if found is None else found.end()


def _namespace_key(namespace: object) -> str:
    """A namespace IRI as references are compared with it: without scheme, in lower case (all ASCII)."""
    text = str(namespace)
    return text[_after_scheme(text) or 0 :].lower()


RESOLVED_KEPT = 16_384  # references whose resolution is kept


@dataclass(frozen=True, slots=True)
class Resolution:
    """What a reference names and how it was read.

    `kind` and `id` are what the reference names: our entity id, an HP CURIE or an HPO disease CURIE.
    `entity` is the curated entity standing for it in the curated graph (itself; for an HP term, the
    entity citing it or its nearest cited ancestor; None when there is none, and for diseases). `term` is
    the HP term the reference names, when it names one (by code or label), even where a curated entity
    answers for it. `via` is the code through which a curated entity was reached (the code cited, or the
    nearest cited ancestor of an uncited term). `others` are further ids the same words name (a label two
    entries share): the first is chosen, by id.
    """

    reference: str
    kind: Kind
    id: str
    matched: Matched
    entity: str | None = None
    term: str | None = None
    via: str | None = None
    others: tuple[str, ...] = ()

    @property
    def through_ancestor(self) -> bool:
        """An HP term that stands for a curated entity only through a more general cited term."""
        return self.term is not None and self.via is not None and self.via != self.term


class Resolver:
    """Reads references (module docstring) against the curated graph and, when the release has one, the
    HPO graph."""

    def __init__(
        self, index: GraphIndex, hpo: HpoIndex | None = None, hierarchy: Hierarchy | None = None
    ) -> None:
        self.index = index
        self.hpo = hpo
        if hierarchy is None and hpo is not None:
            hierarchy = Hierarchy(hpo.parents)
        self.hierarchy = hierarchy
        self._ids = {entity_id.casefold(): entity_id for entity_id in index.entities}
        # Canonical code (HP:0007340, ICD10CM:G61.0) -> the entities it identifies, in id order.
        self._by_code: dict[str, list[str]] = defaultdict(list)
        self._undotted: dict[str, set[str]] = defaultdict(set)  # G610 -> {G61.0}
        self._by_name: dict[str, list[tuple[str, Matched]]] = defaultdict(list)
        for entity in index.entities.values():
            for code in entity.codes(IDENTIFYING):
                self._by_code[code.upper()].append(entity.id)
                prefix, _, local = code.upper().partition(":")
                if prefix == _ICD:
                    self._undotted[local.replace(".", "")].add(local)
            for position, name in enumerate((entity.label, *entity.synonyms)):
                key = name_key(name)
                if all(entity.id != known for known, _ in self._by_name[key]):
                    self._by_name[key].append((entity.id, "label" if position == 0 else "synonym"))
        for named in self._by_name.values():
            # A label names its entity before another entity's synonym does.
            named.sort(key=lambda pair: pair[1] != "label")
        self._prefixes = {prefix.casefold(): prefix for prefix in XREF_NAMESPACES}
        self._namespaces = [(_namespace_key(ns), prefix) for prefix, ns in XREF_NAMESPACES.items()]
        self._our_namespace = _namespace_key(ID)
        self._diseases: dict[str, str] = {}
        self._term_names: dict[str, list[str]] = defaultdict(list)
        self._disease_names: dict[str, list[str]] = defaultdict(list)
        if hpo is not None:
            # Disease sources (OMIM, ORPHA, DECIPHER) are whatever the release's HPO graph has.
            for disease in hpo.disease_ids:
                self._diseases[disease.casefold()] = disease
                prefix = disease.partition(":")[0]
                self._prefixes.setdefault(prefix.casefold(), prefix)
                self._disease_names[name_key(hpo.disease_labels[disease])].append(disease)
            for term, label in hpo.labels.items():
                self._term_names[name_key(label)].append(term)
        # The graph does not change while it is served: a reference always resolves alike, and the same
        # few hundred are sent again and again. Bounded: references are what requests send.
        self.resolve = lru_cache(maxsize=RESOLVED_KEPT)(self._resolve)  # type: ignore[method-assign]

    # ------------------------------------------------------------------ the entry

    def resolve(self, reference: str) -> Resolution | None:
        """What the reference names, or None when neither graph knows it (kept per reference)."""
        return self._resolve(reference)

    def _resolve(self, reference: str) -> Resolution | None:
        ref = reference.strip()
        if not ref:
            return None
        return (
            self._our_id(reference, ref)
            or self._iri(reference, ref)
            or self._curie(reference, ref)
            or self._bare_code(reference, ref)
            or self._name(reference, ref)
        )

    def entity(self, reference: str) -> str | None:
        """The curated entity a reference stands for in the curated graph, or None."""
        found = self.resolve(reference)
        return None if found is None else found.entity

    def in_graph(self, found: Resolution, graph: Graph) -> Resolution | None:
        """The same reference read in one graph: the curated entity standing for it, or the HP term or
        HPO disease it names; None when it has no reading there."""
        if graph == "curated":
            if found.entity is None:
                return None
            return replace(found, kind="entity", id=found.entity)
        if found.kind == "hpo_disease":
            return found
        if found.term is not None and self.hpo is not None and self.hpo.known(found.term):
            return replace(found, kind="hpo_term", id=found.term)
        return None

    # ------------------------------------------------------------------ the forms

    def _entity(self, reference: str, entity_id: str, matched: Matched) -> Resolution:
        return Resolution(reference, "entity", entity_id, matched, entity=entity_id)

    def _our_id(self, reference: str, ref: str) -> Resolution | None:
        found = self._ids.get(ref.casefold())
        if found is not None:
            return self._entity(reference, found, "id")
        prefix, colon, local = ref.partition(":")
        if colon and prefix.casefold() == _OURS:
            return self._local(reference, local, "curie")
        return None

    def _local(self, reference: str, local: str, matched: Matched) -> Resolution | None:
        """The local part of our namespace: an entity id, or an HPO disease (its IRI is ours + its CURIE)."""
        found = self._ids.get(local.casefold())
        if found is not None:
            return self._entity(reference, found, matched)
        disease = self._diseases.get(local.casefold())
        if disease is not None:
            return Resolution(reference, "hpo_disease", disease, matched)
        return None

    def _iri(self, reference: str, ref: str) -> Resolution | None:
        start = _after_scheme(ref)
        if start is None:
            return None
        ours = self._our_namespace
        if ref[start : start + len(ours)].lower() == ours:
            return self._local(reference, ref[start + len(ours) :], "iri")
        for namespace, prefix in self._namespaces:
            if ref[start : start + len(namespace)].lower() == namespace:
                return self._code(reference, prefix, ref[start + len(namespace) :], "iri")
        return None

    def _curie(self, reference: str, ref: str) -> Resolution | None:
        found = _CURIE.fullmatch(ref)
        if found is None:
            return None
        prefix = self._prefixes.get(found.group(1).casefold())
        if prefix is None:
            return None
        return self._code(reference, prefix, found.group(2), "curie")

    def _bare_code(self, reference: str, ref: str) -> Resolution | None:
        code = ref.upper()
        if _ICD_CODE.fullmatch(code) is None:
            return None
        return self._code(reference, _ICD, code, "code")

    def _code(self, reference: str, prefix: str, local: str, matched: Matched) -> Resolution | None:
        """A code of one of the cross-reference or disease namespaces."""
        disease = self._diseases.get(f"{prefix}:{local}".casefold())
        if disease is not None:
            return Resolution(reference, "hpo_disease", disease, matched)
        code = f"{prefix}:{local.upper()}"
        if prefix == _HP:
            return self._term(reference, code, matched)
        cited = self._by_code.get(code)
        if not cited and prefix == _ICD:
            dotted = self._undotted.get(local.upper().replace(".", ""), set())
            if len(dotted) == 1:
                code = f"{_ICD}:{next(iter(dotted))}"
                cited = self._by_code.get(code)
        if not cited:
            return None
        return Resolution(
            reference, "entity", cited[0], matched, entity=cited[0], via=code, others=tuple(cited[1:])
        )

    def _term(
        self, reference: str, term: str, matched: Matched, others: tuple[str, ...] = ()
    ) -> Resolution | None:
        """An HP term: the entity citing it; else the term itself in the HPO graph, standing for the entity
        of its nearest cited ancestor; else (no HPO graph) that entity."""
        cited = self._by_code.get(term)
        if cited:
            return Resolution(
                reference, "entity", cited[0], matched, cited[0], term, term, (*cited[1:], *others)
            )
        ancestor = self._cited_ancestor(term)
        stand_in = self._by_code[ancestor][0] if ancestor is not None else None
        if self.hpo is not None and self.hpo.known(term):
            return Resolution(reference, "hpo_term", term, matched, stand_in, term, ancestor, others)
        if stand_in is not None:
            return Resolution(reference, "entity", stand_in, matched, stand_in, term, ancestor, others)
        return None

    def _cited_ancestor(self, term: str) -> str | None:
        if self.hierarchy is None:
            return None
        for ancestor in self.hierarchy.ancestors(term):
            if ancestor in self._by_code:
                return ancestor
        return None

    def _name(self, reference: str, ref: str) -> Resolution | None:
        key = name_key(ref)
        named = self._by_name.get(key)
        if named:
            (entity_id, matched), *rest = named
            found = self._entity(reference, entity_id, matched)
            return replace(found, others=tuple(other for other, _ in rest))
        terms = self._term_names.get(key)
        if terms:
            return self._term(reference, terms[0], "label", tuple(terms[1:]))
        diseases = self._disease_names.get(key)
        if diseases:
            return Resolution(reference, "hpo_disease", diseases[0], "label", others=tuple(diseases[1:]))
        return None
