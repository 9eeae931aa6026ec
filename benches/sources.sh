#!/usr/bin/env bash
# Throughput of the scheduled sources against `opsdeck import` of the same
# file, in one run on the same machine (hyperfine, installed from the
# distribution's packages when missing): 100k work items (JSONL, about
# 14 MB) delivered
#   1. by `opsdeck import items.jsonl --kind work-items`   (the baseline);
#   2. by a `command` source (`/bin/cat items.jsonl`)  through
#      `opsdeck sources run bench-command`;
#   3. by an `http` source (a local `python3 -m http.server` on 127.0.0.1)
#      through `opsdeck sources run bench-http`.
# Each run starts from the same database (the operation and both sources
# applied, no items yet), so every row is new. Prints rows/s of each and
# each source's rate as a ratio of import's (target: >= 0.8).
# Usage: benches/sources.sh [RUNS] [ROWS]     (default 5 runs, 100000 rows)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"
rows="${2:-100000}"

need() { command -v "$1" >/dev/null 2>&1; }
if ! need hyperfine; then
    apt-get update -qq >/dev/null && apt-get install -y -qq hyperfine >/dev/null
fi

cargo build --release --quiet --bin opsdeck
bin="${CARGO_TARGET_DIR:-$PWD/target}/release/opsdeck"
data="$PWD/target/bench-data/sources"
rm -rf "$data" && mkdir -p "$data/www"
export OPSDECK_NOW=2026-11-24T09:00:00Z

python3 - "$data/www/items.jsonl" "$rows" <<'PY'
import json, sys, datetime
path, n = sys.argv[1], int(sys.argv[2])
base = datetime.datetime(2026, 11, 24, 9, tzinfo=datetime.timezone.utc)
def t(s): return (base - datetime.timedelta(seconds=s)).strftime("%Y-%m-%dT%H:%M:%SZ")
with open(path, "w") as f:
    for i in range(n):
        opened = 86400 * 60 * (i + 1) // n + 3600
        row = {"kind": ("order", "ticket", "invoice")[i % 3], "external_id": f"BENCH-{i}",
               "customer": f"C{i % 500}", "segment": ("b2b", "b2c")[i % 2],
               "opened_at": t(opened), "promised_at": t(opened - 7200)}
        if i % 4:
            row["closed_at"] = t(opened - 3600 - (i % 5) * 1800)
            row["outcome"] = "ok" if i % 7 else "deviation"
        f.write(json.dumps(row) + "\n")
PY

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$data/www" >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do
    curl -sf "http://127.0.0.1:$port/items.jsonl" -o /dev/null 2>/dev/null && break
    python3 -c 'import time; time.sleep(0.1)'
done

"$bin" --db "$data/empty.db" init "$data/ops" >/dev/null
cat > "$data/ops/sources.toml" <<TOML
[[source]]
name = "bench-command"
kind = "command"
produces = "work-items"
every = "5m"
timeout = "10m"
command = ["/bin/cat", "$data/www/items.jsonl"]

[[source]]
name = "bench-http"
kind = "http"
produces = "work-items"
every = "5m"
timeout = "10m"
url = "http://127.0.0.1:$port/items.jsonl"
TOML
"$bin" --db "$data/empty.db" apply "$data/ops" >/dev/null

fresh="cp $data/empty.db $data/run.db && rm -f $data/run.db-wal $data/run.db-shm"
hyperfine --style basic --runs "$runs" --warmup 1 --prepare "$fresh" \
    --export-json "$data/sources.json" \
    -n "opsdeck import" "$bin --db $data/run.db import $data/www/items.jsonl --kind work-items" \
    -n "command source" "$bin --db $data/run.db sources run bench-command" \
    -n "http source" "$bin --db $data/run.db sources run bench-http"

# The last run's database holds every row, once.
stored=$(sqlite3 "$data/run.db" "SELECT count(*) FROM work_items" 2>/dev/null || echo "?")
python3 - "$data/sources.json" "$rows" "$stored" <<'PY'
import json, sys
res = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
rows, stored = int(sys.argv[2]), sys.argv[3]
base = res["opsdeck import"]["mean"]
print(f"\n{rows} work items per run; the http run's database holds {stored} work items")
for name in ("opsdeck import", "command source", "http source"):
    m = res[name]["mean"]
    print(f"{name:15} {m*1000:8.0f} ms  {rows/m:9.0f} rows/s  {base/m:5.2f}x import's rate")
PY
