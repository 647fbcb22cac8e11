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
import select
import statistics
import subprocess
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
from clinkg.service.stores.oxigraph import bind_values, substitutions

DEFAULT_RELEASE = Path(__file__).resolve().parent.parent / "build" / "hpo" / "current"
OXIGRAPH_RUNS = 3
OXIGRAPH_REPEAT_BELOW_MS = 2000
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


def oxigraph_load_seconds(release: Path) -> tuple[float, float, int]:
    """Seconds to bulk-load hpo.nt (one `bulk_load` of the whole file, no chunks) into the HPO named
    graph of a new on-disk store in a temp dir, seconds of the `optimize` (compaction) that `clinkg build`
    runs after it, and the number of quads the store then holds.

    The data is readable when `bulk_load` returns, so that is the load time; the compaction makes a
    read-only store's lookups several times faster and is reported beside it. The count is taken after
    the clock.
    """
    with tempfile.TemporaryDirectory(prefix="clinkg-bench-") as folder:
        store = ox.Store(folder)
        start = time.perf_counter()
        store.bulk_load(
            path=str(release / "hpo.nt"), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(str(HPO_GRAPH))
        )
        seconds = time.perf_counter() - start
        store.optimize()
        optimize_seconds = time.perf_counter() - start - seconds
        loaded = len(store)
        del store  # closes RocksDB before its folder is removed
    return seconds, optimize_seconds, loaded


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
    ox_seconds, optimize_seconds, ox_loaded = oxigraph_load_seconds(release)
    _say(f"  oxigraph bulk_load      {ox_seconds:8.1f} s  ({ox_loaded:,} quads in the store)")
    _say(f"  oxigraph optimize       {optimize_seconds:8.1f} s  (compaction, run by clinkg build)")
    _say("  rdflib parse (minutes, several GB) ...")
    graph = Graph() if dataset is None else dataset.graph(HPO_GRAPH)
    rss_before = _rss_gb()
    rdflib_seconds = rdflib_parse_seconds(release, graph)
    rss_gb = _rss_gb() - rss_before
    loaded = f"{len(graph):,} triples, +{rss_gb:.1f} GB resident"
    _say(f"  rdflib parse nt         {rdflib_seconds:8.1f} s  ({loaded})")
    speedup = rdflib_seconds / ox_seconds
    with_optimize = rdflib_seconds / (ox_seconds + optimize_seconds)
    _say(f"  load speedup            {speedup:8.1f} x  ({with_optimize:.1f} x counting the compaction)")
    return {
        "triples": triples,
        "oxigraph_load_s": round(ox_seconds, 2),
        "oxigraph_optimize_s": round(optimize_seconds, 2),
        "oxigraph_loaded_quads": ox_loaded,
        "rdflib_load_s": round(rdflib_seconds, 2),
        "rdflib_loaded_triples": len(graph),
        "rdflib_rss_gb": round(rss_gb, 2),
        "load_speedup": round(speedup, 1),
        "load_speedup_with_optimize": round(with_optimize, 1),
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
        data = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(str(name))) or b""
        dataset.graph(name).parse(data=data.decode("utf-8"), format="nt")
    del store
    hpo = dataset.graph(HPO_GRAPH)
    if len(hpo) == 0:
        _say("  rdflib: parsing hpo.nt into the dataset (minutes) ...")
        rdflib_parse_seconds(release, hpo)
    return dataset


class Timing(NamedTuple):
    """One query on one engine: milliseconds (median of `runs`; the cap when capped) and rows (None when
    capped or failed)."""

    ms: float
    rows: int | None
    capped: bool = False
    error: str | None = None
    runs: int = 1


WORKER_FLAG = "--oxigraph-worker"


def oxigraph_worker(store_path: str) -> None:
    """The Oxigraph child (`python bench/hpo_scale.py --oxigraph-worker STORE`): open the store, say
    "ready", then for each JSON line {text, bindings} on stdin run the query and answer one JSON line
    {ms, rows, error} on stdout, until stdin closes."""
    store = ox.Store.read_only(store_path)
    print(json.dumps("ready"), flush=True)
    for line in sys.stdin:
        job = json.loads(line)
        answer: dict[str, Any] = {"ms": float("nan"), "rows": None, "error": None}
        start = time.perf_counter()
        try:
            solutions = store.query(
                job["text"], use_default_graph_as_union=True, substitutions=substitutions(job["bindings"])
            )
            # tuple() converts every value to a Python object, as rdflib's result rows are.
            answer["rows"] = len([tuple(s) for s in solutions])  # type: ignore[union-attr]
            answer["ms"] = (time.perf_counter() - start) * 1000
        except Exception as exc:  # reported in the table, not raised: the other queries still run
            answer["error"] = f"{type(exc).__name__}: {exc}"
        print(json.dumps(answer), flush=True)


