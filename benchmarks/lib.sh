# Shared by the benchmarks (sourced, not run). Needs the caller's log; the helpers for the hosts also need its die and
# WORK, and an OWN_INFRA array its cleanup stops (scripts/infra/$name.sh stop) and empties.

# bench_need COMMAND [PACKAGE]: the Debian package (default: the command's name) installed when the command is missing,
# by scripts/infra's hv_apt_install, which runs `apt-get update` when the install fails: a fresh machine has no package
# lists, and a bare `apt-get install` there answers "Unable to locate package".
bench_need() {
    command -v "$1" >/dev/null && return 0
    log "installing ${2:-$1} (for $1)"
    ( HV_NAME=benchmarks; . scripts/infra/lib.sh; hv_apt_install "${2:-$1}" ) || { log "ERROR: could not install ${2:-$1}"; exit 1; }
}

# bench_project PROGRAM: the project of a program the benchmarks run (Cli, LinkProxy, or a role whose host is
# services/<role>/HvMirror.<role>.Host).
bench_project() {
    case $1 in
        Cli) echo services/Cli/HvMirror.Cli ;;
        LinkProxy) echo benchmarks/long-link/LinkProxy ;;
        *) echo "services/$1/HvMirror.$1.Host" ;;
    esac
}

# bench_publish DEST PROGRAM...: each program published into DEST/PROGRAM the way the Dockerfiles publish it
# (Release, ReadyToRun for this machine's architecture): measured as deployed, not as a JIT-only `dotnet build`, which
# spent a fifth of a short sync's CPU compiling (README, "Where the CPU of a short sync goes"). A private copy: a build
# elsewhere in the repository meanwhile cannot change it under the run.
bench_publish() {
    local dest=$1 p
    shift
    mkdir -p "$dest"
    for p in "$@"; do
        bench_publish_one "$dest" "$p"
        # A ReadyToRun image left corrupt in obj/ (a machine stopped mid-build) is reused by every later publish, and the
        # program then dies with SIGABRT and no message: start the CLI once, and crossgen afresh if it cannot.
        if [ "$p" = Cli ] && ! "$dest/Cli/hvmirror" --help >/dev/null 2>&1; then
            log "the published hvmirror does not start (--help); publishing it again with a fresh ReadyToRun compile"
            rm -rf "$(bench_project Cli)"/obj/Release/*/*/R2R
            bench_publish_one "$dest" Cli
            "$dest/Cli/hvmirror" --help >/dev/null || die "the published hvmirror ($dest/Cli) does not start even after a fresh publish"
        fi
    done
}

bench_publish_one() { # DEST PROGRAM
    local attempt build_log="$1/publish.log"
    log "publishing $(bench_project "$2") (Release, ReadyToRun)"
    for attempt in 1 2 3; do   # a second try: another build in the same tree may have raced this one
        dotnet publish "$(bench_project "$2")" -c Release --use-current-runtime --self-contained false \
            -p:PublishReadyToRun=true -o "$1/$2" -v q -nologo >"$build_log" 2>&1 && return 0
        [ $attempt = 3 ] && { tail -n 30 "$build_log" >&2; die "publish of $(bench_project "$2") failed ($build_log)"; }
        log "publish of $(bench_project "$2") failed; trying again"; sleep 10
    done
}

# bench_servers STATE_DIR: PostgreSQL and RabbitMQ from $HVMIRROR_TEST_POSTGRES / $HVMIRROR_TEST_RABBITMQ /
# $HVMIRROR_TEST_RABBITMQ_MANAGEMENT when set, otherwise private servers from scripts/infra under STATE_DIR (never
# another run's). Sets PG_URI (libpq form, for psql), RMQ_MGMT and RMQ_USER, and checks both answer.
bench_servers() {
    local name out
    if [ -z "${HVMIRROR_TEST_POSTGRES:-}" ] || [ -z "${HVMIRROR_TEST_RABBITMQ:-}" ]; then
        export HVMIRROR_INFRA_DIR="$1"
        [ -z "${HVMIRROR_TEST_POSTGRES:-}" ] && OWN_INFRA+=(postgres)
        [ -z "${HVMIRROR_TEST_RABBITMQ:-}" ] && OWN_INFRA+=(rabbitmq)
        for name in "${OWN_INFRA[@]}"; do
            log "starting a private $name (state in $HVMIRROR_INFRA_DIR)"
            out=$(scripts/infra/$name.sh start 2>>"$WORK/infra.log") || { cat "$WORK/infra.log" >&2; die "could not start $name"; }
            eval "$out"
        done
    fi
    # Npgsql connection string -> libpq URI.
    PG_URI=$(python3 - "$HVMIRROR_TEST_POSTGRES" <<'PY'
import sys, urllib.parse as u
kv = {k.strip().lower(): v.strip() for k, v in (p.split('=', 1) for p in sys.argv[1].split(';') if '=' in p)}
user = kv.get('username') or kv.get('user id') or kv.get('user') or 'postgres'
print(f"postgresql://{u.quote(user, safe='')}:{u.quote(kv.get('password', ''), safe='')}@{kv.get('host', '127.0.0.1')}:{kv.get('port', '5432')}")
PY
)
    RMQ_MGMT=${HVMIRROR_TEST_RABBITMQ_MANAGEMENT%/}
    RMQ_USER=$(python3 -c "import sys, urllib.parse as u; print(u.unquote(u.urlsplit(sys.argv[1]).username or 'guest'))" "$HVMIRROR_TEST_RABBITMQ")
    psql "$PG_URI/postgres" -qtAc "select 1" >/dev/null || die "cannot reach PostgreSQL at $HVMIRROR_TEST_POSTGRES"
    curl -sf -o /dev/null "$RMQ_MGMT/api/overview" || die "cannot reach RabbitMQ's management API at $RMQ_MGMT"
}
