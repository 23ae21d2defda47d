"""Read sitemaps and URL lists: which pages of a site should be pre-generated.

Why it is careful: a sitemap comes from the network, so it is fetched with the same safety as a
page (`fetch_bytes`: allow-list, vetted addresses, a byte cap counted after unpacking gzip), and
parsed with expat with every DTD feature refused, so an entity bomb or an external entity can do
nothing. Sitemap indexes are followed depth-first in document order, each sitemap at most once.
Only pages whose origin is in the allow-list are kept; the others are counted as skipped.

Formats: the sitemaps.org XML `<urlset>` and `<sitemapindex>` (with or without the namespace),
gzip-compressed sitemaps, plain-text sitemaps (one URL per line), and RSS 2.0 / Atom feeds,
which the sitemaps protocol also allows.
"""
from __future__ import annotations

import os
import xml.parsers.expat
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from service.errors import BadRequest, LyssnaError
from service.reading.fetch import FetchLimits, codec_for, fetch_bytes
from service.reading.sites import DEFAULT_PORTS, match_site, parse_sites, split_origin

MAX_DEPTH = 5  # sitemap indexes within indexes; the protocol allows one level, we are lenient
SKIPPED_EXAMPLES = 10


class SitemapInvalid(LyssnaError):
    """A sitemap could not be understood (not XML nor a URL list, or a refused DTD)."""

    code = "bad_sitemap"
    status = 422


@dataclass
class SitemapEntry:
    """One page listed in a sitemap; `lastmod` exactly as the sitemap wrote it (W3C datetime)."""

    url: str
    lastmod: str | None = None


@dataclass
class SitemapProblem:
    """A sitemap that could not be read: its URL and the reason in plain words (Swedish / English)."""

    url: str
    reason: str


@dataclass
class SitemapResult:
    """Everything read from a sitemap and the sitemaps it points to."""

    entries: list[SitemapEntry] = field(default_factory=list)
    errors: list[SitemapProblem] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)  # sitemaps read, in order
    skipped: int = 0  # page URLs on sites outside the allow-list
    skipped_examples: list[str] = field(default_factory=list)  # the first few of them
    invalid: int = 0  # entries that were not http(s) URLs
    duplicates: int = 0
    truncated: bool = False  # stopped at max_urls

    @property
    def urls(self) -> list[str]:
        return [entry.url for entry in self.entries]


def read_sitemap(
    url: str,
    sites,
    limits: FetchLimits = FetchLimits.for_sitemaps(),
    *,
    max_urls: int = 50_000,
    max_sitemaps: int = 500,
    ssl_context=None,
) -> SitemapResult:
    """Read a sitemap (or sitemap index, gzipped or plain text) and every sitemap it points to.

    The first sitemap must be readable: if it is not, its error is raised (BadRequest, SiteNotAllowed,
    FetchError, TooLarge or SitemapInvalid). Child sitemaps that fail are listed in `errors` and
    the rest is still read. `limits` apply to each sitemap.
    """
    patterns = parse_sites(sites)
    reader = _Reader(patterns, max_urls, max_sitemaps, limits, ssl_context)
    reader.read(url, depth=0)
    return reader.result


