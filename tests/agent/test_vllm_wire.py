"""The vLLM path on the wire: the configured ChatOpenAI client against a FAKE vLLM server.

Requests must carry what vLLM needs (model, tools, Qwen's sampling); every answer shape vLLM can
produce is either understood or handed to guided mode, never shown raw to the customer.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator

import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_core.runnables import Runnable

from agent.llm import build_chat_model, mode_of
from agent.vllm_client import DEFAULT_MODEL, endpoint_model, resolve_model_name
from core.settings import Settings
from tests.fakes.vllm_server import FakeVLLMServer, Reply, free_port
from tools.registry import TOOLS

ORDER = {"order_id": "#W1000001"}


@pytest.fixture
def fake() -> Iterator[FakeVLLMServer]:
    with FakeVLLMServer(model="qwen3-4b-served-name") as server:
        yield server


def endpoint_settings(base_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {"llm_base_url": base_url, "llm_timeout_s": 5.0, "llm_max_retries": 0}
    return Settings(_env_file=None, **(values | overrides))  # type: ignore[arg-type]


def model(fake: FakeVLLMServer, **overrides: object) -> Runnable:
    return build_chat_model(endpoint_settings(fake.base_url, **overrides), TOOLS)


def ask(chat: Runnable, text: str = "Where is my order #W1000001?") -> AIMessage:
    return chat.invoke([HumanMessage(content=text)])


# --- what the requests carry ---------------------------------------------------------------------
def test_requests_carry_the_served_model_qwen_sampling_and_the_registry_tools(fake: FakeVLLMServer) -> None:
    fake.script(Reply.text("Hello!"))
    ask(model(fake))

    [body] = fake.chat_requests
    assert body["model"] == "qwen3-4b-served-name", "read from /v1/models when RETURNDESK_LLM_MODEL is unset"
    assert (body["temperature"], body["top_p"], body["top_k"], body["min_p"]) == (0.7, 0.8, 20, 0.0)
    assert not body.get("stream")
    sent = {t["function"]["name"]: t["function"]["parameters"] for t in body["tools"]}
    assert list(sent) == [t.name for t in TOOLS]
    for tool in TOOLS:
        expected = tool.tool_call_schema.model_json_schema()["properties"]  # type: ignore[union-attr]
        assert set(sent[tool.name]["properties"]) == set(expected)
        assert "runtime" not in sent[tool.name]["properties"], "the customer id never comes from the model"


def test_the_model_name_is_read_once_and_a_configured_name_skips_discovery(fake: FakeVLLMServer) -> None:
    chat = model(fake)
    fake.script(Reply.text("one"), Reply.text("two"))
    ask(chat), ask(chat)
    assert fake.models_requests == 1

    fake.script(Reply.text("three"))
    ask(model(fake, llm_model="my-qwen"))
    assert fake.chat_requests[-1]["model"] == "my-qwen"
    assert fake.models_requests == 1


def test_unreachable_model_list_falls_back_to_the_qwen_name_and_says_so(caplog: pytest.LogCaptureFixture) -> None:
    settings = endpoint_settings(f"http://127.0.0.1:{free_port()}/v1", llm_discovery_timeout_s=1.0)
    with caplog.at_level(logging.WARNING):
        assert resolve_model_name(settings) == DEFAULT_MODEL
    assert "RETURNDESK_LLM_MODEL" in caplog.text


# --- answers that are understood ---------------------------------------------------------------
def test_plain_reply_comes_from_the_model(fake: FakeVLLMServer) -> None:
    fake.script(Reply.text("Your order is on its way."))
    answer = ask(model(fake))
    assert (answer.content, answer.tool_calls, mode_of(answer)) == ("Your order is on its way.", [], "model")


@pytest.mark.parametrize("stream", [False, True], ids=["json", "sse"])
def test_tool_calls_are_parsed_from_json_and_from_streamed_deltas(fake: FakeVLLMServer, stream: bool) -> None:
    fake.script(Reply.tool_call("lookup_order", ORDER))
    answer = ask(model(fake, llm_stream=stream))
    assert [(c["name"], c["args"]) for c in answer.tool_calls] == [("lookup_order", ORDER)]
    assert fake.chat_requests[-1].get("stream", False) is stream
    assert mode_of(answer) == "model"


@pytest.mark.parametrize("stream", [False, True], ids=["json", "sse"])
def test_hermes_block_left_in_content_becomes_a_tool_call_the_customer_never_sees(
    fake: FakeVLLMServer, stream: bool
) -> None:
    fake.script(Reply.hermes_in_content("lookup_order", ORDER, before="Let me check that order. "))
    answer = ask(model(fake, llm_stream=stream))
    assert [(c["name"], c["args"]) for c in answer.tool_calls] == [("lookup_order", ORDER)]
    assert "<tool_call>" not in str(answer.content) and "lookup_order" not in str(answer.content)
    assert str(answer.content).strip() == "Let me check that order."
    assert mode_of(answer) == "model"


def test_streamed_hermes_text_never_reaches_token_listeners(fake: FakeVLLMServer) -> None:
    """What LangGraph's "messages" stream (and so a streaming UI) would show, token by token."""
    from langchain_core.callbacks import BaseCallbackHandler

    class Tokens(BaseCallbackHandler):
        def __init__(self) -> None:
            self.text = ""

        def on_llm_new_token(self, token: str, **kwargs: object) -> None:
            self.text += token

    tokens = Tokens()
    fake.script(Reply.hermes_in_content("lookup_order", ORDER, before="One moment. "))
    answer = model(fake, llm_stream=True).invoke(
        [HumanMessage(content="where is #W1000001")], config={"callbacks": [tokens]}
    )
    assert answer.tool_calls
    assert tokens.text.strip() == "One moment."


