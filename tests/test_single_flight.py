"""One fetch and one synthesis per page, whatever the crowd (issue 13, item 5).

However many ask for a new page at once, through threads of one process or through several
processes on one cache directory, the site is fetched once and each sentence is synthesized once;
an error is shared by the requests that waited for it and never remembered; HTML a page sent and a
visitor's selection never ride on the page's run. Real app, real threaded server, real subprocesses,
and a real loopback site that counts its fetches and holds them until every request is waiting, so
no assertion depends on timing.
"""
from __future__ import annotations

import http.server
import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from service import create_app
from service.reading.sites import parse_sites
from service.store.flights import Flights

from . import helpers
from .conftest import serve_directory
from .helpers import reading_text, wait_ready

ROOT = Path(__file__).resolve().parents[1]
ARTICLE = ("<html lang='sv'><body><nav>Meny</nav><main><h1>Simhallen öppnar igen</h1>"
           "<p>Simhallen öppnar efter renoveringen på måndag. Bastun är också ny. "
           "Entrén kostar femtio kronor för vuxna. Välkommen tillbaka!</p></main></body></html>")
FORGED = ("<html lang='sv'><body><main><h1>Falsk nyhet</h1>"
          "<p>Kommunen stänger alla skolor i morgon.</p></main></body></html>")
BOUND_S = 90.0  # only so that a broken build fails instead of hanging; never part of an assertion


class HeldSite:
    """A loopback site that counts the fetches of each path and can hold them until released."""

    def __init__(self, root: Path):
        self.root = root
        self.fetches: Counter[str] = Counter()
        self.open = threading.Event()
        self.open.set()
        self._lock = threading.Lock()
        site = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def log_message(self, format, *args):  # noqa: A002 - stdlib signature
                pass

            def guess_type(self, path):
                kind = super().guess_type(path)
                return "text/html; charset=utf-8" if kind == "text/html" else kind

            def do_GET(self):
                with site._lock:
                    site.fetches[self.path] += 1
                site.open.wait(BOUND_S)
                super().do_GET()

        self.server, self.origin = serve_directory(root, Handler)

    def put(self, name: str, html: str) -> str:
        (self.root / name).write_text(html, encoding="utf-8")
        return f"{self.origin}/{name}"

    def hold(self) -> None:
        self.open.clear()

    def release_when(self, condition: Callable[[], bool]) -> bool:
        """Answer the held fetches once `condition()` holds; whether it did."""
        met = until(condition)
        self.open.set()
        return met

    def close(self) -> None:
        self.open.set()
        self.server.shutdown()
        self.server.server_close()


def until(condition: Callable[[], bool]) -> bool:
    return helpers.until(condition, BOUND_S)


@pytest.fixture
def held_site_for(tmp_path):
    """make(app) -> a HeldSite on its own loopback server, allowed by `app`."""
    sites = []

    def make(app) -> HeldSite:
        root = tmp_path / f"held{len(sites)}"
        root.mkdir()
        site = HeldSite(root)
        sites.append(site)
        app.extensions["lyssna"].services.sites.extend(parse_sites(site.origin))
        return site

    yield make
    for site in sites:
        site.close()


@pytest.fixture
def held_site(app, held_site_for):
    return held_site_for(app)


def services_of(app):
    return app.extensions["lyssna"].services


def post(client, **body):
    return client.post("/api/v1/readings", json=body)


def start_together(calls: list[Callable[[], object]]) -> Callable[[], list[object]]:
    """Start the calls in threads of their own, all at once. Returns `results()`, which waits for
    them and gives what each returned (or raised), in order."""
    results: list[object] = [None] * len(calls)
    start = threading.Barrier(len(calls))

    def run(i: int) -> None:
        start.wait()
        try:
            results[i] = calls[i]()
        except Exception as e:  # reported by the assertions, not lost in a thread
            results[i] = e

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()

    def joined() -> list[object]:
        for t in threads:
            t.join(BOUND_S)
        return results

    return joined


