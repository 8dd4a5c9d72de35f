"""`returndesk vllm`: serve Qwen3-4B-Instruct-2507 with vLLM, wait until it answers, print the env line.

Runs `vllm serve <model> --enable-auto-tool-choice --tool-call-parser hermes` plus the sizing
options below, echoes vLLM's log, and declares it ready when `/v1/models` answers (the log line
"vLLM API server started on ..." / uvicorn's startup line is reported as it appears). Needs a GPU
machine with the `vllm` extra installed: `pip install -e '.[vllm]'`.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
import threading

import typer

from core.settings import DEFAULT_MODEL
from deploy.readiness import base_url_for, wait_until_answers

READY_LOG_LINES = (
    "vLLM API server started on",
    "Starting vLLM API server",
    "Application startup complete",
    "Uvicorn running on",
)
INSTALL_HINT = "vLLM is not installed here. On a GPU machine: pip install -e '.[vllm]'"


def vllm_command(
    vllm_bin: str,
    *,
    model: str,
    host: str,
    port: int,
    max_model_len: int,
    max_num_seqs: int,
    gpu_memory_utilization: float,
    tensor_parallel_size: int,
    quantization: str | None,
    served_model_name: str | None,
    extra: list[str],
) -> list[str]:
    command = [
        *shlex.split(vllm_bin),
        "serve",
        model,
        "--enable-auto-tool-choice",
        "--tool-call-parser",
        "hermes",
        "--host",
        host,
        "--port",
        str(port),
        "--max-model-len",
        str(max_model_len),
        "--max-num-seqs",
        str(max_num_seqs),
        "--gpu-memory-utilization",
        str(gpu_memory_utilization),
        "--tensor-parallel-size",
        str(tensor_parallel_size),
    ]
    if quantization:
        command += ["--quantization", quantization]
    if served_model_name:
        command += ["--served-model-name", served_model_name]
    return command + extra


def wait_until_ready(process: subprocess.Popen[str], base_url: str, timeout_s: float, poll_s: float = 2.0) -> bool:
    """Echo the server's log; True once `/v1/models` answers 200, False if it exits or times out."""
    saw_log_line = threading.Event()

    def echo() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            sys.stdout.write(line)
            if any(marker in line for marker in READY_LOG_LINES):
                saw_log_line.set()  # a startup log line means: poll again right away

    threading.Thread(target=echo, name="vllm-log", daemon=True).start()
    return wait_until_answers(process, base_url + "/models", timeout_s, poll_s, wake=saw_log_line)


def vllm(
    model: str = typer.Option(
        DEFAULT_MODEL, help="Hugging Face id or local path (a quantised one, e.g. an AWQ repo, works too)."
    ),
    host: str = typer.Option("127.0.0.1", help="Bind address of the vLLM server."),
    port: int = typer.Option(8000, help="Port of the vLLM server."),
    max_model_len: int = typer.Option(32768, help="Context length (the model supports 262144; less saves memory)."),
    max_num_seqs: int = typer.Option(16, help="Concurrent sequences (conversations served at once)."),
    gpu_memory_utilization: float = typer.Option(0.90, help="Fraction of GPU memory vLLM may use."),
    tensor_parallel_size: int = typer.Option(1, help="Number of GPUs to shard the model over."),
    quantization: str | None = typer.Option(None, help="vLLM --quantization method, e.g. awq, gptq, fp8."),
    served_model_name: str | None = typer.Option(None, help="Name clients use (default: the model id)."),
    vllm_bin: str = typer.Option("vllm", help="The vllm executable."),
    ready_timeout: float = typer.Option(1800.0, help="Seconds to wait for readiness (first run downloads ~8 GB)."),
    print_command: bool = typer.Option(False, "--print-command", help="Print the command and exit (dry run)."),
    extra: list[str] = typer.Argument(None, help="Further `vllm serve` arguments, after `--`."),
) -> None:
    """Serve Qwen3-4B-Instruct-2507 with vLLM (tool calling on) and print the line that points ReturnDesk at it."""
    command = vllm_command(
        vllm_bin,
        model=model,
        host=host,
        port=port,
        max_model_len=max_model_len,
        max_num_seqs=max_num_seqs,
        gpu_memory_utilization=gpu_memory_utilization,
        tensor_parallel_size=tensor_parallel_size,
        quantization=quantization,
        served_model_name=served_model_name,
        extra=list(extra or []),
    )
    base_url = base_url_for(host, port)
    env_line = f"RETURNDESK_LLM_BASE_URL={base_url} RETURNDESK_LLM_MODEL={served_model_name or model}"
    if print_command:
        typer.echo(shlex.join(command))
        typer.echo(env_line)
        return
    if shutil.which(command[0]) is None:
        typer.echo(INSTALL_HINT, err=True)
        raise typer.Exit(2)
    typer.echo(f"Starting: {shlex.join(command)}")
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
    try:
        if not wait_until_ready(process, base_url, ready_timeout):
            typer.echo(f"vLLM did not become ready (exit code {process.poll()}); see its log above.", err=True)
            raise typer.Exit(1)
        typer.echo(f"\nvLLM is ready. Point ReturnDesk at it:\n  {env_line} returndesk serve\n")
        raise typer.Exit(process.wait())
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=30)
