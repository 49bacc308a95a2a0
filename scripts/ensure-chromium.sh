#!/usr/bin/env bash
# Makes sure Debian's Chromium is installed, for the console's browser tests (playwright-core drives it;
# the npm 'playwright' browser download cannot work on a machine without internet access).
set -euo pipefail
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}

if [ -x "$CHROMIUM" ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: $CHROMIUM is missing; install Chromium (Debian: apt-get install chromium) or set CHROMIUM" >&2
  exit 1
fi
echo "ensure-chromium: installing chromium from Debian's packages..." >&2
DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/tmp/containerlease-apt.log 2>&1 || {
  apt-get update -q >/tmp/containerlease-apt.log 2>&1
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >>/tmp/containerlease-apt.log 2>&1
} || { echo "ensure-chromium: apt-get install chromium failed; see /tmp/containerlease-apt.log" >&2; exit 1; }
