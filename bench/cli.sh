#!/usr/bin/env bash
# CLI start time (./run.sh bench cli): `peers` and `submit` of a tiny job against a warm 3-node cluster,
# timed end to end by hyperfine (Debian package `hyperfine`), next to the floor of any JVM start on this
# machine (java -version with the same flags) and to the CLI JVM without its AOT cache.
# Writes bench/results/bench-cli-DATE.md (median, p90, min, max of 40 runs each; python3 reads hyperfine's JSON).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
command -v hyperfine >/dev/null || { echo "bench cli: needs hyperfine (apt-get install hyperfine)" >&2; exit 1; }
JAVA="${JAVA_HOME:?JAVA_HOME must point at a JDK 25}/bin/java"
JAR="$ROOT/target/disruptor.jar"
BASE=$((40000 + RANDOM % 9000))
TO="127.0.0.1:$BASE"
work="$(mktemp -d)"
out="bench/results/bench-cli-$(date -u +%Y%m%d-%H%M).md"
mkdir -p bench/results
DISRUPTOR_HEAP=256m ./run.sh cluster 3 "$BASE" >"$work/cluster.log" 2>&1 &
cluster=$!
# TERM, not INT: a background job of a script ignores SIGINT
trap 'kill -TERM $cluster 2>/dev/null; wait $cluster 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 120); do
  [ "$(./run.sh peers --to "$TO" --json 2>/dev/null | grep -c '"address"')" = 3 ] && break
  sleep 1
done
echo '(xs) => xs.map(x => x + 1)' >"$work/job.js"
echo '[1, 2, 3]' >"$work/data.json"
for _ in $(seq 1 30); do ./run.sh submit --to "$TO" "$work/job.js" "$work/data.json" --quiet >/dev/null; done  # warm the nodes
FLAGS="-Xmx512m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xss512k"
{
  echo "# CLI start time, $(date -u +%Y-%m-%d), $(nproc) cores, 3 warm nodes on loopback"
  echo
  hyperfine -N -w 3 -r 40 --style basic --export-json "$work/times.json" \
    -n "JVM floor: java -version (same flags)" "$JAVA $FLAGS -version" \
    -n "./run.sh peers" "./run.sh peers --to $TO" \
    -n "./run.sh submit (3 numbers)" "./run.sh submit --to $TO $work/job.js $work/data.json --quiet" \
    -n "peers, CLI JVM without the AOT cache" "$JAVA $FLAGS -cp $JAR org.disruptor.Main peers --to $TO" \
    >&2
  echo "load average (1, 5, 15 min) after the runs: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  echo "| command | median | p90 | min | max |"
  echo "|---|---:|---:|---:|---:|"
  python3 - "$work/times.json" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    t = sorted(r["times"])
    p90 = t[min(len(t) - 1, int(round(0.9 * (len(t) - 1))))]
    print(f"| {r['command']} | {r['median']*1000:.0f} ms | {p90*1000:.0f} ms | {t[0]*1000:.0f} ms | {t[-1]*1000:.0f} ms |")
PY
} | tee "$out"
echo "bench cli: wrote $out" >&2
