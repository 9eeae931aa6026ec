#!/usr/bin/env bash
# Resident memory of opsdeck on the large dataset (target: at most 30 MB):
# the peak RSS (`/usr/bin/time -f %M`) of `snapshot` of every view at
# 200x60, of `status` and of `check`; then the cockpit itself in a 200x60
# tmux pane, every view visited with Tab: its current (VmRSS) and peak
# (VmHWM) resident memory. The dataset ends now, so the live cockpit shows
# today's data. Installs `time` and `tmux` from the distribution when
# missing. Usage: benches/memory.sh
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/time ] || ! command -v tmux >/dev/null 2>&1; then
    apt-get update -qq >/dev/null && apt-get install -y -qq time tmux >/dev/null
fi
cargo build --release --quiet --bin opsdeck --example dataset
release="${CARGO_TARGET_DIR:-$PWD/target}/release"
bin="$release/opsdeck"
data="$PWD/target/bench-data/memory"
OPSDECK_NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)
export OPSDECK_NOW
"$release/examples/dataset" "$data" large >/dev/null
db="$data/full.db"

rss() { # command... -> peak RSS in KB
    /usr/bin/time -f %M -o "$data/rss" "$@" >/dev/null 2>&1 || true
    tail -n 1 "$data/rss"
}
printf '%-28s %8s\n' "command" "peak RSS"
for view in cockpit indicators work playbooks alerts experiments decisions feedback standup; do
    kb=$(rss "$bin" --db "$db" snapshot --view "$view" --width 200 --height 60)
    printf '%-28s %5d KB\n' "snapshot --view $view" "$kb"
done
printf '%-28s %5d KB\n' "status --format json" "$(rss "$bin" --db "$db" status --format json)"
cp "$db" "$data/check.db"
printf '%-28s %5d KB\n' "check" "$(rss "$bin" --db "$data/check.db" check)"

# The live cockpit, on a private tmux server (only this script's session).
sock="opsdeck-memory-$$"
tmux -L "$sock" new-session -d -x 200 -y 60 "exec $bin --db $db"
trap 'tmux -L "$sock" kill-server 2>/dev/null || true' EXIT
sleep 2
pid=$(tmux -L "$sock" list-panes -F '#{pane_pid}')
for _ in 1 2 3 4 5 6 7 8 9; do
    tmux -L "$sock" send-keys Tab
    sleep 1
done
cur=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
peak=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
printf '%-28s %5d KB now, %d KB peak\n' "cockpit (tmux, every view)" "$cur" "$peak"
tmux -L "$sock" send-keys q
