#!/usr/bin/env bash
# Bounded-time fuzzing of datafactory's input parsers. Not part of CI (see README.md).
#
#   fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]
#
# SECONDS_PER_TARGET defaults to 300; TARGETs default to all four (url_list robots extract
# llm_answer). Targets run one after another, each a single libFuzzer process (no -jobs,
# -workers or -fork: the machine has 2 cores shared with other work).
#
# Environment:
#   FUZZ_SANITIZER  address (default) or none: `cargo fuzz --sanitizer`
#   FUZZ_CMIN=1     minimise each target's corpus with `cargo fuzz cmin` after its run
#   FUZZ_EXTRA_FLAGS  more libFuzzer flags for every target, e.g. "-max_len=4096"
#
# Corpora live in fuzz/corpus/<target>/ (kept in git), crash/timeout/oom artifacts in
# fuzz/artifacts/<target>/, full libFuzzer logs in fuzz/logs/ (ignored), and a results table is
# appended to fuzz/results/<UTC date>.md.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
secs=${1:-300}
[ $# -gt 0 ] && shift
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(url_list robots extract llm_answer)
sanitizer=${FUZZ_SANITIZER:-address}

if ! [[ $secs =~ ^[0-9]+$ ]] || [ "$secs" -lt 1 ]; then
    echo "usage: fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]" >&2
    exit 2
fi

# cargo-fuzz, installed into the main workspace's (ignored) target dir, never globally.
tools=$root/target/fuzz-tools
export PATH=$tools/bin:$PATH
if ! [ -x "$tools/bin/cargo-fuzz" ]; then
    echo "== installing cargo-fuzz into $tools"
    cargo install cargo-fuzz --locked --root "$tools"
fi
# cargo-fuzz passes nightly-only flags (-Zsanitizer, sancov passes); this lets the stable
# toolchain accept them.
export RUSTC_BOOTSTRAP=1

# Same flags for every target: a unit taking >10 s is a hang, >2 GiB RSS is a blow-up.
libfuzzer_flags=(-max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1)
# shellcheck disable=SC2206 # word splitting wanted
[ -n "${FUZZ_EXTRA_FLAGS:-}" ] && libfuzzer_flags+=(${FUZZ_EXTRA_FLAGS})

cd "$here"
# Build every target first, then run the binaries: one consistent snapshot of shared/ for the
# whole session (others may be editing it), and no rebuild eating into a target's time.
# Running the binary is what `cargo fuzz run` does after its build step.
echo "== building ${targets[*]} (sanitizer: $sanitizer)"
for t in "${targets[@]}"; do
    [ -f "fuzz_targets/$t.rs" ] || { echo "no such target: $t" >&2; exit 2; }
    cargo fuzz build --sanitizer "$sanitizer" "$t"
done
bin_dir=$here/target/$(rustc -vV | sed -n 's/^host: //p')/release
# What was built: the commit, and whether shared/ had uncommitted changes at build time.
built_from="$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')"
if ! git -C "$root" diff --quiet HEAD -- shared 2>/dev/null ||
    [ -n "$(git -C "$root" ls-files --others --exclude-standard -- shared 2>/dev/null)" ]; then
    built_from="$built_from + uncommitted changes in shared/"
fi
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_odr_violation=0

stamp=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p logs results
results=results/$(date -u +%F).md
summary=()

count_files() { find "$1" -maxdepth 1 -type f 2>/dev/null | wc -l; }
count_bytes() { find "$1" -maxdepth 1 -type f -printf '%s\n' 2>/dev/null | awk '{s+=$1} END {print s+0}'; }
stat_of() { sed -n "s/^stat::$2: *//p" "$1" | tail -1; }

for t in "${targets[@]}"; do
    corpus=corpus/$t
    artifacts=artifacts/$t
    mkdir -p "$corpus" "$artifacts"
    log=logs/$stamp-$t.log
    files_before=$(count_files "$corpus")
    marker=$(mktemp)
    echo "== fuzzing $t for ${secs}s (corpus $corpus: $files_before files; log $log)"
    start=$(date +%s)
    set +e
    # As `cargo fuzz run $t $corpus -- FLAGS` does: new inputs go to the first corpus directory,
    # crashes to artifacts/<target>/.
    "$bin_dir/$t" -artifact_prefix="$here/$artifacts/" "${libfuzzer_flags[@]}" "$corpus" >"$log" 2>&1
    rc=$?
    set -e
    elapsed=$(($(date +%s) - start))
    if [ "${FUZZ_CMIN:-0}" = 1 ]; then
        echo "== cmin $t"
        cargo fuzz cmin --sanitizer "$sanitizer" "$t" "$corpus" >"logs/$stamp-$t.cmin.log" 2>&1 ||
            echo "   cmin failed, see logs/$stamp-$t.cmin.log"
    fi
    execs=$(stat_of "$log" number_of_executed_units)
    if [ -z "$execs" ]; then
        # No final stats (killed?): the last status line, "#N ...".
        execs=$(grep -aoE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
    fi
    execs=${execs:-0}
    eps=$(stat_of "$log" average_exec_per_sec)
    eps=${eps:-$((execs / (elapsed > 0 ? elapsed : 1)))}
    rss=$(stat_of "$log" peak_rss_mb)
    # crash-*, timeout-*, oom-*, leak-* (libFuzzer's names); slow-unit-* are not failures.
    new_crashes=$(find "$artifacts" -maxdepth 1 -type f -newer "$marker" \
        \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' -o -name 'leak-*' \) | wc -l)
    rm -f "$marker"
    files_after=$(count_files "$corpus")
    bytes_after=$(count_bytes "$corpus")
    case $rc in
        0) status=ok ;;
        *) status="stopped (exit $rc): $(grep -aE 'ERROR: libFuzzer|panicked at|SUMMARY:|Test unit written' "$log" | head -3 | tr '\n' ' ' | cut -c1-200)" ;;
    esac
    [ "$rc" != 0 ] && [ "$new_crashes" = 0 ] && status="$status (no artifact: see $log)"
    echo "   $t: ${elapsed}s, $execs execs, $eps exec/s, corpus $files_before -> $files_after files ($bytes_after bytes), new artifacts: $new_crashes, peak RSS ${rss:-?} MB, $status"
    summary+=("| $t | $elapsed | $execs | $eps | $files_before → $files_after | $bytes_after | $new_crashes | ${rss:-?} | $status |")
done

{
    [ -s "$results" ] || printf '# Fuzzing results %s\n' "$(date -u +%F)"
    printf '\n## Run %s\n\n' "$stamp"
    printf 'Built from %s; %s; sanitizer `%s`; libFuzzer flags `%s`%s.\n\n' \
        "$built_from" "$(rustc --version)" "$sanitizer" "${libfuzzer_flags[*]}" \
        "$([ "${FUZZ_CMIN:-0}" = 1 ] && echo '; corpora minimised with cargo fuzz cmin after each run')"
    echo '| target | seconds | executions | exec/s | corpus files | corpus bytes | new artifacts | peak RSS MB | status |'
    echo '|---|---:|---:|---:|---|---:|---:|---:|---|'
    printf '%s\n' "${summary[@]}"
} >>"$results"

echo
echo "== summary (also appended to fuzz/$results)"
printf '%-11s %8s %12s %8s %14s %12s %8s\n' target seconds executions exec/s corpus_files corpus_bytes crashes
for line in "${summary[@]}"; do
    IFS='|' read -r _ t s e r c b n _ _ <<<"$line"
    printf '%-11s %8s %12s %8s %14s %12s %8s\n' $t $s $e $r "$(echo $c | tr -d ' ')" $b $n
done
