#!/bin/sh
# A demo primary for docker compose and the dev overlay: generated JP2 files with Helioviewer names, registered in
# a SQLite catalog and served over HAPI, with new files every DEMO_INTERVAL seconds and a "reprocessing" (same
# names, new bytes) every sixth round, so that the mirror, its traces and its dashboard keep moving.
# Baked into the hvmirror-cli image as /app/demo-primary.sh (deploy/docker/cli.Dockerfile).
set -eu

ARCHIVE="${DEMO_ARCHIVE:-/archive}"
DROP="${DEMO_DROP:-/tmp/drop}"
URLS="${DEMO_URLS:-http://+:8080}"
PUBLIC_URL="${DEMO_PUBLIC_URL:-http://demo-primary:8080}"
INITIAL="${DEMO_INITIAL_FILES:-300}"
BATCH="${DEMO_BATCH_FILES:-12}"
INTERVAL="${DEMO_INTERVAL:-20}"
SIZE="${DEMO_FILE_BYTES:-150000}"

hv() { dotnet /app/hvmirror.dll "$@"; }

rm -rf "$DROP"
hv sample --out "$DROP/initial" --count "$INITIAL" --size "$SIZE"
hv ingest "$DROP/initial" --archive "$ARCHIVE"
rm -rf "$DROP/initial"

hv serve --archive "$ARCHIVE" --urls "$URLS" --public-url "$PUBLIC_URL" &
server=$!
trap 'kill -TERM "$server" 2>/dev/null; wait "$server"; exit 0' TERM INT

round=0
while kill -0 "$server" 2>/dev/null; do
    sleep "$INTERVAL" &
    wait $! || true
    round=$((round + 1))
    # New observations, named after the current time (so never seen before).
    hv sample --out "$DROP/$round" --count "$BATCH" --size "$SIZE" --start "$(date -u +%Y-%m-%dT%H:%M:%S)" >/dev/null
    hv ingest "$DROP/$round" --archive "$ARCHIVE" || echo "demo-primary: ingest of round $round failed" >&2
    if [ $((round % 6)) -eq 0 ]; then
        # A reprocessing: the first files of the initial set again, with other bytes.
        hv sample --out "$DROP/r$round" --count 10 --size "$SIZE" --variant "reprocessed-$round" >/dev/null
        hv ingest "$DROP/r$round" --archive "$ARCHIVE" || echo "demo-primary: reprocessing round $round failed" >&2
    fi
    rm -rf "$DROP/$round" "$DROP/r$round"
done
wait "$server"
