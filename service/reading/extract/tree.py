"""Parsing: HTML -> a BeautifulSoup tree shaped like a browser's DOM, so locators match the live page.

Inert contents (script, style, svg, nav, comments ...) are emptied before parsing for speed; the element
tree and every `nth-of-type` count stay those of the browser.
"""
from __future__ import annotations

import re
import time

from bs4 import BeautifulSoup, NavigableString, Tag

from service.errors import ExtractError

from .rules import CLOSES_P, HEAD_TAGS, SKIP_STRINGS, TABLE_OK

# Reshaping moves subtrees, and BeautifulSoup walks a moved subtree to its last descendant, so markup
# nested thousands deep (6,000 unclosed <p>, 5,000 nested tables) costs seconds to minutes. No real
# page needs a tenth of this; past it the page is refused rather than holding a thread.
RESHAPE_BUDGET_S = 3.0


# ------------------------------------------------------------------------------------------ parsing ---
def parse(html: str) -> BeautifulSoup:
    """Parse HTML with the stdlib parser and reshape it like a browser DOM, so locators match the page."""
    soup = BeautifulSoup(_strip_head(_strip_inert(html or "")), _PARSER, multi_valued_attributes=None)
    _ensure_body(soup)
    found = [e for e in soup.descendants if isinstance(e, Tag) and e.name in _RESHAPED]
    budget = _Budget(RESHAPE_BUDGET_S)
    _close_implied(soup, found, budget)
    _fix_tables(soup, [t for t in found if t.name == "table"], budget)
    return soup


class _Budget:
    """Raises ExtractError (422) once reshaping has taken longer than `seconds`."""

    def __init__(self, seconds: float) -> None:
        self.end = time.monotonic() + seconds
        self.calls = 0

    def spend(self) -> None:
        self.calls += 1
        if self.calls % 32 == 0 and time.monotonic() > self.end:
            raise ExtractError("Sidans kod är för invecklad för att läsas upp (för djupt nästlad). / "
                               "The page's markup is too convoluted to read aloud (nested too deeply).",
                               code="too_complex")


_PARSER = "html.parser"
_RESHAPED = frozenset({"p", "li", "dt", "dd", "table"})
# Elements whose contents are never heard and never located: emptied before parsing (see _strip_inert).
_RAW = ("script", "style", "noscript")  # contents end at the first end tag, as in a browser
_NESTING = ("svg", "math", "template", "select", "nav")  # may nest: the matching end tag is counted
_INERT = re.compile(r"<!--|<(" + "|".join(_RAW + _NESTING) + r")(?=[\s/>])", re.I)
_INERT_END = {name: re.compile(r"</" + name, re.I) for name in _RAW}
_INERT_TAG = {name: re.compile(r"<(/?)" + name + r"(?=[\s/>])", re.I) for name in _NESTING}
# A nav whose contents are kept: a ReadSpeaker link in it names the reading area; an h1, <main> or
# <article> in it means the menu's <nav> was never closed and the page went on inside it (see page.py).
_KEEP = re.compile(r"read(?:id|class)=|<(?:h1|main|article)(?=[\s>])", re.I)


_HEAD_END = re.compile(r"</head\s*>|<body[\s>]", re.I)
_HEAD_VOID = re.compile(r"<(?:meta|link)\b[^<>]*>", re.I)


def _strip_head(html: str) -> str:
    """Drop <meta> and <link> tags before </head>: dozens on modern pages, never read, never located."""
    end = _HEAD_END.search(html, 0, 200_000)
    if end is None:
        return html
    return _HEAD_VOID.sub("", html[:end.start()]) + html[end.start():]


def _strip_inert(html: str) -> str:
    """Empty script/style/noscript/svg/math/template/select/nav elements and drop comments before parsing.

    Why: never read and never located, yet often half of a page's markup, and building BeautifulSoup
    nodes is most of the extraction time. Only contents go; the (empty) elements stay, so the element
    tree and every `nth-of-type` count stay the browser's. One linear scan, safe on multi-megabyte pages.
    """
    out: list[str] = []
    pos = 0
    n = len(html)
    while pos < n:
        m = _INERT.search(html, pos)
        if m is None:
            break
        start = m.start()
        if m.group(1) is None:  # comment: up to "-->" (an unclosed comment runs to the end, as in browsers)
            if html.startswith("<!-->", start):
                end = start + 2
            elif html.startswith("<!--->", start):
                end = start + 3
            else:
                end = html.find("-->", start + 4)
            out.append(html[pos:start])
            pos = n if end < 0 else end + 3
            continue
        name = m.group(1).lower()
        open_end = html.find(">", m.end())
        if open_end < 0:
            break
        if html[open_end - 1] == "/" and name in _NESTING:  # <svg/> has no content
            out.append(html[pos:open_end + 1])
            pos = open_end + 1
            continue
        close = -1
        if name in _INERT_END:
            cm = _INERT_END[name].search(html, open_end + 1)
            close = cm.start() if cm else -1
        else:
            depth = 1
            for t in _INERT_TAG[name].finditer(html, open_end + 1):
                depth += -1 if t.group(1) else 1
                if depth == 0:
                    close = t.start()
                    break
        if close < 0:
            if name != "nav":  # unclosed: like a browser, the rest of the document is inside it
                out.append(html[pos:open_end + 1])
                pos = n
            break
        if name == "nav" and _KEEP.search(html, open_end, close):
            out.append(html[pos:close])
        else:
            out.append(html[pos:open_end + 1])
        pos = close
    out.append(html[pos:])
    return "".join(out)