def click(origin: str, url: str) -> tuple[int, dict]:
    """POST /api/v1/readings over HTTP, as a browser would: (status, JSON)."""
    req = urllib.request.Request(f"{origin}/api/v1/readings", data=json.dumps({"url": url}).encode(),
                                 headers={"Content-Type": "text/plain"})
    try:
        with urllib.request.urlopen(req, timeout=BOUND_S) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


# -- one process, many threads ---------------------------------------------------------------------


def test_200_concurrent_clicks_on_a_new_page_fetch_it_once_and_speak_each_sentence_once(
        app, client, live_app, held_site):
    url = held_site.put("nyhet.html", ARTICLE)
    services = services_of(app)
    crowd = 200
    held_site.hold()  # the first click's fetch waits until every other click waits for it
    answers = start_together([lambda: click(live_app, url)] * crowd)
    assert held_site.release_when(lambda: services.pages.waiting() == crowd - 1)
    answers = answers()
    assert [a for a in answers if not isinstance(a, tuple)] == []  # no connection failed
    assert {status for status, _ in answers} <= {200, 202}  # no 5xx, and no 429 either
    assert len({body["id"] for _, body in answers}) == 1
    assert held_site.fetches["/nyhet.html"] == 1
    reading = wait_ready(client, answers[0][1]["id"])
    assert reading["status"] == "ready" and "Bastun är också ny." in reading_text(reading)
    stats = services.readings.synthesizer.stats
    assert stats["jobs"] == 1 and stats["sentences"] == reading["sentence_count"]


def test_an_error_is_shared_by_the_requests_that_waited_for_it_and_not_remembered(app, held_site):
    url = f"{held_site.origin}/finns-inte.html"
    services = services_of(app)
    held_site.hold()
    n = 20
    results = start_together([lambda: post(app.test_client(), url=url)] * n)
    assert held_site.release_when(lambda: services.pages.waiting() == n - 1)
    results = results()
    assert {(r.status_code, r.get_json()["error"]) for r in results} == {(502, "http_error")}
    assert held_site.fetches["/finns-inte.html"] == 1
    later = post(app.test_client(), url=url)  # after the run: the site is asked again
    assert later.status_code == 502 and held_site.fetches["/finns-inte.html"] == 2


def test_posted_html_and_selections_never_ride_on_the_pages_run(app, client, held_site):
    """A request carrying the page's HTML shares the service's own fetch of the page, and reads its
    HTML only when that fetch failed, for itself alone; a selection is checked and read on its own."""
    app.config["POSTED_HTML_SITES"] = [held_site.origin]
    url = f"{held_site.origin}/intranat.html"  # not there yet: the service cannot fetch it
    services = services_of(app)

    held_site.hold()
    calls = [lambda: post(app.test_client(), url=url) for _ in range(4)]
    calls.append(lambda: post(app.test_client(), url=url, html=FORGED))
    results = start_together(calls)
    assert held_site.release_when(lambda: services.pages.waiting() == 4)
    results = results()
    assert [r.status_code for r in results[:4]] == [502] * 4  # the sent HTML was not theirs
    sent = results[4].get_json()
    assert results[4].status_code == 202 and sent["source"] == "sent"
    assert held_site.fetches["/intranat.html"] == 1

    held_site.put("intranat.html", ARTICLE)  # now the service can fetch the page
    held_site.hold()
    calls = [lambda: post(app.test_client(), url=url) for _ in range(3)]
    calls.append(lambda: post(app.test_client(), url=url, html=FORGED))
    calls.append(lambda: post(app.test_client(), url=url, text="Bastun är också ny."))
    results = start_together(calls)
    assert held_site.release_when(lambda: services.pages.waiting() == 3)  # the selection is not among them
    results = results()
    page = [r.get_json() for r in results[:4]]
    assert {r["id"] for r in page} == {page[0]["id"]} and page[0]["id"] != sent["id"]
    assert {r["source"] for r in page} == {"page"}
    assert "skolor" not in reading_text(wait_ready(client, page[0]["id"]))
    selection = results[4].get_json()
    assert selection["source"] == "selection" and selection["id"] != page[0]["id"]
    assert held_site.fetches["/intranat.html"] == 3  # the first run, this run, the selection's check
    again = post(client, url=url, html=FORGED).get_json()  # remembered: the page, never what was sent
    assert again["id"] == page[0]["id"] and held_site.fetches["/intranat.html"] == 3


