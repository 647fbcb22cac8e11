"""The entity page (/e/{id}) in headless Chromium: label, synonyms, codes linked to their IRIs, citations,
the neighbourhood graph growing on a click, on the curated graph and on an HPO release."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from clinkg.service.settings import Settings
from tests.integration.conftest import live_server

pytestmark = pytest.mark.integration

TIMEOUT_MS = 15_000


def open_entity(page: Any, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("body[data-entity]", timeout=TIMEOUT_MS)


def node_count(page: Any) -> int:
    return int(page.locator("#graph").evaluate("b => b.cy.nodes().length"))


def click_node(page: Any, node_id: str) -> None:
    """A real click where Cytoscape drew the node."""
    point = page.locator("#graph").evaluate(
        """async (box, id) => {
            const node = box.cy.getElementById(id);
            const at = node.renderedPosition();
            // On screen, clear of the fixed disclaimer; two frames let Cytoscape see the scroll.
            box.scrollIntoView({block: "start"});
            await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
            const rect = box.getBoundingClientRect();
            return {x: rect.left + at.x, y: rect.top + at.y, found: node.nonempty()};
        }""",
        node_id,
    )
    assert point["found"], node_id
    page.mouse.click(point["x"], point["y"])


def click_clear_edge(page: Any, edge_ids: list[str]) -> str:
    """Clicks, where it is drawn, the first of these edges whose midpoint no node covers (a force-directed
    layout can draw an edge under a node, and a click there is the node's); returns its id."""
    point = page.locator("#graph").evaluate(
        """async (box, ids) => {
            box.scrollIntoView({block: "start"});
            await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
            const cy = box.cy;
            const nodes = cy.nodes().map(n => n.renderedPosition());
            const clear = ids.map(id => cy.getElementById(id)).filter(e => e.nonempty()).find(e => {
                const mid = e.renderedMidpoint();
                return nodes.every(n => Math.hypot(n.x - mid.x, n.y - mid.y) > 30);
            });
            if (!clear) return null;
            const mid = clear.renderedMidpoint();
            const rect = box.getBoundingClientRect();
            return {x: rect.left + mid.x, y: rect.top + mid.y, id: clear.id()};
        }""",
        edge_ids,
    )
    assert point is not None, "every edge is under a node"
    page.mouse.click(point["x"], point["y"])
    return str(point["id"])


def edge_key(entity: dict[str, Any], edge: dict[str, Any]) -> str:
    other = edge["other"]["id"]
    ends = (other, entity["id"]) if edge["direction"] == "in" else (entity["id"], other)
    return f"{ends[0]}|{edge['predicate']}|{ends[1]}"


def test_a_curated_entity_and_its_growing_neighbourhood(page: Any, base_url: str, http: httpx.Client) -> None:
    entity = http.get("/v1/entities/cauda-equina-syndrome").json()
    open_entity(page, base_url + "/e/cauda-equina-syndrome")
    assert page.locator("#entity-label").inner_text() == "Cauda equina syndrome"
    assert page.title().startswith("Cauda equina syndrome")
    code = page.locator("a.code", has_text="ICD10CM:G83.4")
    assert code.get_attribute("href") == "http://purl.bioontology.org/ontology/ICD10CM/G83.4"
    assert page.locator("a.code", has_text="clinkg:cauda-equina-syndrome").get_attribute("href") == (
        "https://w3id.org/clinkg/id/cauda-equina-syndrome"
    )
    assert page.locator(".synonyms li").all_inner_texts() == entity["synonyms"]
    assert page.locator(".citation-statement").first.inner_text() == entity["citations"][0]["statement"]
    assert page.locator("table.edges tbody tr").count() == len(entity["edges"])

    before = node_count(page)
    neighbours = {edge["other"]["id"] for edge in entity["edges"]}
    assert before == len(neighbours) + 1
    click_node(page, "clinkg:leg-weakness")
    page.locator("#selection .expand-status").wait_for(timeout=TIMEOUT_MS)
    assert page.locator("#selection h2").inner_text() == "Leg weakness"
    assert node_count(page) > before
    assert "clinkg:leg-weakness" in (page.locator("#graph").get_attribute("data-expanded") or "")

    statements = {edge_key(entity, edge): edge["provenance"][0]["statement"] for edge in entity["edges"]}
    clicked = click_clear_edge(page, list(statements))
    page.locator("#selection .prov-statement").first.wait_for(timeout=TIMEOUT_MS)
    assert page.locator("#selection").get_attribute("data-edge") == clicked
    assert page.locator("#selection .prov-statement").first.inner_text() == statements[clicked]
    assert page.errors == [] and page.dialogs == []


def test_a_candidate_links_to_its_entity_page(page: Any, base_url: str) -> None:
    page.goto(base_url + "/")
    page.locator("#finding-search").fill("saddle anaesthesia")
    page.locator("#suggestions [role=option]").first.wait_for(timeout=TIMEOUT_MS)
    page.keyboard.press("Enter")
    page.click("#run")
    page.wait_for_selector("body[data-answer=ready]", timeout=TIMEOUT_MS)
    page.locator(".candidate .candidate-label").first.click()
    page.wait_for_selector("body[data-entity=ready]", timeout=TIMEOUT_MS)
    assert page.url.endswith("/e/cauda-equina-syndrome")
    assert page.locator("#entity-label").inner_text() == "Cauda equina syndrome"


def test_an_unknown_entity_says_so(page: Any, base_url: str) -> None:
    open_entity(page, base_url + "/e/no-such-entity")
    assert page.locator("body").get_attribute("data-entity") == "missing"
    assert "no-such-entity" in page.locator("#entity [role=alert]").inner_text()
    assert page.locator("#neighbourhood").is_hidden()
    # The browser logs the API's 404; nothing else went wrong.
    assert all("404" in error for error in page.errors), page.errors


def test_the_entity_page_has_no_serious_accessibility_violation(
    page: Any, base_url: str, axe: Callable[[Any], list[dict[str, Any]]]
) -> None:
    open_entity(page, base_url + "/e/leg-weakness")
    click_node(page, "clinkg:stroke")
    page.locator("#selection .expand-status").wait_for(timeout=TIMEOUT_MS)
    assert axe(page) == []
    assert page.errors == []


@pytest.fixture(scope="module")
def hpo_url(hpo_build_dir: Path) -> Iterator[str]:
    with live_server(Settings(build_dir=hpo_build_dir.parent)) as url:
        yield url


def test_an_hpo_term_and_its_parent(page: Any, hpo_url: str) -> None:
    open_entity(page, hpo_url + "/e/HP:0001324")
    assert page.locator("#entity-label").inner_text() == "Muscle weakness"
    assert page.locator("a.code", has_text="HP:0001324").get_attribute("href") == (
        "http://purl.obolibrary.org/obo/HP_0001324"
    )
    before = node_count(page)
    parent = page.locator("#graph").evaluate(
        "b => b.cy.edges().filter(e => e.source().id() === 'HP:0001324').map(e => e.target().id())[0]"
    )
    click_node(page, parent)
    page.locator("#selection .expand-status").wait_for(timeout=TIMEOUT_MS)
    assert node_count(page) > before
    assert page.errors == [] and page.dialogs == []


def test_an_hpo_disease_with_its_annotations(page: Any, hpo_url: str) -> None:
    open_entity(page, hpo_url + "/e/OMIM:620106")
    assert page.locator("#entity-label").inner_text() == "Spastic paraplegia 88, autosomal dominant"
    assert (
        page.locator("a.code", has_text="OMIM:620106").get_attribute("href")
        == "https://omim.org/entry/620106"
    )
    assert node_count(page) > 5
    click_clear_edge(page, page.locator("#graph").evaluate("b => b.cy.edges().map(e => e.id())"))
    page.locator("#selection .prov-source").first.wait_for(timeout=TIMEOUT_MS)
    assert "phenotype-hpoa" in page.locator("#selection .prov-source").first.inner_text()
    assert page.locator("#selection .prov-statement").first.inner_text().startswith("OMIM:620106")
    # A linked HP term opens in the HPO's reading, not as the curated finding that carries its code.
    link = page.locator("table.edges a").first
    assert (link.get_attribute("href") or "").endswith("?graph=hpo")
    link.click()
    page.wait_for_selector("body[data-entity=ready]", timeout=TIMEOUT_MS)
    assert page.locator("#entity .facts").inner_text().count("hpo term") == 1
    assert page.errors == [] and page.dialogs == []


def test_an_hp_code_both_graphs_know(page: Any, hpo_url: str) -> None:
    open_entity(page, hpo_url + "/e/HP:0007340")
    assert page.locator("#entity-label").inner_text() == "Leg weakness"
    open_entity(page, hpo_url + "/e/HP:0007340?graph=hpo")
    assert page.locator("#entity-label").inner_text() == "Lower limb muscle weakness"
    curated = page.locator(".facts a", has_text="Leg weakness")
    assert curated.get_attribute("href") == "/e/leg-weakness"
    assert page.errors == []
