"""Read the curated content: YAML files -> pydantic models -> cross-file checks.

Every problem names its file and line; all problems are collected before failing, so one run of
`clinkg validate` shows everything that needs fixing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from rdflib import URIRef
from rdflib.namespace import RDFS

from clinkg import ontology
from clinkg.loaders.codes import check_code
from clinkg.loaders.errors import ContentError, Problem
from clinkg.loaders.models import (
    ENTITY_FILES,
    RELATIONS_FILE,
    Cause,
    Coded,
    ContentFile,
    DiagnosticTest,
    Entity,
    Finding,
    Locator,
    Mechanism,
    RedFlag,
    Relation,
    Source,
    Strict,
    TriageAdvice,
)

ContentDir = Path | Traversable


def packaged_content() -> Traversable:
    """The content shipped inside the installed package."""
    return files("clinkg.content")


@dataclass(frozen=True)
class Located:
    """A record with the file and line it was read from."""

    record: Any
    file: str
    line: int
    key_lines: dict[str, int] = field(default_factory=dict)

    def at(self, key: str) -> int:
        """The line of one of the record's keys (the record's line when the key is absent)."""
        return self.key_lines.get(key, self.line)


@dataclass(frozen=True)
class Edge:
    """One edge of the graph with its provenance and qualifiers."""

    subject: str
    predicate: str
    object: str
    locator: Locator
    qualifiers: dict[str, str]


@dataclass
class Content:
    """The validated curated content."""

    sources: list[Source] = field(default_factory=list)
    causes: list[Cause] = field(default_factory=list)
    mechanisms: list[Mechanism] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    tests: list[DiagnosticTest] = field(default_factory=list)
    red_flags: list[RedFlag] = field(default_factory=list)
    triage: list[TriageAdvice] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    content_hash: str = ""

    def entities(self) -> Iterator[tuple[str, Entity]]:
        """(file key, entity) for every entity but sources, in file order."""
        for spec in ENTITY_FILES:
            if spec.key != "sources":
                for record in getattr(self, spec.key):
                    yield spec.key, record

    def edges(self) -> Iterator[Edge]:
        """Every edge: the red flags' criteria and concerns, then the curated relations."""
        for flag in self.red_flags:
            # The flag's first citation is where its pattern is stated; its edges share it.
            loc = flag.provenance[0]
            for group in ("all_of", "any_of", "supporting"):
                for finding in getattr(flag.criteria, group):
                    yield Edge(flag.id, "has_criterion", finding, loc, {"criterion_group": group})
            for cause in flag.raises_concern_for:
                yield Edge(flag.id, "raises_concern_for", cause, loc, {})
        for rel in self.relations:
            qualifiers = {k: v for k, v in rel.qualifiers.model_dump().items() if v is not None}
            yield Edge(rel.subject, rel.predicate, rel.object, rel.locator, qualifiers)


def _file_names() -> list[str]:
    return [spec.name for spec in ENTITY_FILES] + [RELATIONS_FILE.name]


def content_hash(directory: ContentDir) -> str:
    """SHA-256 over the content files' names and bytes, in a fixed order."""
    digest = hashlib.sha256()
    for name in _file_names():
        entry = directory / name
        if entry.is_file():
            digest.update(name.encode() + b"\0" + entry.read_bytes() + b"\0")
    return digest.hexdigest()


def _read_records(
    directory: ContentDir, spec: ContentFile, problems: list[Problem], broken: set[str]
) -> list[Located] | None:
    """The file's valid records, or None when the file cannot be read at all.

    The ids of invalid records go to `broken`, so references to them are not reported a second time.
    """
    # Imported here so that `clinkg --help` does not pay for YAML parsing machinery.
    from clinkg.loaders.yaml_source import line_of, read_yaml

    entry = directory / spec.name
    if not entry.is_file():
        problems.append(Problem(spec.name, 0, "file is missing"))
        return None
    data, found = read_yaml(entry.read_text(encoding="utf-8"), spec.name)
    problems.extend(found)
    if data is None:
        return None
    if not isinstance(data, dict) or set(data) != {spec.key}:
        keys = ", ".join(map(repr, data)) if isinstance(data, dict) else type(data).__name__
        problems.append(
            Problem(spec.name, 1, f"expected exactly one top-level key '{spec.key}', found {keys}")
        )
        return None
    items = data[spec.key]
    if not isinstance(items, list):
        problems.append(Problem(spec.name, line_of(data, (spec.key,)), f"'{spec.key}' must be a list"))
        return None
    out: list[Located] = []
    for index, item in enumerate(items):
        try:
            record = spec.model.model_validate(item)
        except ValidationError as exc:
            for err in exc.errors():
                loc = tuple(err["loc"])
                line = line_of(data, (spec.key, index, *loc))
                where = ".".join(str(p) for p in loc) or "record"
                message = "unknown key" if err["type"] == "extra_forbidden" else err["msg"]
                problems.append(Problem(spec.name, line, f"{where}: {message}"))
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                broken.add(item["id"])
            continue
        out.append(Located(record, spec.name, line_of(data, (spec.key, index)), dict(item.key_lines)))
    return out


