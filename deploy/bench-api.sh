#!/usr/bin/env bash
# Archive-query benchmark (issue 9; figures in BENCHMARKS.md "Archive queries").
#   deploy/bench-api.sh            # generates np_bench (100,000 articles) unless it exists
#   N=20000 DB=np_small deploy/bench-api.sh
# Needs the release binary and load client:
#   cargo build --release -p newspipe && cargo build --release -p newspipe-api --example load
# Runs: the API under 32 concurrent clients (search, article fetch), the same SQL through
# pgbench with 32 clients, and exports (JSON lines, WARC) under /usr/bin/time for rate and RSS.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-100000}
DB=${DB:-np_bench}
PG=${PG:-postgres://postgres@127.0.0.1:5432}
CLIENTS=${CLIENTS:-32}
REQUESTS=${REQUESTS:-3200}
SEARCH_REQUESTS=${SEARCH_REQUESTS:-640}
T=${CARGO_TARGET_DIR:-target}/release
PORT=${PORT:-18080}
export DATABASE_URL="$PG/$DB"

if ! psql "$DATABASE_URL" -Atc 'SELECT 1 FROM articles LIMIT 1' 2>/dev/null | grep -q 1; then
    psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
    "$T/newspipe" migrate
    html=$(mktemp)
    python3 -c "
import random
random.seed(1)
ws=['the','storm','harbour','coast','minister','said','on','a','in','news','city','council']
paras=''.join('<p>'+' '.join(random.choice(ws) for _ in range(60))+'</p>\n' for _ in range(40))
print('<!doctype html><html><head><meta charset=utf-8><title>Story</title></head><body><article><h1>Story</h1>'+paras+'</article></body></html>')" > "$html"
    time psql "$DATABASE_URL" -q -v n="$N" -v page_hex="$(zstd -q -c "$html" | xxd -p | tr -d '\n')" \
        -f deploy/gen-archive.sql
    rm -f "$html"
fi
echo "archive: $(psql "$DATABASE_URL" -Atc 'SELECT count(*) FROM articles') articles," \
     "$(psql "$DATABASE_URL" -Atc 'SELECT count(*) FROM pages') pages"

# The API, with a long statement timeout so slow queries are measured, not cut off.
"$T/newspipe" api --listen "127.0.0.1:$PORT" --max-connections 16 --statement-timeout-ms 60000 &
api=$!
trap 'kill $api 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done

"$T/examples/load" "http://127.0.0.1:$PORT" article "$CLIENTS" "$REQUESTS"
"$T/examples/load" "http://127.0.0.1:$PORT" search "$CLIENTS" "$SEARCH_REQUESTS"
kill $api; wait $api 2>/dev/null || true; trap - EXIT

# The same SQL through pgbench (32 clients, 16 threads like the pool), latencies from its log.
pct() {  # log files -> p50 p99 in ms
    cat "$@" | awk '{print $3/1000}' | sort -n | awk '{a[NR]=$1} END {printf "p50 %.1f ms, p99 %.1f ms (%d transactions)\n", a[int(NR*0.5)], a[int(NR*0.99)], NR}'
}
for s in article search; do
    dir=$(mktemp -d)
    n=$REQUESTS; [[ $s == search ]] && n=$SEARCH_REQUESTS
    (cd "$dir" && pgbench -n -c "$CLIENTS" -j 2 -t $((n / CLIENTS)) -l -f "$OLDPWD/deploy/bench-api/$s.sql" "$DATABASE_URL" | grep -E 'tps|latency average')
    echo "psql/pgbench $s: $(pct "$dir"/pgbench_log.*)"
    rm -rf "$dir"
done

for fmt in jsonl warc; do
    /usr/bin/time -f "export $fmt: %e s wall, peak RSS %M KiB" \
        "$T/newspipe" export --format "$fmt" --out /dev/null 2>&1 | grep -E 'export'
done
