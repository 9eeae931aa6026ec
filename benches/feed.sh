#!/usr/bin/env bash
# Performance at feed rates: how opsdeck's costs grow with the number of
# observations, on three datasets built in this run (all end now, so the
# live cockpit shows their today):
#   large    1M observations over a year (200 indicators × 5,000)
#   feed     the same plus 5M inside the last 28 days (200 × 25,000: a
#            feed at about two values a second), 6M in all
#   year10m  10M observations over a year (200 × 50,000)
# On each, with the release binary:
#   1. `status --format json`, `check` (steady state, as cron runs it) and
#      `snapshot --view cockpit` at 80x24 (open, load, first frame):
#      hyperfine medians, and peak RSS (`/usr/bin/time -f %M`);
#   2. the open cockpit (200x60, in tmux) while another process records one
#      value a second for 60 s: its CPU over the 60 s (utime + stime from
#      /proc), its peak RSS (VmHWM), and the time of each reload after an
#      external write (the `read what another process changed` lines of its
#      log, OPSDECK_LOG=debug);
# then prints each figure's growth from large to feed and to year10m, as a
# ratio. Installs hyperfine, time and tmux when missing.
# Usage: benches/feed.sh [RUNS]      (default 5 runs each)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"

need() { command -v "$1" >/dev/null 2>&1; }
if ! need hyperfine || ! need tmux || [ ! -x /usr/bin/time ]; then
    apt-get update -qq >/dev/null && apt-get install -y -qq hyperfine tmux time >/dev/null
fi
cargo build --release --quiet --bin opsdeck --example dataset
release="${CARGO_TARGET_DIR:-$PWD/target}/release"
bin="$release/opsdeck"
root="$PWD/target/bench-data/feed"
mkdir -p "$root"
OPSDECK_NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)
export OPSDECK_NOW
clk=$(getconf CLK_TCK)

median() { # hyperfine json -> median in ms
    python3 -c 'import json,sys; print("%.1f" % (json.load(open(sys.argv[1]))["results"][0]["median"]*1000))' "$1"
}
rss() { # command... -> peak RSS in KB
    /usr/bin/time -f %M -o "$root/rss" "$@" >/dev/null 2>&1 || true
    tail -n 1 "$root/rss"
}
ticks() { # pid -> utime + stime
    awk '{print $14 + $15}' "/proc/$1/stat"
}

declare -A fig
for set in large feed year10m; do
    data="$root/$set"
    start=$(date +%s)
    # FEED_KEEP=1 reuses datasets built by an earlier run.
    if [ -z "${FEED_KEEP:-}" ] || [ ! -f "$data/full.db" ]; then
        "$release/examples/dataset" "$data" "$set" >/dev/null
    fi
    db="$data/full.db"
    rows=$(sqlite3 "$db" 'SELECT count(*) FROM observations' 2>/dev/null || echo "?")
    echo "== $set: $rows observations (built in $(($(date +%s) - start)) s)"
    cp "$db" "$data/check.db"
    "$bin" --db "$data/check.db" check >/dev/null 2>&1 || true
    hyperfine --style none --runs "$runs" --warmup 1 -N --export-json "$data/status.json" \
        "$bin --db $db status --format json" >/dev/null
    hyperfine --style none --runs "$runs" --warmup 1 -N --export-json "$data/check.json" -i \
        "$bin --db $data/check.db check" >/dev/null
    hyperfine --style none --runs "$runs" --warmup 1 -N --export-json "$data/frame.json" \
        "$bin --db $db snapshot --view cockpit --width 80 --height 24" >/dev/null
    fig[$set,status]=$(median "$data/status.json")
    fig[$set,check]=$(median "$data/check.json")
    fig[$set,frame]=$(median "$data/frame.json")
    fig[$set,status_rss]=$(rss "$bin" --db "$db" status --format json)
    fig[$set,check_rss]=$(rss "$bin" --db "$data/check.db" check)
    fig[$set,frame_rss]=$(rss "$bin" --db "$db" snapshot --view cockpit --width 80 --height 24)

    # The live cockpit with one external write a second for 60 s.
    logs="$data/log"
    rm -rf "$logs" && mkdir -p "$logs"
    sock="opsdeck-feed-$$"
    tmux -L "$sock" new-session -d -x 200 -y 60 \
        "OPSDECK_LOG=debug OPSDECK_LOG_DIR=$logs exec $bin --db $db"
    trap 'tmux -L "$sock" kill-server 2>/dev/null || true' EXIT
    sleep 3
    pid=$(tmux -L "$sock" list-panes -F '#{pane_pid}')
    key=bench_000
    before=$(ticks "$pid")
    for i in $(seq 1 60); do
        "$bin" --db "$db" record "$key" "$((40 + i % 7))" >/dev/null 2>&1
        sleep 1
    done
    after=$(ticks "$pid")
    fig[$set,cpu]=$(python3 -c "print('%.1f' % (100.0 * ($after - $before) / $clk / 60))")
    fig[$set,cockpit_rss]=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
    tmux -L "$sock" send-keys q
    sleep 1
    tmux -L "$sock" kill-server 2>/dev/null || true
    fig[$set,reload]=$(cat "$logs"/opsdeck.*.log | python3 -c '
import re, sys, statistics
us = [int(m.group(1)) for m in (re.search(r"read what another process changed.*us=(\d+)", l) for l in sys.stdin) if m]
print("%.1f (%d reloads)" % (statistics.median(us) / 1000, len(us)) if us else "none")')
    echo "status ${fig[$set,status]} ms, ${fig[$set,status_rss]} KB · check ${fig[$set,check]} ms, ${fig[$set,check_rss]} KB · first frame ${fig[$set,frame]} ms, ${fig[$set,frame_rss]} KB"
    echo "cockpit, one write a second for 60 s: CPU ${fig[$set,cpu]} % of a core, peak RSS ${fig[$set,cockpit_rss]} KB, reload after a write (median ms) ${fig[$set,reload]}"
done

echo
printf '%-22s %10s %10s %10s %9s %9s\n' "figure" "large" "feed" "year10m" "feed/1M" "10M/1M"
for f in status check frame status_rss check_rss frame_rss cpu cockpit_rss; do
    a=${fig[large,$f]} b=${fig[feed,$f]} c=${fig[year10m,$f]}
    printf '%-22s %10s %10s %10s %9s %9s\n' "$f" "$a" "$b" "$c" \
        "$(python3 -c "print('%.2f×' % ($b / max($a, 0.1)))")" \
        "$(python3 -c "print('%.2f×' % ($c / max($a, 0.1)))")"
done
printf '%-22s %10s %10s %10s\n' "reload_ms" "${fig[large,reload]%% *}" "${fig[feed,reload]%% *}" "${fig[year10m,reload]%% *}"
