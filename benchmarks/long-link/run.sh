#!/usr/bin/env bash
# Mirroring over a long link: a mirror fetches N generated jp2 files of SIZE bytes (default 2,000 x 1 MB) from a
# primary (`hvmirror serve`) on loopback through linkproxy (LinkProxy/), which delays each direction 50 ms (100 ms
# round trip) and caps each connection at 10 MB/s per direction, as a link from Europe to the US does; beside
# `rsync -a` from an rsync daemon and two parallel `curl` downloads through the same proxy. See README.md here.
#
#   benchmarks/long-link/run.sh [count] [size-bytes]
#
# Rows (each from an identical primary, into an empty folder, all in this one run so their ratios compare):
#   sweep, embedded --parallel P   `hvmirror mirror --once --parallel P` for P in $SWEEP (4 8 16 32) on SWEEP_COUNT files
#   embedded --parallel D          the same on all the files, D = $DOWNLOADS (16, the hosts' default)
#   embedded --parallel BEST       the same, BEST = the smallest swept P within 10 % of the fastest (if not D)
#   distributed, K fetchers        poller, comparer and K fetcher hosts on RabbitMQ + PostgreSQL, K in $FETCHERS (1 2 4),
#                                  each fetcher HvMirror__Fetcher__ConcurrentDownloads=D
#   rsync -a                       `rsync -a rsync://127.0.0.1:PROXYPORT/archive/ dest/` from an `rsync --daemon` (the anchor)
#   curl -P 2                      the file urls read from the primary's /hapi/data through the proxy, `xargs -P 2 -n 50 curl`
#
# Knobs (environment): DOWNLOADS (16), SWEEP ("4 8 16 32"), SWEEP_COUNT (count/4), FETCHERS ("1 2 4"), CURL_PARALLEL (2),
# DELAY_MS (50, one way), RATE_MBPS (10, MB/s per connection per direction), TOTAL_MBPS (unset: no total cap),
# POLL_INTERVAL (00:00:02), TIMEOUT (1200 s per row), KEEP=1 (keep the logs). PostgreSQL and RabbitMQ as in
# benchmarks/mirror/run.sh: $HVMIRROR_TEST_POSTGRES / _RABBITMQ / _RABBITMQ_MANAGEMENT, else private servers.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
. benchmarks/lib.sh   # bench_servers
ROOT=$PWD
COUNT="${1:-2000}"
SIZE="${2:-1000000}"
DOWNLOADS="${DOWNLOADS:-16}"
SWEEP="${SWEEP:-4 8 16 32}"
SWEEP_COUNT="${SWEEP_COUNT:-$(( COUNT / 4 > 0 ? COUNT / 4 : 1 ))}"
FETCHERS="${FETCHERS:-1 2 4}"
CURL_PARALLEL="${CURL_PARALLEL:-2}"
DELAY_MS="${DELAY_MS:-50}"
RATE_MBPS="${RATE_MBPS:-10}"
TOTAL_MBPS="${TOTAL_MBPS:-}"
POLL_INTERVAL="${POLL_INTERVAL:-00:00:02}"
TIMEOUT="${TIMEOUT:-1200}"
WORK="${TMPDIR:-/tmp}/hvmirror-bench-long-link"
LOGS="$WORK/logs"
log() { echo "[long-link $(date +%T)] $*" >&2; }
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
        rm -rf "$WORK"/drop "$WORK"/primary "$WORK"/sweep-primary "$WORK"/run "$WORK"/bin 2>/dev/null || true
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

HV_NAME=long-link-bench
. scripts/infra/lib.sh   # hv_free_port
now_ns() { date +%s%N; }
export Logging__Console__FormatterOptions__TimestampFormat="HH:mm:ss.fff "
seconds() { python3 -c "print(f'{($2-$1)/1e9:.1f}')"; }
wait_http() { # url seconds what
    local i
    for i in $(seq 1 $(($2 * 10))); do curl -sf -o /dev/null "$1" && return 0; sleep 0.1; done
    die "$3 did not answer at $1 within $2 s"
}
wait_port() { # port seconds what
    local i
    for i in $(seq 1 $(($2 * 10))); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done
    die "$3 did not listen on port $1 within $2 s"
}
vmhwm_mib() { awk '/VmHWM/ { printf "%d\n", $2 / 1024 }' "/proc/$1/status" 2>/dev/null || echo "?"; }
cpu_s() { awk '{ printf "%.1f\n", ($14 + $15) / 100 }' "/proc/$1/stat" 2>/dev/null || echo "?"; }   # user+system CPU of a live pid

