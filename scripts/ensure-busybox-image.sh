#!/usr/bin/env bash
# Builds the local image containerlease/busybox:latest when it is missing: a rootfs holding Debian's
# static busybox and its applet links, imported with 'docker import'. No registry needed.
set -euo pipefail
IMAGE=containerlease/busybox:latest

if docker image inspect "$IMAGE" >/dev/null 2>&1; then
  exit 0
fi
# The image has no libc, so only a statically linked busybox works inside it.
is_static() { [ -n "$1" ] && case "$(ldd "$1" 2>&1 || true)" in *'not a dynamic executable'*) true ;; *) false ;; esac; }
BUSYBOX=$(command -v busybox || true)
if ! is_static "$BUSYBOX"; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "ensure-busybox-image: installing busybox-static..." >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q busybox-static >/tmp/containerlease-apt.log 2>&1 || {
      apt-get update -q >/tmp/containerlease-apt.log 2>&1
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q busybox-static >>/tmp/containerlease-apt.log 2>&1
    }
    BUSYBOX=/bin/busybox
  fi
  if ! is_static "$BUSYBOX"; then
    echo "ensure-busybox-image: need a static busybox (Debian: apt-get install busybox-static)" >&2
    exit 1
  fi
fi
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/tmp" "$root/etc" "$root/root"
chmod 1777 "$root/tmp"
cp "$BUSYBOX" "$root/bin/busybox"
for applet in $("$root/bin/busybox" --list); do
  [ "$applet" = busybox ] || ln -s busybox "$root/bin/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
tar -C "$root" -c . | docker import -c 'CMD ["/bin/sh"]' -c 'ENV PATH=/bin' - "$IMAGE" >/dev/null
echo "ensure-busybox-image: built $IMAGE" >&2
