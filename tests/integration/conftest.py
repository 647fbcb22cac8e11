"""A real clinkg service over HTTP: the curated content built once, served by uvicorn on a free port."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import httpx
import pytest

from clinkg.loaders.build import build
from clinkg.loaders.hpo.read import data_file
from clinkg.service.server import in_thread
from clinkg.service.settings import Settings


@pytest.fixture(scope="session")
def build_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The curated content, built once for the session (artifacts and Oxigraph store)."""
    out = tmp_path_factory.mktemp("build")
    build(out)
    return out


def live_server(settings: Settings) -> AbstractContextManager[str]:
    """A live service with these settings on a free loopback port (`clinkg serve`'s configuration)."""
    return in_thread(settings)


@pytest.fixture(scope="session")
def base_url(build_dir: Path) -> Iterator[str]:
    """The URL of a live service on the embedded store (stopped at the end of the session)."""
    with live_server(Settings(build_dir=build_dir)) as url:
        yield url


@pytest.fixture(scope="session")
def http(base_url: str) -> Iterator[httpx.Client]:
    """An HTTP client of the live service."""
    with httpx.Client(base_url=base_url, timeout=30) as client:
        yield client


@pytest.fixture(scope="session")
def falkordb_port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """A FalkorDB server process for the session."""
    from ..falkordb_server import falkordb_server

    with falkordb_server(tmp_path_factory.mktemp("falkordb")) as port:
        yield port


@pytest.fixture(scope="session")
def falkordb_graph(falkordb_port: int) -> object:
    """The curated content loaded into FalkorDB through the Neo4j loader's statements."""
    from falkordb import FalkorDB

    from clinkg.loaders.content import load_content
    from clinkg.loaders.neo4j import load_falkordb

    graph = FalkorDB(host="127.0.0.1", port=falkordb_port).select_graph("clinkg")
    load_falkordb(graph, load_content())
    return graph


# A slice of the shipped HPO files: the first 3,000 rows of phenotype.hpoa plus every row of a few chosen
# diseases. OMIM:620106 presents with HP:0007340 (lower limb muscle weakness, the curated leg-weakness)
# past row 3,000; ORPHA:1401 and ORPHA:79406 carry NOT annotations, which the first rows do not; ORPHA:1393
# has the name of OMIM:117650 (in the first rows): one disease under two sources.
HPO_LIMIT = 3000
HPO_DISEASES = ("OMIM:620106", "ORPHA:1401", "ORPHA:79406", "ORPHA:1393")


@pytest.fixture(scope="session")
def hpo_build_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A release with the curated graph and the HPO slice (its `current` folder)."""
    from clinkg.loaders.hpo.rdf import import_hpo

    out = tmp_path_factory.mktemp("hpo")
    import_hpo(out, limit=HPO_LIMIT, diseases=HPO_DISEASES)
    return out / "current"


@pytest.fixture(scope="session")
def hpo_falkordb_graph(falkordb_port: int) -> object:
    """The same HPO slice and the curated content in FalkorDB, through the property-graph loader."""
    from falkordb import FalkorDB

    from clinkg.loaders.content import load_content
    from clinkg.loaders.hpo.graph import load_hpo_falkordb
    from clinkg.loaders.neo4j import load_falkordb

    graph = FalkorDB(host="127.0.0.1", port=falkordb_port).select_graph("clinkg_hpo")
    load_hpo_falkordb(graph, limit=HPO_LIMIT, diseases=HPO_DISEASES)
    load_falkordb(graph, load_content())  # a curated (re)load leaves the HPO graph in place
    return graph


@pytest.fixture(scope="session")
def hpo_http(hpo_build_dir: Path) -> Iterator[httpx.Client]:
    """An HTTP client of a live service over the HPO slice (stopped at the end of the session)."""
    with (
        live_server(Settings(build_dir=hpo_build_dir.parent)) as url,
        httpx.Client(base_url=url, timeout=30) as c,
    ):
        yield c


def hpoa_line(number: int) -> list[str]:
    """Line `number` of the shipped phenotype.hpoa, split into its columns."""
    with data_file("phenotype.hpoa").open(encoding="utf-8") as handle:
        for n, line in enumerate(handle, start=1):
            if n == number:
                return line.rstrip("\n").split("\t")
    raise AssertionError(f"phenotype.hpoa has no line {number}")
