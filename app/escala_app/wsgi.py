"""Entry point for gunicorn: `gunicorn -c gunicorn.conf.py escala_app.wsgi:app`."""

import logging

from . import create_app

# Before the app exists, so Flask sees a handler and does not add its own (no duplicates).
logging.basicConfig(
    level=logging.INFO,
    format="%(asctime)s [%(process)d] [%(levelname)s] %(name)s: %(message)s",
)

app = create_app()
