"""Agent-assist mode in two real browsers (the server started with RETURNDESK_ASSIST_MODE=assist): a
customer asks three questions; in the console Bob approves the first draft, edits the second and
rejects the third. The customer reads the approved and the edited answers and nothing of the rejected
one (their conversation goes to the hand-off queue instead). Then a Chinese customer's draft, for the
drafts view's screenshots (1280 px and 375 px wide, EN and ZH) in RETURNDESK_SCREENSHOTS (else tmp).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from mock_backends.orders.db import make_engine
from service.staff import add_staff_member
from tests.staff.conftest import PASSWORD
from tests.staff.test_browser_takeover import staff_signs_in
from tests.ui.test_browser_return import CHROMIUM, CHROMIUM_ARGS, send, server, sign_in  # noqa: F401 (fixture)

WAIT = 30_000  # ms: the console and the customer's page look every RETURNDESK_STAFF_POLL_S (2 s)
CHECKING = "A colleague is checking the answer"
EDITED = "Thirty days from delivery, and the return label is free. (checked by Bob)"


@pytest.fixture(scope="module")
def assist_env() -> Iterator[None]:
    """Before `server`: the server process reads its settings from the environment it starts with."""
    before = os.environ.get("RETURNDESK_ASSIST_MODE")
    os.environ["RETURNDESK_ASSIST_MODE"] = "assist"
    yield
    if before is None:
        os.environ.pop("RETURNDESK_ASSIST_MODE", None)
    else:
        os.environ["RETURNDESK_ASSIST_MODE"] = before


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = Path(os.environ.get("RETURNDESK_SCREENSHOTS") or tmp_path_factory.mktemp("assist-shots"))
    target.mkdir(parents=True, exist_ok=True)
    return target


@pytest.fixture(scope="module")
def console(assist_env: None, server: tuple[str, Path]) -> str:  # noqa: F811
    url, data_dir = server
    engine = make_engine(f"sqlite:///{(data_dir / 'returndesk.db').as_posix()}")
    add_staff_member(engine, "bob@shop.example", "Bob Li", "agent", PASSWORD)
    add_staff_member(engine, "lee@shop.example", "Lee Park", "lead", PASSWORD)
    engine.dispose()
    return url


def test_one_draft_approved_one_edited_one_rejected_the_customer_sees_only_what_was_let_through(
    console: str, shots: Path
) -> None:
    from playwright.sync_api import expect, sync_playwright

    url = console
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            customer = browser.new_context(viewport={"width": 1280, "height": 1000}).new_page()
            staff = browser.new_context(viewport={"width": 1280, "height": 1000}).new_page()
            customer.goto(url)
            sign_in(customer, "alice@example.com", "#W1000001")
            chat = customer.locator("#chatbot")
            expect(chat).to_contain_text("Hi Alice Chen", timeout=60_000)
            staff_signs_in(staff, url)

            # 1: approved as it is
            send(customer, "Where is my order #W1000001?")
            expect(chat).to_contain_text(CHECKING, timeout=WAIT)
            staff.get_by_role("link", name="Drafts").click()
            draft = staff.locator(".draft").first
            expect(draft).to_contain_text("Where is my order #W1000001?", timeout=WAIT)
            first_text = draft.locator(".answer .text").inner_text().strip()
            assert first_text and first_text.splitlines()[0] not in chat.inner_text()
            staff.screenshot(path=str(shots / "console-drafts-en-1280.png"), full_page=True)
            phone = browser.new_context(viewport={"width": 375, "height": 800})
            phone.add_cookies(staff.context.cookies())
            small = phone.new_page()
            small.goto(f"{url}/staff/drafts")
            expect(small.locator(".draft").first).to_be_visible()
            small.screenshot(path=str(shots / "console-drafts-en-375.png"), full_page=True)
            overflow = small.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, "the drafts view scrolls sideways on a phone"
            draft.get_by_role("button", name="Approve").click()
            expect(chat).to_contain_text(first_text.splitlines()[0][:40], timeout=WAIT)
            expect(staff.locator("#drafts-waiting")).to_contain_text("0", timeout=WAIT)

            # 2: edited
            send(customer, "What is your returns policy?")
            draft = staff.locator(".draft").first
            expect(draft).to_contain_text("What is your returns policy?", timeout=WAIT)
            policy_text = draft.locator(".answer .text").inner_text().strip()
            draft.locator("textarea.edit-text").fill(EDITED)
            draft.get_by_role("button", name="Edit and send").click()
            expect(chat).to_contain_text(EDITED, timeout=WAIT)

            # 3: rejected, no reply of Bob's own: the conversation joins the hand-off queue
            send(customer, "What is your returns policy?")
            draft = staff.locator(".draft").first
            expect(draft).to_contain_text("What is your returns policy?", timeout=WAIT)
            draft.get_by_role("button", name="Reject").click()
            expect(chat).to_contain_text("number 1 in the queue", timeout=WAIT)
            customer.wait_for_timeout(2_500)  # a poll or more: nothing else arrives
            shown = chat.inner_text()
            assert policy_text.splitlines()[0][:40] not in shown  # neither the edited one's nor the rejected one's
            assert shown.count(EDITED) == 1
            customer.screenshot(path=str(shots / "customer-assist-en-1280.png"), full_page=True)
            expect(staff.locator("table.decided")).to_contain_text("rejected")

            lead = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
            staff_signs_in(lead, url, "lee@shop.example")
            lead.goto(f"{url}/staff/dashboard")
            tiles = lead.locator("#draft-tiles")
            expect(tiles).to_contain_text("1 · 1 · 1")
            expect(tiles).to_contain_text("50 %")
        finally:
            browser.close()


def test_the_drafts_view_with_a_chinese_customer_at_desktop_and_phone_widths(console: str, shots: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    url = console
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            customer = browser.new_context(viewport={"width": 375, "height": 800}, locale="zh-CN").new_page()
            customer.goto(url)
            sign_in(customer, "wang.fang@example.cn", "#W1000011")
            chat = customer.locator("#chatbot")
            expect(chat).to_contain_text("Hi ", timeout=60_000)
            send(customer, "我的订单 #W1000011 到哪里了?")
            expect(chat).to_contain_text("同事正在核对回答", timeout=WAIT)

            staff = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
            staff_signs_in(staff, url)
            staff.goto(f"{url}/staff/drafts")
            draft = staff.locator(".draft").first
            expect(draft).to_contain_text("我的订单", timeout=WAIT)
            staff.screenshot(path=str(shots / "console-drafts-zh-1280.png"), full_page=True)
            phone = browser.new_context(viewport={"width": 375, "height": 800})
            phone.add_cookies(staff.context.cookies())
            small = phone.new_page()
            small.goto(f"{url}/staff/drafts")
            expect(small.locator(".draft").first).to_contain_text("我的订单")
            small.screenshot(path=str(shots / "console-drafts-zh-375.png"), full_page=True)
            overflow = small.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, "the drafts view scrolls sideways on a phone"
            text = draft.locator(".answer .text").inner_text().strip()
            draft.get_by_role("button", name="Approve").click()
            expect(staff.locator("#drafts-waiting")).to_contain_text("0", timeout=WAIT)
            expect(chat).to_contain_text(text.splitlines()[0][:20], timeout=WAIT)
            customer.screenshot(path=str(shots / "customer-assist-zh-375.png"), full_page=True)
        finally:
            browser.close()
