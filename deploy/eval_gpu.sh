#!/usr/bin/env bash
# Measure Qwen3-4B-Instruct-2507 on a GPU machine (README "Measure the model"):
# serve it with vLLM, run the suite k times with ReturnDesk's graph and the plain tool-calling
# baseline side by side (the same vLLM plays the simulated customers), write the table, JSON and plot.
#   deploy/eval_gpu.sh                                   # 4 trials, results in eval-results/gpu-<time>/
#   TRIALS=8 JOBS=8 deploy/eval_gpu.sh --only return     # anything after the script's name goes to `returndesk eval`
#   USER_MODEL_URL=http://other-host:8001/v1 deploy/eval_gpu.sh   # another model plays the customers
set -euo pipefail
cd "$(dirname "$0")/.."
RD=.venv/bin/returndesk
PORT=${VLLM_PORT:-8000}
URL=http://127.0.0.1:${PORT}/v1
OUT=${OUT:-eval-results/gpu-$(date -u +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"

"$RD" vllm --port "$PORT" --ready-timeout "${VLLM_READY_TIMEOUT:-1800}" > "$OUT/vllm.log" 2>&1 &
VLLM_PID=$!
trap 'kill "$VLLM_PID" 2>/dev/null || true' EXIT
echo "waiting for vLLM on $URL (log: $OUT/vllm.log) ..."
for _ in $(seq 1 "${VLLM_READY_TIMEOUT:-1800}"); do
  if curl -sf "$URL/models" > /dev/null; then break; fi
  if ! kill -0 "$VLLM_PID" 2>/dev/null; then echo "vLLM exited; see $OUT/vllm.log" >&2; exit 1; fi
  sleep 1
done
curl -sf "$URL/models" > /dev/null || { echo "vLLM did not answer in time; see $OUT/vllm.log" >&2; exit 1; }

"$RD" eval --trials "${TRIALS:-4}" --baseline --jobs "${JOBS:-4}" \
  --model-url "$URL" --user-model-url "${USER_MODEL_URL:-$URL}" --out "$OUT" "$@" | tee "$OUT/table.txt"
echo "table: $OUT/table.txt  results: $OUT/results.json  plot: $OUT/passk.png"
