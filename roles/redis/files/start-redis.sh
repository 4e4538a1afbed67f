#!/bin/sh
# Start redis-server with the settings Ansible owns and its current replication role.
#
# /data/redis.conf is the file Redis (told by Sentinel) rewrites with CONFIG REWRITE, so it
# keeps the current role across restarts. It is rebuilt at every start from two parts: an
# include of the Ansible-owned settings, and the replication role. Everything else a
# rewrite copied into it is dropped, so a changed setting always takes effect.
#
# The role is, in this order: the master that a majority of the Sentinels
# (ESCALA_SENTINELS, "ip:port ...") names, so that a master that was failed over while it
# was down comes back as a replica of the new one, not as a second master that Sentinel
# demotes only some ten seconds later; else the last `replicaof` line of /data/redis.conf;
# else, on the very first start, the role the redis role wrote to bootstrap.conf.
set -eu

runtime=/data/redis.conf

# Prints the "ip:port" that more than half of the Sentinels name as master, or nothing.
sentinel_master() {
  total=0
  answers=""
  for endpoint in ${ESCALA_SENTINELS:-}; do
    total=$((total + 1))
    reply=$(timeout 2 redis-cli -h "${endpoint%:*}" -p "${endpoint##*:}" --raw \
      SENTINEL get-master-addr-by-name "$ESCALA_MASTER_NAME" 2>/dev/null | tr '\n' ' ' \
      || true)
    # shellcheck disable=SC2086 # split "ip port" into two words
    set -- $reply
    if [ $# -eq 2 ] && [ "$2" -gt 0 ] 2>/dev/null; then
      answers="$answers$1:$2
"
    fi
  done
  [ "$total" -gt 0 ] || return 0
  printf '%s' "$answers" | sort | uniq -c \
    | awk -v need=$((total / 2 + 1)) '$1 >= need { print $2; exit }'
}

master=$(sentinel_master)
if [ -n "$master" ] && [ "$master" = "${ESCALA_SELF:-}" ]; then
  role=""
  source="the Sentinels"
elif [ -n "$master" ]; then
  role="replicaof ${master%:*} ${master##*:}"
  source="the Sentinels"
elif [ -f "$runtime" ]; then
  role=$(grep -iE '^(replicaof|slaveof)[[:space:]]' "$runtime" | tail -n 1 || true)
  source="$runtime"
else
  role=$(grep -iE '^replicaof[[:space:]]' /data/bootstrap.conf 2>/dev/null || true)
  source=bootstrap.conf
fi

printf 'include /etc/escala/redis/redis.conf\n%s\n' "$role" > "$runtime.new"
mv "$runtime.new" "$runtime"
echo "start-redis: starting as ${role:-master} (from $source)"
exec redis-server "$runtime"
