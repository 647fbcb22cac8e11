"""Benchmarks on the HPO-scale graph (a release made by `clinkg import hpo`): load time of the 3.4M HPO
triples in Oxigraph and rdflib, and every SPARQL query of the library on both engines.

The rdflib figures are the point of comparison: rdflib's in-memory store takes minutes and several GB
for this graph, and some queries do not finish within the cap.

    python bench/hpo_scale.py [release]     (default build/hpo/current)

Prints figures as it goes, asserts nothing; `run()` returns them as a dict.
"""

from __future__ import annotations

import gc
import json
import multiprocessing
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any, NamedTuple

import pyoxigraph as ox
import rdflib
import rdflib.plugins.sparql
from rdflib import Dataset, Graph, URIRef

from clinkg import queries
from clinkg.ontology import CURATED_GRAPH, HPO_GRAPH, ONTOLOGY_GRAPH

DEFAULT_RELEASE = Path(__file__).resolve().parent.parent / "build" / "hpo" / "current"
OXIGRAPH_RUNS = 3
# Two children at a time: the machine the bench targets has 2 cores, and rdflib is single-threaded.
RDFLIB_PARALLEL = 2
# The prefixes the headers' examples are written with (`cause = clinkg:stroke`), as in the tests.
EXAMPLE_PREFIXES = {"clinkg": "https://w3id.org/clinkg/id/", "ckg": "https://w3id.org/clinkg/ontology#"}
_BINDING = re.compile(r"^([a-z_]+)\s*=\s*(?:<(\S+)>|([a-z]+):(\S+))$")

# The library's queries carry no FROM clause, but rdflib would fetch one from the web if one appeared.
rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False


def _say(line: str) -> None:
    print(line, flush=True)


def _rss_gb(field: str = "VmRSS") -> float:
    """This process's resident (VmRSS) or peak resident (VmHWM) memory in GB, from /proc."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1e6
    return float("nan")


def _manifest(release: Path) -> dict[str, Any]:
    return json.loads((release / "manifest.json").read_text(encoding="utf-8"))


# ---------------------------------------------------------------- load


def oxigraph_load_seconds(release: Path) -> tuple[float, int]:
    """Seconds to bulk-load hpo.nt (one `bulk_load` of the whole file, no chunks) into the HPO named
    graph of a new on-disk store in a temp dir, and the number of quads the store then holds.

    Only the `bulk_load` call is timed: it writes and ingests its RocksDB files itself, so the data is
    readable when it returns and neither flush nor optimize is needed; the count is taken after the clock.
    """
    with tempfile.TemporaryDirectory(prefix="clinkg-bench-") as folder:
        store = ox.Store(folder)
        start = time.perf_counter()
        store.bulk_load(
            path=str(release / "hpo.nt"), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(str(HPO_GRAPH))
        )
        seconds = time.perf_counter() - start
        loaded = len(store)
        del store  # closes RocksDB before its folder is removed
    return seconds, loaded


def rdflib_parse_seconds(release: Path, graph: Graph) -> float:
    """Seconds to parse hpo.nt into `graph` (an rdflib Graph on the default in-memory store)."""
    start = time.perf_counter()
    graph.parse(str(release / "hpo.nt"), format="nt")
    return time.perf_counter() - start


def load_times(release: Path, dataset: Dataset | None = None) -> dict[str, Any]:
    """Load hpo.nt into a fresh Oxigraph store and into rdflib, timed.

    rdflib parses into a new `Graph()`, or, when `dataset` is given, into its HPO named graph: an
    rdflib.Graph on the dataset's Memory store, the same store class and the same per-triple work as
    `Graph()`'s, so `run()` parses the 3.4M triples once and keeps them for the SPARQL comparison.
    """
    triples = int(_manifest(release)["hpo"]["triples"])
    _say(f"load: hpo.nt, {triples:,} triples")
    ox_seconds, ox_loaded = oxigraph_load_seconds(release)
    _say(f"  oxigraph bulk_load      {ox_seconds:8.1f} s  ({ox_loaded:,} quads in the store)")
    _say("  rdflib parse (minutes, several GB) ...")
    graph = Graph() if dataset is None else dataset.graph(HPO_GRAPH)
    rss_before = _rss_gb()
    rdflib_seconds = rdflib_parse_seconds(release, graph)
    rss_gb = _rss_gb() - rss_before
    loaded = f"{len(graph):,} triples, +{rss_gb:.1f} GB resident"
    _say(f"  rdflib Graph.parse nt   {rdflib_seconds:8.1f} s  ({loaded})")
    speedup = rdflib_seconds / ox_seconds
    _say(f"  load speedup            {speedup:8.1f} x")
    return {
        "triples": triples,
        "oxigraph_load_s": round(ox_seconds, 2),
        "oxigraph_loaded_quads": ox_loaded,
        "rdflib_load_s": round(rdflib_seconds, 2),
        "rdflib_loaded_triples": len(graph),
        "rdflib_rss_gb": round(rss_gb, 2),
        "load_speedup": round(speedup, 1),
    }


# ---------------------------------------------------------------- SPARQL


def example_bindings(query: queries.Query) -> dict[str, str]:
    """The header's example values of the query's parameters (`name = prefix:local; ...`) as IRIs: the
    values the query library's tests run each query with. {} for a query without parameters."""
    if not query.parameters:
        return {}
    bindings: dict[str, str] = {}
    for part in query.header.get("example", "").split(";"):
        match = _BINDING.match(part.strip())
        if match is None:
            raise ValueError(f"{query.name}: example part {part!r} is not `name = prefix:local`")
        name, iri, prefix, local = match.groups()
        bindings[name] = iri or EXAMPLE_PREFIXES[prefix] + local
    return bindings


