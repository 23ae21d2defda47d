"""The refresh schedule: a loopback site that honours ETag / If-None-Match and Last-Modified /
If-Modified-Since; an untouched page answers 304 and nothing is synthesized, an edited page is
regenerated with only its changed sentences synthesized, markup-only changes are "unchanged", a page
answering 410 is purged; `lyssna refresh` prints the summary and `lyssna worker` runs the schedule."""
from __future__ import annotations

import hashlib
import os
import re
import signal
import subprocess
import sys
import time
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from service import config as config_mod
from service.reading.create import generate_page
from service.reading.fetch import fetch_if_changed
from service.reading.services import build_services
from service.work.refresh import PageStates, last_summary, run_pass

from .conftest import serve_directory
from .site_builder import SiteHandler, build_site, edit_paragraph

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class ValidatingHandler(SiteHandler):
    """Static files with ETag and Last-Modified, answering conditional GETs with 304 like a real
    server; paths in `server.lm_only` send no ETag, paths in `server.gone` answer 410."""

    def do_GET(self):  # noqa: N802 - http.server's naming
        path = urlsplit(self.path).path
        inm, ims = self.headers.get("If-None-Match"), self.headers.get("If-Modified-Since")
        file = Path(self.translate_path(self.path))
        if path in self.server.gone:
            status = 410
        elif not file.is_file():
            status = 404
        else:
            status = 200
        if status != 200:
            self.server.requests.append((path, inm, ims, status))
            self.send_error(status)
            return
        data = file.read_bytes()
        mtime = int(file.stat().st_mtime)
        etag = None if path in self.server.lm_only else '"' + hashlib.sha1(data).hexdigest()[:16] + '"'
        if inm is not None and etag is not None:
            fresh = inm == etag
        else:
            fresh = ims is not None and parsedate_to_datetime(ims).timestamp() >= mtime
        self.server.requests.append((path, inm, ims, 304 if fresh else 200))
        self.send_response(304 if fresh else 200)
        if etag:
            self.send_header("ETag", etag)
        self.send_header("Last-Modified", formatdate(mtime, usegmt=True))
        if fresh:
            self.end_headers()
            return
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def site(tmp_path):
    (tmp_path / "site").mkdir()
    server, origin = serve_directory(tmp_path / "site", ValidatingHandler)
    server.requests, server.gone, server.lm_only = [], set(), set()
    info = build_site(tmp_path / "site", 4, origin=origin)
    info.server = server
    server.lm_only.add(urlsplit(info.page_urls[1]).path)
    yield info
    info.close()


def services_for(tmp_path, site):
    return build_services(config_mod.load_config({"CACHE_DIR": str(tmp_path / "cache"), "SITES": [site.origin]}))


def synthesized(services) -> int:
    return services.readings.synthesizer.stats["sentences"]


def conditional(site) -> list[tuple]:
    """Requests since the last call: (path, If-None-Match, If-Modified-Since, status)."""
    seen = list(site.server.requests)
    site.server.requests.clear()
    return seen


def test_fetch_if_changed_sends_validators_and_understands_304_and_410(site):
    url = site.page_urls[0]
    first = fetch_if_changed(url, [site.origin])
    assert first.status == 200 and first.page is not None and first.etag and first.last_modified
    again = fetch_if_changed(url, [site.origin], etag=first.etag, last_modified=first.last_modified)
    assert again.not_modified and again.page is None and again.etag == first.etag
    # A server that sends only Last-Modified: its own date back (the site's files may be a second apart).
    lm_first = fetch_if_changed(site.page_urls[1], [site.origin])
    assert lm_first.etag is None and lm_first.last_modified
    lm = fetch_if_changed(site.page_urls[1], [site.origin], last_modified=lm_first.last_modified)
    assert lm.etag is None and lm.not_modified
    site.server.gone.add(urlsplit(url).path)
    assert fetch_if_changed(url, [site.origin], etag=first.etag).gone
    # The same safety as any fetch: a site outside the allow-list is refused before connecting.
    from service.errors import SiteNotAllowed

    with pytest.raises(SiteNotAllowed):
        fetch_if_changed("http://127.0.0.1:9/x.html", ["https://www.kommun.se"])
    # A stored validator never smuggles a header line into the request.
    r = fetch_if_changed(site.page_urls[2], [site.origin], etag='"x"\r\nX-Evil: 1')
    assert r.status == 200 and conditional(site)[-1][1] is None