class OxigraphWorker:
    """A child process holding the release's store, so that a query past the cap can be killed: an
    Oxigraph query cannot be interrupted in-thread either, and ORDER BY or DISTINCT yield no row before
    the end. A new interpreter (not a fork, whose RocksDB threads would be missing; not multiprocessing's
    spawn, which re-imports the caller's main module) started from this file."""

    def __init__(self, store_path: Path) -> None:
        self.store_path = str(store_path)
        self.child: subprocess.Popen[bytes] | None = None

    def _start(self) -> subprocess.Popen[bytes]:
        argv = [sys.executable, str(Path(__file__).resolve()), WORKER_FLAG, self.store_path]
        # Unbuffered pipes: select() then sees exactly the answer lines the child wrote.
        self.child = subprocess.Popen(  # noqa: S603 - our own interpreter and file, no shell
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0
        )
        self._answer(timeout=None)  # "ready": opening the store is not part of any query's time
        return self.child

    def _answer(self, timeout: float | None) -> Any:
        """The child's next JSON line, or TimeoutError after `timeout` s, EOFError if it died."""
        assert self.child is not None and self.child.stdout is not None  # noqa: S101 - set by _start
        ready, _, _ = select.select([self.child.stdout], [], [], timeout)
        if not ready:
            raise TimeoutError
        line = self.child.stdout.readline()
        if not line:
            raise EOFError
        return json.loads(line)

    def run(self, text: str, bindings: Mapping[str, str], cap_s: float) -> Timing:
        child = self.child or self._start()
        assert child.stdin is not None  # noqa: S101 - a pipe by construction
        child.stdin.write(json.dumps({"text": text, "bindings": dict(bindings)}).encode() + b"\n")
        try:
            answer = self._answer(timeout=cap_s)
        except TimeoutError:
            self.close()  # the next query gets a new child
            return Timing(cap_s * 1000, None, capped=True)
        except EOFError:
            self.close()
            return Timing(float("nan"), None, error="oxigraph worker died")
        return Timing(answer["ms"], answer["rows"], error=answer["error"])

    def close(self) -> None:
        if self.child is not None:
            self.child.kill()
            self.child.wait()
            for pipe in (self.child.stdin, self.child.stdout):
                if pipe is not None:
                    pipe.close()
        self.child = None


def oxigraph_times(release: Path, names: list[str], cap_s: float) -> dict[str, tuple[Timing, Timing | None]]:
    """Per query, its Timing with the parameters bound as the service binds them (a VALUES block in the
    text and substitutions, see `bind_values`) and, for a query with parameters, given as pyoxigraph
    `substitutions` only (for the record: Oxigraph 0.5 plans without them), on the release's store
    opened read-only with the default graph as the union of the named graphs.

    Each is run OXIGRAPH_RUNS times and the median kept, except when the first run takes over
    OXIGRAPH_REPEAT_BELOW_MS: a multi-second query's noise is small next to rdflib's ratio, and the
    repeats would cost minutes. A run past `cap_s` is killed and counts as the cap.
    """
    worker = OxigraphWorker(release / "store")
    results: dict[str, tuple[Timing, Timing | None]] = {}
    try:
        for name in names:
            query = queries.load(name, "sparql")
            bindings = example_bindings(query)
            variants: list[tuple[str, Mapping[str, str]]] = [(bind_values(query.text, bindings), bindings)]
            if bindings:
                variants.append((query.text, bindings))
            # The name first: a slow query keeps the line open up to the cap, the user sees which.
            print(f"  oxigraph {name:<26}", end=" ", flush=True)
            timings: list[Timing] = []
            for text, subs in variants:
                first = worker.run(text, subs, cap_s)
                runs = [first]
                while (
                    first.rows is not None
                    and first.ms < OXIGRAPH_REPEAT_BELOW_MS
                    and len(runs) < OXIGRAPH_RUNS
                ):
                    runs.append(worker.run(text, subs, cap_s))
                timings.append(first._replace(ms=statistics.median(r.ms for r in runs), runs=len(runs)))
            results[name] = (timings[0], timings[1] if len(timings) > 1 else None)
            shown = " / ".join(_shown(t) for t in timings)
            _say(shown + ("  (VALUES / substitutions)" if bindings else ""))
    finally:
        worker.close()
    return results


