#!/usr/bin/env bash
# End-to-end crawl benchmark: newspipe (store + parser + crawler workers, RabbitMQ, Postgres) over a
# synthetic news site made by ../shared/sitegen, optionally alternating with the Scrapy peer on the same
# site in the same invocation, so the ratio comes from one run.
#
#   deploy/bench-crawl.sh [--shared ../shared] [--site DIR] [--hosts 4] [--articles 5000]
#                         [--interval-ms 0] [--crawlers 1] [--parsers 1] [--stores 1]
#                         [--prefetch 32] [--store-prefetch 128] [--max-in-flight 2000] [--max-connections 8]
#                         [--peer] [--rounds 1] [--out DIR] [--timeout 1800] [--no-build] [--keep]
#                         [--services private|shared] [--pg-shared-buffers 128MB] [--pg-stat]
#                         [--queue-type classic|quorum] [--set KEY=VALUE ...]
#
#   --site DIR        sitegen site (default /tmp/newspipe-bench-site-H-A); generated when it has no manifest.json
#   --interval-ms N   politeness.min_interval_ms (0 = politeness off); rate_check.py then gets
#                     --window 1 --limit ceil(1000/N)
#   --peer            also run ../shared/anchors/run-scrapy.sh DIR specific after each newspipe run
#   --rounds N        newspipe, scrapy, newspipe, scrapy ... N times each (default 1)
#   --out DIR         logs, timelines, exported archives, summaries (default /tmp/newspipe-bench-<ts>)
#   --keep            keep the bench database and queues (default: drop them)
#   --services        private (default): start a RabbitMQ node and a Postgres cluster of the run's own
#                     (on free ports, in OUT/services), so their CPU is the pipeline's alone, not other
#                     users' of a shared broker/database; shared: use 127.0.0.1:5672 and :5432
#   --pg-shared-buffers  shared_buffers of the private Postgres (default 128MB, Postgres's own default)
#   --pg-stat         private Postgres loads pg_stat_statements; OUT/<run>/pg-statements.txt lists the top
#   --queue-type      amqp.queue_type of the workers (default: the config's)
#   --set KEY=VALUE   one more setting for the workers, e.g. --set NEWSPIPE__CRAWLER__PARSE_INLINE=true
#                     (then --parsers 0: no parser is needed); repeatable
#
# Not run by the test suite. Needs: rabbitmq-server and Postgres binaries (private services, run as the
# rabbitmq and postgres users through runuser, hence root), or with --services shared RabbitMQ on
# 127.0.0.1:5672 (guest/guest) and Postgres on 127.0.0.1:5432 (trust auth, user postgres) and root for
# rabbitmqctl (cleanup); nginx (serve.sh installs it), python3.
# Prints per run: URLs done, articles, wall s, pages/s, CPU s of the newspipe workers (and of RabbitMQ,
# Postgres, nginx), pages per CPU-second, peak RSS (VmHWM) per worker, worker exit codes,
# check_archive.py and rate_check.py results. Everything also lands in OUT/summary-*.json.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
ARGS="$*"
SHARED=$ROOT/../shared
SITE=""; HOSTS=4; ARTICLES=5000; INTERVAL=0; CRAWLERS=1; PARSERS=1; STORES=1
PREFETCH=""; STORE_PREFETCH=""; MAX_IN_FLIGHT=""; MAX_CONN=""; PEER=0; ROUNDS=1; OUT=""; TIMEOUT=1800; BUILD=1; KEEP=0
SERVICES=private; PG_SHARED_BUFFERS=128MB; PG_STAT=0; QUEUE_TYPE=""; SETTINGS=()
usage() { sed -n '2,33p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-2}"; }
while [[ $# -gt 0 ]]; do
    case $1 in
    --shared) SHARED=$2; shift 2 ;;
    --site) SITE=$2; shift 2 ;;
    --hosts) HOSTS=$2; shift 2 ;;
    --articles) ARTICLES=$2; shift 2 ;;
    --interval-ms) INTERVAL=$2; shift 2 ;;
    --crawlers) CRAWLERS=$2; shift 2 ;;
    --parsers) PARSERS=$2; shift 2 ;;
    --stores) STORES=$2; shift 2 ;;
    --prefetch) PREFETCH=$2; shift 2 ;;
    --store-prefetch) STORE_PREFETCH=$2; shift 2 ;;
    --max-in-flight) MAX_IN_FLIGHT=$2; shift 2 ;;
    --max-connections) MAX_CONN=$2; shift 2 ;;
    --peer) PEER=1; shift ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --timeout) TIMEOUT=$2; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    --keep) KEEP=1; shift ;;
    --services) SERVICES=$2; shift 2 ;;
    --pg-shared-buffers) PG_SHARED_BUFFERS=$2; shift 2 ;;
    --pg-stat) PG_STAT=1; shift ;;
    --queue-type) QUEUE_TYPE=$2; shift 2 ;;
    --set) SETTINGS+=("$2"); shift 2 ;;
    -h|--help) usage 0 ;;
    *) echo "bench-crawl: unknown option $1" >&2; usage ;;
    esac
