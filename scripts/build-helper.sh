#!/usr/bin/env bash
# Builds containerlease-helper (helper/*.c), ContainerLease's program inside lease
# containers, as one static binary: with musl-gcc (Debian's musl-tools, installed here when missing and
# we are root) for a small one, else with gcc -static against glibc. Usage: build-helper.sh OUT_FILE.
# Rebuilds only when the source is newer than OUT_FILE.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SRC="$ROOT/helper"
OUT=${1:?usage: build-helper.sh OUT_FILE}
if [ -f "$OUT" ] && [ "$OUT" -nt "${BASH_SOURCE[0]}" ] && [ -z "$(find "$SRC" -newer "$OUT" -print -quit)" ]; then
  exit 0
fi
if ! command -v musl-gcc >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "build-helper: installing musl-tools..." >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q musl-tools >/tmp/containerlease-apt.log 2>&1 || {
    apt-get update -q >/tmp/containerlease-apt.log 2>&1
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q musl-tools >>/tmp/containerlease-apt.log 2>&1
  } || echo "build-helper: could not install musl-tools; trying gcc -static" >&2
fi
CC=gcc
command -v musl-gcc >/dev/null 2>&1 && CC=musl-gcc
command -v "$CC" >/dev/null 2>&1 || { echo "build-helper: need a C compiler (Debian: apt-get install musl-tools or gcc)" >&2; exit 1; }
mkdir -p "$(dirname "$OUT")"
tmp="$OUT.tmp.$$"
# -O2 and the warnings that matter; static, stripped, position-independent code is not needed.
"$CC" -std=c11 -O2 -Wall -Wextra -Werror -static -s -o "$tmp" "$SRC"/*.c
mv -f "$tmp" "$OUT"
