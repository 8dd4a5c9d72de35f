"""A FAKE vLLM server: speaks vLLM's OpenAI-compatible chat API on 127.0.0.1, with scripted answers.

It stands in for the GPU edge only (no machine here can run Qwen3-4B): the real ChatOpenAI client,
its HTTP stack, timeouts and retries all run against it. Every request body is recorded.

    with FakeVLLMServer() as fake:
        fake.script(Reply.tool_call("lookup_order", {"order_id": "#W1000001"}), Reply.text("Done."))
        settings = Settings(llm_base_url=fake.base_url, ...)
        ...
        fake.chat_requests[0]["tools"]

Each scripted `Reply` is used by one chat request, in order; when the script is empty, the
optional `responder(request_body) -> Reply` decides (handy for whole conversations), else the
server answers 500 and says why. A reply answers in the shape the request asked for: a JSON
completion, or SSE chunks when the request has `"stream": true` (as vLLM chunks them: role
first, then content deltas or tool-call deltas, then finish_reason, usage on request, `[DONE]`).
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

DEFAULT_MODEL = "Qwen/Qwen3-4B-Instruct-2507"
# Roughly how vLLM tokenises a hermes block into deltas (see vllm-project/vllm#28297's log).
_TOKENS = re.compile(r"<tool_call>|</tool_call>|\n|\{\"|\"\}|\w+|\s+|.", re.DOTALL)


@dataclass
class Reply:
    """One scripted answer. Build it with the class methods."""

    kind: str = "message"  # message | status | malformed | hang
    content: str | None = None
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    status: int = 200
    hang_s: float = 0.0
    token_interval_s: float = 0.0  # streamed replies: pause before each content token (a token rate)

    @classmethod
    def text(cls, content: str) -> Reply:
        """A plain assistant reply."""
        return cls(content=content)

    @classmethod
    def tool_call(cls, name: str, arguments: dict[str, Any] | str, content: str | None = None) -> Reply:
        """A proper `tool_calls` entry, as vLLM's hermes parser produces it. A str `arguments` is
        sent verbatim (to script broken JSON)."""
        args = arguments if isinstance(arguments, str) else json.dumps(arguments, ensure_ascii=False)
        call = {
            "id": f"chatcmpl-tool-{uuid.uuid4().hex}",
            "type": "function",
            "function": {"name": name, "arguments": args},
        }
        return cls(content=content, tool_calls=[call])

    @classmethod
    def hermes_in_content(cls, name: str, arguments: dict[str, Any], before: str = "") -> Reply:
        """The parser slipped: the `<tool_call>` block arrives as plain content."""
        body = json.dumps({"name": name, "arguments": arguments}, ensure_ascii=False)
        return cls(content=f"{before}<tool_call>\n{body}\n</tool_call>")

    @classmethod
    def stream_text(cls, content: str, tokens_per_s: float) -> Reply:
        """A plain reply that, when streamed, arrives at a fixed token rate (like a GPU decoding).
        The fake notes when it wrote the first content token (`FakeVLLMServer.first_token_at`)."""
        return cls(content=content, token_interval_s=1.0 / tokens_per_s)

    @classmethod
    def raw_content(cls, content: str) -> Reply:
        """Content sent exactly as given (e.g. a malformed hermes block)."""
        return cls(content=content)

    @classmethod
    def error(cls, status: int = 500) -> Reply:
        return cls(kind="status", status=status)

    @classmethod
    def malformed_json(cls) -> Reply:
        """HTTP 200, content-type JSON, body not JSON."""
        return cls(kind="malformed")

    @classmethod
    def hang(cls, seconds: float = 30.0) -> Reply:
        """Say nothing for `seconds` (or until the server stops): past any sane client timeout."""
        return cls(kind="hang", hang_s=seconds)


Responder = Callable[[dict[str, Any]], Reply]


class FakeVLLMServer:
    """The fake: `start()`/`stop()` or a `with` block; `base_url` ends in `/v1` like vLLM's."""

    def __init__(self, model: str = DEFAULT_MODEL, responder: Responder | None = None, port: int = 0) -> None:
        self.model = model
        self._port = port  # 0: any free port
        self.responder = responder
        self.requests: list[dict[str, Any]] = []  # {"method", "path", "body"} in arrival order
        # time.perf_counter() when each streamed reply's first content token was written (benchmarks)
        self.first_token_at: list[float] = []
        self._script: list[Reply] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._connections: set[Any] = set()  # open client sockets: stop() cuts them, as a dying process would
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ---------------------------------------------------------------------------
    def start(self) -> FakeVLLMServer:
        handler = type("Handler", (_Handler,), {"fake": self})
        self._httpd = ThreadingHTTPServer(("127.0.0.1", self._port), handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="fake-vllm", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # releases hanging handlers
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        with self._lock:
            connections, self._connections = list(self._connections), set()
        for connection in connections:  # kept-alive connections would otherwise go on being served
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def __enter__(self) -> FakeVLLMServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._httpd is not None, "start() the server first"
        return self._httpd.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    # --- scripting and records ---------------------------------------------------------------
    def script(self, *replies: Reply) -> None:
        with self._lock:
            self._script.extend(replies)

    @property
    def chat_requests(self) -> list[dict[str, Any]]:
        """Bodies of the chat-completion requests received so far."""
        return [r["body"] for r in self.requests if r["path"].endswith("/chat/completions")]

    @property
    def models_requests(self) -> int:
        return sum(1 for r in self.requests if r["path"].endswith("/models"))

    def _next_reply(self, body: dict[str, Any]) -> Reply | None:
        with self._lock:
            if self._script:
                return self._script.pop(0)
        return self.responder(body) if self.responder else None


class _Handler(BaseHTTPRequestHandler):
    fake: FakeVLLMServer
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        with self.fake._lock:
            self.fake._connections.add(self.connection)

    def finish(self) -> None:
        with self.fake._lock:
            self.fake._connections.discard(self.connection)
        with contextlib.suppress(OSError):
            super().finish()

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self.fake.requests.append({"method": "GET", "path": self.path, "body": None})
        if self.path.rstrip("/").endswith("/v1/models"):
            self._json(
                200,
                {
                    "object": "list",
                    "data": [
                        {
                            "id": self.fake.model,
                            "object": "model",
                            "created": int(time.time()),
                            "owned_by": "vllm",
                            "root": self.fake.model,
                            "parent": None,
                            "max_model_len": 32768,
                        }
                    ],
                },
            )
        else:
            self._json(
                404, {"object": "error", "message": f"Not Found: {self.path}", "type": "NotFoundError", "code": 404}
            )

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        self.fake.requests.append({"method": "POST", "path": self.path, "body": body})
        if not self.path.rstrip("/").endswith("/v1/chat/completions"):
            self._json(404, {"object": "error", "message": "Not Found", "type": "NotFoundError", "code": 404})
            return
        reply = self.fake._next_reply(body)
        if reply is None:
            self._json(
                500,
                {
                    "object": "error",
                    "type": "InternalServerError",
                    "code": 500,
                    "message": "FakeVLLMServer: no scripted reply left and no responder",
                },
            )
        elif reply.kind == "status":
            self._json(
                reply.status,
                {"object": "error", "type": "InternalServerError", "code": reply.status, "message": "scripted failure"},
            )
        elif reply.kind == "malformed":
            self._raw(200, b'{"id": "chatcmpl-broken", "choices": [', "application/json")
        elif reply.kind == "hang":
            self.fake._stopping.wait(reply.hang_s)
            with contextlib.suppress(ConnectionError):  # the client gave up long ago, as it should
                self._json(504, {"object": "error", "message": "hung", "type": "Timeout", "code": 504})
        elif body.get("stream"):
            self._stream(body, reply)
        else:
            self._json(200, self._completion(body, reply))

    # --- vLLM's shapes -------------------------------------------------------------------------
    def _completion(self, body: dict[str, Any], reply: Reply) -> dict[str, Any]:
        message: dict[str, Any] = {
            "role": "assistant",
            "reasoning_content": None,
            "content": reply.content,
            "tool_calls": reply.tool_calls,
        }
        return {
            "id": f"chatcmpl-{uuid.uuid4().hex}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", self.fake.model),
            "choices": [
                {
                    "index": 0,
                    "message": message,
                    "logprobs": None,
                    "finish_reason": "tool_calls" if reply.tool_calls else "stop",
                    "stop_reason": None,
                }
            ],
            "usage": {"prompt_tokens": 321, "completion_tokens": 12, "total_tokens": 333},
            "prompt_logprobs": None,
        }

    def _stream(self, body: dict[str, Any], reply: Reply) -> None:
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("connection", "close")
        self.end_headers()
        base = {
            "id": f"chatcmpl-{uuid.uuid4().hex}",
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": body.get("model", self.fake.model),
        }
        first_token = True
        for delta, finish in _deltas(reply):
            if delta.get("content") and reply.token_interval_s:
                time.sleep(reply.token_interval_s)
            self._event({**base, "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]})
            if delta.get("content") and first_token:
                first_token = False
                self.fake.first_token_at.append(time.perf_counter())
        if (body.get("stream_options") or {}).get("include_usage"):
            self._event(
                {**base, "choices": [], "usage": {"prompt_tokens": 321, "completion_tokens": 12, "total_tokens": 333}}
            )
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()
        self.close_connection = True

    def _event(self, data: dict[str, Any]) -> None:
        self.wfile.write(f"data: {json.dumps(data, ensure_ascii=False)}\n\n".encode())
        self.wfile.flush()

    def _json(self, status: int, data: dict[str, Any]) -> None:
        self._raw(status, json.dumps(data, ensure_ascii=False).encode(), "application/json")

    def _raw(self, status: int, payload: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("content-type", content_type)
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)
        self.wfile.flush()


def _deltas(reply: Reply) -> Iterator[tuple[dict[str, Any], str | None]]:
    """The deltas vLLM streams for a reply: role, content tokens, tool-call pieces, finish."""
    yield {"role": "assistant", "content": ""}, None
    for token in _TOKENS.findall(reply.content or ""):
        yield {"content": token}, None
    for index, call in enumerate(reply.tool_calls):
        yield (
            {
                "tool_calls": [
                    {
                        "id": call["id"],
                        "type": "function",
                        "index": index,
                        "function": {"name": call["function"]["name"], "arguments": ""},
                    }
                ]
            },
            None,
        )
        arguments = call["function"]["arguments"]
        for start in range(0, len(arguments), 7):  # arguments arrive in small, arbitrary pieces
            yield {"tool_calls": [{"index": index, "function": {"arguments": arguments[start : start + 7]}}]}, None
    yield {"content": ""}, "tool_calls" if reply.tool_calls else "stop"


def free_port() -> int:
    """A port on 127.0.0.1 nothing listens on (for 'connection refused')."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


if __name__ == "__main__":  # a FAKE `vllm serve ... --port P` for launcher tests: logs like vLLM, then serves
    import sys

    args = sys.argv[1:]
    model = args[1] if len(args) > 1 and args[0] == "serve" else DEFAULT_MODEL
    fake = FakeVLLMServer(model=model, port=int(args[args.index("--port") + 1]) if "--port" in args else 8000)
    fake.start()
    print(
        f"INFO vllm.entrypoints.openai.api_server: vLLM API server started on http://127.0.0.1:{fake.port}", flush=True
    )
    threading.Event().wait()
