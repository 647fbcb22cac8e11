"""The SPARQL workbench in headless Chromium: a browser's GET /sparql is the page; every file of the query
library loads with its header; a query runs and its rows show in the table, a numeric one as a bar chart;
labels stay text; nothing is fetched from elsewhere; no CSP violation or script error; axe finds no
serious or critical violation; with CLINKG_API_TOKEN set the page asks for the token and sends it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from pydantic import SecretStr

from clinkg.queries import load, names
from clinkg.service.settings import Settings

from ..conftest import live_server
from ..sparql_helpers import ready, until

pytestmark = pytest.mark.integration

TOKEN = "workbench-token-0123456789"  # noqa: S105 - a test token
ROWS = ".yasr table.dataTable tbody tr"


def only_this_service(page: Any, base_url: str) -> list[str]:
    """Refuses, and records, every request to anything but the service (the page must work offline)."""
    elsewhere: list[str] = []

    def route(request_route: Any) -> None:
        url = request_route.request.url
        if url.startswith(base_url) or url.startswith(("data:", "blob:")):
            request_route.continue_()
        else:
            elsewhere.append(url)
            request_route.abort()

    page.route("**/*", route)
    return elsewhere


def editor_text(page: Any) -> str:
    text: str = page.evaluate("document.querySelector('.CodeMirror').CodeMirror.getValue()")
    return text


def run(page: Any) -> None:
    page.click(".yasqe_queryButton")
    page.wait_for_selector(ROWS)


def open_workbench(page: Any, url: str) -> None:
    until(lambda: ready(url), "the service ready")
    page.goto(f"{url}/sparql")
    page.wait_for_selector("#example option[value='counts_by_type']", state="attached")


def test_a_browser_gets_the_workbench_and_runs_a_library_query(
    page: Any, base_url: str, axe: Callable[[Any], list[dict[str, Any]]]
) -> None:
    elsewhere = only_this_service(page, base_url)
    open_workbench(page, base_url)
    assert page.locator("h1").inner_text() == "SPARQL workbench"

    # Every file of queries/sparql/, listed with its question.
    listed = page.eval_on_selector_all("#example option", "os => os.map(o => [o.value, o.title])")
    assert [value for value, _ in listed if value] == names("sparql")
    for value, title in listed:
        if value:
            assert title == load(value).header["question"]

    # Choosing one loads the whole file, header included, and shows its question.
    page.select_option("#example", "counts_by_type")
    query = load("counts_by_type")
    assert editor_text(page).strip() == query.text.strip()
    assert page.locator("#example-question").inner_text() == query.header["question"]

    run(page)
    expected = httpx.post(
        f"{base_url}/sparql",
        content=query.text,
        headers={"content-type": "application/sparql-query", "accept": "application/sparql-results+json"},
        timeout=30,
    ).json()["results"]["bindings"]
    assert 0 < len(expected) <= 50  # one page of the table
    assert page.locator(ROWS).count() == len(expected)
    table = page.locator(".yasr table.dataTable").inner_text()
    assert "Cause" in table and "presents with" in table

    # The same rows as a bar chart of the numeric column.
    page.click(".yasr .select_chart")
    page.wait_for_selector(".clinkg-chart-svg .bar-rect")
    assert page.locator(".clinkg-chart-svg .bar-rect").count() == len(expected)
    assert page.locator("#clinkg-chart-value").input_value() == "total"
    labels = page.eval_on_selector_all(".clinkg-chart-svg .bar-label", "ts => ts.map(t => t.textContent)")
    assert {b["label"]["value"] for b in expected} == set(labels)
    widths = {
        label: float(
            page.locator(".clinkg-chart-svg .bar").nth(i).locator("rect").get_attribute("width") or 0
        )
        for i, label in enumerate(labels)
    }
    totals = {b["label"]["value"]: int(b["total"]["value"]) for b in expected}
    largest = max(totals, key=lambda k: totals[k])
    assert widths[largest] == max(widths.values())  # bars to scale

    assert axe(page) == []
    page.click(".yasr .select_table")
    page.wait_for_selector(ROWS)
    assert axe(page) == []
    assert elsewhere == []
    assert page.errors == []


def test_every_library_query_runs_from_the_workbench(page: Any, base_url: str) -> None:
    open_workbench(page, base_url)
    answered = 0
    for name in names("sparql"):
        page.select_option("#example", name)
        with page.expect_response(lambda r: r.url.endswith("/sparql") and r.request.method == "POST") as sent:
            page.click(".yasqe_queryButton")
        response = sent.value
        assert response.status == 200, f"{name}: {response.status} {response.text()[:300]}"
        assert parse_qs(response.request.post_data or "")["query"][0].strip() == load(name).text.strip()
        answered += 1
        page.wait_for_selector(".yasr .dataTable, .yasr .errorResult")
        assert page.locator(".yasr .errorResult").count() == 0, name
    assert answered == len(names("sparql"))
    assert page.errors == []


def test_labels_in_results_stay_text(page: Any, base_url: str) -> None:
    open_workbench(page, base_url)
    hostile = "<img src=x onerror=alert(1)>"
    page.evaluate(
        "q => document.querySelector('.CodeMirror').CodeMirror.setValue(q)",
        f'SELECT ?label ?n WHERE {{ VALUES (?label ?n) {{ ("{hostile}" 3) ("plain" 5) }} }}',
    )
    run(page)
    assert hostile in page.locator(".yasr table.dataTable").inner_text()
    page.click(".yasr .select_chart")
    page.wait_for_selector(".clinkg-chart-svg .bar-rect")
    assert hostile in page.locator(".clinkg-chart-svg").inner_html().replace("&lt;", "<").replace("&gt;", ">")
    assert page.locator(".yasr img").count() == 0
    assert page.dialogs == []
    assert page.errors == []


def test_the_graph_prefixes_are_declared_as_they_are_typed(page: Any, base_url: str) -> None:
    open_workbench(page, base_url)
    page.evaluate("document.querySelector('.CodeMirror').CodeMirror.setValue('')")
    page.click(".CodeMirror")
    page.keyboard.type("SELECT * WHERE { ?s a ckg:")
    until(lambda: "PREFIX ckg: <https://w3id.org/clinkg/ontology#>" in editor_text(page), "ckg declared")
    assert page.errors == []


def test_with_a_token_the_workbench_asks_for_it_and_sends_it(page: Any, build_dir: Path) -> None:
    with live_server(Settings(build_dir=build_dir, api_token=SecretStr(TOKEN))) as url:
        until(lambda: httpx.get(f"{url}/health", timeout=30).status_code == 200, "the service up")
        page.goto(f"{url}/sparql")
        page.wait_for_selector("#api-token")
        assert page.locator("#app").is_hidden()
        # A wrong token is refused and asked for again.
        page.fill("#api-token", "not-the-token")
        page.click(".gate-form button[type=submit]")
        page.wait_for_selector(".gate-message:has-text('refused')")
        page.fill("#api-token", TOKEN)
        page.click(".gate-form button[type=submit]")
        page.wait_for_selector("#example option[value='counts_by_type']", state="attached")
        assert page.locator("#app").is_visible()
        page.select_option("#example", "counts_by_type")
        run(page)  # /sparql answers only with the token: YASGUI sent it
        assert page.locator(ROWS).count() > 0
        assert [e for e in page.errors if "401" not in e] == []