def test_one_clients_limit_is_not_handed_to_the_others_waiting(tmp_path, held_site_for):
    app = create_app({"TESTING": True, "SITES": [], "CACHE_DIR": str(tmp_path / "c"),
                      "CLIENT_READINGS_PER_MINUTE": 1, "TRUSTED_PROXIES": ["127.0.0.1"]})
    site = held_site_for(app)
    spent, url = site.put("forra.html", FORGED), site.put("nyhet.html", ARTICLE)

    def ask(address: str, page: str):
        return app.test_client().post("/api/v1/readings", json={"url": page},
                                      headers={"X-Forwarded-For": address})

    assert ask("198.51.100.1", spent).status_code == 202  # this client's one new reading this minute
    site.hold()
    over = start_together([lambda: ask("198.51.100.1", url)])
    assert until(lambda: site.fetches["/nyhet.html"] == 1)  # the client over its limit runs the fetch
    other = start_together([lambda: ask("198.51.100.2", url)])
    assert site.release_when(lambda: services_of(app).pages.waiting() == 1)
    over, other = over()[0], other()[0]
    assert over.status_code == 429 and other.status_code == 202  # not the other visitor's limit
    assert [r.id for r in services_of(app).store.for_url(url)] == [other.get_json()["id"]]


def test_an_admins_regenerate_joins_a_fetch_already_under_way(tmp_path, held_site_for):
    app = create_app({"TESTING": True, "SITES": [], "CACHE_DIR": str(tmp_path / "c"),
                      "ADMIN_PASSWORD": "hemligt"})
    site = held_site_for(app)
    url = site.put("nyhet.html", ARTICLE)
    site.hold()
    calls = [lambda: post(app.test_client(), url=url),
             lambda: app.test_client().post("/api/v1/admin/pages", json={"url": url},
                                            headers={"Authorization": "Bearer hemligt"})]
    results = start_together(calls)
    assert site.release_when(lambda: services_of(app).pages.waiting() == 1)
    results = results()
    assert results[0].get_json()["id"] == results[1].get_json()["id"]
    assert site.fetches["/nyhet.html"] == 1
    regenerated = app.test_client().post("/api/v1/admin/pages", json={"url": url},
                                         headers={"Authorization": "Bearer hemligt"})
    assert regenerated.status_code in (200, 202) and site.fetches["/nyhet.html"] == 2  # nothing under way


# -- several processes on one cache directory ------------------------------------------------------


def ask_from_another_process(app, site: HeldSite, url: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "tests.flight_runner", app.config["CACHE_DIR"], site.origin, url]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)


@pytest.mark.parametrize("page", ["nyhet.html", "finns-inte.html"])
def test_a_page_another_process_is_fetching_is_waited_for_not_fetched_again(app, client, held_site, page):
    """The other process holds the page's lock while its fetch is held at the site; this process
    asks for the same page (memo off: only the run under way can spare the fetch) and waits."""
    app.config["PAGE_MEMO_S"] = 0
    if page == "nyhet.html":
        held_site.put(page, ARTICLE)
    url = f"{held_site.origin}/{page}"
    held_site.hold()
    other = ask_from_another_process(app, held_site, url)
    try:
        assert until(lambda: held_site.fetches[f"/{page}"] == 1)  # its fetch, held at the site
        mine = start_together([lambda: post(client, url=url)])
        assert held_site.release_when(lambda: services_of(app).pages.waiting() == 1)
        mine = mine()
        theirs = json.loads(other.communicate(timeout=BOUND_S)[0].splitlines()[-1])
    finally:
        if other.poll() is None:
            other.kill()
    answer = mine[0].get_json()
    assert held_site.fetches[f"/{page}"] == 1
    if page == "nyhet.html":
        assert mine[0].status_code in (200, 202) and answer["id"] == theirs["id"]
        assert wait_ready(client, answer["id"])["status"] == "ready"
    else:
        assert (mine[0].status_code, answer["error"]) == (502, "http_error")
        assert (theirs["status"], theirs["error"]) == (502, "http_error")
        later = post(client, url=url)  # the error is not remembered
        assert later.status_code == 502 and held_site.fetches[f"/{page}"] == 2