# --- tools --------------------------------------------------------------------------------------------------------
bench_need /usr/bin/time time
bench_need rsync
bench_need sqlite3
bench_need psql postgresql-client

rm -rf "$WORK" && mkdir -p "$LOGS" "$WORK/bin"
bench_publish "$WORK/bin" Cli Poller Comparer Fetcher LinkProxy
HV=$WORK/bin/Cli/hvmirror
PROXY=$WORK/bin/LinkProxy/linkproxy
POLLER_DLL=$WORK/bin/Poller/HvMirror.Poller.Host.dll
COMPARER_DLL=$WORK/bin/Comparer/HvMirror.Comparer.Host.dll
FETCHER_DLL=$WORK/bin/Fetcher/HvMirror.Fetcher.Host.dll
for f in "$HV" "$PROXY" "$POLLER_DLL" "$COMPARER_DLL" "$FETCHER_DLL"; do [ -e "$f" ] || die "missing $f after the build"; done

# --- servers ------------------------------------------------------------------------------------------------------
bench_servers "/tmp/hvmirror-infra/bench-long-link-$$"

# --- the files ----------------------------------------------------------------------------------------------------
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
log "generating $COUNT files of $SIZE bytes (and $SWEEP_COUNT for the sweep) and ingesting them into the primaries' archives"
"$HV" sample --out "$WORK/drop" --count "$COUNT" --size "$SIZE" >/dev/null
"$HV" ingest "$WORK/drop" --archive "$WORK/primary" >"$LOGS/primary-ingest.log" || die "primary ingest failed: $LOGS/primary-ingest.log"
rm -rf "$WORK/drop"
"$HV" sample --out "$WORK/drop" --count "$SWEEP_COUNT" --size "$SIZE" >/dev/null
"$HV" ingest "$WORK/drop" --archive "$WORK/sweep-primary" >"$LOGS/sweep-primary-ingest.log" || die "sweep primary ingest failed"
rm -rf "$WORK/drop"
sync

PROXY_ARGS=(--delay-ms "$DELAY_MS" --rate-mbps "$RATE_MBPS")
[ -n "$TOTAL_MBPS" ] && PROXY_ARGS+=(--total-mbps "$TOTAL_MBPS")
start_proxy() { # label target-port: sets LINK_PORT, PROXY_PID
    LINK_PORT=$(hv_free_port)
    start_bg "$LOGS/$1-proxy.log" env -u TOTAL_MBPS "$PROXY" --listen "$LINK_PORT" --target "$2" "${PROXY_ARGS[@]}"
    PROXY_PID=$BG
    wait_port "$LINK_PORT" 30 "linkproxy"
}

# A fresh primary per row, identical to the others (files hard-linked, catalog copied), serving on a free port, and a
# fresh proxy in front of it. Sets PRIMARY_DIR, PRIMARY_PID, LINK_URL (the proxy: everything the mirror reads), PROXY_PID.
start_primary() { # label [source archive]
    local source=${2:-$WORK/primary}
    PRIMARY_DIR="$WORK/run/primary"
    rm -rf "$WORK/run" && mkdir -p "$WORK/run"
    cp -al "$source" "$PRIMARY_DIR"
    rm -rf "$PRIMARY_DIR/.hvmirror" && cp -a "$source/.hvmirror" "$PRIMARY_DIR/.hvmirror"
    local port; port=$(hv_free_port)
    start_bg "$LOGS/$1-primary.log" "$HV" serve --archive "$PRIMARY_DIR" --urls "http://127.0.0.1:$port"
    PRIMARY_PID=$BG
    wait_http "http://127.0.0.1:$port/hapi/capabilities" 60 "the primary"
    find "$PRIMARY_DIR" -name '*.jp2' -print0 | xargs -0 cat >/dev/null   # every contender starts with a warm page cache
    start_proxy "$1" "$port"
    LINK_URL="http://127.0.0.1:$LINK_PORT"
}
stop_primary() { stop_bg "$PROXY_PID" "$PRIMARY_PID"; rm -rf "$WORK/run"; sync; }

