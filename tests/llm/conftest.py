"""The real-model tier: one llama-server with SmolLM2-135M for the whole run, a recording proxy per test.

`make test-llm` builds llama-server and fetches the model into the cache first (deploy/llama_cpp.py);
run directly, these tests skip when the cache has neither (and fail in CI, where they must run).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi.testclient import TestClient

from core.settings import Settings
from deploy.llama_cpp import llama_server_path, smollm2_path
from deploy.llama_server import LlamaServer, free_port
from service.conversation import ConversationService
from tests.llm.edge_proxy import EdgeProxy


@pytest.fixture(scope="session")
def llama(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LlamaServer]:
    binary, model = llama_server_path(), smollm2_path()
    if not (binary.exists() and model.exists()):
        message = f"no {binary} or {model}: run `make test-llm` (it builds and fetches them once per machine)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    log = tmp_path_factory.mktemp("llama") / "llama-server.log"
    # One thread: on a shared 2-core machine two spin-waiting threads ran ~10x slower than one (measured).
    with LlamaServer(binary, model, ctx_size=8192, threads=1, log_path=log) as server:
        yield server


@pytest.fixture
def proxy(llama: LlamaServer) -> Iterator[EdgeProxy]:
    edge = EdgeProxy(upstream=llama.base_url.removesuffix("/v1")).start()
    yield edge
    edge.stop()


@pytest.fixture
def llm_settings(settings: Settings, engine: Any, proxy: EdgeProxy) -> Settings:
    # Short replies keep a CPU turn to seconds; a generous timeout because other work shares the CPU.
    return settings.model_copy(
        update={"llm_base_url": proxy.base_url, "llm_timeout_s": 120.0, "llm_max_retries": 0, "llm_max_tokens": 64}
    )


@pytest.fixture
def llm_service(llm_settings: Settings) -> ConversationService:
    return ConversationService(llm_settings)


@pytest.fixture
def llm_client(llm_settings: Settings, llm_service: ConversationService) -> Iterator[TestClient]:
    from ui.server import create_app

    with TestClient(create_app(llm_settings, llm_service)) as client:
        yield client


@pytest.fixture
def llm_live(llm_settings: Settings, llm_service: ConversationService) -> Iterator[str]:
    """The app under uvicorn on a free loopback port (for the streaming routes over real HTTP)."""
    from ui.server import create_app

    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(llm_settings, llm_service), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started and thread.is_alive():
        thread.join(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def llama_log(llama: LlamaServer) -> str:
    return Path(llama.log_path).read_text(errors="replace")[-3000:] if llama.log_path else ""
