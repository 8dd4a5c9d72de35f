"""The one ASGI app: the API under /v1, health at /healthz, the Gradio app at /."""

from __future__ import annotations

import gradio as gr
from fastapi import FastAPI

from agent.redaction import install_log_redaction
from agent.settings import Settings, get_settings, server_secret
from ui.api import install_api
from ui.conversation import ConversationService
from ui.gradio_app import CSS, THEME, build_blocks


def create_app(settings: Settings | None = None, conversations: ConversationService | None = None) -> FastAPI:
    install_log_redaction()  # before anything logs: no PII in this process's log lines
    settings = settings or get_settings()
    server_secret(settings)  # generated (and said so in the log) at the first start, not at the first label
    conversations = conversations or ConversationService(settings)
    app = FastAPI(title="ReturnDesk", version="0.1.0",
                  description="Customer-service agent for e-commerce returns. Sessions, messages and "
                              "confirmations; an OpenAI-compatible chat endpoint; health and metrics.")
    app.state.settings = settings
    app.state.conversations = conversations
    install_api(app)
    return gr.mount_gradio_app(app, build_blocks(conversations), path="/", theme=THEME, css=CSS,
                               footer_links=["api"], show_error=False)
