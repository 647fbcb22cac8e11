"""Screenshots of the explorer pages for the README: docs/screenshots/differential.png and entity.png.

Builds the curated content into a temporary folder, serves it on a free loopback port and drives
Debian's Chromium (CLINKG_CHROMIUM to choose another) through Playwright:

    .venv/bin/python bench/screenshots.py [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

from clinkg.loaders.build import build
from clinkg.service.server import in_thread
from clinkg.service.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT_MS = 20_000
VIEWPORT = {"width": 1280, "height": 1350}


def pick(page: Any, query: str) -> None:
    page.fill("#finding-search", query)
    page.locator("#suggestions [role=option]").first.wait_for(timeout=TIMEOUT_MS)
    page.keyboard.press("Enter")


def differential(page: Any, base: str, out: Path) -> None:
    page.goto(base + "/")
    pick(page, "can't feel my bum")
    pick(page, "urinary retention")
    pick(page, "legs gave way")
    page.select_option("#onset", "sudden")
    page.click("#run")
    page.wait_for_selector("body[data-answer=ready]", timeout=TIMEOUT_MS)
    page.locator(".candidate button.expand").first.click()
    page.locator(".candidate .edge-button").first.click()
    page.wait_for_timeout(300)
    page.evaluate("document.querySelector('#answer').scrollIntoView({block: 'start'})")
    page.screenshot(path=str(out / "differential.png"))


def entity(page: Any, base: str, out: Path) -> None:
    page.goto(base + "/e/cauda-equina-syndrome")
    page.wait_for_selector("body[data-entity=ready]", timeout=TIMEOUT_MS)
    point = page.locator("#graph").evaluate(
        """async box => {
            box.scrollIntoView({block: "start"});
            await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
            const at = box.cy.getElementById("clinkg:saddle-anesthesia").renderedPosition();
            const rect = box.getBoundingClientRect();
            return {x: rect.left + at.x, y: rect.top + at.y};
        }"""
    )
    page.mouse.click(point["x"], point["y"])
    page.locator("#selection .expand-status").wait_for(timeout=TIMEOUT_MS)
    page.wait_for_timeout(300)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(out / "entity.png"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        build(Path(tmp))
        browser = playwright.chromium.launch(
            executable_path=chromium, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            with in_thread(Settings(build_dir=Path(tmp))) as base:
                page = browser.new_page(viewport=VIEWPORT)
                differential(page, base, args.out)
                entity(page, base, args.out)
        finally:
            browser.close()
    print(f"wrote {args.out / 'differential.png'} and {args.out / 'entity.png'}")


if __name__ == "__main__":
    main()
