"""The HTTP API end to end: real fetch from a loopback server, real extraction, real espeak-ng, real MP3."""
from __future__ import annotations

import json
import re
import threading

import pytest

from service import create_app

from .conftest import expected_lines
from .helpers import all_sentences, decode_mp3, reading_text, rms, wait_ready

PAGE01 = "01-sormland-jobbar-smartare"


def post(client, **body):
    return client.post("/api/v1/readings", json=body)


@pytest.fixture
def page01_url(fixture_site):
    return f"{fixture_site}/{PAGE01}.html"


def test_page01_is_read_in_swedish_with_accurate_timings(client, page01_url):
    r = post(client, url=page01_url)
    assert r.status_code == 202
    first = r.get_json()
    assert first["status"] == "generating"
    assert first["audio_url"] == f"/audio/{first['id']}.mp3"
    reading = wait_ready(client, first["id"])
    assert reading["status"] == "ready"
    assert reading["voice"] == "espeak:sv"
    assert reading["lang"] == "sv"

    text = reading_text(reading)
    assert reading["blocks"][0]["kind"] == "heading"
    assert all_sentences(reading)[0]["text"] == "Jobbar vi smartare i Sörmland, eller?"
    assert "Det säger Birgitta Lundh, på Regionförbundet Sörmland" in text
    assert "070-649 74 88" in text
    for unwanted in ("Meny", "Lyssna på sidan", "Kontaktperson", "Ladda hem pressmeddelandet"):
        assert unwanted not in text
    # Every expected line of the page is read, in order.
    joined = " ".join(text.split())
    pos = 0
    for line in expected_lines(PAGE01):
        first_words = " ".join(line.split()[:4])
        found = joined.find(first_words, pos)
        assert found >= 0, f"missing or out of order: {line!r}"
        pos = found
    # Spoken text is normalized Swedish: no digits left for espeak-ng to spell out.
    phone = next(s for s in all_sentences(reading) if "070-649" in s["text"])
    assert not any(ch.isdigit() for ch in phone["spoken"])
    assert "d v s" not in " ".join(s["spoken"] for s in all_sentences(reading))

    audio = client.get(reading["audio_url"])
    assert audio.status_code == 200
    assert audio.mimetype == "audio/mpeg"
    samples, rate, duration = decode_mp3(audio.data)
    assert abs(duration - reading["duration_ms"]) <= 0.02 * reading["duration_ms"]
    assert rms(samples) > 300, "audio is silence"
    # Timings are monotonic and inside the audio; each sentence has sound in it.
    spans = [(s["start_ms"], s["end_ms"]) for s in all_sentences(reading)]
    for (s0, e0), (s1, _e1) in zip(spans, spans[1:]):
        assert s0 < e0 <= s1
    assert spans[-1][1] <= reading["duration_ms"]
    for start, end in spans:
        seg = samples[int(start * rate / 1000): int(end * rate / 1000)]
        assert rms(seg) > 300
    # Between two blocks there is a real pause (silence).
    gap_start, gap_end = spans[0][1], spans[1][0]
    assert gap_end - gap_start >= 500
    gap = samples[int((gap_start + 60) * rate / 1000): int((gap_end - 60) * rate / 1000)]
    assert rms(gap) < 100


def test_cached_reading_is_served_without_synthesizing_again(app, client, page01_url, app_config):
    first = post(client, url=page01_url).get_json()
    wait_ready(client, first["id"])
    gen = app.extensions["lyssna"].services.readings.synthesizer
    jobs = gen.stats["jobs"]
    again = post(client, url=page01_url)
    assert again.status_code == 200
    assert again.get_json()["status"] == "ready"
    assert again.get_json()["id"] == first["id"]
    assert gen.stats["jobs"] == jobs
    totals = app.extensions["lyssna"].services.activity.totals()  # what the admin dashboard shows
    assert totals["generated"] == 1 and totals["hits"] == 1 and totals["misses"] == 1
    assert totals["audio_ms"] > 60_000

    # A restart (new app, same cache directory) serves what is there.
    app2 = create_app(app_config)
    c2 = app2.test_client()
    r = c2.get(f"/api/v1/readings/{first['id']}")
    assert r.status_code == 200 and r.get_json()["status"] == "ready"
    r = post(c2, url=page01_url)
    assert r.status_code == 200
    assert app2.extensions["lyssna"].services.readings.synthesizer.stats["jobs"] == 0
    assert c2.get(first["audio_url"]).status_code == 200


