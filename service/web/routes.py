"""clinkg's own pages: HTML shells from `templates/` and the bundled assets under `/static/`.

The shells hold no data and no inline script; each loads its bundle, which calls the API. An asset is
referenced in a shell as `/static/NAME`; `page_response` appends `?v=<content hash>` so a browser may keep
it for a year and still never runs a stale bundle after an upgrade. Static files are gzipped here (once,
kept in memory), never the API's answers.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import re
import threading
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Header, Request
from fastapi.responses import HTMLResponse, Response
from starlette.exceptions import HTTPException

TEMPLATES = "templates"
STATIC = "static"
IMMUTABLE = "public, max-age=31536000, immutable"
# Unversioned: the browser may keep it but asks again (a 304 when unchanged).
REVALIDATE = "no-cache"
# esbuild's file loader names assets `assets/<name>-<hash>.<ext>`: the name changes with the bytes.
HASHED_NAME = re.compile(r"^assets/.+-[A-Z0-9]{8}\.[a-z0-9]+$")
ASSET_REF = re.compile(r'(?P<attr>(?:src|href)=")/static/(?P<name>[^"?#]+)"')
COMPRESSIBLE = ("text/", "application/javascript", "application/json", "image/svg+xml")
GZIP_MIN_BYTES = 512


def _web_dir() -> Path:
    return Path(str(resources.files("clinkg.service.web")))


@dataclass(frozen=True)
class Asset:
    """One static file as served: its bytes, gzipped bytes (None when not worth it) and validators."""

    body: bytes
    gzipped: bytes | None
    media_type: str
    etag: str
    version: str


class AssetStore:
    """Static files read once and kept (with their gzip) while unchanged on disk (size and mtime)."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self._lock = threading.Lock()
        self._assets: dict[str, tuple[tuple[int, int], Asset]] = {}

    def path_of(self, name: str) -> Path | None:
        """The file a name means, or None when it is missing or would leave the static folder."""
        if not name or name.startswith("/") or "\\" in name or "\x00" in name:
            return None
        candidate = (self.root / name).resolve()
        if not candidate.is_relative_to(self.root) or not candidate.is_file():
            return None
        return candidate

    def get(self, name: str) -> Asset | None:
        """The asset named, or None."""
        path = self.path_of(name)
        if path is None:
            return None
        stat = path.stat()
        key = (stat.st_size, stat.st_mtime_ns)
        with self._lock:
            known = self._assets.get(name)
        if known is not None and known[0] == key:
            return known[1]
        asset = _load(path)
        with self._lock:
            self._assets[name] = (key, asset)
        return asset


def _load(path: Path) -> Asset:
    body = path.read_bytes()
    media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if media_type.startswith("text/") or media_type == "application/javascript":
        media_type += "; charset=utf-8"
    digest = hashlib.sha256(body).hexdigest()
    gzipped = None
    if len(body) >= GZIP_MIN_BYTES and media_type.startswith(COMPRESSIBLE):
        # mtime=0: the same bytes give the same gzip, so the ETag below stays honest.
        packed = gzip.compress(body, compresslevel=9, mtime=0)
        gzipped = packed if len(packed) < len(body) else None
    return Asset(body, gzipped, media_type, f'"{digest[:32]}"', digest[:12])


@cache
def assets() -> AssetStore:
    """The process's static files."""
    return AssetStore(_web_dir() / STATIC)


@cache
def _template(name: str) -> str:
    path = _web_dir() / TEMPLATES / name
    if path.parent != _web_dir() / TEMPLATES or not path.is_file():
        raise FileNotFoundError(name)
    return path.read_text(encoding="utf-8")


def render_page(name: str) -> str:
    """A template's HTML with every `/static/NAME` reference versioned by the file's content hash."""
    store = assets()

    def versioned(match: re.Match[str]) -> str:
        asset = store.get(match["name"])
        suffix = f"?v={asset.version}" if asset is not None else ""
        return f'{match["attr"]}/static/{match["name"]}{suffix}"'

    return ASSET_REF.sub(versioned, _template(name))


def page_response(name: str) -> HTMLResponse:
    """The template `service/web/templates/<name>` as a page. Being text/html, it gets the page
    Content-Security-Policy from the middleware: no inline script, scripts and styles from /static only."""
    return HTMLResponse(render_page(name), headers={"cache-control": REVALIDATE})


router = APIRouter(include_in_schema=False)


@router.api_route("/", methods=["GET", "HEAD"])
def differential_page() -> HTMLResponse:
    """The differential: findings in, triage, red flags, candidates with their explanation graphs."""
    return page_response("index.html")


@router.api_route("/e/{ref:path}", methods=["GET", "HEAD"])
def entity_page(ref: str) -> HTMLResponse:
    """One entity and its neighbourhood; the page reads the id from its own URL (none: it says so)."""
    return page_response("entity.html")


@router.api_route("/static/{name:path}", methods=["GET", "HEAD"])
def static_file(
    request: Request,
    name: str,
    accept_encoding: Annotated[str, Header()] = "",
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    """A bundled asset, gzipped when the client takes it, cached for a year when its name or `?v=`
    pins its content."""
    asset = assets().get(name)
    if asset is None:
        raise HTTPException(status_code=404, detail="no such file")
    pinned = HASHED_NAME.match(name) is not None or request.query_params.get("v") == asset.version
    use_gzip = asset.gzipped is not None and _accepts_gzip(accept_encoding)
    etag = asset.etag[:-1] + '-gz"' if use_gzip else asset.etag
    headers = {
        "cache-control": IMMUTABLE if pinned else REVALIDATE,
        "etag": etag,
        "vary": "accept-encoding",
    }
    if if_none_match is not None and etag in {tag.strip() for tag in if_none_match.split(",")}:
        return Response(status_code=304, headers=headers)
    if use_gzip:
        headers["content-encoding"] = "gzip"
    body = asset.gzipped if use_gzip and asset.gzipped is not None else asset.body
    return Response(body, media_type=asset.media_type, headers=headers)


def _accepts_gzip(accept_encoding: str) -> bool:
    for part in accept_encoding.lower().split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip() in {"gzip", "*"}:
            return params.replace(" ", "") not in {"q=0", "q=0.0", "q=0.00", "q=0.000"}
    return False
