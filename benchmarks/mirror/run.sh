#!/usr/bin/env bash
# Mirroring throughput and lag: a mirror fetches N generated jp2 files of SIZE bytes (default 2,000 x 1 MB) from a
# primary (`hvmirror serve`) on loopback, in every mode HvMirror runs in, against `rsync -a` and parallel `curl` over
# the same files.
#
#   benchmarks/mirror/run.sh [count] [size-bytes]
#
# Rows:
#   embedded, --once        `hvmirror mirror --once` (in-memory bus, SQLite catalog, one process)
#   embedded                `hvmirror mirror` polling every 2 s (same, long-running), then the lag test
#   distributed, K fetcher  poller, comparer and K fetcher hosts on RabbitMQ + PostgreSQL, polling every 2 s, then the lag test
#   rsync -a                Debian's rsync, local copy of the primary's archive folder (no network, no catalog)
#   curl -P 4               the primary's file urls (read from its /hapi/data) downloaded by `xargs -P 4 -n 50 curl`
# Time = from starting the mirror (the poller, in distributed mode, once the comparer and fetchers are up) until the
# mirror's catalog holds all N files (polled every 0.5 s). Lag = once a mirror has converged, LAG_FILES (default 20)
# more files are ingested into the primary one by one, LAG_INTERVAL (0.5 s) apart; per file, the mirror's ingested_at
# minus the primary's (both catalogs, joined by name). Peak RSS = the fetcher process's VmHWM (embedded: the
# hvmirror process; rsync/curl: the largest process, GNU time).
#
# Uses $HVMIRROR_TEST_POSTGRES / $HVMIRROR_TEST_RABBITMQ / $HVMIRROR_TEST_RABBITMQ_MANAGEMENT if set, else starts
# private servers with scripts/infra/*.sh (stopped at the end); each distributed run gets its own database and vhost.
# Needs ~4 x count x size of free disk under ${TMPDIR:-/tmp}. KEEP=1 keeps the work folder (logs) afterwards.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
. benchmarks/lib.sh   # bench_servers
ROOT=$PWD
COUNT="${1:-2000}"
SIZE="${2:-1000000}"
LAG_FILES="${LAG_FILES:-20}"
LAG_INTERVAL="${LAG_INTERVAL:-0.5}"
POLL_INTERVAL="${POLL_INTERVAL:-00:00:02}"
DOWNLOADS="${DOWNLOADS:-16}"          # concurrent downloads per fetcher (the hosts' default)
CURL_PARALLEL="${CURL_PARALLEL:-4}"   # curl's -P
TIMEOUT="${TIMEOUT:-900}"             # seconds a mirror may take to converge before the row is given up
MODES="${MODES:-embedded-once embedded distributed-1 distributed-2 rsync curl}"   # which rows to run
row_wanted() { [[ " $MODES " == *" $1 "* ]]; }
OVERLAP="${OVERLAP:-}"                # the poller's re-read window before its cursor (HvMirror:Poller:Overlap); default: the hosts' own
[ -n "$OVERLAP" ] && export HvMirror__Poller__Overlap="$OVERLAP"   # every mirror process reads it from the environment
WORK="${TMPDIR:-/tmp}/hvmirror-bench-mirror"
LOGS="$WORK/logs"
log() { echo "[mirror-bench $(date +%T)] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# --- processes and servers we start, cleaned up on any exit -------------------------------------------------------
PIDS=()
PG_URI=""
RMQ_MGMT=""
PG_DB=""
OWN_INFRA=()
DBS=()
VHOSTS=()
kill_pids() { # pid...: SIGTERM, then SIGKILL after 15 s
    local pid waited
    for pid in "$@"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "$@"; do
        waited=0
        while kill -0 "$pid" 2>/dev/null && [ $waited -lt 150 ]; do sleep 0.1; waited=$((waited + 1)); done
        kill -0 "$pid" 2>/dev/null && { log "pid $pid did not stop on SIGTERM; killing it"; kill -KILL "$pid" 2>/dev/null || true; }
        wait "$pid" 2>/dev/null || true
    done
}
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    [ ${#PIDS[@]} -gt 0 ] && kill_pids "${PIDS[@]}"
    local db vh
    for db in "${DBS[@]}"; do psql "$PG_URI/postgres" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true; done
    for vh in "${VHOSTS[@]}"; do curl -s -o /dev/null -X DELETE "$RMQ_MGMT/api/vhosts/$vh" || true; done
    for name in "${OWN_INFRA[@]}"; do scripts/infra/$name.sh stop >>"$WORK/infra.log" 2>&1 || log "could not stop $name"; done
    [ ${#OWN_INFRA[@]} -gt 0 ] && rm -rf "$HVMIRROR_INFRA_DIR"
    if [ "${KEEP:-}" = 1 ] || [ $rc -ne 0 ]; then
        # Keep the logs, drop the bulk.
        rm -rf "$WORK"/drop "$WORK"/lagdrop "$WORK"/primary "$WORK"/run "$WORK"/bin 2>/dev/null || true
        log "logs kept in $LOGS"
    else
        rm -rf "$WORK"
    fi
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM
start_bg() { # logfile command...: start in the background, remember the pid in $BG
    local out=$1; shift
    "$@" >"$out" 2>&1 &
    BG=$!
    PIDS+=("$BG")
}
stop_bg() { # pid...: stop and forget
    kill_pids "$@"
    local keep=() p q drop
    for p in "${PIDS[@]}"; do drop=""; for q in "$@"; do [ "$p" = "$q" ] && drop=1; done; [ -z "$drop" ] && keep+=("$p"); done
    PIDS=("${keep[@]}")
}

HV_NAME=mirror-bench
. scripts/infra/lib.sh   # hv_free_port, hv_port_listening
now_ns() { date +%s%N; }
export Logging__Console__FormatterOptions__TimestampFormat="HH:mm:ss.fff "   # timestamps in every log we keep
seconds() { python3 -c "print(f'{($2-$1)/1e9:.1f}')"; }
rate() { python3 -c "print(f'{$1/$2:,.0f}')"; }
rate1() { python3 -c "print(f'{$1/$2:,.1f}')"; }
wait_http() { # url seconds what
    local i
    for i in $(seq 1 $(($2 * 10))); do curl -sf -o /dev/null "$1" && return 0; sleep 0.1; done
    die "$3 did not answer at $1 within $2 s"
}
vmhwm_mib() { awk '/VmHWM/ { printf "%d\n", $2 / 1024 }' "/proc/$1/status" 2>/dev/null || echo "?"; }

# --- tools --------------------------------------------------------------------------------------------------------
bench_need /usr/bin/time time
bench_need rsync
bench_need sqlite3
bench_need psql postgresql-client

rm -rf "$WORK" && mkdir -p "$LOGS" "$WORK/bin"
bench_publish "$WORK/bin" Cli Poller Comparer Fetcher
HV=$WORK/bin/Cli/hvmirror
POLLER_DLL=$WORK/bin/Poller/HvMirror.Poller.Host.dll
COMPARER_DLL=$WORK/bin/Comparer/HvMirror.Comparer.Host.dll
FETCHER_DLL=$WORK/bin/Fetcher/HvMirror.Fetcher.Host.dll
for f in "$HV" "$POLLER_DLL" "$COMPARER_DLL" "$FETCHER_DLL"; do [ -e "$f" ] || die "missing $f after the build"; done

# --- servers ------------------------------------------------------------------------------------------------------
bench_servers "/tmp/hvmirror-infra/bench-mirror-$$"

# --- the files ----------------------------------------------------------------------------------------------------
MB=$(python3 -c "print(round($COUNT*$SIZE/1e6))")
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
log "generating $COUNT files of $SIZE bytes, and $LAG_FILES more for the lag test"
"$HV" sample --out "$WORK/drop" --count "$COUNT" --size "$SIZE" >/dev/null
# Later observation times: names the first set does not have.
"$HV" sample --out "$WORK/lagdrop" --count "$LAG_FILES" --size "$SIZE" --start 2030-01-01T00:00:00 >/dev/null
log "ingesting them into the primary's archive"
"$HV" ingest "$WORK/drop" --archive "$WORK/primary" >"$LOGS/primary-ingest.log" || die "primary ingest failed: $LOGS/primary-ingest.log"
rm -rf "$WORK/drop"
sync

# A fresh primary per row, identical to the others: its files hard-linked (never modified: a new file is a new
# inode), its catalog copied. Serves on a free port; sets PRIMARY_URL, PRIMARY_PID, PRIMARY_DIR.
start_primary() { # label
    PRIMARY_DIR="$WORK/run/primary"
    rm -rf "$WORK/run" && mkdir -p "$WORK/run"
    cp -al "$WORK/primary" "$PRIMARY_DIR"
    rm -rf "$PRIMARY_DIR/.hvmirror" && cp -a "$WORK/primary/.hvmirror" "$PRIMARY_DIR/.hvmirror"
    local port; port=$(hv_free_port)
    start_bg "$LOGS/$1-primary.log" "$HV" serve --archive "$PRIMARY_DIR" --urls "http://127.0.0.1:$port"
    PRIMARY_PID=$BG
    PRIMARY_URL="http://127.0.0.1:$port"
    wait_http "$PRIMARY_URL/hapi/capabilities" 60 "the primary"
    # Every contender starts with the primary's files in the page cache.
    find "$PRIMARY_DIR" -name '*.jp2' -print0 | xargs -0 cat >/dev/null
}

wait_count() { # count-function target seconds -> sets WAITED_NS (when reached); returns 1 on timeout
    local deadline=$(( $(date +%s) + $3 )) n
    while :; do
        n=$("$1" 2>/dev/null || echo 0)
        [ "${n:-0}" -ge "$2" ] && { WAITED_NS=$(now_ns); return 0; }
        [ "$(date +%s)" -ge "$deadline" ] && { log "gave up at $n/$2 files after $3 s"; return 1; }
        sleep 0.5
    done
}

# Ingests the lag files into the running primary one by one; then waits for the mirror; prints "median / max".
lag_test() { # label count-function mirror-times-function (prints "name microseconds" for the names in $WORK/lag-in)
    local label=$1 count_fn=$2 times_fn=$3 f
    sleep 3   # steady state: the mirror has polled at least once with nothing new
    for f in "$WORK"/lagdrop/*.jp2; do
        "$HV" ingest "$f" --archive "$PRIMARY_DIR" >>"$LOGS/$label-lag-ingest.log" 2>&1 || log "lag ingest of $f failed"
        sleep "$LAG_INTERVAL"
    done
    if ! wait_count "$count_fn" $((COUNT + LAG_FILES)) 120; then echo "incomplete"; return; fi
    ls "$WORK/lagdrop" | sed "s/.*/'&'/" | paste -sd, >"$WORK/lag-in"   # an SQL list of their names
    sqlite3 -separator ' ' "$PRIMARY_DIR/.hvmirror/catalog.db" \
        "select name, ingested_at from files where name in ($(cat "$WORK/lag-in"))" >"$WORK/lag-primary"
    "$times_fn" >"$WORK/lag-mirror"
    python3 - "$WORK/lag-primary" "$WORK/lag-mirror" "$LOGS/$label-lag.txt" <<'EOF'
import statistics, sys
read = lambda p: {n: int(t) for n, t in (l.split() for l in open(p) if l.strip())}
primary, mirror = read(sys.argv[1]), read(sys.argv[2])
lags = {n: (mirror[n] - primary[n]) / 1e6 for n in primary if n in mirror}
with open(sys.argv[3], 'w') as out:
    for n, s in sorted(lags.items(), key=lambda kv: primary[kv[0]]):
        out.write(f"{n} {s:.3f}\n")
if len(lags) < len(primary) or not lags:
    print("incomplete")
else:
    print(f"{statistics.median(lags.values()):.1f} s / {max(lags.values()):.1f} s")
EOF
}

ROWS=()
row() { # method seconds rss lag
    if [ "$2" = "-" ]; then ROWS+=("| $1 | did not finish | | | $3 | $4 |"); return; fi
    ROWS+=("| $1 | $2 s | $(rate "$COUNT" "$2") | $(rate1 "$MB" "$2") | $3 | $4 |")
}
errors_in() { # logfile...: a count of error/exception lines, for the report
    cat "$@" 2>/dev/null | grep -ciE '(^|[^a-z])(fail|error|exception|crit)' || true
}

# --- embedded, --once ---------------------------------------------------------------------------------------------
if row_wanted embedded-once; then
log "embedded, --once"
start_primary embedded-once
MIRROR="$WORK/run/mirror"
t0=$(now_ns)
/usr/bin/time -f "%M" -o "$WORK/rss" "$HV" mirror --from "$PRIMARY_URL/hapi" --archive "$MIRROR" --once --parallel "$DOWNLOADS" \
    >"$LOGS/embedded-once.log" 2>&1 || log "hvmirror mirror --once exited non-zero: $LOGS/embedded-once.log"
t1=$(now_ns)
n=$(sqlite3 "$MIRROR/.hvmirror/catalog.db" "select count(*) from files")
[ "$n" = "$COUNT" ] && row "embedded (\`hvmirror mirror --once\`, SQLite)" "$(seconds "$t0" "$t1")" "$(( $(tail -n 1 "$WORK/rss") / 1024 )) MiB" "" \
    || { log "embedded --once: $n of $COUNT files"; row "embedded (\`hvmirror mirror --once\`, SQLite)" - "" ""; }
log "  $(grep 'mirror: done' "$LOGS/embedded-once.log" || echo 'no summary line')"
stop_bg "$PRIMARY_PID"; rm -rf "$WORK/run"; sync
fi

# --- embedded, long-running ---------------------------------------------------------------------------------------
if row_wanted embedded; then
log "embedded, polling every $POLL_INTERVAL"
start_primary embedded
MIRROR="$WORK/run/mirror"
sqlite_count() { sqlite3 "$MIRROR/.hvmirror/catalog.db" "select count(*) from files"; }
sqlite_times() { sqlite3 -separator ' ' "$MIRROR/.hvmirror/catalog.db" "select name, ingested_at from files where name in ($(cat "$WORK/lag-in"))"; }
t0=$(now_ns)
start_bg "$LOGS/embedded.log" "$HV" mirror --from "$PRIMARY_URL/hapi" --archive "$MIRROR" --poll-interval "$POLL_INTERVAL" --parallel "$DOWNLOADS"
MPID=$BG
if wait_count sqlite_count "$COUNT" "$TIMEOUT"; then
    secs=$(seconds "$t0" "$WAITED_NS")
    lag=$(lag_test embedded sqlite_count sqlite_times)
    row "embedded (\`hvmirror mirror\`, SQLite)" "$secs" "$(vmhwm_mib "$MPID") MiB" "$lag"
else
    row "embedded (\`hvmirror mirror\`, SQLite)" - "$(vmhwm_mib "$MPID") MiB" ""
fi
stop_bg "$MPID" "$PRIMARY_PID"
log "  error/exception lines in the mirror's log: $(errors_in "$LOGS/embedded.log")"
rm -rf "$WORK/run"; sync
fi

# --- distributed --------------------------------------------------------------------------------------------------
host() { cd "$(dirname "$1")" && exec env "${@:2}" dotnet "$1"; }   # dll VAR=value...: a host in its own folder
pg_count() { psql "$PG_URI/$PG_DB" -qtAc "select count(*) from files"; }
pg_times() { psql "$PG_URI/$PG_DB" -qtAF ' ' -c "select name, (extract(epoch from ingested_at) * 1000000)::bigint from files where name in ($(cat "$WORK/lag-in"))"; }
distributed() { # fetchers
    local k=$1 label="distributed-$1" id db vh
    log "distributed, $k fetcher(s), polling every $POLL_INTERVAL"
    start_primary "$label"
    id="bench_mirror_$$_$k"
    db=$id; vh=$id
    psql "$PG_URI/postgres" -qc "CREATE DATABASE $db" >/dev/null || die "could not create database $db"
    DBS+=("$db")
    curl -sf -o /dev/null -X PUT "$RMQ_MGMT/api/vhosts/$vh" || die "could not create vhost $vh"
    VHOSTS+=("$vh")
    curl -sf -o /dev/null -X PUT -H 'content-type: application/json' -d '{"configure":".*","write":".*","read":".*"}' \
        "$RMQ_MGMT/api/permissions/$vh/$RMQ_USER" || die "could not grant $RMQ_USER on vhost $vh"
    local catalog="$HVMIRROR_TEST_POSTGRES;Database=$db"
    "$HV" migrate --catalog "$catalog" >"$LOGS/$label-migrate.log" 2>&1 || die "migrate failed: $LOGS/$label-migrate.log"

    local env=(
        "ConnectionStrings__Catalog=$catalog"
        "ConnectionStrings__RabbitMq=${HVMIRROR_TEST_RABBITMQ%/}/$vh"
        "HvMirror__Archive=$WORK/run/mirror"
        "HvMirror__Upstreams__0__Name=primary"
        "HvMirror__Upstreams__0__Url=$PRIMARY_URL/hapi"
        "HvMirror__Upstreams__0__Datasets__0=*"
        "HvMirror__Upstreams__0__PollInterval=$POLL_INTERVAL"
        "HvMirror__Fetcher__ConcurrentDownloads=$DOWNLOADS"
        "DOTNET_ENVIRONMENT=Production"
    )
    # Each host runs in its own folder, as in a container: that is where its appsettings.json is read from.
    local port comparer fetchers=() i
    port=$(hv_free_port)
    start_bg "$LOGS/$label-comparer.log" host "$COMPARER_DLL" "${env[@]}" ASPNETCORE_URLS="http://127.0.0.1:$port"
    comparer=$BG
    local health=("http://127.0.0.1:$port/health/live")
    for i in $(seq 1 "$k"); do
        port=$(hv_free_port)
        start_bg "$LOGS/$label-fetcher-$i.log" host "$FETCHER_DLL" "${env[@]}" ASPNETCORE_URLS="http://127.0.0.1:$port"
        fetchers+=("$BG")
        health+=("http://127.0.0.1:$port/health/live")
    done
    local h
    for h in "${health[@]}"; do wait_http "$h" 120 "a $label host"; done
    # Their queues are bound (nothing the poller publishes can be dropped) once the broker lists their consumers.
    for i in $(seq 1 600); do
        curl -sf "$RMQ_MGMT/api/queues/$vh" | python3 -c '
import json, sys
queues = {q["name"]: q.get("consumers", 0) for q in json.load(sys.stdin)}
sys.exit(0 if queues.get("file-announced", 0) >= 1 and queues.get("file-needed", 0) >= int(sys.argv[1]) else 1)' "$k" && break
        [ "$i" = 600 ] && die "the queues file-announced / file-needed never got their consumers (vhost $vh)"
        sleep 0.2
    done

    PG_DB=$db
    local t0 secs lag rss
    port=$(hv_free_port)
    t0=$(now_ns)
    start_bg "$LOGS/$label-poller.log" host "$POLLER_DLL" "${env[@]}" ASPNETCORE_URLS="http://127.0.0.1:$port"
    local poller=$BG
    local name="distributed, $k fetcher$([ "$k" -gt 1 ] && echo s) (RabbitMQ + PostgreSQL)"
    if wait_count pg_count "$COUNT" "$TIMEOUT"; then
        secs=$(seconds "$t0" "$WAITED_NS")
        lag=$(lag_test "$label" pg_count pg_times)
    else
        secs=-; lag=""
    fi
    rss=$(for f in "${fetchers[@]}"; do vmhwm_mib "$f"; done | paste -sd/)
    row "$name" "$secs" "$rss MiB" "$lag"
    psql "$PG_URI/$db" -qtAF ' ' -c "select count(*), count(distinct name) from files" >"$LOGS/$label-counts.txt" 2>&1 || true
    curl -s "$RMQ_MGMT/api/queues/$vh" >"$LOGS/$label-queues.json" || true
    stop_bg "$poller" "${fetchers[@]}" "$comparer" "$PRIMARY_PID"
    log "  error/exception lines in the logs: poller $(errors_in "$LOGS/$label-poller.log"), comparer $(errors_in "$LOGS/$label-comparer.log"), fetchers $(errors_in "$LOGS/$label"-fetcher-*.log)"
    psql "$PG_URI/postgres" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
    curl -s -o /dev/null -X DELETE "$RMQ_MGMT/api/vhosts/$vh" || true
    rm -rf "$WORK/run"; sync
}
row_wanted distributed-1 && distributed 1
row_wanted distributed-2 && distributed 2

# --- rsync -a -----------------------------------------------------------------------------------------------------
if row_wanted rsync; then
log "rsync -a"
start_primary rsync
t0=$(now_ns)
/usr/bin/time -f "%M" -o "$WORK/rss" rsync -a --exclude=/.hvmirror "$PRIMARY_DIR/" "$WORK/run/rsync/" 2>"$LOGS/rsync.log" || die "rsync failed: $LOGS/rsync.log"
t1=$(now_ns)
n=$(find "$WORK/run/rsync" -name '*.jp2' | wc -l)
[ "$n" = "$COUNT" ] || log "rsync copied $n files, not $COUNT"
row "\`rsync -a\` (local copy, no network)" "$(seconds "$t0" "$t1")" "$(( $(tail -n 1 "$WORK/rss") / 1024 )) MiB" ""
stop_bg "$PRIMARY_PID"; rm -rf "$WORK/run"; sync
fi

# --- parallel curl ------------------------------------------------------------------------------------------------
if row_wanted curl; then
log "curl, $CURL_PARALLEL in parallel"
start_primary curl
mkdir -p "$WORK/run/curl"
t0=$(now_ns)
python3 - "$PRIMARY_URL/hapi" >"$WORK/run/urls" <<'EOF'
import csv, io, json, sys, urllib.request as r
base = sys.argv[1]
get = lambda path: r.urlopen(base + path).read().decode()
seen = set()
for d in json.loads(get("/catalog"))["catalog"]:
    # Only the file datasets: a companion (X.months, X.days) has no url, and X.observed lists X's files again.
    if "." in d["id"]: continue
    info = json.loads(get(f"/info?dataset={d['id']}"))
    if not any(p["name"] == "url" for p in info["parameters"]): continue
    rows = get(f"/data?dataset={d['id']}&start={info['startDate']}&stop={info['stopDate']}&parameters=url&format=csv")
    for rec in csv.reader(io.StringIO(rows)):
        if rec and rec[-1] not in seen:
            seen.add(rec[-1]); print(rec[-1])
EOF
/usr/bin/time -f "%M" -o "$WORK/rss" xargs -P "$CURL_PARALLEL" -n 50 curl -sS --fail --remote-name-all --output-dir "$WORK/run/curl" \
    <"$WORK/run/urls" 2>"$LOGS/curl.log" || log "some curl failed: $LOGS/curl.log"
t1=$(now_ns)
n=$(find "$WORK/run/curl" -name '*.jp2' | wc -l)
[ "$n" = "$COUNT" ] || log "curl fetched $n files, not $COUNT"
row "\`curl\`, $CURL_PARALLEL in parallel (urls from /hapi/data; no verification, no catalog)" "$(seconds "$t0" "$t1")" "$(( $(tail -n 1 "$WORK/rss") / 1024 )) MiB" ""
stop_bg "$PRIMARY_PID"; rm -rf "$WORK/run"; sync
fi

# --- the table ----------------------------------------------------------------------------------------------------
echo
echo "$(python3 -c "print(f'{$COUNT:,}')") files x $SIZE bytes ($MB MB) from a primary on loopback; $(nproc) cores; $DOWNLOADS downloads at once per fetcher; mirrors poll every $POLL_INTERVAL; lag over $LAG_FILES files ingested ${LAG_INTERVAL} s apart$([ -n "$OVERLAP" ] && echo "; poller overlap $OVERLAP")"
echo
echo "(load average before / after: $LOAD_BEFORE / $(cut -d' ' -f1-3 /proc/loadavg): other work on this machine shares its cores)"
echo
echo "| method | time | files/s | MB/s | peak RSS | lag median / max |"
echo "|---|---|---|---|---|---|"
printf '%s\n' "${ROWS[@]}"