wait_count() { # count-function target seconds -> sets WAITED_NS (when reached); returns 1 on timeout
    local deadline=$(( $(date +%s) + $3 )) n
    while :; do
        n=$("$1" 2>/dev/null || echo 0)
        [ "${n:-0}" -ge "$2" ] && { WAITED_NS=$(now_ns); return 0; }
        [ "$(date +%s)" -ge "$deadline" ] && { log "gave up at $n/$2 files after $3 s"; return 1; }
        sleep 0.5
    done
}

# Rows: "method|count|seconds|rss|proxy CPU", formatted (with the ratio to rsync) at the end.
ROWS=()
SWEEP_ROWS=()
RSYNC_SECS=""
row() { ROWS+=("$1|$2|$3|$4|$5"); log "  $1: ${3} s"; }

# --- embedded, --once ---------------------------------------------------------------------------------------------
embedded() { # label parallel count source-archive -> sets SECS ("-" when incomplete), RSS
    local label=$1 p=$2 count=$3
    start_primary "$label" "$4"
    local mirror="$WORK/run/mirror" t0 t1 n
    t0=$(now_ns)
    /usr/bin/time -f "%M" -o "$WORK/rss" "$HV" mirror --from "$LINK_URL/hapi" --archive "$mirror" --once --parallel "$p" \
        >"$LOGS/$label.log" 2>&1 || log "hvmirror mirror --once exited non-zero: $LOGS/$label.log"
    t1=$(now_ns)
    n=$(sqlite3 "$mirror/.hvmirror/catalog.db" "select count(*) from files" 2>/dev/null || echo 0)
    SECS=$(seconds "$t0" "$t1"); RSS="$(( $(tail -n 1 "$WORK/rss") / 1024 )) MiB"; PCPU=$(cpu_s "$PROXY_PID")
    [ "$n" = "$count" ] || { log "$label: $n of $count files"; SECS=-; }
    log "  $(grep 'mirror: done' "$LOGS/$label.log" || echo 'no summary line')"
    stop_primary
}

log "sweep: embedded --once on $SWEEP_COUNT files, --parallel $SWEEP"
BEST=""; BEST_SECS=""
declare -A SWEPT
for p in $SWEEP; do
    embedded "sweep-$p" "$p" "$SWEEP_COUNT" "$WORK/sweep-primary"
    SWEPT[$p]=$SECS
    SWEEP_ROWS+=("\`--parallel $p\`|$SWEEP_COUNT|$SECS|$RSS|$PCPU")
    log "  --parallel $p: $SECS s"
