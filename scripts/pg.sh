#!/usr/bin/env bash
# A private PostgreSQL cluster for the tests and benchmarks: loopback only, trust authentication,
# ICU Vietnamese collation, data under ./.pgdata (never the system cluster, never a system port).
#
#   scripts/pg.sh start          initdb on first use, start, create the database "congvan"; fails loudly
#   scripts/pg.sh stop           stop it (fine if it is not running)
#   scripts/pg.sh status         exit 0 when it answers
#   scripts/pg.sh url [DB]       the CONGVAN_DATABASE_URL to use (DB defaults to congvan)
#   scripts/pg.sh recreatedb DB  drop and create DB (benchmarks start from an empty database)
#
# Knobs: CONGVAN_PG_PORT (55432), CONGVAN_PG_DIR (./.pgdata), CONGVAN_PG_BIN (newest /usr/lib/postgresql/*/bin).
set -euo pipefail
cd "$(dirname "$0")/.."

PORT="${CONGVAN_PG_PORT:-55432}"
BASE="${CONGVAN_PG_DIR:-$PWD/.pgdata}"
DB_DEFAULT=congvan

pg_bin() {
    if [[ -n "${CONGVAN_PG_BIN:-}" ]]; then echo "$CONGVAN_PG_BIN"; return; fi
    local dir
    dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
    if [[ -z "$dir" || ! -x "$dir/initdb" ]]; then
        echo "pg.sh: PostgreSQL server binaries not found under /usr/lib/postgresql (apt-get install postgresql)" >&2
        exit 1
    fi
    echo "$dir"
}

# initdb and the server refuse to run as root: as root they run as the "postgres" user.
as_owner() {
    if [[ "$(id -u)" == 0 ]]; then
        (cd / && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

# The data live in ./.pgdata. When the checkout is not reachable by the postgres user (e.g. under /root),
# ./.pgdata becomes a link to a private folder under /tmp instead.
prepare_base() {
    if [[ -d "$BASE" ]]; then return; fi
    if [[ "$(id -u)" == 0 ]] && ! runuser -u postgres -- test -x "$(dirname "$BASE")"; then
        local target
        target="$(mktemp -d /tmp/congvan-pgdata.XXXXXX)"
        ln -sfn "$target" "$BASE"
    else
        mkdir -p "$BASE"
    fi
    if [[ "$(id -u)" == 0 ]]; then chown postgres:postgres "$(readlink -f "$BASE")"; fi
    chmod 700 "$(readlink -f "$BASE")"
    resolve_base
}

# Work on the real folder (the postgres user may not be able to walk through the checkout to the link).
resolve_base() {
    if [[ -e "$BASE" ]]; then BASE="$(readlink -f "$BASE")"; fi
}

psql_() {
    "$(pg_bin)/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U postgres "$@"
}

running() {
    [[ -f "$BASE/data/postmaster.pid" ]] && as_owner "$(pg_bin)/pg_ctl" -D "$BASE/data" status >/dev/null 2>&1
}

fail_with_log() {
    echo "pg.sh: $1" >&2
    if [[ -f "$BASE/log.txt" ]]; then
        echo "---- last lines of $BASE/log.txt ----" >&2
        tail -n 15 "$BASE/log.txt" >&2 || true
    fi
    exit 1
}

start() {
    local bin
    bin="$(pg_bin)"
    prepare_base
    if [[ ! -f "$BASE/data/PG_VERSION" ]]; then
        rm -rf "${BASE:?}/data"
        as_owner "$bin/initdb" -D "$BASE/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
            --locale-provider=icu --icu-locale=vi >"$BASE/initdb.log" 2>&1 \
            || { cat "$BASE/initdb.log" >&2; fail_with_log "initdb failed"; }
    fi
    if ! running; then
        # No Unix socket: a checkout path can be longer than a socket path may be, and TCP is all we use.
        as_owner "$bin/pg_ctl" -D "$BASE/data" -l "$BASE/log.txt" -w -t 60 \
            -o "-c listen_addresses=127.0.0.1 -p $PORT -c unix_socket_directories=''" start \
            >/dev/null || fail_with_log "the server did not start on 127.0.0.1:$PORT (port taken?)"
    fi
    local i
    for i in $(seq 1 30); do
        if psql_ -d postgres -c "SELECT 1" >/dev/null 2>&1; then break; fi
        if [[ "$i" == 30 ]]; then fail_with_log "the server does not answer on 127.0.0.1:$PORT"; fi
        sleep 1
    done
    createdb_if_missing "$DB_DEFAULT"
    echo "PostgreSQL $(psql_ -d postgres -tAc 'SHOW server_version') on 127.0.0.1:$PORT ($BASE)" >&2
}

createdb_if_missing() {
    if [[ -z "$(psql_ -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$1'")" ]]; then
        psql_ -d postgres -c "CREATE DATABASE \"$1\""
    fi
}

stop() {
    if [[ -f "$BASE/data/postmaster.pid" ]]; then
        as_owner "$(pg_bin)/pg_ctl" -D "$BASE/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
}

resolve_base
case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) running ;;
    url) echo "postgres://postgres@127.0.0.1:$PORT/${2:-$DB_DEFAULT}" ;;
    recreatedb)
        [[ -n "${2:-}" ]] || { echo "usage: $0 recreatedb NAME" >&2; exit 2; }
        psql_ -d postgres -c "DROP DATABASE IF EXISTS \"$2\" WITH (FORCE)"
        psql_ -d postgres -c "CREATE DATABASE \"$2\""
        ;;
    *) echo "usage: $0 start|stop|status|url [DB]|recreatedb DB" >&2; exit 2 ;;
esac
