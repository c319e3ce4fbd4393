#!/usr/bin/env bash
# Outage recovery figures (issue 10): runs the chaos tests with an outage of the broker and of
# Postgres (private instances started by the tests; the shared services are not touched) and
# prints their `chaos:` lines: when the crawl resumed and drained after the service came back.
#   deploy/bench-outage.sh [rounds=3] [outage_secs=15] [test filter=a_broker_restart a_postgres_restart]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
outage=${2:-15}
filter=${3:-a_broker_restart a_postgres_restart}
echo "bench-outage: $rounds round(s), ${outage} s outage, $(nproc) cores, $(date -u +%FT%TZ)"
for i in $(seq 1 "$rounds"); do
    echo "round $i"
    # shellcheck disable=SC2086 # the filter is a list of test names
    NEWSPIPE_TEST_OUTAGE_SECS=$outage cargo test -q -p newspipe --test chaos --locked -- \
        --nocapture --test-threads=1 $filter 2>&1 |
        grep -oE 'chaos: .*|test result.*|FAILED.*|panicked.*' || true
done
