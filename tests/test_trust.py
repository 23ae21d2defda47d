"""The trust boundary around what a reading is: nothing a client sends changes what another visitor
hears, nothing leaves the machine unless the operator chose it, and no request commits the service
to unbounded work. Real app, real loopback sites, real espeak-ng."""
from __future__ import annotations

import socket
from urllib.parse import urlsplit

import pytest

from service import create_app
from service.work.refresh import known_pages

from .helpers import all_sentences, reading_text, wait_ready

ARTICLE = ("<html lang='sv'><body><nav>Meny</nav><main><h1>Simhallen öppnar igen</h1>"
           "<p>Simhallen öppnar efter renoveringen på måndag. Välkommen tillbaka!</p></main></body></html>")
FORGED = ("<html lang='sv'><body><main><h1>Falsk nyhet</h1>"
          "<p>Kommunen stänger alla skolor i morgon.</p></main></body></html>")


def post(client, headers=None, **body):
    return client.post("/api/v1/readings", json=body, headers=headers or {})


def services_of(app):
    return app.extensions["lyssna"].services


# -- the demo page and the Host header ------------------------------------------------------------


def test_a_forged_host_header_never_swaps_in_the_demo_for_a_site_page(app, client, page_site):
    """Before: the demo page was chosen by comparing the URL's host with the request's Host header,
    so `Host: <an allowed site>` made that site's home page read as the demo, for everyone."""
    app.config["DEMO"] = True
    url = page_site.put("index.html", ARTICLE).rsplit("/", 1)[0] + "/"
    forged = post(client, url=url, headers={"Host": urlsplit(url).netloc})
    assert forged.status_code in (200, 202)
    assert "Simhallen" in reading_text(wait_ready(client, forged.get_json()["id"]))
    visitor = wait_ready(client, post(client, url=url).get_json()["id"])
    assert visitor["id"] == forged.get_json()["id"] and "Sörmland" not in reading_text(visitor)


def test_a_forged_host_header_does_not_read_a_site_that_is_not_allowed(app, client):
    app.config["DEMO"] = True
    r = post(client, url="http://intern.example.se/", headers={"Host": "intern.example.se"})
    assert r.status_code == 403 and r.get_json()["error"] == "site_not_allowed"


def test_the_demo_is_read_only_at_its_own_configured_address(app, client):
    app.config["DEMO"] = True
    demo = app.config["PUBLIC_URL"] + "/demo/"
    reading = wait_ready(client, post(client, url=demo).get_json()["id"])
    assert all_sentences(reading)[0]["text"] == "Jobbar vi smartare i Sörmland, eller?"
    assert post(client, url=app.config["PUBLIC_URL"] + "/").status_code == 403  # the root is not the demo
    assert post(client, url=demo, headers={"Host": "evil.example"}).get_json()["id"] == reading["id"]


def test_the_demo_is_on_for_the_one_command_start_and_off_for_a_sites_service(tmp_path):
    alone = create_app({"CACHE_DIR": str(tmp_path / "a"), "SITES": []})
    assert alone.test_client().get("/demo/").status_code == 200
    serving = create_app({"CACHE_DIR": str(tmp_path / "b"), "SITES": ["https://www.kommun.se"]})
    assert serving.test_client().get("/demo/").status_code == 404
    assert serving.test_client().get("/").get_data(as_text=True) == "Lyssna\n"
    asked = create_app({"CACHE_DIR": str(tmp_path / "c"), "SITES": ["https://www.kommun.se"], "DEMO": True})
    assert asked.test_client().get("/demo/").status_code == 200


def test_forwarded_headers_count_only_from_a_trusted_proxy(tmp_path, page_site_factory):
    """The per-client limit sees X-Forwarded-For only when the peer is a configured proxy."""
    for proxies, second in (([], 429), (["127.0.0.1"], 202)):
        app = create_app({"CACHE_DIR": str(tmp_path / f"c{len(proxies)}"), "SITES": [],
                          "CLIENT_READINGS_PER_MINUTE": 1, "TRUSTED_PROXIES": proxies})
        site = page_site_factory(app)
        client = app.test_client()
        first = post(client, url=site.put("a.html", ARTICLE), headers={"X-Forwarded-For": "198.51.100.1"})
        assert first.status_code == 202
        other = post(client, url=site.put("b.html", FORGED), headers={"X-Forwarded-For": "198.51.100.2"})
        assert other.status_code == second


