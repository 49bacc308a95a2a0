#!/usr/bin/env bash
# Makes sure tmux is installed: the tests of the command-line client's shell drive it in a real
# terminal (tmux on a private socket: send-keys, capture-pane, resize-window), as a person would.
set -euo pipefail
if command -v tmux >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-tmux: need tmux (Debian: apt-get install tmux)" >&2
  exit 1
fi
echo "ensure-tmux: installing tmux..." >&2
install() { DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends tmux >>/tmp/containerlease-apt.log 2>&1; }
install || { apt-get update -q >>/tmp/containerlease-apt.log 2>&1; install; }
command -v tmux >/dev/null 2>&1 || { echo "ensure-tmux: tmux did not install (see /tmp/containerlease-apt.log)" >&2; exit 1; }
