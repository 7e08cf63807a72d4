#!/usr/bin/env bash
# Ingest throughput: `hvmirror ingest` of N generated jp2 files of SIZE bytes (default 10,000 x 1 MB) into an empty
# archive, against `sha256sum` over the same files (the machine's hashing limit), with the ingest's peak memory.
#
#   benchmarks/ingest/run.sh [count] [size-bytes]
#
# Runs the embedded catalog (SQLite in the archive) and PostgreSQL ($HVMIRROR_TEST_POSTGRES if set, else
# scripts/infra/postgres.sh start). Needs ~2 x count x size of free disk under ${TMPDIR:-/tmp}.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
COUNT="${1:-10000}"
SIZE="${2:-1000000}"
WORK="${TMPDIR:-/tmp}/hvmirror-bench-ingest"
log() { echo "[ingest] $*" >&2; }

. benchmarks/lib.sh   # bench_need
bench_need /usr/bin/time time   # peak memory
dotnet build -c Release -v q -nologo services/Cli/HvMirror.Cli >/dev/null
HV=services/Cli/HvMirror.Cli/bin/Release/net10.0/hvmirror

rm -rf "$WORK" && mkdir -p "$WORK"
log "generating $COUNT files of $SIZE bytes"
"$HV" sample --out "$WORK/drop" --count "$COUNT" --size "$SIZE" >/dev/null
MB=$(python3 -c "print(round($COUNT*$SIZE/1e6))")

seconds() { python3 -c "print(f'{($2-$1)/1e9:.2f}')"; }
rate() { python3 -c "print(f'{$1/$2:,.0f}')"; }

# Read the files once so every contender starts with them in the page cache.
cat "$WORK"/drop/* >/dev/null

t0=$(date +%s%N); find "$WORK/drop" -type f -print0 | xargs -0 sha256sum >/dev/null; t1=$(date +%s%N)
sha1=$(seconds "$t0" "$t1")
t0=$(date +%s%N); find "$WORK/drop" -type f -print0 | xargs -0 -P "$(nproc)" -n 500 sha256sum >/dev/null; t1=$(date +%s%N)
shaN=$(seconds "$t0" "$t1")

run_ingest() { # label catalog-arg...
    local label=$1; shift
    rm -rf "$WORK/archive"
    local t0 t1
    t0=$(date +%s%N)
    /usr/bin/time -f "%M" -o "$WORK/rss" "$HV" ingest "$WORK/drop" --archive "$WORK/archive" "$@" >"$WORK/$label.log"
    t1=$(date +%s%N)
    local s; s=$(seconds "$t0" "$t1")
    local rss; rss=$(( $(cat "$WORK/rss") / 1024 ))
    t0=$(date +%s%N)
    "$HV" ingest "$WORK/drop" --archive "$WORK/archive" "$@" >"$WORK/$label-again.log"
    t1=$(date +%s%N)
    local again; again=$(seconds "$t0" "$t1")
    grep -q "$(python3 -c "print(f'{$COUNT:,}')") ingested" "$WORK/$label.log" || { log "$label: not every file was ingested, see $WORK/$label.log"; exit 1; }
    printf '| hvmirror ingest, %s catalog | %s s | %s files/s | %s MB/s | %s MiB | re-run (all unchanged): %s s |\n' \
        "$label" "$s" "$(rate "$COUNT" "$s")" "$(rate "$MB" "$s")" "$rss" "$again"
}

echo
echo "$COUNT files x $SIZE bytes ($MB MB), $(nproc) cores, warm page cache"
echo
echo "| what | time | files/s | MB/s | peak RSS | |"
echo "|---|---|---|---|---|---|"
printf '| sha256sum, 1 process | %s s | %s files/s | %s MB/s | | |\n' "$sha1" "$(rate "$COUNT" "$sha1")" "$(rate "$MB" "$sha1")"
printf '| sha256sum, %s processes | %s s | %s files/s | %s MB/s | | |\n' "$(nproc)" "$shaN" "$(rate "$COUNT" "$shaN")" "$(rate "$MB" "$shaN")"
run_ingest SQLite
if [ -z "${HVMIRROR_TEST_POSTGRES:-}" ]; then eval "$(scripts/infra/postgres.sh start)"; fi
DB="hvmirror_bench_ingest_$$"
run_ingest PostgreSQL --catalog "$HVMIRROR_TEST_POSTGRES;Database=$DB"
rm -rf "$WORK"