def query_names() -> list[str]:
    """Every .rq file of the library as it is at run time."""
    return queries.names("sparql")


def rdflib_dataset(release: Path, dataset: Dataset | None = None) -> Dataset:
    """The HPO-scale graph in rdflib: curated, ontology and HPO named graphs, the default graph their
    union. The curated and ontology graphs are dumped from the release's store rather than rebuilt, so
    both engines hold the same triples; the HPO graph is parsed from hpo.nt unless `dataset` has it."""
    if dataset is None:
        dataset = Dataset(default_union=True)
    store = ox.Store.read_only(str(release / "store"))
    for name in (CURATED_GRAPH, ONTOLOGY_GRAPH):
        data = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(str(name)))
        dataset.graph(name).parse(data=data.decode("utf-8"), format="nt")
    del store
    hpo = dataset.graph(HPO_GRAPH)
    if len(hpo) == 0:
        _say("  rdflib: parsing hpo.nt into the dataset (minutes) ...")
        rdflib_parse_seconds(release, hpo)
    return dataset


def oxigraph_times(release: Path, names: list[str]) -> dict[str, tuple[float, int]]:
    """Median milliseconds of OXIGRAPH_RUNS runs (all rows materialized) and the row count, per query,
    on the release's store opened read-only with the default graph as the union of the named graphs."""
    store = ox.Store.read_only(str(release / "store"))
    results: dict[str, tuple[float, int]] = {}
    for name in names:
        query = queries.load(name, "sparql")
        subs: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = {
            ox.Variable(k): ox.NamedNode(v) for k, v in example_bindings(query).items()
        }
        times, rows = [], 0
        for _ in range(OXIGRAPH_RUNS):
            start = time.perf_counter()
            solutions = store.query(query.text, use_default_graph_as_union=True, substitutions=subs or None)
            # tuple() converts every value to a Python object, as rdflib's result rows are.
            rows = len([tuple(s) for s in solutions])  # type: ignore[union-attr]
            times.append((time.perf_counter() - start) * 1000)
        results[name] = (statistics.median(times), rows)
        _say(f"  oxigraph {name:<26} {results[name][0]:10.1f} ms  {rows:>8,} rows")
    del store
    return results


