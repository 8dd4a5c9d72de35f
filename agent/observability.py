"""What the model path did in one turn: token usage and latency per model call, and GenAI traces.

`TurnObserver` is a LangChain callback handler passed in the graph's config for one customer turn.
It needs no patching: LangChain reports every chat-model call and tool run to it.

- Metrics (Prometheus, service/metrics.py): prompt and completion tokens per node from the server's
  `usage`, a model-call latency histogram per node and outcome, and the tokens of the whole turn.
- Traces (OpenTelemetry GenAI semantic conventions): a span `chat {model}` per model call
  (`gen_ai.operation.name=chat`, `gen_ai.request.model`, `gen_ai.request.max_tokens`,
  `gen_ai.usage.input_tokens` / `output_tokens`, `gen_ai.response.finish_reasons`) and
  `execute_tool {name}` per tool run (`gen_ai.tool.name`, `gen_ai.tool.call.id`), children of one
  `invoke_agent ReturnDesk` span per turn; all carry `gen_ai.conversation.id` (the session id).
  Exported only when `OTEL_EXPORTER_OTLP_ENDPOINT` is set (`tracer_from_env`); otherwise a no-op tracer.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from uuid import UUID

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.outputs import LLMResult
from opentelemetry import trace
from opentelemetry.trace import Span, SpanKind, Status, StatusCode, Tracer

AGENT_NAME = "ReturnDesk"
GUIDED_TYPE = "returndesk-guided"  # GuidedChatModel._llm_type: code, not a model


@lru_cache(maxsize=1)
def tracer_from_env() -> Tracer:
    """An OTLP/HTTP-exporting tracer when OTEL_EXPORTER_OTLP_ENDPOINT (or ..._TRACES_ENDPOINT) is set,
    else a no-op one. The exporter reads the standard OTEL_* variables itself."""
    if not (os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")):
        return trace.NoOpTracer()
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    provider = TracerProvider(
        resource=Resource.create({"service.name": os.environ.get("OTEL_SERVICE_NAME", "returndesk")})
    )
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    return provider.get_tracer("returndesk")


@dataclass
class _Call:
    span: Span
    node: str
    started: float
    guided: bool = False


@dataclass(eq=False)  # handlers are compared by identity in LangChain's callback managers
class TurnObserver(BaseCallbackHandler):
    """Callback handler for one turn: `metrics` is service.metrics.TurnMetrics (duck-typed), `finish()` ends it."""

    metrics: Any
    tracer: Tracer
    conversation_id: str
    tokens: dict[str, int] = field(default_factory=lambda: {"prompt": 0, "completion": 0})
    mode: str = "error"  # who answered the turn, set when it ends well ("model" / "guided")
    _calls: dict[UUID, _Call] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _turn: Span | None = None

    def __post_init__(self) -> None:
        self._turn = self.tracer.start_span(
            f"invoke_agent {AGENT_NAME}",
            kind=SpanKind.INTERNAL,
            attributes={
                "gen_ai.operation.name": "invoke_agent",
                "gen_ai.agent.name": AGENT_NAME,
                "gen_ai.conversation.id": self.conversation_id,
            },
        )

    def _child(self, name: str, kind: SpanKind, attributes: dict[str, Any]) -> Span:
        context = trace.set_span_in_context(self._turn) if self._turn is not None else None
        return self.tracer.start_span(
            name, context=context, kind=kind, attributes={**attributes, "gen_ai.conversation.id": self.conversation_id}
        )

    # --- model calls ---------------------------------------------------------------------------
    def on_chat_model_start(
        self,
        serialized: dict[str, Any],
        messages: list[list[Any]],
        *,
        run_id: UUID,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        params = kwargs.get("invocation_params") or {}
        guided = params.get("_type") == GUIDED_TYPE
        model = "guided" if guided else str(params.get("model") or params.get("model_name") or "unknown")
        attributes = {
            "gen_ai.operation.name": "chat",
            "gen_ai.request.model": model,
            "gen_ai.provider.name": AGENT_NAME.lower() if guided else "openai",
        }
        for key, name in (
            ("max_completion_tokens", "max_tokens"),
            ("max_tokens", "max_tokens"),
            ("temperature", "temperature"),
            ("top_p", "top_p"),
        ):
            if params.get(key) is not None:
                attributes[f"gen_ai.request.{name}"] = params[key]
        span = self._child(f"chat {model}", SpanKind.INTERNAL if guided else SpanKind.CLIENT, attributes)
        with self._lock:
            self._calls[run_id] = _Call(
                span, str((metadata or {}).get("langgraph_node", "")), time.perf_counter(), guided
            )

    def on_llm_end(self, response: LLMResult, *, run_id: UUID, **kwargs: Any) -> None:
        with self._lock:
            call = self._calls.pop(run_id, None)
        if call is None:
            return
        usage, finish = _usage_and_finish(response)
        if not call.guided:
            self.metrics.llm_latency.labels(node=call.node, outcome="ok").observe(time.perf_counter() - call.started)
            for kind, count in usage.items():
                self.metrics.llm_tokens.labels(node=call.node, kind=kind).inc(count)
                with self._lock:
                    self.tokens[kind] += count
        call.span.set_attributes(
            {
                "gen_ai.usage.input_tokens": usage.get("prompt", 0),
                "gen_ai.usage.output_tokens": usage.get("completion", 0),
            }
        )
        if finish:
            call.span.set_attribute("gen_ai.response.finish_reasons", finish)
        call.span.end()

    def on_llm_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        with self._lock:
            call = self._calls.pop(run_id, None)
        if call is None:
            return
        if not call.guided:
            self.metrics.llm_latency.labels(node=call.node, outcome="error").observe(time.perf_counter() - call.started)
        _failed(call.span, error)

    # --- tool runs -----------------------------------------------------------------------------
    def on_tool_start(self, serialized: dict[str, Any], input_str: str, *, run_id: UUID, **kwargs: Any) -> None:
        name = str(serialized.get("name") or kwargs.get("name") or "tool")
        attributes = {"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": name, "gen_ai.tool.type": "function"}
        if kwargs.get("tool_call_id"):
            attributes["gen_ai.tool.call.id"] = str(kwargs["tool_call_id"])
        with self._lock:
            self._calls[run_id] = _Call(
                self._child(f"execute_tool {name}", SpanKind.INTERNAL, attributes), "tools", time.perf_counter()
            )

    def on_tool_end(self, output: Any, *, run_id: UUID, **kwargs: Any) -> None:
        with self._lock:
            call = self._calls.pop(run_id, None)
        if call is not None:
            call.span.end()

    def on_tool_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        with self._lock:
            call = self._calls.pop(run_id, None)
        if call is not None:
            _failed(call.span, error)

    # --- the turn ------------------------------------------------------------------------------
    def finish(self) -> None:
        """The turn is over: record its tokens, end its span (and any span a failure left open)."""
        for kind, count in self.tokens.items():
            self.metrics.turn_llm_tokens.labels(kind=kind).observe(count)
        with self._lock:
            left, self._calls = list(self._calls.values()), {}
        for call in left:
            call.span.end()
        if self._turn is not None:
            self._turn.set_attributes(
                {
                    "returndesk.mode": self.mode,
                    "gen_ai.usage.input_tokens": self.tokens["prompt"],
                    "gen_ai.usage.output_tokens": self.tokens["completion"],
                }
            )
            self._turn.end()


def _usage_and_finish(response: LLMResult) -> tuple[dict[str, int], list[str]]:
    """Prompt / completion tokens as the server reported them (`usage`), and the finish reasons."""
    usage: dict[str, int] = {}
    finish: list[str] = []
    for generations in response.generations:
        for generation in generations:
            message = getattr(generation, "message", None)
            metadata = getattr(message, "usage_metadata", None) or {}
            if metadata:
                usage["prompt"] = usage.get("prompt", 0) + int(metadata.get("input_tokens", 0))
                usage["completion"] = usage.get("completion", 0) + int(metadata.get("output_tokens", 0))
            reason = (getattr(message, "response_metadata", None) or {}).get("finish_reason")
            if reason:
                finish.append(str(reason))
    if not usage:  # some clients report it on the result instead
        token_usage = (response.llm_output or {}).get("token_usage") or {}
        if token_usage:
            usage = {
                "prompt": int(token_usage.get("prompt_tokens", 0)),
                "completion": int(token_usage.get("completion_tokens", 0)),
            }
    return usage, finish


def _failed(span: Span, error: BaseException) -> None:
    span.set_attribute("error.type", type(error).__name__)
    span.set_status(Status(StatusCode.ERROR, str(error)[:200]))
    span.end()
