"""Running llama.cpp's `llama-server`: its command line, start-up, readiness and shutdown.

Used by `returndesk llama` (ui/cli_llama.py) and by the real-model tests (tests/llm/). The server
speaks the OpenAI API under `/v1` and answers `/health` with 200 once the model is loaded (503
while loading). `--jinja` makes it render the GGUF's own chat template with the request's
`tools`, and parse the model's tool calls back into `tool_calls`.
"""

from __future__ import annotations

import os
import socket
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from deploy.readiness import base_url_for, wait_until_answers


def llama_server_command(
    binary: Path | str,
    *,
    model: Path | str,
    host: str = "127.0.0.1",
    port: int = 8080,
    ctx_size: int = 8192,
    threads: int | None = None,
    chat_template_file: Path | str | None = None,
    alias: str | None = None,
    extra: list[str] | None = None,
) -> list[str]:
    """The `llama-server` command line ReturnDesk serves a GGUF with."""
    command = [
        str(binary),
        "--model",
        str(model),
        "--host",
        host,
        "--port",
        str(port),
        "--ctx-size",
        str(ctx_size),
        "--jinja",
        "--no-webui",
    ]
    if threads:
        command += ["--threads", str(threads)]
    if chat_template_file:
        command += ["--chat-template-file", str(chat_template_file)]
    if alias:
        command += ["--alias", alias]
    return command + list(extra or [])


def free_port() -> int:
    """A loopback port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_healthy(
    process: subprocess.Popen[bytes] | subprocess.Popen[str], base_url: str, timeout_s: float, poll_s: float = 0.2
) -> bool:
    """Poll `/health` until it answers 200: True; False if the process exits or the deadline passes."""
    return wait_until_answers(process, base_url.removesuffix("/v1") + "/health", timeout_s, poll_s)


@dataclass
class LlamaServer:
    """One `llama-server` process on loopback; a context manager that starts it and waits for health.

    with LlamaServer(binary, model, log_path=tmp / "llama.log") as server:
        httpx.get(server.base_url + "/models")
    """

    binary: Path
    model: Path
    port: int = field(default_factory=free_port)
    ctx_size: int = 8192
    threads: int | None = None
    extra: list[str] = field(default_factory=list)
    log_path: Path | None = None
    ready_timeout_s: float = 120.0
    process: subprocess.Popen[bytes] | None = None
    _log: IO[bytes] | None = None

    @property
    def base_url(self) -> str:
        return base_url_for("127.0.0.1", self.port)

    @property
    def command(self) -> list[str]:
        return llama_server_command(
            self.binary,
            model=self.model,
            port=self.port,
            ctx_size=self.ctx_size,
            threads=self.threads,
            extra=self.extra,
        )

    def start(self) -> LlamaServer:
        self._log = open(self.log_path, "wb") if self.log_path else None  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            self.command,
            stdout=self._log or subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            env={**os.environ, "LLAMA_LOG_COLORS": "off"},
        )
        if not wait_until_healthy(self.process, self.base_url, self.ready_timeout_s):
            code = self.process.poll()
            self.stop()
            tail = self.log_path.read_text(errors="replace")[-2000:] if self.log_path else ""
            raise RuntimeError(f"llama-server did not become healthy (exit code {code}):\n{tail}")
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> LlamaServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
