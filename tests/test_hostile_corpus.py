"""The hostile corpus (issue 12, item 7), categories that need no network namespace: Host-header
poisoning, what a client sends, egress, bounded work and input that used to crash. Each case goes
to the real app behind a real threaded WSGI server on loopback, from a client address of its own;
the pages come from real loopback sites (A allowed, B allowed to post its HTML, C not allowed).

Every case must get one of its statuses (never a 500; a 5xx only where the case names it, such as
502 for a page that cannot be fetched) within 30 s, and then pass its escape checks: what a reading
says, what a later visitor hears, which site was asked for what, what was looked up or connected to.
Categories 4 (admin) and 7 (SSRF) are in test_hostile_admin.py and test_hostile_ssrf.py.
"""
from __future__ import annotations

import threading
from collections import Counter

import pytest

from service import create_app

from .hostile import (
    cases_admin,
    cases_bounded,
    cases_crash,
    cases_egress,
    cases_host,
    cases_posted,
    cases_ssrf,
)
from .hostile.client import LoopbackTarget, Runner
from .hostile.sites import Egress, LocalEnv, Site

CASES = [*cases_host.CASES, *cases_posted.CASES, *cases_egress.CASES, *cases_bounded.CASES, *cases_crash.CASES]
ADMIN_PASSWORD = "huvudappens-lösen"
PROXY = "127.0.0.2"
PUBLIC_URL = "https://lyssna.kommun.example"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """One app and three sites for the whole module (cases never share a client address)."""
    from werkzeug.serving import make_server

    sites = {name: Site(name) for name in "ABC"}
    app = create_app({
        "CACHE_DIR": str(tmp_path_factory.mktemp("hostile") / "cache"),
        "SITES": [sites["A"].origin, sites["B"].origin],
        "POSTED_HTML_SITES": [sites["B"].origin],
        "PUBLIC_URL": PUBLIC_URL, "DEMO": True,
        "TRUSTED_PROXIES": [PROXY],
        "ADMIN_PASSWORD": ADMIN_PASSWORD,
        "CLIENT_READINGS_PER_MINUTE": 3, "CLIENT_POSTED_MB_PER_MINUTE": 2,
        "MAX_READING_MINUTES": 0.2,
        "FETCH_CONNECT_TIMEOUT": 2, "FETCH_TIMEOUT": 3,
    })
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    egress = Egress()
    tokens = {f"@{n}HOST@": s.netloc for n, s in sites.items()} | {f"@{n}@": s.origin for n, s in sites.items()}
    tokens |= {"@PUBLIC@": PUBLIC_URL, "@DEMO@": PUBLIC_URL + "/demo/", "@PW@": ADMIN_PASSWORD,
               "@SERVICE@": f"127.0.0.1:{server.server_port}"}
    with pytest.MonkeyPatch.context() as monkeypatch:
        egress.install(monkeypatch)
        yield Runner(LoopbackTarget(server.server_port, proxy=PROXY), tokens, LocalEnv(sites, egress))
    server.shutdown()
    for site in sites.values():
        site.close()


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.category}:{c.id}")
def test_hostile_case(corpus, case):
    corpus.run(case)


def test_the_corpus_is_large_varied_and_named_once():
    every = [*CASES, *cases_admin.CASES, *cases_ssrf.CASES]
    ids = Counter(f"{c.category}:{c.id}" for c in every)
    assert [i for i, n in ids.items() if n > 1] == []
    per_category = Counter(c.category for c in every)
    assert sum(per_category.values()) >= 300, per_category
    assert len(per_category) == 7 and min(per_category.values()) >= 25, per_category