done
SHARED=$(cd "$SHARED" && pwd)
SITE=${SITE:-/tmp/newspipe-bench-site-$HOSTS-$ARTICLES}
TS=$(date -u +%Y%m%d%H%M%S)
OUT=${OUT:-/tmp/newspipe-bench-$TS}
mkdir -p "$OUT"; OUT=$(cd "$OUT" && pwd)
[[ $SERVICES == private || $SERVICES == shared ]] || { echo "bench-crawl: --services private|shared" >&2; exit 2; }
PGURL=postgres://postgres@127.0.0.1:5432
AMQP=amqp://guest:guest@127.0.0.1:5672/%2f
MGMT=http://guest:guest@127.0.0.1:15672
BIN=${CARGO_TARGET_DIR:-$ROOT/target}/release/newspipe
SERVE=$SHARED/sitegen/serve.sh
log() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# ---------------------------------------------------------------- /proc helper (CPU, RSS)
PROCS=$OUT/procs.py
cat > "$PROCS" <<'EOF'
"""snap OUT.json [label=pid ...]: every process's CPU ticks; diff A.json B.json groups.json: CPU per group."""
import json, os, sys
TICK = os.sysconf("SC_CLK_TCK")

def stat(pid):
    s = open("/proc/%s/stat" % pid).read()
    comm = s[s.index("(") + 1:s.rindex(")")]
    f = s[s.rindex(")") + 2:].split()
    # f[0]=state f[1]=ppid ... f[11]=utime f[12]=stime f[13]=cutime f[14]=cstime f[19]=starttime
    return {"comm": comm, "ppid": int(f[1]), "cpu": int(f[11]) + int(f[12]),
            "ccpu": int(f[13]) + int(f[14]), "start": int(f[19])}

def snap(out):
    procs = {}
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                procs[pid] = stat(pid)
            except (OSError, ValueError, IndexError):
                pass
    busy = [int(x) for x in open("/proc/stat").readline().split()[1:9]]
    json.dump({"procs": procs, "busy": sum(busy) - busy[3] - busy[4]}, open(out, "w"))

def tree(procs, root):
    """root and its descendants"""
    kids = {}
    for pid, p in procs.items():
        kids.setdefault(str(p["ppid"]), []).append(pid)
    out, todo = [], [str(root)]
    while todo:
        p = todo.pop()
        if p in procs:
            out.append(p)
            todo += kids.get(p, [])
    return out

def diff(a, b, groups):
    """groups: {name: [root pid, ...]} -> CPU seconds between a and b of each root's tree,
    counting processes born in between in full and children reaped in between via cutime."""
    A, B = json.load(open(a)), json.load(open(b))
    res = {}
    for name, roots in json.load(open(groups)).items():
        tot = 0
        for root in roots:
            for pid in tree(B["procs"], root):
                pb, pa = B["procs"][pid], A["procs"].get(pid)
                same = pa is not None and pa["start"] == pb["start"]
                tot += pb["cpu"] - (pa["cpu"] if same else 0)
                if pid == str(root):
                    tot += pb["ccpu"] - (pa["ccpu"] if same else 0)
        res[name] = round(tot / TICK, 2)
    res["machine_busy"] = round((B["busy"] - A["busy"]) / TICK, 2)
    print(json.dumps(res))

def hwm(pid):
    for line in open("/proc/%s/status" % pid):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None

if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "snap":
        snap(sys.argv[2])
    elif cmd == "diff":
        diff(*sys.argv[2:5])
    elif cmd == "hwm":
        print(json.dumps({p: round(hwm(p), 1) for p in sys.argv[2:]}))
    elif cmd == "cpu":   # cpu PID... [t:PID...]: cumulative CPU seconds (t: = the whole process tree)
        out = []
        procs = None
        for p in sys.argv[2:]:
            try:
                if p.startswith("t:"):
                    if procs is None:
                        procs = {}
                        for q in os.listdir("/proc"):
                            if q.isdigit():
                                try:
                                    procs[q] = stat(q)
                                except (OSError, ValueError, IndexError):
                                    pass
                    root = p[2:]
                    tot = sum(procs[q]["cpu"] for q in tree(procs, root)) + procs.get(root, {}).get("ccpu", 0)
                    out.append("%.2f" % (tot / TICK))
                else:
                    out.append("%.2f" % (stat(p)["cpu"] / TICK))
            except (OSError, KeyError):
                out.append("nan")
        print(" ".join(out))
