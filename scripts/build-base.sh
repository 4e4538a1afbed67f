#!/usr/bin/env bash
# Build the Debian base image that every escala image starts FROM, with debootstrap, because
# no registry is reachable. Skipped when the image already exists with the same recipe.
set -euo pipefail

IMAGE=${ESCALA_BASE_IMAGE:-escala/base:bookworm}
LABEL=${ESCALA_LABEL:-io.escala.project=escala}
SUITE=bookworm
# The mirror the controller itself uses; the image's apt sources point at it too.
MIRROR=${ESCALA_DEBIAN_MIRROR:-$(grep -hoE 'https?://[^ ]+/debian/?$' \
  /etc/apt/sources.list.d/* /etc/apt/sources.list 2>/dev/null | head -n 1 || true)}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
MIRROR=${MIRROR/https:/http:}
RECIPE="debootstrap-minbase-${SUITE}-v1 ${MIRROR}"

have=$(docker image inspect -f '{{ index .Config.Labels "io.escala.recipe" }}' "$IMAGE" \
  2>/dev/null || true)
if [ "$have" = "$RECIPE" ]; then
  echo "build-base: $IMAGE is up to date"
  exit 0
fi

command -v debootstrap >/dev/null 2>&1 || {
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap >/dev/null
}

root=$(mktemp -d /var/tmp/escala-base.XXXXXX)
trap 'rm -rf "$root"' EXIT
echo "build-base: debootstrap $SUITE from $MIRROR"
debootstrap --variant=minbase "$SUITE" "$root" "$MIRROR" >/dev/null
echo "deb $MIRROR $SUITE main" > "$root/etc/apt/sources.list"
# Keep images small: no apt lists or caches, no docs.
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin
tar -C "$root" -c . | docker import \
  --change "LABEL $LABEL" \
  --change "LABEL io.escala.recipe=\"$RECIPE\"" \
  --change 'CMD ["/bin/bash"]' \
  - "$IMAGE" >/dev/null
echo "build-base: built $IMAGE"
