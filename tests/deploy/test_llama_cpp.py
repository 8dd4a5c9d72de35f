"""Building llama-server once per machine, and `returndesk llama`'s command line (no build here)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from deploy import llama_cpp
from ui.cli import app


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("RETURNDESK_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def fake_build(calls: list[str], release: threading.Event | None = None):
    """A stand-in for cmake (the real build takes ~11 minutes): writes an executable at the target."""

    def build(work: Path, target: Path, version: str, log: object) -> None:
        calls.append(version)
        if release is not None:
            assert release.wait(30), "the second caller never waited for the lock"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("#!/bin/sh\n")
        target.chmod(0o755)

    return build


def test_the_binary_lands_in_the_cache_outside_the_work_tree(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    monkeypatch.setattr(llama_cpp, "build_llama_server", fake_build(calls))

    path = llama_cpp.ensure_llama_server(log=lambda line: None)

    assert path == cache / "llama.cpp" / llama_cpp.LLAMA_CPP_PYTHON_VERSION / "bin" / "llama-server"
    assert calls == [llama_cpp.LLAMA_CPP_PYTHON_VERSION]
    left = {p.name for p in (cache / "llama.cpp" / llama_cpp.LLAMA_CPP_PYTHON_VERSION).iterdir()}
    assert left == {"bin", "build.lock"}, "the build directory is gone"


def test_a_second_run_finds_the_cached_binary_and_builds_nothing(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    monkeypatch.setattr(llama_cpp, "build_llama_server", fake_build(calls))
    first = llama_cpp.ensure_llama_server(log=lambda line: None)

    second = llama_cpp.ensure_llama_server(log=lambda line: None)

    assert first == second and len(calls) == 1


def test_two_concurrent_runs_build_once(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    waiting = threading.Event()
    monkeypatch.setattr(llama_cpp, "build_llama_server", fake_build(calls, release=waiting))
    results: list[Path] = []

    def second_caller_log(line: str) -> None:
        if "waiting" in line:
            waiting.set()  # it is blocked on the lock: let the first build finish

    first = threading.Thread(target=lambda: results.append(llama_cpp.ensure_llama_server(log=lambda line: None)))
    first.start()
    while not calls:  # the first caller holds the lock and is building
        first.join(0.01)
    results.append(llama_cpp.ensure_llama_server(log=second_caller_log))
    first.join(30)

    assert len(calls) == 1 and len(set(results)) == 1 and len(results) == 2


def test_the_build_uses_the_checked_cmake_options() -> None:
    options = set(llama_cpp.CMAKE_OPTIONS)
    assert {
        "-DLLAMA_BUILD_SERVER=ON",
        "-DLLAMA_BUILD_UI=OFF",
        "-DLLAMA_USE_PREBUILT_UI=OFF",
        "-DLLAMA_CURL=OFF",
        "-DLLAMA_OPENSSL=OFF",
        "-DLLAMA_BUILD_TESTS=OFF",
        "-DLLAMA_BUILD_EXAMPLES=OFF",
        "-DGGML_NATIVE=OFF",
        "-DBUILD_SHARED_LIBS=OFF",
    } <= options


def test_print_command_shows_the_tool_calling_serve_command_and_the_env_line(cache: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "llama",
            "--print-command",
            "--model",
            "/models/qwen3-4b-instruct-2507-q4_k_m.gguf",
            "--port",
            "9000",
            "--threads",
            "2",
            "--chat-template-file",
            "/t/qwen3.jinja",
        ],
    )

    assert result.exit_code == 0, result.output
    command, env_line = result.output.strip().splitlines()
    assert command.startswith(str(cache / "llama.cpp" / llama_cpp.LLAMA_CPP_PYTHON_VERSION / "bin" / "llama-server"))
    for part in (
        "--model /models/qwen3-4b-instruct-2507-q4_k_m.gguf",
        "--jinja",
        "--ctx-size 8192",
        "--port 9000",
        "--threads 2",
        "--chat-template-file /t/qwen3.jinja",
    ):
        assert part in command
    assert env_line == "RETURNDESK_LLM_BASE_URL=http://127.0.0.1:9000/v1 returndesk serve"


def test_without_a_model_it_serves_the_cached_demo_model(cache: Path) -> None:
    result = CliRunner().invoke(app, ["llama", "--print-command"])

    assert f"--model {cache / 'models' / llama_cpp.SMOLLM2_FILE}" in result.output


def test_a_missing_gguf_is_reported_not_started(cache: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["llama", "--model", str(tmp_path / "nope.gguf"), "--llama-server", "/bin/true"])

    assert result.exit_code == 2 and "No such GGUF file" in result.output
