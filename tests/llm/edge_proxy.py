"""A recording, fault-injecting HTTP proxy in front of the REAL llama-server.

Everything ReturnDesk sends reaches the real model and everything the model answers comes back,
except where a test asks for a fault (`proxy.mangle`): then the real answer is rewritten on its way,
the way a broken model would answer (a blank reply, a tool call that is not JSON). It records each
chat request and the answer the client got, so a test can say who wrote what the customer saw.

Own code (stdlib HTTP server + httpx) because the faults must be in the model's answer shape,
which no generic proxy knows.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

Mangle = Callable[[dict[str, Any]], dict[str, Any]]


@dataclass
class Exchange:
    request: dict[str, Any]
    response: dict[str, Any] | None = None  # the completion as the client received it (JSON calls)
    streamed: str = ""  # the raw SSE text (streamed calls)
    status: int = 0


@dataclass
class EdgeProxy:
    upstream: str  # the real server's root, e.g. http://127.0.0.1:8080
    exchanges: list[Exchange] = field(default_factory=list)
    # Rewrites the next JSON completions (one per entry) before the client sees them.
    mangle: list[Mangle] = field(default_factory=list)
    _httpd: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> EdgeProxy:
        handler = type("Handler", (_Handler,), {"proxy": self})
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        threading.Thread(target=self._httpd.serve_forever, name="edge-proxy", daemon=True).start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()

    @property
    def base_url(self) -> str:
        assert self._httpd is not None
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    @property
    def chat(self) -> list[Exchange]:
        return [e for e in self.exchanges if e.request.get("messages") is not None]

    def next_mangle(self) -> Mangle | None:
        with self._lock:
            return self.mangle.pop(0) if self.mangle else None


class _Handler(BaseHTTPRequestHandler):
    proxy: EdgeProxy
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        response = httpx.get(self.proxy.upstream + self.path, timeout=30)
        self._send(response.status_code, response.content, response.headers.get("content-type", "application/json"))

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers.get("content-length") or 0)) or b"{}")
        exchange = Exchange(request=body)
        self.proxy.exchanges.append(exchange)
        url = self.proxy.upstream + self.path
        try:
            if body.get("stream"):
                self._stream(url, body, exchange)
            else:
                self._json(url, body, exchange)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client timed out and left, as it should

    def _json(self, url: str, body: dict[str, Any], exchange: Exchange) -> None:
        response = httpx.post(url, json=body, timeout=300)
        exchange.status = response.status_code
        mangle = self.proxy.next_mangle() if response.status_code == 200 else None
        data = mangle(response.json()) if mangle else None
        exchange.response = data if data is not None else (response.json() if response.status_code == 200 else None)
        payload = json.dumps(data).encode() if data is not None else response.content
        self._send(response.status_code, payload, "application/json")

    def _stream(self, url: str, body: dict[str, Any], exchange: Exchange) -> None:
        with httpx.stream("POST", url, json=body, timeout=300) as response:
            exchange.status = response.status_code
            self.send_response(response.status_code)
            self.send_header("content-type", response.headers.get("content-type", "text/event-stream"))
            self.send_header("connection", "close")
            self.end_headers()
            for chunk in response.iter_raw():
                exchange.streamed += chunk.decode(errors="replace")
                self.wfile.write(chunk)
                self.wfile.flush()
        self.close_connection = True

    def _send(self, status: int, payload: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("content-type", content_type)
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)
        self.wfile.flush()


def blank_reply(completion: dict[str, Any]) -> dict[str, Any]:
    """The model's answer with its text and tool calls blanked (a model that said nothing)."""
    message = completion["choices"][0]["message"]
    message.update(content="  \n", tool_calls=None)
    return completion


def garbage_tool_call(completion: dict[str, Any]) -> dict[str, Any]:
    """The model's answer replaced by a hermes tool call cut off mid-JSON."""
    completion["choices"][0]["message"].update(
        content='<tool_call>\n{"name": "create_return", "arguments": {"order_id": "#W1000001", "items": [',
        tool_calls=None,
    )
    return completion


def unconfirmed_write(completion: dict[str, Any]) -> dict[str, Any]:
    """The model's answer replaced by a well-formed create_return call (it never checked eligibility)."""
    completion["choices"][0]["message"].update(
        content=None,
        tool_calls=[
            {
                "id": "call_edge_1",
                "type": "function",
                "function": {
                    "name": "create_return",
                    "arguments": json.dumps(
                        {
                            "order_id": "#W1000001",
                            "items": [{"order_item_id": 1, "quantity": 1}],
                            "refund_method": "original_payment",
                        }
                    ),
                },
            }
        ],
    )
    completion["choices"][0]["finish_reason"] = "tool_calls"
    return completion
