#!/usr/bin/env bash
# Runs every newspipe test on this machine: starts RabbitMQ and PostgreSQL when they are not
# running (installing them with apt on a fresh Debian machine), then `cargo test --workspace`.
#   tests/run.sh [extra cargo test args]
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf 'tests/run.sh: %s\n' "$*" >&2; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_port() {  # port name seconds
    for _ in $(seq 1 "$3"); do port_open "$1" && return 0; sleep 1; done
    log "$2 did not open port $1"; return 1
}
apt_install() {
    if [[ $(id -u) != 0 ]]; then log "need root to apt-get install $*"; exit 1; fi
    if [[ -z ${APT_UPDATED:-} ]]; then apt-get update -qq; APT_UPDATED=1; fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

if ! port_open 5672; then
    if ! command -v rabbitmq-server >/dev/null; then log "installing rabbitmq-server"; apt_install rabbitmq-server; fi
    log "starting RabbitMQ"
    rabbitmq-server -detached >/dev/null 2>&1 || true
    wait_port 5672 RabbitMQ 90
fi

# `newspipe status` reads unacked counts from the management API; its test expects it.
if ! port_open 15672; then
    log "enabling rabbitmq_management"
    rabbitmq-plugins enable --quiet rabbitmq_management >/dev/null
    wait_port 15672 "RabbitMQ management" 60
fi

if ! port_open 5432; then
    if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
        log "installing postgresql"
        apt_install postgresql
        # A fresh cluster asks for passwords on TCP; the tests connect as postgres without one.
        for hba in /etc/postgresql/*/main/pg_hba.conf; do
            sed -i -E 's/^(host\s+all\s+all\s+(127\.0\.0\.1\/32|::1\/128)\s+)\S+/\1trust/' "$hba"
        done
    fi
    log "starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n1)" main start || true
    wait_port 5432 PostgreSQL 60
fi

# --- Archive reading (issue 9) ----------------------------------------------------------------
# crates/newspipe-api/tests/web.rs renders the web pages in Debian's headless Chromium, and
# crates/newspipe/tests/archive_cli.rs reads exported WARC files back with Python's warcio.
if ! command -v chromium >/dev/null && ! command -v chromium-browser >/dev/null; then
    log "installing chromium"; apt_install chromium
fi
if ! python3 -c 'import warcio' 2>/dev/null; then
    log "installing warcio"
    command -v pip >/dev/null || apt_install python3-pip
    pip install --quiet warcio 2>/dev/null || pip install --quiet --break-system-packages warcio
fi
# --- end of archive reading ------------------------------------------------------------------

# Integration tests each start three worker processes; two at a time fits a 2-core machine.
exec cargo test --workspace --locked "$@" -- --test-threads="${TEST_THREADS:-2}"