def _shown(timing: Timing) -> str:
    if timing.capped:
        return f"{timing.ms:10.1f} ms  capped"
    if timing.error:
        return f"error: {timing.error}"
    return f"{timing.ms:10.1f} ms  {timing.rows:>8,} rows"


def _rdflib_child(conn: Connection, dataset: Dataset, text: str, bindings: Mapping[str, str]) -> None:
    """In a forked child: run one query on the parent's dataset and send its Timing back."""
    init = {k: URIRef(v) for k, v in bindings.items()}
    start = time.perf_counter()
    try:
        rows = len(list(dataset.query(text, initBindings=init)))
    except Exception as exc:  # reported in the table, not raised: the other queries still run
        conn.send(Timing(float("nan"), None, error=f"{type(exc).__name__}: {exc}"))
    else:
        conn.send(Timing((time.perf_counter() - start) * 1000, rows))
    conn.close()


def rdflib_times(
    dataset: Dataset,
    names: list[str],
    cap_s: float,
    parallel: int = RDFLIB_PARALLEL,
    report: Callable[[str, Timing], None] | None = None,
) -> dict[str, Timing]:
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
    results: dict[str, Timing] = {}
    try:
        while pending or running:
            while pending and len(running) < parallel:
                name = pending.pop(0)
                query = queries.load(name, "sparql")
                receive, send = context.Pipe(duplex=False)
                child: BaseProcess = context.Process(
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
                        results[name] = Timing(float("nan"), None, error=f"exit code {child.exitcode}")
                elif time.perf_counter() >= deadline:
                    child.kill()
                    results[name] = Timing(cap_s * 1000, None, capped=True)
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


def _ratio(rdflib_run: Timing, oxigraph_run: Timing | None) -> tuple[float | None, str | None]:
    """rdflib ms / Oxigraph ms, a capped run counting as the cap, and which bound that makes: "lower"
    when only rdflib was capped, "upper" when only Oxigraph was; (None, None) when either failed or
    both were capped (nothing known)."""
    if oxigraph_run is None or rdflib_run.error is not None or oxigraph_run.error is not None:
        return None, None
    if rdflib_run.capped and oxigraph_run.capped:
        return None, None
    bound = "lower" if rdflib_run.capped else "upper" if oxigraph_run.capped else None
    return float(f"{rdflib_run.ms / max(oxigraph_run.ms, 1e-3):.3g}"), bound


def _median(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return round(statistics.median(known), 1) if known else None


def sparql_speedup(
    release: Path,
    rdflib_cap_s: float = 60,
    dataset: Dataset | None = None,
    oxigraph_cap_s: float | None = None,
) -> dict[str, Any]:
    """Every query of the library (example parameters bound) in Oxigraph and rdflib on the HPO-scale
    graph; per-query rows and the median of the per-query rdflib/Oxigraph time ratios.

    Oxigraph is timed first, with nothing else running, capped at `oxigraph_cap_s` (default: the rdflib
    cap); then rdflib, two queries at a time. `dataset` is an rdflib Dataset that already holds the HPO
    graph (from `load_times`), else hpo.nt is parsed.

    `sparql_speedup_vs_rdflib_median` compares with Oxigraph binding the parameters as the service does
    (VALUES in the text and substitutions); `..._substitutions` with pyoxigraph's `substitutions` only.
    rdflib takes them as `initBindings`, its own API for it.
    """
    ox_cap = rdflib_cap_s if oxigraph_cap_s is None else oxigraph_cap_s
    names = query_names()
    _say(
        f"sparql: {len(names)} library queries; oxigraph median of <= {OXIGRAPH_RUNS} runs, cap {ox_cap:g} s"
    )
    ox_results = oxigraph_times(release, names, ox_cap)
    dataset = rdflib_dataset(release, dataset)
    _say(
        f"  rdflib: one run per query in a forked child, {RDFLIB_PARALLEL} at a time, cap {rdflib_cap_s:g} s"
    )
    rd_results = rdflib_times(
        dataset, names, rdflib_cap_s, report=lambda name, t: _say(f"  rdflib   {name:<26} {_shown(t)}")
    )
    table: list[dict[str, Any]] = []
    for name in names:
        values, subs = ox_results[name]
        rd = rd_results[name]
        ratio, bound = _ratio(rd, values)
        ratio_subs, bound_subs = (ratio, bound) if subs is None else _ratio(rd, subs)
        counts = [t.rows for t in (values, subs, rd) if t is not None and t.rows is not None]
        table.append(
            {
                "name": name,
                "oxigraph_ms": round(values.ms, 2),
                "oxigraph_runs": values.runs,
                "oxigraph_capped": values.capped,
                "oxigraph_substitutions_ms": None if subs is None else round(subs.ms, 2),
                "oxigraph_substitutions_capped": subs is not None and subs.capped,
                "rdflib_ms": round(rd.ms, 1),
                "capped": rd.capped,
                "rows": counts[0] if counts else None,
                "oxigraph_rows": values.rows,
                "substitutions_rows": None if subs is None else subs.rows,
                "rdflib_rows": rd.rows,
                # Each capped side counts as the cap: the ratio is then a bound (see _ratio).
                "ratio": ratio,
                "ratio_bound": bound,
                "ratio_substitutions": ratio_subs,
                "ratio_substitutions_bound": bound_subs,
                "errors": [e for e in (values.error, subs and subs.error, rd.error) if e],
                # The row counts of the runs that finished (capped and failed ones have none) must agree.
                "rows_differ": len(set(counts)) > 1,
            }
        )
    result = {
        "queries": table,
        "rdflib_cap_s": rdflib_cap_s,
        "oxigraph_cap_s": ox_cap,
        "capped": [r["name"] for r in table if r["capped"]],
        "oxigraph_capped": [r["name"] for r in table if r["oxigraph_capped"]],
        "errors": {r["name"]: r["errors"] for r in table if r["errors"]},
        "row_count_mismatches": [r["name"] for r in table if r["rows_differ"]],
        "sparql_speedup_vs_rdflib_median": _median([r["ratio"] for r in table]),
        "sparql_speedup_vs_rdflib_median_substitutions": _median([r["ratio_substitutions"] for r in table]),
    }
    _say(sparql_table(result))
    return result


_BOUND_SIGN = {None: "", "lower": ">=", "upper": "<="}


def sparql_table(result: Mapping[str, Any]) -> str:
    """The per-query figures as a text table: milliseconds (`cap` past the cap), ratios (`>=` a lower
    bound, rdflib capped; `<=` an upper bound, Oxigraph capped)."""

    def ms(value: float | None, capped: bool) -> str:
        return "" if value is None else "cap" if capped else f"{value:.1f}"

    def ratio(value: float | None, bound: str | None) -> str:
        return "" if value is None else f"{_BOUND_SIGN[bound]}{value:g}x"

    head = f"{'oxigraph':>9} {'ox subs':>9} {'rdflib':>8} {'rd/ox':>8} {'rd/subs':>9} {'rows':>7}"
    lines = [f"  {'query':<24} {head}  note"]
    for r in result["queries"]:
        cells = [
            f"{ms(r['oxigraph_ms'], r['oxigraph_capped']):>9}",
            f"{ms(r['oxigraph_substitutions_ms'], r['oxigraph_substitutions_capped']):>9}",
            f"{ms(r['rdflib_ms'], r['capped']):>8}",
            f"{ratio(r['ratio'], r['ratio_bound']):>8}",
            f"{ratio(r['ratio_substitutions'], r['ratio_substitutions_bound']):>9}",
            f"{'' if r['rows'] is None else r['rows']:>7}",
        ]
        notes = [*r["errors"]]
        if r["rows_differ"]:
            counts = (r["oxigraph_rows"], r["substitutions_rows"], r["rdflib_rows"])
            notes.append("ROWS DIFFER (oxigraph, substitutions, rdflib): {} {} {}".format(*counts))
        lines.append(f"  {r['name']:<24} {' '.join(cells)}  {'; '.join(notes)}")
    lines.append(
        f"  median rdflib/oxigraph: {result['sparql_speedup_vs_rdflib_median']}x binding as the service does "
        f"(VALUES and substitutions), {result['sparql_speedup_vs_rdflib_median_substitutions']}x with "
        "substitutions only"
        f" (capped runs count as the cap; a query capped on both engines is left out)"
    )
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
        "sparql_speedup_vs_rdflib_median_substitutions": sparql[
            "sparql_speedup_vs_rdflib_median_substitutions"
        ],
        "sparql": sparql,
        "peak_rss_gb": round(peak, 2),
        "wall_s": round(wall, 1),
    }


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == WORKER_FLAG:
        oxigraph_worker(sys.argv[2])
    else:
        run(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_RELEASE)