EOF

# ---------------------------------------------------------------- site
if [[ ! -f $SITE/manifest.json ]]; then
    log "generating site $SITE ($HOSTS hosts x $ARTICLES articles)"
    python3 "$SHARED/sitegen/sitegen.py" "$SITE" --hosts "$HOSTS" --articles "$ARTICLES" >&2
fi
SITE=$(cd "$SITE" && pwd)
[[ -f $SITE/hosts.json ]] || die "$SITE/hosts.json missing"
mapfile -t SEEDS < <(python3 -c 'import json,sys; [print(h["base"] + "/") for h in json.load(open(sys.argv[1]))]' "$SITE/hosts.json")
ALL_PAGES=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["counts"]["all_pages"])' "$SITE/manifest.json")
log "site $SITE: ${#SEEDS[@]} hosts, $ALL_PAGES URLs in the manifest"

# ---------------------------------------------------------------- build
if [[ $BUILD == 1 ]]; then
    log "cargo build --release -p newspipe"
    (cd "$ROOT" && cargo build --release -p newspipe >&2)
fi
[[ -x $BIN ]] || die "$BIN not built"

# ---------------------------------------------------------------- cleanup state (trap)
SERVING=0; DB=""; PREFIX=""; WORKER_PIDS=()
cleanup() {
    local rc=$?
    set +e
    for p in "${WORKER_PIDS[@]:-}"; do
        [[ -n $p && -e /proc/$p ]] && kill -TERM "$p" 2>/dev/null
    done
    for p in "${WORKER_PIDS[@]:-}"; do [[ -n $p ]] && wait "$p" 2>/dev/null; done
    WORKER_PIDS=()
    [[ $SERVING == 1 ]] && "$SERVE" stop "$SITE" >/dev/null 2>&1
    SERVING=0
    drop_state
    stop_services
    return $rc
}
drop_state() {
    [[ $KEEP == 1 ]] && { [[ -n $DB ]] && log "kept database $DB and queues $PREFIX.*"; DB=""; PREFIX=""; return 0; }
    if [[ -n $DB ]]; then
        psql -q "$PGURL/postgres" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 \
            && log "dropped database $DB" || log "could not drop database $DB"
        DB=""
    fi
    if [[ -n $PREFIX ]]; then
        for q in crawl pages store dead restart-marker; do
            rmqctl -q delete_queue "$PREFIX.$q" >/dev/null 2>&1 || true
        done
        rmqctl -q eval "rabbit_exchange:delete(rabbit_misc:r(<<\"/\">>, exchange, <<\"$PREFIX.dlx\">>), false, <<\"bench-crawl\">>)." >/dev/null 2>&1 || true
        log "deleted queues $PREFIX.{crawl,pages,store,dead,restart-marker} and exchange $PREFIX.dlx"
        PREFIX=""
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- private services
SVC=""; PG_DATA=""; RMQ_PID=""; RMQ_NODE=""
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
start_services() {
    SVC=$OUT/services; mkdir -p "$SVC"; chmod 755 "$SVC"
    local pg_port amqp_port mgmt_port dist_port pg_bin
    pg_port=$(free_port); amqp_port=$(free_port); mgmt_port=$(free_port); dist_port=$(free_port)
    pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
    # Postgres: a cluster of its own, trust auth, the settings under test.
    PG_DATA=$SVC/pg; mkdir -p "$PG_DATA"; chown postgres: "$PG_DATA"
    runuser -u postgres -- "$pg_bin/initdb" -D "$PG_DATA" -A trust -U postgres --no-sync >"$SVC/initdb.log" 2>&1 \
        || die "initdb failed: $(tail -3 "$SVC/initdb.log")"
    local pg_opts="-p $pg_port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$PG_DATA -c shared_buffers=$PG_SHARED_BUFFERS"
    [[ $PG_STAT == 1 ]] && pg_opts+=" -c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all"
    touch "$SVC/postgres.log"; chown postgres: "$SVC/postgres.log"
    runuser -u postgres -- "$pg_bin/pg_ctl" -D "$PG_DATA" -o "$pg_opts" -l "$SVC/postgres.log" -w start >/dev/null \
        || die "private Postgres did not start: $(tail -3 "$SVC/postgres.log")"
    PGURL=postgres://postgres@127.0.0.1:$pg_port
    # RabbitMQ: a node of its own with the management plugin, as the shared broker has.
    RMQ_NODE=bench$$@localhost
    mkdir -p "$SVC/rmq/mnesia" "$SVC/rmq/log"
    echo '[rabbitmq_management].' > "$SVC/rmq/enabled_plugins"
    printf 'listeners.tcp.local = 127.0.0.1:%s\nmanagement.tcp.ip = 127.0.0.1\nmanagement.tcp.port = %s\n' \
        "$amqp_port" "$mgmt_port" > "$SVC/rmq/rabbitmq.conf"
    : > "$SVC/rmq/rabbitmq-env.conf"
    chown -R rabbitmq: "$SVC/rmq"
    runuser -u rabbitmq -- env RABBITMQ_NODENAME="$RMQ_NODE" RABBITMQ_NODE_PORT="$amqp_port" \
        RABBITMQ_DIST_PORT="$dist_port" RABBITMQ_MNESIA_BASE="$SVC/rmq/mnesia" RABBITMQ_LOG_BASE="$SVC/rmq/log" \
        RABBITMQ_ENABLED_PLUGINS_FILE="$SVC/rmq/enabled_plugins" RABBITMQ_CONFIG_FILE="$SVC/rmq/rabbitmq.conf" \
        RABBITMQ_CONF_ENV_FILE="$SVC/rmq/rabbitmq-env.conf" RABBITMQ_PID_FILE="$SVC/rmq/pid" \
        HOME=/var/lib/rabbitmq rabbitmq-server > "$SVC/rabbitmq.out" 2>&1 &
    RMQ_PID=$!
    local k=0
    until python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)' "$amqp_port" 2>/dev/null; do
        [[ -e /proc/$RMQ_PID ]] || die "private RabbitMQ exited: $(tail -5 "$SVC/rabbitmq.out")"
        sleep 0.5; k=$((k + 1)); [[ $k -lt 120 ]] || die "private RabbitMQ not listening after 60 s"
    done
    AMQP=amqp://guest:guest@127.0.0.1:$amqp_port/%2f
    MGMT=http://guest:guest@127.0.0.1:$mgmt_port
    log "private Postgres on :$pg_port (shared_buffers $PG_SHARED_BUFFERS), RabbitMQ $RMQ_NODE on :$amqp_port"
}
stop_services() {
    if [[ -n $RMQ_PID ]]; then
        runuser -u rabbitmq -- env HOME=/var/lib/rabbitmq rabbitmqctl -q -n "$RMQ_NODE" stop >/dev/null 2>&1 \
            || kill -TERM "$RMQ_PID" 2>/dev/null
        wait "$RMQ_PID" 2>/dev/null
        RMQ_PID=""
    fi
    if [[ -n $PG_DATA ]]; then
        runuser -u postgres -- "$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null 2>&1
        PG_DATA=""
    fi
    if [[ -n $SVC ]]; then
        rm -rf "$SVC/pg" "$SVC/rmq/mnesia"
        SVC=""
    fi
}

