"""The browser tests' set-up: the app served for real to Debian's Chromium, driven by Playwright.

- ``served`` (per module): an installation of its own (``instance_of_its_own``: its own database with the
  demo loaded, its own file store, committing for real) served by a werkzeug server in a thread on a free
  127.0.0.1 port; ``served.url``, ``served.app`` and ``served.run_jobs()`` (carries out the outbox rows the
  pages wrote, as the worker would: notices, SMS records, bookings). Stopped after the module.
- ``browser`` (per module): headless ``/usr/bin/chromium`` (``executable_path``, no browser download).
  Without Chromium or a Chinese font the tests skip with the reason (``make test`` installs them as root);
  with ``CI=true`` they fail instead.
- ``sign_in("lz_window")``: a ``Page`` of its own browser context, signed in through the login form as a demo
  user; ``page``: one signed in as ``@pytest.mark.signed_in_as("cx_window")`` (lz_window without the mark).
  Each action waits at most ``ACTION_TIMEOUT_MS``; contexts are closed after the test.
- every test here is marked ``browser`` (``-m "not browser"`` leaves them out).
- ``shoot(page, "name")``: a full-page screenshot into ``screenshots`` (``BROWSER_SCREENSHOTS`` or a
  temporary directory, printed at the end of the run).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from tests.conftest import DEMO_PASSWORD, IN_CI, instance_of_its_own
from tests.fakes import free_port

CHROMIUM = "/usr/bin/chromium"
#: the same switches as docs/take_screenshots.py: no sandbox (containers, root), nothing fetched from outside
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
#: any click, fill or wait gives up after this: a page that does not answer fails the test, never hangs it
ACTION_TIMEOUT_MS = 15_000
VIEWPORT = {"width": 1366, "height": 900}


def _missing_system_packages() -> str | None:
    """Why the browser tests cannot run here, or None: Playwright, Debian's Chromium, a Chinese font."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (make test installs requirements.txt)"
    if not os.access(CHROMIUM, os.X_OK):
        return f"{CHROMIUM} is missing: install Debian's chromium (make test does it as root)"
    fc_list = shutil.which("fc-list")
    if fc_list:
        families = subprocess.run([fc_list, ":lang=zh", "family"], capture_output=True, text=True, timeout=30).stdout
        if not families.strip():
            return "no Chinese font: install Debian's fonts-noto-cjk (make test does it as root)"
    return None


def _skip_or_fail(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"CI=true runs the browser tests: {reason}")
    pytest.skip(reason)


class Served:
    """The app of the browser tests and where it answers."""

    def __init__(self, app: Any, url: str) -> None:
        self.app, self.url = app, url

    def run_jobs(self) -> list[int]:
        """Carries out the unfinished outbox rows as the worker does; returns the rows done."""
        from app.extensions import db
        from tests.factories import run_outbox

        with self.app.app_context():
            try:
                return run_outbox(db.session).done
            finally:
                db.session.remove()


@pytest.fixture(scope="module")
def served(app, tmp_path_factory) -> Iterator[Served]:
    from werkzeug.serving import make_server

    reason = _missing_system_packages()
    if reason:
        _skip_or_fail(reason)
    folder = tmp_path_factory.mktemp("browser")
    with instance_of_its_own(app, folder, "browser") as own:
        port = free_port()
        server = make_server("127.0.0.1", port, own, threaded=True)
        thread = threading.Thread(target=server.serve_forever, name="browser-tests-web", daemon=True)
        thread.start()
        try:
            yield Served(own, f"http://127.0.0.1:{port}")
        finally:
            server.shutdown()
            server.server_close()
            thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser(served) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=60_000)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture()
def sign_in(served, browser) -> Iterator[Callable[[str], Any]]:
    """``sign_in("cx_window")`` → a Page signed in as that demo user, in a browser context of its own."""
    contexts: list[Any] = []

    def _sign_in(username: str, password: str = DEMO_PASSWORD) -> Any:
        context = browser.new_context(base_url=served.url, viewport=VIEWPORT, locale="zh-CN",
                                      timezone_id="Asia/Shanghai")
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.goto("/login/")
        page.locator("input[name=username]").fill(username)
        page.locator("input[name=password]").fill(password)
        page.locator("input[type=submit], button[type=submit]").first.click()
        page.wait_for_url(lambda url: "/login" not in url)  # a refused sign-in stays there: a timeout
        page.wait_for_load_state()
        return page

    yield _sign_in
    for context in contexts:
        context.close()


@pytest.fixture()
def page(sign_in, request) -> Any:
    """A page signed in as the user of ``@pytest.mark.signed_in_as(...)``, else as lz_window."""
    marker = request.node.get_closest_marker("signed_in_as")
    return sign_in(marker.args[0] if marker else "lz_window")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "needs_slices(*paths): needs public API routes that another slice of issue 13 adds (e.g. "
        "'/api/v1/public/progress'); skipped, saying so, while the served app has no route under such a path")


@pytest.fixture(autouse=True)
def _needs_slices(request: pytest.FixtureRequest) -> None:
    """A test marked ``needs_slices("/api/v1/public/progress", …)`` is skipped while the app answers those
    paths 404 for want of a route (the slice is not merged yet); once the routes exist it runs, in CI too."""
    marker = request.node.get_closest_marker("needs_slices")
    if marker is None:
        return
    app = request.getfixturevalue("served").app
    rules = [rule.rule for rule in app.url_map.iter_rules()]
    missing = [path for path in marker.args if not any(r == path or r.startswith(path + "/") for r in rules)]
    if missing:
        pytest.skip(f"needs the routes {', '.join(missing)} of another slice of issue 13 (they answer 404 here)")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory) -> Path:
    folder = os.environ.get("BROWSER_SCREENSHOTS")
    if folder:
        path = Path(folder)
        path.mkdir(parents=True, exist_ok=True)
        return path
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture()
def shoot(screenshots) -> Callable[[Any, str], Path]:
    """``shoot(page, "03-accept")``: the whole page as a PNG in ``screenshots``."""

    def _shoot(page: Any, name: str) -> Path:
        path = screenshots / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return _shoot
