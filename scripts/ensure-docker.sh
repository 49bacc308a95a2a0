#!/usr/bin/env bash
# Makes sure a Docker engine answers. Where none does and we are root on Debian, installs docker.io
# and starts dockerd without a bridge (no registry is reachable here, and leases get no network).
set -euo pipefail

engine_answers() { docker info >/dev/null 2>&1; }

if command -v docker >/dev/null 2>&1 && engine_answers; then
  exit 0
fi
if [ -n "${DOCKER_HOST:-}" ] && [ "${DOCKER_HOST#unix://}" = "$DOCKER_HOST" ]; then
  echo "ensure-docker: DOCKER_HOST=$DOCKER_HOST does not answer, and it is not a local engine this script can start." >&2
  exit 1
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-docker: no Docker engine answers. Start one (e.g. 'sudo dockerd &'), or set DOCKER_HOST." >&2
  exit 1
fi
if ! command -v dockerd >/dev/null 2>&1; then
  echo "ensure-docker: installing docker.io from Debian's packages..." >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q docker.io >/tmp/containerlease-apt.log 2>&1 || {
    apt-get update -q >/tmp/containerlease-apt.log 2>&1
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q docker.io >>/tmp/containerlease-apt.log 2>&1
  } || { echo "ensure-docker: apt-get install docker.io failed; see /tmp/containerlease-apt.log" >&2; exit 1; }
fi
echo "ensure-docker: starting dockerd (log: /tmp/containerlease-dockerd.log)..." >&2
nohup dockerd --bridge=none --iptables=false --ip-masq=false >/tmp/containerlease-dockerd.log 2>&1 &
for _ in $(seq 1 60); do
  engine_answers && exit 0
  sleep 0.5
done
echo "ensure-docker: dockerd did not answer within 30 s; see /tmp/containerlease-dockerd.log" >&2
exit 1
