#!/usr/bin/env bash
# Builds the web console (web/) into the given folder with the machine's Node.js and npm; Maven calls
# it so the console ends up in the service's jar. npm ci runs only when the lock file changed since
# the last install, so a rebuild of the Java side costs a second, not a download.
# usage: scripts/build-console.sh OUT_DIR      (build)
#        scripts/build-console.sh --test       (the console's lint, then its component tests)
set -euo pipefail
WEB=$(cd "$(dirname "${BASH_SOURCE[0]}")/../web" && pwd)
OUT=${1:?usage: build-console.sh OUT_DIR | --test}
[ "$OUT" = --test ] || OUT=$(realpath -m "$OUT") # relative to where it was called from, not web/
cd "$WEB"
if ! command -v npm >/dev/null 2>&1; then
  echo "build-console: npm is not installed; the console needs Node.js 20+ and npm (Debian: apt-get install nodejs npm)" >&2
  exit 1
fi
# npm's own notices go to the build log only when something is wrong.
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
if [ "$OUT" = --test ]; then
  # The lint first: any rule of hooks or of the React Compiler broken fails the tests.
  npx --no-install eslint src
  exec npx --no-install vitest run
fi
npx --no-install tsc --noEmit -p .
CONSOLE_OUT_DIR="$OUT" npx --no-install vite build --logLevel warn
