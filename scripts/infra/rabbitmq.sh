#!/usr/bin/env bash
# An isolated, throw-away RabbitMQ broker (with the management plugin) for the tests, on free
# loopback ports, with its own node name, Erlang cookie, epmd and data dir: the machine-wide
# default node is neither used nor disturbed.
#
#   scripts/infra/rabbitmq.sh start   # install if missing, start, wait until ready, print the env
#   scripts/infra/rabbitmq.sh env     # print the env of the running instance
#   scripts/infra/rabbitmq.sh stop    # stop it (and its epmd) and delete its data
#   scripts/infra/rabbitmq.sh pause   # stop the node but keep its data (an outage, for tests)
#   scripts/infra/rabbitmq.sh resume  # start the paused node again on the same ports, with its data
#
# `start` and `env` print only `export ...` lines on stdout:
#   eval "$(scripts/infra/rabbitmq.sh start)"
#   HVMIRROR_TEST_RABBITMQ=amqp://user:pass@127.0.0.1:PORT/
#   HVMIRROR_TEST_RABBITMQ_MANAGEMENT=http://user:pass@127.0.0.1:PORT
# State lives in ${HVMIRROR_INFRA_DIR:-/tmp/hvmirror-infra}/rabbitmq; its `rabbitmqctl` there
# talks to this node (e.g. `/tmp/hvmirror-infra/rabbitmq/rabbitmqctl list_queues -p VHOST`).
set -euo pipefail
HV_NAME=rabbitmq
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

STATE="$HV_INFRA_ROOT/rabbitmq"
NODE_ENV="$STATE/node.env"   # the RABBITMQ_* variables of this node, for the server and its CLI
ENV_FILE="$STATE/env"
LOG="$STATE/log"             # the broker's log directory
RMQ_BIN=/usr/lib/rabbitmq/bin
USER_NAME=hvmirror
PASSWORD=hvmirror

load_node_env() { [ -f "$NODE_ENV" ] && . "$NODE_ENV"; }

ctl() { "$RMQ_BIN/rabbitmqctl" "$@"; }

is_running() {
    [ -f "$NODE_ENV" ] && [ -s "$STATE/rabbitmq.pid" ] || return 1
    ( load_node_env; kill -0 "$(cat "$RABBITMQ_PID_FILE")" 2>/dev/null && hv_port_listening "$RABBITMQ_NODE_PORT" )
}

cmd_env() {
    is_running && [ -f "$ENV_FILE" ] || hv_die "no instance running (start one with: $0 start)"
    cat "$ENV_FILE"
}

cmd_stop() {
    if [ -f "$NODE_ENV" ]; then
        (
            load_node_env
            local pid=""
            [ -f "$RABBITMQ_PID_FILE" ] && pid=$(cat "$RABBITMQ_PID_FILE")
            hv_log "stopping RabbitMQ node $RABBITMQ_NODENAME${pid:+ (pid $pid)}"
            # Its data is deleted right after, so no graceful shutdown (which takes ~7 s): kill it.
            # Erlang's helper processes (erl_child_setup, inet_gethost) end with it.
            if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
                kill -9 "$pid" 2>/dev/null || true
                hv_wait_pid_gone "$pid" 10 || hv_die "RabbitMQ (pid $pid) did not stop"
            fi
            # This node's private epmd.
            epmd -port "$ERL_EPMD_PORT" -kill >/dev/null 2>&1 || true
            local epmd_pid
            for epmd_pid in $(pgrep -f "^epmd -address 127.0.0.1 -port $ERL_EPMD_PORT -daemon" 2>/dev/null || true); do
                kill "$epmd_pid" 2>/dev/null || true
            done
        )
    fi
    rm -rf "$STATE"
}