def parse_sitemap(data: bytes, *, charset: str | None = None) -> tuple[str, list[tuple[str, str | None]]]:
    """Parse one sitemap document: ("urlset" | "sitemapindex" | "text", [(url, lastmod), ...]).

    URLs are as written, not yet checked or filtered (the protocol wants absolute URLs; relative
    ones are reported as invalid later, never guessed).
    Raises SitemapInvalid for anything that is neither sitemap XML, a feed nor a URL list.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    head = data.lstrip()[:1]
    if head == b"<" or data.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 XML has a BOM
        return _parse_xml(data)
    if not data.strip():
        raise SitemapInvalid("Webbplatskartan är tom. / The sitemap is empty.")
    try:  # only a text encoding a browser knows ("base64", "idna", "a\x00b" are none)
        text = data.decode(codec_for(charset, allow_utf16=True) or "utf-8")
    except UnicodeDecodeError:
        text = data.decode("utf-8", errors="replace")
    if "\x00" in text:
        raise SitemapInvalid(
            "Filen är varken en XML-webbplatskarta eller en lista med adresser. / "
            "The file is neither an XML sitemap nor a list of URLs."
        )
    return "text", [(line.strip(), None) for line in text.splitlines() if line.strip()]


# --- URL lists ----------------------------------------------------------------------------------


@dataclass
class InvalidLine:
    """A line of a URL list that is not a URL: 1-based line number, the text, and why."""

    line: int
    text: str
    reason: str


class UrlList(list):
    """The URLs of a list, in order without duplicates (a plain list of str), plus what was wrong."""

    def __init__(self, urls=(), invalid: list[InvalidLine] | None = None, duplicates: int = 0):
        super().__init__(urls)
        self.invalid: list[InvalidLine] = invalid or []
        self.duplicates = duplicates


def read_url_list(path_or_text: str | os.PathLike) -> UrlList:
    """Read a URL list: one URL per line; blank lines and `#` comments are ignored.

    Accepts a path (a Path, or a string naming an existing file) or the text itself. Lines that
    are not absolute http(s) URLs are left out and reported in `.invalid`; the URLs are
    normalised (host lower-cased, default port and fragment dropped) and deduplicated.
    """
    if isinstance(path_or_text, os.PathLike):
        text = Path(path_or_text).read_text(encoding="utf-8-sig")
    elif "\n" not in path_or_text and not path_or_text.lstrip().startswith(("http:", "https:", "#")) \
            and os.path.isfile(path_or_text):
        text = Path(path_or_text).read_text(encoding="utf-8-sig")
    else:
        text = path_or_text
    urls: list[str] = []
    seen: set[str] = set()
    invalid: list[InvalidLine] = []
    duplicates = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        url, reason = normalize_url(line)
        if url is None:
            invalid.append(InvalidLine(number, line, reason))
        elif url in seen:
            duplicates += 1
        else:
            seen.add(url)
            urls.append(url)
    return UrlList(urls, invalid, duplicates)


def normalize_url(value: str) -> tuple[str | None, str]:
    """(normalised URL, "") for an absolute http(s) URL, else (None, reason in plain words).

    Normalising is what browsers treat as the same address: scheme and host lower case, IDN in
    punycode, default port and fragment dropped, an empty path written as "/".
    """
    value = value.strip()
    if any(c.isspace() for c in value):
        return None, "Adressen innehåller mellanslag. / The URL contains spaces."
    try:
        parts = urlsplit(value)
        scheme, host, port = split_origin(value)
    except ValueError:
        return None, "Inte en http- eller https-adress. / Not an http or https URL."
    if parts.username is not None or parts.password is not None:
        return None, ("Adresser med användarnamn eller lösenord tillåts inte. / "
                      "URLs with a user name or password are not allowed.")
    netloc = f"[{host}]" if ":" in host else host
    if port != DEFAULT_PORTS[scheme]:
        netloc += f":{port}"
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, "")), ""


# --- internals ----------------------------------------------------------------------------------


class _Reader:
    """Walks a tree of sitemaps depth-first, collecting allowed page URLs."""

    def __init__(self, patterns, max_urls: int, max_sitemaps: int, limits: FetchLimits, ssl_context):
        self.patterns = patterns
        self.max_urls = max_urls
        self.max_sitemaps = max_sitemaps
        self.limits = limits
        self.ssl_context = ssl_context
        self.result = SitemapResult()
        self.seen_sitemaps: set[str] = set()
        self.index: dict[str, SitemapEntry] = {}
        self.too_many_reported = False

    def read(self, url: str, depth: int) -> None:
        root = depth == 0
        normalized, reason = normalize_url(url)
        if normalized is None:
            if root:
                swedish, _, english = reason.partition(" / ")
                raise BadRequest(f"Webbplatskartans adress är ogiltig: {swedish} / "
                                 f"The sitemap address is invalid: {english}", code="bad_url")
            self._problem(url, reason)
            return
        if normalized in self.seen_sitemaps:
            return  # a cycle or a repeat: each sitemap is read once
        if len(self.seen_sitemaps) >= self.max_sitemaps:
            if not self.too_many_reported:
                self.too_many_reported = True
                self._problem(url, f"För många webbplatskartor (fler än {self.max_sitemaps}); resten lästes inte. / "
                                   f"Too many sitemaps (more than {self.max_sitemaps}); the rest were not read.")
            return
        self.seen_sitemaps.add(normalized)
        try:
            fetched = fetch_bytes(normalized, self.patterns, self.limits, ssl_context=self.ssl_context)
            kind, items = parse_sitemap(fetched.body, charset=fetched.charset)
        except LyssnaError as exc:
            if root:
                raise
            self._problem(normalized, exc.message)
            return
        self.result.sitemaps.append(normalized)
        final, _ = normalize_url(fetched.url)
        if final:  # after a redirect, the target counts as read too
            self.seen_sitemaps.add(final)
        if kind == "sitemapindex":
            if depth >= MAX_DEPTH:
                self._problem(normalized, f"Webbplatskartorna är nästlade för djupt (mer än {MAX_DEPTH} nivåer). / "
                                          f"The sitemaps are nested too deeply (more than {MAX_DEPTH} levels).")
                return
            for child, _lastmod in items:
                if self.result.truncated:
                    return
                self.read(child, depth + 1)
            return
        for page, lastmod in items:
            if not self._add(page, lastmod):
                return

    def _add(self, url: str, lastmod: str | None) -> bool:
        """Add one page URL; False once max_urls is reached."""
        result = self.result
        normalized, _reason = normalize_url(url)
        if normalized is None:
            result.invalid += 1
            return True
        if match_site(normalized, self.patterns) is None:
            result.skipped += 1
            if len(result.skipped_examples) < SKIPPED_EXAMPLES:
                result.skipped_examples.append(normalized)
            return True
        existing = self.index.get(normalized)
        if existing is not None:
            result.duplicates += 1
            if existing.lastmod is None and lastmod:
                existing.lastmod = lastmod
            return True
        if len(result.entries) >= self.max_urls:
            result.truncated = True
            return False
        entry = SitemapEntry(normalized, lastmod or None)
        self.index[normalized] = entry
        result.entries.append(entry)
        return True

    def _problem(self, url: str, reason: str) -> None:
        self.result.errors.append(SitemapProblem(url, reason))


_PAGE_PARENTS = {"url": "urlset", "sitemap": "sitemapindex"}
_REFUSED_DTD = (
    "Webbplatskartan innehåller en DTD (<!DOCTYPE> eller <!ENTITY>), vilket inte tillåts. / "
    "The sitemap contains a DTD (<!DOCTYPE> or <!ENTITY>), which is not allowed."
)


class _RefusedDTD(Exception):
    pass


def _parse_xml(data: bytes) -> tuple[str, list[tuple[str, str | None]]]:
    """Stream the XML through expat, refusing any DTD; collect <loc>/<lastmod> (and feed links)."""
    parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def refuse(*_args):
        raise _RefusedDTD()

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse

    stack: list[tuple[str, str]] = []  # (namespace, local name)
    items: list[tuple[str, str | None]] = []
    state = {"root": "", "loc": None, "lastmod": None, "text": []}

    def start(name: str, attrs: dict) -> None:
        ns, _, local = name.rpartition(" ")
        if not stack:
            state["root"] = local
        # Atom: <entry><link href="..."/>, the alternate (or untyped) link is the page
        if state["root"] == "feed" and local == "link" and stack and stack[-1][1] == "entry" and "href" in attrs \
                and attrs.get("rel", "alternate") == "alternate" and state["loc"] is None:
            state["loc"] = attrs["href"].strip()
        stack.append((ns, local))
        state["text"] = []

    def end(name: str) -> None:
        ns, local = stack.pop()
        parent = stack[-1] if stack else ("", "")
        text = "".join(state["text"]).strip()
        state["text"] = []
        root = state["root"]
        if _PAGE_PARENTS.get(parent[1]) == root and len(stack) == 2 and ns == parent[0]:
            if local == "loc" and text:
                state["loc"] = text
            elif local == "lastmod" and text:
                state["lastmod"] = text
        elif root == "rss" and parent[1] == "item" and local == "link" and text and not ns:
            state["loc"] = text
        elif root == "feed" and parent[1] == "entry" and local == "updated" and text:
            state["lastmod"] = text
        ends_page = (local in _PAGE_PARENTS and len(stack) == 1) or (
            (root, local) in (("rss", "item"), ("feed", "entry")))
        if ends_page:
            if state["loc"]:
                items.append((state["loc"], state["lastmod"]))
            state["loc"] = state["lastmod"] = None

    def chars(text: str) -> None:
        state["text"].append(text)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    try:
        parser.Parse(data, True)
    except _RefusedDTD:
        raise SitemapInvalid(_REFUSED_DTD, code="sitemap_dtd") from None
    except xml.parsers.expat.ExpatError as exc:
        raise SitemapInvalid(
            f"Webbplatskartan är inte giltig XML ({xml.parsers.expat.errors.messages.get(exc.code, exc)}, "
            f"rad {exc.lineno}). / The sitemap is not valid XML ({exc})."
        ) from None
    root = state["root"]
    if root not in ("urlset", "sitemapindex", "rss", "feed"):
        raise SitemapInvalid(
            f"XML-filen är ingen webbplatskarta (rotelementet är <{root}>). / "
            f"The XML file is not a sitemap (its root element is <{root}>)."
        )
    return ("sitemapindex" if root == "sitemapindex" else "urlset"), items


__all__ = [
    "SitemapEntry", "SitemapProblem", "SitemapResult", "SitemapInvalid", "InvalidLine", "UrlList",
    "read_sitemap", "read_url_list", "parse_sitemap", "normalize_url",
]
