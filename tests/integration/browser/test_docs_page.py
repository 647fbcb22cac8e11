"""The API docs offline in headless Chromium: /docs (Swagger UI) and /redoc (ReDoc) render from the
service's own assets with every request to anything else refused; Swagger lists every operation and its
"Try it out" with the documented examples is answered; axe finds no serious or critical violation on
/docs; with CLINKG_API_TOKEN set, the page asks for the token and Swagger's Authorize sends it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from clinkg.service.settings import Settings

from ..conftest import live_server
from ..sparql_helpers import ready, until
from .test_workbench_page import only_this_service

pytestmark = pytest.mark.integration

TOKEN = "docs-token-0123456789"  # noqa: S105 - a test token
DESIGNED = {"post_cypher_v1_cypher_post": "503"}  # Cypher needs Neo4j: the embedded store says so
# ReDoc always draws Redocly's logo from cdn.redoc.ly; the page's CSP refuses it before any request is
# made (nothing leaves the machine), and the browser logs the refusal.
REDOC_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"


def operation_ids(spec: dict[str, Any]) -> list[str]:
    return [op["operationId"] for ops in spec["paths"].values() for op in ops.values()]


def try_it_out(page: Any, operation_id: str) -> str:
    """Opens an operation, runs it with its prefilled example, returns the HTTP status shown."""
    block = page.locator(f"[id$='-{operation_id}']")
    block.locator(".opblock-summary-control").click()
    start = block.get_by_role("button", name="Try it out")
    start.or_(block.locator("button.execute")).first.wait_for()
    if start.count():
        start.click()
    clear = block.locator("button.btn-clear")
    if clear.count():  # the previous answer, still shown
        clear.click()
    block.locator("button.execute").click()
    status = block.locator(".live-responses-table tbody .response-col_status").first
    status.wait_for()
    text: str = status.inner_text().strip()
    block.locator(".opblock-summary-control").click()
    return text


def test_swagger_ui_renders_offline_and_every_example_runs(
    page: Any, base_url: str, axe: Callable[[Any], list[dict[str, Any]]]
) -> None:
    until(lambda: ready(base_url), "the service ready")
    spec = httpx.get(f"{base_url}/openapi.json", timeout=30).json()
    elsewhere = only_this_service(page, base_url)
    page.goto(f"{base_url}/docs")
    page.wait_for_selector(".opblock")
    shown = page.eval_on_selector_all(".opblock", "els => els.map(e => e.id)")
    ids = operation_ids(spec)
    assert len(shown) == len(ids)
    assert all(any(element.endswith(f"-{op}") for element in shown) for op in ids)
    assert axe(page) == []

    for op in ids:
        status = try_it_out(page, op)
        assert status == DESIGNED.get(op, "200"), f"{op}: {status}"
    assert elsewhere == []
    # The browser logs the designed 503 of /v1/cypher as a failed resource; nothing else.
    assert [e for e in page.errors if "status of 503" not in e] == []


def test_redoc_renders_offline(page: Any, base_url: str, axe: Callable[[Any], list[dict[str, Any]]]) -> None:
    spec = httpx.get(f"{base_url}/openapi.json", timeout=30).json()
    elsewhere = only_this_service(page, base_url)
    page.goto(f"{base_url}/redoc")
    page.wait_for_selector("#redoc h1")
    assert "clinkg" in page.locator("#redoc h1").first.inner_text()
    for op in operation_ids(spec):
        page.wait_for_selector(f"[id='operation/{op}']", state="attached")
    # The differential's request sample is the documented example, not a generated placeholder.
    assert (
        "leg-weakness" in page.locator("[id='operation/post_differential_v1_differential_post']").inner_text()
    )
    assert elsewhere == []
    assert [e for e in page.errors if REDOC_LOGO not in e] == []
    assert axe(page) == []


def test_with_a_token_swagger_asks_for_it_and_authorize_sends_it(page: Any, build_dir: Path) -> None:
    with live_server(Settings(build_dir=build_dir, api_token=SecretStr(TOKEN))) as url:
        until(lambda: httpx.get(f"{url}/health", timeout=30).status_code == 200, "the service up")
        page.goto(f"{url}/docs")
        page.wait_for_selector("#api-token")
        page.fill("#api-token", TOKEN)
        page.click(".gate-form button[type=submit]")
        page.wait_for_selector(".opblock")
        # Authorized with the page's token: the search runs.
        assert try_it_out(page, "search_v1_search_get") == "200"

        # Log out in the Authorize dialog: refused; authorize again there: answered.
        page.click(".auth-wrapper .authorize")
        page.locator(".dialog-ux .auth-btn-wrapper button", has_text="Logout").click()
        page.locator(".dialog-ux .close-modal").click()
        assert try_it_out(page, "search_v1_search_get") == "401"
        page.click(".auth-wrapper .authorize")
        page.fill("#auth-bearer-value", TOKEN)
        page.locator(".dialog-ux .auth-btn-wrapper button.authorize").click()
        page.locator(".dialog-ux .close-modal").click()
        assert try_it_out(page, "search_v1_search_get") == "200"
        assert [e for e in page.errors if "status of 401" not in e] == []
