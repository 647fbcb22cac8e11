"""The embedded backend: an Oxigraph store opened read-only from a build folder."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path

import pyoxigraph as ox

import clinkg.queries as queries
from clinkg.service.stores.base import Backend, BackendUnavailableError, Row

XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
XSD_REAL = {f"http://www.w3.org/2001/XMLSchema#{name}" for name in ("decimal", "double", "float")}
_WHERE = re.compile(r"\bWHERE\s*\{")


def bind_values(text: str, parameters: Mapping[str, str]) -> str:
    """The query with each parameter (variable name -> IRI) bound by a one-row VALUES block at the start
    of its outer WHERE.

    Oxigraph 0.5 plans a query without its `substitutions`, so a bound parameter does not drive the
    joins (entity_edges at HPO scale: 6 s); a VALUES block does (2 ms). `OxigraphBackend.query` gives
    both: the block for the plan, the substitutions for the evaluation, which some plans need
    (tests_separating_causes: 270 ms with the block alone, 3 ms with both). The block is made of typed
    terms (`ox.Variable` and `ox.NamedNode` reject what is not a name or an IRI), so no value enters the
    text unchecked.
    """
    if not parameters:
        return text
    block = " ".join(f"VALUES {ox.Variable(k)} {{ {ox.NamedNode(v)} }}" for k, v in parameters.items())
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if not line.lstrip().startswith("#") and _WHERE.search(line):
            lines[i] = _WHERE.sub(lambda m: f"{m.group(0)}\n  {block}", line, count=1)
            return "\n".join(lines)
    raise ValueError("the query has no `WHERE {` to bind its parameters in")


def substitutions(parameters: Mapping[str, str]) -> dict[ox.Variable, ox.NamedNode] | None:
    """The parameters (variable name -> IRI) as pyoxigraph substitutions; None for none."""
    return {ox.Variable(k): ox.NamedNode(v) for k, v in parameters.items()} or None


def to_python(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> object:
    """A SPARQL result term as a plain value (IRIs as strings, integers as int, decimals as float)."""
    if isinstance(term, ox.Literal):
        if term.datatype.value == XSD_INTEGER:
            return int(term.value)
        if term.datatype.value in XSD_REAL:
            return float(term.value)
        return term.value
    if isinstance(term, ox.NamedNode):
        return term.value
    return str(term)


class OxigraphBackend(Backend):
    """Runs the SPARQL library on an Oxigraph store; the default graph is the union of named graphs."""

    name = "oxigraph"

    def __init__(self, store: ox.Store, content_hash: str | None = None, path: Path | None = None) -> None:
        self.store = store
        self.path = path
        self.content_hash = content_hash
        self._triples = len(store)

    @classmethod
    def open(cls, path: Path) -> OxigraphBackend:
        """Open the store at `path` read-only (a clear error when it is missing or unreadable)."""
        if not path.is_dir():
            raise BackendUnavailableError(f"no Oxigraph store at {path}: run `clinkg build` first")
        try:
            store = ox.Store.read_only(str(path))
        except (OSError, RuntimeError) as exc:  # RocksDB reports corruption as RuntimeError
            raise BackendUnavailableError(f"the Oxigraph store at {path} cannot be opened: {exc}") from exc
        manifest = path.parent / "manifest.json"
        content_hash = None
        backend = cls(store, None, path)
        if backend.triple_count() == 0:
            raise BackendUnavailableError(f"the Oxigraph store at {path} is empty: run `clinkg build`")
        if manifest.is_file():
            # A store that does not hold what its manifest says was not written to the end.
            expected = json.loads(manifest.read_text(encoding="utf-8"))
            content_hash = expected.get("content_hash")
            # A release with imported graphs (HPO) counts them in triples_total.
            wanted = expected.get("triples_total", expected.get("triples"))
            if wanted not in (None, backend.triple_count()):
                raise BackendUnavailableError(
                    f"the Oxigraph store at {path} holds {backend.triple_count()} triples but its manifest "
                    f"says {wanted}: it is incomplete or damaged; run `clinkg build`"
                )
        backend.content_hash = content_hash
        return backend

    def query(self, text: str, parameters: Mapping[str, str] | None = None) -> object:
        """Run SPARQL text with IRIs bound to variables, both in a VALUES block and as substitutions (see
        `bind_values`)."""
        parameters = parameters or {}
        return self.store.query(
            bind_values(text, parameters),
            use_default_graph_as_union=True,
            substitutions=substitutions(parameters),  # type: ignore[arg-type]
        )

    def run(self, query_name: str, parameters: Mapping[str, str] | None = None) -> list[Row]:
        result = self.query(queries.load(query_name, "sparql").text, parameters)
        if not isinstance(result, ox.QuerySolutions):
            raise TypeError(f"query {query_name} is not a SELECT")
        names = [v.value for v in result.variables]
        return [
            {name: to_python(term) for name, term in zip(names, solution, strict=True) if term is not None}
            for solution in result
        ]

    def snapshot_path(self, name: str) -> Path | None:
        # Beside the store, in its release folder (through the `store` and `current` symlinks): a new
        # release gets new snapshots.
        return None if self.path is None else self.path.resolve().parent / name

    def ping(self) -> None:
        self.store.query("ASK { ?s ?p ?o }", use_default_graph_as_union=True)

    def triple_count(self) -> int:
        return self._triples
