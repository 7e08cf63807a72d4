#!/usr/bin/env bash
# Two builds of `hvmirror` side by side on one primary, their runs alternating: on this shared, noisy box a change's
# effect shows in one run of this, not in two runs of a benchmark hours apart (the figures under the README's
# performance table: an in-sync `mirror --once` 1.43 -> 1.29 -> 1.16 s; 6,000 x 70 KB into an empty archive).
#
#   benchmarks/side-by-side/run.sh BASE_REV [RUNS]         (RUNS: runs of each build, default 8)
#
# BASE_REV is published from a git worktree of it, the other build from the working tree as it is; both ReadyToRun,
# as the Dockerfiles publish (bench_publish). COUNT files of SIZE bytes of DATASET (default 50 x 100,000 of AIA_171)
# are ingested into a primary that `hvmirror serve` answers on loopback (warmed by one sync before the runs).
# IN_SYNC=1 (default): every run is an in-sync `mirror --once` of one mirror (start-up, poll, comparison, exit).
# IN_SYNC=0: every run mirrors all the files into an empty archive (the per-file path). Prints each run's wall and
# user CPU seconds, then each build's mean. KEEP=1 keeps the work folder.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
. benchmarks/lib.sh
log() { echo "[side-by-side $(date +%T)] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }
[ $# -ge 1 ] || die "usage: benchmarks/side-by-side/run.sh BASE_REV [RUNS]"
BASE=$1; RUNS=${2:-8}
COUNT=${COUNT:-50}; SIZE=${SIZE:-100000}; DATASET=${DATASET:-AIA_171}; IN_SYNC=${IN_SYNC:-1}
git rev-parse --verify -q "$BASE^{commit}" >/dev/null || die "$BASE is not a commit of this repository"
WORK="${TMPDIR:-/tmp}/hvmirror-bench-side-by-side-$$"
SERVER=""
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    [ -n "$SERVER" ] && { kill "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null || true; }
    git worktree remove --force "$WORK/base-tree" >/dev/null 2>&1 || true
    if [ "${KEEP:-}" = 1 ] || [ $rc -ne 0 ]; then log "work folder kept: $WORK"; else rm -rf "$WORK"; fi
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM
bench_need /usr/bin/time time

mkdir -p "$WORK"
git worktree add --detach "$WORK/base-tree" "$BASE" >/dev/null 2>&1 || die "could not check out $BASE"
(cd "$WORK/base-tree" && bench_publish "$WORK/base" Cli)
bench_publish "$WORK/this" Cli
declare -A BUILD=([base]="$WORK/base/Cli/hvmirror" [this]="$WORK/this/Cli/hvmirror")

log "$COUNT files of $SIZE bytes of $DATASET into the primary"
"${BUILD[this]}" sample --out "$WORK/files" --count "$COUNT" --datasets "$DATASET" --size "$SIZE" >/dev/null
"${BUILD[this]}" ingest "$WORK/files" --archive "$WORK/primary" >/dev/null
port=$((30000 + RANDOM % 10000))
"${BUILD[this]}" serve --archive "$WORK/primary" --urls "http://127.0.0.1:$port" >"$WORK/serve.log" 2>&1 &
SERVER=$!
for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$port/hapi/capabilities" && break; sleep 0.2; done
"${BUILD[this]}" mirror --from "http://127.0.0.1:$port/hapi" --name primary --archive "$WORK/synced" --once >"$WORK/first-sync.log" \
    || die "the first sync failed: $(tail -1 "$WORK/first-sync.log")"

printf '%-6s %-4s %8s %8s\n' build run wall user
for run in $(seq "$RUNS"); do
    for build in base this; do
        archive="$WORK/synced"
        [ "$IN_SYNC" = 1 ] || archive="$WORK/run-$build-$run"
        /usr/bin/time -f '%e %U' -o "$WORK/time" "${BUILD[$build]}" mirror --from "http://127.0.0.1:$port/hapi" --name primary \
            --archive "$archive" --once >"$WORK/$build-$run.log" || die "$build, run $run failed: $(tail -1 "$WORK/$build-$run.log")"
        read -r wall user <"$WORK/time"
        printf '%-6s %-4s %8s %8s\n' "$build" "$run" "$wall" "$user"
        [ "$IN_SYNC" = 1 ] || rm -rf "$archive"
    done
done | tee "$WORK/runs.txt"
awk '{ wall[$1] += $3; user[$1] += $4; n[$1]++ }
     END { for (b in n) printf "%s (%s): mean wall %.2f s, user CPU %.2f s over %d runs\n", b, b == "base" ? "'"$BASE"'" : "working tree", wall[b] / n[b], user[b] / n[b], n[b] }' \
    "$WORK/runs.txt"
