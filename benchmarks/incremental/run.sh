#!/usr/bin/env bash
# Incremental sync at archive scale (issue 11, section 1; the embedded mode): a primary and a mirror in sync with N
# files of AIA_171, then 100 new and 100 reprocessed files on the primary; `hvmirror mirror --once` (embedded, SQLite)
# brings the mirror up to date, beside `rsync -a` of the primary's tree into a copy of it made before the changes, in
# the same run.
#
#   benchmarks/incremental/run.sh [N...]          (default: 200000 1000000)
#
# The catalogs are seeded with SQL (sqlite3): N rows observed and registered 12 s apart from 2020-01-01, the mirror's catalog a copy
# of the primary's with its cursor at the primary's last record; the N files on the primary's disk are tiny stand-ins
# (rsync has to walk them all; the mirror never reads them). The 200 changes are real jp2 files (`hvmirror sample`,
# registered with `hvmirror ingest`: 100 with the names of the first 100 rows and other bytes, 100 after the last).
# Times are of whole processes, start-up included: `mirror --once` from start to exit (all 200 registered), rsync from
# start to exit. KEEP=1 keeps the work folder (logs). Needs ~8 GB of free disk for N = 1,000,000 (two trees of small files).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
COUNTS=("$@")
[ $# -eq 0 ] && COUNTS=(200000 1000000)
WORK="${TMPDIR:-/tmp}/hvmirror-bench-incremental-$$"
log() { echo "[incremental] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }
command -v sqlite3 >/dev/null || die "needs sqlite3 (apt-get install sqlite3)"
command -v rsync >/dev/null || die "needs rsync (apt-get install rsync)"
command -v python3 >/dev/null || die "needs python3 (to write the stand-in files)"

log "building (Release)"
dotnet build -c Release -v q -nologo services/Cli/HvMirror.Cli >/dev/null || die "build failed"
rm -rf "$WORK" && mkdir -p "$WORK/bin"
cp -a services/Cli/HvMirror.Cli/bin/Release/net10.0/. "$WORK/bin/"
HV="$WORK/bin/hvmirror"
SERVER=""
cleanup() { [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; wait 2>/dev/null; [ "${KEEP:-}" = 1 ] || rm -rf "$WORK"; }
trap cleanup EXIT

seconds() { # LOG command...: the command's wall time in seconds; its output in LOG
    local log=$1 start; shift; start=$(date +%s.%N)
    "$@" >"$log" 2>&1 || { tail -20 "$log" >&2; die "$* failed"; }
    echo "$(date +%s.%N) - $start" | bc
}

printf '%-10s %14s %10s %8s  %s\n' files "mirror --once" "rsync -a" ratio "mirror's summary"
for n in "${COUNTS[@]}"; do
    primary="$WORK/$n/primary"; mirror="$WORK/$n/mirror"; copy="$WORK/$n/rsync-copy"
    mkdir -p "$primary" "$mirror/.hvmirror" "$copy"
    "$HV" migrate --archive "$primary" >/dev/null
    # Registered 12 s apart (as a source of that cadence is), ending a day ago: the mirror's poll overlap (2 min before
    # its cursor) holds the last 10, as it would.
    now_us=$(( ($(date +%s) - 86400) * 1000000 ))
    t0=1577836800   # 2020-01-01
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
    log "$n: writing $n stand-in files"
    sqlite3 "$primary/.hvmirror/catalog.db" "SELECT archive_path FROM files" | python3 -c '
import os, sys
root = sys.argv[1]; made = set()
for line in sys.stdin:
    path = os.path.join(root, line.strip()); folder = os.path.dirname(path)
    if folder not in made: os.makedirs(folder, exist_ok=True); made.add(folder)
    with open(path, "wb") as f: f.write(b"jp2\n")
' "$primary"
    cp "$primary/.hvmirror/catalog.db" "$mirror/.hvmirror/catalog.db"
    sqlite3 "$mirror/.hvmirror/catalog.db" "UPDATE files SET upstream = 'primary', upstream_ingested_at = ingested_at;
        INSERT INTO mirror_cursors (upstream, dataset, position, updated_at) VALUES ('primary', 'AIA_171', $now_us, $now_us);"
    "$HV" migrate --archive "$mirror" --rebuild-summaries >/dev/null
    "$HV" migrate --archive "$primary" --rebuild-summaries >/dev/null
    cp -a "$primary/AIA" "$copy/"

    # The changes: 100 reprocessed (the first 100 names, new bytes), 100 new (after the last record).
    "$HV" sample --out "$WORK/$n/changes" --count 100 --datasets AIA_171 --start 2020-01-01T00:00:00Z --variant reprocessed --size 1000000 >/dev/null
    "$HV" sample --out "$WORK/$n/changes" --count 100 --datasets AIA_171 --start "$(date -u -d "@$((t0 + n * 12))" +%Y-%m-%dT%H:%M:%SZ)" --size 1000000 >/dev/null
    "$HV" ingest "$WORK/$n/changes" --archive "$primary" >"$WORK/$n/ingest.log" 2>&1 || { tail "$WORK/$n/ingest.log" >&2; die "ingest failed"; }
    grep -q "100 replaced" "$WORK/$n/ingest.log" && grep -q "100 added\|100 new" "$WORK/$n/ingest.log" || log "ingest: $(tail -1 "$WORK/$n/ingest.log")"

    port=$((20000 + RANDOM % 10000))
    "$HV" serve --archive "$primary" --urls "http://127.0.0.1:$port" >"$WORK/$n/serve.log" 2>&1 &
    SERVER=$!
    for _ in $(seq 1 150); do curl -sf -o /dev/null "http://127.0.0.1:$port/hapi/capabilities" && break; sleep 0.2; done
    sync; echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || true
    mirror_s=$(seconds "$WORK/$n/mirror.log" "$HV" mirror --from "http://127.0.0.1:$port/hapi" --name primary --archive "$mirror" --datasets AIA_171 --once)
    summary=$(grep -E "^mirror: done" "$WORK/$n/mirror.log" | tail -1 | cut -c1-90)
    sync; echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || true
    rsync_s=$(seconds "$WORK/$n/rsync.log" rsync -a "$primary/AIA/" "$copy/AIA/")
    kill "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null || true; SERVER=""
    printf '%-10s %12.2f s %8.2f s %7.2fx  %s\n' "$n" "$mirror_s" "$rsync_s" "$(echo "$rsync_s / $mirror_s" | bc -l)" "$summary"
    [ "${KEEP:-}" = 1 ] || rm -rf "$WORK/$n"
done
