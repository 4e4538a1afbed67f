"""HTTP routes and error handlers: parse, delay, call storage, answer JSON."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from flask import Blueprint, Response, abort, current_app, jsonify, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from . import slowness
from .config import Settings
from .slowness import Slowness
from .storage import NotReplicated, Storage, Unavailable

EXTENSION_KEY = "escala"
MAX_BODY_BYTES = 1024
MAX_WORK_MS = 60_000

_NAME_RE = re.compile(r"[A-Za-z0-9._~-]+")
_ID_RE = re.compile(r"[0-9]{1,18}")
_MS_RE = re.compile(r"[0-9]{1,6}")

_ERROR_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
}

bp = Blueprint("escala", __name__)


@dataclass(frozen=True)
class Runtime:
    """What the routes need, kept on app.extensions rather than in module globals."""

    settings: Settings
    storage: Storage
    slowness: Slowness


def _rt() -> Runtime:
    return current_app.extensions[EXTENSION_KEY]


def _error(status: int, code: str, message: str) -> Response:
    response = jsonify(error=code, message=message)
    response.status_code = status
    return response


# -- request guard -------------------------------------------------------------------


@bp.before_app_request
def _limit_body() -> None:
    # Werkzeug enforces MAX_CONTENT_LENGTH only when the body is read, and no route
    # reads it, so read it here: oversized (or oversized chunked) bodies become 413.
    request.get_data(cache=True)


# -- resources -----------------------------------------------------------------------


@bp.post("/resources/<name>")
def create_resource(name: str) -> ResponseReturnValue:
    rt = _rt()
    limit = rt.settings.max_name_length
    if len(name) > limit or not _NAME_RE.fullmatch(name):
        abort(400, description=f"name must be 1..{limit} characters of A-Z a-z 0-9 . _ ~ -")
    rt.slowness.delay(slowness.HARDNESS_CREATE)
    resource = rt.storage.create(name)
    return jsonify(resource), 201, {"Location": f"/resources/{resource['id']}"}


@bp.get("/resources")
def list_resources() -> ResponseReturnValue:
    rt = _rt()
    rt.slowness.delay(slowness.HARDNESS_LIST)
    return jsonify(rt.storage.list())


@bp.get("/resources/count")
def count_resources() -> ResponseReturnValue:
    return jsonify(count=_rt().storage.count())


@bp.get("/resources/<rid>")
def get_resource(rid: str) -> ResponseReturnValue:
    if not _ID_RE.fullmatch(rid) or int(rid) <= 0:
        abort(400, description="id must be a positive integer")
    resource_id = int(rid)
    rt = _rt()
    rt.slowness.delay(slowness.HARDNESS_GET)
    resource = rt.storage.get(resource_id)
    if resource is None:
        abort(404, description=f"no resource with id {resource_id}")
    return jsonify(resource)


# -- synthetic load --------------------------------------------------------------------


@bp.get("/work")
def work() -> ResponseReturnValue:
    ms = _ms_arg("ms", required=True)
    cpu_ms = _ms_arg("cpu_ms", required=False)
    if not 0 <= cpu_ms <= ms <= MAX_WORK_MS:
        abort(400, description=f"need 0 <= cpu_ms <= ms <= {MAX_WORK_MS}")
    slowness.work(ms, cpu_ms)
    # The worker's pid shows how an instance's workers share the load.
    return jsonify(ms=ms, cpu_ms=cpu_ms, instance=_rt().settings.instance, worker=os.getpid())


def _ms_arg(name: str, *, required: bool) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        if required:
            abort(400, description=f"query parameter {name} is required")
        return 0
    if not _MS_RE.fullmatch(raw):
        abort(400, description=f"{name} must be a non-negative integer of milliseconds")
    return int(raw)


# -- health --------------------------------------------------------------------------


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz() -> ResponseReturnValue:
    storage = _rt().storage
    try:
        address = storage.master_address()
        storage.ping_master()
    except Unavailable as exc:
        return jsonify(status="unavailable", error="unavailable", message=str(exc)), 503
    return jsonify(status="ready", redis_master=address)


@bp.get("/info")
def info() -> ResponseReturnValue:
    rt = _rt()
    try:
        address: str | None = rt.storage.master_address()
    except Unavailable:
        address = None
    return jsonify(instance=rt.settings.instance, host=rt.settings.host, redis_master=address)


# -- errors --------------------------------------------------------------------------


@bp.app_errorhandler(HTTPException)
def _http_error(exc: HTTPException) -> Response:
    status = exc.code or 500
    code = _ERROR_CODES.get(status) or (exc.name or "error").lower().replace(" ", "_")
    response = _error(status, code, exc.description or exc.name)
    if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
        response.headers["Allow"] = ", ".join(sorted(exc.valid_methods))
    return response


@bp.app_errorhandler(Unavailable)
def _unavailable(exc: Unavailable) -> Response:
    response = _error(503, "unavailable", str(exc))
    response.headers["Retry-After"] = "1"
    return response


@bp.app_errorhandler(NotReplicated)
def _not_replicated(exc: NotReplicated) -> Response:
    response = _error(503, "not_replicated", f"write not acknowledged: {exc}")
    response.headers["Retry-After"] = "1"
    return response


@bp.app_errorhandler(Exception)
def _unexpected(exc: Exception) -> Response:
    # The trace goes to the log only: clients get no internals.
    current_app.logger.exception("unhandled error on %s %s", request.method, request.path)
    return _error(500, "internal_error", "unexpected server error")
