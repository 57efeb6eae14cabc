#!/usr/bin/env bash
# The benchmark suite (not part of ./run.sh test): ./run.sh bench [js|overhead|data|scaling|startup|faults|warmup|cluster-size|modules ...], or cli
# Prints markdown tables and writes them with PNG plots under bench/results/.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# the command line's start time is timed from outside, by hyperfine (its own script)
[ "${1:-}" = cli ] && exec "$ROOT/bench/cli.sh"
JAVA="${JAVA_HOME:?JAVA_HOME must point at a JDK 25}/bin/java"
mvn -q -B -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt \
  -Dmdep.includeScope=test >/dev/null
command -v node >/dev/null || echo "bench: node not found: the JS baselines will be skipped" >&2
mkdir -p bench/results
# the modules bench uploads the npm lodash the tests use
case " $* " in *" modules "*) "$ROOT/scripts/test-deps.sh" ;; esac
exec "$JAVA" -Xmx1g @conf/jvm.options -Djava.awt.headless=true -Ddisruptor.home="$ROOT" \
  -Ddisruptor.jar="$ROOT/target/disruptor.jar" \
  -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" org.disruptor.bench.Bench "$@"
