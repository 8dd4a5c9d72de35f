"""A reload (F5) or a server restart keeps the customer's conversation: history and the waiting card.

The page holds its session in an HttpOnly cookie (`ui.page_session`); a real Chromium reloads it,
the server is stopped and started again on the same port, and the customer confirms the card the
first server showed. Sign-out drops the cookie: the next load is the sign-in form.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.ui.test_browser_return import CHROMIUM, CHROMIUM_ARGS, free_port, send, sign_in, wait_healthy

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page


class Servers:
    """The carrier and the web app as `make demo` runs them; the web app can be restarted."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path, data_dir = tmp_path, tmp_path / "data"
        self.port, carrier_port = free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "RETURNDESK_DATA_DIR": str(data_dir),
            "RETURNDESK_HOST": "127.0.0.1",
            "RETURNDESK_PORT": str(self.port),
            "RETURNDESK_CARRIER_PORT": str(carrier_port),
            "GRADIO_TEMP_DIR": str(data_dir / "gradio-cache"),
            "RETURNDESK_CARRIER_TOKEN": secrets.token_urlsafe(16),
        }
        for name in (
            "RETURNDESK_LLM_BASE_URL",
            "RETURNDESK_DATABASE_URL",
            "RETURNDESK_CHECKPOINT_URL",
            "RETURNDESK_API_KEY",
            "RETURNDESK_CARRIER_URL",
            "RETURNDESK_PUBLIC_URL",
        ):
            self.env.pop(name, None)
        subprocess.run([sys.executable, "-m", "ui.cli", "seed"], env=self.env, check=True, capture_output=True)
        self.carrier = self._start(
            "carrier", ["carrier", "--port", str(carrier_port)], f"http://127.0.0.1:{carrier_port}"
        )
        self.server = self._start("server", ["serve", "--host", "127.0.0.1", "--port", str(self.port)], self.url)

    def _start(self, name: str, command: list[str], url: str) -> subprocess.Popen:
        log_path = self.tmp_path / f"{name}.log"
        with log_path.open("a") as log:
            proc = subprocess.Popen(
                [sys.executable, "-m", "ui.cli", *command], env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        wait_healthy(proc, url, log_path)
        return proc

    def restart_server(self) -> None:
        stop(self.server)
        self.server = self._start("server", ["serve", "--host", "127.0.0.1", "--port", str(self.port)], self.url)

    def stop(self) -> None:
        for proc in (self.server, self.carrier):
            stop(proc)


def stop(proc: subprocess.Popen) -> None:
    """SIGTERM; SIGKILL after 10 s (uvicorn waits for the page's open event stream to close)."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[Servers]:
    started = Servers(tmp_path)
    try:
        yield started
    finally:
        started.stop()


@contextmanager
def alice_signed_in(servers: Servers) -> Iterator[tuple[BrowserContext, Page]]:
    """A desktop Chromium tab on the web app, Alice signed in (her greeting shown)."""
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 1000})
        page = context.new_page()
        try:
            page.goto(servers.url)
            expect(page.locator("#mode-badge")).to_contain_text("Guided mode", timeout=60_000)
            sign_in(page, "alice@example.com", "#W1000001")
            expect(page.locator("#chatbot")).to_contain_text("Hi Alice Chen", timeout=30_000)
            yield context, page
        finally:
            browser.close()


def test_reload_and_restart_keep_the_conversation_and_the_card(servers: Servers) -> None:
    from playwright.sync_api import expect

    with alice_signed_in(servers) as (context, page):
        send(page, "I want to return the headphones from order #W1000001")
        card = page.locator("#confirm-card").first
        expect(card).to_be_visible(timeout=30_000)

        cookie = next(c for c in context.cookies() if c["name"] == "returndesk_session")
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and not cookie["secure"]  # http here
        assert page.evaluate("document.cookie").find("returndesk_session") == -1  # no script reads it

        page.reload()
        expect(page.locator("#chatbot")).to_contain_text("return the headphones", timeout=30_000)
        expect(card).to_be_visible(timeout=30_000)
        expect(card).to_contain_text("Wireless Headphones")
        expect(page.locator("#sign-in")).to_be_hidden()

        servers.restart_server()
        page.reload()
        expect(card).to_be_visible(timeout=60_000)
        expect(page.locator("#chatbot")).to_contain_text("return the headphones")
        page.locator("#confirm-button").click()  # the card the first server showed, confirmed on the second
        expect(page.locator("#chatbot")).to_contain_text("RMA-", timeout=30_000)

        page.locator("#sign-out-button").click()
        expect(page.locator("#sign-in")).to_be_visible(timeout=30_000)
        page.wait_for_timeout(500)  # the DELETE the click sent
        assert [c for c in context.cookies() if c["name"] == "returndesk_session"] == []
        page.reload()
        expect(page.locator("#mode-badge")).to_contain_text("Guided mode", timeout=60_000)
        expect(page.locator("#sign-in")).to_be_visible()
        expect(page.locator("#chatbot")).to_be_hidden()


def test_a_session_ended_elsewhere_brings_the_page_back_to_the_sign_in_form(servers: Servers) -> None:
    """Signed out through the API (another tab, a program): the page's next message shows the sign-in
    form with the reason, not a chat that no longer answers."""
    import httpx
    from playwright.sync_api import expect

    with alice_signed_in(servers) as (context, page):
        session = next(c for c in context.cookies() if c["name"] == "returndesk_session")["value"]
        assert httpx.delete(f"{servers.url}/v1/sessions/{session}").status_code == 204

        send(page, "Where is my order #W1000001?")
        expect(page.locator("#sign-in")).to_be_visible(timeout=30_000)
        expect(page.locator("#sign-in-error")).to_contain_text("signed out", timeout=30_000)
        expect(page.locator("#chatbot")).to_be_hidden()