# launch_node AMQP_PORT MANAGEMENT_PORT: boots the node (its env loaded) and waits until both listeners accept.
launch_node() {
    local amqp="$1" mgmt="$2" i pid=""
    ( cd "$STATE" && "$RMQ_BIN/rabbitmq-server" -detached >"$LOG/startup.log" 2>&1 ) \
        || hv_die "rabbitmq-server -detached failed; read $LOG/startup.log and $LOG/; then clean up with: $0 stop"
    # Ready when both listeners accept connections: the AMQP listener opens at the end of the boot,
    # the management one when its plugin has started. (Polling is cheaper than `rabbitmqctl wait`.)
    for i in $(seq 1 1200); do
        hv_port_listening "$amqp" && hv_port_listening "$mgmt" && return 0
        [ -z "$pid" ] && [ -s "$RABBITMQ_PID_FILE" ] && pid=$(cat "$RABBITMQ_PID_FILE")
        if [ "$i" = 1200 ] || { [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; }; then
            hv_die "RabbitMQ did not start (ports $amqp AMQP / $mgmt management); read $LOG/$RABBITMQ_NODENAME.log and $LOG/startup.log; then clean up with: $0 stop"
        fi
        sleep 0.1
    done
}

# An outage: the node stops cleanly (durable queues and persistent messages kept); its ports and env stay for `resume`.
cmd_pause() {
    is_running || hv_die "no instance running (start one with: $0 start)"
    (
        load_node_env
        local pid
        pid=$(cat "$RABBITMQ_PID_FILE")
        ctl stop >/dev/null 2>&1 || kill -TERM "$pid" 2>/dev/null || true
        hv_wait_pid_gone "$pid" 60 || hv_die "RabbitMQ (pid $pid) did not shut down; read $LOG"
    )
    hv_log "paused (data kept in $STATE/mnesia)"
}

cmd_resume() {
    is_running && { hv_log "already running"; return 0; }
    [ -f "$STATE/ports" ] && [ -f "$NODE_ENV" ] || hv_die "nothing to resume in $STATE (start one with: $0 start)"
    local amqp mgmt
    read -r amqp mgmt < "$STATE/ports"
    load_node_env
    launch_node "$amqp" "$mgmt"
    hv_log "resumed on 127.0.0.1:$amqp"
}

cmd_start() {
    hv_already_running && return 0

    [ -x "$RMQ_BIN/rabbitmq-server" ] || hv_apt_install rabbitmq-server
    [ -x "$RMQ_BIN/rabbitmq-server" ] || hv_die "no $RMQ_BIN/rabbitmq-server after installing rabbitmq-server"
    command -v epmd >/dev/null || hv_die "no epmd on PATH (it comes with erlang-base, a dependency of rabbitmq-server)"

    local started amqp mgmt dist epmd_port
    started=$(hv_now_ms)
    amqp=$(hv_free_port); mgmt=$(hv_free_port "$amqp"); dist=$(hv_free_port "$amqp" "$mgmt")
    epmd_port=$(hv_free_port "$amqp" "$mgmt" "$dist")

    mkdir -p "$STATE/home" "$STATE/mnesia" "$LOG"
    chmod 700 "$STATE/home"
    head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$STATE/home/.erlang.cookie"
    chmod 400 "$STATE/home/.erlang.cookie"
    : > "$STATE/rabbitmq-env.conf"        # so /etc/rabbitmq/rabbitmq-env.conf is not read
    echo '[rabbitmq_management].' > "$STATE/enabled_plugins"
    cat > "$STATE/rabbitmq.conf" <<CONF
listeners.tcp.1 = 127.0.0.1:$amqp
management.tcp.ip = 127.0.0.1
management.tcp.port = $mgmt
default_user = $USER_NAME
default_pass = $PASSWORD
default_user_tags.administrator = true
loopback_users = none
disk_free_limit.absolute = 50MB
# Queue statistics (what the management API reports) every 0.5 s, not 5 s: tests poll queue depths.
collect_statistics_interval = 500
log.console = false
log.file.level = info
CONF
    cat > "$NODE_ENV" <<ENV
export HOME='$STATE/home'
export RABBITMQ_NODENAME='hvmirror-$amqp@localhost'
export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
export RABBITMQ_NODE_PORT=$amqp
export RABBITMQ_DIST_PORT=$dist
export ERL_EPMD_PORT=$epmd_port
export ERL_EPMD_ADDRESS=127.0.0.1
export RABBITMQ_CONF_ENV_FILE='$STATE/rabbitmq-env.conf'
export RABBITMQ_CONFIG_FILE='$STATE/rabbitmq.conf'
export RABBITMQ_ADVANCED_CONFIG_FILE='$STATE/advanced.config'
export RABBITMQ_ENABLED_PLUGINS_FILE='$STATE/enabled_plugins'
export RABBITMQ_MNESIA_BASE='$STATE/mnesia'
export RABBITMQ_LOG_BASE='$LOG'
export RABBITMQ_PID_FILE='$STATE/rabbitmq.pid'
ENV
    printf '#!/bin/sh\n. %s\nexec %s/rabbitmqctl "$@"\n' "$NODE_ENV" "$RMQ_BIN" > "$STATE/rabbitmqctl"
    chmod +x "$STATE/rabbitmqctl"

    echo "$amqp $mgmt" > "$STATE/ports"
    load_node_env
    # A private epmd, so that stop can end it without touching anyone else's Erlang nodes.
    epmd -address 127.0.0.1 -port "$epmd_port" -daemon \
        || hv_die "could not start epmd on port $epmd_port"
    launch_node "$amqp" "$mgmt"

    {
        echo "export HVMIRROR_TEST_RABBITMQ='amqp://$USER_NAME:$PASSWORD@127.0.0.1:$amqp/'"
        echo "export HVMIRROR_TEST_RABBITMQ_MANAGEMENT='http://$USER_NAME:$PASSWORD@127.0.0.1:$mgmt'"
    } > "$ENV_FILE"
    hv_log "ready: AMQP 127.0.0.1:$amqp, management http://127.0.0.1:$mgmt, node $RABBITMQ_NODENAME, in $(hv_since "$started") (logs: $LOG)"
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
