"""Fresh clone to first page: `git clone` of this repository's HEAD, then `make demo` (builds .venv with uv,
seeds, starts the carrier and the web server) until GET / answers 200; then a restart (data present).

The baseline, in the same run and the same way: a fresh venv holding only FastAPI and uvicorn (the Makefile's
uv makes it and installs them from the same cache), serving bench/bare_app.py until /healthz answers 200.
Both use the machine's caches as they are (~/.cache/uv, and uv in ~/.cache/returndesk): warm caches are what
a second clone on a machine sees.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from bench.servers import REPO, free_port


def _until_ok(url: str, proc: subprocess.Popen[bytes], log: Path, started: float, timeout_s: float) -> float:
    while time.perf_counter() - started < timeout_s:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args} exited:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return time.perf_counter() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} never answered 200:\n{log.read_text(errors='replace')[-3000:]}")


def _timed(command: list[str], cwd: Path, env: dict[str, str], url: str, log: Path, timeout_s: float = 600) -> float:
    """Seconds from starting `command` until `url` answers 200; then stops its whole process group."""
    started = time.perf_counter()
    with log.open("ab") as out:
        proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            return _until_ok(url, proc, log, started, timeout_s)
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)


def _env(port: int, carrier_port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RETURNDESK_", "VIRTUAL_ENV"))}
    env.update(RETURNDESK_HOST="127.0.0.1", RETURNDESK_PORT=str(port), RETURNDESK_CARRIER_PORT=str(carrier_port))
    return env


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def run(workdir: Path) -> dict[str, Any]:
    workdir.mkdir(parents=True, exist_ok=True)
    clone = workdir / "clone"
    shutil.rmtree(clone, ignore_errors=True)
    load_before = _load()
    started = time.perf_counter()
    subprocess.run(["git", "clone", "--quiet", str(REPO), str(clone)], check=True)
    clone_s = time.perf_counter() - started
    port, carrier_port = free_port(), free_port()
    env, page = _env(port, carrier_port), f"http://127.0.0.1:{port}/"
    first_s = clone_s + _timed(["make", "demo"], clone, env, page, workdir / "first.log")
    restart_s = _timed(["make", "demo"], clone, env, page, workdir / "restart.log")

    bare = workdir / "bare-venv"
    shutil.rmtree(bare, ignore_errors=True)
    started = time.perf_counter()
    uv = Path.home() / ".cache/returndesk/uv-venv/bin/uv"  # the Makefile's uv, which `make demo` just ensured
    subprocess.run([uv, "venv", "--quiet", "--seed", "--python", sys.executable, bare], check=True)
    install = [uv, "pip", "install", "--quiet", "--python", bare / "bin/python", "fastapi", "uvicorn"]
    subprocess.run(install, check=True)
    venv_s = time.perf_counter() - started
    serve = [str(bare / "bin/python"), "-m", "uvicorn", "bench.bare_app:app", "--host", "127.0.0.1"]
    serve += ["--port", str(port)]
    health = f"http://127.0.0.1:{port}/healthz"
    bare_first_s = venv_s + _timed(serve, clone, env, health, workdir / "bare.log")
    bare_restart_s = _timed(serve, clone, env, health, workdir / "bare.log")
    return {
        "load_before": load_before,
        "load_after": _load(),
        "first_page_s": round(first_s, 1),
        "bare_fastapi_first_s": round(bare_first_s, 1),
        "first_ratio": round(first_s / bare_first_s, 2),
        "restart_page_s": round(restart_s, 1),
        "bare_fastapi_restart_s": round(bare_restart_s, 1),
        "restart_ratio": round(restart_s / bare_restart_s, 2),
    }
