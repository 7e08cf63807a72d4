#!/usr/bin/env bash
# Benchmark of /hapi/data: stream a 1,000,000-record dataset as CSV from the Server host (Release) over PostgreSQL.
#
#   benchmarks/hapi-data/run.sh [records]      # default 1000000
#
# PostgreSQL: $HVMIRROR_TEST_POSTGRES (Host=…;Port=…;Username=…;Password=…) if set, else scripts/infra/postgres.sh start.
# Each run recreates the database hvmirror_bench_hapi, so it is re-runnable. Prints records/s, MB/s and the server's
# peak resident memory (VmHWM) for a plain and a gzip download of the whole range.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
RECORDS="${1:-1000000}"
DB=hvmirror_bench_hapi
WORK="${TMPDIR:-/tmp}/hvmirror-bench-hapi"
log() { echo "[hapi-data] $*" >&2; }

if [ -z "${HVMIRROR_TEST_POSTGRES:-}" ]; then
    [ -x scripts/infra/postgres.sh ] || { log "set HVMIRROR_TEST_POSTGRES or provide scripts/infra/postgres.sh"; exit 1; }
    eval "$(scripts/infra/postgres.sh start)"
fi
# Host=…;Port=…;Username=…;Password=… → libpq environment for psql.
while IFS='=' read -r key value; do
    case "${key,,}" in
        host|server) export PGHOST="$value" ;;
        port) export PGPORT="$value" ;;
        username|user\ id|userid|user) export PGUSER="$value" ;;
        password) export PGPASSWORD="$value" ;;
    esac
done < <(tr ';' '\n' <<<"$HVMIRROR_TEST_POSTGRES")
CATALOG="$HVMIRROR_TEST_POSTGRES;Database=$DB"

log "recreating database $DB on $PGHOST:${PGPORT:-5432}"
psql -q -d postgres -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"

log "building the Server host (Release)"
dotnet build -c Release -v q -nologo services/HapiServer/HvMirror.HapiServer.Host >/dev/null
DLL=services/HapiServer/HvMirror.HapiServer.Host/bin/Release/net10.0/HvMirror.HapiServer.Host.dll

rm -rf "$WORK" && mkdir -p "$WORK/archive"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
ASPNETCORE_URLS="$BASE" HvMirror__Archive="$WORK/archive" ConnectionStrings__Catalog="$CATALOG" \
    Logging__LogLevel__Default=Warning DOTNET_gcServer=0 \
    dotnet "$DLL" >"$WORK/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -sf "$BASE/hapi/capabilities" >/dev/null && break; sleep 0.2; done
curl -sf "$BASE/hapi/capabilities" >/dev/null || { log "server did not start; see $WORK/server.log"; exit 1; }

log "inserting $RECORDS records into one dataset (AIA_171), one millisecond apart"
start_ms=$(date +%s%3N)
psql -q -d "$DB" -v ON_ERROR_STOP=1 <<SQL
INSERT INTO datasets (id, last_ingested_at) VALUES ('AIA_171', '2024-01-01T00:00:00Z'::timestamptz + $RECORDS * interval '1 millisecond');
INSERT INTO files (name, dataset, archive_path, size, checksum, observed_at, ingested_at)
SELECT n.name, 'AIA_171', 'AIA/' || to_char(t.obs, 'YYYY/MM/DD') || '/171/' || n.name, 900000 + g % 200000,
       'sha256:' || encode(sha256(g::text::bytea), 'hex'), t.obs,
       '2024-01-01T00:00:00Z'::timestamptz + g * interval '1 millisecond'
FROM generate_series(1, $RECORDS) AS g,
     LATERAL (SELECT '2020-01-01T00:00:00Z'::timestamptz + g * interval '12 seconds' AS obs) AS t,
     LATERAL (SELECT to_char(t.obs AT TIME ZONE 'UTC', 'YYYY_MM_DD__HH24_MI_SS_MS') || '__SDO_AIA_AIA_171.jp2' AS name) AS n;
ANALYZE files;
SQL
log "inserted in $(( $(date +%s%3N) - start_ms )) ms"

INFO=$(curl -sf "$BASE/hapi/info?dataset=AIA_171")
START=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["startDate"])' "$INFO")
STOP=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["stopDate"])' "$INFO")
URL="$BASE/hapi/data?dataset=AIA_171&start=$START&stop=$STOP"
rss() { awk -v k="$1:" '$1==k {print $2}' "/proc/$SERVER/status"; }
log "server RSS before the downloads: $(( $(rss VmRSS) / 1024 )) MB (peak so far $(( $(rss VmHWM) / 1024 )) MB)"

run() {  # run <label> [curl options…]
    local label=$1; shift
    local out="$WORK/data.$label"
    read -r seconds bytes < <(curl -sf "$@" -o "$out" -w '%{time_total} %{size_download}\n' "$URL")
    local lines
    if [ "$label" = gzip ]; then lines=$(gzip -dc "$out" | wc -l); else lines=$(wc -l < "$out"); fi
    python3 - "$label" "$seconds" "$bytes" "$lines" "$(rss VmHWM)" "$RECORDS" <<'PY'
import sys
label, seconds, size, lines, hwm_kb, expected = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
print(f"{label:5s}: {lines:,} records in {seconds:.2f} s = {lines/seconds:,.0f} records/s, "
      f"{size/1e6:,.1f} MB on the wire = {size/1e6/seconds:,.1f} MB/s; server peak RSS (VmHWM) {hwm_kb/1024:,.0f} MB"
      + ("" if lines == expected else f"  !! expected {expected:,} records"))
PY
    [ "$lines" = "$RECORDS" ]
}
run plain
run gzip -H 'Accept-Encoding: gzip'
head -n 2 "$WORK/data.plain" | sed 's/^/  first rows: /' >&2
