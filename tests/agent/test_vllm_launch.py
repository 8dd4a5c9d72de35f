"""`returndesk vllm`: the command it runs, the error without vLLM, and readiness (against a FAKE vllm)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from tests.fakes.vllm_server import free_port
from ui.cli import app
from ui.cli_vllm import base_url_for, wait_until_ready

FAKE_VLLM = f"{sys.executable} {Path(__file__).parents[1] / 'fakes' / 'vllm_server.py'}"


def test_print_command_shows_the_tool_calling_serve_command_and_the_env_line() -> None:
    result = CliRunner().invoke(
        app,
        [
            "vllm",
            "--print-command",
            "--host",
            "0.0.0.0",
            "--port",
            "8001",
            "--max-model-len",
            "16384",
            "--max-num-seqs",
            "8",
            "--gpu-memory-utilization",
            "0.8",
            "--tensor-parallel-size",
            "2",
            "--quantization",
            "fp8",
            "--",
            "--enforce-eager",
        ],
    )
    assert result.exit_code == 0, result.output
    command, env_line = result.output.strip().splitlines()
    assert command.startswith(
        "vllm serve Qwen/Qwen3-4B-Instruct-2507 --enable-auto-tool-choice --tool-call-parser hermes"
    )
    for flag in (
        "--host 0.0.0.0",
        "--port 8001",
        "--max-model-len 16384",
        "--max-num-seqs 8",
        "--gpu-memory-utilization 0.8",
        "--tensor-parallel-size 2",
        "--quantization fp8",
        "--enforce-eager",
    ):
        assert flag in command
    assert env_line == (
        "RETURNDESK_LLM_BASE_URL=http://127.0.0.1:8001/v1 RETURNDESK_LLM_MODEL=Qwen/Qwen3-4B-Instruct-2507"
    )


def test_without_vllm_installed_the_command_says_how_to_install_it() -> None:
    result = CliRunner().invoke(app, ["vllm", "--vllm-bin", "surely-not-an-installed-vllm"])
    assert result.exit_code == 2
    assert "pip install -e '.[vllm]'" in result.output


def test_readiness_waits_for_the_model_list_of_the_started_server() -> None:
    port = free_port()
    process = subprocess.Popen(
        [*FAKE_VLLM.split(), "serve", "Qwen/Qwen3-4B-Instruct-2507", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert wait_until_ready(process, base_url_for("0.0.0.0", port), timeout_s=60, poll_s=0.2)
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_a_server_that_dies_while_loading_is_reported_not_awaited() -> None:
    dying = subprocess.Popen(
        [sys.executable, "-c", "print('torch.OutOfMemoryError: CUDA out of memory'); exit(1)"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert not wait_until_ready(dying, base_url_for("127.0.0.1", free_port()), timeout_s=60, poll_s=0.2)
    assert dying.returncode == 1
