# Shared helpers for scripts/infra/*.sh (sourced, not run).
# Conventions: progress and errors go to stderr; only `export VAR=...` lines go to stdout,
# so `eval "$(scripts/infra/postgres.sh start)"` works.

HV_INFRA_ROOT="${HVMIRROR_INFRA_DIR:-/tmp/hvmirror-infra}"

hv_log() { echo "[$HV_NAME] $*" >&2; }
hv_die() { echo "[$HV_NAME] ERROR: $*" >&2; exit 1; }

# Prints the TCP ports in use on this machine (any state, IPv4 and IPv6), one per line.
hv_used_ports() {
    local f line port
    for f in /proc/net/tcp /proc/net/tcp6; do
        [ -r "$f" ] || continue
        while read -r _ line _; do
            port="${line##*:}"
            [[ "$port" =~ ^[0-9A-Fa-f]{4}$ ]] && echo $((16#$port))
        done < "$f"
    done
}

# hv_free_port [excluded ports...]: a port nobody listens on, below the ephemeral range.
hv_free_port() {
    local used port i
    used=" $(hv_used_ports | tr '\n' ' ') $* "
    for i in $(seq 1 200); do
        port=$((20000 + RANDOM % 12000))
        if [[ "$used" != *" $port "* ]] && ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return 0
        fi
    done
    hv_die "found no free TCP port in 20000-31999"
}

# hv_already_running: true, printing its exports, when this script's server already runs; otherwise false, after
# removing what a server that died left behind. Needs the script's is_running, cmd_stop, STATE and ENV_FILE.
hv_already_running() {
    if is_running && [ -f "$ENV_FILE" ]; then
        hv_log "already running"
        cat "$ENV_FILE"
        return 0
    fi
    [ -e "$STATE" ] && { hv_log "removing stale state in $STATE"; cmd_stop; }
    return 1
}

# hv_port_listening PORT: is something accepting connections on 127.0.0.1:PORT?
hv_port_listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# hv_apt_install PACKAGE...: installs Debian packages without letting them start their
# machine-wide services (policy-rc.d answering 101), running `apt-get update` once if needed.
hv_apt_install() {
    local log="$HV_INFRA_ROOT/$HV_NAME/apt.log" sudo="" made_policy=""
    mkdir -p "$HV_INFRA_ROOT/$HV_NAME"
    if [ "$(id -u)" != 0 ]; then
        command -v sudo >/dev/null || hv_die "need root (or sudo) to apt-get install $*; install it by hand and retry"
        sudo="sudo"
    fi
    command -v apt-get >/dev/null || hv_die "$* missing and no apt-get here: install it by hand and retry"
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null
        $sudo chmod +x /usr/sbin/policy-rc.d
        made_policy=1
    fi
    hv_log "installing $* with apt-get (log: $log)"
    local ok=""
    export DEBIAN_FRONTEND=noninteractive
    if $sudo apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends "$@" >"$log" 2>&1; then
        ok=1
    else
        hv_log "apt-get install failed; running apt-get update and trying again"
        if $sudo apt-get -o DPkg::Lock::Timeout=300 update >>"$log" 2>&1 &&
           $sudo apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends "$@" >>"$log" 2>&1; then
            ok=1
        fi
    fi
    [ -n "$made_policy" ] && $sudo rm -f /usr/sbin/policy-rc.d
    [ -n "$ok" ] || hv_die "apt-get install $* failed; read $log"
}

# hv_wait_pid_gone PID SECONDS: waits for a process to exit; returns 1 if it is still there.
hv_wait_pid_gone() {
    local pid="$1" i
    for i in $(seq 1 $(($2 * 10))); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    return 1
}

# Wall-clock timing: hv_now_ms, and hv_since START_MS printing e.g. "1.3s".
hv_now_ms() { local t="${EPOCHREALTIME/[.,]/}"; echo $((t / 1000)); }
hv_since() { local d=$(($(hv_now_ms) - $1)); printf '%d.%ds' $((d / 1000)) $((d % 1000 / 100)); }
