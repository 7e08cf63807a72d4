#!/usr/bin/env bash
# An isolated, throw-away MariaDB server for the tests (Helioviewer's own database engine), on a free
# loopback port, run as a plain process: never the machine's mariadb service.
#
#   scripts/infra/mariadb.sh start   # install if missing, start, wait until ready, print the env
#   scripts/infra/mariadb.sh env     # print the env of the running instance
#   scripts/infra/mariadb.sh stop    # stop it and delete its data
#   scripts/infra/mariadb.sh pause   # shut the server down but keep its data (an outage, for tests)
#   scripts/infra/mariadb.sh resume  # start the paused server again on the same port, with its data
#
# `start` and `env` print only `export HVMIRROR_TEST_MARIADB='...'` on stdout (a MySqlConnector
# connection string of a TCP user that may CREATE DATABASE):
#   eval "$(scripts/infra/mariadb.sh start)"
# State (data, socket, log, env) lives in ${HVMIRROR_INFRA_DIR:-/tmp/hvmirror-infra}/mariadb.
set -euo pipefail
HV_NAME=mariadb
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

STATE="$HV_INFRA_ROOT/mariadb"
DATA="$STATE/data"
RUN="$STATE/run"
SOCKET="$RUN/mariadb.sock"
PID_FILE="$RUN/mariadb.pid"
LOG="$STATE/mariadb.log"
ENV_FILE="$STATE/env"
USER_NAME=hvmirror
PASSWORD=hvmirror

server_bin() { command -v mariadbd || { [ -x /usr/sbin/mariadbd ] && echo /usr/sbin/mariadbd; }; }

# As root the server drops to the `mysql` user, which must own its data and socket folders.
run_as_args() { [ "$(id -u)" = 0 ] && echo "--user=mysql" || true; }

root_sql() { mariadb --no-defaults -S "$SOCKET" -uroot --batch --skip-column-names -e "$1"; }

is_running() {
    [ -f "$PID_FILE" ] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null &&
        mariadb-admin --no-defaults -S "$SOCKET" -uroot ping >/dev/null 2>&1
}

# Speed over durability: this database is thrown away after the tests.
launch() {
    setsid "$1" --no-defaults --datadir="$DATA" $(run_as_args) --port="$2" --bind-address=127.0.0.1 \
        --socket="$SOCKET" --pid-file="$PID_FILE" --log-error="$LOG" --skip-name-resolve --skip-log-bin \
        --innodb-buffer-pool-size=64M --innodb-flush-log-at-trx-commit=0 --max-connections=300 \
        </dev/null >/dev/null 2>&1 &
    echo "$2" > "$STATE/port"
}

# An outage: the server shuts down cleanly (MyISAM tables flushed); its data, port and env stay for `resume`.
cmd_pause() {
    is_running || hv_die "no instance running (start one with: $0 start)"
    local pid
    pid=$(cat "$PID_FILE")
    mariadb-admin --no-defaults -S "$SOCKET" -uroot shutdown >/dev/null 2>&1 || kill -TERM "$pid" 2>/dev/null || true
    hv_wait_pid_gone "$pid" 30 || hv_die "MariaDB (pid $pid) did not shut down; read $LOG"
    hv_log "paused (data kept in $DATA)"
}

cmd_resume() {
    is_running && { hv_log "already running"; return 0; }
    [ -f "$STATE/port" ] && [ -d "$DATA" ] || hv_die "nothing to resume in $STATE (start one with: $0 start)"
    local bin port pid i
    bin=$(server_bin) || hv_die "no mariadbd"
    port=$(cat "$STATE/port")
    launch "$bin" "$port"
    pid=$!
    for i in $(seq 1 600); do
        mariadb-admin --no-defaults -S "$SOCKET" -uroot ping >/dev/null 2>&1 && { hv_log "resumed on 127.0.0.1:$port"; return 0; }
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    hv_die "MariaDB did not resume on port $port (is it taken?); read $LOG"
}

cmd_env() {
    is_running && [ -f "$ENV_FILE" ] || hv_die "no instance running (start one with: $0 start)"
    cat "$ENV_FILE"
}

cmd_stop() {
    local pid
    if [ -f "$PID_FILE" ]; then
        pid=$(cat "$PID_FILE")
        hv_log "stopping MariaDB (pid $pid)"
        mariadb-admin --no-defaults -S "$SOCKET" -uroot shutdown >/dev/null 2>&1 || kill -TERM "$pid" 2>/dev/null || true
        if ! hv_wait_pid_gone "$pid" 30; then
            kill -KILL "$pid" 2>/dev/null || true
            hv_wait_pid_gone "$pid" 5 || hv_die "MariaDB (pid $pid) did not stop; read $LOG"
        fi
    fi
    rm -rf "$STATE"
}

cmd_start() {
    hv_already_running && return 0

    local bin
    bin=$(server_bin) || { hv_apt_install mariadb-server mariadb-client; bin=$(server_bin) || hv_die "no mariadbd after installing mariadb-server"; }
    if [ "$(id -u)" = 0 ] && ! id mysql >/dev/null 2>&1; then
        hv_die "running as root but there is no 'mysql' user to run the server as (install the Debian package mariadb-server, which creates it)"
    fi

    local started=$(hv_now_ms)
    mkdir -p "$DATA" "$RUN"
    if [ "$(id -u)" = 0 ]; then
        chown -R mysql: "$STATE"
        chmod 755 "$HV_INFRA_ROOT" "$STATE"   # the mysql user must reach its folders
        su mysql -s /bin/sh -c "test -w '$RUN'" || hv_die "the mysql user cannot write to $RUN: set HVMIRROR_INFRA_DIR to a directory whose parents everyone may traverse"
    fi

    mariadb-install-db --no-defaults --datadir="$DATA" $(run_as_args) --auth-root-authentication-method=socket \
        --skip-test-db >"$STATE/install-db.log" 2>&1 || hv_die "mariadb-install-db failed; read $STATE/install-db.log"

    local port attempt pid i
    for attempt in 1 2 3 4 5; do
        port=$(hv_free_port)
        launch "$bin" "$port"
        pid=$!
        for i in $(seq 1 600); do
            mariadb-admin --no-defaults -S "$SOCKET" -uroot ping >/dev/null 2>&1 && break
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$pid" 2>/dev/null && mariadb-admin --no-defaults -S "$SOCKET" -uroot ping >/dev/null 2>&1; then
            break
        fi
        kill -TERM "$pid" 2>/dev/null || true
        grep -q "Address already in use\|Bind on TCP/IP port" "$LOG" 2>/dev/null && [ "$attempt" -lt 5 ] \
            && { hv_log "port $port taken meanwhile, trying another"; continue; }
        hv_die "MariaDB did not start on port $port; read $LOG"
    done

    # Root logs in over the socket only; the tests connect over TCP as a user that may create databases.
    root_sql "CREATE USER '$USER_NAME'@'%' IDENTIFIED BY '$PASSWORD'; GRANT ALL PRIVILEGES ON *.* TO '$USER_NAME'@'%';" \
        || hv_die "could not create the user $USER_NAME; read $LOG"

    local cs="Server=127.0.0.1;Port=$port;User ID=$USER_NAME;Password=$PASSWORD"
    printf "export HVMIRROR_TEST_MARIADB='%s'\n" "$cs" > "$ENV_FILE"
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
