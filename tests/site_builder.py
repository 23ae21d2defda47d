"""A loopback test site of many pages, generated from the 14 fixture pages, with sitemaps.

Why generated: pre-generation must be tested on a site big enough to show queueing, re-runs and
partial edits, with realistic Swedish text. Page k is fixture page (k-1) % 14 with two changes:
its h1 gets " – del k" and one body paragraph gets two extra sentences that carry the page number
(inside `<span data-variant="k">`). So pages share most sentences (as real sites do) but no two
pages have the same text. `edit_paragraph` rewrites that span in place, changing exactly one block.

Layout under the directory: `sidor/NNN-slug.html`, `sitemap_index.xml` -> `sitemap-1.xml` and
`sitemap-2.xml.gz` (gzip file, served as application/gzip without Content-Encoding), `urls.txt`.
"""
from __future__ import annotations

import gzip
import html
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from .conftest import PAGES, _QuietHandler, expected_lines, page_names, serve_directory

MONTHS = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september",
          "oktober", "november", "december")
_PARAGRAPH = re.compile(r"<p(?:\s[^>]*)?>(.*?)</p>", re.S | re.I)
_TAG = re.compile(r"<[^>]+>")
_VARIANT = re.compile(r'<span data-variant="(\d+)">(.*?)</span>', re.S)


class SiteHandler(_QuietHandler):
    """Serves the site; sitemaps get XML/text types, `.gz` files a gzip type and no Content-Encoding."""

    def guess_type(self, path):
        lower = str(path).lower()
        if lower.endswith(".gz"):
            return "application/gzip"
        if lower.endswith(".xml"):
            return "application/xml; charset=utf-8"
        if lower.endswith(".txt"):
            return "text/plain; charset=utf-8"
        return super().guess_type(path)


@dataclass
class SitePage:
    number: int  # 1-based
    path: Path
    url: str
    fixture: str  # the fixture page it was made from, e.g. "03-bibliotek-oppettider"
    variant: str  # the page-specific sentences added to one paragraph


@dataclass
class SiteInfo:
    directory: Path
    origin: str
    pages: list[SitePage]
    sitemap_index_url: str
    sitemap_urls: list[str]  # the two child sitemaps; the second one is gzipped
    urls_txt_url: str
    urls_txt_path: Path
    server: object | None = field(default=None, repr=False)  # set when build_site started it

    @property
    def page_urls(self) -> list[str]:
        return [page.url for page in self.pages]

    def page(self, number: int) -> SitePage:
        return self.pages[number - 1]

    def close(self) -> None:
        """Stop the server, if build_site started one."""
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


@dataclass
class EditedPage:
    url: str
    old_text: str  # the sentences that were replaced
    new_text: str  # the sentences now on the page


