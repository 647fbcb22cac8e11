"""Browser tests: headless Chromium (Debian's `chromium`, never Playwright's download) driven by
Playwright for Python against the live service, with axe-core from tests/tools for accessibility.

Skipped, with the reason printed, when Playwright, Chromium or axe-core is missing."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

TOOLS = Path(__file__).resolve().parents[2] / "tools"
AXE = TOOLS / "node_modules" / "axe-core" / "axe.min.js"
# Chromium as root in a closed network: no sandbox, and no background connections it would wait on.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium() -> str | None:
    explicit = os.environ.get("CLINKG_CHROMIUM")
    if explicit:
        return explicit
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium per test module. Not per session: Playwright's sync API runs its event loop
    in the main thread while it is open, and a later test's asyncio.run() would find it running."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("browser tests: Playwright for Python is not installed")
    executable = _chromium()
    if executable is None:
        pytest.skip("browser tests: no Chromium found (apt-get install -y chromium, or set CLINKG_CHROMIUM)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh page; the test fails if the page logs a JavaScript error or runs an alert."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    errors: list[str] = []
    dialogs: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    tab.on("dialog", on_dialog)
    tab.errors = errors
    tab.dialogs = dialogs
    try:
        yield tab
    finally:
        context.close()


@pytest.fixture(scope="session")
def axe_script() -> str:
    if not AXE.exists():
        pytest.skip("browser tests: axe-core is missing (npm ci --prefix tests/tools)")
    return AXE.read_text(encoding="utf-8")


@pytest.fixture
def axe(axe_script: str) -> Callable[[Any], list[dict[str, Any]]]:
    """Runs axe-core on a page; returns its serious and critical violations (empty when none)."""

    def run(tab: Any) -> list[dict[str, Any]]:
        # Evaluated through the DevTools protocol, which the pages' CSP (no inline script) does not block.
        tab.evaluate(axe_script + "\n;0")
        result = tab.evaluate("async () => await axe.run(document)")
        return [
            {
                "id": v["id"],
                "impact": v["impact"],
                "help": v["help"],
                "nodes": [n["target"] for n in v["nodes"]],
            }
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]

    return run
