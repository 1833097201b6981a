#!/usr/bin/env bash
# Crash anywhere, resume: SIGKILL the local run at random points, many times.
#
#   tests/faults/sigkill.sh [KILLS]      (default 100)
#
# Runs the scenario of tests/crash.rs (an uninterrupted run, then the same run killed at
# random points and rerun until one finishes; exports, fetches, LLM calls, cost, state and
# blobs compared) with a fresh random seed each time, until at least KILLS kills have been
# made in total. KILLS_PER_SCENARIO (default 10) caps the kills in one scenario. Prints one
# line per scenario and a summary; exits 1 if any scenario failed. Rerun a failure with
#   DATAFACTORY_CRASH_SEED=<seed> cargo nextest run --workspace --test crash --no-capture
set -uo pipefail

target_kills=${1:-100}
per_scenario=${KILLS_PER_SCENARIO:-10}
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

# Build once, then run copies of the binaries: a build started meanwhile in this tree (by
# someone else) must not swap the CLI between the uninterrupted run and the killed ones.
build_log=$(mktemp)
if ! cargo test --no-run --test crash >"$build_log" 2>&1; then
    cat "$build_log"
    echo "sigkill: build failed" >&2
    exit 2
fi
test_exe=$(grep -o '[^ (]*/deps/crash-[0-9a-f]*' "$build_log" | tail -1)
rm -f "$build_log"
if [[ -z "$test_exe" ]]; then
    echo "sigkill: cannot find the crash test executable" >&2
    exit 2
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$test_exe" "$work/crash-test"
cp "$(dirname "$(dirname "$test_exe")")/datafactory" "$work/datafactory"

scenarios=0 kills=0 runs=0 dup_fetches=0 dup_calls=0 failures=0 temps=0
failed_seeds=()
started=$(date +%s)
# Bounded even if runs end before their kill point every time.
while (( kills < target_kills && scenarios < 2 * target_kills + 10 )); do
    scenarios=$((scenarios + 1))
    seed=$(od -An -N8 -tu8 /dev/urandom | tr -d ' ')
    left=$((target_kills - kills))
    n=$(( left < per_scenario ? left : per_scenario ))
    out="$work/scenario-$scenarios.log"
    DATAFACTORY_CRASH_SEED=$seed DATAFACTORY_CRASH_ITERATIONS=$n \
        DATAFACTORY_CRASH_BIN="$work/datafactory" \
        "$work/crash-test" --exact killed_anywhere_the_rerun_resumes_to_the_same_dataset \
        --nocapture >"$out" 2>&1
    status=$?
    summary=$(grep '^crash-summary ' "$out" | tail -1)
    field() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<"$summary"; }
    k=$(field kills) r=$(field runs) df=$(field dup_fetches) dc=$(field dup_llm_calls)
    # A failure before the summary line still counts the kills made (one "kill N" line each).
    [[ -z "$k" ]] && k=$(grep -c '^kill [0-9]* after' "$out")
    [[ -z "$r" ]] && r=$(sed -n 's/^resumed job finished: \([0-9]*\) runs.*/\1/p' "$out")
    [[ -z "$r" ]] && r=$k
    bt=$(field blob_temp_files) et=$(field export_temp_files)
    temps=$((temps + ${bt:-0} + ${et:-0}))
    kills=$((kills + ${k:-0})) runs=$((runs + ${r:-0}))
    dup_fetches=$((dup_fetches + ${df:-0})) dup_calls=$((dup_calls + ${dc:-0}))
    if (( status == 0 )); then
        echo "scenario $scenarios: ok    seed=$seed kills=$k runs=$r dup_fetches=$df dup_llm_calls=$dc"
    else
        failures=$((failures + 1))
        failed_seeds+=("$seed")
        cp "$out" "$root/target/sigkill-failure-$seed.log" 2>/dev/null
        reason=$(grep -A2 "panicked at" "$out" | head -3 | tr '\n' ' ' | cut -c1-400)
        echo "scenario $scenarios: FAIL  seed=$seed kills=$k: $reason"
        echo "    full log: target/sigkill-failure-$seed.log"
    fi
done

echo
echo "== sigkill summary =="
echo "scenarios:          $scenarios"
echo "runs:               $runs (killed: $kills)"
echo "repeated fetches:   $dup_fetches (pages in flight at a kill, fetched again)"
echo "repeated LLM calls: $dup_calls (answers in flight at a kill, paid again)"
echo "kills landed in:    $(cat "$work"/scenario-*.log 2>/dev/null \
    | sed -n 's/^kill [0-9]* after [0-9]* ms (in \([a-z]*\)).*/\1/p' | sort | uniq -c \
    | awk '{printf "%s %s, ", $2, $1}' | sed 's/, $//')"
echo "temp files left:    $temps (interrupted blob writes and export builds; never read)"
echo "failures:           $failures"
if (( failures > 0 )); then
    echo "failed seeds:       ${failed_seeds[*]}"
fi
echo "wall time:          $(( $(date +%s) - started ))s"
(( failures == 0 ))
