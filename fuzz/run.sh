#!/usr/bin/env bash
# Runs every fuzz target for SECONDS seconds each (default 60) and prints,
# per target, the executions, the coverage reached and whether it crashed.
#
#   fuzz/run.sh 60          # each target for a minute
#   fuzz/run.sh 10 duration # only the named targets
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`). cargo-fuzz passes flags that
# only nightly rustc accepts (-Zsanitizer, sanitizer coverage); on a stable
# toolchain this script sets RUSTC_BOOTSTRAP=1 so that stable accepts them.
# FUZZ_TOOLCHAIN=nightly uses a nightly toolchain instead. FUZZ_SANITIZER
# (address by default; none is faster) is passed to `cargo fuzz --sanitizer`.
#
# The corpus grows in fuzz/corpus/TARGET (not committed); the import targets
# also start from the files of tests/data/. A crash leaves its input in
# fuzz/artifacts/TARGET/ and makes this script exit 1; reproduce it with
# `cargo fuzz run TARGET fuzz/artifacts/TARGET/crash-...`.
set -euo pipefail

seconds="${1:-60}"
shift || true
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "fuzz/run.sh: cargo-fuzz is missing: cargo install cargo-fuzz" >&2
    exit 2
fi
toolchain=()
if [[ -n "${FUZZ_TOOLCHAIN:-}" ]]; then
    toolchain=("+${FUZZ_TOOLCHAIN}")
else
    export RUSTC_BOOTSTRAP=1
fi
sanitizer="${FUZZ_SANITIZER:-address}"

targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
    mapfile -t targets < <(cargo "${toolchain[@]}" fuzz list)
fi

logs="$(mktemp -d)"
if ! cargo "${toolchain[@]}" fuzz build --sanitizer "$sanitizer" >"$logs/build.log" 2>&1; then
    cat "$logs/build.log" >&2
    echo "fuzz/run.sh: the fuzz targets do not build" >&2
    exit 2
fi

status=0
for t in "${targets[@]}"; do
    mkdir -p "corpus/$t"
    seeds=()
    case "$t" in import_*) seeds=("$here/../tests/data/good" "$here/../tests/data/bad") ;; esac
    log="$logs/$t.log"
    if cargo "${toolchain[@]}" fuzz run --sanitizer "$sanitizer" "$t" "corpus/$t" "${seeds[@]}" -- \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 >"$log" 2>&1; then
        result="ok"
    else
        result="CRASH (see $log and fuzz/artifacts/$t/)"
        status=1
    fi
    runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)"
    speed="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)"
    cov="$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 || true)"
    printf '%-14s %ss  %s executions  %s/s  %s  %s\n' "$t" "$seconds" "${runs:-?}" "${speed:-?}" "${cov:-cov: ?}" "$result"
done
exit "$status"