done
# The smallest P within 10 % of the fastest: more downloads at once past that buy nothing but connections and memory.
BEST=$(for p in $SWEEP; do echo "$p ${SWEPT[$p]}"; done | python3 -c '
import sys
runs = [(int(p), float(s)) for p, s in (l.split() for l in sys.stdin) if s != "-"]
if runs:
    fastest = min(s for _, s in runs)
    print(min(p for p, s in runs if s <= fastest * 1.1))')

log "embedded --once, --parallel $DOWNLOADS"
embedded "embedded-$DOWNLOADS" "$DOWNLOADS" "$COUNT" "$WORK/primary"
row "embedded (\`hvmirror mirror --once --parallel $DOWNLOADS\`)" "$COUNT" "$SECS" "$RSS" "$PCPU"
if [ -n "$BEST" ] && [ "$BEST" != "$DOWNLOADS" ]; then
    log "embedded --once, --parallel $BEST (the sweep's choice)"
    embedded "embedded-$BEST" "$BEST" "$COUNT" "$WORK/primary"
    row "embedded (\`hvmirror mirror --once --parallel $BEST\`, the sweep's choice)" "$COUNT" "$SECS" "$RSS" "$PCPU"
fi

# --- distributed --------------------------------------------------------------------------------------------------
host() { cd "$(dirname "$1")" && exec env "${@:2}" dotnet "$1"; }   # dll VAR=value...: a host in its own folder
pg_count() { psql "$PG_URI/$PG_DB" -qtAc "select count(*) from files"; }
distributed() { # fetchers
    local k=$1 label="distributed-$1" id db vh
    log "distributed, $k fetcher(s), $DOWNLOADS downloads each"
    start_primary "$label"
    id="bench_longlink_$$_$k"
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
        "HvMirror__Upstreams__0__Url=$LINK_URL/hapi"
        "HvMirror__Upstreams__0__Datasets__0=*"
        "HvMirror__Upstreams__0__PollInterval=$POLL_INTERVAL"
        "HvMirror__Fetcher__ConcurrentDownloads=$DOWNLOADS"
        "DOTNET_ENVIRONMENT=Production"
    )
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
    for i in $(seq 1 600); do
        curl -sf "$RMQ_MGMT/api/queues/$vh" | python3 -c '
import json, sys
queues = {q["name"]: q.get("consumers", 0) for q in json.load(sys.stdin)}
sys.exit(0 if queues.get("file-announced", 0) >= 1 and queues.get("file-needed", 0) >= int(sys.argv[1]) else 1)' "$k" && break
        [ "$i" = 600 ] && die "the queues file-announced / file-needed never got their consumers (vhost $vh)"
        sleep 0.2
    done
    PG_DB=$db
    local t0 secs rss pcpu
    port=$(hv_free_port)
    t0=$(now_ns)
    start_bg "$LOGS/$label-poller.log" host "$POLLER_DLL" "${env[@]}" ASPNETCORE_URLS="http://127.0.0.1:$port"
    local poller=$BG
    if wait_count pg_count "$COUNT" "$TIMEOUT"; then secs=$(seconds "$t0" "$WAITED_NS"); else secs=-; fi
    pcpu=$(cpu_s "$PROXY_PID")
    rss=$(for f in "${fetchers[@]}"; do vmhwm_mib "$f"; done | paste -sd/)
    row "distributed, $k fetcher$([ "$k" -gt 1 ] && echo s) × $DOWNLOADS downloads (RabbitMQ + PostgreSQL)" "$COUNT" "$secs" "$rss MiB" "$pcpu"
    curl -s "$RMQ_MGMT/api/queues/$vh" >"$LOGS/$label-queues.json" || true
    stop_bg "$poller" "${fetchers[@]}" "$comparer"
    stop_primary
    psql "$PG_URI/postgres" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
    curl -s -o /dev/null -X DELETE "$RMQ_MGMT/api/vhosts/$vh" || true
}
for k in $FETCHERS; do distributed "$k"; done

# --- rsync -a from an rsync daemon, through the proxy -------------------------------------------------------------
log "rsync -a from an rsync daemon through the proxy"
start_primary rsync
RSYNC_PORT=$(hv_free_port)
cat >"$WORK/run/rsyncd.conf" <<EOF
# The primary's archive, read-only, for the benchmark's rsync row only.
pid file = $WORK/run/rsyncd.pid
use chroot = no
uid = 0
gid = 0
[archive]
    path = $PRIMARY_DIR
    read only = yes
    exclude = /.hvmirror
EOF
start_bg "$LOGS/rsyncd.out" rsync --daemon --no-detach --address=127.0.0.1 --port="$RSYNC_PORT" --config="$WORK/run/rsyncd.conf" --log-file="$LOGS/rsyncd.log"
RSYNCD_PID=$BG
wait_port "$RSYNC_PORT" 30 "rsync --daemon"
stop_bg "$PROXY_PID"   # the primary's proxy: this row's proxy stands in front of the daemon
start_proxy rsync-daemon "$RSYNC_PORT"
t0=$(now_ns)
/usr/bin/time -f "%M" -o "$WORK/rss" rsync -a "rsync://127.0.0.1:$LINK_PORT/archive/" "$WORK/run/rsync/" 2>"$LOGS/rsync.log" \
    || die "rsync failed: $LOGS/rsync.log"
t1=$(now_ns)
n=$(find "$WORK/run/rsync" -name '*.jp2' | wc -l)
RSYNC_SECS=$(seconds "$t0" "$t1")
[ "$n" = "$COUNT" ] || { log "rsync copied $n files, not $COUNT"; RSYNC_SECS=-; }
row "\`rsync -a\` from \`rsync --daemon\` (one connection)" "$COUNT" "$RSYNC_SECS" "$(( $(tail -n 1 "$WORK/rss") / 1024 )) MiB" "$(cpu_s "$PROXY_PID")"
stop_bg "$RSYNCD_PID"
stop_primary

