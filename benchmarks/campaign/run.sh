#!/usr/bin/env bash
# A reprocessing campaign (issue 11, section 4): COUNT small files (default 100,000) reprocessed at once on a primary
# (`hvmirror serve`, SQLite catalog) that a distributed mirror (poller, comparer and K fetcher hosts on RabbitMQ and
# PostgreSQL) holds in sync; the mirror fetches them all again with 1, 2 and 4 fetchers, each a fresh run from the
# same starting state.
#
#   benchmarks/campaign/run.sh [count]          (default 100000)
#
# Set-up, once (not timed as the mirror's work): `hvmirror sample` writes COUNT real jp2 files of SIZE bytes (AIA
# sources) and the same names again with other bytes (`--variant reprocessed`). The first set is the archive both sides
# hold: the primary's SQLite catalog and the mirror's PostgreSQL catalog are seeded with SQL (sqlite3 / psql COPY)
# from the same rows, the mirror's with the upstream columns and its cursor at the primary's last record. The campaign:
# the second set's files replace the primary's (renamed into place) and one UPDATE gives every row its new checksum
# and a new ingested_at after the mirror's cursor (the rows' times spread SPREAD_US apart, as a bulk re-ingest would
# leave them); both steps are timed, beside `hvmirror ingest` of INGEST_PROBE reprocessed files for comparison.
# Each row: a fresh database (a copy of the seeded one), vhost and mirror archive (hard links to the seeded files),
# the comparer and K fetchers up and consuming, then the poller; every second the broker's queue counters, the
# mirror's count of refetched rows and the hosts' VmRSS go to a CSV. Prints one markdown table; KEEP=1 keeps the CSVs
# and logs. Uses $HVMIRROR_TEST_POSTGRES / $HVMIRROR_TEST_RABBITMQ / $HVMIRROR_TEST_RABBITMQ_MANAGEMENT if set, else
# private servers from scripts/infra/*.sh (stopped at the end). Needs ~4 x count x SIZE of free disk.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
. benchmarks/lib.sh   # bench_servers
COUNT="${1:-100000}"
SIZE="${SIZE:-40000}"                         # bytes per file (small: a campaign is many files, not many bytes)
FETCHERS="${FETCHERS:-1 2 4}"                 # one row per entry
DOWNLOADS="${DOWNLOADS:-16}"                  # HvMirror:Fetcher:ConcurrentDownloads (the hosts' default)
POLL_INTERVAL="${POLL_INTERVAL:-00:00:05}"
SPREAD_US="${SPREAD_US:-1000}"                # microseconds between two reprocessed rows' ingested_at
DATASETS="${DATASETS:-AIA_171,AIA_193,AIA_304,AIA_1600}"
INGEST_PROBE="${INGEST_PROBE:-500}"           # reprocessed files registered with `hvmirror ingest`, for its rate (0: skip)
TIMEOUT="${TIMEOUT:-1800}"                    # seconds one row may take to drain
MAX_IN_FLIGHT="${MAX_IN_FLIGHT:-}"            # HvMirror:Poller:MaxFilesInFlight (unset: the hosts' own, 10,000)
[ -n "$MAX_IN_FLIGHT" ] && export HvMirror__Poller__MaxFilesInFlight="$MAX_IN_FLIGHT"
WORK="${TMPDIR:-/tmp}/hvmirror-bench-campaign"
LOGS="$WORK/logs"
log() { echo "[campaign-bench $(date +%T)] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# --- processes and servers we start, cleaned up on any exit -------------------------------------------------------
PIDS=(); PG_URI=""; RMQ_MGMT=""; OWN_INFRA=(); DBS=(); VHOSTS=()
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
        rm -rf "$WORK"/v1 "$WORK"/v2 "$WORK"/base "$WORK"/primary "$WORK"/run "$WORK"/bin "$WORK"/probe 2>/dev/null || true
        log "logs and CSVs kept in $LOGS"
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
HV_NAME=campaign-bench
. scripts/infra/lib.sh   # hv_free_port
export Logging__Console__FormatterOptions__TimestampFormat="HH:mm:ss.fff "
now_ns() { date +%s%N; }
secs_since() { python3 -c "print(f'{($(now_ns)-$1)/1e9:.1f}')"; }
wait_http() { local i; for i in $(seq 1 $(($2 * 10))); do curl -sf -o /dev/null "$1" && return 0; sleep 0.1; done; die "$3 did not answer at $1 within $2 s"; }
vmhwm_mib() { awk '/VmHWM/ { printf "%d\n", $2 / 1024 }' "/proc/$1/status" 2>/dev/null || echo "?"; }

# --- tools and builds ---------------------------------------------------------------------------------------------
bench_need sqlite3
bench_need psql postgresql-client
rm -rf "$WORK" && mkdir -p "$LOGS" "$WORK/bin"
bench_publish "$WORK/bin" Cli Poller Comparer Fetcher
HV=$WORK/bin/Cli/hvmirror
POLLER_DLL=$WORK/bin/Poller/HvMirror.Poller.Host.dll
COMPARER_DLL=$WORK/bin/Comparer/HvMirror.Comparer.Host.dll
FETCHER_DLL=$WORK/bin/Fetcher/HvMirror.Fetcher.Host.dll

# --- servers ------------------------------------------------------------------------------------------------------
bench_servers "/tmp/hvmirror-infra/bench-campaign-$$"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

# --- the files: both versions, laid out as the archive ------------------------------------------------------------
log "generating $COUNT files of $SIZE bytes ($DATASETS), and the same names with other bytes"
"$HV" sample --out "$WORK/v1" --count "$COUNT" --size "$SIZE" --datasets "$DATASETS" >/dev/null
"$HV" sample --out "$WORK/v2" --count "$COUNT" --size "$SIZE" --datasets "$DATASETS" --variant reprocessed >/dev/null
# The archive layout hvmirror ingest uses, learnt from one file (checked against what the seeding below computes).
first=$(ls "$WORK/v1" | awk "NR == 1")   # (awk reads all: no SIGPIPE under pipefail)
mkdir -p "$WORK/probe/one" && cp "$WORK/v1/$first" "$WORK/probe/one/"
"$HV" ingest "$WORK/probe/one" --archive "$WORK/probe/layout" >/dev/null 2>&1 || die "ingest of one sample file failed"
layout_path=$(sqlite3 "$WORK/probe/layout/.hvmirror/catalog.db" "select archive_path from files")
# Time `hvmirror ingest` of reprocessed files, for the comparison with the SQL update (a scratch archive).
INGEST_RATE="not measured"
if [ "$INGEST_PROBE" -gt 0 ]; then
    mkdir -p "$WORK/probe/a" "$WORK/probe/b"
    ls "$WORK/v1" | awk -v n="$INGEST_PROBE" "NR <= n" | while read -r f; do cp "$WORK/v1/$f" "$WORK/probe/a/"; cp "$WORK/v2/$f" "$WORK/probe/b/"; done
    "$HV" ingest "$WORK/probe/a" --archive "$WORK/probe/archive" >"$LOGS/probe-ingest-v1.log" 2>&1 || die "probe ingest failed"
    t=$(now_ns)
    "$HV" ingest "$WORK/probe/b" --archive "$WORK/probe/archive" >"$LOGS/probe-ingest-v2.log" 2>&1 || die "probe re-ingest failed"
    s=$(secs_since "$t")
    INGEST_RATE="$(python3 -c "print(f'{$INGEST_PROBE/$s:,.0f}')") files/s ($INGEST_PROBE reprocessed files in $s s, \`hvmirror ingest\`, --parallel 2)"
    log "hvmirror ingest: $INGEST_RATE"
fi
rm -rf "$WORK/probe"

# One CSV row per name: name, dataset, archive path, size and checksum of each version, observation time. The first
# version is moved into the seed archive ($WORK/base); the second stays in $WORK/v2 for the campaign.
log "laying out the seed archive and hashing both versions"
python3 - "$WORK" "$layout_path" "$first" <<'EOF' >"$WORK/rows.csv"
import calendar, hashlib, os, re, sys, time
work, layout_path, first = sys.argv[1:4]
name_re = re.compile(r'^(\d{4})_(\d\d)_(\d\d)__(\d\d)_(\d\d)_(\d\d)_(\d{3})__SDO_AIA_AIA_(\d+)\.jp2$')
def sha(p):
    with open(p, 'rb') as f: return 'sha256:' + hashlib.sha256(f.read()).hexdigest()
made = set()
for name in sorted(os.listdir(f'{work}/v1')):
    m = name_re.match(name)
    if not m: sys.exit(f'unexpected sample name {name} (DATASETS must be AIA sources)')
    y, mo, d, h, mi, s, ms, wl = m.groups()
    path = f'AIA/{y}/{mo}/{d}/{wl}/{name}'
    if name == first and path != layout_path: sys.exit(f'layout differs from hvmirror ingest: {path} vs {layout_path}')
    observed = calendar.timegm((int(y), int(mo), int(d), int(h), int(mi), int(s))) * 1_000_000 + int(ms) * 1000
    v1, v2 = f'{work}/v1/{name}', f'{work}/v2/{name}'
    c1, c2, s1, s2 = sha(v1), sha(v2), os.path.getsize(v1), os.path.getsize(v2)
    if c1 == c2: sys.exit(f'--variant reprocessed gave {name} the same bytes')
    dest = f'{work}/base/{path}'
    folder = os.path.dirname(dest)
    if folder not in made: os.makedirs(folder, exist_ok=True); made.add(folder)
    os.rename(v1, dest)
    print(f'{name},AIA_{wl},{path},{s1},{c1},{observed},{s2},{c2}')
EOF
[ "$(wc -l <"$WORK/rows.csv")" = "$COUNT" ] || die "expected $COUNT rows, got $(wc -l <"$WORK/rows.csv")"

# --- the primary in sync: SQLite rows of the first version, registered a day ago, 1 ms apart ----------------------
NOW_US=$(( $(date +%s) * 1000000 ))
T0_US=$(( NOW_US - 86400 * 1000000 - COUNT * 1000 ))   # the first version's rows: [T0, T0 + COUNT ms)
mkdir -p "$WORK/primary"
cp -al "$WORK/base/." "$WORK/primary/"
"$HV" migrate --archive "$WORK/primary" >/dev/null
sqlite3 "$WORK/primary/.hvmirror/catalog.db" <<SQL
CREATE TEMP TABLE r (name TEXT, dataset TEXT, archive_path TEXT, size1 INTEGER, checksum1 TEXT, observed INTEGER, size2 INTEGER, checksum2 TEXT);
.mode csv
.import $WORK/rows.csv r
INSERT INTO files (name, dataset, archive_path, size, checksum, observed_at, ingested_at)
SELECT name, dataset, archive_path, size1, checksum1, observed, $T0_US + rowid * 1000 FROM r ORDER BY rowid;
INSERT OR REPLACE INTO datasets (id, last_ingested_at) SELECT dataset, max(ingested_at) FROM files GROUP BY dataset;
SQL
"$HV" migrate --archive "$WORK/primary" --rebuild-summaries >/dev/null

# --- the mirror in sync: a PostgreSQL seed database, copied for each row ------------------------------------------
ID="bench_campaign_$$"
SEED="${ID}_seed"
psql "$PG_URI/postgres" -qc "CREATE DATABASE $SEED" >/dev/null; DBS+=("$SEED")
"$HV" migrate --catalog "$HVMIRROR_TEST_POSTGRES;Database=$SEED" >"$LOGS/seed-migrate.log" 2>&1 || die "migrate failed: $LOGS/seed-migrate.log"
sqlite3 -csv "$WORK/primary/.hvmirror/catalog.db" "select name, dataset, archive_path, size, checksum, observed_at, ingested_at from files" >"$WORK/primary-rows.csv"
psql "$PG_URI/$SEED" -q -v ON_ERROR_STOP=1 <<SQL
CREATE TEMP TABLE r (name text, dataset text, archive_path text, size bigint, checksum text, observed bigint, ingested bigint);
\copy r FROM '$WORK/primary-rows.csv' WITH (FORMAT csv)
INSERT INTO files (name, dataset, archive_path, size, checksum, observed_at, ingested_at, upstream, upstream_ingested_at)
SELECT name, dataset, archive_path, size, checksum, to_timestamp(observed / 1e6), to_timestamp(ingested / 1e6), 'primary', to_timestamp(ingested / 1e6)
FROM r ORDER BY ingested;
INSERT INTO datasets (id, last_ingested_at) SELECT dataset, to_timestamp(max(ingested) / 1e6) FROM r GROUP BY dataset;
INSERT INTO mirror_cursors (upstream, dataset, position, updated_at) SELECT 'primary', dataset, to_timestamp(max(ingested) / 1e6), now() FROM r GROUP BY dataset;
ANALYZE;
SQL
"$HV" migrate --catalog "$HVMIRROR_TEST_POSTGRES;Database=$SEED" --rebuild-summaries >>"$LOGS/seed-migrate.log" 2>&1 || die "rebuild-summaries failed"
rm -f "$WORK/primary-rows.csv"

# --- the campaign on the primary: new bytes under the same names, the rows changed in bulk ------------------------
# New ingested_at: after every first-version row (so after the mirror's cursor), SPREAD_US apart, ending before now.
T1_US=$(( $(date +%s) * 1000000 - COUNT * SPREAD_US - 5000000 ))
log "the campaign: replacing $COUNT files on the primary and updating their rows"
t=$(now_ns)
python3 - "$WORK" <<'EOF'
import csv, os, sys
work = sys.argv[1]
for name, _, path, *_ in csv.reader(open(f'{work}/rows.csv')):
    os.rename(f'{work}/v2/{name}', f'{work}/primary/{path}')   # a new inode: the seed archive keeps the first version
EOF
FILES_S=$(secs_since "$t")
t=$(now_ns)
sqlite3 "$WORK/primary/.hvmirror/catalog.db" <<SQL
CREATE TEMP TABLE r (name TEXT PRIMARY KEY, dataset TEXT, archive_path TEXT, size1 INTEGER, checksum1 TEXT, observed INTEGER, size2 INTEGER, checksum2 TEXT);
.mode csv
.import $WORK/rows.csv r
BEGIN;
UPDATE files SET checksum = r.checksum2, size = r.size2, ingested_at = $T1_US + r.rowid * $SPREAD_US FROM r WHERE r.name = files.name;
UPDATE datasets SET last_ingested_at = (SELECT max(ingested_at) FROM files WHERE files.dataset = datasets.id);
COMMIT;
SQL
SQL_S=$(secs_since "$t")
t=$(now_ns)
"$HV" migrate --archive "$WORK/primary" --rebuild-summaries >/dev/null
SUMMARY_S=$(secs_since "$t")
changed=$(sqlite3 "$WORK/primary/.hvmirror/catalog.db" "select count(*) from files where ingested_at >= $T1_US")
[ "$changed" = "$COUNT" ] || die "the campaign changed $changed rows, not $COUNT"
log "campaign: files renamed in $FILES_S s, rows updated in $SQL_S s, summaries rebuilt in $SUMMARY_S s"
rm -rf "$WORK/v2"
T1_SQL="to_timestamp($T1_US / 1e6)"
sync

# --- one row: the mirror, in sync, catches up the campaign with K fetchers ----------------------------------------
host() { cd "$(dirname "$1")" && exec env "${@:2}" dotnet "$1"; }   # dll VAR=value...: a host in its own folder
ROWS=()
run_row() { # fetchers
    local k=$1 label="fetchers-$1" db="${ID}_$1" vh="${ID}_$1"
    log "$k fetcher(s): preparing"
    local port; port=$(hv_free_port)
    start_bg "$LOGS/$label-primary.log" "$HV" serve --archive "$WORK/primary" --urls "http://127.0.0.1:$port"
    local primary=$BG primary_url="http://127.0.0.1:$port"
    wait_http "$primary_url/hapi/capabilities" 60 "the primary"
    find "$WORK/primary" -name '*.jp2' -print0 | xargs -0 cat >/dev/null   # its files in the page cache
    psql "$PG_URI/postgres" -qc "CREATE DATABASE $db TEMPLATE $SEED" >/dev/null || die "could not copy the seed database"
    DBS+=("$db")
    curl -sf -o /dev/null -X PUT "$RMQ_MGMT/api/vhosts/$vh" || die "could not create vhost $vh"
    VHOSTS+=("$vh")
    curl -sf -o /dev/null -X PUT -H 'content-type: application/json' -d '{"configure":".*","write":".*","read":".*"}' \
        "$RMQ_MGMT/api/permissions/$vh/$RMQ_USER" || die "could not grant $RMQ_USER on vhost $vh"
    rm -rf "$WORK/run" && mkdir -p "$WORK/run" && cp -al "$WORK/base" "$WORK/run/mirror"
    sync
    local catalog="$HVMIRROR_TEST_POSTGRES;Database=$db"
    local env=(
        "ConnectionStrings__Catalog=$catalog"
        "ConnectionStrings__RabbitMq=${HVMIRROR_TEST_RABBITMQ%/}/$vh"
        "HvMirror__Archive=$WORK/run/mirror"
        "HvMirror__Upstreams__0__Name=primary"
        "HvMirror__Upstreams__0__Url=$primary_url/hapi"
        "HvMirror__Upstreams__0__Datasets__0=*"
        "HvMirror__Upstreams__0__PollInterval=$POLL_INTERVAL"
        "HvMirror__Fetcher__ConcurrentDownloads=$DOWNLOADS"
        "DOTNET_ENVIRONMENT=Production"
    )
    port=$(hv_free_port)
    start_bg "$LOGS/$label-comparer.log" host "$COMPARER_DLL" "${env[@]}" ASPNETCORE_URLS="http://127.0.0.1:$port"
    local comparer=$BG fetchers=() i health=("http://127.0.0.1:$port/health/live")
    for i in $(seq 1 "$k"); do
        port=$(hv_free_port)
        start_bg "$LOGS/$label-fetcher-$i.log" host "$FETCHER_DLL" "${env[@]}" ASPNETCORE_URLS="http://127.0.0.1:$port"
        fetchers+=("$BG"); health+=("http://127.0.0.1:$port/health/live")
    done
    local h; for h in "${health[@]}"; do wait_http "$h" 120 "a $label host"; done
    for i in $(seq 1 600); do
        curl -sf "$RMQ_MGMT/api/queues/$vh" | python3 -c '
import json, sys
queues = {q["name"]: q.get("consumers", 0) for q in json.load(sys.stdin)}
sys.exit(0 if queues.get("file-announced", 0) >= 1 and queues.get("file-needed", 0) >= int(sys.argv[1]) else 1)' "$k" && break
        [ "$i" = 600 ] && die "the queues file-announced / file-needed never got their consumers (vhost $vh)"
        sleep 0.2
    done
    sleep 2   # idle: the RSS of the hosts before the campaign reaches them
    local idle_c idle_f
    idle_c=$(awk '/VmRSS/ { printf "%d", $2 / 1024 }' /proc/$comparer/status)
    idle_f=$(for f in "${fetchers[@]}"; do awk '/VmRSS/ { printf "%d\n", $2 / 1024 }' /proc/$f/status; done | paste -sd/)

    log "$k fetcher(s): starting the poller"
    port=$(hv_free_port)
    local t0; t0=$(now_ns)
    start_bg "$LOGS/$label-poller.log" host "$POLLER_DLL" "${env[@]}" ASPNETCORE_URLS="http://127.0.0.1:$port"
    local poller=$BG
    # The sampler: every second until every row is refetched (or TIMEOUT), one CSV line.
    python3 - "$LOGS/$label.csv" "$RMQ_MGMT" "$vh" "$PG_URI/$db" "$T1_US" "$COUNT" "$TIMEOUT" "$t0" "$poller" "$comparer" "${fetchers[@]}" <<'EOF' || log "the sampler stopped with an error"
import base64, json, subprocess, sys, time, urllib.parse as up, urllib.request as ur
out, mgmt, vh, pg, t1_us, count, timeout, t0 = sys.argv[1:9]
count, timeout, t0 = int(count), float(timeout), int(t0) / 1e9
pids = sys.argv[9:]
parts = up.urlsplit(mgmt)
auth = base64.b64encode(f"{up.unquote(parts.username or 'guest')}:{up.unquote(parts.password or 'guest')}".encode()).decode()
base = f"{parts.scheme}://{parts.hostname}:{parts.port}"
def queues():
    req = ur.Request(f"{base}/api/queues/{up.quote(vh, safe='')}?columns=name,messages,messages_ready,messages_unacknowledged,message_stats",
                     headers={"Authorization": "Basic " + auth})
    return {q["name"]: q for q in json.load(ur.urlopen(req, timeout=5))}
def rss(pid):
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmRSS:"): return int(line.split()[1]) // 1024
    except OSError: return ""
psql = subprocess.Popen(["psql", pg, "-qtA", "-v", "ON_ERROR_STOP=1"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
def refetched():
    psql.stdin.write(f"select count(*) from files where upstream_ingested_at >= to_timestamp({t1_us} / 1e6);\n"); psql.stdin.flush()
    return int(psql.stdout.readline())
names = ["poller", "comparer"] + [f"fetcher_{i + 1}" for i in range(len(pids) - 2)]
with open(out, "w") as f:
    f.write("t,announced_published,needed_published,needed_messages,needed_ready,needed_unacked,refetched," + ",".join(f"rss_{n}_mib" for n in names) + "\n")
    while True:
        now = time.time()
        try: q = queues()
        except Exception: q = {}
        a, n = q.get("file-announced", {}), q.get("file-needed", {})
        pub = lambda x: (x.get("message_stats") or {}).get("publish", 0)
        done = refetched()
        f.write(f"{now - t0:.1f},{pub(a)},{pub(n)},{n.get('messages', '')},{n.get('messages_ready', '')},{n.get('messages_unacknowledged', '')},{done},"
                + ",".join(str(rss(p)) for p in pids) + "\n"); f.flush()
        if done >= count or now - t0 > timeout: break
        time.sleep(max(0.0, 1.0 - (time.time() - now)))
EOF
    local drained; drained=$(secs_since "$t0")
    local hwm_p hwm_c hwm_f
    hwm_p=$(vmhwm_mib "$poller"); hwm_c=$(vmhwm_mib "$comparer")
    hwm_f=$(for f in "${fetchers[@]}"; do vmhwm_mib "$f"; done | paste -sd/)
    curl -s "$RMQ_MGMT/api/queues/$vh" >"$LOGS/$label-queues.json" || true
    local n; n=$(psql "$PG_URI/$db" -qtAc "select count(*) from files where upstream_ingested_at >= $T1_SQL")
    stop_bg "$poller" "${fetchers[@]}" "$comparer" "$primary"
    local errors; errors=$(cat "$LOGS/$label"-{poller,comparer,fetcher-*}.log | grep -ciE '(^|[^a-z])(fail|error|exception|crit)' || true)
    # A summary of the CSV: when everything was announced, the queue's peak, drain rate, poller RSS while announcing.
    local summary
    summary=$(python3 - "$LOGS/$label.csv" "$COUNT" "$k" "$n" <<'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1]))); count, k, n = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
f = lambda r, c: float(r[c]) if r[c] not in ("", None) else 0.0
announced = next((f(r, "t") for r in rows if f(r, "announced_published") >= count), None)
first = next((f(r, "t") for r in rows if f(r, "refetched") > 0), None)
drained = next((f(r, "t") for r in rows if f(r, "refetched") >= count), None)
peak = max(rows, key=lambda r: f(r, "needed_messages"))
# Drain rate in the steady middle (10 % .. 90 % refetched), per second.
a = next((r for r in rows if f(r, "refetched") >= 0.1 * count), None); b = next((r for r in rows if f(r, "refetched") >= 0.9 * count), None)
rate = (f(b, "refetched") - f(a, "refetched")) / (f(b, "t") - f(a, "t")) if a and b and f(b, "t") > f(a, "t") else None
# Poller RSS: from its first announcement to the last one.
win = [f(r, "rss_poller_mib") for r in rows if f(r, "announced_published") > 0 and (announced is None or f(r, "t") <= announced) and r["rss_poller_mib"]]
fmt = lambda x, u=" s": "–" if x is None else f"{x:,.0f}{u}"
print("|".join([
    fmt(announced), f"{f(peak, 'needed_messages'):,.0f} at {f(peak, 't'):,.0f} s", fmt(first), fmt(drained) if n >= count else f"did not finish ({n:,} of {count:,})",
    fmt(rate, "/s"), fmt(rate / k if rate else None, "/s"),
    (f"{min(win):.0f} → {max(win):.0f} MiB (last {win[-1]:.0f})" if win else "–")]))
EOF
)
    IFS='|' read -r announced peak first drain rate per poller_rss <<<"$summary"
    ROWS+=("| $k | $announced | $peak | $first | $drain | $rate | $per | $poller_rss | $hwm_p MiB | $hwm_c MiB | $idle_f → $hwm_f | $errors |")
    log "$k fetcher(s): drained in $drain (${drained} s of sampling); $errors error/exception lines in the hosts' logs"
    psql "$PG_URI/postgres" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
    curl -s -o /dev/null -X DELETE "$RMQ_MGMT/api/vhosts/$vh" || true
    rm -rf "$WORK/run"; sync
}
for k in $FETCHERS; do run_row "$k"; done

# --- the table ----------------------------------------------------------------------------------------------------
echo
echo "Reprocessing campaign: $(python3 -c "print(f'{$COUNT:,}')") files x $SIZE bytes ($DATASETS) changed on a primary on loopback, a distributed mirror in sync before; $(nproc) cores; $DOWNLOADS downloads at once per fetcher; poll interval $POLL_INTERVAL; poller MaxFilesInFlight ${MAX_IN_FLIGHT:-10,000 (default)}"
echo
echo "(load average before / after: $LOAD_BEFORE / $(cut -d' ' -f1-3 /proc/loadavg): other work on this machine shares its cores)"
echo
echo "The campaign on the primary: $COUNT files renamed into place in $FILES_S s; rows updated by one SQL UPDATE in $SQL_S s (+ day summaries rebuilt in $SUMMARY_S s); for comparison \`hvmirror ingest\` of reprocessed files: $INGEST_RATE."
echo
echo "| fetchers | all announced | file-needed peak depth | first refetched | drained | drain rate | per fetcher | poller RSS while announcing | poller peak | comparer peak | fetcher RSS idle → peak (MiB) | error lines |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
printf '%s\n' "${ROWS[@]}"
echo
echo "Times from starting the poller (the comparer and fetchers already consuming). Per-second samples: $LOGS/fetchers-K.csv (kept with KEEP=1)."
