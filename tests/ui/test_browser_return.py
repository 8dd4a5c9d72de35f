"""A real browser as the customer: a return in English (card, Confirm, RMA, label) and tracking in Chinese.

Playwright drives Debian's Chromium (never a downloaded browser) against the real server and the
carrier service, started as subprocesses on free ports with their own data directory. Screenshots
land in test-results/ for a person to look at.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest
from sqlmodel import Session, select

from mock_backends.orders.db import make_engine
from mock_backends.orders.models import ReturnRequest

if TYPE_CHECKING:
    from playwright.sync_api import Page

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

if not CHROMIUM.exists() and os.environ.get("CI") != "true":
    pytest.skip("no /usr/bin/chromium (apt-get install chromium); CI installs it", allow_module_level=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The web app and the carrier (as `make demo` runs them); yields the app's URL and data dir.

    Shared by this module's tests (starting takes a while): each signs in as a different customer.
    """
    tmp_path = tmp_path_factory.mktemp("browser")
    data_dir, port, carrier_port = tmp_path / "data", free_port(), free_port()
    env = {
        **os.environ,
        "RETURNDESK_DATA_DIR": str(data_dir),
        "RETURNDESK_HOST": "127.0.0.1",
        "RETURNDESK_PORT": str(port),
        "RETURNDESK_CARRIER_PORT": str(carrier_port),
        "GRADIO_TEMP_DIR": str(data_dir / "gradio-cache"),  # where Gradio would keep files it serves
        "RETURNDESK_CARRIER_TOKEN": secrets.token_urlsafe(16),
    }  # shared by carrier and app, as `demo` does
    for name in (
        "RETURNDESK_LLM_BASE_URL",
        "RETURNDESK_DATABASE_URL",
        "RETURNDESK_CHECKPOINT_URL",
        "RETURNDESK_API_KEY",
        "RETURNDESK_CARRIER_URL",
    ):
        env.pop(name, None)
    subprocess.run([sys.executable, "-m", "ui.cli", "seed"], env=env, check=True, capture_output=True)
    started: list[tuple[subprocess.Popen, Path]] = []
    try:
        for name, command in (
            ("carrier", ["carrier", "--port", str(carrier_port)]),
            ("server", ["serve", "--host", "127.0.0.1", "--port", str(port)]),
        ):
            log_path = tmp_path / f"{name}.log"
            with log_path.open("w") as log:  # the child keeps its own descriptor
                started.append(
                    (
                        subprocess.Popen(
                            [sys.executable, "-m", "ui.cli", *command], env=env, stdout=log, stderr=subprocess.STDOUT
                        ),
                        log_path,
                    )
                )
        for (proc, log_path), base in zip(
            started, (f"http://127.0.0.1:{carrier_port}", f"http://127.0.0.1:{port}"), strict=True
        ):
            wait_healthy(proc, base, log_path)
        yield f"http://127.0.0.1:{port}", data_dir
    finally:
        for proc, _ in started:
            proc.terminate()
            proc.wait(timeout=30)


def wait_healthy(proc: subprocess.Popen, url: str, log_path: Path) -> None:
    for _ in range(240):  # up to two minutes for the first start (imports)
        if proc.poll() is not None:
            pytest.fail(f"{url} exited: {log_path.read_text()[-2000:]}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        proc_wait(proc, 0.5)
    pytest.fail(f"{url} did not answer /healthz")


def proc_wait(proc: subprocess.Popen, seconds: float) -> None:
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=seconds)


@pytest.fixture(scope="module")
def output_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """test-results/ of the checkout (kept for CI artefacts), else the test's tmp dir."""
    target = Path(os.environ.get("RETURNDESK_TEST_RESULTS", "test-results"))
    try:
        target.mkdir(parents=True, exist_ok=True)
        return target
    except OSError:
        return tmp_path_factory.mktemp("test-results")


def sign_in(page: Page, email: str, order_id: str) -> None:
    page.locator("#email input, #email textarea").first.fill(email)
    page.locator("#order-number input, #order-number textarea").first.fill(order_id)
    page.locator("#sign-in-button").click()


def send(page: Page, text: str) -> None:
    page.locator("#message textarea, #message input").first.fill(text)
    page.locator("#send-button").click()


