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
# ratio. With FEED_BASE=PATH (another build of opsdeck, e.g. the commit
# before a change) every figure is also measured with that binary, in the
# same run, on its own copy of each database (a newer binary migrates the
# file it opens), and printed as `base` rows with the ratio now/base.
# FEED_DATA=DIR puts the datasets there (default target/bench-data/feed);
# FEED_KEEP=1 reuses datasets built by an earlier run.
# Installs hyperfine, time and tmux when missing.
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
root="${FEED_DATA:-$PWD/target/bench-data/feed}"
base="${FEED_BASE:-}"
bins=(now)
[ -n "$base" ] && bins+=(base)
mkdir -p "$root"
OPSDECK_NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)
export OPSDECK_NOW
clk=$(getconf CLK_TCK)

median() { # hyperfine json -> median in ms
    python3 -c 'import json,sys; print("%.1f" % (json.load(open(sys.argv[1]))["results"][0]["median"]*1000))' "$1"
}
cputime() { # hyperfine json -> mean user + system CPU time in ms (what the
    # process itself spent: less sensitive than the wall clock to other
    # work on the machine)
    python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.1f" % ((r["user"]+r["system"])*1000))' "$1"
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
    full="$data/full.db"
    rows=$(sqlite3 "$full" 'SELECT count(*) FROM observations' 2>/dev/null || echo "?")
    echo "== $set: $rows observations (built in $(($(date +%s) - start)) s)"
    for b in "${bins[@]}"; do
        if [ "$b" = now ]; then exe="$bin"; else exe="$base"; fi
        db="$data/$b.db"
        rm -f "$db" "$db-wal" "$db-shm" "$data/check-$b.db"*
        cp "$full" "$db"
        # Opened once first: a migration is not what is timed.
        "$exe" --db "$db" status >/dev/null 2>&1 || true
        cp "$db" "$data/check-$b.db"
        "$exe" --db "$data/check-$b.db" check >/dev/null 2>&1 || true
        hyperfine --style none --runs "$runs" --warmup 1 -N --export-json "$data/status-$b.json" \
            "$exe --db $db status --format json" >/dev/null
        hyperfine --style none --runs "$runs" --warmup 1 -N --export-json "$data/check-$b.json" -i 2>/dev/null \
            "$exe --db $data/check-$b.db check" >/dev/null
        hyperfine --style none --runs "$runs" --warmup 1 -N --export-json "$data/frame-$b.json" \
            "$exe --db $db snapshot --view cockpit --width 80 --height 24" >/dev/null
        k="$set,$b"
        fig[$k,status]=$(median "$data/status-$b.json")
        fig[$k,check]=$(median "$data/check-$b.json")
        fig[$k,frame]=$(median "$data/frame-$b.json")
        fig[$k,status_cpu]=$(cputime "$data/status-$b.json")
        fig[$k,check_cpu]=$(cputime "$data/check-$b.json")
        fig[$k,frame_cpu]=$(cputime "$data/frame-$b.json")
        fig[$k,status_rss]=$(rss "$exe" --db "$db" status --format json)
        fig[$k,check_rss]=$(rss "$exe" --db "$data/check-$b.db" check)
        fig[$k,frame_rss]=$(rss "$exe" --db "$db" snapshot --view cockpit --width 80 --height 24)

        # The live cockpit with one external write a second for 60 s.
        logs="$data/log-$b"
        rm -rf "$logs" && mkdir -p "$logs"
        sock="opsdeck-feed-$$"
        tmux -L "$sock" new-session -d -x 200 -y 60 \
            "OPSDECK_LOG=debug OPSDECK_LOG_DIR=$logs exec $exe --db $db"
        trap 'tmux -L "$sock" kill-server 2>/dev/null || true' EXIT
        sleep 3
        pid=$(tmux -L "$sock" list-panes -F '#{pane_pid}')
        key=bench_000
        before=$(ticks "$pid")
        for i in $(seq 1 60); do
            "$exe" --db "$db" record "$key" "$((40 + i % 7))" >/dev/null 2>&1
            sleep 1
        done
        after=$(ticks "$pid")
        fig[$k,cpu]=$(python3 -c "print('%.1f' % (100.0 * ($after - $before) / $clk / 60))")
        fig[$k,cockpit_rss]=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
        tmux -L "$sock" send-keys q
        sleep 1
        tmux -L "$sock" kill-server 2>/dev/null || true
        fig[$k,reload]=$(cat "$logs"/opsdeck.*.log | python3 -c '
import re, sys, statistics
us = [int(m.group(1)) for m in (re.search(r"read what another process changed.*us=(\d+)", l) for l in sys.stdin) if m]
print("%.1f" % (statistics.median(us) / 1000) if us else "0")')
        echo "[$b] status ${fig[$k,status]} ms, ${fig[$k,status_rss]} KB · check ${fig[$k,check]} ms, ${fig[$k,check_rss]} KB · first frame ${fig[$k,frame]} ms, ${fig[$k,frame_rss]} KB"
        echo "[$b] cockpit, one write a second for 60 s: CPU ${fig[$k,cpu]} % of a core, peak RSS ${fig[$k,cockpit_rss]} KB, reload after a write (median ms) ${fig[$k,reload]}"
    done
done

echo
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-18s %-5s %10s %10s %10s %9s %9s\n' "figure" "bin" "large" "feed" "year10m" "feed/1M" "10M/1M"
for f in status check frame status_cpu check_cpu frame_cpu status_rss check_rss frame_rss cpu cockpit_rss reload; do
    for b in "${bins[@]}"; do
        a=${fig[large,$b,$f]} c=${fig[feed,$b,$f]} d=${fig[year10m,$b,$f]}
        printf '%-18s %-5s %10s %10s %10s %9s %9s\n' "$f" "$b" "$a" "$c" "$d" \
            "$(python3 -c "print('%.2f×' % ($c / max($a, 0.1)))")" \
            "$(python3 -c "print('%.2f×' % ($d / max($a, 0.1)))")"
    done
    if [ -n "$base" ]; then
        printf '%-18s %-5s %10s %10s %10s\n' "$f" "now/base" \
            "$(python3 -c "print('%.2f' % (${fig[large,now,$f]} / max(${fig[large,base,$f]}, 0.1)))")" \
            "$(python3 -c "print('%.2f' % (${fig[feed,now,$f]} / max(${fig[feed,base,$f]}, 0.1)))")" \
            "$(python3 -c "print('%.2f' % (${fig[year10m,now,$f]} / max(${fig[year10m,base,$f]}, 0.1)))")"
    fi
done