def test_refresh_regenerates_only_what_changed_and_purges_gone_pages(site, tmp_path):
    services = services_for(tmp_path, site)
    for url in site.page_urls:  # the pages have audio, as after visits or a pre-generation
        assert generate_page(services, url)["outcome"] == "new"
    conditional(site)

    # First pass: nothing remembered yet, so every page is fetched; the audio is all there.
    before = synthesized(services)
    first = run_pass(services)
    assert (first.checked, first.unchanged, first.regenerated, first.failed) == (4, 4, 0, 0), first
    assert synthesized(services) == before and first.sentences_synthesized == 0
    assert all(inm is None and ims is None for _, inm, ims, _ in conditional(site))

    # Nothing changed: every page answers 304 (ETag, or Last-Modified for the page without one).
    second = run_pass(services)
    assert (second.checked, second.not_modified, second.sentences_synthesized) == (4, 4, 0), second
    requests = conditional(site)
    assert [status for *_, status in requests] == [304] * 4
    lm_only = [r for r in requests if r[0] in site.server.lm_only]
    assert lm_only and lm_only[0][1] is None and lm_only[0][2]  # If-Modified-Since alone
    assert all(inm for path, inm, _, _ in requests if path not in site.server.lm_only)
    assert synthesized(services) == before

    # Page 3 edited (one paragraph), page 1 changed only in markup, page 4 deleted (410).
    edited = edit_paragraph(site, 3)
    page1 = site.page(1).path
    page1.write_text(page1.read_text(encoding="utf-8").replace("</body>", "<!-- ny build --></body>"),
                     encoding="utf-8")
    gone_url = site.page_urls[3]
    assert services.store.for_url(gone_url)
    gone_key = services.store.for_url(gone_url)[0].audio_key
    site.server.gone.add(urlsplit(gone_url).path)
    audio_before = {p.name for p in services.cache.audio_dir.glob("*.mp3")}

    before = synthesized(services)
    third = run_pass(services)
    assert (third.checked, third.not_modified, third.unchanged, third.regenerated, third.gone,
            third.failed) == (4, 1, 1, 1, 1, 0), third
    assert third.regenerated_urls == [edited.url] and third.gone_urls == [gone_url]
    made = synthesized(services) - before
    assert made == third.sentences_synthesized
    changed_sentences = len(re.findall(r"[.!?](\s|$)", edited.new_text))
    assert 1 <= made <= changed_sentences, (made, edited.new_text)
    # The edited page has new audio; the gone page's readings and audio were purged.
    assert not services.store.for_url(gone_url)
    assert not services.cache.is_complete(gone_key)
    new_audio = {p.name for p in services.cache.audio_dir.glob("*.mp3")} - audio_before
    assert len(new_audio) == 1
    assert gone_url not in PageStates(services.config["CACHE_DIR"]).urls()

    # And once more: all quiet again; the gone page is no longer checked.
    fourth = run_pass(services)
    assert (fourth.checked, fourth.not_modified, fourth.sentences_synthesized) == (3, 3, 0), fourth
    assert last_summary(services.config["CACHE_DIR"])["not_modified"] == 3