def _meaningful(node) -> bool:
    if isinstance(node, Tag):
        return True
    return isinstance(node, NavigableString) and not isinstance(node, SKIP_STRINGS) and bool(node.strip())


def _ensure_body(soup: BeautifulSoup) -> None:
    body = soup.find("body")
    if body is not None:  # an unclosed <head> swallows <body> in html.parser; browsers close the head
        head = next((p for p in body.parents if p.name == "head"), None)
        if head is not None:
            head.insert_after(body.extract())
    if body is None:
        html = soup.find("html")
        container = html if html is not None else soup
        nodes = list(container.children)
        start = len(nodes)
        for i, node in enumerate(nodes):  # leading head-ish content stays where it is
            if _meaningful(node) and not (isinstance(node, Tag) and node.name in HEAD_TAGS):
                start = i
                break
        body = soup.new_tag("body")
        for node in nodes[start:]:
            body.append(node.extract())
        container.append(body)
        return
    # Whatever the parser left after </body> (or </html>) belongs to <body> in a browser.
    trailing = [n for n in body.next_siblings if _meaningful(n)]
    html = body.parent
    if isinstance(html, Tag) and not isinstance(html, BeautifulSoup):
        trailing += [n for n in html.next_siblings if _meaningful(n)]
    for node in trailing:
        body.append(node.extract())


def _close_implied(soup: BeautifulSoup, found: list[Tag], budget: _Budget) -> None:
    """Close <p>, <li>, <dt>/<dd> where a browser would (the stdlib parser nests them instead)."""
    for p in (t for t in found if t.name == "p"):
        budget.spend()
        for child in p.children:
            if isinstance(child, Tag) and child.name in CLOSES_P:
                # The stray </p> left behind makes browsers insert an empty <p> (not for <p> in <p>).
                _move_out(soup, p, child, empty_p=child.name != "p")
                break
    for li in (t for t in found if t.name in ("li", "dt", "dd")):
        budget.spend()
        for child in li.children:
            if isinstance(child, Tag) and (child.name == "li" if li.name == "li" else child.name in ("dt", "dd")):
                _move_out(soup, li, child, empty_p=False)
                break


def _move_out(soup: BeautifulSoup, parent: Tag, first: Tag, *, empty_p: bool) -> None:
    """Move `first` and its following siblings out of `parent`, to right after it."""
    anchor = parent
    for node in [first, *first.next_siblings]:
        node = node.extract()
        anchor.insert_after(node)
        anchor = node
    if empty_p:
        anchor.insert_after(soup.new_tag("p"))


def _fix_tables(soup: BeautifulSoup, tables: list[Tag], budget: _Budget) -> None:
    """Foster-parent stray table content and wrap bare rows in <tbody>, as browsers do."""
    for table in tables:
        budget.spend()
        sections = [c for c in table.children if isinstance(c, Tag) and c.name in ("thead", "tbody", "tfoot")]
        rows = [r for holder in [table, *sections] for r in holder.children if isinstance(r, Tag) and r.name == "tr"]
        for holder in [table, *sections, *rows]:
            allowed = TABLE_OK[holder.name] | {"form", "input"}
            if holder.name != "tr":
                allowed = allowed | {"td", "th"}  # bare cells get an implied row below
            for child in list(holder.children):
                if _meaningful(child) and not (isinstance(child, Tag) and child.name in allowed):
                    table.insert_before(child.extract())
        _wrap(soup, table, "tbody", ("tr", "td", "th"))
        for section in sections:
            _wrap(soup, section, "tr", ("td", "th"))


def _wrap(soup: BeautifulSoup, holder: Tag, wrapper: str, names: tuple[str, ...]) -> None:
    """Wrap each run of consecutive `names` children of `holder` in a new `wrapper` element."""
    group: list[Tag] = []
    for child in [*holder.children, None]:
        if isinstance(child, Tag) and child.name in names:
            group.append(child)
            continue
        if child is not None and not _meaningful(child):
            continue
        if group:
            box = soup.new_tag(wrapper)
            group[0].insert_before(box)
            cells: Tag | None = None
            for node in group:
                node = node.extract()
                if wrapper == "tbody" and node.name != "tr":
                    if cells is None:
                        cells = soup.new_tag("tr")
                        box.append(cells)
                    cells.append(node)
                else:
                    cells = None
                    box.append(node)
            group = []
