#!/usr/bin/env bash
# Make sure a Docker engine answers on this controller: install Debian's docker.io when the
# daemon is missing and start dockerd when nothing answers. Safe to run again at any time.
set -euo pipefail

log() { printf 'ensure-engine: %s\n' "$*"; }

if docker info >/dev/null 2>&1; then
  exit 0
fi

if ! command -v dockerd >/dev/null 2>&1; then
  log "installing docker.io from Debian's packages"
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    docker.io iptables >/dev/null
fi

mkdir -p /var/log/escala
log "starting dockerd (log: /var/log/escala/dockerd.log)"
# The engine runs detached so that it outlives the make target that started it.
setsid dockerd >>/var/log/escala/dockerd.log 2>&1 < /dev/null &

for _ in $(seq 1 60); do
  if docker info >/dev/null 2>&1; then
    log "engine is up"
    exit 0
  fi
  sleep 1
done
log "dockerd did not answer within 60 s; see /var/log/escala/dockerd.log" >&2
exit 1
