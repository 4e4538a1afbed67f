"""escala-app: a deliberately slow Flask app that keeps its data in Redis via Sentinel."""

from __future__ import annotations

from flask import Flask

from .config import Settings
from .routes import EXTENSION_KEY, MAX_BODY_BYTES, Runtime, bp
from .slowness import Slowness
from .storage import Storage

__all__ = ["Settings", "create_app"]


def create_app(config: Settings | None = None) -> Flask:
    """Build the app; without `config`, settings are read from ESCALA_* variables."""
    settings = config if config is not None else Settings.from_env()
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    # Keep the JSON in the order the routes build it; clients read it by eye in labs.
    app.json.sort_keys = False
    app.extensions[EXTENSION_KEY] = Runtime(
        settings=settings,
        storage=Storage(settings),
        slowness=Slowness(settings.slow_unit_s, settings.cpu_share),
    )
    app.register_blueprint(bp)
    return app