class RdflibRun(NamedTuple):
    """One query's rdflib run: milliseconds (the cap when capped), rows (None when capped or failed)."""

    ms: float
    rows: int | None
    capped: bool = False
    error: str | None = None


def _rdflib_child(conn: Connection, dataset: Dataset, text: str, bindings: Mapping[str, str]) -> None:
    """In a forked child: run one query on the parent's dataset and send its RdflibRun back."""
    init = {k: URIRef(v) for k, v in bindings.items()}
    start = time.perf_counter()
    try:
        rows = len(list(dataset.query(text, initBindings=init)))
    except Exception as exc:  # reported in the table, not raised: the other queries still run
        conn.send(RdflibRun(float("nan"), None, error=f"{type(exc).__name__}: {exc}"))
    else:
        conn.send(RdflibRun((time.perf_counter() - start) * 1000, rows))
    conn.close()


def rdflib_times(
    dataset: Dataset,
    names: list[str],
    cap_s: float,
    parallel: int = RDFLIB_PARALLEL,
    report: Callable[[str, RdflibRun], None] | None = None,
) -> dict[str, RdflibRun]:
    """Milliseconds of one run and the row count per query in rdflib, each query in a forked child
    killed after `cap_s` seconds (a capped query counts as cap_s, its rows as None).

    rdflib cannot be interrupted inside a thread, hence the processes; fork shares the multi-GB dataset
    copy-on-write instead of loading it again per query.
    """
    context = multiprocessing.get_context("fork")
    # Objects of the permanent generation are never traversed by the collector, so a child's
    # collections do not write to (and so copy) the pages of the millions of parsed terms.
    gc.collect()
    gc.freeze()
    pending = list(names)
    running: dict[str, tuple[BaseProcess, Connection, float]] = {}
    results: dict[str, RdflibRun] = {}
    try:
        while pending or running:
            while pending and len(running) < parallel:
                name = pending.pop(0)
                query = queries.load(name, "sparql")
                receive, send = context.Pipe(duplex=False)
                child = context.Process(
                    target=_rdflib_child,
                    args=(send, dataset, query.text, example_bindings(query)),
                    daemon=True,
                )
                child.start()
                send.close()  # the child's end: EOF on `receive` once the child is gone
                running[name] = (child, receive, time.perf_counter() + cap_s)
            next_deadline = min(deadline for _, _, deadline in running.values())
            wait(
                [conn for _, conn, _ in running.values()],
                timeout=max(0.0, next_deadline - time.perf_counter()),
            )
            for name, (child, conn, deadline) in list(running.items()):
                if conn.poll():
                    try:
                        results[name] = conn.recv()
                    except EOFError:  # the child died without answering
                        results[name] = RdflibRun(float("nan"), None, error=f"exit code {child.exitcode}")
                elif time.perf_counter() >= deadline:
                    child.kill()
                    results[name] = RdflibRun(cap_s * 1000, None, capped=True)
                else:
                    continue
                child.join()
                conn.close()
                del running[name]
                if report is not None:
                    report(name, results[name])
    finally:
        for child, conn, _ in running.values():
            child.kill()
            child.join()
            conn.close()
        gc.unfreeze()
    return results