# --- curl, two in parallel ----------------------------------------------------------------------------------------
log "curl, $CURL_PARALLEL in parallel, through the proxy"
start_primary curl
mkdir -p "$WORK/run/curl"
t0=$(now_ns)
python3 - "$LINK_URL/hapi" >"$WORK/run/urls" <<'EOF'
import csv, http.client, io, json, sys, urllib.parse as u
base = u.urlsplit(sys.argv[1])
link = http.client.HTTPConnection(base.hostname, base.port)   # one connection, kept alive: a round trip per request
def get(path):
    link.request("GET", base.path + path)
    answer = link.getresponse()
    body = answer.read().decode()
    if answer.status != 200: sys.exit(f"{path}: {answer.status} {answer.reason}")
    return body
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
# The primary builds record urls from the request's Host header (no PublicUrl configured): read through the proxy,
# they must name the proxy's port, or the downloads (the mirror's too) would bypass the link.
grep -qv "^$LINK_URL/" "$WORK/run/urls" && die "file urls read through the proxy do not all start with $LINK_URL/: $(grep -v "^$LINK_URL/" "$WORK/run/urls" | head -1)"
[ "$(wc -l <"$WORK/run/urls")" = "$COUNT" ] || die "read $(wc -l <"$WORK/run/urls") file urls through the proxy, not $COUNT"
/usr/bin/time -f "%M" -o "$WORK/rss" xargs -P "$CURL_PARALLEL" -n 50 curl -sS --fail --remote-name-all --output-dir "$WORK/run/curl" \
    <"$WORK/run/urls" 2>"$LOGS/curl.log" || log "some curl failed: $LOGS/curl.log"
t1=$(now_ns)
n=$(find "$WORK/run/curl" -name '*.jp2' | wc -l)
secs=$(seconds "$t0" "$t1")
[ "$n" = "$COUNT" ] || { log "curl fetched $n files, not $COUNT"; secs=-; }
row "\`curl\`, $CURL_PARALLEL in parallel (urls from \`/hapi/data\`; no verification, no catalog)" "$COUNT" "$secs" "$(( $(tail -n 1 "$WORK/rss") / 1024 )) MiB" "$(cpu_s "$PROXY_PID")"
stop_primary

# --- the tables ---------------------------------------------------------------------------------------------------
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
table() { # rows...: method|count|seconds|rss|proxy cpu
    printf '%s\n' "$@" | python3 -c '
import sys
size, rsync = int(sys.argv[1]), sys.argv[2]
for line in sys.stdin:
    if not line.strip(): continue   # no rows (e.g. SWEEP=" ")
    method, count, secs, rss, cpu = line.rstrip("\n").split("|")
    if secs == "-":
        print(f"| {method} | did not finish | | | | {rss} | {cpu} s |"); continue
    s, n = float(secs), int(count)
    ratio = f"{float(rsync) / s * n / int(sys.argv[3]):.2f}×" if rsync not in ("", "-") else "?"
    print(f"| {method} | {s:.1f} s | {n / s:,.1f} | {n * size / 1e6 / s:,.1f} | {ratio} | {rss} | {cpu} s |")' "$SIZE" "$RSYNC_SECS" "$COUNT"
}
echo
echo "$(python3 -c "print(f'{$COUNT:,}')") files × $SIZE bytes from a primary on loopback through linkproxy: ${DELAY_MS} ms each way ($((2 * DELAY_MS)) ms round trip), $RATE_MBPS MB/s per connection per direction, total cap ${TOTAL_MBPS:+$TOTAL_MBPS MB/s}${TOTAL_MBPS:-none}; $(nproc) cores; distributed mirrors poll every $POLL_INTERVAL"
echo
echo "(load average before / after: $LOAD_BEFORE / $LOAD_AFTER: other work on this machine shares its cores)"
echo
echo "| method | time | files/s | MB/s | × rsync | peak RSS (fetcher) | proxy CPU |"
echo "|---|---|---|---|---|---|---|"
table "${ROWS[@]}"
echo
echo "Per-fetcher concurrency sweep: embedded \`hvmirror mirror --once --parallel P\` on $(python3 -c "print(f'{$SWEEP_COUNT:,}')") files (× rsync: rsync's files/s over the full set; choice: the smallest P within 10 % of the fastest: ${BEST:-none})"
echo
echo "| P | time | files/s | MB/s | × rsync | peak RSS | proxy CPU |"
echo "|---|---|---|---|---|---|---|"
table "${SWEEP_ROWS[@]}"
