"""The HPO graph into a property graph (Neo4j; FalkorDB in tests), beside the curated graph that
loaders/neo4j.py writes; statements from loaders/cypher/, names from ontology/mapping.tsv.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Collection, Iterator, Mapping
from typing import Any

from clinkg import __version__, ontology
from clinkg.loaders.hpo.read import (
    Annotation,
    Ontology,
    Term,
    disease_iri,
    frequency_value,
    hpoa_version,
    iter_annotations,
    read_ontology,
    skip_reason,
    source_id,
    term_iri,
)
from clinkg.loaders.hpo.read import statement as hpo_statement
from clinkg.loaders.neo4j import (
    BATCH,
    ID_PREFIX,
    CypherRunner,
    batches,
    class_label,
    falkordb_schema,
    statement,
    statements,
)

# HP terms under Phenotypic abnormality are (:Entity:Finding {curie: "HP:0007340"}), diseases
# (:Entity:Cause:Condition {curie: "OMIM:100050"}), the phenotype.hpoa release (:Entity:Source); IS_A joins
# findings; each phenotype row is one PRESENTS_WITH or NOT_PRESENTS_WITH relationship with its provenance
# and qualifiers. Curated findings reach HP terms through their `xrefs` list (exact matches, the term's
# curie) and their `close_matches` and `broad_matches`.
#
# Too big for one transaction, so a new release is loaded BESIDE the current one and switched over in one
# transaction: every HPO node's `id` is qualified by its release ("<release>/HP:0007340"), so the batches
# of a new release create new nodes and never touch the current ones; the last statement points the
# (:Release {graph: "hpo"}) node at the new release, and readers follow that pointer (queries/cypher/hpo_*
# match `release: rel.release`). Only then are the previous release's nodes deleted, in batches. A load
# that fails half-way leaves the pointer, and so what readers see, as it was; the next load first removes
# what it left. Every node and relationship carries `graph: "hpo"`, so a curated (re)load, which removes
# what is stale in graph "curated" only, leaves the HPO graph in place.


def _hpo_name(role: str, name: str) -> str:
    return ontology.name(role, name).neo4j


def _hpo_edge_props(row: Annotation, hpo: Ontology, version: str) -> dict[str, Any]:
    props: dict[str, Any] = {
        _hpo_name("provenance", "source"): source_id(version),
        _hpo_name("provenance", "section"): "phenotype.hpoa",
        _hpo_name("provenance", "paragraph"): row.line,
        _hpo_name("provenance", "statement"): hpo_statement(row, hpo),
        _hpo_name("provenance", "references"): list(row.references),
        _hpo_name("provenance", "evidence"): row.evidence,
    }
    optional = {
        ("qualifier", "frequency"): row.frequency,
        ("qualifier", "frequency_value"): frequency_value(row, hpo),
        ("qualifier", "onset_term"): row.onset,
        ("qualifier", "sex"): row.sex,
        ("qualifier", "modifier_terms"): list(row.modifiers) or None,
    }
    for (role, name), value in optional.items():
        if value is not None:  # Neo4j stores no nulls: an absent qualifier is an absent property
            props[_hpo_name(role, name)] = round(value, 4) if isinstance(value, float) else value
    return props


def hpo_release_id(limit: int | None = None, diseases: Collection[str] = ()) -> str:
    """The id of an HPO load: the phenotype.hpoa version, clinkg's version and the row selection."""
    release = f"hpo-{hpoa_version()}-{__version__}"
    if limit is not None or diseases:
        selection = f"{limit}|{'|'.join(sorted(diseases))}".encode()
        release += "-slice-" + hashlib.sha256(selection).hexdigest()[:12]
    return release


def hpo_statements(
    limit: int | None = None, diseases: Collection[str] = (), release: str | None = None
) -> Iterator[tuple[str, dict[str, Any]]]:
    """The HPO load's statements (see _hpo_statements), every one tagged graph "hpo"."""
    for text, parameters in _hpo_statements(limit, diseases, release or hpo_release_id(limit, diseases)):
        yield text, {**parameters, "graph": "hpo"}


