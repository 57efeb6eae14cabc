#!/usr/bin/env bash
# disruptor launcher: finds a JDK 25, builds the fat jar when it is missing or stale, and starts
# `disruptor` with the JVM flags a node needs: conf/jvm.options; for the graaljs engine also the GraalJS layer
# (target/graaljs on the class path), conf/jvm-graaljs.options and the Graal compiler for GraalJS's JIT.
#   ./run.sh                  one node on 127.0.0.1:8080
#   ./run.sh peer ...         a node (see `./run.sh help`)
#   ./run.sh submit|peers|modules ...   the client commands, in a lean fast-starting JVM
#   ./run.sh cluster N [BASE]  N local nodes chained on BASE (8080).., all stopped on Ctrl-C
#   ./run.sh test             the whole test suite
#   ./run.sh test-scale       ScaleIT: 24 node processes on this machine (not part of ./run.sh test)
#   ./run.sh bench [NAME]     the benchmark suite
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
JAR="$ROOT/target/disruptor.jar"
GRAAL="$ROOT/target/graal-compiler"
GRAALJS="$ROOT/target/graaljs"

# the JDK's release file when there is one (no JVM start: the client commands should start fast)
java_major() {
  local release; release="$(dirname "$1")/../release"
  if [ -f "$release" ] && grep -q '^JAVA_VERSION=' "$release"; then
    sed -n 's/^JAVA_VERSION="\{0,1\}\([0-9]*\).*/\1/p' "$release"
  else
    "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | cut -d. -f1
  fi
}

find_java() {
  local candidates=()
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME/bin/java")
  command -v java >/dev/null 2>&1 && candidates+=("$(command -v java)")
  for dir in /usr/lib/jvm/*25* /usr/lib/jvm/*; do [ -x "$dir/bin/java" ] && candidates+=("$dir/bin/java"); done
  for java in "${candidates[@]}"; do
    local major; major="$(java_major "$java" || true)"
    if [ -n "$major" ] && [ "$major" -ge 25 ]; then JAVA="$java"; return 0; fi
  done
  echo "disruptor: no JDK 25 found (looked at JAVA_HOME, java on PATH, /usr/lib/jvm). Install JDK 25 or set JAVA_HOME." >&2
  exit 1
}

find_java
export JAVA_HOME="$(cd "$(dirname "$JAVA")/.." && pwd)"

build() {
  (cd "$ROOT" && mvn -q -B -DskipTests -DskipITs package) || { echo "disruptor: build failed" >&2; exit 1; }
}

build_if_needed() {
  if [ ! -f "$JAR" ] || [ ! -d "$GRAAL" ] || [ ! -d "$GRAALJS" ] || [ -n "$(find "$ROOT/src/main" "$ROOT/pom.xml" "$ROOT/conf" -newer "$JAR" -type f 2>/dev/null | head -n 1)" ]; then
    echo "disruptor: building target/disruptor.jar ..." >&2
    build
  fi
}

# the engine a node started with these arguments uses: --engine, then DISRUPTOR_ENGINE, then conf/config.json
engine_of() {
  local previous="" engine=""
  for arg in "$@"; do
    case "$arg" in --engine=*) engine="${arg#--engine=}" ;; esac
    [ "$previous" = "--engine" ] && engine="$arg"
    previous="$arg"
  done
  [ -n "$engine" ] || engine="${DISRUPTOR_ENGINE:-}"
  [ -n "$engine" ] || engine="$(sed -n 's/^ *"engine": *"\([a-z0-9]*\)".*/\1/p' "$ROOT/conf/config.json" | head -n 1)"
  echo "${engine:-v8}"
}

# NODE=(java ... main class) for a node started with "$@"
node_java() {
  NODE=("$JAVA" "-Xmx${DISRUPTOR_HEAP:-512m}" "@$ROOT/conf/jvm.options" "-Ddisruptor.home=$ROOT")
  if [ "$(engine_of "$@")" = graaljs ]; then
    local modules="$GRAAL/compiler.jar:$GRAAL/collections.jar:$GRAAL/word.jar:$GRAAL/truffle-compiler.jar"
    NODE+=("@$ROOT/conf/jvm-graaljs.options" "--upgrade-module-path=$modules" -cp "$JAR:$GRAALJS/*" org.disruptor.Main)
  else
    # the classes a node loads at start, loaded and linked ahead of time (scripts/node-aot.sh, made by the
    # build): about half the CPU of a start; left out when missing or older than the jar
    local cache="$ROOT/target/node.aot"
    [ -f "$cache" ] && [ ! "$JAR" -nt "$cache" ] && NODE+=("-XX:AOTCache=$cache" -Xlog:aot=off -Xlog:cds=off)
    NODE+=(-jar "$JAR")
  fi
}

