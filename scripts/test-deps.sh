#!/usr/bin/env bash
# Installs what the test suite needs beyond the JDK and Maven: Debian's chromium and the npm
# playwright-core that drives it (no browser download). Idempotent; run by ./run.sh test.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "test-deps: installing chromium" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null
  else
    echo "test-deps: /usr/bin/chromium is missing; install Debian's chromium (apt-get install chromium)" >&2
    exit 1
  fi
fi
if [ ! -d "$ROOT/src/test/browser/node_modules/playwright-core" ]; then
  echo "test-deps: installing playwright-core" >&2
  (cd "$ROOT/src/test/browser" && npm ci --no-audit --no-fund --silent)
fi
# the npm libraries ModulesIT uploads (lodash, decimal.js), pinned by src/test/modules/package-lock.json
MODULES="$ROOT/target/test-modules"
if [ ! -f "$MODULES/node_modules/lodash/lodash.min.js" ] || [ ! -f "$MODULES/node_modules/decimal.js/decimal.js" ]; then
  echo "test-deps: installing lodash and decimal.js into target/test-modules" >&2
  mkdir -p "$MODULES"
  cp "$ROOT/src/test/modules/package.json" "$ROOT/src/test/modules/package-lock.json" "$MODULES/"
  (cd "$MODULES" && npm ci --no-audit --no-fund --silent)
fi
