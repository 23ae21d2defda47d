"""The README's "Embed on your site", followed as a web editor would: its snippet pasted into a page
gives a working player (and a working link without JavaScript), its LYSSNA_SITES examples are what
the service accepts and refuses, and its nginx TLS block runs in front of the real service."""
from __future__ import annotations

import http.client
import re
import ssl
import subprocess
from pathlib import Path
from urllib.parse import quote

import pytest

from service.reading.sites import parse_sites

from .browser import (  # noqa: F401 - fixtures
    context,
    other_site,
    page,
    page_site,
    player,
    site,
    start_app,
    wait_highlight,
    wait_playing,
)
from .conftest import free_port
from .servers import Nginx, require_nginx

README = Path(__file__).resolve().parents[1] / "README.md"
SERVICE = "https://lyssna.kommun.se"
ARTICLE = """<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8"><title>Bygglov</title></head><body>
<header><nav><a href="/">Start</a> <a href="/kontakt">Kontakt</a></nav></header>
{snippet}
<main><h1>Så söker du bygglov</h1>
<p>Du behöver bygglov för att bygga ett nytt hus. Ansökan gör du i vår e-tjänst.</p>
<p>Handläggningstiden är högst tio veckor från det att ansökan är komplett.</p></main>
<footer><p>Kommunen, 2026</p></footer></body></html>"""


def section() -> str:
    text = README.read_text(encoding="utf-8")
    return text.split("\n## Embed on your site\n", 1)[1].split("\n## ", 1)[0]


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", section(), re.S)


def embed_page(site, name: str) -> str:
    """A page on the loopback site with the README's snippet, pointed at the app under test."""
    url = f"{site.origin}/{name}"
    snippet = blocks("html")[0]
    assert SERVICE in snippet and "https%3A%2F%2Fwww.kommun.se%2Fsida" in snippet
    snippet = snippet.replace("https%3A%2F%2Fwww.kommun.se%2Fsida", quote(url, safe=""))
    snippet = snippet.replace(SERVICE, site.app_origin)
    site.extra[f"/{name}"] = (ARTICLE.format(snippet=snippet).encode(), "text/html; charset=utf-8", {})
    return url


@pytest.mark.browser
def test_the_readme_snippet_pasted_into_a_page_gives_a_working_player(site, page):
    page.goto(embed_page(site, "readme.html"))
    player(page).click()
    wait_playing(page)
    assert wait_highlight(page)["texts"]
    reading = page.evaluate("() => document.querySelector('lyssna-player').reading")
    assert reading["area"]["source"] == "content"  # the snippet's content="main" was used
    read = " ".join(s["text"] for b in reading["blocks"] for s in b["sentences"])
    assert read.startswith("Så söker du bygglov") and "Kommunen, 2026" not in read
    assert page.errors == []


@pytest.mark.browser
def test_the_readme_snippet_without_javascript_links_to_the_listen_page(site, chromium):
    url = embed_page(site, "readme-nojs.html")
    ctx = chromium.new_context(java_script_enabled=False)
    try:
        nojs = ctx.new_page()
        nojs.goto(url)
        link = nojs.get_by_role("link", name="Lyssna på sidan")
        link.click()
        nojs.wait_for_url(f"{site.app_origin}/listen*")
        assert nojs.locator("audio[controls]").count() == 1
        assert nojs.get_by_role("heading", name="Så söker du bygglov").count() == 1
    finally:
        ctx.close()


def test_the_readmes_lyssna_sites_examples_are_what_the_service_accepts():
    table = section().split("**1. Have your site listed", 1)[1].split("**2.", 1)[0]
    rows = [line.split("|")[2] for line in table.splitlines()
            if line.startswith("| ") and "must contain" not in line]
    entries = [e.strip() for row in rows for e in re.findall(r"`([^`]+)`", row)[0].split(",")]
    assert len(entries) >= 6
    for entry in entries:
        parse_sites([entry])  # each one the README tells an editor to write is accepted
    refused = re.findall(r"`([^`]+)` \(no scheme\) or `([^`]+)` \(a path\) are refused", table)[0]
    for entry in refused:
        with pytest.raises(ValueError):
            parse_sites([entry])


def test_the_readmes_nginx_block_serves_lyssna_over_https(tmp_path):
    """The TLS server block as written (certificate paths and addresses filled in) in front of the
    real app: the widget and /listen over https, and plain http sent to https."""
    require_nginx()
    (conf,) = blocks("nginx")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                    "/CN=lyssna.kommun.se", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    server, app_origin = start_app(str(tmp_path / "cache"), [])
    tls, plain = free_port(), free_port()
    edits = {"listen 443 ssl;": f"listen 127.0.0.1:{tls} ssl;", "listen 80;": f"listen 127.0.0.1:{plain};",
             "/etc/letsencrypt/live/lyssna.kommun.se/fullchain.pem": str(cert),
             "/etc/letsencrypt/live/lyssna.kommun.se/privkey.pem": str(key),
             "proxy_pass http://127.0.0.1:8000;": f"proxy_pass {app_origin};"}
    for old, new in edits.items():
        assert conf.count(old) == 1, old
        conf = conf.replace(old, new)
    nginx = Nginx(tmp_path / "nginx", conf, tls).start()
    try:
        unverified = ssl.create_default_context()
        unverified.check_hostname, unverified.verify_mode = False, ssl.CERT_NONE  # a self-signed certificate
        https = http.client.HTTPSConnection("127.0.0.1", tls, context=unverified, timeout=30)
        https.request("GET", "/widget.js", headers={"Host": "lyssna.kommun.se"})
        r = https.getresponse()
        assert r.status == 200 and "javascript" in r.getheader("Content-Type")
        assert b"lyssna-player" in r.read()
        https.request("GET", "/healthz", headers={"Host": "lyssna.kommun.se"})
        assert https.getresponse().status == 200
        insecure = http.client.HTTPConnection("127.0.0.1", plain, timeout=30)
        insecure.request("GET", "/widget.js", headers={"Host": "lyssna.kommun.se"})
        r = insecure.getresponse()
        assert r.status == 301 and r.getheader("Location") == "https://lyssna.kommun.se/widget.js"
        assert nginx.errors() == ""
    finally:
        nginx.stop()
        server.shutdown()