# -- what a page's reading is ----------------------------------------------------------------------


def test_posted_html_never_replaces_a_page_the_service_can_fetch(app, client, page_site):
    app.config["POSTED_HTML_SITES"] = [page_site.origin]  # even where posting is allowed
    url = page_site.put("nyhet.html", ARTICLE)
    forged = wait_ready(client, post(client, url=url, html=FORGED).get_json()["id"])
    assert "Simhallen" in reading_text(forged) and "skolor" not in reading_text(forged)
    assert forged["source"] == "page"


def test_posted_html_is_read_only_where_the_site_may_send_it_and_is_kept_apart(app, client, page_site):
    url = f"{page_site.origin}/intranat.html"  # the service cannot fetch it (404)
    refused = post(client, url=url, html=FORGED)
    assert refused.status_code == 502 and refused.get_json()["error"] == "http_error"
    app.config["POSTED_HTML_SITES"] = [page_site.origin]
    sent = wait_ready(client, post(client, url=url, html=FORGED).get_json()["id"])
    assert sent["source"] == "sent" and "skolor" in reading_text(sent)
    services = services_of(app)
    assert url not in known_pages(services)  # never refreshed as the page
    assert not [r for r in services.store.for_url(url) if r.plan.is_page]  # never listed as the page
    page_site.put("intranat.html", ARTICLE)  # now the service can fetch the page
    real = wait_ready(client, post(client, url=url).get_json()["id"])
    assert real["source"] == "page" and real["id"] != sent["id"] and "skolor" not in reading_text(real)


def test_what_a_client_sent_is_not_listed_by_the_admin_api(tmp_path, page_site_factory):
    app = create_app({"CACHE_DIR": str(tmp_path / "c"), "SITES": [], "ADMIN_PASSWORD": "hemligt"})
    site = page_site_factory(app)
    app.config["POSTED_HTML_SITES"] = [site.origin]
    client = app.test_client()
    url = f"{site.origin}/intranat.html"
    wait_ready(client, post(client, url=url, html=FORGED).get_json()["id"])
    listed = client.get("/api/v1/admin/pages", query_string={"url": url},
                        headers={"Authorization": "Bearer hemligt"}).get_json()
    assert listed == {"readings": []}


def test_a_selection_is_read_only_when_it_is_on_the_page(app, client, page_site):
    url = page_site.put("nyhet.html", ARTICLE)
    ok = post(client, url=url, text="Simhallen öppnar efter\n renoveringen på MÅNDAG.")
    assert ok.status_code == 202 and ok.get_json()["source"] == "selection"
    free = post(client, url=url, text="Kommunen stänger alla skolor i morgon.")
    assert free.status_code == 403 and free.get_json()["error"] == "selection_not_on_page"
    missing = post(client, url=f"{page_site.origin}/finns-inte.html", text="Simhallen öppnar")
    assert missing.status_code == 502  # no page, no free text-to-speech
    assert post(client, url="https://www.example.se/", text="Simhallen").status_code == 403


def test_refresh_renews_only_a_few_ways_of_asking_for_a_page(app, client, page_site):
    paragraphs = "".join(f"<p id='p{i}'>Stycke {i} handlar om simhallen.</p>" for i in range(8))
    url = page_site.put("nyhet.html", f"<html lang='sv'><body><main><h1>Nyheter</h1>{paragraphs}</main></body></html>")
    app.config["PAGE_MEMO_S"] = 0
    for i in range(8):  # eight made-up selectors, each reading the page differently
        wait_ready(client, post(client, url=url, skip=f"#p{i}").get_json()["id"])
    assert len(services_of(app).store.for_url(url)) == 8
    assert len(known_pages(services_of(app))[url]) == 4


# -- egress ----------------------------------------------------------------------------------------


@pytest.fixture
def connections(monkeypatch):
    """Every host name looked up and every address connected to, in this process."""
    seen: list[str] = []
    real_lookup, real_connect = socket.getaddrinfo, socket.socket.connect

    def lookup(host, *args, **kwargs):
        seen.append(str(host))
        return real_lookup(host, *args, **kwargs)

    def connect(sock, address):
        seen.append(str(address[0]) if isinstance(address, tuple) else str(address))
        return real_connect(sock, address)

    monkeypatch.setattr(socket, "getaddrinfo", lookup)
    monkeypatch.setattr(socket.socket, "connect", connect)
    return seen


