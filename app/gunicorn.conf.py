"""Gunicorn settings for escala-app; deployment knobs come from the environment."""

import os

bind = os.environ.get("ESCALA_BIND", "0.0.0.0:8000")
worker_class = "gthread"
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "8"))

# A request may retry Redis for the whole failover budget (20 s by default) after up to
# 5 slow units, and /work runs for up to 60 s: stay well above both before killing it.
timeout = 90
graceful_timeout = 10
keepalive = 5

# No runtime control socket: nothing here uses gunicornc, $HOME may be read-only in the
# image, and instances sharing a user would contend for the one default path.
control_socket_disable = True

accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
