"""The API documentation, offline: Swagger UI at /docs and ReDoc at /redoc from the bundled assets (FastAPI's
own pages load them from a CDN and run inline script), and the bearer scheme in the OpenAPI document.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.responses import HTMLResponse

from clinkg.service.api.middleware import OPEN_PATHS, page_policy
from clinkg.service.web.routes import page_response

SCHEME = "bearer"
SCHEME_DOC = {
    "type": "http",
    "scheme": "bearer",
    "description": "Needed only when the service runs with CLINKG_API_TOKEN set: send "
    "`Authorization: Bearer <the token>`. Without it every route but /health answers 401.",
}

# ReDoc (styled-components) adds two <style> elements: an empty one it fills through the CSSOM, which CSP
# does not govern, and one of fixed global rules. Their hashes admit exactly these two, never other inline
# style (the hashes are those of redoc 2.5.4, pinned in web/package-lock.json; the browser test fails on
# any CSP violation, so an upgrade that changes them is caught).
REDOC_STYLE_HASHES = (
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
    "'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='",
)
REDOC_POLICY = page_policy(REDOC_STYLE_HASHES)

router = APIRouter(include_in_schema=False)


@router.api_route("/docs", methods=["GET", "HEAD"])
def swagger_page() -> HTMLResponse:
    """Swagger UI over /openapi.json."""
    return page_response("docs.html")


@router.api_route("/redoc", methods=["GET", "HEAD"])
def redoc_page() -> HTMLResponse:
    """ReDoc over /openapi.json."""
    response = page_response("redoc.html")
    response.headers["content-security-policy"] = REDOC_POLICY
    return response


def with_bearer_scheme(app: FastAPI, token_required: bool) -> Callable[[], dict[str, Any]]:
    """`app.openapi` declaring the bearer scheme, and requiring it on every guarded operation when a token
    is configured (so Swagger's Authorize sends it); the middleware alone enforces it."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        spec = build()
        spec.setdefault("components", {}).setdefault("securitySchemes", {})[SCHEME] = SCHEME_DOC
        if token_required:
            for path, operations in spec.get("paths", {}).items():
                if path in OPEN_PATHS:
                    continue
                for operation in operations.values():
                    operation["security"] = [{SCHEME: []}]
        app.openapi_schema = spec
        return spec

    return openapi