def test_lyssna_refresh_prints_a_summary(site, tmp_path):
    services = services_for(tmp_path, site)
    for url in site.page_urls[:2]:
        generate_page(services, url)
    site.server.gone.add(urlsplit(site.page_urls[1]).path)
    env = {**os.environ, "PYTHONPATH": ROOT, "LYSSNA_CACHE_DIR": str(tmp_path / "cache"),
           "LYSSNA_SITES": site.origin}
    env.pop("LYSSNA_REDIS_URL", None)
    r = subprocess.run([sys.executable, "-m", "service.cli", "refresh", "--quiet"], env=env,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    assert ("Kontrollerade / checked 2: 0 ej ändrade (304) / not modified, 1 oförändrade / unchanged, "
            "0 förnyade / regenerated, 1 borttagna (404/410) / gone, 0 misslyckade / failed; "
            "0 meningar syntetiserade") in r.stdout, r.stdout
    assert f"gone, audio purged: {site.page_urls[1]}" in r.stdout
    r = subprocess.run([sys.executable, "-m", "service.cli", "refresh"], env=env,
                       capture_output=True, text=True, timeout=300)
    assert "Kontrollerade / checked 1: 1 ej ändrade (304)" in r.stdout, r.stdout
    assert f"not_modified: {site.page_urls[0]}" in r.stdout


def test_the_worker_runs_the_refresh_schedule(site, tmp_path):
    services = services_for(tmp_path, site)
    generate_page(services, site.page_urls[0])
    conditional(site)
    env = {**os.environ, "PYTHONPATH": ROOT, "LYSSNA_CACHE_DIR": str(tmp_path / "cache"),
           "LYSSNA_SITES": site.origin, "LYSSNA_REFRESH_HOURS": "24"}
    env.pop("LYSSNA_REDIS_URL", None)
    log = tmp_path / "worker.log"
    worker = subprocess.Popen([sys.executable, "-m", "service.cli", "worker", "--workers", "1"], env=env,
                              stdout=open(log, "ab"), stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while last_summary(tmp_path / "cache") is None:
            assert time.monotonic() < deadline and worker.poll() is None, log.read_text()
            time.sleep(0.2)
        time.sleep(4)  # a few heartbeats later: still one pass, not one per beat
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=15)
    summary = last_summary(tmp_path / "cache")
    assert (summary["checked"], summary["unchanged"]) == (1, 1)
    assert len(conditional(site)) == 1
    assert "refresh every 24 h" in log.read_text()


def test_refresh_reads_a_page_again_with_the_selectors_it_was_asked_with(site, tmp_path):
    """A site whose player sends `data-skip` gets refreshed audio for that same text, not for the
    whole page: the reading remembers how it was asked for."""
    from service.reading.extract import extract

    services = services_for(tmp_path, site)
    url = site.page_urls[0]
    title = extract(site.page(1).path.read_text(encoding="utf-8"), url).title
    assert title
    first = generate_page(services, url, {"skip": "h1"})
    assert first["outcome"] == "new"
    run_pass(services)  # learns the validators and the text's hash
    edited = edit_paragraph(site, 1)
    summary = run_pass(services)
    assert (summary.checked, summary.regenerated) == (1, 1)
    readings = [services.readings.get(stored.id) for stored in services.store.for_url(url)]
    texts = [[s["text"] for b in r["blocks"] for s in b["sentences"]] for r in readings]
    fresh = [t for t in texts if any(edited.new_text.split(":")[0] in s for s in t)]
    assert len(fresh) == 1, "the edited text was read again"
    heading = title.split("?")[0]  # the heading's first sentence
    assert heading not in " ".join(fresh[0]), "and still without the skipped heading"
    assert all(heading not in " ".join(t) for t in texts)


def test_a_page_is_refreshed_with_the_voice_it_was_asked_for(site, tmp_path):
    """Asking for the default voice by name means no per-language voices, unlike asking for none;
    a refresh pass renews a reading as it was asked for, not as a guess from its plan."""
    from service.work.refresh import known_pages

    services = services_for(tmp_path, site)
    url = site.page_urls[2]
    assert generate_page(services, url, {"voice": "espeak:sv"})["outcome"] == "new"
    assert known_pages(services)[url] == [{"rate": 1.0, "voice": "espeak:sv"}]
    other = site.page_urls[3]
    generate_page(services, other)
    assert known_pages(services)[other] == [{"rate": 1.0}]
