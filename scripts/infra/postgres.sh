#!/usr/bin/env bash
# An isolated, throw-away PostgreSQL server for the tests, on a free loopback port.
#
#   scripts/infra/postgres.sh start   # install if missing, start, wait until ready, print the env
#   scripts/infra/postgres.sh env     # print the env of the running instance
#   scripts/infra/postgres.sh stop    # stop it and delete its data
#   scripts/infra/postgres.sh pause   # shut the server down but keep its data (an outage, for tests)
#   scripts/infra/postgres.sh resume  # start the paused server again on the same port, with its data
#
# `start` and `env` print only `export HVMIRROR_TEST_POSTGRES='...'` on stdout:
#   eval "$(scripts/infra/postgres.sh start)"
# State (data, log, env) lives in ${HVMIRROR_INFRA_DIR:-/tmp/hvmirror-infra}/postgres.
set -euo pipefail
HV_NAME=postgres
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

STATE="$HV_INFRA_ROOT/postgres"
DATA="$STATE/data"
LOG="$STATE/postgres.log"
ENV_FILE="$STATE/env"
PASSWORD=hvmirror

pg_bin() {
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    [ -n "$dir" ] && [ -x "$dir/initdb" ] && echo "$dir"
}

# PostgreSQL refuses to run as root: as root, run its programs as the `postgres` user.
as_pg() {
    if [ "$(id -u)" = 0 ]; then
        su postgres -s /bin/sh -c "$(printf '%q ' "$@")"
    else
        "$@"
    fi
}

is_running() {
    local bin
    bin=$(pg_bin) || return 1
    [ -f "$DATA/postmaster.pid" ] && as_pg "$bin/pg_ctl" -D "$DATA" status >/dev/null 2>&1
}

cmd_env() {
    is_running && [ -f "$ENV_FILE" ] || hv_die "no instance running (start one with: $0 start)"
    cat "$ENV_FILE"
}

cmd_stop() {
    local bin pid
    if [ -f "$DATA/postmaster.pid" ]; then
        pid=$(head -n 1 "$DATA/postmaster.pid")
        bin=$(pg_bin) || true
        hv_log "stopping PostgreSQL (pid $pid)"
        [ -n "$bin" ] && as_pg "$bin/pg_ctl" -D "$DATA" stop -m fast -w -t 30 >/dev/null 2>&1 || true
        if kill -0 "$pid" 2>/dev/null; then
            kill -QUIT "$pid" 2>/dev/null || true
            hv_wait_pid_gone "$pid" 10 || hv_die "PostgreSQL (pid $pid) did not stop; read $LOG"
        fi
    fi
    rm -rf "$STATE"
}

# launch BIN PORT: starts the server on the data folder and waits until it accepts connections.
launch() {
    # Speed over durability: this database is thrown away after the tests.
    as_pg "$1/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 start -o "-p $2 -c listen_addresses=127.0.0.1 \
        -c unix_socket_directories=$STATE/run -c max_connections=300 -c fsync=off \
        -c synchronous_commit=off -c full_page_writes=off" >/dev/null 2>&1
}

# An outage: the server shuts down (connections cut); its data, port and env stay for `resume`.
cmd_pause() {
    is_running || hv_die "no instance running (start one with: $0 start)"
    as_pg "$(pg_bin)/pg_ctl" -D "$DATA" stop -m fast -w -t 30 >/dev/null 2>&1 || hv_die "PostgreSQL did not shut down; read $LOG"
    hv_log "paused (data kept in $DATA)"
}

cmd_resume() {
    is_running && { hv_log "already running"; return 0; }
    [ -f "$STATE/port" ] && [ -d "$DATA" ] || hv_die "nothing to resume in $STATE (start one with: $0 start)"
    local port
    port=$(cat "$STATE/port")
    launch "$(pg_bin)" "$port" || hv_die "PostgreSQL did not resume on port $port (is it taken?); read $LOG"
    hv_log "resumed on 127.0.0.1:$port"
}

cmd_start() {
    hv_already_running && return 0

    local bin
    bin=$(pg_bin) || { hv_apt_install postgresql; bin=$(pg_bin) || hv_die "no PostgreSQL server under /usr/lib/postgresql/*/bin after installing"; }
    if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
        hv_die "running as root but there is no 'postgres' user to run the server as (install the Debian package postgresql, which creates it)"
    fi

    local started=$(hv_now_ms)
    mkdir -p "$STATE/run"
    printf '%s\n' "$PASSWORD" > "$STATE/pwfile"
    [ "$(id -u)" = 0 ] && chown -R postgres: "$STATE"
    chmod 700 "$STATE"
    if [ "$(id -u)" = 0 ]; then
        chmod 755 "$HV_INFRA_ROOT" "$STATE"   # the postgres user must reach its dir
        as_pg test -w "$STATE" || hv_die "the postgres user cannot write to $STATE: set HVMIRROR_INFRA_DIR to a directory whose parents everyone may traverse"
    fi

    as_pg "$bin/initdb" -D "$DATA" -U postgres --pwfile="$STATE/pwfile" --auth-local=trust --auth-host=scram-sha-256 \
        -E UTF8 --locale=C.UTF-8 --no-sync >"$STATE/initdb.log" 2>&1 \
        || hv_die "initdb failed; read $STATE/initdb.log"

    local port attempt
    for attempt in 1 2 3 4 5; do
        port=$(hv_free_port)
        launch "$bin" "$port" && break
        grep -q "could not bind\|Address already in use" "$LOG" 2>/dev/null && [ "$attempt" -lt 5 ] \
            && { hv_log "port $port taken meanwhile, trying another"; continue; }
        hv_die "PostgreSQL did not start on port $port; read $LOG"
    done
    echo "$port" > "$STATE/port"

    local cs="Host=127.0.0.1;Port=$port;Username=postgres;Password=$PASSWORD"
    printf "export HVMIRROR_TEST_POSTGRES='%s'\n" "$cs" > "$ENV_FILE"
    hv_log "ready on 127.0.0.1:$port in $(hv_since "$started") (log: $LOG)"
    cat "$ENV_FILE"
}

case "${1:-}" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    env) cmd_env ;;
    pause) cmd_pause ;;
    resume) cmd_resume ;;
    *) echo "usage: $0 start|stop|env|pause|resume" >&2; exit 2 ;;
esac
