"""The one place where errors become HTTP responses.

Every stage raises a `LyssnaError` subclass with a code, a status and a sentence for people
(Swedish first); here it becomes JSON for the API and audio paths, the admin's error page under
/admin, and the plain error page of the no-JavaScript listen page. Flask's own HTTP errors (404,
405, 413) get the same JSON shape on the API paths.
"""
from __future__ import annotations

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from service.errors import LyssnaError

_HTTP_MESSAGES = {
    400: ("malformed", "Förfrågan kunde inte tolkas. / The request could not be understood."),
    404: ("not_found", "Det finns inget här. / Nothing was found here."),
    405: ("method_not_allowed", "Metoden stöds inte här. / This method is not allowed here."),
    413: ("too_large", "Förfrågan är för stor. / The request is too large."),
}
# The admin error page's heading, by error code.
_ADMIN_TITLES = {"not_authenticated": "Inloggning krävs", "stale_form": "Ogiltigt formulär",
                 "locked_out": "För många försök"}


def init_app(app: Flask) -> None:
    app.register_error_handler(LyssnaError, _lyssna_error)
    app.register_error_handler(HTTPException, _http_error)


def _json_paths() -> bool:
    return request.path.startswith("/api/") or request.path.startswith("/audio/")


def error_response(code: str, message: str, status: int) -> Response:
    """An error as the path's audience reads it: JSON, the admin's page or the listen page."""
    if request.path == "/admin" or request.path.startswith("/admin/"):
        html = render_template("admin/error.html", title=_ADMIN_TITLES.get(code, "Något gick fel"),
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


def _http_error(e: HTTPException):
    """JSON for the API and audio paths; Flask's own pages elsewhere."""
    if not _json_paths():
        return e
    code, message = _HTTP_MESSAGES.get(e.code or 500, ("error", e.description or "Fel. / Error."))
    resp = jsonify({"error": code, "message": message})
    resp.status_code = e.code or 500
    return resp
