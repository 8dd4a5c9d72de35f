"""The one ASGI app: the API under /v1, health at /healthz, the Gradio app at /."""

from __future__ import annotations

import gradio as gr
from fastapi import FastAPI

from core.redaction import install_log_redaction
from core.settings import Settings, get_settings, server_secret
from qa.session_recording import SessionRecorder
from service.conversation import ConversationService
from ui.api import install_api
from ui.api_docs import install_docs
from ui.api_fallback import install_v1_fallback
from ui.edge import install_edge
from ui.gradio_app import CSS, THEME, build_blocks
from ui.page_session import PAGE_SCRIPT, SessionTickets, install_page_session
from ui.staff_console import install_staff


def create_app(settings: Settings | None = None, conversations: ConversationService | None = None) -> FastAPI:
    install_log_redaction()  # before anything logs: no PII in this process's log lines
    settings = settings or get_settings()
    server_secret(settings)  # generated (and said so in the log) at the first start, not at the first label
    conversations = conversations or ConversationService(settings, recorder=SessionRecorder)
    app = FastAPI(
        title="ReturnDesk",
        version="0.1.0",
        description="Customer-service agent for e-commerce returns. Sessions, messages and "
        "confirmations; an OpenAI-compatible chat endpoint; health and metrics.",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )  # ui.api_docs serves them, offline
    app.state.settings = settings
    app.state.conversations = conversations
    install_api(app)
    install_staff(app)  # the staff console (/staff) and its API (/v1/staff), before the /v1 fallback
    install_docs(app)
    install_v1_fallback(app)  # after every /v1 route, before the web app takes every other path
    tickets = SessionTickets()  # sign-in -> the page's session cookie (a reload finds the conversation)
    install_page_session(app, settings, tickets)
    install_edge(app, settings)
    # The page's handlers are no API (SECURITY.md): no API link, no monitoring, no run history, no uploads.
    return gr.mount_gradio_app(
        app,
        build_blocks(conversations, tickets),
        path="/",
        theme=THEME,
        css=CSS,
        head=PAGE_SCRIPT,
        footer_links=[],
        show_error=False,
        enable_monitoring=False,
        run_history=False,
        max_file_size=settings.max_body_bytes,
    )
