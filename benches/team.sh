#!/usr/bin/env bash
# Team mode against SQLite in one run (benches/team.rs): starts a throwaway
# PostgreSQL 15 cluster (.ci/pg) unless OPSDECK_BENCH_PG names a server,
# builds the large dataset and its server copy once, and prints each
# bench's SQLite and PostgreSQL figures side by side.
# Usage: benches/team.sh
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${OPSDECK_BENCH_PG:-}" ]; then
    dir=$(mktemp -d /tmp/opsdeck-bench-pg.XXXXXX)
    trap '.ci/pg stop "$dir"' EXIT
    eval "$(.ci/pg start "$dir")"
    export OPSDECK_BENCH_PG="$OPSDECK_TEST_PG"
fi
cargo bench --bench team
