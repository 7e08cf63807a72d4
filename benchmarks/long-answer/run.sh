#!/usr/bin/env bash
# Memory against the length of an upstream's answer: `hvmirror mirror --once` reads a primary's /hapi/data of N records
# (one dataset) that the mirror already holds (its catalog is a copy of the primary's, so nothing is fetched and every
# record goes through poll → compare → settle), for each N given. If the poller read faster than the mirror takes the
# work, or anything kept per-record state, peak memory would grow with N; it should not.
#
#   benchmarks/long-answer/run.sh [N...]          (default: 100000 1000000)
#
# Per N: the time of the sync, records per second, and the peak RSS of the hvmirror process (GNU time), beside the
# peak RSS of `hvmirror serve` answering the same request to curl (the anchor: the same records, streamed once).
# The catalogs are seeded with SQL (sqlite3), not N ingests; the files themselves are not needed and not created.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
COUNTS=("${@:-100000 1000000}")
[ $# -eq 0 ] && COUNTS=(100000 1000000)
WORK="${TMPDIR:-/tmp}/hvmirror-bench-long-answer-$$"
log() { echo "[long-answer] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }
. benchmarks/lib.sh   # bench_need
bench_need sqlite3
bench_need /usr/bin/time time

log "building (Release)"
dotnet build -c Release -v q -nologo services/Cli/HvMirror.Cli >/dev/null || die "build failed"
rm -rf "$WORK" && mkdir -p "$WORK/bin"
cp -a services/Cli/HvMirror.Cli/bin/Release/net10.0/. "$WORK/bin/"
HV="$WORK/bin/hvmirror"
SERVER=""
cleanup() { [ -n "$SERVER" ] && pkill -P "$SERVER" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

printf '%-10s %10s %12s %16s %18s\n' records "sync s" "records/s" "mirror peak MiB" "serve+curl MiB"
for n in "${COUNTS[@]}"; do
    primary="$WORK/$n/primary"; mirror="$WORK/$n/mirror"
    mkdir -p "$primary" "$mirror"
    "$HV" migrate --archive "$primary" >/dev/null 2>&1
    # N files of AIA_171, observed 12 s apart, ingested 1 ms apart ending an hour ago (µs since the epoch, as the catalog keeps them).
    now_us=$(( $(date +%s) * 1000000 - 3600 * 1000000 ))
    sqlite3 "$primary/.hvmirror/catalog.db" <<SQL
WITH RECURSIVE i(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM i WHERE k + 1 < $n)
INSERT INTO files (name, dataset, archive_path, size, checksum, observed_at, ingested_at)
SELECT printf('%s__SDO_AIA_AIA_171.jp2', strftime('%Y_%m_%d__%H_%M_%S', 1577836800 + k * 12, 'unixepoch') || '_000'),
       'AIA_171',
       printf('AIA/%s/171/%s__SDO_AIA_AIA_171.jp2', strftime('%Y/%m/%d', 1577836800 + k * 12, 'unixepoch'),
              strftime('%Y_%m_%d__%H_%M_%S', 1577836800 + k * 12, 'unixepoch') || '_000'),
       1000, printf('sha256:%064x', k), (1577836800 + k * 12) * 1000000, $now_us - ($n - k) * 1000
FROM i;
INSERT OR REPLACE INTO datasets (id, last_ingested_at) VALUES ('AIA_171', $now_us);
SQL
    cp "$primary/.hvmirror/catalog.db" "$mirror/.hvmirror.db.tmp" 2>/dev/null || true
    mkdir -p "$mirror/.hvmirror" && mv "$mirror/.hvmirror.db.tmp" "$mirror/.hvmirror/catalog.db"

    port=$((20000 + RANDOM % 10000))
    /usr/bin/time -f "%M" -o "$WORK/$n/serve-rss" "$HV" serve --archive "$primary" --urls "http://127.0.0.1:$port" >"$WORK/$n/serve.log" 2>&1 &
    SERVER=$!
    for _ in $(seq 1 100); do curl -sf -o /dev/null "http://127.0.0.1:$port/hapi/capabilities" && break; sleep 0.2; done
    info=$(curl -sf "http://127.0.0.1:$port/hapi/info?dataset=AIA_171") || die "the primary did not answer /hapi/info"
    from=$(grep -o '"startDate": *"[^"]*"' <<<"$info" | cut -d'"' -f4); to=$(grep -o '"stopDate": *"[^"]*"' <<<"$info" | cut -d'"' -f4)
    curl -sf -o /dev/null "http://127.0.0.1:$port/hapi/data?dataset=AIA_171&start=$from&stop=$to" || die "the primary did not answer /hapi/data"

    start=$(date +%s.%N)
    /usr/bin/time -f "%M" -o "$WORK/$n/mirror-rss" "$HV" mirror --from "http://127.0.0.1:$port/hapi" --archive "$mirror" --datasets AIA_171 --once \
        >"$WORK/$n/mirror.log" 2>&1 || { tail -20 "$WORK/$n/mirror.log" >&2; die "mirror --once failed for $n records"; }
    secs=$(echo "$(date +%s.%N) - $start" | bc)
    pkill -TERM -P "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; SERVER=""   # serve, not time, so time reports
    printf '%-10s %10.1f %12.0f %16d %18d\n' "$n" "$secs" "$(echo "$n / $secs" | bc -l)" \
        $(( $(cat "$WORK/$n/mirror-rss") / 1024 )) $(( $(cat "$WORK/$n/serve-rss") / 1024 ))
    tail -1 "$WORK/$n/mirror.log" >&2
    rm -rf "$WORK/$n"
done
