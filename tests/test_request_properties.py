"""Property tests: whatever JSON a client sends, checking it gives a ReadingRequest or BadRequest.

Why: `ReadingRequest.from_mapping` is the one door of every way in (API, listen page, admin, jobs);
anything else escaping it is a 500. Hypothesis builds arbitrary JSON-like values (nested lists and
objects, numbers of every size, NaN and infinities, strings with lone surrogates, NULs, newlines)
and objects with the request's own keys holding such values, and checks that a request that gets
through is one the rest of the pipeline can use: an http(s) URL that urlsplit takes apart, fields
that are real text, a rate in range and a language code that is the whole value.
"""
from __future__ import annotations

import math
import re
from urllib.parse import urlsplit

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.errors import BadRequest
from service.reading.request import MAX_SELECTOR_LENGTH, MAX_TEXT_LENGTH, ReadingRequest

FIELDS = ["url", "html", "content", "skip", "voice", "text", "lang", "rate"]
SURROGATE = re.compile("[\ud800-\udfff]")

# Any character, lone surrogates included (Hypothesis leaves them out unless asked).
any_char = st.one_of(st.characters(), st.characters(categories=["Cs"]),
                     st.sampled_from("\x00\n\r\t\x0b\u2028\u2029\ufeff\ue000 []@:/?#%."))
any_text = st.text(any_char, max_size=60)
url_like = st.one_of(
    any_text,
    st.builds("".join, st.lists(st.sampled_from(
        ["http://", "https://", "ftp://", "//", "[", "]", "::1", "a", "b", "@", ":", "99999", "-1", "80",
         "/", "?", "#", "%", "x.se", "127.0.0.1", "[::1]", "\ud800", "\n", " ", "å", "xn--", "."]), max_size=12)),
)
numbers = st.one_of(st.integers(), st.integers(min_value=-(10**400), max_value=10**400),
                    st.floats(allow_nan=True, allow_infinity=True), st.booleans())
scalars = st.one_of(st.none(), numbers, any_text)
json_values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.one_of(st.sampled_from(FIELDS), any_text), inner, max_size=4)),
    max_leaves=20)
field_values = st.one_of(json_values, url_like, st.sampled_from(["sv", "en-GB", "sv\n", "espeak:sv", "main", "p",
                                                                  "1", "0.5", "2"]))
requests = st.one_of(
    json_values,
    st.dictionaries(st.sampled_from(FIELDS), field_values, max_size=8),
    st.fixed_dictionaries({"url": url_like}, optional={name: field_values for name in FIELDS[1:]}),
)

SETTINGS = settings(max_examples=500, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _usable(req: ReadingRequest) -> None:
    parts = urlsplit(req.url)
    assert parts.scheme in ("http", "https") and parts.hostname
    assert parts.port is None or 0 <= parts.port <= 65535
    assert "#" not in req.url
    for value in (req.url, req.html, req.content, req.skip, req.voice, req.text, req.lang):
        assert value is None or (isinstance(value, str) and not SURROGATE.search(value))
    for value in (req.content, req.skip, req.voice):
        assert value is None or 0 < len(value) <= MAX_SELECTOR_LENGTH
    assert req.text is None or (req.text.strip() and len(req.text) <= MAX_TEXT_LENGTH)
    assert req.lang is None or re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*", req.lang)
    assert req.rate is None or (isinstance(req.rate, float) and math.isfinite(req.rate) and 0.5 <= req.rate <= 2)


@SETTINGS
@given(requests)
def test_any_json_gives_a_request_or_bad_request(data):
    try:
        req = ReadingRequest.from_mapping(data)
    except BadRequest as err:
        assert 400 <= err.status < 500 and " / " in err.message
        return
    _usable(req)


@SETTINGS
@given(url_like, st.one_of(st.none(), any_text))
def test_any_url_with_any_html(url, html):
    try:
        req = ReadingRequest.from_mapping({"url": url, "html": html})
    except BadRequest as err:
        assert err.code in ("missing_url", "bad_url", "malformed")
        return
    _usable(req)