rmqctl() {  # rabbitmqctl for the broker under test
    if [[ -n $RMQ_NODE ]]; then
        runuser -u rabbitmq -- env HOME=/var/lib/rabbitmq rabbitmqctl -n "$RMQ_NODE" "$@"
    else
        rabbitmqctl "$@"
    fi
}

pg_postmaster() {  # pid of the postmaster, from its data directory's postmaster.pid
    local dd
    dd=$(psql -Atq "$PGURL/postgres" -c "SHOW data_directory" 2>/dev/null) || return 0
    head -1 "$dd/postmaster.pid" 2>/dev/null || true
}
rabbit_pid() {  # the broker's beam.smp (owned by the rabbitmq user)
    local p
    if [[ -n $RMQ_PID ]]; then echo "$RMQ_PID"; return; fi   # private: its whole process tree
    for p in $(pgrep -u rabbitmq -x beam.smp 2>/dev/null); do echo "$p"; return; done
}

# ---------------------------------------------------------------- one newspipe run
run_newspipe() {
    local round=$1 tag="newspipe-r$1" id
    id=$(date -u +%Y%m%d%H%M%S)_$$
    DB=bench_$id; PREFIX=bench_$id
    local dir=$OUT/$tag; mkdir -p "$dir"
    log "[$tag] database $DB, queue prefix $PREFIX"
    psql -q "$PGURL/postgres" -c "CREATE DATABASE $DB" >/dev/null
    export DATABASE_URL=$PGURL/$DB
    export AMQP_URL=$AMQP
    export NEWSPIPE__AMQP__MANAGEMENT_URL=$MGMT
    export NEWSPIPE__AMQP__PREFIX=$PREFIX
    [[ -n $QUEUE_TYPE ]] && export NEWSPIPE__AMQP__QUEUE_TYPE=$QUEUE_TYPE
    local kv
    for kv in "${SETTINGS[@]}"; do export "${kv?}"; done
    export NEWSPIPE__CRAWLER__ALLOW_PRIVATE_NETWORKS=true
    export NEWSPIPE__POLITENESS__MIN_INTERVAL_MS=$INTERVAL
    export NEWSPIPE__FRONTIER__MAX_DEPTH=1000
    # One-shot crawl, as the Scrapy peer does: no revisits, so the frontier drains.
    export NEWSPIPE__REVISIT__ENABLED=false

    [[ -n $PREFETCH ]] && export NEWSPIPE__AMQP__PREFETCH=$PREFETCH
    [[ -n $STORE_PREFETCH ]] && export NEWSPIPE__STORE__PREFETCH=$STORE_PREFETCH
    [[ -n $MAX_IN_FLIGHT ]] && export NEWSPIPE__FRONTIER__MAX_IN_FLIGHT=$MAX_IN_FLIGHT
    [[ -n $MAX_CONN ]] && export NEWSPIPE__DATABASE__MAX_CONNECTIONS=$MAX_CONN
    export RUST_LOG=${RUST_LOG:-warn,newspipe=info}
    env | grep -E '^(NEWSPIPE|RUST_LOG|DATABASE_URL|AMQP_URL)' | sort > "$dir/env.txt"
    "$BIN" migrate > "$dir/migrate.log" 2>&1 || die "migrate failed: $(cat "$dir/migrate.log")"
    if [[ $PG_STAT == 1 && -n $PG_DATA ]]; then
        psql -q "$DATABASE_URL" -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" -c "SELECT pg_stat_statements_reset()" >/dev/null
    fi

    "$SERVE" stop "$SITE" >/dev/null 2>&1 || true
    local run; run=$("$SERVE" start "$SITE" 2>"$dir/serve.log"); SERVING=1
    sleep 0.3

    local roles=() pids=() names=() i r n
    for r in store parser crawler; do
        case $r in store) n=$STORES ;; parser) n=$PARSERS ;; crawler) n=$CRAWLERS ;; esac
        for ((i = 1; i <= n; i++)); do
            "$BIN" "$r" > "$dir/$r-$i.log" 2>&1 &
            pids+=($!); names+=("$r-$i"); WORKER_PIDS+=($!)
        done
    done
    # ready when each worker logged that it consumes
    local t_wait=0
    for i in "${!pids[@]}"; do
        until grep -q "consuming" "$dir/${names[$i]}.log" 2>/dev/null; do
            [[ -e /proc/${pids[$i]} ]] || die "${names[$i]} exited: $(tail -5 "$dir/${names[$i]}.log")"
            sleep 0.1; t_wait=$((t_wait + 1)); [[ $t_wait -lt 600 ]] || die "${names[$i]} not consuming after 60 s"
        done
    done
    log "[$tag] workers up: $(for i in "${!pids[@]}"; do printf '%s=%s ' "${names[$i]}" "${pids[$i]}"; done)"

    local pm rb ng groups
    pm=$(pg_postmaster); rb=$(rabbit_pid); ng=$(tr -dc 0-9 < "$run/nginx.pid")
    groups=$dir/groups.json
    python3 - "$groups" "$pm" "$rb" "$ng" "${names[*]}" "${pids[@]}" <<'EOF'
