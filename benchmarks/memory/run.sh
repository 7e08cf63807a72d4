#!/usr/bin/env bash
# Memory (issue 11, section 5): the resident memory of the processes that move bytes, sampled while they do.
#
#   benchmarks/memory/run.sh
#
# Rows:
#   fetcher host, one 1 GB file      a distributed mirror (poller, comparer, one Fetcher host on RabbitMQ + PostgreSQL)
#                                    fetches one BIG_SIZE-byte jp2 from `hvmirror serve`; the fetcher's VmRSS sampled
#                                    every 0.2 s (HvMirror__Fetcher__MaxFileBytes=0: the hosts' default refuses > 256 MiB)
#   embedded --once, one 1 GB file   `hvmirror mirror --once` of the same file (poller, comparer, fetcher in one process)
#   curl, one 1 GB file              the anchor: `curl -o` of the same url (GNU time's maximum resident set)
#   fetcher host, SMALL_COUNT files  the same distributed mirror, one Fetcher host with ConcurrentDownloads=CONCURRENT
#                                    (capped by the options validator at 4,096: a host asked for more does not start,
#                                    which this row checks and reports), SMALL_COUNT files of SMALL_SIZE bytes
#   HAPI server, 1,000,000 records   benchmarks/hapi-data/run.sh (its output kept as is: server RSS before, peak)
# Each distributed row gets a fresh database and vhost and an empty mirror archive. RSS before = the process idle with
# its consumers registered, just before the poller starts; peak = the highest sample (and VmHWM at the end); flat =
# the peak minus the RSS before. Uses $HVMIRROR_TEST_POSTGRES / $HVMIRROR_TEST_RABBITMQ /
# $HVMIRROR_TEST_RABBITMQ_MANAGEMENT if set, else private servers from scripts/infra/*.sh. KEEP=1 keeps the logs and the
# RSS samples. Needs ~3 x BIG_SIZE + 2 x SMALL_COUNT x SMALL_SIZE of free disk under ${TMPDIR:-/tmp}.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
. benchmarks/lib.sh   # bench_servers
BIG_SIZE="${BIG_SIZE:-1000000000}"
SMALL_COUNT="${SMALL_COUNT:-2000}"
SMALL_SIZE="${SMALL_SIZE:-1000000}"
CONCURRENT="${CONCURRENT:-2000}"         # asked of the fetcher; above the validator's cap the row runs at the cap
HAPI_RECORDS="${HAPI_RECORDS:-1000000}"  # 0 skips the HAPI row
TIMEOUT="${TIMEOUT:-900}"
WORK="${TMPDIR:-/tmp}/hvmirror-bench-memory"
LOGS="$WORK/logs"
log() { echo "[memory-bench $(date +%T)] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

PIDS=(); PG_URI=""; RMQ_MGMT=""; OWN_INFRA=(); DBS=(); VHOSTS=()
kill_pids() {
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
        rm -rf "$WORK"/drop-* "$WORK"/primary-* "$WORK"/run "$WORK"/bin 2>/dev/null || true
        log "logs kept in $LOGS"
    else
        rm -rf "$WORK"
    fi
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM
start_bg() { local out=$1; shift; "$@" >"$out" 2>&1 & BG=$!; PIDS+=("$BG"); }
stop_bg() {
    kill_pids "$@"
    local keep=() p q drop
    for p in "${PIDS[@]}"; do drop=""; for q in "$@"; do [ "$p" = "$q" ] && drop=1; done; [ -z "$drop" ] && keep+=("$p"); done
    PIDS=("${keep[@]}")
}
HV_NAME=memory-bench
. scripts/infra/lib.sh
export Logging__Console__FormatterOptions__TimestampFormat="HH:mm:ss.fff "
now_ns() { date +%s%N; }
secs_since() { python3 -c "print(f'{($(now_ns)-$1)/1e9:.1f}')"; }
wait_http() { local i; for i in $(seq 1 $(($2 * 10))); do curl -sf -o /dev/null "$1" && return 0; sleep 0.1; done; die "$3 did not answer at $1 within $2 s"; }
vmhwm_mib() { awk '/VmHWM/ { printf "%d\n", $2 / 1024 }' "/proc/$1/status" 2>/dev/null || echo "?"; }
vmrss_mib() { awk '/VmRSS/ { printf "%d\n", $2 / 1024 }' "/proc/$1/status" 2>/dev/null || echo "?"; }
# VmRSS of a pid every 0.2 s into a file (one "seconds MiB" line each) until the pid ends or the sampler is stopped.
start_rss_sampler() { # pid file
    python3 - "$1" "$2" <<'EOF' &
import sys, time
pid, out = sys.argv[1], sys.argv[2]
t0 = time.time()
with open(out, "w") as f:
    while True:
        try:
            rss = next(int(l.split()[1]) for l in open(f"/proc/{pid}/status") if l.startswith("VmRSS:"))
        except (OSError, StopIteration):
            break
        f.write(f"{time.time() - t0:.1f} {rss / 1024:.0f}\n"); f.flush()
        time.sleep(0.2)
EOF
    SAMPLER=$!
}
peak_of() { awk 'BEGIN { m = 0 } $2 > m { m = $2 } END { print m }' "$1"; }

bench_need /usr/bin/time time
bench_need sqlite3
bench_need psql postgresql-client
rm -rf "$WORK" && mkdir -p "$LOGS" "$WORK/bin"
bench_publish "$WORK/bin" Cli Poller Comparer Fetcher
HV=$WORK/bin/Cli/hvmirror
POLLER_DLL=$WORK/bin/Poller/HvMirror.Poller.Host.dll
COMPARER_DLL=$WORK/bin/Comparer/HvMirror.Comparer.Host.dll
FETCHER_DLL=$WORK/bin/Fetcher/HvMirror.Fetcher.Host.dll

bench_servers "/tmp/hvmirror-infra/bench-memory-$$"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

# --- primaries: one big file; SMALL_COUNT small ones --------------------------------------------------------------
log "generating one file of $BIG_SIZE bytes and $SMALL_COUNT of $SMALL_SIZE bytes; ingesting them into two primaries"
"$HV" sample --out "$WORK/drop-big" --count 1 --size "$BIG_SIZE" --datasets AIA_171 >/dev/null
"$HV" ingest "$WORK/drop-big" --archive "$WORK/primary-big" >"$LOGS/ingest-big.log" 2>&1 || die "ingest failed: $LOGS/ingest-big.log"
"$HV" sample --out "$WORK/drop-small" --count "$SMALL_COUNT" --size "$SMALL_SIZE" >/dev/null
"$HV" ingest "$WORK/drop-small" --archive "$WORK/primary-small" >"$LOGS/ingest-small.log" 2>&1 || die "ingest failed: $LOGS/ingest-small.log"
rm -rf "$WORK"/drop-*
BIG_FILE=$(find "$WORK/primary-big" -name '*.jp2')
[ "$(stat -c %s "$BIG_FILE")" = "$BIG_SIZE" ] || die "the big file is $(stat -c %s "$BIG_FILE") bytes, not $BIG_SIZE"
sync

serve() { # archive label -> PRIMARY_URL, PRIMARY_PID
    local port; port=$(hv_free_port)
    start_bg "$LOGS/$2-primary.log" "$HV" serve --archive "$1" --urls "http://127.0.0.1:$port"
    PRIMARY_PID=$BG; PRIMARY_URL="http://127.0.0.1:$port"
    wait_http "$PRIMARY_URL/hapi/capabilities" 60 "the primary"
    find "$1" -name '*.jp2' -print0 | xargs -0 cat >/dev/null
}
ROWS=()
row() { ROWS+=("| $* |"); }

# --- a distributed mirror with one fetcher: RSS of the fetcher sampled while it fetches everything --------------
host() { cd "$(dirname "$1")" && exec env "${@:2}" dotnet "$1"; }
distributed() { # label archive count fetcher-env...  -> row
    local label=$1 archive=$2 count=$3; shift 3
    local id="bench_memory_$$_$label" db vh
    db=$id; vh=$id
    serve "$archive" "$label"
    psql "$PG_URI/postgres" -qc "CREATE DATABASE $db" >/dev/null; DBS+=("$db")
    curl -sf -o /dev/null -X PUT "$RMQ_MGMT/api/vhosts/$vh"; VHOSTS+=("$vh")
    curl -sf -o /dev/null -X PUT -H 'content-type: application/json' -d '{"configure":".*","write":".*","read":".*"}' "$RMQ_MGMT/api/permissions/$vh/$RMQ_USER"
    local catalog="$HVMIRROR_TEST_POSTGRES;Database=$db"
    "$HV" migrate --catalog "$catalog" >"$LOGS/$label-migrate.log" 2>&1 || die "migrate failed"
    rm -rf "$WORK/run" && mkdir -p "$WORK/run"
    local env=(
        "ConnectionStrings__Catalog=$catalog"
        "ConnectionStrings__RabbitMq=${HVMIRROR_TEST_RABBITMQ%/}/$vh"
        "HvMirror__Archive=$WORK/run/mirror"
        "HvMirror__Upstreams__0__Name=primary"
        "HvMirror__Upstreams__0__Url=$PRIMARY_URL/hapi"
        "HvMirror__Upstreams__0__Datasets__0=*"
        "HvMirror__Upstreams__0__PollInterval=00:00:05"
        "DOTNET_ENVIRONMENT=Production"
    )
    local port; port=$(hv_free_port)
    start_bg "$LOGS/$label-comparer.log" host "$COMPARER_DLL" "${env[@]}" ASPNETCORE_URLS="http://127.0.0.1:$port"
    local comparer=$BG
    wait_http "http://127.0.0.1:$port/health/live" 120 "the comparer"
    port=$(hv_free_port)
    start_bg "$LOGS/$label-fetcher.log" host "$FETCHER_DLL" "${env[@]}" "$@" ASPNETCORE_URLS="http://127.0.0.1:$port"
    local fetcher=$BG
    wait_http "http://127.0.0.1:$port/health/live" 120 "the fetcher"
    local i
    for i in $(seq 1 600); do
        curl -sf "$RMQ_MGMT/api/queues/$vh" | python3 -c '
import json, sys
q = {q["name"]: q.get("consumers", 0) for q in json.load(sys.stdin)}
sys.exit(0 if q.get("file-announced", 0) >= 1 and q.get("file-needed", 0) >= 1 else 1)' && break
        [ "$i" = 600 ] && die "no consumers on file-announced / file-needed (vhost $vh)"
        sleep 0.2
    done
    sleep 3
    local before; before=$(vmrss_mib "$fetcher")
    start_rss_sampler "$fetcher" "$LOGS/$label-fetcher-rss.txt"; local sampler=$SAMPLER
    # The broker's unacknowledged file-needed messages: how many the fetcher holds at once.
    python3 - "$RMQ_MGMT" "$vh" "$LOGS/$label-unacked.txt" <<'EOF' &
import base64, json, sys, time, urllib.parse as up, urllib.request as ur
mgmt, vh, out = sys.argv[1:4]
p = up.urlsplit(mgmt)
auth = base64.b64encode(f"{up.unquote(p.username or 'guest')}:{up.unquote(p.password or 'guest')}".encode()).decode()
with open(out, "w") as f:
    while True:
        try:
            q = json.load(ur.urlopen(ur.Request(f"{p.scheme}://{p.hostname}:{p.port}/api/queues/{up.quote(vh, safe='')}/file-needed",
                                                headers={"Authorization": "Basic " + auth}), timeout=5))
            f.write(f"{q.get('messages_unacknowledged', 0)}\n"); f.flush()
        except Exception:
            pass
        time.sleep(0.5)
EOF
    local unacked_sampler=$!
    port=$(hv_free_port)
    local t0; t0=$(now_ns)
    start_bg "$LOGS/$label-poller.log" host "$POLLER_DLL" "${env[@]}" ASPNETCORE_URLS="http://127.0.0.1:$port"
    local poller=$BG n=0 deadline=$(( $(date +%s) + TIMEOUT ))
    while :; do
        n=$(psql "$PG_URI/$db" -qtAc "select count(*) from files" 2>/dev/null || echo 0)
        [ "${n:-0}" -ge "$count" ] && break
        [ "$(date +%s)" -ge "$deadline" ] && { log "$label: gave up at $n/$count files"; break; }
        kill -0 "$fetcher" 2>/dev/null || { log "$label: the fetcher exited"; break; }
        sleep 0.2
    done
    local secs; secs=$(secs_since "$t0")
    sleep 1
    local hwm; hwm=$(vmhwm_mib "$fetcher")
    kill "$sampler" "$unacked_sampler" 2>/dev/null || true; wait "$sampler" "$unacked_sampler" 2>/dev/null || true
    local peak; peak=$(peak_of "$LOGS/$label-fetcher-rss.txt")
    local held; held=$(sort -n "$LOGS/$label-unacked.txt" | tail -n 1)
    stop_bg "$poller" "$fetcher" "$comparer" "$PRIMARY_PID"
    ROW_RESULT="$before MiB | $peak MiB (VmHWM $hwm MiB) | +$((peak - before)) MiB | $n of $count in $secs s | ${held:-?} held at once"
    psql "$PG_URI/postgres" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
    curl -s -o /dev/null -X DELETE "$RMQ_MGMT/api/vhosts/$vh" || true
    rm -rf "$WORK/run"; sync
}

log "fetcher host, one file of $BIG_SIZE bytes"
distributed big "$WORK/primary-big" 1 HvMirror__Fetcher__MaxFileBytes=0
row "Fetcher host, one $(python3 -c "print(f'{$BIG_SIZE/1e9:g}')") GB file (MaxFileBytes=0) | $ROW_RESULT"

log "embedded --once, one file of $BIG_SIZE bytes"
serve "$WORK/primary-big" embedded
rm -rf "$WORK/run" && mkdir -p "$WORK/run"
t0=$(now_ns)
start_bg "$LOGS/embedded.log" env HvMirror__Fetcher__MaxFileBytes=0 "$HV" mirror --from "$PRIMARY_URL/hapi" --archive "$WORK/run/mirror" --once
MPID=$BG
start_rss_sampler "$MPID" "$LOGS/embedded-rss.txt"
wait "$MPID" 2>/dev/null && ok=1 || ok=""
secs=$(secs_since "$t0"); wait "$SAMPLER" 2>/dev/null || true
stop_bg "$MPID"
n=$(sqlite3 "$WORK/run/mirror/.hvmirror/catalog.db" "select count(*) from files" 2>/dev/null || echo 0)
before=$(awk 'NR == 1 { print $2 }' "$LOGS/embedded-rss.txt")
row "\`hvmirror mirror --once\`, the same file (one process) | ${before:-?} MiB (first sample) | $(peak_of "$LOGS/embedded-rss.txt") MiB | | $n of 1 in $secs s$([ -z "$ok" ] && echo ', exited non-zero') | "
log "curl, the same file"
url=$(python3 - "$PRIMARY_URL/hapi" <<'EOF'
import csv, io, json, sys, urllib.request as r
base = sys.argv[1]; get = lambda p: r.urlopen(base + p).read().decode()
d = json.loads(get("/catalog"))["catalog"][0]["id"]; info = json.loads(get(f"/info?dataset={d}"))
rows = get(f"/data?dataset={d}&start={info['startDate']}&stop={info['stopDate']}&parameters=url&format=csv")
print(next(csv.reader(io.StringIO(rows)))[-1])
EOF
)
t0=$(now_ns)
/usr/bin/time -f "%M" -o "$WORK/curl-rss" curl -sf -o "$WORK/run/curl.jp2" "$url" || log "curl of $url failed"
secs=$(secs_since "$t0")
row "\`curl -o\` of the same url (anchor) | | $(( $(tail -n 1 "$WORK/curl-rss") / 1024 )) MiB (GNU time) | | $(stat -c %s "$WORK/run/curl.jp2" 2>/dev/null || echo 0) bytes in $secs s | "
stop_bg "$PRIMARY_PID"; rm -rf "$WORK/run"; sync

# --- many small files at once ---------------------------------------------------------------------------------------
# The validator's cap on ConcurrentDownloads: ask for CONCURRENT; a host that refuses it is reported, the row runs at
# the largest value the host accepts.
conc=$CONCURRENT
REFUSED=""
timeout 60 env -C "$(dirname "$FETCHER_DLL")" HvMirror__Fetcher__ConcurrentDownloads="$conc" DOTNET_ENVIRONMENT=Production \
    ConnectionStrings__Catalog="$HVMIRROR_TEST_POSTGRES;Database=bench_memory_validator_none" ConnectionStrings__RabbitMq="$HVMIRROR_TEST_RABBITMQ" \
    ASPNETCORE_URLS="http://127.0.0.1:$(hv_free_port)" dotnet "$FETCHER_DLL" >"$LOGS/validator.log" 2>&1 || true
if grep -q "ConcurrentDownloads" "$LOGS/validator.log"; then
    REFUSED=$(grep -m1 -o "ConcurrentDownloads must be between [0-9]* and [0-9]*" "$LOGS/validator.log" || true)
    [ -n "$REFUSED" ] || die "the fetcher refused ConcurrentDownloads=$CONCURRENT: $LOGS/validator.log"
    conc=$(grep -o "[0-9]*$" <<<"$REFUSED")
    log "the fetcher refuses ConcurrentDownloads=$CONCURRENT ($REFUSED); running at $conc"
fi
log "fetcher host, $SMALL_COUNT files of $SMALL_SIZE bytes, ConcurrentDownloads=$conc"
distributed small "$WORK/primary-small" "$SMALL_COUNT" HvMirror__Fetcher__ConcurrentDownloads="$conc"
row "Fetcher host, $SMALL_COUNT files of $(python3 -c "print(f'{$SMALL_SIZE/1e3:g}')") KB, ConcurrentDownloads=$conc$([ -n "$REFUSED" ] && echo " ($CONCURRENT refused by the validator)") | $ROW_RESULT"

# --- the HAPI server's long answer --------------------------------------------------------------------------------
HAPI=""
if [ "$HAPI_RECORDS" -gt 0 ]; then
    log "HAPI server, $HAPI_RECORDS records (benchmarks/hapi-data/run.sh)"
    benchmarks/hapi-data/run.sh "$HAPI_RECORDS" >"$LOGS/hapi-data.out" 2>&1 || log "benchmarks/hapi-data failed: $LOGS/hapi-data.out"
    HAPI=$(grep -E "RSS before|^plain|^gzip" "$LOGS/hapi-data.out" | sed 's/^\[hapi-data\] //')
    before=$(grep -o "RSS before the downloads: [0-9]* MB" "$LOGS/hapi-data.out" | grep -o "[0-9]*" || echo "?")
    peak=$(grep -E "^(plain|gzip)" "$LOGS/hapi-data.out" | grep -o "VmHWM) [0-9,]* MB" | grep -o "[0-9,]*" | tr -d , | sort -n | tail -n 1)
    row "HAPI server host, /hapi/data of $(python3 -c "print(f'{$HAPI_RECORDS:,}')") records (plain, then gzip) | $before MiB | ${peak:-?} MiB (VmHWM) | +$(( ${peak:-0} - ${before:-0} )) MiB | see below | "
fi

echo
echo "Memory: resident set (VmRSS every 0.2 s; VmHWM) of the processes moving bytes; $(nproc) cores, default GC settings of each host"
echo
echo "(load average before / after: $LOAD_BEFORE / $(cut -d' ' -f1-3 /proc/loadavg): other work on this machine shares its cores)"
echo
echo "| process, workload | RSS before (idle, consumers registered) | peak RSS | peak − before | files | file-needed messages held |"
echo "|---|---|---|---|---|---|"
printf '%s\n' "${ROWS[@]}"
# An `if`, not `[ … ] && …`: as the script's last command a false test made it exit 1 after a complete table.
if [ -n "$HAPI" ]; then echo; echo '```'; echo "$HAPI"; echo '```'; fi
