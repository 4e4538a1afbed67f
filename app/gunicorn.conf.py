"""Gunicorn settings for escala-app; deployment knobs come from the environment."""

import os

bind = os.environ.get("ESCALA_BIND", "0.0.0.0:8000")
worker_class = "gthread"
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "8"))

# gthread workers accept connections greedily: in a burst, one worker can take most of them
# and queue them behind its busy threads while the other worker's threads idle. Capping a
# worker's connections at its threads plus a few idle keep-alive ones makes it stop
# accepting when full, so the kernel hands the next connection to a worker that has room.
# 0 (the default) also keeps the queue fair: a request on a kept-alive connection would be
# served before the connections waiting in the accept queue.
keepalive_connections = int(os.environ.get("GUNICORN_KEEPALIVE_CONNECTIONS", "0"))
worker_connections = threads + keepalive_connections

# A request may retry Redis for the whole failover budget (20 s by default) after up to
# 5 slow units, and /work runs for up to 60 s: stay well above both before killing it.
timeout = 90
graceful_timeout = 10
# No keep-alive when no idle connection may be kept (gunicorn would warn about it).
keepalive = 5 if keepalive_connections > 0 else 0

# No runtime control socket: nothing here uses gunicornc, $HOME may be read-only in the
# image, and instances sharing a user would contend for the one default path.
control_socket_disable = True

accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
