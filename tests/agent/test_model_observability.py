"""Token usage, model-call latency and GenAI traces of the model path, against a FAKE vLLM server.

The fake reports usage 321 prompt + 12 completion tokens per call, as vLLM's `usage` would. Spans go
to the OpenTelemetry SDK's in-memory exporter.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import NoOpTracer, StatusCode

from agent import observability
from core.settings import Settings
from service.conversation import ConversationService
from tests.fakes.vllm_server import DEFAULT_MODEL, FakeVLLMServer, Reply


@pytest.fixture
def fake() -> Iterator[FakeVLLMServer]:
    with FakeVLLMServer() as server:
        yield server


@pytest.fixture
def spans() -> InMemorySpanExporter:
    return InMemorySpanExporter()


def service_on(
    settings: Settings, fake: FakeVLLMServer, spans: InMemorySpanExporter, **overrides: Any
) -> ConversationService:
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(spans))
    values = {"llm_base_url": fake.base_url, "llm_timeout_s": 5.0, "llm_max_retries": 0} | overrides
    return ConversationService(settings.model_copy(update=values), tracer=provider.get_tracer("test"))


def metric(text: str, name: str) -> float:
    match = re.search(rf"^{re.escape(name)} (\S+)$", text, re.MULTILINE)
    assert match, f"{name} not in /metrics"
    return float(match.group(1))


@pytest.mark.parametrize("stream", [False, True], ids=["json", "streamed"])
def test_metrics_count_the_servers_tokens_per_node_and_per_turn(
    settings: Settings, engine: Any, fake: FakeVLLMServer, spans: InMemorySpanExporter, stream: bool
) -> None:
    fake.script(Reply.tool_call("lookup_order", {"order_id": "#W1000001"}), Reply.text("It was delivered."))
    service = service_on(settings, fake, spans, llm_stream=stream)
    session = service.sign_in(email="alice@example.com", order_id="#W1000001").session_id

    service.send(session, "Where is order #W1000001?")

    text = service.metrics.exposition().decode()
    assert metric(text, 'returndesk_llm_tokens_total{kind="prompt",node="assist"}') == 642
    assert metric(text, 'returndesk_llm_tokens_total{kind="completion",node="assist"}') == 24
    assert metric(text, 'returndesk_llm_call_latency_seconds_count{node="assist",outcome="ok"}') == 2
    assert metric(text, 'returndesk_turn_llm_tokens_sum{kind="prompt"}') == 642
    assert metric(text, 'returndesk_turn_llm_tokens_count{kind="completion"}') == 1


def test_a_turn_is_traced_with_genai_spans(
    settings: Settings, engine: Any, fake: FakeVLLMServer, spans: InMemorySpanExporter
) -> None:
    fake.script(Reply.tool_call("lookup_order", {"order_id": "#W1000001"}), Reply.text("It was delivered."))
    service = service_on(settings, fake, spans)
    session = service.sign_in(email="alice@example.com", order_id="#W1000001").session_id

    service.send(session, "Where is order #W1000001?")

    finished = spans.get_finished_spans()
    assert [s.name for s in finished] == [
        f"chat {DEFAULT_MODEL}",
        "execute_tool lookup_order",
        f"chat {DEFAULT_MODEL}",
        "invoke_agent ReturnDesk",
    ]
    turn = finished[-1]
    assert all(s.attributes["gen_ai.conversation.id"] == session for s in finished)
    assert all(s.parent is not None and s.parent.span_id == turn.context.span_id for s in finished[:-1])
    chat, tool = finished[0], finished[1]
    assert (chat.attributes["gen_ai.operation.name"], chat.attributes["gen_ai.request.model"]) == (
        "chat",
        DEFAULT_MODEL,
    )
    assert (chat.attributes["gen_ai.usage.input_tokens"], chat.attributes["gen_ai.usage.output_tokens"]) == (321, 12)
    assert chat.attributes["gen_ai.request.max_tokens"] == 512
    assert tool.attributes["gen_ai.operation.name"] == "execute_tool"
    assert tool.attributes["gen_ai.tool.call.id"] == fake.chat_requests[1]["messages"][-1]["tool_call_id"]
    assert (turn.attributes["gen_ai.usage.input_tokens"], turn.attributes["returndesk.mode"]) == (642, "model")


def test_a_failed_call_is_an_error_span_and_an_error_latency(
    settings: Settings, engine: Any, fake: FakeVLLMServer, spans: InMemorySpanExporter
) -> None:
    fake.script(Reply.error(500))
    service = service_on(settings, fake, spans)
    session = service.sign_in(email="alice@example.com", order_id="#W1000001").session_id

    assert service.send(session, "Hello").mode == "guided"

    [failed] = [s for s in spans.get_finished_spans() if s.name == f"chat {DEFAULT_MODEL}"]
    assert failed.status.status_code == StatusCode.ERROR and failed.attributes["error.type"] == "OpenAIAPIError"
    text = service.metrics.exposition().decode()
    assert metric(text, 'returndesk_llm_call_latency_seconds_count{node="assist",outcome="error"}') == 1
    assert 'returndesk_llm_tokens_total{kind="prompt",node="assist"}' not in text, "guided mode spends no tokens"


def test_traces_are_exported_only_when_an_endpoint_is_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_ENDPOINT", raising=False)
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", raising=False)
    observability.tracer_from_env.cache_clear()
    try:
        assert isinstance(observability.tracer_from_env(), NoOpTracer)
        monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318")
        observability.tracer_from_env.cache_clear()
        assert not isinstance(observability.tracer_from_env(), NoOpTracer)
    finally:
        observability.tracer_from_env.cache_clear()