@cache
def _superclasses() -> dict[URIRef, frozenset[URIRef]]:
    """Each ontology class with all its superclasses (itself included)."""
    graph = ontology.graph()
    return {
        cls: frozenset(o for o in graph.transitive_objects(cls, RDFS.subClassOf) if isinstance(o, URIRef))
        for cls in set(graph.subjects(RDFS.subClassOf, None)) | set(graph.objects(None, RDFS.subClassOf))
        if isinstance(cls, URIRef)
    }


def _relation_ends() -> dict[str, tuple[URIRef, URIRef]]:
    """YAML predicate -> (domain class, range class), read from the ontology."""
    graph = ontology.graph()
    ends: dict[str, tuple[URIRef, URIRef]] = {}
    for yaml_name, row in ontology.by_role("relation").items():
        domain = graph.value(row.rdf, RDFS.domain)
        range_ = graph.value(row.rdf, RDFS.range)
        if isinstance(domain, URIRef) and isinstance(range_, URIRef):
            ends[yaml_name] = (domain, range_)
    return ends


def _check_locator(
    loc: Locator, file: str, line: int, sections: dict[str, dict[str, int]], problems: list[Problem]
) -> None:
    if loc.source not in sections:
        problems.append(Problem(file, line, f"unknown source '{loc.source}'"))
        return
    paragraphs = sections[loc.source].get(loc.section)
    if paragraphs is None:
        shown = loc.section or "(untitled introduction)"
        problems.append(Problem(file, line, f"source '{loc.source}' has no section '{shown}'"))
    elif loc.paragraph > paragraphs:
        problems.append(
            Problem(
                file,
                line,
                f"section '{loc.section}' of '{loc.source}' has {paragraphs} paragraphs, not {loc.paragraph}",
            )
        )


def load_content(directory: ContentDir | None = None, *, verify_codes: bool = True) -> Content:
    """Read and check every content file; raise ContentError listing every problem found."""
    directory = packaged_content() if directory is None else directory
    problems: list[Problem] = []
    broken: set[str] = set()
    maybe = {
        spec.key: _read_records(directory, spec, problems, broken) for spec in (*ENTITY_FILES, RELATIONS_FILE)
    }
    if any(records is None for records in maybe.values()):
        # A file that cannot be read hides its ids: every reference to them would be a false alarm.
        raise ContentError(problems)
    read = {key: records or [] for key, records in maybe.items()}

    # One id namespace across all files.
    where: dict[str, Located] = {}
    kind_of: dict[str, ContentFile] = {}
    for spec in ENTITY_FILES:
        for item in read[spec.key]:
            rid = item.record.id
            if rid in where:
                first = where[rid]
                problems.append(
                    Problem(
                        item.file, item.line, f"duplicate id '{rid}' (first at {first.file}:{first.line})"
                    )
                )
                continue
            where[rid] = item
            kind_of[rid] = spec

    for spec in ENTITY_FILES[1:]:
        labels: dict[str, Located] = {}
        for item in read[spec.key]:
            label = item.record.label.casefold()
            if label in labels:
                first = labels[label]
                message = (
                    f"label '{item.record.label}' is already used by '{first.record.id}' (line {first.line})"
                )
                problems.append(Problem(item.file, item.at("label"), message))
            labels.setdefault(label, item)

    advice_for: dict[str, Located] = {}
    for item in read["triage"]:
        level = item.record.urgency
        if level in advice_for:
            first = advice_for[level]
            problems.append(
                Problem(
                    item.file, item.at("urgency"), f"level '{level}' already has advice '{first.record.id}'"
                )
            )
        advice_for.setdefault(level, item)

    sections = {
        item.record.id: {s.heading: s.paragraphs for s in item.record.sections} for item in read["sources"]
    }
    for spec in ENTITY_FILES[1:]:
        for item in read[spec.key]:
            for loc in item.record.provenance:
                _check_locator(loc, item.file, item.at("provenance"), sections, problems)
            _check_entity(item, kind_of, broken, problems, verify_codes=verify_codes)

    classes = _superclasses()
    ends = _relation_ends()
    seen: dict[tuple[str, str, str], Located] = {}
    for item in read["relations"]:
        rel: Relation = item.record
        _check_locator(rel.locator, item.file, item.at("section"), sections, problems)
        domain, range_ = ends[rel.predicate]
        for role, rid, wanted in (("subject", rel.subject, domain), ("object", rel.object, range_)):
            if rid not in kind_of:
                if rid not in broken:
                    problems.append(Problem(item.file, item.at(role), f"{role} '{rid}' is not a known id"))
                continue
            cls = ontology.name("class", kind_of[rid].class_name or "").rdf
            if wanted not in classes.get(cls, frozenset({cls})):
                problems.append(
                    Problem(
                        item.file,
                        item.at(role),
                        f"{rel.predicate} needs a {ontology.local_name(wanted)} as {role}; "
                        f"'{rid}' is a {ontology.local_name(cls)}",
                    )
                )
        triple = (rel.subject, rel.predicate, rel.object)
        if triple in seen:
            problems.append(
                Problem(
                    item.file, item.line, f"duplicate relation {triple} (first at line {seen[triple].line})"
                )
            )
        else:
            seen[triple] = item

    if verify_codes:
        _check_forms_follow_hpo(read["findings"], read["relations"], problems)
    if problems:
        raise ContentError(problems)
    content = Content(content_hash=content_hash(directory))
    for spec in (*ENTITY_FILES, RELATIONS_FILE):
        setattr(content, spec.key, [item.record for item in read[spec.key]])
    return content


