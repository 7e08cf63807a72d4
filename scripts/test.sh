#!/usr/bin/env bash
# Runs every test of the solution against real PostgreSQL, RabbitMQ and MariaDB servers:
#
#   ./scripts/test.sh                         # all tests
#   ./scripts/test.sh --filter "FullyQualifiedName~Catalog"   # extra arguments go to `dotnet test`
#
# Servers: HVMIRROR_TEST_POSTGRES (an Npgsql connection string for a role that may CREATE DATABASE)
# and HVMIRROR_TEST_RABBITMQ (amqp://user:pass@host:port/, with HVMIRROR_TEST_RABBITMQ_MANAGEMENT
# http://user:pass@host:port) and HVMIRROR_TEST_MARIADB (a MySqlConnector connection string of a user that
# may CREATE DATABASE) when set; otherwise this script installs (apt) and starts private
# instances for the run with scripts/infra/*.sh, and stops them at the end.
#
# Its last line is the total over all test projects, `N passed, N failed` (`, N skipped` when
# some were); it exits non-zero when a test failed, a test project did not run, or the build failed.
# Knobs: CONFIGURATION (Debug), HVMIRROR_TEST_RESULTS (artifacts/test-results: the .trx files),
# HVMIRROR_TEST_HANG_TIMEOUT (20m: a test host silent that long is killed and counted as failed).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

CONFIGURATION="${CONFIGURATION:-Debug}"
RESULTS="${HVMIRROR_TEST_RESULTS:-$PWD/artifacts/test-results}"
HANG_TIMEOUT="${HVMIRROR_TEST_HANG_TIMEOUT:-20m}"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

say() { echo "[test.sh] $*"; }

rm -rf "$RESULTS"
mkdir -p "$RESULTS"

# --- Tools the tests call: opj_decompress proves the sample JP2 files decode ------------------
# kubectl renders the Kustomize overlays (offline); node and npm run the Kubernetes schema validators.
tools=()
command -v opj_decompress >/dev/null || tools+=(libopenjp2-tools)
command -v kubectl >/dev/null || tools+=(kubernetes-client)
command -v npm >/dev/null || tools+=(nodejs npm)
command -v chromium >/dev/null || tools+=(chromium)   # the status page's browser tests (StatusPageBrowserTests)
if [ ${#tools[@]} -gt 0 ]; then
    (HV_NAME=tools; . scripts/infra/lib.sh; hv_apt_install "${tools[@]}") || { say "error: could not install ${tools[*]}"; exit 1; }
fi

# --- Servers: from the environment, or our own for this run (started while the build runs) ------
OWN_INFRA=()
[ -z "${HVMIRROR_TEST_POSTGRES:-}" ] && OWN_INFRA+=(postgres)
[ -z "${HVMIRROR_TEST_RABBITMQ:-}" ] && OWN_INFRA+=(rabbitmq)
[ -z "${HVMIRROR_TEST_MARIADB:-}" ] && OWN_INFRA+=(mariadb)
export HVMIRROR_INFRA_DIR="/tmp/hvmirror-infra/test-$$"   # private to this run: a parallel run keeps its own
INFRA_ENV="$RESULTS/infra.env"
INFRA_LOG="$RESULTS/infra.log"
infra_pid=""
stopped=""

stop_infra() {
    [ -n "$stopped" ] && return 0
    stopped=1
    [ -n "$infra_pid" ] && wait "$infra_pid" 2>/dev/null   # a start under way: let it finish, then stop
    local name
    for name in "${OWN_INFRA[@]}"; do
        scripts/infra/$name.sh stop >>"$INFRA_LOG" 2>&1 || say "could not stop $name: read $INFRA_LOG"
    done
    rm -rf "$HVMIRROR_INFRA_DIR"
}
trap stop_infra EXIT
trap 'exit 130' INT TERM

if [ ${#OWN_INFRA[@]} -gt 0 ]; then
    say "starting ${OWN_INFRA[*]} for this run (state in $HVMIRROR_INFRA_DIR)"
    # One after the other: both may need apt-get, which must not run twice at once.
    ( for name in "${OWN_INFRA[@]}"; do scripts/infra/$name.sh start || exit 1; done ) >"$INFRA_ENV" 2>"$INFRA_LOG" &
    infra_pid=$!
else
    say "using the servers of HVMIRROR_TEST_POSTGRES and HVMIRROR_TEST_RABBITMQ"
fi

# --- Build --------------------------------------------------------------------------------------
say "building HvMirror.sln ($CONFIGURATION)"
dotnet build HvMirror.sln -c "$CONFIGURATION" -v:minimal -nologo
build_rc=$?
[ $build_rc -ne 0 ] && say "THE BUILD FAILED (exit $build_rc): the errors are above; running the tests of the projects that built"

if [ -n "$infra_pid" ]; then
    wait "$infra_pid"
    infra_rc=$?
    infra_pid=""
    cat "$INFRA_LOG"
    if [ $infra_rc -ne 0 ]; then
        # The servers' state goes at exit: keep their logs with the test results.
        mkdir -p "$RESULTS/infra-logs"
        find "$HVMIRROR_INFRA_DIR" -name '*.log' -exec cp --parents {} "$RESULTS/infra-logs/" \; 2>/dev/null
        say "could not start the test servers (above: what failed); their logs are kept in $RESULTS/infra-logs$HVMIRROR_INFRA_DIR"
        echo "error: no tests ran, the test servers did not start"
        exit 1
    fi
    . "$INFRA_ENV"
fi

# --- Test ---------------------------------------------------------------------------------------
say "dotnet test (results in $RESULTS)"
dotnet test HvMirror.sln -c "$CONFIGURATION" --no-build --results-directory "$RESULTS" --logger trx \
    --blame-hang-timeout "$HANG_TIMEOUT" --blame-hang-dump-type none "$@"
test_rc=$?
stop_infra

# --- Totals over all the .trx files ---------------------------------------------------------------
passed=0 failed=0 skipped=0 files=0
counter() { local v; v=$(grep -o " $1=\"[0-9]*\"" <<<"$2" | head -n 1 | tr -dc '0-9'); echo "${v:-0}"; }
while IFS= read -r -d '' trx; do
    files=$((files + 1))
    c=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
    passed=$((passed + $(counter passed "$c")))
    failed=$((failed + $(counter failed "$c") + $(counter error "$c") + $(counter timeout "$c") + $(counter aborted "$c")))
    # Skipped tests: results with outcome NotExecuted (the notExecuted counter stays 0 for them).
    skipped=$((skipped + $(grep -o '<UnitTestResult [^>]*>' "$trx" | grep -c 'outcome="NotExecuted"')))
done < <(find "$RESULTS" -name '*.trx' -print0)

summary="$passed passed, $failed failed"
[ $skipped -gt 0 ] && summary="$summary, $skipped skipped"

if [ $build_rc -ne 0 ]; then
    say "test results of the projects that built: $summary ($files test projects reported)"
    echo "error: the build failed (see the compiler errors above); not all tests could run"
    exit 1
fi
if [ $files -eq 0 ]; then
    echo "error: dotnet test exited with $test_rc and no test project reported results (see above)"
    exit 1
fi
if [ $test_rc -ne 0 ] && [ $failed -eq 0 ]; then
    say "dotnet test exited with $test_rc although no test failed: a test host crashed or a test project could not run (see above)"
    echo "$summary"
    exit 1
fi
echo "$summary"
[ $failed -eq 0 ] && [ $test_rc -eq 0 ]
