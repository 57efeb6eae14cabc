#!/usr/bin/env bash
# Makes target/node.aot, the AOT cache a node starts with (JDK 25 -XX:AOTCache: the classes a node loads at
# start and for its first jobs, loaded and linked ahead of time; about half the CPU of a start). The build
# runs it after the fat jar (pom.xml, phase package; -Ddisruptor.aot.skip=true leaves it out): a training
# run of one node on a free loopback port (org.disruptor.NodeTraining) with -XX:AOTCacheOutput. The cache
# is optional: run.sh and the tests use it only when it is newer than the jar, and a node starts without it.
#   scripts/node-aot.sh JAVA JAR OUT
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JAVA="$1" JAR="$2" OUT="$3"
tmp="$OUT.$$"
log="$OUT.log"
if "$JAVA" "-XX:AOTCacheOutput=$tmp" -Xlog:aot=error -Xmx256m "@$ROOT/conf/jvm.options" "-Ddisruptor.home=$ROOT" \
    -cp "$JAR" org.disruptor.NodeTraining >"$log" 2>&1 && [ -s "$tmp" ]; then
  mv -f "$tmp" "$OUT"
  rm -f "$log"
else
  rm -f "$tmp" "$tmp.config" "$OUT"
  echo "[WARNING] disruptor: no node AOT cache (nodes start without it, about twice the CPU); see $log" >&2
fi
exit 0
