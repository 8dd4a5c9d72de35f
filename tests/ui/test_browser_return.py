"""A real browser completes a return: sign in, ask, click Confirm on the card, see the RMA.

Playwright drives Debian's Chromium (never a downloaded browser) against the real server, started
as a subprocess on a free port with its own data directory.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session, select

from mock_backends.orders.db import make_engine
from mock_backends.orders.models import ReturnRequest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]

if not CHROMIUM.exists() and os.environ.get("CI") != "true":
    pytest.skip("no /usr/bin/chromium (apt-get install chromium); CI installs it", allow_module_level=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    data_dir, port = tmp_path / "data", free_port()
    env = {**os.environ, "RETURNDESK_DATA_DIR": str(data_dir), "RETURNDESK_HOST": "127.0.0.1",
           "RETURNDESK_PORT": str(port)}
    for name in ("RETURNDESK_LLM_BASE_URL", "RETURNDESK_DATABASE_URL", "RETURNDESK_CHECKPOINT_URL",
                 "RETURNDESK_API_KEY"):
        env.pop(name, None)
    subprocess.run([sys.executable, "-m", "ui.cli", "seed"], env=env, check=True, capture_output=True)
    log = (tmp_path / "server.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "ui.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
                            env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):  # up to two minutes for the first start (imports)
            if proc.poll() is not None:
                pytest.fail(f"server exited: {(tmp_path / 'server.log').read_text()[-2000:]}")
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            proc_wait(proc, 0.5)
        else:
            pytest.fail("server did not answer /healthz")
        yield url, data_dir
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def proc_wait(proc: subprocess.Popen, seconds: float) -> None:
    try:
        proc.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        pass


@pytest.fixture
def output_dir(tmp_path: Path) -> Path:
    """test-results/ of the checkout (kept for CI artefacts), else the test's tmp dir."""
    target = Path(os.environ.get("RETURNDESK_TEST_RESULTS", "test-results"))
    try:
        target.mkdir(parents=True, exist_ok=True)
        return target
    except OSError:
        return tmp_path


def test_customer_signs_in_confirms_the_card_and_sees_the_rma(server: tuple[str, Path], output_dir: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    url, data_dir = server
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1100})
        try:
            page.goto(url)
            expect(page.locator("#mode-badge")).to_contain_text("Guided mode", timeout=60_000)
            page.locator("#email input, #email textarea").first.fill("alice@example.com")
            page.locator("#order-number input, #order-number textarea").first.fill("#W1000001")
            page.locator("#sign-in-button").click()
            expect(page.locator("#chatbot")).to_contain_text("Hi Alice Chen", timeout=30_000)

            page.locator("#message textarea, #message input").first.fill(
                "I want to return the headphones from order #W1000001")
            page.locator("#send-button").click()
            card = page.locator("#confirm-card").first  # Gradio renders a group as two nested divs
            expect(card).to_be_visible(timeout=30_000)
            expect(card).to_contain_text("Wireless Headphones")
            expect(card).to_contain_text("89.99")
            expect(page.locator("#side-panel")).to_contain_text("Order #W1000001")

            page.locator("#confirm-button").click()
            expect(page.locator("#chatbot")).to_contain_text("RMA-", timeout=30_000)
            expect(card).to_be_hidden()
            page.screenshot(path=str(output_dir / "browser_return.png"), full_page=True)
            shown = re.search(r"RMA-[0-9A-F]{8}", page.locator("#chatbot").inner_text())
        finally:
            browser.close()

    assert shown is not None
    engine = make_engine(f"sqlite:///{(data_dir / 'returndesk.db').as_posix()}")
    with Session(engine) as db:
        returns = db.exec(select(ReturnRequest)).all()
    engine.dispose()
    assert [(r.rma, r.order_id, r.refund_amount_cents) for r in returns] == [(shown.group(0), "#W1000001", 8999)]