def sparql_speedup(release: Path, rdflib_cap_s: float = 60, dataset: Dataset | None = None) -> dict[str, Any]:
    """Every query of the library (example parameters bound) in Oxigraph and rdflib on the HPO-scale
    graph; per-query rows and the median of the per-query rdflib/Oxigraph time ratios.

    Oxigraph is timed first, with nothing else running; then rdflib, two queries at a time. `dataset`
    is an rdflib Dataset that already holds the HPO graph (from `load_times`), else hpo.nt is parsed.
    """
    names = query_names()
    _say(f"sparql: {len(names)} library queries, oxigraph median of {OXIGRAPH_RUNS} runs")
    ox_results = oxigraph_times(release, names)
    dataset = rdflib_dataset(release, dataset)
    _say(
        f"  rdflib: one run per query in a forked child, {RDFLIB_PARALLEL} at a time, cap {rdflib_cap_s:g} s"
    )

    def report(name: str, outcome: RdflibRun) -> None:
        shown = "capped" if outcome.capped else outcome.error or f"{outcome.rows:,} rows"
        _say(f"  rdflib   {name:<26} {outcome.ms:10.1f} ms  {shown:>13}")

    rd_results = rdflib_times(dataset, names, rdflib_cap_s, report=report)
    table: list[dict[str, Any]] = []
    for name in names:
        ox_ms, ox_rows = ox_results[name]
        rd = rd_results[name]
        table.append(
            {
                "name": name,
                "oxigraph_ms": round(ox_ms, 2),
                "rdflib_ms": round(rd.ms, 1),
                "capped": rd.capped,
                "rows": ox_rows,
                "rdflib_rows": rd.rows,
                # A capped query's ratio is a lower bound: rdflib would have taken longer.
                "ratio": round(rd.ms / ox_ms, 1) if ox_ms > 0 and rd.error is None else None,
                "rdflib_error": rd.error,
            }
        )
    mismatches = [r["name"] for r in table if r["rdflib_rows"] is not None and r["rdflib_rows"] != r["rows"]]
    ratios = [r["ratio"] for r in table if r["ratio"] is not None]
    result = {
        "queries": table,
        "rdflib_cap_s": rdflib_cap_s,
        "capped": [r["name"] for r in table if r["capped"]],
        "rdflib_errors": {r["name"]: r["rdflib_error"] for r in table if r["rdflib_error"]},
        "row_count_mismatches": mismatches,
        "sparql_speedup_vs_rdflib_median": round(statistics.median(ratios), 1) if ratios else None,
    }
    _say(sparql_table(result))
    return result


def sparql_table(result: Mapping[str, Any]) -> str:
    """The per-query figures as a text table."""
    lines = [f"  {'query':<26} {'oxigraph ms':>12} {'rdflib ms':>11} {'rdflib/ox':>10} {'rows':>9}  note"]
    for r in result["queries"]:
        ratio = "" if r["ratio"] is None else f"{'>=' if r['capped'] else ''}{r['ratio']:g}x"
        note = "capped" if r["capped"] else r["rdflib_error"] or ""
        if r["rdflib_rows"] is not None and r["rdflib_rows"] != r["rows"]:
            note = f"ROWS DIFFER: rdflib {r['rdflib_rows']:,}"
        times = f"{r['oxigraph_ms']:>12.1f} {r['rdflib_ms']:>11.0f} {ratio:>10}"
        lines.append(f"  {r['name']:<26} {times} {r['rows']:>9,}  {note}")
    bound = " (lower bound: capped queries count as the cap)" if result["capped"] else ""
    lines.append(f"  median rdflib/oxigraph: {result['sparql_speedup_vs_rdflib_median']}x{bound}")
    return "\n".join(lines)


# ---------------------------------------------------------------- both


def run(release: Path = DEFAULT_RELEASE, rdflib_cap_s: float = 60) -> dict[str, Any]:
    """Load times, then the SPARQL comparison on the rdflib dataset the load filled."""
    release = release.resolve()
    start = time.perf_counter()
    _say(f"HPO-scale graph: {release}")
    dataset = Dataset(default_union=True)
    loads = load_times(release, dataset)
    sparql = sparql_speedup(release, rdflib_cap_s, dataset)
    peak = _rss_gb("VmHWM")
    wall = time.perf_counter() - start
    _say(f"HPO-scale bench: {wall:.0f} s wall, peak resident {peak:.1f} GB")
    return {
        **loads,
        "sparql_speedup_vs_rdflib_median": sparql["sparql_speedup_vs_rdflib_median"],
        "sparql": sparql,
        "peak_rss_gb": round(peak, 2),
        "wall_s": round(wall, 1),
    }


if __name__ == "__main__":
    run(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_RELEASE)
