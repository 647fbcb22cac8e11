"""Settings of clinkg, from the environment (prefix CLINKG_); built on first use, never at import."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_build_dir() -> Path:
    """Where builds go when CLINKG_BUILD_DIR is not set: the user's data folder, never the working folder."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "clinkg" / "build"


class Settings(BaseSettings):
    """Everything an operator can set. See README for the variables."""

    model_config = SettingsConfigDict(env_prefix="CLINKG_", extra="ignore")

    backend: Literal["oxigraph", "neo4j"] = "oxigraph"
    build_dir: Path = default_build_dir()
    content_dir: Path | None = None
    store_path: Path | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    search_limit_max: int = 100
    entities_limit_max: int = 1000
    paths_max_length: int = 6
    sparql_timeout_s: float = 10.0
    sparql_max_query_chars: int = 100_000
    sparql_service_enabled: bool = False
    sparql_queue_wait_s: float = 1.0  # how long a query waits for a free worker before 503
    sparql_workers: int = 2  # processes; also the number of SPARQL queries that run at once
    sparql_worker_memory_mb: int = 1024  # address space of each SPARQL worker (RLIMIT_AS); 0 for no cap
    sparql_max_rows: int = 100_000  # solutions (triples for CONSTRUCT/DESCRIBE) in one answer; more is 422
    sparql_max_result_bytes: int = 32 * 1024 * 1024  # one serialized answer; more is 422
    sparql_max_nesting: int = 64  # brackets, braces and parentheses inside one another; deeper is 400
    sparql_max_operators: int = 1000  # ! && || + - * / | ^ in one query; more is 400
    neo4j_uri: str = "bolt://localhost:7687"
    neo4j_user: str = "neo4j"
    neo4j_password: SecretStr | None = None
    neo4j_database: str = "neo4j"
    # The loader's and the administrator's credentials (`clinkg load neo4j`, `clinkg neo4j reader-user`):
    # NEO4J_PASSWORD and NEO4J_API_PASSWORD, the names the compose files and .env use, or CLINKG_-prefixed.
    neo4j_admin_password: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("CLINKG_NEO4J_ADMIN_PASSWORD", "NEO4J_PASSWORD")
    )
    neo4j_api_password: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("CLINKG_NEO4J_API_PASSWORD", "NEO4J_API_PASSWORD")
    )
    cypher_timeout_s: float = 10.0
    cypher_row_limit: int = 1000
    cypher_concurrency: int = 4  # user Cypher queries at once; more answer 503 with Retry-After
    reconnect_interval_s: float = 2.0  # after a store failure, the next attempt waits at least this long
    max_body_bytes: int = 1024 * 1024
    max_findings: int = 50  # items per differential in scope curated
    max_hpo_terms: int = 200  # in scopes hpo and all (a phenopacket can exclude ~60 terms)
    max_note_chars: int = 10_000  # a note for /v1/intake or a differential's `text`; longer is a 413
    api_token: SecretStr | None = None
    cors_origins: list[str] = []
    # Serialized differential answers kept in memory; the graph does not change while serving. Bounded by
    # count and by bytes: one HPO answer can be hundreds of kilobytes.
    answer_cache_size: int = 1024
    answer_cache_bytes: int = 64 * 1024 * 1024
    # FastAPI's native OpenTelemetry (traces, metrics, logs to the providers an operator configures). Off
    # unless asked for: with no provider configured it still looks them up on every request.
    otel: bool = False
    # The HTTP server (`clinkg serve`, service/server.py). A request's URL (414 beyond) and its header
    # fields (431 beyond); httptools cannot parse a URL past 65,535 bytes at all.
    max_url_bytes: int = Field(default=32 * 1024, ge=1024, le=65_535)
    max_header_bytes: int = Field(default=32 * 1024, ge=1024)
    # A request must arrive whole (head and body) within this many seconds of its first byte, and a new
    # connection must start one as soon: a connection that sends nothing, or half a request, is closed.
    read_timeout_s: float = Field(default=10.0, gt=0)
    keep_alive_s: int = Field(default=5, ge=1)  # an idle connection between requests is closed after this

    @property
    def store(self) -> Path:
        """The Oxigraph store the service opens: CLINKG_STORE_PATH, else the current build's store."""
        return self.store_path or self.build_dir / "store"


@cache
def get_settings() -> Settings:
    """The process's settings, read from the environment once."""
    return Settings()