def test_text_that_merely_looks_like_a_tag_is_kept(fake: FakeVLLMServer) -> None:
    fake.script(Reply.text("Use <tool> if 2 < 3."))
    answer = ask(model(fake, llm_stream=True))
    assert (answer.content, answer.tool_calls) == ("Use <tool> if 2 < 3.", [])


def test_a_transient_500_is_retried_before_guided_mode_takes_over(fake: FakeVLLMServer) -> None:
    fake.script(Reply.error(500), Reply.text("Back again."))
    answer = ask(model(fake, llm_max_retries=1))
    assert (answer.content, mode_of(answer)) == ("Back again.", "model")
    assert len(fake.chat_requests) == 2


# --- answers that fall back to guided mode ------------------------------------------------------
BROKEN = {
    "http_500": Reply.error(500),
    "http_503": Reply.error(503),
    "malformed_json": Reply.malformed_json(),
    "tool_call_arguments_not_json": Reply.tool_call("lookup_order", '{"order_id": "#W10'),
    "hermes_block_not_json": Reply.raw_content(
        '<tool_call>\n{"name": "lookup_order", "arguments": {"order_id": }\n</tool_call>'
    ),
    "hermes_block_without_name": Reply.raw_content('<tool_call>{"arguments": {}}</tool_call>'),
}


@pytest.mark.parametrize("stream", [False, True], ids=["json", "sse"])
@pytest.mark.parametrize("reply", BROKEN.values(), ids=BROKEN.keys())
def test_failed_model_calls_are_answered_by_guided_mode(fake: FakeVLLMServer, reply: Reply, stream: bool) -> None:
    fake.script(reply)
    answer = ask(model(fake, llm_stream=stream))
    assert mode_of(answer) == "guided"
    assert "<tool_call>" not in str(answer.content)
    assert [(c["name"], c["args"]) for c in answer.tool_calls] == [("track_shipment", ORDER)], (
        "guided mode still serves the customer's request"
    )


def test_connection_refused_is_answered_by_guided_mode() -> None:
    settings = endpoint_settings(f"http://127.0.0.1:{free_port()}/v1", llm_model=DEFAULT_MODEL)
    answer = ask(build_chat_model(settings, TOOLS))
    assert mode_of(answer) == "guided"


def test_a_hanging_server_is_cut_off_by_the_timeout(fake: FakeVLLMServer) -> None:
    fake.script(Reply.hang(60))
    started = time.monotonic()
    answer = ask(model(fake, llm_timeout_s=0.5))
    assert mode_of(answer) == "guided"
    assert time.monotonic() - started < 15, "the 0.5 s timeout must fire long before the 60 s hang ends"


def test_tool_results_are_sent_compact_and_the_messages_keep_the_whole_result(fake: FakeVLLMServer) -> None:
    """The model reads tools/model_view.py's rendering; the state (guided mode, check_reply) keeps it all."""
    full = json.dumps({"ok": True, "order_id": "#W1000001", "location": None, "label_ref": ""})
    call = AIMessage(content="", tool_calls=[{"id": "c1", "name": "lookup_order", "args": ORDER}])
    result = ToolMessage(content=full, tool_call_id="c1", name="lookup_order")
    fake.script(Reply.text("Found it."), Reply.text("Found it."))
    messages = [HumanMessage(content="Where is #W1000001?"), call, result]

    model(fake).invoke(messages)
    endpoint_model(endpoint_settings(fake.base_url), compact_tool_results=False).invoke(messages)  # the eval's baseline

    compacted, as_is = (body["messages"][-1]["content"] for body in fake.chat_requests)
    assert compacted == '{"ok":true,"order_id":"#W1000001"}'
    assert as_is == full and result.content == full
