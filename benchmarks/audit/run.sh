#!/usr/bin/env bash
# How long `hvmirror audit` takes to prove a large mirror in sync, and to find a gap, beside `hvmirror verify` (which
# streams every upstream record) on the same catalogs in the same run:
#
#   benchmarks/audit/run.sh [FILES] [SOURCES] [YEARS]      (default: 1000000 150 20)
#
# A primary and a mirror catalog (SQLite, the embedded default) hold the same FILES files spread evenly over SOURCES
# Helioviewer sources and YEARS years of observation days (150 × 20 years: about one file a day per source, the most
# day summaries a million files can have). The rows are loaded with SQL and the day summaries computed once with
# `hvmirror migrate --rebuild-summaries` (timed too); no file is on disk, nor needed: the audit compares catalogs.
# Then: audit in sync (exit 0), one day of one source deleted from the mirror (its files, the summaries recomputed)
# and audited again (exit 1, that day named), and verify of the same mirror (exit 1), the anchor.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
FILES="${1:-1000000}"; SOURCES="${2:-150}"; YEARS="${3:-20}"
WORK="${TMPDIR:-/tmp}/hvmirror-bench-audit-$$"
log() { echo "[audit] $*" >&2; }
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
cleanup() { [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

primary="$WORK/primary"; mirror="$WORK/mirror"
mkdir -p "$primary" "$mirror/.hvmirror"
"$HV" migrate --archive "$primary" >/dev/null
# The first SOURCES sources of Helioviewer's table (152), in table order.
sources=$(tail -n +2 shared/HvMirror.Archive/Data/helioviewer-sources.csv | cut -d, -f2 | head -n "$SOURCES")
[ "$(wc -l <<<"$sources")" -eq "$SOURCES" ] || die "the source table has fewer than $SOURCES sources"
{
    echo "CREATE TEMP TABLE s (n INTEGER PRIMARY KEY, name TEXT);"
    n=0; while read -r name; do echo "INSERT INTO s VALUES ($n, '$name');"; n=$((n + 1)); done <<<"$sources"
} >"$WORK/sources.sql"
span=$(( YEARS * 365 * 86400 )); per_source=$(( (FILES + SOURCES - 1) / SOURCES )); step=$(( span / per_source ))
now_us=$(( ($(date +%s) - 3600) * 1000000 ))
log "loading $FILES files of $SOURCES sources over $YEARS years (one every $(( step / 3600 )) h per source)"
load_start=$(date +%s.%N)
sqlite3 "$primary/.hvmirror/catalog.db" <<SQL
$(cat "$WORK/sources.sql")
WITH RECURSIVE i(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM i WHERE k + 1 < $FILES)
INSERT INTO files (name, dataset, archive_path, size, checksum, observed_at, ingested_at)
SELECT printf('%s__%s.jp2', strftime('%Y_%m_%d__%H_%M_%S', 1104537600 + (k / $SOURCES) * $step, 'unixepoch') || '_000', s.name),
       s.name, printf('%s/%d.jp2', s.name, k), 1000000 + k % 1000, printf('sha256:%064x', k),
       (1104537600 + (k / $SOURCES) * $step) * 1000000, $now_us - ($FILES - k) * 1000
FROM i JOIN s ON s.n = k % $SOURCES;
INSERT OR REPLACE INTO datasets (id, last_ingested_at) SELECT name, $now_us FROM s;
SQL
load_secs=$(echo "$(date +%s.%N) - $load_start" | bc)
rebuild=$( { /usr/bin/time -f "(%M KiB peak)" "$HV" migrate --archive "$primary" --rebuild-summaries | tail -1; } 2>&1 | tr '\n' ' ')
cp "$primary/.hvmirror/catalog.db" "$mirror/.hvmirror/catalog.db"
days=$(sqlite3 "$primary/.hvmirror/catalog.db" "SELECT count(*) FROM day_summaries")

port=$((20000 + RANDOM % 10000))
"$HV" serve --archive "$primary" --urls "http://127.0.0.1:$port" >"$WORK/serve.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 150); do curl -sf -o /dev/null "http://127.0.0.1:$port/hapi/capabilities" && break; sleep 0.2; done
HAPI="http://127.0.0.1:$port/hapi"

timed() { # label expected-exit command...: runs it, prints "label: seconds (the whole process), peak RSS" and its summary line
    local label=$1 expected=$2; shift 2
    local start rc=0; start=$(date +%s.%N)
    /usr/bin/time -f "%M" -o "$WORK/$label.rss" "$@" >"$WORK/$label.log" 2>&1 || rc=$?
    local secs; secs=$(echo "$(date +%s.%N) - $start" | bc)
    [ "$rc" -eq "$expected" ] || { tail -20 "$WORK/$label.log" >&2; die "$label exited $rc, not $expected"; }
    printf '%-34s %8.1f s %8d MiB peak\n      %s\n' "$label" "$secs" $(( $(tail -1 "$WORK/$label.rss") / 1024 )) "$(grep -E '^(audit|verify):' "$WORK/$label.log" | tail -1 | cut -c1-260)"
}

printf 'catalogs: %s files, %s sources, %s source-days; SQL load %.1f s; %s\n' "$FILES" "$SOURCES" "$days" "$load_secs" "$rebuild"
timed "audit, in sync" 0 "$HV" audit --from "$HAPI" --archive "$mirror"
# A day of the 7th source lost on the mirror, as if it had never arrived (the summaries recomputed to match, as a
# registration keeps them).
gap_source=$(sed -n 7p <<<"$sources")
gap_day=$(sqlite3 "$mirror/.hvmirror/catalog.db" "SELECT day FROM day_summaries WHERE dataset = '$gap_source' ORDER BY day LIMIT 1 OFFSET (SELECT count(*) / 2 FROM day_summaries WHERE dataset = '$gap_source')")
sqlite3 "$mirror/.hvmirror/catalog.db" "DELETE FROM files WHERE dataset = '$gap_source' AND observed_at >= $gap_day AND observed_at < $gap_day + 86400000000;"
"$HV" migrate --archive "$mirror" --rebuild-summaries >/dev/null
timed "audit, one day missing" 1 "$HV" audit --from "$HAPI" --archive "$mirror"
grep -E "^   $gap_source [0-9-]+:" "$WORK/audit, one day missing.log" | head -3
timed "verify (every record), anchor" 1 "$HV" verify --from "$HAPI" --archive "$mirror"
