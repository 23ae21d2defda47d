"""The published API description (service/static/openapi.json, served at /api/v1/openapi.json)
says exactly what the app serves: every public route with its methods, and no route that does
not exist. Why: tools outside the project build clients and fuzzers from it (tests/test_fuzz_api.py
runs schemathesis from it), so a route added or removed without the document is a broken contract.
"""
from __future__ import annotations

import json
import re
from importlib import resources

from openapi_spec_validator import validate

PUBLIC_PREFIXES = ("/api/", "/audio/", "/listen", "/healthz", "/widget.js")
IMPLICIT = {"HEAD"}  # Flask answers HEAD for every GET


def _document() -> dict:
    return json.loads(resources.files("service").joinpath("static/openapi.json").read_text(encoding="utf-8"))


def _routes(app) -> dict[str, set[str]]:
    """{OpenAPI path: methods} of the app's public routes (`<int:entry_id>` -> `{entry_id}`)."""
    routes: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(PUBLIC_PREFIXES):
            continue
        methods = set(rule.methods) - IMPLICIT
        if getattr(rule, "provide_automatic_options", False):
            methods.discard("OPTIONS")  # Flask's own answer, not part of the API
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)
        routes.setdefault(path, set()).update(methods)
    return routes


def test_the_document_is_valid_openapi_3_1():
    doc = _document()
    assert doc["openapi"].startswith("3.1")
    validate(doc)


def test_every_public_route_is_documented_with_its_methods_and_nothing_else(app_config):
    from service import create_app

    app = create_app({**app_config, "ADMIN_PASSWORD": "hemligt"})  # the admin API's routes too
    documented = {path: {m.upper() for m in item if m in ("get", "put", "post", "delete", "patch", "options")}
                  for path, item in _document()["paths"].items()}
    assert documented == _routes(app)


def test_admin_operations_need_the_bearer_token_and_others_do_not():
    doc = _document()
    assert doc["components"]["securitySchemes"]["bearerAuth"] == {
        **doc["components"]["securitySchemes"]["bearerAuth"], "type": "http", "scheme": "bearer"}
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            wanted = [{"bearerAuth": []}] if path.startswith("/api/v1/admin/") else None
            assert operation.get("security") == wanted, (method, path)


def test_errors_share_one_shape():
    """Every 4xx/5xx is {"error", "message"}; but /listen answers with pages, and /healthz's 503 is
    its report (status "down")."""
    doc = _document()
    assert doc["components"]["schemas"]["Error"]["required"] == ["error", "message"]
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            for status, response in operation["responses"].items():
                if status.startswith(("4", "5")) and path != "/listen" and (path, status) != ("/healthz", "503"):
                    content = response.get("content") or doc["components"]["responses"][
                        response["$ref"].rsplit("/", 1)[1]]["content"]
                    assert content["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}, (
                        method, path, status)


def test_the_service_serves_the_document(client):
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200 and r.mimetype == "application/json"
    assert r.get_json() == _document()
