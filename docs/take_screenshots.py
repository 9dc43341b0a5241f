"""Screenshots of the running app for docs/screenshots/ (headless Debian Chromium via Playwright).

    pip install playwright==1.65.2      # the browser is Debian's /usr/bin/chromium, not a download
    python docs/take_screenshots.py http://127.0.0.1:8080 admin:/:home lz_admin:/centerview/list/:centers ...

Each shot is user:path:name; it signs in as the demo user (DEMO_PASSWORD) and saves docs/screenshots/<name>.png.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

OUT = Path(__file__).resolve().parent / "screenshots"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


def main(base: str, shots: list[str]) -> None:
    password = os.environ.get("DEMO_PASSWORD", "Demo#2026gy")
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        by_user: dict[str, list[tuple[str, str]]] = {}
        for shot in shots:
            user, path, name = shot.split(":", 2)
            by_user.setdefault(user, []).append((path, name))
        for user, pages in by_user.items():
            context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
            page = context.new_page()
            if user != "-":
                page.goto(f"{base}/login/")
                page.fill("input[name=username]", user)
                page.fill("input[name=password]", password)
                page.click("input[type=submit], button[type=submit]")
                page.wait_for_load_state("networkidle")
            for path, name in pages:
                page.goto(f"{base}{path}")
                page.wait_for_load_state("networkidle")
                page.screenshot(path=str(OUT / f"{name}.png"), full_page=True)
                print(f"{name}.png  ({user} {path})")
            context.close()
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
