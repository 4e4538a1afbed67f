#!/bin/sh
# Docker mounts this container's cgroup v1 hierarchies read-only. With a private cgroup
# namespace they are rooted at the container's own cgroup, so remounting them read-write
# lets systemd and a nested dockerd create cgroups below it (and nowhere else).
if [ -d /sys/fs/cgroup ] && [ ! -f /sys/fs/cgroup/cgroup.controllers ]; then
  mount -o remount,rw /sys/fs/cgroup 2>/dev/null || true
  for hierarchy in /sys/fs/cgroup/*; do
    [ -d "$hierarchy" ] && [ ! -L "$hierarchy" ] || continue
    mount -o remount,rw,bind "$hierarchy" "$hierarchy" 2>/dev/null || true
  done
fi
exec "$@"