import json, sys
out, pm, rb, ng, names, *w = sys.argv[1:]
g = {"newspipe_workers": w, "postgres": [pm] if pm else [], "rabbitmq": [rb] if rb else [], "nginx": [ng]}
g.update({n: [p] for n, p in zip(names.split(), w)})
json.dump(g, open(out, "w"))
EOF
    python3 "$PROCS" snap "$dir/cpu0.json"
    local t0 t1 now
    t0=$(date +%s.%N)
    "$BIN" enqueue "${SEEDS[@]}" > "$dir/enqueue.log" 2>&1 || die "enqueue failed: $(cat "$dir/enqueue.log")"

    # poll until drained; a timeline every 10 s for bottleneck analysis (`status` costs Postgres
    # tens of ms a call: every 2 s it was ~4 % of Postgres's CPU in the bench, which is not the
    # pipeline's work)
    local drained="f" k=0 st cpus
    echo "# t_s status_json cumulative_cpu_s(${names[*]} rabbitmq postgres nginx)" > "$dir/timeline.txt"
    while :; do
        sleep 0.5; k=$((k + 1))
        for i in "${!pids[@]}"; do
            [[ -e /proc/${pids[$i]} ]] || die "${names[$i]} died: $(tail -5 "$dir/${names[$i]}.log")"
        done
        drained=$(psql -Atq "$DATABASE_URL" -c "SELECT NOT EXISTS (SELECT 1 FROM frontier) AND NOT EXISTS (SELECT 1 FROM hosts WHERE robots_state = 'pending') AND EXISTS (SELECT 1 FROM urls)" 2>/dev/null || echo f)
        now=$(date +%s.%N)
        if [[ $drained == t ]]; then t1=$now; break; fi
        if (( k % 20 == 0 )); then
            st=$("$BIN" status --json 2>/dev/null || echo '{}')
            cpus=$(python3 "$PROCS" cpu "${pids[@]}" "t:$rb" "t:$pm" "t:$ng" 2>/dev/null || true)
            printf '%.1f %s %s\n' "$(echo "$now - $t0" | bc)" "$st" "$cpus" >> "$dir/timeline.txt"
        fi
        if (( $(echo "$now - $t0 > $TIMEOUT" | bc) )); then die "not drained after $TIMEOUT s"; fi
    done
    python3 "$PROCS" snap "$dir/cpu1.json"
    local hwm; hwm=$(python3 "$PROCS" hwm "${pids[@]}")
    local wall; wall=$(echo "$t1 - $t0" | bc)
    log "[$tag] drained after ${wall} s"
    "$BIN" status --json > "$dir/status-final.json" 2>/dev/null || true

    # stop the workers, check exit codes
    local rcs=()
    for p in "${pids[@]}"; do kill -TERM "$p"; done
    for i in "${!pids[@]}"; do
        local rc=0; wait "${pids[$i]}" || rc=$?; rcs+=("${names[$i]}=$rc")
    done
    WORKER_PIDS=()
    log "[$tag] worker exit codes: ${rcs[*]}"

    sleep 1.2   # nginx flushes its access log every second
    "$SERVE" stop "$SITE" >/dev/null 2>&1; SERVING=0
    cp "$run/access.log" "$dir/access.log"

    # archive export and checks
    psql -Atq "$DATABASE_URL" -c "SELECT json_build_object('url', url, 'title', title, 'author', array_to_string(authors, ', '), 'date', published_at, 'body', body) FROM articles_current" > "$dir/items.jsonl"
    python3 "$SHARED/sitegen/check_archive.py" "$SITE/manifest.json" "$dir/items.jsonl" > "$dir/check.txt"
    python3 "$SHARED/sitegen/check_archive.py" "$SITE/manifest.json" "$dir/items.jsonl" --json > "$dir/check.json"
    local rate_args=() rate_rc=0
    if [[ $INTERVAL -gt 0 ]]; then rate_args=(--window 1 --limit $(((1000 + INTERVAL - 1) / INTERVAL))); fi
    python3 "$SHARED/sitegen/rate_check.py" "$dir/access.log" "${rate_args[@]}" > "$dir/rate.txt" || rate_rc=$?
    python3 "$SHARED/sitegen/rate_check.py" "$dir/access.log" "${rate_args[@]}" --json > "$dir/rate.json" || true
    psql -Atq "$DATABASE_URL" -F ' | ' -c "SELECT state, coalesce(last_error, ''), count(*) FROM urls GROUP BY 1, 2 ORDER BY 3 DESC" > "$dir/url-states.txt"
    local counts; counts=$(psql -Atq "$DATABASE_URL" -F ' ' -c "SELECT (SELECT count(*) FROM urls WHERE state IN ('fetched','skipped','failed')), (SELECT count(*) FROM urls WHERE state = 'fetched'), (SELECT count(*) FROM articles), (SELECT count(*) FROM pages), (SELECT count(*) FROM article_revisions)")
    if [[ $PG_STAT == 1 && -n $PG_DATA ]]; then
        psql "$DATABASE_URL" -c "SELECT round(total_exec_time::numeric, 0) AS total_ms, calls, round((total_exec_time / calls)::numeric, 3) AS ms_per_call, rows, left(regexp_replace(query, '\s+', ' ', 'g'), 160) AS query FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 30" > "$dir/pg-statements.txt" 2>&1 || true
        # What autovacuum and autoanalyze did to each table during the run (their CPU is Postgres's).
        psql "$DATABASE_URL" -c "SELECT relname, n_tup_ins, n_tup_upd, n_tup_hot_upd, n_tup_del, autovacuum_count, autoanalyze_count, pg_size_pretty(pg_total_relation_size(relid)) AS size FROM pg_stat_user_tables ORDER BY autovacuum_count + autoanalyze_count DESC, n_tup_ins DESC" > "$dir/pg-tables.txt" 2>&1 || true
    fi
    local dead; dead=$(rmqctl -q list_queues name messages 2>/dev/null | awk -v q="$PREFIX.dead" '$1 == q {print $2}')
    python3 "$PROCS" diff "$dir/cpu0.json" "$dir/cpu1.json" "$groups" > "$dir/cpu.json"
    python3 - "$dir/timeline.txt" "${names[*]}" > "$dir/timeline-table.txt" <<'EOF' || true
