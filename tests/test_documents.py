"""PDF documents read like pages (issue 16), through the real parts: PDFs built by the tests
(tests/pdf_builder.py) served on loopback, the real fetcher, extraction, espeak-ng and a decoded MP3;
errors in plain words with the right status; the listen page; pre-generation that follows a page's
document links; refresh that re-checks a document by Last-Modified."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import time

import pytest

from service import config as config_mod
from service.reading.create import generate_page
from service.reading.services import build_services
from service.work.refresh import run_pass

from . import pdf_builder
from .conftest import serve_directory
from .helpers import decode_mp3, wait_ready

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope="module")
def report() -> pdf_builder.Built:
    return pdf_builder.tagged_report(pages=3)


def sentences_of(reading: dict) -> list[dict]:
    return [s for b in reading["blocks"] for s in b["sentences"]]


def read(client, url: str) -> dict:
    r = client.post("/api/v1/readings", json={"url": url})
    assert r.status_code in (200, 202), r.get_json()
    return wait_ready(client, r.get_json()["id"])


def test_a_tagged_pdf_is_read_like_a_page(client, page_site, report):
    (page_site.root / "arsredovisning.pdf").write_bytes(report.data)
    reading = read(client, f"{page_site.origin}/arsredovisning.pdf")
    assert reading["status"] == "ready"
    assert reading["title"] == "Årsredovisning 2024"
    assert reading["area"]["source"] == "document"
    blocks = reading["blocks"]
    # Right text, in reading order (the scorer's word 4-gram F1 against what the builder wrote).
    heard = "\n".join(" ".join(s["text"] for s in b["sentences"]) for b in blocks)
    assert pdf_builder.f1(report.text, heard) >= 0.97
    assert {"heading", "paragraph", "list-item", "table-row"} <= {b["kind"] for b in blocks}
    # Locators say page and position (RFC 8118), so a viewer can follow along.
    for b in blocks:
        assert re.fullmatch(r"#page=\d+(&viewrect=\d+,\d+,\d+,\d+)?", b["locator"]), b["locator"]
    assert max(int(b["locator"].split("&")[0][6:]) for b in blocks) == report.pages
    # Swedish said right, and the English paragraph in an English voice.
    spoken = " ".join(s["spoken"] for s in sentences_of(reading))
    assert "tvåhundrafemtio kronor" in spoken
    english = [b for b in blocks if b["lang"] == "en"]
    assert english and all(b["voice"] == "espeak:en" for b in english)
    # Sentences are timed in order and the MP3 is as long as the reading says.
    starts = [s["start_ms"] for s in sentences_of(reading)]
    assert starts == sorted(starts)
    _, _, duration = decode_mp3(client.get(reading["audio_url"]).data)
    assert abs(duration - reading["duration_ms"]) <= 0.02 * reading["duration_ms"]
    # Asked again: the same reading, from the cache.
    again = client.post("/api/v1/readings", json={"url": f"{page_site.origin}/arsredovisning.pdf"})
    assert again.status_code == 200 and again.get_json()["id"] == reading["id"]


def test_the_bytes_decide_not_the_name(client, page_site, report):
    # A CMS's download address without an extension (served as application/octet-stream).
    (page_site.root / "download").write_bytes(report.data)
    assert read(client, f"{page_site.origin}/download")["status"] == "ready"
    # A web page under a .pdf name is no document.
    page_site.put("sida.pdf", "<html><body><main><h1>Inte en PDF</h1><p>Text.</p></main></body></html>")
    r = client.post("/api/v1/readings", json={"url": f"{page_site.origin}/sida.pdf"})
    assert r.status_code == 502 and "PDF" in r.get_json()["message"]


def test_an_untagged_two_column_pdf(client, page_site):
    built = pdf_builder.untagged_pdf(pages=3, seed=5)
    (page_site.root / "rapport.pdf").write_bytes(built.data)
    reading = read(client, f"{page_site.origin}/rapport.pdf")
    heard = "\n".join(s["text"] for s in sentences_of(reading))
    assert pdf_builder.f1(built.text, heard) >= 0.97


@pytest.mark.parametrize("name, status, code, words", [
    ("encrypted", 422, "pdf_encrypted", "lösenord"),
    ("image_only", 422, "pdf_no_text", "inskannad"),
    ("bomb", 413, "pdf_bomb", "för stort"),
    ("corrupt", 422, "pdf_corrupt", "dokument"),
])
def test_bad_documents_get_a_clear_error_not_a_hang(client, page_site, name, status, code, words):
    data = {"encrypted": lambda: pdf_builder.untagged_pdf(pages=1, password="hemligt").data,
            "image_only": pdf_builder.image_only_pdf,
            "bomb": lambda: pdf_builder.bomb_pdf(1.0),
            "corrupt": lambda: next(iter(pdf_builder.corrupt_pdfs().values()))}[name]()
    (page_site.root / f"{name}.pdf").write_bytes(data)
    started = time.monotonic()
    r = client.post("/api/v1/readings", json={"url": f"{page_site.origin}/{name}.pdf"})
    assert time.monotonic() - started < 30  # an upper bound for a loaded machine, not a timing claim
    body = r.get_json()
    assert (r.status_code, body["error"]) == (status, code), body
    assert words.lower() in body["message"].lower() and " / " in body["message"]  # Swedish / English


def test_more_pages_than_the_cap_is_refused_and_says_the_cap(app, client, page_site):
    app.extensions["lyssna"].services.config["DOCUMENT_MAX_PAGES"] = 5
    (page_site.root / "lang.pdf").write_bytes(pdf_builder.many_pages_pdf(8))
    r = client.post("/api/v1/readings", json={"url": f"{page_site.origin}/lang.pdf"})
    assert r.status_code == 413 and r.get_json()["error"] == "pdf_too_many_pages"
    assert "5" in r.get_json()["message"]


def test_the_listen_page_shows_a_documents_text(client, page_site, report):
    (page_site.root / "visa.pdf").write_bytes(report.data)
    r = client.get("/listen", query_string={"url": f"{page_site.origin}/visa.pdf"})
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert "Årsredovisning för Exempel kommun" in html and "data-sentence=" in html and "<audio controls" in html


# --- pre-generation follows a page's links to documents on its own site -----------------------------
SUMMARY = re.compile(r"(\d+) nya / new, (\d+) oförändrade / unchanged, (\d+) misslyckade / failed")


def test_pregenerate_with_documents_reads_the_pdfs_a_page_links_to(tmp_path, report):
    site, other = tmp_path / "site", tmp_path / "other"
    site.mkdir()
    other.mkdir()
    server, origin = serve_directory(site)
    other_server, other_origin = serve_directory(other)
    try:
        (site / "a.pdf").write_bytes(report.data)
        (site / "b.pdf").write_bytes(pdf_builder.untagged_pdf(pages=1, seed=3).data)
        (other / "c.pdf").write_bytes(report.data)
        links = (f'<p>Läs <a href="/a.pdf">årsredovisningen</a>, <a href="b.pdf#page=2">rapporten</a>, '
                 f'<a href="{origin}/a.pdf">samma igen</a> och <a href="{other_origin}/c.pdf">en annan sajts</a>.</p>')
        for name in ("one", "two"):
            (site / f"{name}.html").write_text(
                f"<html lang='sv'><body><main><h1>Sida {name}</h1><p>Här finns dokument att läsa.</p>{links}"
                "</main></body></html>", encoding="utf-8")
        urls = tmp_path / "urls.txt"
        urls.write_text(f"{origin}/one.html\n{origin}/two.html\n", encoding="utf-8")
        env = {**os.environ, "LYSSNA_CACHE_DIR": str(tmp_path / "cache"), "PYTHONPATH": ROOT,
               "LYSSNA_SITES": f"{origin},{other_origin}"}

        def run(*extra: str) -> tuple[int, tuple[int, ...], str]:
            r = subprocess.run([sys.executable, "-m", "service.cli", "pregenerate", "--urls", str(urls),
                                "--workers", "2", "--quiet", *extra], env=env, capture_output=True, text=True,
                               timeout=300)
            match = SUMMARY.search(r.stdout)
            assert match, r.stdout + r.stderr
            return r.returncode, tuple(int(g) for g in match.groups()), r.stdout + r.stderr

        # Two pages and the two documents of their own site, each once; not the other site's.
        rc, counts, out = run("--documents")
        assert (rc, counts) == (0, (4, 0, 0)), out
        rc, counts, out = run("--documents")
        assert (rc, counts) == (0, (0, 4, 0)), out
        refused = subprocess.run([sys.executable, "-m", "service.cli", "pregenerate", "--urls", str(urls),
                                  "--documents", "--enqueue-only"], env=env, capture_output=True, text=True,
                                 timeout=60)
        assert refused.returncode == 2 and "--enqueue-only" in refused.stderr
    finally:
        for s in (server, other_server):
            s.shutdown()
            s.server_close()


# --- refresh re-checks a document ------------------------------------------------------------------
def test_refresh_rechecks_a_document_and_remakes_it_when_it_changed(tmp_path, report):
    (tmp_path / "site").mkdir()
    server, origin = serve_directory(tmp_path / "site")  # answers If-Modified-Since with 304
    try:
        pdf = tmp_path / "site" / "protokoll.pdf"
        pdf.write_bytes(report.data)
        services = build_services(config_mod.load_config({"CACHE_DIR": str(tmp_path / "cache"), "SITES": [origin]}))
        assert generate_page(services, f"{origin}/protokoll.pdf")["outcome"] == "new"
        first = run_pass(services)  # learns the validators; the text is the one read
        assert (first.checked, first.unchanged, first.failed) == (1, 1, 0), first
        second = run_pass(services)
        assert (second.checked, second.not_modified) == (1, 1), second
        pdf.write_bytes(pdf_builder.tagged_report(pages=2, seed=9).data)
        later = time.time() + 5
        os.utime(pdf, (later, later))
        third = run_pass(services)
        assert (third.checked, third.regenerated, third.failed) == (1, 1, 0), third
        assert third.sentences_synthesized > 0
    finally:
        server.shutdown()
        server.server_close()