def _hpo_statements(
    limit: int | None, diseases: Collection[str], release: str
) -> Iterator[tuple[str, dict[str, Any]]]:
    """The statements of an HPO load, streamed from the files: findings, IS_A, the source, then per batch
    of annotation rows its new diseases and relationships, then the switch of the (:Release {graph: "hpo"})
    node to this release. `limit` and `diseases` select rows as in `clinkg import hpo`."""
    hpo, version = read_ontology(), hpoa_version()
    entity = class_label("entity")

    def key(curie: str) -> str:
        return f"{release}/{curie}"

    def nodes(labels: tuple[str, ...], rows: list[dict[str, Any]]) -> Iterator[tuple[str, dict[str, Any]]]:
        text = statement("merge_nodes").replace("{labels}", "".join(f":{label}" for label in labels))
        for batch in batches(rows):
            qualified = [{**r, "id": key(r["id"])} for r in batch]
            yield text, {"rows": [{"id": r["id"], "props": r} for r in qualified], "release": release}

    findings = [t for t in hpo.terms.values() if t.id in hpo.findings]
    yield from nodes((entity, class_label("finding")), [_hpo_term_props(t) for t in findings])
    title = f"HPO annotations for rare diseases (phenotype.hpoa {version})"
    source = {
        "id": source_id(version),
        "curie": f"clinkg:{source_id(version)}",
        "iri": ID_PREFIX + source_id(version),
    }
    yield from nodes(
        (entity, class_label("source")),
        [{**source, "label": title, "title": title, "version": version, "kind": "dataset"}],
    )
    is_a = [
        {"start": key(t.id), "end": key(parent), "props": {}}
        for t in findings
        for parent in t.parents
        if parent in hpo.findings
    ]
    text = statement("merge_relationships").replace("{type}", _hpo_name("relation", "is_a"))
    for batch in batches(is_a):
        yield text, {"rows": batch, "release": release}
    names: dict[str, list[str]] = {}
    pending: dict[str, dict[str, Any]] = {}
    edges: dict[str, list[dict[str, Any]]] = defaultdict(list)
    annotations = 0

    def flush() -> Iterator[tuple[str, dict[str, Any]]]:
        yield from nodes((entity, class_label("cause"), class_label("condition")), list(pending.values()))
        for rel_type, rows in edges.items():
            merge = statement("hpo_merge_annotations").replace("{type}", rel_type)
            for batch in batches(rows):
                yield merge, {"rows": batch, "release": release}
        pending.clear()
        edges.clear()

    for row in iter_annotations(limit=limit, diseases=diseases):
        if skip_reason(row, hpo) is not None:
            continue
        known = names.setdefault(row.disease, [])
        if row.disease_name not in known:  # first sight, or another name the file gives it
            known.append(row.disease_name)
            pending[row.disease] = {
                "id": row.disease,
                "curie": row.disease,
                "iri": disease_iri(row.disease),
                "label": known[0],
                "synonyms": known[1:],
                "kind": "condition",
            }
        rel_type = _hpo_name("relation", "not_presents_with" if row.negated else "presents_with")
        edges[rel_type].append(
            {"start": key(row.disease), "end": key(row.term), "props": _hpo_edge_props(row, hpo, version)}
        )
        annotations += 1
        if annotations % BATCH == 0:
            yield from flush()
    yield from flush()
    yield (
        statement("hpo_release"),
        {
            "release": release,
            "hpo_release": hpo.release,
            "hpoa_version": version,
            "clinkg_version": __version__,
            "annotations": annotations,
        },
    )


def _hpo_term_props(term: Term) -> dict[str, Any]:
    props: dict[str, Any] = {
        "id": term.id,
        "curie": term.id,
        "iri": term_iri(term.id),
        "label": term.name,
        "synonyms": list(term.synonyms),
    }
    if term.definition:
        props["definition"] = term.definition
    return props


# Nodes per removal batch: a popular term (Seizure) takes thousands of relationships with it.
DELETE_BATCH = 200


def load_hpo(
    run: CypherRunner,
    value: CypherRunner,
    limit: int | None = None,
    diseases: Collection[str] = (),
    progress: Callable[[int], None] | None = None,
    release: str | None = None,
) -> int:
    """Load an HPO release beside the current one, switch readers to it, then remove the previous one.

    `run` runs a statement in its own transaction; `value` does the same and returns the first column of
    the first row. Returns how many statements ran. `release` names the load (default: the phenotype.hpoa
    version, clinkg's version and the row selection), so reloading the same release is idempotent.
    """
    release = release or hpo_release_id(limit, diseases)
    current = value(statement("hpo_current"), {})
    done = _delete_other(value, [str(r) for r in (current, release) if r])  # what a failed load left
    for text, parameters in hpo_statements(limit, diseases, release):
        run(text, parameters)
        done += 1
        if progress is not None:
            progress(done)
    return done + _delete_other(value, [release])  # the previous release, now that nobody reads it


def _delete_other(value: CypherRunner, keep: list[str]) -> int:
    batches = 0
    while int(value(statement("hpo_delete_other"), {"keep": keep, "batch": DELETE_BATCH}) or 0):  # type: ignore[call-overload]
        batches += 1
    return batches + 1


def load_hpo_neo4j(
    driver: Any,
    database: str,
    limit: int | None = None,
    diseases: Collection[str] = (),
    progress: Callable[[int], None] | None = None,
    release: str | None = None,
) -> int:
    """Schema, then the HPO release beside the current one, one write transaction per batch, switched over
    in one transaction (after the curated load)."""

    def first(tx: Any, text: str, parameters: Mapping[str, Any]) -> Any:
        record = tx.run(text, parameters).single()
        return None if record is None else record[0]

    with driver.session(database=database) as session:
        for text in statements("schema_neo4j"):
            session.run(text).consume()
        return load_hpo(
            lambda s, p: session.execute_write(lambda tx: tx.run(s, p).consume()),
            lambda s, p: session.execute_write(first, s, p),
            limit,
            diseases,
            progress,
            release,
        )


def load_hpo_falkordb(
    graph: Any, limit: int | None = None, diseases: Collection[str] = (), release: str | None = None
) -> int:
    """The HPO load on a FalkorDB graph (after the curated load, as on Neo4j; each statement is atomic)."""

    def first(text: str, parameters: Mapping[str, Any]) -> Any:
        rows = graph.query(text, dict(parameters)).result_set
        return rows[0][0] if rows else None

    falkordb_schema(graph)
    return load_hpo(lambda s, p: graph.query(s, dict(p)), first, limit, diseases, None, release)
