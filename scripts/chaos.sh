#!/usr/bin/env bash
# The chaos run of issue 4 at a chosen size: four local nodes, concurrent clients running map jobs over the
# job WebSocket, and a worker killed with kill -9 and restarted every few seconds (ChaosIT). Prints the
# summary table and exits non-zero when any job was lost, answered twice, left without a definite status,
# or completed with a wrong result.
#   scripts/chaos.sh [JOBS] [CLIENTS]        defaults: 300 jobs, 8 clients, parts of 500 ms
#   scripts/chaos.sh --coordinators [JOBS] [CLIENTS]
#                      async jobs, and ANY node killed, coordinators included (CoordinatorChaosIT);
#                      defaults: 200 jobs, 6 clients, parts of 400 ms
# Environment: CHAOS_PARTS, CHAOS_PART_MS, CHAOS_KILL_EVERY_MS, CHAOS_WORKER_THREADS, CHAOS_SEED (see ChaosIT).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TEST=ChaosIT
SUMMARY_NAME=chaos-summary.txt
DEFAULT_JOBS=300
DEFAULT_CLIENTS=8
DEFAULT_PART_MS=500
if [ "${1:-}" = "--coordinators" ]; then
  shift
  TEST=CoordinatorChaosIT
  SUMMARY_NAME=coordinator-chaos-summary.txt
  DEFAULT_JOBS=200
  DEFAULT_CLIENTS=6
  DEFAULT_PART_MS=400
fi
JOBS="${1:-${CHAOS_JOBS:-$DEFAULT_JOBS}}"
CLIENTS="${2:-${CHAOS_CLIENTS:-$DEFAULT_CLIENTS}}"

java_major() { "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | cut -d. -f1; }
if [ -z "${JAVA_HOME:-}" ] || [ "$(java_major "$JAVA_HOME/bin/java" || echo 0)" -lt 25 ]; then
  for dir in /usr/lib/jvm/*25*; do
    if [ -x "$dir/bin/java" ]; then export JAVA_HOME="$dir"; break; fi
  done
fi

props=(-Dchaos.jobs="$JOBS" -Dchaos.clients="$CLIENTS")
[ -n "${CHAOS_PARTS:-}" ] && props+=(-Dchaos.parts="$CHAOS_PARTS")
props+=(-Dchaos.partMs="${CHAOS_PART_MS:-$DEFAULT_PART_MS}")
[ -n "${CHAOS_KILL_EVERY_MS:-}" ] && props+=(-Dchaos.killEveryMs="$CHAOS_KILL_EVERY_MS")
[ -n "${CHAOS_WORKER_THREADS:-}" ] && props+=(-Dchaos.workerThreads="$CHAOS_WORKER_THREADS")
[ -n "${CHAOS_SEED:-}" ] && props+=(-Dchaos.seed="$CHAOS_SEED")

SUMMARY="$ROOT/target/$SUMMARY_NAME"
LOG="$ROOT/target/chaos-mvn.log"
mkdir -p "$ROOT/target"
rm -f "$SUMMARY"
echo "chaos: $JOBS jobs from $CLIENTS clients (mvn output in target/chaos-mvn.log) ..." >&2
status=0
(cd "$ROOT" && mvn -B -ntp verify -Dtest=NoSuchTest -Dsurefire.failIfNoSpecifiedTests=false -Dit.test="$TEST" \
  "${props[@]}") >"$LOG" 2>&1 || status=$?

if [ -f "$SUMMARY" ]; then
  cat "$SUMMARY"
else
  echo "chaos: no summary was written; the run broke before the end. Last lines of the Maven output:" >&2
  tail -n 40 "$LOG" >&2
  [ "$status" -ne 0 ] || status=1
fi
if [ "$status" -ne 0 ]; then
  grep -E "^\[ERROR\] (Tests run|  $TEST)" "$LOG" | head -n 10 >&2 || true
  echo "chaos: FAILED (exit $status)" >&2
fi
exit "$status"
