#!/usr/bin/env bash
# Incremental sync at archive scale (issue 11, section 1): a primary and a mirror in sync with N files of AIA_171, then
# 100 new and 100 reprocessed files on the primary; the mirror brings itself up to date, embedded (`hvmirror mirror
# --once`, SQLite) and distributed (poller, comparer and fetcher hosts on RabbitMQ + PostgreSQL), beside `rsync -a` of
# the primary's tree into a copy of it made before the changes, all in the same run.
#
#   benchmarks/incremental/run.sh [N...]          (default: 200000 1000000)
#
# The catalogs are seeded with SQL: N rows observed and registered 12 s apart from 2020-01-01 (sqlite3 for the primary
# and the embedded mirror, generate_series in PostgreSQL for the distributed one: the same names and checksums), the
# mirrors' cursors at the primary's last record; the N files on the primary's disk are tiny stand-ins (rsync has to walk
# them all; the mirrors never read them). The 200 changes are real jp2 files of 1 MB (`hvmirror sample`, registered
# with `hvmirror ingest`: 100 with the names of the first 100 rows and other bytes, 100 after the last).
# Times: `mirror --once` from start to exit (the whole process), and from its poll (its own "done in": the issue's
# "from the mirror's next poll", what a long-running embedded mirror takes); the distributed mirror from starting the
# poller host (comparer and fetcher already up, as in a deployment), and from the poller's first request to the primary
# (its poll), until its catalog holds all 200 changes (read every 0.1 s); rsync from start to exit. The page cache is dropped before each;
# the primary has answered a catalog, info and data request before (warm, as a primary in service is).
#
# Env: MODES ("embedded distributed rsync"), KEEP=1 keeps the work folder (logs). PostgreSQL and RabbitMQ from
# $HVMIRROR_TEST_POSTGRES / $HVMIRROR_TEST_RABBITMQ / $HVMIRROR_TEST_RABBITMQ_MANAGEMENT, else private servers from
# scripts/infra (stopped at the end). Needs ~8 GB of free disk for N = 1,000,000 (two trees of small files).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
. benchmarks/lib.sh   # bench_servers
COUNTS=("$@")
[ $# -eq 0 ] && COUNTS=(200000 1000000)
MODES="${MODES:-embedded distributed rsync}"
WORK="${TMPDIR:-/tmp}/hvmirror-bench-incremental-$$"
log() { echo "[incremental $(date +%T)] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }
bench_need sqlite3
bench_need rsync
bench_need python3
bench_need psql postgresql-client
bench_need bc
mode() { [[ " $MODES " == *" $1 "* ]]; }

PIDS=(); OWN_INFRA=(); PG_URI=""; RMQ_MGMT=""; DB=""; VHOST=""
cleanup() {
    local rc=$? p
    trap - EXIT INT TERM
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
    [ -n "$DB" ] && psql "$PG_URI/postgres" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1
    [ -n "$VHOST" ] && curl -s -o /dev/null -X DELETE "$RMQ_MGMT/api/vhosts/$VHOST"
    for p in "${OWN_INFRA[@]}"; do scripts/infra/$p.sh stop >/dev/null 2>&1 || log "could not stop $p"; done
    if [ "${KEEP:-}" = 1 ] || [ $rc -ne 0 ]; then log "work folder kept: $WORK"; else rm -rf "$WORK"; fi
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ROLES=(Cli); mode distributed && ROLES+=(Poller Comparer Fetcher)
rm -rf "$WORK" && mkdir -p "$WORK/bin"
bench_publish "$WORK/bin" "${ROLES[@]}"
HV="$WORK/bin/Cli/hvmirror"

if mode distributed; then
    bench_servers "$WORK/infra"
fi

now_ns() { date +%s%N; }
secs() { echo "scale=2; ($2 - $1) / 1000000000" | bc; }
drop_caches() { sync; echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || true; }
wait_until() { # seconds command...: true once the command succeeds
    local deadline=$(( $(date +%s) + $1 )); shift
    until "$@" 2>/dev/null; do [ "$(date +%s)" -ge "$deadline" ] && return 1; sleep 0.1; done
}

printf '%-10s %-34s %10s %10s %8s\n' files mirror "HvMirror" "rsync -a" "rsync ÷"
RESULTS=()
for n in "${COUNTS[@]}"; do
    primary="$WORK/$n/primary"; mirror="$WORK/$n/mirror"; copy="$WORK/$n/rsync-copy"
    mkdir -p "$primary" "$mirror/.hvmirror" "$copy"
    "$HV" migrate --archive "$primary" >/dev/null 2>&1
    # Registered 12 s apart (as a source of that cadence is), ending a day ago: the mirror's poll overlap (2 min before
    # its cursor) holds the last 10, as it would.
    now_us=$(( ($(date +%s) - 86400) * 1000000 ))
    t0=1577836800   # 2020-01-01
    log "$n: seeding the catalogs"
    sqlite3 "$primary/.hvmirror/catalog.db" <<SQL
WITH RECURSIVE i(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM i WHERE k + 1 < $n)
INSERT INTO files (name, dataset, archive_path, size, checksum, observed_at, ingested_at)
SELECT printf('%s__SDO_AIA_AIA_171.jp2', strftime('%Y_%m_%d__%H_%M_%S', $t0 + k * 12, 'unixepoch') || '_000'),
       'AIA_171',
       printf('AIA/%s/171/%s__SDO_AIA_AIA_171.jp2', strftime('%Y/%m/%d', $t0 + k * 12, 'unixepoch'),
              strftime('%Y_%m_%d__%H_%M_%S', $t0 + k * 12, 'unixepoch') || '_000'),
       4, printf('sha256:%064x', k), ($t0 + k * 12) * 1000000, $now_us - ($n - k) * 12000000
FROM i;
INSERT OR REPLACE INTO datasets (id, last_ingested_at) VALUES ('AIA_171', $now_us);
SQL
    cp "$primary/.hvmirror/catalog.db" "$mirror/.hvmirror/catalog.db"
    sqlite3 "$mirror/.hvmirror/catalog.db" "UPDATE files SET upstream = 'primary', upstream_ingested_at = ingested_at;
        INSERT INTO mirror_cursors (upstream, dataset, position, updated_at) VALUES ('primary', 'AIA_171', $now_us, $now_us);"
    "$HV" migrate --archive "$mirror" --rebuild-summaries >/dev/null
    "$HV" migrate --archive "$primary" --rebuild-summaries >/dev/null
    if mode distributed; then
        DB="bench_incremental_$$_$n"; VHOST="$DB"
        psql "$PG_URI/postgres" -qc "CREATE DATABASE $DB" >/dev/null
        CATALOG="$HVMIRROR_TEST_POSTGRES;Database=$DB"
        "$HV" migrate --catalog "$CATALOG" >/dev/null 2>&1
        psql "$PG_URI/$DB" -q -v ON_ERROR_STOP=1 <<SQL
INSERT INTO files (name, dataset, archive_path, size, checksum, observed_at, ingested_at, upstream, upstream_ingested_at)
SELECT to_char(o, 'YYYY_MM_DD__HH24_MI_SS') || '_000__SDO_AIA_AIA_171.jp2', 'AIA_171',
       'AIA/' || to_char(o, 'YYYY/MM/DD') || '/171/' || to_char(o, 'YYYY_MM_DD__HH24_MI_SS') || '_000__SDO_AIA_AIA_171.jp2',
       4, 'sha256:' || lpad(to_hex(k), 64, '0'), o AT TIME ZONE 'UTC', i AT TIME ZONE 'UTC', 'primary', i AT TIME ZONE 'UTC'
FROM (SELECT k, to_timestamp($t0 + k * 12) AT TIME ZONE 'UTC' AS o,
             to_timestamp(($now_us - ($n - k) * 12000000) / 1000000.0) AT TIME ZONE 'UTC' AS i
      FROM generate_series(0::bigint, $n - 1) AS k) AS rows;
INSERT INTO datasets (id, last_ingested_at) VALUES ('AIA_171', to_timestamp($now_us / 1000000.0));
INSERT INTO mirror_cursors (upstream, dataset, position, updated_at)
VALUES ('primary', 'AIA_171', to_timestamp($now_us / 1000000.0), to_timestamp($now_us / 1000000.0));
SQL
        "$HV" migrate --catalog "$CATALOG" --rebuild-summaries >/dev/null
        [ "$(psql "$PG_URI/$DB" -qtAc "SELECT count(*) FROM files")" = "$n" ] || die "the PostgreSQL catalog was not seeded"
    fi

    log "$n: writing $n stand-in files"
    sqlite3 "$primary/.hvmirror/catalog.db" "SELECT archive_path FROM files" | python3 -c '
import os, sys
root = sys.argv[1]; made = set()
for line in sys.stdin:
    path = os.path.join(root, line.strip()); folder = os.path.dirname(path)
    if folder not in made: os.makedirs(folder, exist_ok=True); made.add(folder)
    fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o644); os.write(fd, b"jp2\n"); os.close(fd)
' "$primary"
    mode rsync && cp -a "$primary/AIA" "$copy/"

    # The changes: 100 reprocessed (the first 100 names, new bytes), 100 new (after the last record).
    "$HV" sample --out "$WORK/$n/changes" --count 100 --datasets AIA_171 --start 2020-01-01T00:00:00Z --variant reprocessed --size 1000000 >/dev/null
    "$HV" sample --out "$WORK/$n/changes" --count 100 --datasets AIA_171 --start "$(date -u -d "@$((t0 + n * 12))" +%Y-%m-%dT%H:%M:%SZ)" --size 1000000 >/dev/null
    "$HV" ingest "$WORK/$n/changes" --archive "$primary" >"$WORK/$n/ingest.log" 2>&1 || { tail "$WORK/$n/ingest.log" >&2; die "ingest failed"; }
    grep -q "100 ingested, 100 updated" "$WORK/$n/ingest.log" || die "the changes were not 100 new and 100 replaced: $(tail -1 "$WORK/$n/ingest.log")"

    port=$((20000 + RANDOM % 10000))
    "$HV" serve --archive "$primary" --urls "http://127.0.0.1:$port" >"$WORK/$n/serve.log" 2>&1 &
    SERVER=$!; PIDS+=("$SERVER")
    wait_until 30 curl -sf -o /dev/null "http://127.0.0.1:$port/hapi/capabilities" || die "the primary did not start"
    # A primary in service has answered such requests before: the JIT of its first answers (0.2-0.3 s, seen in the
    # mirror's request log) is not the mirror's time. The first minute of its records, not what the mirror will read.
    first_minute=$(curl -sf "http://127.0.0.1:$port/hapi/info?dataset=AIA_171" | python3 -c '
import datetime, json, sys
start = datetime.datetime.fromisoformat(json.load(sys.stdin)["startDate"].replace("Z", "+00:00"))
stop = start + datetime.timedelta(minutes=1)
print("start=" + start.strftime("%Y-%m-%dT%H:%M:%SZ") + "&stop=" + stop.strftime("%Y-%m-%dT%H:%M:%SZ"))') \
        || die "the primary did not answer /hapi/info"
    for q in catalog "data?dataset=AIA_171&$first_minute"; do
        curl -sf -o /dev/null "http://127.0.0.1:$port/hapi/$q" || die "the primary did not answer /hapi/$q"
    done
    rsync_s=""

    if mode embedded; then
        drop_caches
        start=$(now_ns)
        "$HV" mirror --from "http://127.0.0.1:$port/hapi" --name primary --archive "$mirror" --datasets AIA_171 --once \
            >"$WORK/$n/embedded.log" 2>&1 || { tail "$WORK/$n/embedded.log" >&2; die "mirror --once failed"; }
        embedded_s=$(secs "$start" "$(now_ns)")
        grep -q "100 new, 100 replaced" "$WORK/$n/embedded.log" || die "mirror --once: $(grep '^mirror: done' "$WORK/$n/embedded.log")"
        own=$(grep -oE "^mirror: done in [0-9.]+ s" "$WORK/$n/embedded.log" | grep -oE "[0-9.]+")
        RESULTS+=("$n|embedded, \`mirror --once\` (whole process, start-up included)|$embedded_s")
        RESULTS+=("$n|embedded, from its poll (its own 'done in')|$own")
    fi

    if mode distributed; then
        curl -sf -o /dev/null -X PUT "$RMQ_MGMT/api/vhosts/$VHOST"
        curl -sf -o /dev/null -X PUT -H 'content-type: application/json' -d '{"configure":".*","write":".*","read":".*"}' \
            "$RMQ_MGMT/api/permissions/$VHOST/$RMQ_USER"
        env=("ConnectionStrings__Catalog=$CATALOG" "ConnectionStrings__RabbitMq=${HVMIRROR_TEST_RABBITMQ%/}/$VHOST"
             "HvMirror__Archive=$WORK/$n/distributed" "HvMirror__Upstreams__0__Name=primary"
             "HvMirror__Upstreams__0__Url=http://127.0.0.1:$port/hapi" "HvMirror__Upstreams__0__Datasets__0=AIA_171"
             "HvMirror__Upstreams__0__PollInterval=00:00:02" "DOTNET_ENVIRONMENT=Production")
        host() { local role=$1; shift; (cd "$WORK/bin/$role" && exec env "${env[@]}" "$@" dotnet "HvMirror.$role.Host.dll") >"$WORK/$n/$role.log" 2>&1 & PIDS+=("$!"); }
        host Comparer ASPNETCORE_URLS="http://127.0.0.1:$((port + 1))"
        host Fetcher ASPNETCORE_URLS="http://127.0.0.1:$((port + 2))"
        consumers() { curl -sf "$RMQ_MGMT/api/queues/$VHOST" | python3 -c '
import json, sys
q = {x["name"]: x.get("consumers", 0) for x in json.load(sys.stdin)}
sys.exit(0 if q.get("file-announced", 0) >= 1 and q.get("file-needed", 0) >= 1 else 1)'; }
        wait_until 120 consumers || die "the comparer and fetcher never consumed (logs in $WORK/$n)"
        # Only rows registered after the seed (the index on dataset and ingested_at): a count over the whole table took
        # 200-400 ms of a core every 0.1 s at 1,000,000 rows, and so slowed the run it measured in proportion to N.
        changed() { [ "$(psql "$PG_URI/$DB" -qtAc "SELECT count(*) FROM files WHERE dataset = 'AIA_171'
            AND ingested_at > to_timestamp($now_us / 1000000.0) AND checksum NOT LIKE 'sha256:0000000000%'")" = 200 ]; }
        drop_caches
        start=$(now_ns)
        # Its HTTP client's requests logged (with the hosts' UTC timestamps): the first one is the start of its poll.
        host Poller ASPNETCORE_URLS="http://127.0.0.1:$((port + 3))" "Logging__LogLevel__System.Net.Http.HttpClient=Information"
        wait_until 600 changed || die "the distributed mirror did not register the 200 changes in 10 minutes (logs in $WORK/$n)"
        end=$(now_ns)
        distributed_s=$(secs "$start" "$end")
        first_request=$(grep -m1 -oE '^[0-9T:.-]+Z .*Start processing HTTP request' "$WORK/$n/Poller.log" | cut -d' ' -f1)
        [ -n "$first_request" ] || die "the poller host logged no request to the primary ($WORK/$n/Poller.log)"
        poll_s=$(secs "$(date -u -d "$first_request" +%s%N)" "$end")
        RESULTS+=("$n|distributed, 1 fetcher (from starting the poller host)|$distributed_s")
        RESULTS+=("$n|distributed, 1 fetcher (from its poll: first request)|$poll_s")
        for p in "${PIDS[@]:1}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
        PIDS=("$SERVER")
        psql "$PG_URI/postgres" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1; DB=""
        curl -s -o /dev/null -X DELETE "$RMQ_MGMT/api/vhosts/$VHOST"; VHOST=""
    fi

    if mode rsync; then
        drop_caches
        start=$(now_ns)
        rsync -a "$primary/AIA/" "$copy/AIA/" 2>"$WORK/$n/rsync.log" || die "rsync failed"
        rsync_s=$(secs "$start" "$(now_ns)")
        RESULTS+=("$n|\`rsync -a\` (walks the whole tree; the anchor)|$rsync_s")
    fi
    kill "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null || true; PIDS=()
    for r in "${RESULTS[@]}"; do
        IFS='|' read -r files what s <<<"$r"
        [ "$files" = "$n" ] || continue
        ratio=""; [ -n "$rsync_s" ] && ratio=$(printf '%.2fx' "$(echo "$rsync_s / $s" | bc -l)")
        printf '%-10s %-34s %8s s %8s s %8s\n' "$n" "${what:0:34}" "$s" "${rsync_s:--}" "$ratio"
    done
    [ "${KEEP:-}" = 1 ] || rm -rf "$WORK/$n"
done
echo
echo "| files | mirror | time | \`rsync -a\` in the same run | rsync ÷ HvMirror |"
echo "|---|---|---|---|---|"
for r in "${RESULTS[@]}"; do
    IFS='|' read -r files what s <<<"$r"
    anchor=$(printf '%s\n' "${RESULTS[@]}" | awk -F'|' -v f="$files" '$1 == f && $2 ~ /rsync/ { print $3 }')
    [[ "$what" == *rsync* ]] && continue
    ratio=""; [ -n "$anchor" ] && ratio=$(printf '%.2f' "$(echo "$anchor / $s" | bc -l)")
    echo "| $(printf "%'d" "$files") | $what | $s s | ${anchor:--} s | $ratio |"
done
echo
echo "(load average at the end: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores)"