def _check_entity(
    item: Located,
    kind_of: dict[str, ContentFile],
    broken: set[str],
    problems: list[Problem],
    *,
    verify_codes: bool,
) -> None:
    record: Strict = item.record
    labels = [record.label.casefold(), *(s.casefold() for s in record.synonyms)]  # type: ignore[attr-defined]
    repeated = sorted({name for name in labels if labels.count(name) > 1})
    if repeated:
        names = ", ".join(repr(name) for name in repeated)
        message = f"'{record.id}' repeats a label or synonym: {names}"  # type: ignore[attr-defined]
        problems.append(Problem(item.file, item.at("synonyms"), message))
    codes = record.codes() if isinstance(record, Coded) else []
    curies = [curie for _, curie in codes]
    if isinstance(record, Finding):
        for relation, curie in codes:
            if not curie.startswith("HP:"):
                problems.append(
                    Problem(item.file, item.at(relation), f"finding cross-reference {curie} must be HP")
                )
    if len(set(curies)) != len(curies):
        problems.append(Problem(item.file, item.line, f"'{record.id}' repeats a cross-reference"))  # type: ignore[attr-defined]
    if verify_codes:
        for relation, curie in codes:
            reason = check_code(curie)
            if reason:
                problems.append(Problem(item.file, item.at(relation), f"unverifiable code: {reason}"))
    if isinstance(record, RedFlag):
        crit = record.criteria
        if not crit.all_of and not crit.any_of:
            problems.append(
                Problem(
                    item.file, item.at("criteria"), f"red flag '{record.id}' has no all_of or any_of criteria"
                )
            )
        listed = [*crit.all_of, *crit.any_of, *crit.supporting]
        if len(set(listed)) != len(listed):
            problems.append(
                Problem(item.file, item.at("criteria"), "a finding appears twice in the criteria")
            )
        for group, ids, expected in (
            ("criteria", listed, "findings"),
            ("raises_concern_for", record.raises_concern_for, "causes"),
        ):
            line = item.at(group)
            for rid in ids:
                if rid not in kind_of:
                    if rid not in broken:
                        problems.append(Problem(item.file, line, f"{group}: '{rid}' is not a known id"))
                elif kind_of[rid].key != expected:
                    kind = kind_of[rid].key[:-1]
                    problems.append(
                        Problem(item.file, line, f"{group}: '{rid}' is a {kind}, not a {expected[:-1]}")
                    )


def _check_forms_follow_hpo(
    findings: list[Located], relations: list[Located], problems: list[Problem]
) -> None:
    """Where HPO says one finding's exact code is a kind of another's, the content must say the first
    finding is a form of the second (form_of, directly or along a chain): one hierarchy, the curated one,
    checked against HPO."""
    from clinkg.loaders.codes import hpo_release

    up: dict[str, set[str]] = {}
    for item in relations:
        rel: Relation = item.record
        if rel.predicate == "form_of":
            up.setdefault(rel.subject, set()).add(rel.object)

    def stated(lower: str, upper: str) -> bool:
        seen, frontier = {lower}, [lower]
        while frontier:
            frontier = [g for f in frontier for g in up.get(f, ()) if g not in seen]
            seen.update(frontier)
        return upper in seen

    owner = {code: item.record.id for item in findings for code in item.record.exact_match}
    hpo = hpo_release()
    for item in findings:
        for code in item.record.exact_match:
            for ancestor in hpo.ancestors(code):
                general = owner.get(ancestor)
                if general and general != item.record.id and not stated(item.record.id, general):
                    problems.append(
                        Problem(
                            item.file,
                            item.at("exact_match"),
                            f"HPO makes {code} a kind of {ancestor}: add a relation "
                            f"'{item.record.id}' form_of '{general}'",
                        )
                    )
