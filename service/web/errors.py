"""The one place where errors become HTTP responses.

Every stage raises a `LyssnaError` subclass with a code, a status and a sentence for people
(Swedish first); here it becomes JSON for the API and audio paths, the admin's error page under
/admin, and the plain error page of the no-JavaScript listen page. Flask's own HTTP errors (404,
405, 413, and the 500 of a bug) get the same JSON shape on the JSON paths and a page in Swedish and
English elsewhere, never Flask's English-only default.
"""
from __future__ import annotations

import json

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from service.errors import LyssnaError

_HTTP_MESSAGES = {
    400: ("malformed", "Förfrågan kunde inte tolkas. / The request could not be understood."),
    404: ("not_found", "Det finns inget här. / Nothing was found here."),
    405: ("method_not_allowed", "Metoden stöds inte här. / This method is not allowed here."),
    413: ("too_large", "Förfrågan är för stor. / The request is too large."),
    416: ("range_not_satisfiable", "Den begärda delen finns inte i filen. / The requested range is not in the file."),
    500: ("internal_error", "Ett oväntat fel inträffade i tjänsten. / An unexpected error occurred in the service."),
}
# The admin error page's heading, by error code.
# "svenska / English": the admin page shows the admin's language (admin.i18n.pick).
_ADMIN_TITLES = {"not_authenticated": "Inloggning krävs / Login required",
                 "stale_form": "Ogiltigt formulär / Invalid form",
                 "locked_out": "För många försök / Too many attempts"}
_ADMIN_TITLE = "Något gick fel / Something went wrong"


def init_app(app: Flask) -> None:
    app.register_error_handler(LyssnaError, _lyssna_error)
    app.register_error_handler(HTTPException, _http_error)


def error_json(code: str, message: str) -> bytes:
    """The JSON error body, for answers made outside Flask (the ASGI audio route)."""
    return json.dumps({"error": code, "message": message}, ensure_ascii=False).encode("utf-8")


def _json_paths() -> bool:
    return request.path.startswith(("/api/", "/audio/")) or request.path == "/healthz"


def error_response(code: str, message: str, status: int) -> Response:
    """An error as the path's audience reads it: JSON, the admin's page or the listen page."""
    if request.path == "/admin" or request.path.startswith("/admin/"):
        html = render_template("admin/error.html", title=_ADMIN_TITLES.get(code, _ADMIN_TITLE),
                               message=message)
    elif request.path == "/listen":
        html = render_template("listen_error.html", message=message, url=request.args.get("url", ""))
    else:
        resp = jsonify({"error": code, "message": message})
        resp.status_code = status
        return resp
    return Response(html, status=status, mimetype="text/html")


def _lyssna_error(e: LyssnaError) -> Response:
    resp = error_response(e.code, e.message, e.status)
    retry_after = getattr(e, "retry_after", None)
    if retry_after:
        resp.headers["Retry-After"] = str(retry_after)
    return resp


def _http_error(e: HTTPException) -> Response:
    """JSON on the JSON paths, the listen page's error page on /listen, a plain page elsewhere
    (also under /admin: without a password there must be no sign of an admin)."""
    status = e.code or 500
    code, message = _HTTP_MESSAGES.get(status, ("error", f"Fel {status}. / Error {status}."))
    if _json_paths():
        resp = jsonify({"error": code, "message": message})
        resp.status_code = status
    elif request.path == "/listen":
        resp = error_response(code, message, status)
    else:
        resp = Response(render_template("error.html", status=status, message=message), status=status,
                        mimetype="text/html")
    allowed = getattr(e, "valid_methods", None)  # a 405 names the methods that are allowed
    if allowed:
        resp.headers["Allow"] = ", ".join(allowed)
    return resp
