"""What a caller asks to have read, checked before any work: the URL, selectors, voice, rate, text.

Every way in (the JSON API, the listen page, the admin, queued jobs) goes through `ReadingRequest`,
so a bad request is refused the same way everywhere, with a message a person can act on.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from service.errors import BadRequest
from service.models import PageOptions

from .extract import check_selector

MAX_URL_LENGTH = 2048
MAX_SELECTOR_LENGTH = 500
MAX_TEXT_LENGTH = 5000  # a selection read aloud on its own
_LANG_RE = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*")  # whole value (fullmatch): no trailing newline
# A lone UTF-16 surrogate (JSON "\ud800"): no such character exists, so it can be neither stored
# (UTF-8), nor sent to a site, nor spoken.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_TEXT_FIELDS = ("url", "text", "lang", *PageOptions.FIELDS)


@dataclass
class ReadingRequest:
    """What a caller asks to have read; validated by `from_mapping`."""

    url: str
    html: str | None = None
    content: str | None = None
    skip: str | None = None
    voice: str | None = None
    text: str | None = None  # read this text (a selection) instead of the page
    lang: str | None = None  # language of `text`
    rate: float | None = None  # None: the service's default (LYSSNA_RATE)

    @property
    def options(self) -> PageOptions:
        """How the page is asked for, as a stored reading keeps it."""
        return PageOptions(self.content, self.skip, self.voice)

    @classmethod
    def from_mapping(cls, data: object) -> "ReadingRequest":
        if not isinstance(data, dict):
            raise BadRequest("Förfrågan måste vara ett JSON-objekt. / The request must be a JSON object.",
                             code="malformed")
        for name in _TEXT_FIELDS:
            value = data.get(name)
            if isinstance(value, str):
                check_characters(value, name)
        url = data.get("url")
        if not isinstance(url, str) or not url.strip():
            raise BadRequest("Adressen (url) saknas. / The url is missing.", code="missing_url")
        url = url.strip()
        if len(url) > MAX_URL_LENGTH:
            raise BadRequest("Adressen är för lång. / The url is too long.", code="bad_url")
        check_url(url)
        html = data.get("html")
        if html is not None and not isinstance(html, str):
            raise BadRequest("html måste vara en textsträng. / html must be a string.", code="malformed")
        if html is not None:
            html = _LONE_SURROGATE.sub("\ufffd", html)  # as a browser decodes broken text: U+FFFD
        opts: dict[str, str | None] = {}
        for name in PageOptions.FIELDS:
            value = data.get(name)
            if value is not None and (not isinstance(value, str) or len(value) > MAX_SELECTOR_LENGTH):
                raise BadRequest(f"Fältet {name} är ogiltigt. / The field {name} is invalid.",
                                 code="malformed")
            opts[name] = value.strip() or None if isinstance(value, str) else None
        text = data.get("text")
        if text is not None:
            if not isinstance(text, str) or not text.strip():
                raise BadRequest("text måste vara en icke-tom textsträng. / text must be a non-empty string.",
                                 code="malformed")
            if len(text) > MAX_TEXT_LENGTH:
                raise BadRequest(f"Markerad text får vara högst {MAX_TEXT_LENGTH} tecken. / "
                                 f"The selected text may be at most {MAX_TEXT_LENGTH} characters.",
                                 code="text_too_long", status=413)
        lang = data.get("lang")
        if lang is not None:
            check_lang(lang)
        rate = data.get("rate")
        if rate is not None and (isinstance(rate, bool) or not isinstance(rate, (int, float))
                                 or not 0.5 <= rate <= 2.0):
            raise BadRequest("Hastigheten (rate) måste vara ett tal mellan 0,5 och 2. / "
                             "rate must be a number between 0.5 and 2.", code="bad_rate")
        return cls(url=url.split("#", 1)[0], html=html, text=text, lang=lang, rate=None if rate is None else float(rate), **opts)


def check_url(url: str) -> None:
    """BadRequest (bad_url) unless `url` is an absolute http(s) URL that can be taken apart: a
    host, and a port that is a number (urlsplit refuses "http://[::1" and "http://a[b]@x/")."""
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises ValueError for a port that is not a number 0-65535
    except ValueError:
        raise BadRequest("Adressen är ingen giltig webbadress. / The url is not a valid web address.",
                         code="bad_url") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadRequest("Adressen måste börja med http:// eller https://. / "
                         "The url must be an http(s) address.", code="bad_url")


def check_lang(lang: object) -> str:
    """`lang` when it is a language code such as sv or en-GB (the whole value); else BadRequest."""
    if not isinstance(lang, str) or not _LANG_RE.fullmatch(lang):
        raise BadRequest("lang måste vara en språkkod som sv eller en-GB. / "
                         "lang must be a language code such as sv or en-GB.", code="malformed")
    return lang


def check_characters(value: str, field: str) -> str:
    """`value` unless it holds a lone surrogate (JSON "\\ud800"), which no text can contain."""
    if _LONE_SURROGATE.search(value):
        raise BadRequest(f"Fältet {field} innehåller ett ogiltigt tecken (ett ensamt surrogattecken). / "
                         f"The field {field} contains an invalid character (a lone surrogate).",
                         code="bad_url" if field == "url" else "malformed")
    return value


def page_options(content: str | None, skip: str | None) -> dict[str, str]:
    """The `content` / `skip` selectors to read pages with (as the site's player sends them), for
    work queued ahead: checked now, so a bad one is refused (BadRequest) before any page is queued."""
    options = {k: v.strip() for k, v in (("content", content), ("skip", skip)) if v and v.strip()}
    for field, selector in options.items():
        check_selector(selector, field)
    return options