def test_a_page_another_process_read_moments_ago_is_not_fetched_again(app, client, held_site):
    url = held_site.put("nyhet.html", ARTICLE)
    theirs = json.loads(ask_from_another_process(app, held_site, url).communicate(timeout=BOUND_S)[0])
    mine = post(client, url=url)  # within PAGE_MEMO_S: the other process's reading, no fetch
    assert mine.status_code == 200 and mine.get_json()["id"] == theirs["id"]
    assert held_site.fetches["/nyhet.html"] == 1


def test_a_remembered_page_is_not_served_once_its_site_is_no_longer_allowed(app, client, held_site):
    url = held_site.put("nyhet.html", ARTICLE)
    assert post(client, url=url).status_code == 202
    services_of(app).sites.clear()  # as another process on the cache directory might be configured
    refused = post(client, url=url)
    assert refused.status_code == 403 and refused.get_json()["error"] == "site_not_allowed"


def test_a_lock_held_too_long_is_given_up_on(tmp_path):
    flights = Flights(tmp_path)
    stuck = flights.try_lock("d" * 64)  # a holder that never lets go
    try:
        assert flights.lock("d" * 64, 0.05) is None  # the waiter goes on without it
    finally:
        stuck.release()
    flights.lock("d" * 64, 0.05).release()


def test_stale_flight_files_are_pruned_and_a_held_lock_never_is(tmp_path):
    flights = Flights(tmp_path)
    old, busy = "a" * 64, "b" * 64
    for key in (old, busy):
        flights.publish(key, {"id": "c" * 64})
        flights.try_lock(key).release()
    long_ago = time.time() - 7200
    for path in flights.dir.iterdir():
        os.utime(path, (long_ago, long_ago))
    holding = flights.try_lock(busy)  # another run of `busy` is under way
    try:
        assert flights.prune(3600, force=True) == 3  # both outcomes and the free lock file
        assert flights.outcome(old) is None and not (flights.dir / f"{old}.lock").exists()
        assert (flights.dir / f"{busy}.lock").exists() and flights.try_lock(busy) is None
    finally:
        holding.release()


# -- pages planned in turn -------------------------------------------------------------------------


def test_pages_are_planned_in_turn_and_a_long_one_holds_the_next_at_most_a_second(client, fixture_site):
    """Planning is one page at a time per process (side by side, a rush all finished at the end);
    a page whose planning takes long (held here) delays the next by at most TURN_WAIT_S."""
    from service.reading import create

    assert create._TURN.acquire(timeout=5)  # another page's planning, taking long
    try:
        started = time.monotonic()
        r = client.post("/api/v1/readings", json={"url": f"{fixture_site}/03-bibliotek-oppettider.html"})
        waited = time.monotonic() - started
    finally:
        create._TURN.release()
    assert r.status_code in (200, 202) and r.get_json()["audio_url"]
    assert waited >= create.TURN_WAIT_S
    started = time.monotonic()
    r = client.post("/api/v1/readings", json={"url": f"{fixture_site}/05-ny-vardcentral-ekeby.html"})
    assert r.status_code in (200, 202) and time.monotonic() - started < create.TURN_WAIT_S  # its turn at once