def test_concurrent_requests_synthesize_once(app, client, fixture_site):
    url = f"{fixture_site}/07-fardtjanst-avgifter.html"
    results = []

    def go():
        with app.test_client() as c:
            results.append(post(c, url=url).get_json())

    threads = [threading.Thread(target=go) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({r["id"] for r in results}) == 1
    wait_ready(client, results[0]["id"])
    gen = app.extensions["lyssna"].services.readings.synthesizer
    assert gen.stats["jobs"] == 1
    assert 0 < gen.stats["sentences"] <= results[0]["sentence_count"]


def test_audio_streams_while_generating_and_equals_final_file(client, fixture_site):
    r = post(client, url=f"{fixture_site}/09-spara-energi-hemma.html")
    assert r.status_code == 202
    reading_id = r.get_json()["id"]
    streamed = client.get(f"/audio/{reading_id}.mp3")  # blocks until the stream ends
    assert streamed.status_code == 200
    reading = wait_ready(client, reading_id)
    final = client.get(reading["audio_url"])
    assert streamed.data == final.data
    _, _, duration = decode_mp3(streamed.data)
    assert abs(duration - reading["duration_ms"]) <= 0.02 * reading["duration_ms"]


def test_range_etag_and_caching_headers(client, page01_url):
    reading = wait_ready(client, post(client, url=page01_url).get_json()["id"])
    full = client.get(reading["audio_url"])
    assert full.headers["Cache-Control"].startswith("public, max-age=31536000")
    etag = full.headers["ETag"]
    part = client.get(reading["audio_url"], headers={"Range": "bytes=100-1099"})
    assert part.status_code == 206
    assert part.data == full.data[100:1100]
    assert part.headers["Content-Range"] == f"bytes 100-1099/{len(full.data)}"
    tail = client.get(reading["audio_url"], headers={"Range": "bytes=-500"})
    assert tail.status_code == 206 and tail.data == full.data[-500:]
    again = client.get(reading["audio_url"], headers={"If-None-Match": etag})
    assert again.status_code == 304
    download = client.get(reading["audio_url"] + "?download=1")
    assert download.headers["Content-Disposition"].startswith("attachment")


@pytest.mark.parametrize(
    "body, status, code",
    [
        ("{not json", 400, "malformed"),
        ("[1, 2]", 400, "malformed"),
        ("{}", 400, "missing_url"),
        ('{"url": ""}', 400, "missing_url"),
        ('{"url": 42}', 400, "missing_url"),
        ('{"url": "ftp://example.se/x"}', 400, "bad_url"),
        ('{"url": "javascript:alert(1)"}', 400, "bad_url"),
        ('{"url": "https://www.example.se/"}', 403, "site_not_allowed"),
        ('{"url": "http://169.254.169.254/latest/meta-data/"}', 403, "site_not_allowed"),
        ('{"url": "@SITE@/01-sormland-jobbar-smartare.html", "rate": 9}', 400, "bad_rate"),
        ('{"url": "@SITE@/01-sormland-jobbar-smartare.html", "voice": "espeak:xx-nope"}', 400, "unknown_voice"),
        ('{"url": "@SITE@/does-not-exist.html"}', 502, "http_error"),
        ('{"url": "@SITE@/MANIFEST.json"}', 502, "not_html"),
        ('{"url": "@SITE@/x", "html": "<html><body><p>Inte sidan</p></body></html>"}', 502, "http_error"),
    ],
)
def test_errors_are_json_with_the_right_status(client, fixture_site, body, status, code):
    r = client.post("/api/v1/readings", data=body.replace("@SITE@", fixture_site),
                    content_type="application/json")
    assert r.status_code == status, r.data
    err = r.get_json()
    assert err["error"] == code
    assert isinstance(err["message"], str) and len(err["message"]) > 10


def test_a_page_with_nothing_to_read_is_422(client, page_site):
    url = page_site.put("tom.html", "<html><body><nav>Meny</nav><p hidden>Dold</p></body></html>")
    r = post(client, url=url)
    assert r.status_code == 422 and r.get_json()["error"] == "nothing_to_read"


def test_body_too_large_is_413(client, fixture_site):
    big = json.dumps({"url": f"{fixture_site}/x", "html": "<p>" + "å" * (7 * 1024 * 1024) + "</p>"})
    r = client.post("/api/v1/readings", data=big, content_type="application/json")
    assert r.status_code == 413
    assert r.get_json()["error"] == "too_large"


def test_page_sent_as_html_is_read(app, client, fixture_site):
    """A page the service cannot fetch (an intranet page; here a 404) is read from the HTML it
    sends, when its site may send its own (LYSSNA_POSTED_HTML_SITES), and the reading says so."""
    app.config["POSTED_HTML_SITES"] = [fixture_site]
    html = ("<html lang='sv'><body><main><h1>Öppettider</h1>"
            "<p>Vi har öppet kl. 8–17, t.ex. på måndagar.</p></main></body></html>")
    r = post(client, url=f"{fixture_site}/intranat.html", html=html)
    assert r.status_code == 202
    reading = wait_ready(client, r.get_json()["id"])
    assert reading["source"] == "sent"
    spoken = " ".join(s["spoken"] for s in all_sentences(reading))
    assert "till exempel" in spoken and "klockan" in spoken


def test_unknown_reading_and_audio_are_404(client):
    assert client.get("/api/v1/readings/" + "0" * 32).status_code == 404
    assert client.get("/api/v1/readings/../../etc/passwd").status_code == 404
    r = client.get("/audio/" + "0" * 32 + ".mp3")
    assert r.status_code == 404 and r.get_json()["error"] == "not_found"


def test_cors_allows_exactly_the_listed_origins(client, fixture_site):
    pre = client.options("/api/v1/readings", headers={
        "Origin": fixture_site, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert pre.status_code == 204
    assert pre.headers["Access-Control-Allow-Origin"] == fixture_site
    assert "POST" in pre.headers["Access-Control-Allow-Methods"]
    assert "Access-Control-Allow-Credentials" not in pre.headers
    other = client.options("/api/v1/readings", headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
    assert "Access-Control-Allow-Origin" not in other.headers


def test_listen_page_works_without_javascript(client, page01_url):
    r = client.get("/listen", query_string={"url": page01_url})
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert "<audio controls" in html
    assert "Jobbar vi smartare i Sörmland, eller?" in html
    assert "download=1" in html
    # One script of our own, deferred, for sentence highlighting; everything above works without it.
    assert re.findall(r"<script[^>]*>", html) == ['<script src="/listen.js" defer>']
    assert client.get("/listen.js").mimetype == "text/javascript"
    # Headings and lists keep their roles for a screen reader, without JavaScript.
    assert re.search(r'<h3 class="kind-heading"[^>]*><span data-sentence="0"[^>]*>Jobbar vi smartare', html)
    bad = client.get("/listen", query_string={"url": "https://www.example.se/"})
    assert bad.status_code == 403
    assert "inte" in bad.get_data(as_text=True)


def test_listen_page_keeps_lists_and_headings_as_lists_and_headings(client, page_site):
    url = page_site.put("lista.html", "<html lang='sv'><body><main><h1>Så ansöker du</h1><p>Gör så här.</p>"
                                      "<ol><li>Fyll i blanketten.</li><li>Skicka den.</li></ol><p>Klart.</p>"
                                      "<ul><li>Ett kom ihåg.</li></ul></main></body></html>")
    html = client.get("/listen", query_string={"url": url}).get_data(as_text=True)
    assert re.search(r'<h3 class="kind-heading"[^>]*><span data-sentence="0"[^>]*>Så ansöker du', html)
    items = re.findall(r"<(ol|ul)>\s*((?:<li[^>]*>.*?</li>\s*)+)</\1>", html, re.S)
    assert [(tag, len(re.findall("<li", group))) for tag, group in items] == [("ol", 2), ("ul", 1)]
    assert re.search(r'<p class="kind-paragraph" lang="sv">(<a class="from"[^>]*>.*?</a>)?'
                     r'<span data-sentence="4" id="s4">Klart.</span>', html)


def test_listen_error_page_escapes_input(client):
    r = client.get("/listen", query_string={"url": "javascript:alert('<b>x</b>')"})
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    assert "<b>x</b>" not in html and "javascript:" not in html


def test_healthz_reports_engine_and_voices(client):
    r = client.get("/healthz")
    assert r.status_code == 200
    body = r.get_json()
    assert body["status"] == "ok"
    assert body["engines"]["espeak"]["state"] == "ok"
    assert "espeak:sv" in body["voices"]


def test_demo_page_embeds_the_player_and_can_be_read(app, client):
    app.config["DEMO"] = True  # on by default only while LYSSNA_SITES is empty
    assert client.get("/").headers["Location"].endswith("/demo/")
    r = client.get("/demo/")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    page_url = app.config["PUBLIC_URL"] + "/demo/"
    assert f'<lyssna-player url="{page_url}">' in html and 'src="/widget.js"' in html
    assert "/listen?url=" in html
    assert "readspeaker.com/script" not in html  # no third-party scripts in the demo
    reading = post(client, url=page_url).get_json()
    reading = wait_ready(client, reading["id"])
    assert all_sentences(reading)[0]["text"] == "Jobbar vi smartare i Sörmland, eller?"
    js = client.get("/widget.js")
    assert js.status_code == 200 and js.mimetype == "text/javascript"


def test_rate_changes_the_speech_and_the_reading(client, app, fixture_site):
    url = f"{fixture_site}/06-kokningsrekommendation-upphavd.html"
    normal = wait_ready(client, post(client, url=url).get_json()["id"])
    fast = wait_ready(client, post(client, url=url, rate=1.5).get_json()["id"])
    assert fast["id"] != normal["id"]
    assert fast["duration_ms"] < 0.8 * normal["duration_ms"]
    app.config["RATE"] = 1.5  # the service default (LYSSNA_RATE) applies when a request gives none
    assert post(client, url=url).get_json()["id"] == fast["id"]


def test_an_edited_page_synthesizes_only_the_changed_sentences(app, client, page_site):
    gen = app.extensions["lyssna"].services.readings.synthesizer
    app.config["PAGE_MEMO_S"] = 0  # read the edit at once
    page = ("<html lang='sv'><body><main><h1>Nyheter från kommunen</h1>"
            "<p>Biblioteket har nya öppettider. Simhallen stänger för renovering.</p>"
            "<p>{last}</p></main></body></html>")
    url = page_site.put("nyheter.html", page.format(last="Välkommen in!"))
    first = wait_ready(client, post(client, url=url).get_json()["id"])
    made = gen.stats["sentences"]
    assert made == 4
    page_site.put("nyheter.html", page.format(last="Välkommen in till oss!"))
    edited = post(client, url=url)
    assert edited.status_code == 202
    second = wait_ready(client, edited.get_json()["id"])
    assert second["id"] != first["id"]
    assert gen.stats["sentences"] == made + 1  # only the edited sentence was spoken again
    assert gen.stats["jobs"] == 2
    samples, _, duration = decode_mp3(client.get(second["audio_url"]).data)
    assert abs(duration - second["duration_ms"]) <= 0.02 * second["duration_ms"]


def test_words_are_timed_and_point_into_the_written_sentence(client, page_site):
    url = page_site.put("ring.html", "<html lang='sv'><body><main><p>Ring 070-649 74 88 före kl. 18.30, "
                                     "t.ex. på måndag.</p></main></body></html>")
    reading = wait_ready(client, post(client, url=url).get_json()["id"])
    sentence = all_sentences(reading)[0]
    words = [sentence["text"][w["offset"]: w["offset"] + w["length"]] for w in sentence["words"]]
    assert words == ["Ring", "070-649 74 88", "före", "kl.", "18.30", "t.ex.", "på", "måndag"]
    times = [w["start_ms"] for w in sentence["words"]]
    assert times == sorted(times)
    assert sentence["start_ms"] <= times[0] and times[-1] < sentence["end_ms"]


def test_a_selection_is_read_on_its_own(client, fixture_site):
    url = f"{fixture_site}/01-sormland-jobbar-smartare.html"
    r = post(client, url=url, text="Inte minst att identifiera vilka de är.\n  Men även att identifiera vad de "
                                   "kan få ut av den regionala nivån", lang="sv")
    reading = wait_ready(client, r.get_json()["id"])
    assert [s["text"] for s in all_sentences(reading)] == [
        "Inte minst att identifiera vilka de är.", "Men även att identifiera vad de kan få ut av den regionala nivån"]
    assert reading["source"] == "selection"
    assert post(client, url="https://www.example.se/", text="Hej").status_code == 403
    assert post(client, url=url, text="x" * 5001).status_code == 413
    assert post(client, url=url, text="Hej", lang="<script>").status_code == 400


def test_a_page_read_moments_ago_is_not_fetched_again(app, client, tmp_path):
    from .conftest import serve_directory

    (tmp_path / "sida.html").write_text("<main><h1>Nyheter</h1><p>Första versionen.</p></main>", encoding="utf-8")
    server, origin = serve_directory(tmp_path)
    try:
        app.extensions["lyssna"].services.sites.extend(__import__("service.reading.sites", fromlist=["x"]).parse_sites(origin))
        url = f"{origin}/sida.html"
        first = wait_ready(client, post(client, url=url).get_json()["id"])
        (tmp_path / "sida.html").write_text("<main><h1>Nyheter</h1><p>Andra versionen.</p></main>", encoding="utf-8")
        again = post(client, url=url)
        assert again.status_code == 200 and again.get_json()["id"] == first["id"]  # within PAGE_MEMO_S
        app.config["PAGE_MEMO_S"] = 0
        edited = post(client, url=url)
        assert edited.status_code == 202 and edited.get_json()["id"] != first["id"]
    finally:
        server.shutdown()


def test_list_numbers_and_table_headers_are_spoken_not_written(client, fixture_site):
    """A listener hears "ett. Sänk inomhustemperaturen" and "Andel av inkomsten: tre procent" where a
    sighted reader sees the list marker and the column header; the highlighted text stays the page's."""
    steps = wait_ready(client, post(client, url=f"{fixture_site}/09-spara-energi-hemma.html").get_json()["id"])
    first = next(s for s in all_sentences(steps) if s["text"] == "Sänk inomhustemperaturen en grad.")
    assert first["spoken"] == "ett. Sänk inomhustemperaturen en grad."
    # The number's word lights up the item's first word.
    assert first["words"][0]["offset"] == 0 and first["words"][0]["length"] == len("Sänk")

    fees = wait_ready(client, post(client, url=f"{fixture_site}/02-avgifter-forskola-fritidshem.html").get_json()["id"])
    row = next(s for s in all_sentences(fees) if s["text"] == "Barn 1, 3 %, 1 776 kr")
    assert row["spoken"] == ("Barn ett, Andel av inkomsten: tre procent, "
                             "Högsta avgift per månad: ettusen sjuhundrasjuttiosex kronor")
    audio = client.get(fees["audio_url"])
    assert audio.status_code == 200 and decode_mp3(audio.data)[2] * 1000 >= fees["duration_ms"] - 100
