#!/usr/bin/env bash
# Makes sure redis-server is installed, for the tests of the Redis store, which start private Redis
# processes on free ports. Installing Debian's package must not start the machine's own Redis on the
# default port: a policy-rc.d keeps the package's service from starting.
set -euo pipefail
if command -v redis-server >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-redis: need redis-server (Debian: apt-get install redis-server)" >&2
  exit 1
fi
echo "ensure-redis: installing redis-server..." >&2
policy=/usr/sbin/policy-rc.d
had_policy=false
[ -e "$policy" ] && had_policy=true
if ! $had_policy; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod 755 "$policy"
fi
install() { DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends redis-server >>/tmp/containerlease-apt.log 2>&1; }
install || { apt-get update -q >>/tmp/containerlease-apt.log 2>&1; install; }
$had_policy || rm -f "$policy"
command -v redis-server >/dev/null 2>&1 || { echo "ensure-redis: redis-server did not install (see /tmp/containerlease-apt.log)" >&2; exit 1; }
