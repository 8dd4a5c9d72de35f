#!/usr/bin/env bash
# Serve Qwen3-4B-Instruct-2507 with vLLM for ReturnDesk, wait until ready, print the env line.
# Same as `returndesk vllm`; all options pass through (see `returndesk vllm --help`), e.g.
#   deploy/vllm_serve.sh --host 0.0.0.0 --max-model-len 16384 --gpu-memory-utilization 0.85
#   deploy/vllm_serve.sh --model Qwen/Qwen3-4B-Instruct-2507-FP8 --print-command
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -x .venv/bin/returndesk ]; then exec .venv/bin/returndesk vllm "$@"; fi
exec python -m ui.cli vllm "$@"
