#!/usr/bin/env bash
# Build escala/vagrant-host, the image Vagrant's docker provider runs, from the lab host
# image and the public key shipped with the installed Vagrant.
set -euo pipefail
cd "$(dirname "$0")/.."

key=$(find /usr/share /opt/vagrant /usr/lib -path '*vagrant*/keys/vagrant.pub' 2>/dev/null \
  | head -n 1 || true)
if [ -z "$key" ]; then
  echo "build-vagrant-image: Vagrant's keys/vagrant.pub not found; install vagrant" >&2
  exit 1
fi
ctx=build/context/vagrant-host
rm -rf "$ctx" && mkdir -p "$ctx"
cp images/vagrant-host/Dockerfile "$key" "$ctx/"
docker build -q --force-rm --label io.escala.project=escala -t escala/vagrant-host:bookworm \
  "$ctx" >"$ctx.log" 2>&1 || { cat "$ctx.log" >&2; exit 1; }
echo "build-vagrant-image: escala/vagrant-host:bookworm"
