"""The compose files as Docker Compose reads them (no Docker engine here): the services, their health
checks and order, credentials only from the environment, and the Enterprise override that gives the API
a read-only user."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from typer.testing import CliRunner

from clinkg.cli import app
from clinkg.loaders.neo4j import statements

REPO = Path(__file__).resolve().parents[2]


def compose(name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((REPO / name).read_text(encoding="utf-8"))
    return data


def test_the_stack_has_neo4j_a_loader_and_the_api_with_health_checks() -> None:
    services = compose("docker-compose.yml")["services"]
    assert services["neo4j"]["image"].startswith("neo4j:5") and "community" in services["neo4j"]["image"]
    assert "cypher-shell" in " ".join(services["neo4j"]["healthcheck"]["test"])
    assert services["loader"]["depends_on"]["neo4j"]["condition"] == "service_healthy"
    assert services["api"]["depends_on"]["loader"]["condition"] == "service_completed_successfully"
    assert "/health" in " ".join(services["api"]["healthcheck"]["test"])
    assert services["api"]["environment"]["CLINKG_BACKEND"] == "neo4j"


def test_no_secret_is_written_in_a_compose_file() -> None:
    checked = 0
    for name in ("docker-compose.yml", "docker-compose.enterprise.yml"):
        for service in compose(name)["services"].values():
            for key, value in (service.get("environment") or {}).items():
                if "PASSWORD" in key or key == "NEO4J_AUTH":
                    # Only a required variable reference, ${VAR:?message}, after an optional user name.
                    assert re.fullmatch(r"(neo4j/)?\$\{[A-Z0-9_]+:\?[^}]*\}", value), f"{name}: {key}"
                    checked += 1
    assert checked >= 5


def test_the_enterprise_override_gives_the_api_a_read_only_user() -> None:
    base, override = (
        compose("docker-compose.yml")["services"],
        compose("docker-compose.enterprise.yml")["services"],
    )
    assert override["neo4j"]["image"] == base["neo4j"]["image"].replace("community", "enterprise")
    assert "NEO4J_ACCEPT_LICENSE_AGREEMENT" in override["neo4j"]["environment"]
    reader = override["reader-user"]
    assert reader["command"][:3] == ["clinkg", "neo4j", "reader-user"]
    assert reader["depends_on"]["neo4j"]["condition"] == "service_healthy"
    assert reader["image"] == base["api"]["image"] and reader["cap_drop"] == ["ALL"]
    api = override["api"]
    name = reader["command"][reader["command"].index("--name") + 1]
    assert api["environment"]["CLINKG_NEO4J_USER"] == name
    assert "NEO4J_API_PASSWORD" in api["environment"]["CLINKG_NEO4J_PASSWORD"]
    assert api["depends_on"]["reader-user"]["condition"] == "service_completed_successfully"


def test_the_reader_user_gets_the_reader_role_only() -> None:
    texts = statements("reader_user")
    grants = [t for t in texts if "GRANT" in t.upper()]
    assert grants == ["GRANT ROLE reader TO $name"]
    assert all("$password" in t for t in texts if "PASSWORD" in t.upper())


def test_the_reader_user_command_wants_both_passwords_from_the_environment() -> None:
    result = CliRunner().invoke(
        app, ["neo4j", "reader-user"], env={"NEO4J_PASSWORD": "", "NEO4J_API_PASSWORD": ""}
    )
    assert result.exit_code == 2
    assert "NEO4J_API_PASSWORD" in result.output
