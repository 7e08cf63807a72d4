#!/usr/bin/env bash
# Follower backfill throughput: `hvmirror helioviewer follow --once` over a Helioviewer database of N rows whose files
# (default 10,000 x 1 MB) lie in its jp2_dir, registering each in place (hashed, never copied), against `sha256sum`
# over the same files in the same run (the machine's hashing limit), with the follower's peak memory.
#
#   benchmarks/follow/run.sh [count] [size-bytes]
#
# Helioviewer's database: a MariaDB ($HVMIRROR_TEST_MARIADB if set, else scripts/infra/mariadb.sh start), holding
# Helioviewer's tables (tests/HvMirror.Testing/helioviewer-schema.sql) and one row per file as hvpull inserts them.
# Catalogs: the embedded SQLite one, then PostgreSQL ($HVMIRROR_TEST_POSTGRES if set, else scripts/infra/postgres.sh).
# The files are generated jp2s with Helioviewer names (`hvmirror sample`), laid out in the archive layout. Needs
# ~2 x count x size of free disk under ${TMPDIR:-/tmp} while the files are generated, then count x size.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
COUNT="${1:-10000}"
SIZE="${2:-1000000}"
WORK="${TMPDIR:-/tmp}/hvmirror-bench-follow"
log() { echo "[follow] $*" >&2; }

. benchmarks/lib.sh   # bench_need
bench_need /usr/bin/time time   # peak memory
dotnet build -c Release -v q -nologo services/Cli/HvMirror.Cli >/dev/null
HV=services/Cli/HvMirror.Cli/bin/Release/net10.0/hvmirror

if [ -z "${HVMIRROR_TEST_MARIADB:-}" ]; then eval "$(scripts/infra/mariadb.sh start)"; fi
if [ -z "${HVMIRROR_TEST_POSTGRES:-}" ]; then eval "$(scripts/infra/postgres.sh start)"; fi
DB="hvmirror_bench_follow_$$"
HVDB="$HVMIRROR_TEST_MARIADB;Database=$DB"
# The mariadb client, with the server, port, user and password of the connection string.
mapfile -t MARIADB_ARGS < <(python3 -c '
import sys
parts = dict(p.split("=", 1) for p in sys.argv[1].split(";") if "=" in p)
for a in ["-h", parts.get("Server", "127.0.0.1"), "-P", parts.get("Port", "3306"), "-u", parts.get("User ID", "root"), "-p" + parts.get("Password", "")]:
    print(a)' "$HVMIRROR_TEST_MARIADB")
sql() { mariadb --no-defaults "${MARIADB_ARGS[@]}" --batch --skip-column-names "$@"; }

rm -rf "$WORK" && mkdir -p "$WORK"
log "generating $COUNT files of $SIZE bytes and laying them out as Helioviewer's jp2_dir"
"$HV" sample --out "$WORK/drop" --count "$COUNT" --size "$SIZE" >/dev/null
"$HV" ingest "$WORK/drop" --archive "$WORK/jp2" --catalog "$WORK/layout.db" >/dev/null
rm -rf "$WORK/drop" "$WORK/layout.db"* "$WORK/jp2/.hvmirror"
MB=$(python3 -c "print(round($COUNT*$SIZE/1e6))")

log "creating Helioviewer's tables in $DB and one row per file, in name order, as hvpull inserts them"
echo "CREATE DATABASE \`$DB\` CHARACTER SET utf8" | sql
sql "$DB" < tests/HvMirror.Testing/helioviewer-schema.sql
(cd "$WORK/jp2" && find . -name '*.jp2' -printf '%h\t%f\n' | sort -t $'\t' -k2) | python3 -c '
import sys
rows = [l.rstrip("\n").split("\t") for l in sys.stdin]
for i in range(0, len(rows), 1000):
    values = ",".join(f"(NULL,\x27{d[1:]}\x27,\x27{f}\x27,\x272024-01-01 00:00:00\x27,NULL,0,1,4096,4096,2048.5,2048.5,1,1.5e11,0,0,0.6,0.6,0,0,2048.5,2048.5,0,0,0,1,0,0,0)" for d, f in rows[i:i+1000])
    print(f"INSERT IGNORE INTO data VALUES {values};")
' | sql "$DB"
[ "$(echo 'SELECT COUNT(*) FROM data' | sql "$DB")" = "$COUNT" ] || { log "the data table does not hold $COUNT rows"; exit 1; }

seconds() { python3 -c "print(f'{($2-$1)/1e9:.2f}')"; }
rate() { python3 -c "print(f'{$1/$2:,.0f}')"; }

# Read the files once so every contender starts with them in the page cache.
find "$WORK/jp2" -name '*.jp2' -print0 | xargs -0 cat >/dev/null
t0=$(date +%s%N); find "$WORK/jp2" -name '*.jp2' -print0 | xargs -0 sha256sum >/dev/null; t1=$(date +%s%N)
sha1=$(seconds "$t0" "$t1")
t0=$(date +%s%N); find "$WORK/jp2" -name '*.jp2' -print0 | xargs -0 -P "$(nproc)" -n 500 sha256sum >/dev/null; t1=$(date +%s%N)
shaN=$(seconds "$t0" "$t1")

run_follow() { # label catalog-arg...
    local label=$1; shift
    local t0 t1 s rss again
    t0=$(date +%s%N)
    /usr/bin/time -f "%M" -o "$WORK/rss" "$HV" helioviewer follow --once --helioviewer-db "$HVDB" --archive "$WORK/jp2" "$@" >"$WORK/$label.log"
    t1=$(date +%s%N)
    s=$(seconds "$t0" "$t1")
    rss=$(( $(cat "$WORK/rss") / 1024 ))
    grep -q "$(python3 -c "print(f'{$COUNT:,}')") new" "$WORK/$label.log" || { log "$label: not every row was registered, see $WORK/$label.log"; cat "$WORK/$label.log" >&2; exit 1; }
    t0=$(date +%s%N)
    "$HV" helioviewer follow --once --helioviewer-db "$HVDB" --archive "$WORK/jp2" "$@" >"$WORK/$label-again.log"
    t1=$(date +%s%N)
    again=$(seconds "$t0" "$t1")
    printf '| hvmirror helioviewer follow --once (backfill), %s catalog | %s s | %s files/s | %s MB/s | %s MiB | caught up, run again: %s s |\n' \
        "$label" "$s" "$(rate "$COUNT" "$s")" "$(rate "$MB" "$s")" "$rss" "$again"
    grep "ETA" "$WORK/$label.log" | head -n 2 | sed 's/^/    progress: /' >&2 || true
}

echo
echo "$COUNT files x $SIZE bytes ($MB MB), $(nproc) cores, warm page cache; every file hashed where it lies (no copy)"
echo
echo "| what | time | files/s | MB/s | peak RSS | |"
echo "|---|---|---|---|---|---|"
printf '| sha256sum, 1 process | %s s | %s files/s | %s MB/s | | |\n' "$sha1" "$(rate "$COUNT" "$sha1")" "$(rate "$MB" "$sha1")"
printf '| sha256sum, %s processes | %s s | %s files/s | %s MB/s | | |\n' "$(nproc)" "$shaN" "$(rate "$COUNT" "$shaN")" "$(rate "$MB" "$shaN")"
run_follow SQLite
run_follow PostgreSQL --catalog "$HVMIRROR_TEST_POSTGRES;Database=$DB"
echo "DROP DATABASE \`$DB\`" | sql
rm -rf "$WORK"
