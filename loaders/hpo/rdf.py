"""`clinkg import hpo`: the HPO as N-Triples in its own named graph, in a release beside the curated graph.

The N-Triples are generated line by line from the streamed annotation rows and written in chunks, so
memory holds the ~19k terms, the diseases seen and the bounded SHACL sample, never the 3.4M triples.
Terms (all current ones, whatever `limit`) come first, then the source, then each disease on its first
row and each annotation: the direct triple (once per disease, term and polarity) and its `ckg:Assertion`
node, whose locator is the source `phenotype.hpoa <version>`, section `phenotype.hpoa` and paragraph =
the row's line number in the file.

SHACL: pySHACL cannot validate millions of triples in reasonable time, so the import validates a bounded
sample of what it writes (the first SAMPLE_ANNOTATIONS annotations and the first SAMPLE_NEGATED NOT
annotations, with their diseases, terms and the source) against the shapes of shp:HpoImport in
ontology/shapes.ttl. The curated graph is validated in full, as `clinkg build` does.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from rdflib import Graph, Namespace
from rdflib.namespace import RDF, RDFS, SH, XSD

from clinkg import ontology
from clinkg.loaders.build import BuildResult, ExtraGraph, Phase, ShapesViolatedError, build
from clinkg.loaders.content import ContentDir
from clinkg.loaders.hpo.read import (
    Annotation,
    Ontology,
    Term,
    count_rows,
    disease_iri,
    frequency_value,
    hpoa_version,
    iter_annotations,
    read_ontology,
    skip_reason,
    source_id,
    statement,
    term_iri,
)
from clinkg.loaders.shacl import Violation, shapes_graph, validate_graph
from clinkg.ontology import CKG, HPO_GRAPH, ID

SECTION = "phenotype.hpoa"
SAMPLE_ANNOTATIONS = 2000
SAMPLE_NEGATED = 100
CHUNK_LINES = 20_000
SHP = Namespace("https://w3id.org/clinkg/shapes#")
Progress = Callable[[int, int], None]

_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def _lit(text: str) -> str:
    return f'"{text.translate(_ESCAPES)}"'


def assertion_iri(version: str, line: int) -> str:
    """The IRI of the assertion of one phenotype.hpoa row: its release and line number."""
    return f"{ID}hpoa/{version}/{line}"


# What the emitter writes, by the names of mapping.tsv (role, name).
_NAMES = {
    "label": ("attribute", "label"),
    "definition": ("attribute", "definition"),
    "alt_label": ("attribute", "synonyms"),
    "kind": ("attribute", "kind"),
    "title": ("attribute", "title"),
    "version": ("attribute", "version"),
    "is_a": ("relation", "is_a"),
    "present": ("relation", "presents_with"),
    "absent": ("relation", "not_presents_with"),
    "finding": ("class", "finding"),
    "cause": ("class", "cause"),
    "condition": ("class", "condition"),
    "source_class": ("class", "source"),
    "source": ("provenance", "source"),
    "section": ("provenance", "section"),
    "paragraph": ("provenance", "paragraph"),
    "statement": ("provenance", "statement"),
    "reference": ("provenance", "references"),
    "evidence": ("provenance", "evidence"),
    "frequency": ("qualifier", "frequency"),
    "frequency_value": ("qualifier", "frequency_value"),
    "onset_term": ("qualifier", "onset_term"),
    "modifier_term": ("qualifier", "modifier_terms"),
    "sex": ("qualifier", "sex"),
}


@cache
def _vocab() -> SimpleNamespace:
    """Every IRI the emitter writes, as `<...>` text."""
    iris = {key: str(ontology.name(role, name).rdf) for key, (role, name) in _NAMES.items()}
    iris |= {"type": RDF.type, "assertion": CKG.Assertion, "subject": RDF.subject}
    iris |= {"predicate": RDF.predicate, "object": RDF.object}
    return SimpleNamespace(**{key: f"<{iri}>" for key, iri in iris.items()})


def decimal_text(value: float) -> str:
    """A number in [0, 1] as an xsd:decimal lexical form, 4 decimals at most (0.895, 0.3333, 1)."""
    return f"{value:.4f}".rstrip("0").rstrip(".")


def term_lines(term: Term, hpo: Ontology) -> list[str]:
    """A term: a ckg:Finding when under Phenotypic abnormality, else a plain labelled term."""
    v = _vocab()
    s = f"<{term_iri(term.id)}>"
    lines = [f"{s} {v.type} {v.finding} .\n"] if term.id in hpo.findings else []
    lines.append(f"{s} {v.label} {_lit(term.name)} .\n")
    if term.definition:
        lines.append(f"{s} {v.definition} {_lit(term.definition)} .\n")
    lines.extend(f"{s} {v.alt_label} {_lit(synonym)} .\n" for synonym in term.synonyms)
    lines.extend(f"{s} {v.is_a} <{term_iri(parent)}> .\n" for parent in term.parents)
    return lines


def source_lines(version: str) -> list[str]:
    """The phenotype.hpoa release as a ckg:Source."""
    v = _vocab()
    s = f"<{ID}{source_id(version)}>"
    title = f"HPO annotations for rare diseases (phenotype.hpoa {version})"
    return [
        f"{s} {v.type} {v.source_class} .\n",
        f"{s} {v.label} {_lit(title)} .\n",
        f"{s} {v.title} {_lit(title)} .\n",
        f"{s} {v.version} {_lit(version)} .\n",
        f"{s} {v.kind} {_lit('dataset')} .\n",
    ]


def disease_lines(curie: str, name: str) -> list[str]:
    """An HPO disease as a ckg:Cause and ckg:Condition labelled with its name in the file."""
    v = _vocab()
    s = f"<{disease_iri(curie)}>"
    return [
        f"{s} {v.type} {v.cause} .\n",
        f"{s} {v.type} {v.condition} .\n",
        f"{s} {v.label} {_lit(name)} .\n",
        f"{s} {v.kind} {_lit('condition')} .\n",
    ]


def alt_label_line(curie: str, name: str) -> str:
    """Another name the file gives a disease, as a synonym."""
    return f"<{disease_iri(curie)}> {_vocab().alt_label} {_lit(name)} .\n"


def annotation_lines(row: Annotation, hpo: Ontology, version: str, *, direct: bool = True) -> list[str]:
    """The direct triple (unless `direct` is False) and the assertion node of one phenotype row."""
    v = _vocab()
    s, o = f"<{disease_iri(row.disease)}>", f"<{term_iri(row.term)}>"
    p = v.absent if row.negated else v.present
    a = f"<{assertion_iri(version, row.line)}>"
    lines = [f"{s} {p} {o} .\n"] if direct else []
    lines += [
        f"{a} {v.type} {v.assertion} .\n",
        f"{a} {v.subject} {s} .\n",
        f"{a} {v.predicate} {p} .\n",
        f"{a} {v.object} {o} .\n",
        f"{a} {v.source} <{ID}{source_id(version)}> .\n",
        f"{a} {v.section} {_lit(SECTION)} .\n",
        f'{a} {v.paragraph} "{row.line}"^^<{XSD.integer}> .\n',
        f"{a} {v.statement} {_lit(statement(row, hpo))} .\n",
        f"{a} {v.evidence} {_lit(row.evidence)} .\n",
    ]
    lines.extend(f"{a} {v.reference} {_lit(ref)} .\n" for ref in row.references)
    if row.frequency is not None:
        lines.append(f"{a} {v.frequency} {_lit(row.frequency)} .\n")
        value = frequency_value(row, hpo)
        if value is not None:
            lines.append(f'{a} {v.frequency_value} "{decimal_text(value)}"^^<{XSD.decimal}> .\n')
    if row.onset:
        lines.append(f"{a} {v.onset_term} <{term_iri(row.onset)}> .\n")
    if row.sex:
        lines.append(f"{a} {v.sex} {_lit(row.sex)} .\n")
    lines.extend(f"{a} {v.modifier_term} <{term_iri(m)}> .\n" for m in row.modifiers)
    return lines


@dataclass
class HpoCounts:
    """What an HPO import read and wrote (the manifest's `hpo` entry)."""

    hpo_release: str
    hpoa_version: str
    terms: int = 0
    findings: int = 0
    rows_read: int = 0
    diseases: int = 0
    annotations: int = 0
    negated: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    lines: int = 0
    sample_lines: int = 0

    def manifest(self) -> dict[str, Any]:
        """The counts as JSON-ready values."""
        return {
            "hpo_release": self.hpo_release,
            "hpoa_version": self.hpoa_version,
            "terms": self.terms,
            "findings": self.findings,
            "rows_read": self.rows_read,
            "diseases": self.diseases,
            "annotations": self.annotations,
            "negated": self.negated,
            "skipped": dict(sorted(self.skipped.items())),
            "ntriples_lines": self.lines,
            "shacl_sample_triples": self.sample_lines,
        }


def hpo_ntriples(
    hpo: Ontology,
    rows: Iterable[Annotation],
    version: str,
    counts: HpoCounts | None = None,
    sample: list[str] | None = None,
) -> Iterator[str]:
    """N-Triples lines of the whole HPO graph, generated as `rows` are consumed (a generator: nothing
    is held but the names of the diseases seen). `counts` is updated as it goes; `sample` receives the
    lines of the bounded SHACL sample. Lines are unique but for a repeated synonym or reference."""
    counts = counts or HpoCounts(hpo.release, version)
    sampled: set[str] = set()

    def keep(lines: Iterable[str]) -> None:
        if sample is not None:
            for line in lines:
                if line not in sampled:
                    sampled.add(line)
                    sample.append(line)

    for term in hpo.terms.values():
        counts.terms += 1
        counts.findings += term.id in hpo.findings
        yield from term_lines(term, hpo)
    yield from source_lines(version)
    keep(source_lines(version))
    names: dict[str, list[str]] = {}
    current = ""
    pairs: set[tuple[bool, str]] = set()
    for row in rows:
        counts.rows_read += 1
        reason = skip_reason(row, hpo)
        if reason is not None:
            counts.skipped[reason] += 1
            continue
        known = names.get(row.disease)
        if known is None:
            names[row.disease] = [row.disease_name]
            counts.diseases += 1
            yield from disease_lines(row.disease, row.disease_name)
        elif row.disease_name not in known:
            # The file names some diseases two ways (an OMIM title renamed in some rows): the first name
            # is the label, the others are synonyms.
            known.append(row.disease_name)
            yield alt_label_line(row.disease, row.disease_name)
        # Rows come grouped by disease, so a repeated (disease, term) pair is found within the group.
        if row.disease != current:
            current, pairs = row.disease, set()
        direct = (row.negated, row.term) not in pairs
        pairs.add((row.negated, row.term))
        lines = annotation_lines(row, hpo, version, direct=direct)
        counts.annotations += 1
        counts.negated += row.negated
        yield from lines
        if counts.annotations <= SAMPLE_ANNOTATIONS or (row.negated and counts.negated <= SAMPLE_NEGATED):
            first, *others = names[row.disease]
            keep(disease_lines(row.disease, first))
            keep(alt_label_line(row.disease, other) for other in others)
            keep(annotation_lines(row, hpo, version))
            for curie in (row.term, row.onset, *row.modifiers):
                if curie is not None and curie in hpo.terms:
                    keep(term_lines(hpo.terms[curie], hpo))


def write_hpo(
    path: Path,
    *,
    limit: int | None = None,
    diseases: Collection[str] = (),
    progress: Progress | None = None,
    phase: Phase | None = None,
) -> dict[str, Any]:
    """Stream the HPO graph into the N-Triples file `path`, validate its sample; returns the counts.
    `progress` is told the rows read and the rows expected; `phase` is told "hpo-shacl" when the
    sample's validation starts.

    Raises ShapesViolatedError when the sample does not conform (the release is then not written)."""
    hpo = read_ontology()
    version = hpoa_version()
    total = count_rows()
    if limit is not None and not diseases:
        total = min(total, limit)
    counts = HpoCounts(hpo.release, version)
    sample: list[str] = []
    digest = hashlib.sha256()

    def rows() -> Iterator[Annotation]:
        for row in iter_annotations(limit=limit, diseases=diseases):
            yield row
            if progress is not None and counts.rows_read % 2000 == 0:
                progress(counts.rows_read, total)

    with path.open("wb") as handle:
        chunk: list[str] = []
        for line in hpo_ntriples(hpo, rows(), version, counts, sample):
            chunk.append(line)
            if len(chunk) >= CHUNK_LINES:
                _flush(handle, chunk, digest)
                counts.lines += len(chunk)
                chunk = []
        _flush(handle, chunk, digest)
        counts.lines += len(chunk)
    if progress is not None:
        progress(counts.rows_read, counts.rows_read)
    counts.sample_lines = len(sample)
    if phase is not None:
        phase("hpo-shacl")
    violations = validate_sample(sample)
    if violations:
        raise ShapesViolatedError(violations)
    return {**counts.manifest(), "ntriples_sha256": digest.hexdigest(), "limit": limit}


def _flush(handle: Any, chunk: list[str], digest: Any) -> None:
    data = "".join(chunk).encode("utf-8")
    digest.update(data)
    handle.write(data)


def hpo_shapes() -> Graph:
    """The shapes with the targets of every shape outside shp:HpoImport removed: what the HPO sample is
    checked against (the others are rules of curated content, see ontology/shapes.ttl)."""
    shapes = shapes_graph()
    members = set(shapes.objects(SHP.HpoImport, RDFS.member))
    if not members:
        raise ValueError("ontology/shapes.ttl lists no shapes in shp:HpoImport")
    for shape in set(shapes.subjects(RDF.type, SH.NodeShape)) - members:
        for target in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target):
            shapes.remove((shape, target, None))
    return shapes


def validate_sample(lines: Iterable[str]) -> list[Violation]:
    """Every violation of the HPO shapes by these N-Triples lines (plus the ontology); empty when valid."""
    data = Graph(store="Oxigraph")
    data.parse(data="".join(lines), format="nt")
    data += ontology.graph()
    return validate_graph(data, hpo_shapes())


def import_hpo(
    out: Path,
    content_dir: ContentDir | None = None,
    *,
    limit: int | None = None,
    diseases: Collection[str] = (),
    progress: Progress | None = None,
    phase: Phase | None = None,
) -> BuildResult:
    """Build a new release under `out` holding the curated graph, the ontology and the HPO graph
    (named graph HPO_GRAPH, artifact `hpo.nt`), then make it current, as `clinkg build` does.

    `limit` keeps the first N data rows of phenotype.hpoa (for tests); `diseases` adds every row of these
    disease CURIEs. The manifest's `hpo` entry has the counts and the graph's triple count.
    """
    extra = ExtraGraph(
        key="hpo",
        graph=HPO_GRAPH,
        write=lambda path: write_hpo(path, limit=limit, diseases=diseases, progress=progress, phase=phase),
    )
    return build(out, content_dir, extra_graphs=[extra], phase=phase)