import json, sys
names = sys.argv[2].split() + ["rabbitmq", "postgres", "nginx"]
rows = []
for line in open(sys.argv[1]):
    if line.startswith("#"):
        continue
    t, rest = line.split(" ", 1)
    j, cpus = rest.rsplit("}", 1)
    rows.append((float(t), json.loads(j + "}"), [float(x) for x in cpus.split()]))
qs = ["crawl", "pages", "store"]
print("%6s %7s %7s %7s %7s | %s | CPU%% since previous row: %s" % ("t_s", "queued", "dispat", "fetched", "pages",
      " ".join("%13s" % (q + " rdy/unack") for q in qs), " ".join("%9s" % n for n in names)))
prev = None
for t, j, c in rows:
    u = j.get("urls", {})
    qd = {q["queue"].rsplit(".", 1)[-1]: q for q in j.get("queues", []) if "queue" in q}
    qcol = " ".join("%13s" % ("%s/%s" % (qd.get(q, {}).get("ready", "?"), qd.get(q, {}).get("unacked", "?"))) for q in qs)
    pct = " ".join("%9.0f" % (100 * (a - b) / (t - prev[0])) for a, b in zip(c, prev[2])) if prev and len(c) == len(prev[2]) else ""
    print("%6.1f %7s %7s %7s %7s | %s | %s" % (t, u.get("queued", 0), u.get("dispatched", 0), u.get("fetched", 0), j.get("pages", "?"), qcol, pct))
    prev = (t, j, c)