def build_site(directory: Path | str, n_pages: int = 200, *, origin: str | None = None) -> SiteInfo:
    """Write the site into `directory`; without `origin`, also serve it on a free loopback port.

    Sitemaps hold absolute URLs, so the origin must be known: pass the origin of a server you
    started with `serve_directory(directory, SiteHandler)`, or let this function start one
    (then call `info.close()` when done).
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    server = None
    if origin is None:
        server, origin = serve_directory(directory, SiteHandler)
    origin = origin.rstrip("/")
    sources = [(name, (PAGES / f"{name}.html").read_text(encoding="utf-8")) for name in page_names()]
    (directory / "sidor").mkdir(exist_ok=True)
    pages: list[SitePage] = []
    for number in range(1, n_pages + 1):
        name, source = sources[(number - 1) % len(sources)]
        variant = _variant_text(number)
        relative = f"sidor/{number:03d}-{name.split('-', 1)[1]}.html"
        path = directory / relative
        _write(path, _make_page(source, name, number, variant).encode("utf-8"))
        pages.append(SitePage(number, path, f"{origin}/{relative}", name, variant))

    half = (n_pages + 1) // 2
    lastmod = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    _write(directory / "sitemap-1.xml", _urlset(pages[:half], lastmod))
    _write(directory / "sitemap-2.xml.gz", gzip.compress(_urlset(pages[half:], lastmod), mtime=0))
    children = [f"{origin}/sitemap-1.xml", f"{origin}/sitemap-2.xml.gz"]
    index = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for child in children:
        index.append(f"  <sitemap><loc>{escape(child)}</loc><lastmod>{lastmod}</lastmod></sitemap>")
    index.append("</sitemapindex>\n")
    _write(directory / "sitemap_index.xml", "\n".join(index).encode("utf-8"))
    urls_txt = directory / "urls.txt"
    lines = ["# Alla sidor på testwebbplatsen, en adress per rad", ""] + [p.url for p in pages]
    _write(urls_txt, ("\n".join(lines) + "\n").encode("utf-8"))
    return SiteInfo(directory, origin, pages, f"{origin}/sitemap_index.xml", children,
                    f"{origin}/urls.txt", urls_txt, server)


def edit_paragraph(site: SiteInfo, number: int, text: str | None = None) -> EditedPage:
    """Rewrite the page-specific sentences of page `number` in place (atomically).

    Only that one paragraph's text changes. The file's mtime moves forward by at least two
    seconds, so Last-Modified / If-Modified-Since (one-second resolution) see the change.
    """
    page = site.page(number)
    source = page.path.read_text(encoding="utf-8")
    match = _VARIANT.search(source)
    assert match is not None, f"page {number} has no variant paragraph"
    old_text = html.unescape(match.group(2))
    new_text = text or (
        f"Nytt från den {number % 28 + 1} {MONTHS[(number + 5) % 12]}: sida {number} har fått "
        f"nya öppettider, och frågor besvaras på telefon 0155-{24 + number % 70} {number:03d} 00."
    )
    updated = source[:match.start(2)] + html.escape(new_text, quote=False) + source[match.end(2):]
    before = page.path.stat().st_mtime
    _write(page.path, updated.encode("utf-8"))
    later = max(time.time(), before + 2)
    os.utime(page.path, (later, later))
    page.variant = new_text
    return EditedPage(page.url, old_text, new_text)


# --- internals ------------------------------------------------------------------------------------


def _variant_text(number: int) -> str:
    """Two Swedish sentences that only page `number` has."""
    day, month = number % 28 + 1, MONTHS[number % 12]
    templates = (
        f"Den här sidan är nummer {number} i vår samling och granskades senast den {day} {month} 2025.",
        f"Har du frågor om ärende {1000 + number * 7}, ring kontaktcenter på 0155-{20 + number % 80} "
        f"{number:03d} 10 vardagar klockan 8–16.",
        f"Under vecka {number % 52 + 1} tar vi gärna emot synpunkter, skicka dem till "
        f"sida{number}@exempel.se.",
    )
    return f"{templates[number % 3]} {templates[(number + 1) % 3]}"


def _make_page(source: str, name: str, number: int, variant: str) -> str:
    """The fixture page with a numbered h1 and the variant sentences in one body paragraph."""
    end_h1 = source.lower().find("</h1>")
    assert end_h1 > 0, f"{name} has no h1"
    source = source[:end_h1] + f" – del {number}" + source[end_h1:]
    wanted = set(expected_lines(name))
    for match in _PARAGRAPH.finditer(source):
        if _visible(match.group(1)) in wanted:
            insert = match.end(1)
            span = f' <span data-variant="{number}">{html.escape(variant, quote=False)}</span>'
            return source[:insert] + span + source[insert:]
    raise AssertionError(f"{name}: no body paragraph found to vary")


def _visible(fragment: str) -> str:
    text = html.unescape(_TAG.sub("", fragment)).replace("\u00ad", "")
    return " ".join(text.split())


def _urlset(pages: list[SitePage], lastmod: str) -> bytes:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for page in pages:
        lines.append(f"  <url><loc>{escape(page.url)}</loc><lastmod>{lastmod}</lastmod></url>")
    lines.append("</urlset>\n")
    return "\n".join(lines).encode("utf-8")


def _write(path: Path, data: bytes) -> None:
    """Write via a temporary name and rename, so the server never sends half a file."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
