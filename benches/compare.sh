#!/usr/bin/env bash
# Times opsdeck against SQLite doing the same work in its own shell, on the
# same machine in one run, with hyperfine (installed from the distribution's
# packages when missing), and prints each ratio:
#   1. `opsdeck import` of 1M observations  vs  `sqlite3 .import` of the same
#      CSV into the same table (through a view whose trigger resolves the
#      indicator key and parses the time, as opsdeck does);
#   2. `opsdeck status --format json`       vs  the equivalent aggregate
#      queries in the `sqlite3` shell;
# then the commands with a target but no SQLite equivalent, on the full
# database (alerts, runs and decisions included):
#   3. `opsdeck check` as cron runs it every minute (steady state);
#   4. `opsdeck snapshot --view cockpit` at 200x60: a process that opens the
#      database, loads the cockpit and draws its first frame;
# and how the cost of opening grows with the history:
#   5. status and the cockpit's first frame on the same operation with a
#      quarter of the history (91 days) against the full year.
# Usage: benches/compare.sh [RUNS]      (default 5 runs each)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"

need() { command -v "$1" >/dev/null 2>&1; }
if ! need hyperfine || ! need sqlite3; then
    apt-get update -qq >/dev/null && apt-get install -y -qq hyperfine sqlite3 >/dev/null
fi

cargo build --release --quiet --bin opsdeck --example dataset
release="${CARGO_TARGET_DIR:-$PWD/target}/release"
bin="$release/opsdeck"
data="$PWD/target/bench-data/compare"
quarter="$PWD/target/bench-data/compare-91d"
export OPSDECK_NOW=2026-11-24T09:00:00Z
now=1795510800
"$release/examples/dataset" "$data" large
"$release/examples/dataset" "$quarter" large:91
rows=$(($(wc -l < "$data/observations.csv") - 1))

cat > "$data/import.sql" <<SQL
PRAGMA synchronous=FULL;
CREATE TEMP VIEW obs_in(indicator, at, value) AS SELECT NULL, NULL, NULL;
CREATE TEMP TRIGGER obs_in_insert INSTEAD OF INSERT ON obs_in BEGIN
  INSERT INTO observations (indicator_id, at, value, origin)
  VALUES ((SELECT id FROM indicators WHERE key = NEW.indicator), unixepoch(NEW.at), NEW.value, 'import');
END;
.import --csv --skip 1 $data/observations.csv obs_in
SQL

fresh="cp $data/empty.db $data/run.db && rm -f $data/run.db-wal $data/run.db-shm"
hyperfine --style basic --runs "$runs" --warmup 1 --prepare "$fresh" \
    --export-json "$data/import.json" \
    -n "opsdeck import" "$bin --db $data/run.db import $data/observations.csv" \
    -n "sqlite3 .import" "sqlite3 $data/run.db < $data/import.sql"

cat > "$data/status.sql" <<SQL
-- Per observation indicator: count, mean, sum and last over the current
-- and the previous window, and the p90 by rank.
WITH w AS (
  SELECT i.id, i.window_secs AS ws, o.at, o.value,
         o.at > $now - i.window_secs AS cur,
         row_number() OVER (PARTITION BY i.id, o.at > $now - i.window_secs ORDER BY o.value) AS rk,
         count(*) OVER (PARTITION BY i.id, o.at > $now - i.window_secs) AS n
    FROM indicators i JOIN observations o
      ON o.indicator_id = i.id AND o.at > $now - 2 * i.window_secs AND o.at <= $now
   WHERE i.source = 'observations')
SELECT id, cur, count(*), avg(value), sum(value), max(at),
       max(CASE WHEN rk = CAST(0.9 * (n - 1) AS INTEGER) + 1 THEN value END)
  FROM w GROUP BY id, cur;
-- Per work kind: flow figures over 7 and 28 days, with the repeat flag.
SELECT w.kind, count(*), avg(w.closed_at <= w.promised_at), avg(w.outcome = 'deviation'),
       avg((w.closed_at - w.opened_at) / 3600.0), avg(w.satisfaction), avg(w.opened_at > f.opened_at)
  FROM work_items w LEFT JOIN customer_first_item f ON f.kind = w.kind AND f.customer = w.customer
 WHERE w.closed_at >= $now - 56 * 86400 GROUP BY w.kind;
SELECT kind, count(*) FROM work_items WHERE closed_at IS NULL GROUP BY kind;
SELECT avg(reliability), count(*) FROM feedback WHERE at > $now - 56 * 86400;
SQL

full="$data/full.db"
hyperfine --style basic --runs "$((runs * 4))" --warmup 2 \
    --export-json "$data/status.json" \
    -n "opsdeck status --format json" "$bin --db $full status --format json" \
    -n "sqlite3 aggregate queries" "sqlite3 $full < $data/status.sql"

# check writes (alerts refreshed, escalation): on a copy, run after run like
# cron; exit status 1 means a critical alert is open, which it is.
cp "$full" "$data/check.db"
hyperfine --style basic --runs "$((runs * 4))" --warmup 2 -i \
    --export-json "$data/check.json" \
    -n "opsdeck check" "$bin --db $data/check.db check --quiet"

snap="snapshot --view cockpit --width 200 --height 60"
hyperfine --style basic --runs "$((runs * 4))" --warmup 2 \
    --export-json "$data/history.json" \
    -n "status, 91 days" "$bin --db $quarter/full.db status --format json" \
    -n "status, 365 days" "$bin --db $full status --format json" \
    -n "first frame, 91 days" "$bin --db $quarter/full.db $snap" \
    -n "first frame, 365 days" "$bin --db $full $snap"

python3 - "$data" "$rows" <<'PY'
import json, statistics, sys
data, rows = sys.argv[1], int(sys.argv[2])
def medians(name):
    r = json.load(open(f"{data}/{name}.json"))["results"]
    return [(x["command"], statistics.median(x["times"])) for x in r]
print()
(a, ta), (b, tb) = medians("import")
print(f"import of {rows} rows: opsdeck {ta:.3f} s ({rows/ta/1e3:.0f}k rows/s), sqlite3 {tb:.3f} s ({rows/tb/1e3:.0f}k rows/s); opsdeck/sqlite3 = {ta/tb:.2f}")
(a, ta), (b, tb) = medians("status")
print(f"status: opsdeck {ta*1e3:.1f} ms, sqlite3 {tb*1e3:.1f} ms; opsdeck/sqlite3 = {ta/tb:.2f}")
[(a, ta)] = medians("check")
print(f"check (steady state, whole process): {ta*1e3:.1f} ms")
h = dict(medians("history"))
for what in ["status", "first frame"]:
    q, y = h[f"{what}, 91 days"], h[f"{what}, 365 days"]
    print(f"{what}: 91 days {q*1e3:.1f} ms, 365 days {y*1e3:.1f} ms; 4x the history costs {y/q:.2f}x")
print("(medians)")
PY
