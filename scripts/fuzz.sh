#!/usr/bin/env bash
# Fuzzes the event decoders (libs/events) with libFuzzer for a fixed time: installs what is missing,
# builds tests/fuzz with clang into build/fuzz (-fsanitize=fuzzer,address,undefined), replays
# tests/fuzz/regressions/, then fuzzes a scratch copy of tests/fuzz/corpus/ (the committed corpus
# is never written). Exits non-zero on any crash, leak, sanitizer report, timeout or broken
# property, and prints executions and coverage at the end. See tests/fuzz/README.md.
#
#   scripts/fuzz.sh              # 60 seconds
#   scripts/fuzz.sh --time 600   # a longer run
set -euo pipefail
cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.."

seconds=60
while (($#)); do
    case $1 in
        --time) seconds=${2:?--time needs a number of seconds}; shift 2 ;;
        --time=*) seconds=${1#--time=}; shift ;;
        -h | --help) sed -n '2,9s/^# \{0,1\}//p' "$0"; exit 0 ;;
        *) echo "fuzz: unknown argument '$1' (usage: scripts/fuzz.sh [--time SECONDS])" >&2; exit 2 ;;
    esac
done
[[ $seconds =~ ^[1-9][0-9]*$ ]] || { echo "fuzz: --time must be a positive number of seconds" >&2; exit 2; }

started=$SECONDS
scripts/install-deps.sh

build=build/fuzz
fuzzer=$build/decode_event_fuzzer
cmake -S tests/fuzz -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++-14 >/dev/null
cmake --build "$build" --parallel 2

symbolizer=/usr/lib/llvm-14/bin/llvm-symbolizer
export ASAN_OPTIONS="detect_leaks=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1:external_symbolizer_path=$symbolizer${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:external_symbolizer_path=$symbolizer${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"

# Prints a failed run's report: from the first error line to the end, bounded.
show_report() {
    awk '/ERROR: |==decode_event_fuzzer: |runtime error: |^SUMMARY: / { on = 1 } on' "$1" | head -n 150
}

# Every reproducer in tests/fuzz/regressions/ must pass before fuzzing starts.
mapfile -t regressions < <(find tests/fuzz/regressions -type f ! -name '.*' 2>/dev/null | sort)
if ((${#regressions[@]})); then
    echo "== replaying ${#regressions[@]} regression input(s) from tests/fuzz/regressions/"
    failed=0
    for input in "${regressions[@]}"; do
        if ! "$fuzzer" "$input" >"$build/regression.log" 2>&1; then
            echo "fuzz: FAILED regression $input"
            show_report "$build/regression.log"
            failed=1
        fi
    done
    if ((failed)); then exit 1; fi
fi

corpus=$build/corpus
artifacts=$build/artifacts
log=$build/fuzz.log
rm -rf "$corpus" "$artifacts"
mkdir -p "$corpus" "$artifacts"
cp tests/fuzz/corpus/* "$corpus/"

echo "== fuzzing for ${seconds}s ($(ls "$corpus" | wc -l) seed inputs; log: $log)"
fuzz_started=$SECONDS
status=0
"$fuzzer" "$corpus" \
    -max_total_time="$seconds" -max_len=70000 -timeout=10 -rss_limit_mb=2048 \
    -dict=tests/fuzz/events.dict -artifact_prefix="$artifacts/" -print_final_stats=1 \
    >"$log" 2>&1 || status=$?

# The final status line: "#N DONE cov: C ft: F corp: K/SIZE ..." (or the last one before a crash).
last=$(grep -E '^#[0-9]+[[:space:]]' "$log" | tail -n 1 || true)
field() { sed -nE "s/.*[[:space:]]$1:?[[:space:]]+([^[:space:]]+).*/\1/p" <<<"$last"; }
edges=$(sed -nE 's/^INFO: Loaded 1 modules +\(([0-9]+) inline 8-bit counters.*/\1/p' "$log" | head -n 1)
execs=$(sed -nE 's/^stat::number_of_executed_units: +([0-9]+)/\1/p' "$log")
rate=$(sed -nE 's/^stat::average_exec_per_sec: +([0-9]+)/\1/p' "$log")
rss=$(sed -nE 's/^stat::peak_rss_mb: +([0-9]+)/\1/p' "$log")
execs=${execs:-$(sed -nE 's/^#([0-9]+).*/\1/p' <<<"$last")}

findings=$(find "$artifacts" -type f | sort)
if grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|libFuzzer)|runtime error: |==decode_event_fuzzer: ' "$log"; then
    ((status)) || status=1
fi
if [[ -n $findings ]]; then ((status)) || status=1; fi

echo "fuzz: ${execs:-?} executions in $((SECONDS - fuzz_started)) s (${rate:-?}/s), coverage $(field cov) of ${edges:-?} edges" \
    "(features $(field ft)), corpus $(ls tests/fuzz/corpus | wc -l) -> $(field corp | cut -d/ -f1) inputs, peak RSS ${rss:-?} MB"
echo "fuzz: build + run took $((SECONDS - started)) s"
if ((status != 0)); then
    echo "fuzz: FAILED (libFuzzer exit status $status)"
    show_report "$log"
    if [[ -n $findings ]]; then
        echo "fuzz: reproducer(s), replay with '$fuzzer <file>':"
        sed 's/^/  /' <<<"$findings"
    fi
    exit 1
fi
echo "fuzz: no findings"