# The client commands (submit, peers, modules) run in a lean JVM of their own: no Graal compiler or JVMCI,
# C1 only, serial GC, and an AOT cache of the classes a CLI call loads (JDK 25 -XX:AOTCache), made once per
# build by a training run against a stand-in node (org.disruptor.cli.Training), so a call starts in ~0.1 s.
# CLI=(java ... main class) for a client command
CLI_FLAGS=(-Xmx512m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xss512k)
cli_java() {
  local cache="$ROOT/target/cli.aot"
  if [ ! -f "$cache" ] || [ "$JAR" -nt "$cache" ]; then
    local tmp="$cache.$$"
    if "$JAVA" "-XX:AOTCacheOutput=$tmp" "${CLI_FLAGS[@]}" -cp "$JAR" org.disruptor.cli.Training >/dev/null 2>&1; then
      mv -f "$tmp" "$cache"
    else
      rm -f "$tmp" "$tmp.config"
    fi
  fi
  CLI=("$JAVA")
  [ -f "$cache" ] && CLI+=("-XX:AOTCache=$cache")
  CLI+=("${CLI_FLAGS[@]}" -cp "$JAR" org.disruptor.Main)
}

cluster() {
  local n="${1:-3}" base="${2:-8080}" pids=()
  [[ "$n" =~ ^[0-9]+$ ]] && [ "$n" -ge 1 ] && [[ "$base" =~ ^[0-9]+$ ]] || { echo "usage: ./run.sh cluster N [BASE_PORT]" >&2; exit 2; }
  build_if_needed
  trap 'kill "${pids[@]}" 2>/dev/null; wait; exit 0' INT TERM EXIT
  for ((i = 0; i < n; i++)); do
    local port=$((base + i)) peer=()
    [ "$i" -gt 0 ] && peer=("127.0.0.1:$((port - 1))")
    node_java
    "${NODE[@]}" peer "127.0.0.1:$port" "${peer[@]}" &
    pids+=($!)
  done
  echo "disruptor: $n nodes on 127.0.0.1:$base..$((base + n - 1)); open http://127.0.0.1:$base/ ; Ctrl-C stops them all" >&2
  wait
}

case "${1:-}" in
  "")      build_if_needed; node_java; exec "${NODE[@]}" peer 127.0.0.1:8080 ;;
  test)    shift; "$ROOT/scripts/test-deps.sh"; cd "$ROOT"
           # ./run.sh test SomeTest [OtherIT ...]: only those classes (unit tests by name, *IT integration tests)
           if [ $# -gt 0 ] && [[ "$1" != -* ]]; then
             units=() its=()
             for name in "$@"; do if [[ "$name" == *IT ]]; then its+=("$name"); else units+=("$name"); fi; done
             unit_list="$(IFS=,; echo "${units[*]:-NoSuchTest}")"
             if [ ${#its[@]} -eq 0 ]; then
               exec mvn -B -ntp verify -Dtest="$unit_list" -DskipITs
             fi
             exec mvn -B -ntp verify -Dtest="$unit_list" -Dsurefire.failIfNoSpecifiedTests=false \
               -Dit.test="$(IFS=,; echo "${its[*]}")"
           fi
           exec mvn -B -ntp verify "$@" ;;
  test-scale) shift; cd "$ROOT"
           # ScaleIT alone: 24 node processes from a chain of single peers (the scale Maven profile)
           exec mvn -B -ntp -Pscale verify "$@" ;;
  cluster) shift; cluster "$@" ;;
  bench)   shift; build_if_needed; exec "$ROOT/bench/run.sh" "$@" ;;
  build)   build ;;
  submit|peers|modules) build_if_needed; cli_java; exec "${CLI[@]}" "$@" ;;
  *)       build_if_needed; node_java "$@"; exec "${NODE[@]}" "$@" ;;
esac