EOF
    drop_state

    python3 - "$dir" "$tag" "$wall" "$counts" "$hwm" "${dead:-?}" "$rate_rc" "${rcs[*]}" "${names[*]}" "$INTERVAL" "$CRAWLERS" "$PARSERS" "$STORES" <<'EOF' | tee "$OUT/summary-$tag.txt"
import json, sys
d, tag, wall, counts, hwm, dead, rate_rc, rcs, names, interval, nc, np_, ns = sys.argv[1:]
wall = float(wall)
done, fetched, articles, pages, revisions = map(int, counts.split())
cpu = json.load(open(d + "/cpu.json"))
chk = json.load(open(d + "/check.json"))
rate = json.load(open(d + "/rate.json"))
requests = sum(1 for _ in open(d + "/access.log"))
hw = json.loads(hwm)
rss = dict(zip(names.split(), [hw[p] for p in hw]))
w = cpu["newspipe_workers"]
allcpu = w + cpu["rabbitmq"] + cpu["postgres"]
s = {
    "tag": tag, "interval_ms": int(interval), "crawlers": int(nc), "parsers": int(np_), "stores": int(ns),
    "wall_s": round(wall, 2), "urls_done": done, "urls_fetched": fetched, "http_requests": requests,
    "pages_stored": pages, "articles": articles, "revisions": revisions,
    "pages_per_s": round(requests / wall, 1), "urls_done_per_s": round(done / wall, 1),
    "articles_per_s": round(articles / wall, 1),
    "cpu_s": cpu, "workers_cpu_s": w, "pipeline_cpu_s": round(allcpu, 2),
    "pages_per_worker_cpu_s": round(requests / w, 1) if w else None,
    "pages_per_pipeline_cpu_s": round(requests / allcpu, 1) if allcpu else None,
    "ms_cpu_per_page_workers": round(1000 * w / requests, 2), "ms_cpu_per_page_pipeline": round(1000 * allcpu / requests, 2),
    "peak_rss_mb": rss, "exit_codes": rcs, "dead_letters": dead,
    "check": chk, "rate_violations": rate.get("violations"), "rate_check_rc": int(rate_rc),
    "rate_hosts": {h: {k: r[k] for k in ("requests", "max_in_window", "gap_min_ms", "gap_p50_ms")} for h, r in rate["hosts"].items()},
}
json.dump(s, open(d + "/summary.json", "w"), indent=1)
print("== %s: politeness %s ms, %s crawler(s), %s parser(s), %s store(s)" % (tag, interval, nc, np_, ns))
print("pages (HTTP responses in the access log) %d | URLs done %d (fetched %d, rest skipped/failed) | pages stored %d | articles %d" % (requests, done, fetched, pages, articles))
print("wall %.1f s | %.1f pages/s (%.1f articles/s, %.1f URLs done/s)" % (wall, s["pages_per_s"], s["articles_per_s"], s["urls_done_per_s"]))
print("CPU s: newspipe workers %.2f (%s) | RabbitMQ %.2f | Postgres %.2f | nginx %.2f | machine busy %.2f" % (
    w, ", ".join("%s %.2f" % (n, cpu[n]) for n in names.split()), cpu["rabbitmq"], cpu["postgres"], cpu["nginx"], cpu["machine_busy"]))
