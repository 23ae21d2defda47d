"""Schemathesis against the live service: no input breaks the API (issue 12, item 6).

Why: the attack run that found 24 tracebacks and 2 hangs was a fuzzer; this is the same kind of
run, kept in CI. The real app serves on a loopback port (`live_app`) with the loopback fixture site
allowed, publishes its OpenAPI document, and schemathesis builds requests from that document, valid
ones and deliberately invalid ones, for every operation including the admin API (with the bearer
token). A run fails on any 5xx, any answer the document does not describe (status, content type,
body schema, headers), a valid request refused or an invalid one accepted, an admin operation that
works without the token, and any request that takes longer than `TIMEOUT_S` (a hang).

Bounded for CI on two cores: at most `MAX_EXAMPLES` generated requests per operation (plus the
document's examples and schemathesis's boundary "coverage" cases), one fixed seed; about 4,000
requests in about a minute. Offline: the document is the repository's file (the one the service
serves, checked below) and every request goes to loopback. The document is loaded when the module
is imported and the live service's address given per call, because schemathesis's fixture-based
loader (`schemathesis.pytest.from_fixture`) does not run under pytest 9.

Two settings of the app are for the run, not against it: the fuzzer's cases each come from their
own client address (X-Forwarded-For from a trusted loopback proxy), so schemathesis's probes with a
wrong admin password (one per case, to prove the token is checked) do not lock the run's admin
tokens out; the lockout itself is tested in test_admin_api.py and test_admin_ui.py.
"""
from __future__ import annotations

import itertools
import json
import urllib.request
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from .conftest import page_names

DOCUMENT = Path(__file__).resolve().parents[1] / "service" / "static" / "openapi.json"
PASSWORD = "fuzz-rätt-häst"
MAX_EXAMPLES = 150
TIMEOUT_S = 30
SEED = 12
FIXTURE = "http://fixture-site.invalid"  # stands for the fixture site's origin, known only at run time
# Statuses a request the document calls valid may still get: the schema cannot know which sites are
# allowed (403), which pages exist or have text (400 bad url, 413, 422) or what is cached.
ACCEPTABLE_FOR_VALID = ["2xx", "3xx", "400", "401", "403", "404", "413", "422", "429"]
REJECTIONS = ["400", "401", "403", "404", "405", "413", "422", "429"]

_addresses = (f"2001:db8::{n:x}" for n in itertools.count(1))


def _with_fixture_examples(doc: dict) -> dict:
    """The document, its example page addresses pointing at the fixture site, so the examples
    phase reads real pages (fetch, extraction, speech, espeak) and not only refusals."""
    pages = [f"{FIXTURE}/{name}.html" for name in page_names()[:2]]
    doc["components"]["schemas"]["ReadingRequest"]["properties"]["url"]["examples"] = pages
    for item in doc["paths"].values():
        for operation in item.values():
            for parameter in operation.get("parameters", []):
                if parameter["name"] == "url":
                    parameter["schema"]["examples"] = pages
    return doc


CONFIG = schemathesis.Config.from_dict({
    "seed": SEED,
    "request-timeout": TIMEOUT_S,
    "auth": {"openapi": {"bearerAuth": {"bearer": PASSWORD}}, "auto-signup": False},
    "generation": {"max-examples": MAX_EXAMPLES, "mode": "all", "database": "none"},
    "checks": {
        "positive_data_acceptance": {"expected-statuses": ACCEPTABLE_FOR_VALID},
        "negative_data_rejection": {"expected-statuses": REJECTIONS},
        "max_response_time": TIMEOUT_S,
    },
})
# The document as the repository keeps it; test_openapi.py checks the service serves exactly this.
schema = schemathesis.openapi.from_dict(_with_fixture_examples(json.loads(DOCUMENT.read_text(encoding="utf-8"))),
                                        config=CONFIG)


@pytest.fixture
def app_config(app_config):
    return {**app_config, "ADMIN_PASSWORD": PASSWORD, "TRUSTED_PROXIES": ["127.0.0.1"]}


def _at_fixture_site(value, origin: str):
    """`value` with the stand-in origin replaced by the fixture site's, in strings at any depth."""
    if isinstance(value, str):
        return value.replace(FIXTURE, origin)
    if isinstance(value, dict):
        return {k: _at_fixture_site(v, origin) for k, v in value.items()}
    if isinstance(value, list):
        return [_at_fixture_site(v, origin) for v in value]
    return value


@schema.parametrize()
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])  # one live service per operation
def test_no_input_breaks_the_api(case, live_app, fixture_site):
    case.body = _at_fixture_site(case.body, fixture_site)
    case.query = _at_fixture_site(case.query, fixture_site)
    case.headers = {**(case.headers or {}), "X-Forwarded-For": next(_addresses)}
    case.call_and_validate(base_url=live_app, timeout=TIMEOUT_S)


def test_the_fuzzed_document_is_the_one_served(live_app):
    with urllib.request.urlopen(f"{live_app}/api/v1/openapi.json", timeout=10) as r:
        assert json.load(r) == json.loads(DOCUMENT.read_text(encoding="utf-8"))
