#!/usr/bin/env bash
# Side-by-side benchmark: our code and the Python anchors on the same inputs, in the same run,
# one core each (taskset -c 0), alternating per case so background noise hits both sides.
# Usage: bench/run.sh [REPEAT] [ROUNDS]      (defaults 10 and 5)
# Writes bench/results/<date>.md and prints it. Timings are never pass/fail.
set -euo pipefail
cd "$(dirname "$0")/.."
REPEAT=${1:-10}
ROUNDS=${2:-5}
CORPUS=examples/corpus
OUT=bench/results/$(date +%Y-%m-%d).md
RAW=$(mktemp)

if [ ! -x bench/.venv/bin/python ]; then
    python3 -m venv bench/.venv
    bench/.venv/bin/pip install -q -r bench/python/requirements.txt
fi
# tiktoken loads its BPE file from the copy tiktoken-rs ships: nothing is downloaded.
export TIKTOKEN_CACHE_DIR=$PWD/bench/.venv/tiktoken-cache
BPE=$(ls ~/.cargo/registry/src/*/tiktoken-rs-*/assets/cl100k_base.tiktoken 2>/dev/null | head -n1 || true)
if [ -z "$BPE" ]; then cargo fetch -q; BPE=$(ls ~/.cargo/registry/src/*/tiktoken-rs-*/assets/cl100k_base.tiktoken | head -n1); fi
bench/.venv/bin/python bench/python/prepare_tiktoken.py "$TIKTOKEN_CACHE_DIR" "$BPE" >/dev/null

cargo build -q --release --example bench-harness
for case in extract tokens chunk minhash refine; do
    echo "case $case" >&2
    taskset -c 0 target/release/examples/bench-harness --corpus "$CORPUS" --repeat "$REPEAT" --rounds "$ROUNDS" --case "$case" >>"$RAW"
    taskset -c 0 bench/.venv/bin/python bench/python/anchors.py --corpus "$CORPUS" --repeat "$REPEAT" --rounds "$ROUNDS" --case "$case" >>"$RAW"
done
python3 bench/report.py "$RAW" "$REPEAT" "$ROUNDS" >"$OUT"
cat "$OUT"
