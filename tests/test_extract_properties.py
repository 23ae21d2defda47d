"""Property-based tests: whatever markup arrives, extraction answers with a Document or ExtractError.

Why: pages come from anywhere (CMS output, hand-written tables, truncated downloads). Hypothesis builds
random tag soup from the elements that matter to extraction (blocks, tables, lists, hidden markers,
script/comment/svg sections that are stripped before parsing) plus raw junk, and checks that nothing
but ExtractError escapes, that the result is deterministic, and that every locator selects an element
of the browser-shaped tree.
"""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.errors import ExtractError
from service.reading.extract import extract, parse

URL = "https://www.example.se/sida"
TAGS = ["p", "div", "span", "a", "b", "h1", "h2", "ul", "ol", "li", "table", "tr", "td", "th", "tbody",
        "thead", "caption", "section", "article", "main", "nav", "header", "footer", "aside", "blockquote",
        "figure", "figcaption", "img", "br", "dl", "dt", "dd", "details", "summary", "button", "form",
        "script", "style", "noscript", "template", "svg", "select", "option", "iframe", "html", "body", "head"]
ATTRS = ["", " hidden", " aria-hidden='true'", " style='display:none'", " class='sr-only'", " lang='en'",
         " id='main-content'", " id='x'", " class='sidebar'", " class='content'", " role='main'",
         " alt='Bild på en skylt'", " alt=''", " aria-expanded='false' aria-controls='x'", " class='rs_skip'",
         " href='https://app.readspeaker.com/cgi-bin/rsent?readid=x'"]
WORDS = st.sampled_from(["Kommunen", "informerar", "om", "avgifter", "250 kr", "t.ex.", "åäö", "&amp;",
                         "&nbsp;", "&shy;", "\u200b", "–", "”", " ", "\n", "Läs mer", "Lyssna", "1,5 %"])

start_tag = st.builds(lambda t, a: f"<{t}{a}>", st.sampled_from(TAGS), st.sampled_from(ATTRS))
end_tag = st.builds(lambda t: f"</{t}>", st.sampled_from(TAGS))
junk = st.sampled_from(["<", ">", "</", "<!--", "-->", "<!doctype html>", "<![CDATA[", "]]>", "&", "&#x0;",
                        "&#xD800;", "\x00", "\ufffd", "<?xml?>", "<p/", "=\"", "'"])
piece = st.one_of(start_tag, end_tag, WORDS, WORDS, junk, st.text(max_size=12))
markup = st.lists(piece, max_size=80).map("".join)

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def outcome(html: str):
    try:
        doc = extract(html, URL)
    except ExtractError as err:
        assert err.status == 422
        return None
    assert doc.blocks, "a Document always has something to read"
    return doc


@SETTINGS
@given(markup)
def test_random_markup_gives_a_document_or_extract_error(html):
    doc = outcome(html)
    if doc is not None:
        for block in doc.blocks:
            assert block.text and block.text == block.text.strip()
            assert "\u00ad" not in block.text and "\u200b" not in block.text


@SETTINGS
@given(markup)
def test_extraction_is_deterministic(html):
    first, second = outcome(html), outcome(html)
    assert first == second


@SETTINGS
@given(markup)
def test_locators_select_an_element_of_the_parsed_tree(html):
    doc = outcome(html)
    if doc is None:
        return
    soup = parse(html)
    for block in doc.blocks:
        assert soup.select_one(block.locator) is not None, block.locator


# -- hostile input: any text at all, lone surrogates, NULs, deep nesting, any selector -----------------

from service.errors import BadRequest  # noqa: E402 - the hostile-input section's own imports

any_char = st.one_of(st.characters(), st.characters(categories=["Cs"]),
                     st.sampled_from("\x00\r\n\x0b\x0c\ufeff\ue000<>&;#\"'=/!?-[]"))
hostile = st.one_of(
    st.text(any_char, max_size=300),
    st.lists(st.one_of(piece, st.text(any_char, max_size=8)), max_size=60).map("".join),
    st.builds(lambda tag, depth, text: f"<{tag}>" * depth + text + f"</{tag}>" * (depth // 2),
              st.sampled_from(["div", "p", "li", "table", "td", "b", "span", "section", "ul", "dl", "dd"]),
              st.integers(0, 400), st.text(any_char, max_size=40)),
    st.builds(lambda n, t: ("<table><tr><td>" * n) + t, st.integers(0, 150), st.text(max_size=20)),
)
selector = st.one_of(st.none(), st.text(any_char, max_size=40),
                     st.sampled_from(["main", "#x", ".content", "p:nth-of-type(2)", "a[href]", ":has(p)", "*",
                                      "p, p", "[", ")", "::before", "\\", "#\ud800", "div >", ":is(", "ä"]))
HOSTILE_SETTINGS = settings(max_examples=150, deadline=None,
                            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@HOSTILE_SETTINGS
@given(hostile, selector, selector)
def test_hostile_markup_and_selectors_raise_nothing_but_documented_errors(html, content, skip):
    try:
        doc = extract(html, URL, content=content, skip=skip)
    except ExtractError as err:
        assert err.status == 422
        return
    except BadRequest as err:  # a selector that cannot be used
        assert err.code == "bad_selector" and (content is not None or skip is not None)
        return
    assert doc.blocks and all(block.text for block in doc.blocks)
