"""A real browser shows a model's reply as text: entities decoded once, markup escaped once.

The web app runs in-process (uvicorn on a free port) on the model path, against a FAKE vLLM
server that answers with entities and markup, as small models do. Debian's Chromium reads the chat.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from core.settings import Settings
from service.conversation import ConversationService
from tests.fakes.vllm_server import FakeVLLMServer, Reply, free_port
from tests.ui.test_browser_return import CHROMIUM, CHROMIUM_ARGS, send, sign_in

if not CHROMIUM.exists() and os.environ.get("CI") != "true":
    pytest.skip("no /usr/bin/chromium (apt-get install chromium); CI installs it", allow_module_level=True)

MODEL_SAYS = (
    "Tom &amp; Jerry&#39;s tip: type &lt;b&gt;bold&lt;/b&gt; or &amp;lt;i&amp;gt; &lt;script&gt;x()&lt;/script&gt;"
)
CUSTOMER_SEES = "Tom & Jerry's tip: type <b>bold</b> or &lt;i&gt; <script>x()</script>"


@pytest.fixture
def web_app(settings: Settings, engine: object) -> Iterator[tuple[str, FakeVLLMServer]]:
    from ui.server import create_app

    with FakeVLLMServer() as fake:
        model_settings = settings.model_copy(update={"llm_base_url": fake.base_url, "llm_max_retries": 0})
        port = free_port()
        server = uvicorn.Server(
            uvicorn.Config(
                create_app(model_settings, ConversationService(model_settings)),
                host="127.0.0.1",
                port=port,
                log_level="warning",
            )
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started and thread.is_alive():
            thread.join(0.05)
        try:
            yield f"http://127.0.0.1:{port}", fake
        finally:
            server.should_exit = True
            thread.join(timeout=10)


def test_a_model_reply_with_entities_and_markup_reads_as_plain_text(
    web_app: tuple[str, FakeVLLMServer], tmp_path: Path
) -> None:
    from playwright.sync_api import expect, sync_playwright

    url, fake = web_app
    fake.script(Reply.text(MODEL_SAYS))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        try:
            page.goto(url)
            sign_in(page, "alice@example.com", "#W1000001")
            chat = page.locator("#chatbot")
            expect(chat).to_contain_text("Hi Alice Chen", timeout=60_000)
            send(page, "Any tips for <b>formatting</b>?")

            expect(chat).to_contain_text(CUSTOMER_SEES, timeout=60_000)
            expect(chat).to_contain_text("Any tips for <b>formatting</b>?")
            assert chat.locator("b, i, script").count() == 0, "no markup from the chat is rendered as markup"
            assert "&amp;" not in chat.inner_text() and "&#39;" not in chat.inner_text()
        finally:
            browser.close()
