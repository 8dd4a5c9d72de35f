"""Two real browsers, a customer and a staff member: the customer asks for a person, Bob claims the
ticket in the console and replies, the customer reads it under his name, Bob hands back, and the
assistant answers the next message. Then a Chinese customer's ticket, for the console's screenshots
(1280 px and 375 px wide) in RETURNDESK_SCREENSHOTS (else the test's tmp dir).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mock_backends.orders.db import make_engine
from service.staff import add_staff_member
from tests.staff.conftest import PASSWORD
from tests.ui.test_browser_return import CHROMIUM, CHROMIUM_ARGS, send, server, sign_in  # noqa: F401 (fixture)

WAIT = 30_000  # ms: the customer's page looks for a person's replies every RETURNDESK_STAFF_POLL_S (2 s)


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = Path(os.environ.get("RETURNDESK_SCREENSHOTS") or tmp_path_factory.mktemp("staff-shots"))
    target.mkdir(parents=True, exist_ok=True)
    return target


@pytest.fixture(scope="module")
def console(server: tuple[str, Path]) -> str:  # noqa: F811
    url, data_dir = server
    engine = make_engine(f"sqlite:///{(data_dir / 'returndesk.db').as_posix()}")
    add_staff_member(engine, "bob@shop.example", "Bob Li", "agent", PASSWORD)
    add_staff_member(engine, "lee@shop.example", "Lee Park", "lead", PASSWORD)
    engine.dispose()
    return url


def staff_signs_in(page, url: str, email: str = "bob@shop.example") -> None:
    page.goto(f"{url}/staff")
    page.wait_for_url("**/staff/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("#password").press("Enter")  # the keyboard is enough
    page.wait_for_url(f"{url}/staff")


def test_a_person_takes_over_the_chat_and_hands_back(console: str, shots: Path) -> None:
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
            customer.locator("#handoff-button").click()
            expect(chat).to_contain_text("HD-000001", timeout=WAIT)
            expect(chat).to_contain_text("number 1 in the queue")

            staff_signs_in(staff, url)
            expect(staff.locator("#q-open")).to_contain_text("1")
            staff.get_by_role("link", name="HD-000001").click()
            expect(staff.locator("#ticket-title")).to_contain_text("Waiting")
            expect(staff.locator(".messages")).to_contain_text("talk to a person")
            staff.locator("#claim").click()
            expect(staff.locator("#ticket-title")).to_contain_text("Claimed", timeout=WAIT)
            expect(chat).to_contain_text("Bob Li has joined the conversation.", timeout=WAIT)
            expect(customer.locator("#mode-badge")).to_contain_text("You are chatting with Bob Li", timeout=WAIT)

            staff.locator("#reply-text").fill("Hi Alice, this is Bob. What's wrong with the headphones?")
            staff.locator("#reply-text").press("Control+Enter")
            expect(chat).to_contain_text("Bob Li: Hi Alice, this is Bob.", timeout=WAIT)
            send(customer, "They crackle in the left ear.")
            expect(staff.locator(".messages")).to_contain_text("They crackle in the left ear.", timeout=WAIT)
            customer.wait_for_timeout(2_500)  # a poll or more: the assistant kept quiet, nothing came after it
            assert chat.inner_text().rstrip().endswith("They crackle in the left ear.")
            customer.screenshot(path=str(shots / "customer-with-staff-1280.png"), full_page=True)
            staff.screenshot(path=str(shots / "console-ticket-en-1280.png"), full_page=True)

            staff.locator("#hand-back").click()
            expect(staff.locator("#ticket-title")).to_contain_text("Handed back", timeout=WAIT)
            expect(chat).to_contain_text("handed you back to the assistant", timeout=WAIT)
            send(customer, "I want to return the headphones from order #W1000001")
            expect(customer.locator("#confirm-card").first).to_be_visible(timeout=WAIT)
            expect(customer.locator("#confirm-card").first).to_contain_text("Wireless Headphones")
        finally:
            browser.close()


def test_the_console_with_a_chinese_customer_at_desktop_and_phone_widths(console: str, shots: Path) -> None:
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
            send(customer, "我的耳机坏了,请帮我转人工客服。")
            expect(chat).to_contain_text("排在第", timeout=WAIT)

            staff = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
            staff_signs_in(staff, url)
            expect(staff.locator("#q-open")).to_contain_text("1")
            staff.screenshot(path=str(shots / "console-queue-1280.png"), full_page=True)
            staff.get_by_role("link", name="HD-000002").click()
            staff.locator("#claim").click()
            expect(staff.locator("#ticket-title")).to_contain_text("Claimed", timeout=WAIT)
            staff.locator("#reply-text").fill("王女士您好,我是 Bob。请问耳机是哪里坏了?")
            staff.locator("#send-reply").click()
            expect(chat).to_contain_text("请问耳机是哪里坏了", timeout=WAIT)
            send(customer, "左耳没有声音。")
            expect(staff.locator(".messages")).to_contain_text("左耳没有声音。", timeout=WAIT)
            staff.screenshot(path=str(shots / "console-ticket-zh-1280.png"), full_page=True)
            customer.screenshot(path=str(shots / "customer-zh-375.png"), full_page=True)

            phone = browser.new_context(viewport={"width": 375, "height": 800})
            phone.add_cookies(staff.context.cookies())
            small = phone.new_page()
            small.goto(staff.url)
            expect(small.locator(".messages")).to_contain_text("左耳没有声音。")
            small.screenshot(path=str(shots / "console-ticket-zh-375.png"), full_page=True)
            small.goto(f"{url}/staff")
            small.screenshot(path=str(shots / "console-queue-375.png"), full_page=True)
            overflow = small.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, "the console scrolls sideways on a phone"
        finally:
            browser.close()


def test_the_leads_dashboard_and_the_feedback_queue_at_desktop_and_phone_widths(console: str, shots: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    url = console  # after the tests above: two hand-offs, one reply each
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            lead = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
            staff_signs_in(lead, url, "lee@shop.example")
            lead.get_by_role("link", name="Dashboard").click()
            expect(lead.locator("h1")).to_contain_text("Desk dashboard")
            expect(lead.locator(".tiles")).to_contain_text("Hand-off rate")
            lead.screenshot(path=str(shots / "console-dashboard-1280.png"), full_page=True)
            lead.get_by_role("link", name="Feedback").click()
            expect(lead.locator("h1")).to_contain_text("Thumbs-down")
            phone = browser.new_context(viewport={"width": 375, "height": 800})
            phone.add_cookies(lead.context.cookies())
            small = phone.new_page()
            small.goto(f"{url}/staff/dashboard")
            small.screenshot(path=str(shots / "console-dashboard-375.png"), full_page=True)
            overflow = small.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, "the dashboard scrolls sideways on a phone"
        finally:
            browser.close()
