#!/usr/bin/env bash
# Prints a JAVA_HOME with a JDK of release 21 or newer: $JAVA_HOME if it qualifies, else the newest
# under /usr/lib/jvm (these machines default to 17 and carry Temurin 25 beside it).
set -euo pipefail
major() { "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/ *java.specification.version = //p' | head -1; }
if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/javac" ] && [ "$(major "$JAVA_HOME")" -ge 21 ] 2>/dev/null; then
  echo "$JAVA_HOME"; exit 0
fi
best=""; best_major=0
for dir in /usr/lib/jvm/*; do
  [ -x "$dir/bin/javac" ] || continue
  m=$(major "$dir" || echo 0)
  if [ "${m:-0}" -gt "$best_major" ] 2>/dev/null; then best=$dir; best_major=$m; fi
done
if [ "$best_major" -lt 21 ]; then
  echo "java-home: no JDK 21+ found (set JAVA_HOME, or install Temurin 21+ under /usr/lib/jvm)" >&2
  exit 1
fi
echo "$best"
