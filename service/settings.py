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
    # Serialized differential answers kept in memory; the graph does not change while serving.
    answer_cache_size: int = 1024

    @property
    def store(self) -> Path:
        """The Oxigraph store the service opens: CLINKG_STORE_PATH, else the current build's store."""
        return self.store_path or self.build_dir / "store"


@cache
def get_settings() -> Settings:
    """The process's settings, read from the environment once."""
    return Settings()
