"""A real server on loopback and a real headless Chromium driven by Playwright.

Chromium is Debian's (``/usr/bin/chromium`` or ``QALXAN_CHROMIUM``); nothing is downloaded.
Screenshots of every tested page go to ``test-artifacts/screenshots``.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from sqlalchemy import Engine

from qalxan.bootstrap import bootstrap
from qalxan.settings import Settings
from qalxan.store.engine import get_engine
from qalxan.web.app import create_app
from tests.conftest import ARTIFACTS, require

CHROMIUM = os.environ.get("QALXAN_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def server_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The test server's settings: a fresh data directory with the bundled doctrine."""
    # Lists are imported by the tests beside the server, not through it: the server sees a
    # list change when it next asks the database, every second here (30 s by default).
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("browser-data"), screening_refresh_seconds=1.0
    )
    bootstrap(settings)
    return settings


@pytest.fixture(scope="session")
def server_engine(server_settings: Settings) -> Engine:
    """The test server's database, for making the accounts a test signs in with."""
    return get_engine(server_settings.resolved_database_url)


@pytest.fixture(scope="session")
def base_url(server_settings: Settings) -> Iterator[str]:
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(server_settings), host="127.0.0.1", port=port, log_level="warning"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        if require("QALXAN_TEST_REQUIRE_BROWSER"):
            pytest.fail(f"Chromium is required but not found at {CHROMIUM}")
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield instance
        instance.close()


@pytest.fixture
def page(browser: object, base_url: str) -> Iterator[object]:
    from playwright.sync_api import Browser

    assert isinstance(browser, Browser)
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    yield tab
    context.close()


def shoot(page: object, name: str) -> Path:
    """Save a full-page screenshot of the page under test."""
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    target = ARTIFACTS / "screenshots" / f"{name}.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(target), full_page=True)
    return target