print("pages per CPU-s: workers %s (%.2f ms/page) | workers+RabbitMQ+Postgres %s (%.2f ms/page)" % (
    s["pages_per_worker_cpu_s"], s["ms_cpu_per_page_workers"], s["pages_per_pipeline_cpu_s"], s["ms_cpu_per_page_pipeline"]))
print("peak RSS MB (VmHWM): " + ", ".join("%s %.1f" % kv for kv in rss.items()))
print("exit codes: %s | dead-lettered: %s" % (rcs, dead))
print("check_archive: %d/%d matched (completeness %.4f), %d extra, %d duplicates; title %.4f author %.4f date %.4f body exact %.4f F1 %.4f" % (
    chk["matched"], chk["articles_in_manifest"], chk["completeness"], chk["extra_items"], chk["duplicates"],
    chk["title_exact"], chk["author_exact"], chk["date_exact"], chk["body_exact"], chk["body_f1"]))
print("rate_check: rc %s, violations %s; per host max/window, min gap ms: %s" % (
    rate_rc, rate.get("violations"), ", ".join("%s %d/%s" % (h, r["max_in_window"], r["gap_min_ms"]) for h, r in rate["hosts"].items())))
EOF
}

run_peer() {
    local round=$1 tag="scrapy-r$1"
    log "[$tag] $SHARED/anchors/run-scrapy.sh $SITE specific $tag"
    "$SERVE" stop "$SITE" >/dev/null 2>&1 || true
    ANCHORS_OUT=$OUT "$SHARED/anchors/run-scrapy.sh" "$SITE" specific "$tag" | tee "$OUT/summary-$tag.txt"
}

log "output in $OUT"
[[ $SERVICES == private ]] && start_services
{ echo "machine: $(lscpu | grep 'Model name' | sed 's/  */ /g'), $(nproc) cores"; echo "commit: $(cd "$ROOT" && git rev-parse --short HEAD) $(cd "$ROOT" && git status --short crates | wc -l) modified files in crates/"; echo "args: $ARGS"; } > "$OUT/machine.txt"
for ((r = 1; r <= ROUNDS; r++)); do
    run_newspipe "$r"
    [[ $PEER == 1 ]] && run_peer "$r"
done
if [[ $PEER == 1 ]]; then
    python3 - "$OUT" "$ROUNDS" <<'EOF'
import json, sys
out, rounds = sys.argv[1], int(sys.argv[2])
for r in range(1, rounds + 1):
    n = json.load(open("%s/newspipe-r%d/summary.json" % (out, r)))
    s = json.load(open("%s/scrapy-r%d.summary.json" % (out, r)))
    print("== round %d ratio newspipe/scrapy: pages/s %.1f / %.1f = %.2fx (responses: scrapy %d, newspipe %d); "
          "pages per CPU-s: newspipe workers %.1f, +RabbitMQ+Postgres %.1f vs scrapy %.1f = %.2fx / %.2fx" % (
        r, n["pages_per_s"], s["pages_per_s"], n["pages_per_s"] / s["pages_per_s"], s["responses"], n["http_requests"],
        n["pages_per_worker_cpu_s"], n["pages_per_pipeline_cpu_s"], s["pages_per_cpu_s"],
        n["pages_per_worker_cpu_s"] / s["pages_per_cpu_s"], n["pages_per_pipeline_cpu_s"] / s["pages_per_cpu_s"]))
EOF
fi
log "done; output in $OUT"
