"""A customer's browser tab, without the browser: the web app's own Gradio queue over raw HTTP.

The page joins the queue (`POST /gradio_api/queue/join` with the handler's `fn_index`) and reads the
results as server-sent events (`GET /gradio_api/queue/data?session_hash=...`). A tab is one
`session_hash`; its `gr.State` values (the session id, the transcript) stay on the server, so State
inputs are sent as null, as the page does. Handlers are found by the component that triggers them
(`elem_id`), read from the page's `/config`. Used by the benchmark (`bench/ui_queue.py`) and the tests.

Our own few lines: `gradio_client` calls handlers by API name, and the page's handlers have none.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx


@dataclass
class Handler:
    fn_index: int
    trigger_id: int
    inputs: list[int]  # component ids
    outputs: list[int]
    event: str = "click"


@dataclass
class PageLayout:
    """What `/config` says: each component's type and elem_id, each handler's trigger and inputs."""

    components: dict[int, dict[str, Any]]
    handlers: list[Handler]

    @classmethod
    def read(cls, config: dict[str, Any]) -> PageLayout:
        components = {c["id"]: c for c in config["components"]}
        handlers = []
        for index, dependency in enumerate(config["dependencies"]):
            targets = dependency.get("targets") or []
            if targets and dependency.get("backend_fn", True):
                handlers.append(
                    Handler(
                        dependency.get("id", index),
                        targets[0][0],
                        dependency["inputs"],
                        dependency["outputs"],
                        targets[0][1],
                    )
                )
        return cls(components, handlers)

    def handler(self, elem_id: str, event: str | None = None) -> Handler:
        """The first handler `#elem_id` triggers (by `event`, if given: a chatbot has several)."""
        for handler in self.handlers:
            trigger = self.components.get(handler.trigger_id, {})  # the page's load event has no component
            if trigger.get("props", {}).get("elem_id") == elem_id and event in (None, handler.event):
                return handler
        raise KeyError(f"no handler triggered by #{elem_id} ({event or 'any event'})")

    def on_change(self, component_id: int) -> Handler:
        """The handler a change of `component_id` runs: a `gr.State` has no elem_id; a finished event
        lists the States it changed (`changed_state_ids`), and the page then runs this."""
        for handler in self.handlers:
            if handler.trigger_id == component_id and handler.event == "change":
                return handler
        raise KeyError(f"no handler runs when component {component_id} changes")

    def kind(self, component_id: int) -> str:
        return str(self.components[component_id].get("type", ""))

    def elem_id(self, component_id: int) -> str | None:
        return self.components[component_id].get("props", {}).get("elem_id")


@dataclass
class PageTab:
    """One browser tab: `call(elem_id, values)` runs the handler that component triggers, to the end."""

    client: httpx.AsyncClient
    layout: PageLayout
    session_hash: str = field(default_factory=lambda: uuid.uuid4().hex[:11])

    def payload(self, handler: Handler, values: dict[str, Any]) -> dict[str, Any]:
        """`values` by elem_id; State inputs are null (kept on the server), other inputs default to ""."""
        data = [
            None if self.layout.kind(c) == "state" else values.get(self.layout.elem_id(c) or "", "")
            for c in handler.inputs
        ]
        return {
            "data": data,
            "event_data": None,
            "fn_index": handler.fn_index,
            "trigger_id": handler.trigger_id,
            "session_hash": self.session_hash,
        }

    async def join(self, elem_id: str, values: dict[str, Any] | None = None) -> httpx.Response:
        handler = self.layout.handler(elem_id)
        return await self.client.post("/gradio_api/queue/join", json=self.payload(handler, values or {}))

    async def call(
        self, elem_id: str, values: dict[str, Any] | None = None, timeout_s: float = 120
    ) -> tuple[float, dict[str, Any]]:
        """Runs the handler; returns (seconds from join to completion, the final output by elem_id)."""
        handler = self.layout.handler(elem_id)
        started = time.perf_counter()
        joined = await self.join(elem_id, values)
        joined.raise_for_status()
        event_id = joined.json()["event_id"]
        async with self.client.stream(
            "GET", "/gradio_api/queue/data", params={"session_hash": self.session_hash}, timeout=timeout_s
        ) as stream:
            async for line in stream.aiter_lines():
                if not line.startswith("data:"):
                    continue
                message = json.loads(line.removeprefix("data:"))
                if message.get("event_id") not in (None, event_id) or message.get("msg") != "process_completed":
                    continue
                output = message.get("output") or {}
                if not message.get("success", False):
                    raise RuntimeError(f"handler #{elem_id} failed: {output}")
                values_out = dict(
                    zip(
                        [self.layout.elem_id(c) or str(c) for c in handler.outputs],
                        output.get("data", []),
                        strict=False,
                    )
                )
                return time.perf_counter() - started, values_out
        raise RuntimeError(f"the queue stream ended before #{elem_id} completed")


def completed(lines: Any, event_id: str) -> dict[str, Any] | None:
    """The `process_completed` message of `event_id` among SSE `lines` (None if the stream ends first)."""
    for line in lines:
        if line.startswith("data:"):
            message = json.loads(line.removeprefix("data:"))
            if message.get("msg") == "process_completed" and message.get("event_id") in (None, event_id):
                return message
    return None


def run_handler(client: httpx.Client, payload: dict[str, Any], timeout_s: float = 60) -> dict[str, Any]:
    """Synchronous: join the queue with `payload` and wait for its completion message (tests' TestClient)."""
    joined = client.post("/gradio_api/queue/join", json=payload)
    joined.raise_for_status()
    with client.stream(
        "GET", "/gradio_api/queue/data", params={"session_hash": payload["session_hash"]}, timeout=timeout_s
    ) as stream:
        message = completed(stream.iter_lines(), joined.json()["event_id"])
    if message is None:
        raise RuntimeError("the queue stream ended before the handler completed")
    return message


async def open_page(client: httpx.AsyncClient) -> PageLayout:
    response = await client.get("/config")
    response.raise_for_status()
    return PageLayout.read(response.json())


def chat_text(output: dict[str, Any]) -> str:
    """Everything the chatbot shows after a turn (its final value, or a streamed update of it)."""
    value = output.get("chatbot")
    if isinstance(value, dict):
        value = value.get("value", value)
    return json.dumps(value, ensure_ascii=False)
