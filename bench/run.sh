#!/usr/bin/env bash
# Side-by-side benchmark: our code and the Python anchors on the same inputs, in the same run,
# one core each (taskset -c 0), alternating round by round so background noise hits both sides.
# Usage: [CASES="chunk refine"] bench/run.sh [REPEAT] [ROUNDS]      (defaults: every case, 10 and 5)
# Writes bench/results/<date>.md (appends when it exists) and prints the report. Timings are never pass/fail.
set -euo pipefail
cd "$(dirname "$0")/.."
REPEAT=${1:-10}
ROUNDS=${2:-5}
CORPUS=examples/corpus
OUT=bench/results/$(date +%Y-%m-%d).md
RAW=$(mktemp)

# The virtualenv is (re)filled whenever the pinned requirements change, not only when it is new.
STAMP=bench/.venv/requirements.sha256
WANT=$(cat bench/python/requirements.txt bench/python/requirements-nodeps.txt | sha256sum | cut -d' ' -f1)
if [ ! -x bench/.venv/bin/python ] || [ "$(cat "$STAMP" 2>/dev/null)" != "$WANT" ]; then
    [ -x bench/.venv/bin/python ] || python3 -m venv bench/.venv
    bench/.venv/bin/pip install -q -r bench/python/requirements.txt
    bench/.venv/bin/pip install -q --no-deps -r bench/python/requirements-nodeps.txt
    echo "$WANT" >"$STAMP"
fi
# tiktoken loads its BPE file from the copy tiktoken-rs ships: nothing is downloaded.
export TIKTOKEN_CACHE_DIR=$PWD/bench/.venv/tiktoken-cache
BPE=$(ls ~/.cargo/registry/src/*/tiktoken-rs-*/assets/cl100k_base.tiktoken 2>/dev/null | head -n1 || true)
if [ -z "$BPE" ]; then cargo fetch -q; BPE=$(ls ~/.cargo/registry/src/*/tiktoken-rs-*/assets/cl100k_base.tiktoken | head -n1); fi
bench/.venv/bin/python bench/python/prepare_tiktoken.py "$TIKTOKEN_CACHE_DIR" "$BPE" >/dev/null

cargo build -q --release --example bench-harness
# Round by round, ours then theirs: a burst of load from a neighbour on this shared machine then
# slows one round of each side rather than all the rounds of one; report.py takes the medians.
for case in ${CASES:-extract tokens chunk minhash refine}; do
    for ((round = 1; round <= ROUNDS; round++)); do
        echo "case $case, round $round/$ROUNDS" >&2
        taskset -c 0 target/release/examples/bench-harness --corpus "$CORPUS" --repeat "$REPEAT" --rounds 1 --case "$case" >>"$RAW"
        taskset -c 0 bench/.venv/bin/python bench/python/anchors.py --corpus "$CORPUS" --repeat "$REPEAT" --rounds 1 --case "$case" >>"$RAW"
        # The Refiner is also timed against the Python stack running the same filter rules.
        if [ "$case" = refine ]; then
            taskset -c 0 bench/.venv/bin/python bench/python/anchors.py --corpus "$CORPUS" --repeat "$REPEAT" --rounds 1 --case refine-datatrove >>"$RAW"
        fi
    done
done
REPORT=$(python3 bench/report.py "$RAW" "$REPEAT" "$ROUNDS")
# A second run on the same day is added below the first, never written over it.
if [ -s "$OUT" ]; then
    printf '\n%s\n' "$(printf '%s\n' "$REPORT" | sed "1s|^# .*|## bench/run.sh again, $(date +%H:%M) UTC|")" >>"$OUT"
else
    printf '%s\n' "$REPORT" >"$OUT"
fi
printf '%s\n' "$REPORT"
