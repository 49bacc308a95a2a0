#!/usr/bin/env bash
# Makes sure a Compose tool is installed, for the test that checks docker-compose.yml
# (Debian's docker-compose; a docker with the compose plugin works as well).
set -euo pipefail
if command -v docker-compose >/dev/null 2>&1 || docker compose version >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-compose: need docker-compose (Debian: apt-get install docker-compose)" >&2
  exit 1
fi
echo "ensure-compose: installing docker-compose..." >&2
install() { DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends docker-compose >>/tmp/containerlease-apt.log 2>&1; }
install || { apt-get update -q >>/tmp/containerlease-apt.log 2>&1; install; }
