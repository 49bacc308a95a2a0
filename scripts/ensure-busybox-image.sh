#!/usr/bin/env bash
# Builds the local image containerlease/busybox:latest when it is missing or older than this script's
# revision: a rootfs holding Debian's static busybox and its applet links, plus Debian's socat with
# the libraries it links (busybox's nc cannot serve a Unix socket, which a program behind the message
# channel must), imported with 'docker import'. No registry needed.
set -euo pipefail
IMAGE=containerlease/busybox:latest
# Raise when the image's contents change: an older image is rebuilt (containers using it keep theirs).
REVISION=2

if [ "$(docker image inspect -f '{{index .Config.Labels "containerlease.image-revision"}}' "$IMAGE" 2>/dev/null || true)" = "$REVISION" ]; then
  exit 0
fi
apt_install() {
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/tmp/containerlease-apt.log 2>&1 || {
    apt-get update -q >/tmp/containerlease-apt.log 2>&1
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >>/tmp/containerlease-apt.log 2>&1
  }
}
# The image has no libc, so only a statically linked busybox works inside it.
is_static() { [ -n "$1" ] && case "$(ldd "$1" 2>&1 || true)" in *'not a dynamic executable'*) true ;; *) false ;; esac; }
BUSYBOX=$(command -v busybox || true)
if ! is_static "$BUSYBOX"; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "ensure-busybox-image: installing busybox-static..." >&2
    apt_install busybox-static
    BUSYBOX=/bin/busybox
  fi
  if ! is_static "$BUSYBOX"; then
    echo "ensure-busybox-image: need a static busybox (Debian: apt-get install busybox-static)" >&2
    exit 1
  fi
fi
SOCAT=$(command -v socat || true)
if [ -z "$SOCAT" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "ensure-busybox-image: installing socat..." >&2
    apt_install socat
  fi
  SOCAT=$(command -v socat || true)
  [ -n "$SOCAT" ] || { echo "ensure-busybox-image: need socat (Debian: apt-get install socat)" >&2; exit 1; }
fi
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/tmp" "$root/etc" "$root/root"
chmod 1777 "$root/tmp"
cp "$BUSYBOX" "$root/bin/busybox"
for applet in $("$root/bin/busybox" --list); do
  [ "$applet" = busybox ] || ln -s busybox "$root/bin/$applet"
done
# socat and every library it links, at the paths its loader looks them up.
cp "$SOCAT" "$root/bin/socat"
for lib in $(ldd "$SOCAT" | grep -o '/[^ ]*'); do
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
tar -C "$root" -c . | docker import -c 'CMD ["/bin/sh"]' -c 'ENV PATH=/bin' \
  -c "LABEL containerlease.image-revision=$REVISION" - "$IMAGE" >/dev/null
echo "ensure-busybox-image: built $IMAGE" >&2