def test_customer_signs_in_confirms_the_card_and_sees_the_rma(server: tuple[str, Path], output_dir: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    url, data_dir = server
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1100})
        cached_files: list[str] = []  # what the page downloaded from Gradio's file cache
        page.on("response", lambda r: cached_files.append(r.url) if "/gradio_api/file=" in r.url else None)
        try:
            page.goto(url)
            expect(page.locator("#mode-badge")).to_contain_text("Guided mode", timeout=60_000)
            sign_in(page, "alice@example.com", "#W1000012")  # not her order: refused, politely
            expect(page.locator("#sign-in-error")).to_contain_text("⚠️", timeout=30_000)
            expect(page.locator("#sign-in-error")).not_to_contain_text("Traceback")
            sign_in(page, "alice@example.com", "#W1000001")
            expect(page.locator("#chatbot")).to_contain_text("Hi Alice Chen", timeout=30_000)

            send(page, "I want to return the headphones from order #W1000001")
            card = page.locator("#confirm-card").first  # Gradio renders a group as two nested divs
            expect(card).to_be_visible(timeout=30_000)
            expect(card).to_contain_text("Wireless Headphones")
            expect(card).to_contain_text("89.99")
            expect(page.locator("#side-panel")).to_contain_text("Order #W1000001")

            page.locator("#confirm-button").click()
            expect(page.locator("#chatbot")).to_contain_text("RMA-", timeout=30_000)
            expect(card).to_be_hidden()
            panel = page.locator("#side-panel")
            expect(panel).to_contain_text("Return created", timeout=30_000)  # the side panel follows the reply
            expect(panel).to_contain_text("$89.99 to your original payment method")
            label = page.locator("#return-label img")
            expect(label).to_be_visible(timeout=30_000)
            page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=label.element_handle())
            assert label.evaluate("img => img.naturalWidth") == 1200  # the carrier's 6 x 4 inch label
            assert label.get_attribute("src").startswith("data:image/png;base64,")
            print_link = page.locator("#return-label a").get_attribute("href")
            page.screenshot(path=str(output_dir / "browser_return.png"), full_page=True)
            shown = re.search(r"RMA-[0-9A-F]{8}", page.locator("#chatbot").inner_text())
            assert shown is not None and shown.group(0) in panel.inner_text()
        finally:
            browser.close()

    assert shown is not None
    # The label (name and address) never went through Gradio's file cache, which serves its files to
    # anyone with the path, no session needed; the print link is the signed label route.
    assert cached_files == []
    assert [p.name for p in (data_dir / "gradio-cache").rglob("*") if p.suffix in (".png", ".webp")] == []
    assert print_link.startswith(f"{url}/labels/") and httpx.get(print_link, timeout=30).status_code == 200
    engine = make_engine(f"sqlite:///{(data_dir / 'returndesk.db').as_posix()}")
    with Session(engine) as db:
        returns = db.exec(select(ReturnRequest)).all()
    engine.dispose()
    assert [(r.rma, r.order_id, r.refund_amount_cents) for r in returns] == [(shown.group(0), "#W1000001", 8999)]


def test_chinese_customer_tracks_the_parcel_and_sees_the_timeline(server: tuple[str, Path], output_dir: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    url, _ = server
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1100}, locale="zh-CN")
        try:
            page.goto(url)
            expect(page.locator("#mode-badge")).to_contain_text("Guided mode", timeout=60_000)
            sign_in(page, "wang.fang@example.cn", "#W1000012")
            expect(page.locator("#chatbot")).to_contain_text("Hi ", timeout=30_000)

            send(page, "我的快递到哪了")  # a Chinese message: the whole page answers in Chinese
            expect(page.locator("#mode-badge")).to_contain_text("引导模式", timeout=30_000)
            expect(page.locator("#send-button")).to_have_text("发送")
            expect(page.locator("#language-switch input[value='中文']")).to_be_checked()
            order = page.locator("#chatbot .options button", has_text="#W1000012")
            expect(order).to_be_visible(timeout=30_000)
            order.click()

            panel = page.locator("#side-panel")
            expect(panel).to_contain_text("包裹", timeout=30_000)
            expect(panel).to_contain_text("物流信息")  # the timeline's column: what happened
            expect(panel).to_contain_text("ReturnDesk 快递已揽收")  # a scan, in Chinese, from the carrier
            expect(page.locator("#chatbot")).to_contain_text("包裹物流")  # what I checked, in Chinese
            # "#W1000012" has no words: the reply stays in the customer's language, and so do the buttons.
            expect(page.locator("#chatbot")).to_contain_text("包裹 RD")
            expect(page.locator("#chatbot .options")).to_contain_text("查物流")
            page.screenshot(path=str(output_dir / "browser_tracking_zh.png"), full_page=True)
            timeline = panel.inner_text()
        finally:
            browser.close()

    # "2026年11月25日 14:47": Beijing time, as Chinese writes dates (Babel)
    times = [tuple(map(int, t)) for t in re.findall(r"(\d{4})年(\d{1,2})月(\d{1,2})日 (\d{2}):(\d{2})", timeline)]
    assert len(times) >= 2 and times == sorted(times, reverse=True), "newest scan first, each with its time"
    assert "Picked up" not in timeline and "Traceback" not in timeline


def test_the_chinese_switch_translates_the_page_and_its_errors(server: tuple[str, Path], output_dir: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    url, _ = server
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        try:
            page.goto(url)
            expect(page.locator("#mode-badge")).to_contain_text("Guided mode", timeout=60_000)
            page.locator("#language-switch label", has_text="中文").click()
            expect(page.locator("#mode-badge")).to_contain_text("引导模式")
            expect(page.locator("#sign-in-button")).to_have_text("登录")
            expect(page.locator("#sign-in")).to_contain_text("邮箱 + 订单号")
            sign_in(page, "wang.fang@example.cn", "#W1000001")  # Alice's order, not hers
            expect(page.locator("#sign-in-error")).to_contain_text("登录失败", timeout=30_000)
            page.screenshot(path=str(output_dir / "browser_sign_in_zh.png"), full_page=True)

            sign_in(page, "wang.fang@example.cn", "#W1000012")
            expect(page.locator("#chatbot")).to_contain_text("您好", timeout=30_000)
            expect(page.locator("#chatbot .options")).to_contain_text("查询物流")
        finally:
            browser.close()
