"""The chat reads cleanly at desktop (1280 px) and phone (375 px) widths, in English and Chinese.

One collapsed "What I checked" entry per turn, with no copy or rating buttons; no step shown for a
call still waiting on the card; the card's words only in the card; no quick reply repeating a
button below; no sideways scrolling. Screenshots land in test-results/ for a person to look at.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ui.test_browser_return import CHROMIUM, CHROMIUM_ARGS, output_dir, send, server, sign_in  # noqa: F401

CASES = [("en", 1280), ("en", 375), ("zh", 1280), ("zh", 375)]


@pytest.mark.parametrize(("language", "width"), CASES)
def test_one_checked_entry_per_turn_and_the_card_said_once(
    server: tuple[str, Path],
    output_dir: Path,
    language: str,
    width: int,
) -> None:
    from playwright.sync_api import expect, sync_playwright

    url, _ = server
    email, order, text = (
        ("alice@example.com", "#W1000001", "I want to return the USB-C cable from order #W1000001")
        if language == "en"
        else ("wang.fang@example.cn", "#W1000012", "我的快递到哪了")
    )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": width, "height": 1000})
        try:
            page.goto(url)
            expect(page.locator("#mode-badge")).to_contain_text("Guided mode", timeout=60_000)
            if language == "zh":
                page.locator("#language-switch label", has_text="中文").click()
            sign_in(page, email, order)
            chat = page.locator("#chatbot")
            expect(chat).to_contain_text("Alice" if language == "en" else "您好", timeout=30_000)
            send(page, text)
            if language == "en":
                expect(page.locator("#confirm-card").first).to_be_visible(timeout=30_000)
                assert "Refund to" not in chat.inner_text()  # the card says it, the chat does not repeat it
                assert "creating the return" not in chat.inner_text()  # not run yet: waiting on the card
            else:
                page.locator("#chatbot .options button", has_text=order).click(timeout=30_000)
                expect(page.locator("#side-panel")).to_contain_text("包裹", timeout=30_000)
            page.wait_for_timeout(500)
            thoughts = page.locator("#chatbot .message-row:has(.thought-group)")
            assert thoughts.count() == (1 if language == "en" else 2)  # one per turn that checked something
            buttons = page.locator("#chatbot .message-row:has(.thought-group) + .message-buttons")
            assert all(not buttons.nth(i).is_visible() for i in range(buttons.count()))
            quick = [b.strip() for b in page.locator("#chatbot .options button:visible").all_inner_texts()]
            handoff = page.locator("#handoff-button").inner_text().strip()
            assert len(quick) == len(set(quick)) and all(q not in handoff for q in quick)
            assert page.evaluate("document.documentElement.scrollWidth") <= width  # no sideways scrolling
            page.screenshot(path=str(output_dir / f"browser_chat_{language}_{width}.png"), full_page=True)
        finally:
            browser.close()