def test_a_voice_the_operator_did_not_enable_is_refused_before_anything_leaves(app, client, page_site,
                                                                            connections):
    url = page_site.put("nyhet.html", ARTICLE)
    r = post(client, url=url, voice="gtts:sv")
    assert r.status_code == 400 and r.get_json()["error"] == "voice_not_enabled"
    assert connections == []  # not even the page was fetched, let alone Google
    voices = client.get("/api/v1/voices").get_json()["voices"]
    assert voices and {v["engine"] for v in voices} <= {"espeak", "piper"}
    assert all(not v["online"] for v in voices)


def test_an_enabled_list_narrows_the_voices(app, client, page_site):
    app.config["VOICES"] = ["espeak:sv", "espeak:en"]
    url = page_site.put("nyhet.html", ARTICLE)
    assert post(client, url=url, voice="espeak:de").status_code == 400
    assert post(client, url=url, voice="espeak:en").status_code == 202
    assert {v["id"] for v in client.get("/api/v1/voices").get_json()["voices"]} == {"espeak:sv", "espeak:en"}


# -- bounded work ----------------------------------------------------------------------------------


def test_a_reading_longer_than_the_limit_ends_with_a_spoken_notice(app, client, page_site):
    app.config["MAX_READING_MINUTES"] = 0.25  # 15 s of speech
    paragraphs = "".join(f"<p>Detta är stycke nummer {i} i en mycket lång sida om kommunens arbete.</p>"
                         for i in range(200))
    url = page_site.put("lang.html", f"<html lang='sv'><body><main><h1>Lång sida</h1>{paragraphs}</main></body></html>")
    reading = wait_ready(client, post(client, url=url).get_json()["id"])
    assert reading["truncated"] is True
    sentences = all_sentences(reading)
    assert len(sentences) < 40 and "slutar här" in sentences[-1]["text"]
    assert reading["duration_ms"] < 40_000


def test_a_client_over_its_limit_gets_429_and_cached_readings_still_play(app, client, page_site):
    app.config["CLIENT_READINGS_PER_MINUTE"] = 2
    urls = [page_site.put(f"s{i}.html", ARTICLE.replace("måndag", f"dag {i}")) for i in range(3)]
    first = wait_ready(client, post(client, url=urls[0]).get_json()["id"])
    assert post(client, url=urls[1]).status_code == 202
    over = post(client, url=urls[2])
    assert over.status_code == 429 and over.get_json()["error"] == "too_many_requests"
    assert 1 <= int(over.headers["Retry-After"]) <= 60
    again = post(client, url=urls[0])
    assert again.status_code == 200 and again.get_json()["id"] == first["id"]


def test_a_client_posting_too_much_gets_429(app, client, page_site):
    app.config["CLIENT_POSTED_MB_PER_MINUTE"] = 1
    url = page_site.put("nyhet.html", ARTICLE)
    padding = "x" * 600_000
    assert post(client, url=url, html=padding).status_code == 202
    r = post(client, url=url, html=padding)
    assert r.status_code == 429 and "Retry-After" in r.headers


def test_the_cache_has_a_size_cap_by_default(tmp_path):
    app = create_app({"CACHE_DIR": str(tmp_path / "c")})
    assert app.config["CACHE_MAX_MB"] == 2048


def test_markup_nested_thousands_deep_is_refused_in_seconds_not_minutes(app, client, page_site):
    import time

    for name, html in (("p", "<p>Text här " * 8000), ("table", "<table><tr><td>Cell " * 5000),
                       ("li", "<ul>" + "<li>Punkt " * 8000 + "</ul>")):
        url = page_site.put(f"{name}.html", f"<html><body><main>{html}</main></body></html>")
        started = time.monotonic()
        r = post(client, url=url)
        assert r.status_code == 422 and r.get_json()["error"] == "too_complex", name
        assert time.monotonic() - started < 15, name


def test_a_sentence_that_never_ends_is_read_in_pieces(app, client, page_site):
    words = " ".join(f"ord{i}" for i in range(1500))  # about 10,000 characters without a full stop
    url = page_site.put("lang-mening.html", f"<html lang='sv'><body><main><p>{words}</p></main></body></html>")
    reading = wait_ready(client, post(client, url=url).get_json()["id"])
    texts = [s["text"] for s in all_sentences(reading)]
    assert len(texts) >= 10 and all(len(t) <= 1000 for t in texts)
    assert " ".join(texts) == words
