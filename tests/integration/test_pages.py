"""The pages over HTTP: their Content-Security-Policy, the token exception, static caching and gzip, 404s."""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from clinkg.ontology import XREF_NAMESPACES
from clinkg.service.settings import Settings
from tests.integration.conftest import live_server

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "service" / "web" / "templates"
DATA_POLICY = "default-src 'none'; frame-ancestors 'none'"
PAGES = ("/", "/e/cauda-equina-syndrome", "/e/HP:0001324", "/e/clinkg%3Aleg-weakness")
TOKEN = "page-s3cret"  # noqa: S105 (a test server's token)


def directives(policy: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


def asset_refs(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="(/static/[^"]+)"', html)


@pytest.mark.parametrize("path", PAGES)
def test_a_page_is_html_under_a_policy_without_inline_script(http: httpx.Client, path: str) -> None:
    response = http.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    policy = directives(response.headers["content-security-policy"])
    assert policy["default-src"] == ["'none'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["connect-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert response.headers["x-frame-options"] == "DENY"


def test_data_answers_keep_the_data_policy(http: httpx.Client) -> None:
    for path in ("/health", "/v1/search?q=leg", "/v1/entities/nope-nothing", "/static/differential.js"):
        response = http.get(path)
        assert response.headers["content-security-policy"] == DATA_POLICY, path


@pytest.mark.parametrize("template", sorted(p.name for p in TEMPLATES.glob("*.html")))
def test_no_template_holds_inline_script_or_style(template: str) -> None:
    html = (TEMPLATES / template).read_text(encoding="utf-8")
    for tag in re.findall(r"<script\b[^>]*>", html, flags=re.IGNORECASE):
        assert re.search(r'\bsrc="/static/', tag), f"{template}: inline or foreign script {tag}"
    assert not re.search(r"<script\b[^>]*>(?!</script>)", html, flags=re.IGNORECASE), (
        f"{template}: inline script"
    )
    assert not re.search(r"\son[a-z]+\s*=", html, flags=re.IGNORECASE), f"{template}: inline event handler"
    assert not re.search(r"javascript:", html, flags=re.IGNORECASE), template
    assert "<style" not in html.lower() and " style=" not in html.lower(), f"{template}: inline style"


def test_every_asset_a_page_names_is_served_versioned(http: httpx.Client) -> None:
    for path in ("/", "/e/leg-weakness"):
        refs = asset_refs(http.get(path).text)
        assert len(refs) >= 2, path
        for ref in refs:
            assert re.search(r"\?v=[0-9a-f]{12}$", ref), ref
            assert http.get(ref).status_code == 200, ref


def test_a_versioned_asset_is_cached_for_a_year_and_gzipped(http: httpx.Client) -> None:
    script = next(ref for ref in asset_refs(http.get("/").text) if ref.endswith(".js") or ".js?" in ref)
    plain = http.get(script, headers={"accept-encoding": "identity"})
    packed = http.get(script, headers={"accept-encoding": "gzip, deflate"})
    assert plain.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert packed.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert "content-encoding" not in plain.headers
    assert packed.headers["content-encoding"] == "gzip"
    assert packed.headers["vary"] == "accept-encoding"
    assert int(packed.headers["content-length"]) < len(plain.content) / 2
    # httpx has already decoded the gzip; the raw bytes are checked here.
    with httpx.stream("GET", str(http.base_url) + script, headers={"accept-encoding": "gzip"}) as raw:
        body = b"".join(raw.iter_raw())
    assert gzip.decompress(body) == plain.content
    assert plain.headers["content-type"] == "text/javascript; charset=utf-8"


def test_an_unversioned_or_stale_asset_is_revalidated(http: httpx.Client) -> None:
    for path in ("/static/differential.js", "/static/differential.js?v=000000000000"):
        response = http.get(path)
        assert response.status_code == 200
        assert response.headers["cache-control"] == "no-cache"
        again = http.get(path, headers={"if-none-match": response.headers["etag"]})
        assert again.status_code == 304
        assert again.content == b""
    other = http.get("/static/differential.js", headers={"if-none-match": '"something-else"'})
    assert other.status_code == 200


def test_gzip_refused_with_q0_is_not_sent(http: httpx.Client) -> None:
    response = http.get("/static/differential.js", headers={"accept-encoding": "gzip;q=0, identity"})
    assert "content-encoding" not in response.headers


def test_the_api_json_is_never_compressed(http: httpx.Client) -> None:
    body = {"present": ["leg weakness"], "onset": "sudden"}
    for method, path, payload in (("GET", "/v1/entities?limit=50", None), ("POST", "/v1/differential", body)):
        plain = http.request(method, path, json=payload, headers={"accept-encoding": "identity"})
        asked = http.request(method, path, json=payload, headers={"accept-encoding": "gzip, br"})
        assert "content-encoding" not in asked.headers, path
        assert asked.content == plain.content, path


@pytest.mark.parametrize(
    "path",
    ["/static/nope.js", "/static/", "/static/%2e%2e/routes.py", "/static/..%2Froutes.py", "/static/%00"],
)
def test_a_missing_or_escaping_asset_is_404_json(http: httpx.Client, path: str) -> None:
    response = http.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    assert response.headers["content-security-policy"] == DATA_POLICY


def test_unknown_paths_stay_404_json(http: httpx.Client) -> None:
    for path in ("/nope", "/index.html", "/templates/index.html"):
        response = http.get(path)
        assert response.status_code == 404, path
        assert response.json()["detail"]


def test_the_entity_page_is_a_shell_whatever_the_id(http: httpx.Client) -> None:
    # The page asks the API; an unknown id is the page's 404 message, not the shell's.
    known = http.get("/e/leg-weakness").text
    assert http.get("/e/no-such-entity").text == known
    assert "Leg weakness" not in known


def test_the_code_namespaces_of_the_pages_are_the_ontology_s() -> None:
    codes = json.loads((ROOT / "web" / "src" / "lib" / "codes.json").read_text(encoding="utf-8"))
    for prefix, namespace in XREF_NAMESPACES.items():
        assert codes[prefix] == str(namespace), prefix


@pytest.fixture(scope="module")
def guarded_url(build_dir: Path) -> Iterator[str]:
    with live_server(Settings(build_dir=build_dir, api_token=SecretStr(TOKEN))) as url:
        yield url


def test_with_a_token_the_pages_and_assets_load_without_it(guarded_url: str) -> None:
    with httpx.Client(base_url=guarded_url, timeout=30) as client:
        for path in (*PAGES, "/static/differential.js", "/static/entity.css"):
            assert client.get(path).status_code == 200, path
            assert client.head(path).status_code == 200, path
        for docs in ("/docs", "/redoc"):
            assert client.get(docs).status_code == 200, docs
            assert client.head(docs).status_code == 200, docs
        assert client.get("/sparql", headers={"accept": "text/html"}).status_code != 401


def test_with_a_token_every_api_call_still_needs_it(guarded_url: str) -> None:
    bearer = {"authorization": f"Bearer {TOKEN}"}
    with httpx.Client(base_url=guarded_url, timeout=30) as client:
        refused = [
            client.get("/v1/search?q=leg"),
            client.get("/v1/entities/leg-weakness"),
            client.post("/v1/differential", json={"present": ["leg weakness"]}),
            client.post("/v1/intake", json={"text": "weak legs"}),
            client.get("/openapi.json"),
            client.get("/sparql?query=ASK%7B%7D", headers={"accept": "text/html"}),
            client.get("/sparql", headers={"accept": "application/sparql-results+json"}),
            # HTML not strictly preferred: the service description (counts of the data), not the page.
            client.get("/sparql", headers={"accept": "text/html, text/turtle"}),
            client.get("/sparql", headers={"accept": "*/*"}),
            client.post("/", json={}),
            client.post("/e/leg-weakness"),
            client.post("/static/differential.js"),
            client.request("DELETE", "/static/differential.js"),
            client.get("/v1/entities/leg-weakness", headers={"authorization": "Bearer wrong"}),
        ]
        for response in refused:
            assert response.status_code == 401, (response.request.method, response.request.url)
            assert response.headers["www-authenticate"].startswith("Bearer")
        assert client.get("/v1/entities/leg-weakness", headers=bearer).status_code == 200
        assert client.get("/openapi.json", headers=bearer).status_code == 200
