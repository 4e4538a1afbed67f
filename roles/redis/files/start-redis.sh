#!/bin/sh
# Start redis-server with the settings Ansible owns and the replication role it last had.
#
# /data/redis.conf is the file Redis (told by Sentinel) rewrites with CONFIG REWRITE, so it
# keeps the current role across restarts. It is rebuilt at every start from two parts: an
# include of the Ansible-owned settings, and the last `replicaof` line it held (or, on the
# very first start, the role the redis role wrote to bootstrap.conf). Everything else a
# rewrite copied into it is dropped, so a changed setting always takes effect.
set -eu

runtime=/data/redis.conf
if [ -f "$runtime" ]; then
  role=$(grep -iE '^(replicaof|slaveof)[[:space:]]' "$runtime" | tail -n 1 || true)
else
  role=$(grep -iE '^replicaof[[:space:]]' /data/bootstrap.conf 2>/dev/null || true)
fi

printf 'include /etc/escala/redis/redis.conf\n%s\n' "$role" > "$runtime.new"
mv "$runtime.new" "$runtime"
echo "start-redis: starting as ${role:-master}"
exec redis-server "$runtime"
