"""Main-text extraction: page HTML -> Document of readable blocks, each tied to its page element.

Why it looks like this: the player highlights what is being read, so every block must map back to one
element of the live page through a CSS `locator`. The parse tree is therefore first reshaped the way a
browser's parser would shape it (a <body>, <tbody> around bare rows, <p>/<li> closed where browsers close
them), and no element is removed from it: skipped elements are only passed over, so `nth-of-type` counts
stay those of the real page (only the contents of never-read elements such as script and nav are dropped).

Content area, in priority: the caller's `content` selector; the page's own ReadSpeaker `readid` /
`readclass`; an automatic choice (the subtree that best separates running text from links and page
chrome, widened to <main> and narrowed to the <article> holding the h1 where those exist).
Only this package imports BeautifulSoup. Modules: rules (patterns), tree (parsing), locators,
page (elements' text, language and visibility), walker (blocks from an area), area (where the content
is); this file is the public API.
"""
from __future__ import annotations

from bs4 import BeautifulSoup, Tag

from service.errors import ExtractError
from service.models import ContentArea, Document

from .area import AutoArea, chrome_area, hero_h1, outermost, readspeaker_link, select_elements
from .links import document_links
from .locators import css_escape
from .page import Page, clean_text, lang_of
from .prune import prune
from .rules import AREA_REASONS, NOTHING_TO_READ
from .tree import parse
from .walker import FoundBlock, Walker

__all__ = ["extract", "extract_text", "check_selector", "page_text", "parse", "css_escape", "ExtractError",
           "NOTHING_TO_READ", "document_links"]


# ------------------------------------------------------------------------------------------ public ---
def extract(html: str, url: str, *, content: str | None = None, skip: str | None = None) -> Document:
    """Extract the readable blocks of a page, in reading order, each with a locator into the page."""
    soup = parse(html if isinstance(html, str) else "")
    html_el = soup.find("html")
    doc_lang = (lang_of(html_el) if html_el is not None else None) or "sv"

    skip_ids: set[int] = set()
    if skip and skip.strip():
        skip_ids = {id(e) for e in select_elements(soup, skip.strip(), "skip")}
    content_roots: list[Tag] = []
    if content and content.strip():
        content_roots = outermost(select_elements(soup, content.strip(), "content"))

    page = Page(soup, skip_ids)
    walker = Walker(page, doc_lang)
    found: list[FoundBlock] = []
    why, named = "auto", ""
    if content and content.strip():
        for root in content_roots:
            found.extend(walker.walk(root, soft=True))
        why = "content" if found else "content_empty"
    if not found:
        found, why, named = _site_area(soup, page, walker, why)
    if not found:
        found = _auto(soup, page, walker)
    if not found:  # last resort, before saying there is nothing: every visible block of the page
        found, why = walker.walk(soup.body or soup, soft=False), "page"
    if not found:
        raise ExtractError(NOTHING_TO_READ)
    source = why if why in ("content", "readspeaker", "page") else "auto"
    area = ContentArea(source, why, AREA_REASONS[why].format(named=named))

    blocks = [f.block for f in found]
    title = next((f.block.text for f in found if f.tag == "h1"), "")
    if not title:
        t = soup.find("title")
        title = clean_text(t.get_text(" ")).replace("\n", " ") if t is not None else ""
    return Document(url=url, title=title, lang=doc_lang, blocks=blocks, area=area)


PART_WORDS = 400  # a page's own ReadSpeaker area this short may be only a part of the article: it gives
# way to the article found without it when that holds STUB_GAIN times the words and reads nearly all
# (WITHIN_SHARE) of what the area holds, or, below STUB_WORDS, whenever the article is that much longer
WITHIN_SHARE = 0.8
STUB_WORDS = 80  # a page's own ReadSpeaker area this short may be a stub (a heading and a lede) ...
STUB_GAIN = 3.0  # ... and is not read when the article found without it (itself no shorter than
# STUB_WORDS) holds this many times the words


def _words(found: list[FoundBlock]) -> int:
    return sum(len(f.block.text.split()) for f in found)


def _site_area(soup: BeautifulSoup, page: Page, walker: Walker,
               why: str) -> tuple[list[FoundBlock], str, str]:
    """The area the page's own ReadSpeaker link names: (its blocks, "readspeaker", what it names) when it
    is one to read; otherwise no blocks and why not. Not read when it is missing, navigation or a
    sidebar, or a stub: a few dozen words where the article found without it is a real one with
    several times more (links that name only the heading and lede while the article goes on beside it)."""
    link = readspeaker_link(page.elements, page.locate.by_id)
    if link is None:
        return [], why, ""
    named, roots = link
    if not roots:
        return [], "readid_missing", named
    usable = [r for r in roots if not chrome_area(r, page)]
    if not usable:
        return [], "readid_chrome", named
    found = [f for root in usable for f in walker.walk(root, soft=False)]
    if not found:
        return [], "readid_missing", named
    mine = _words(found)
    if mine < PART_WORDS:
        auto = _auto(soup, page, walker)
        words = _words(auto)
        if words >= STUB_WORDS and words >= STUB_GAIN * max(1, mine) and (
                mine < STUB_WORDS or _a_part_of(found, usable, auto)):
            return auto, "readid_stub", named
    return found, "readspeaker", named


def _a_part_of(part: list[FoundBlock], roots: list[Tag], whole: list[FoundBlock]) -> bool:
    """Whether the area a link names is a piece of the article found without it: the article reads
    nearly everything the area holds, and nearly all of the article stands beside the area, in the
    same column (a CMS's next text portlets), not elsewhere on the page."""
    located = {f.block.locator for f in whole}
    if sum(f.block.locator in located for f in part) < WITHIN_SHARE * len(part):
        return False
    columns = {id(r.parent) for r in roots if isinstance(r.parent, Tag)}
    beside = sum(len(f.block.text.split()) for f in whole
                 if f.el is not None and any(id(p) in columns for p in f.el.parents))
    return beside >= WITHIN_SHARE * _words(whole)


def check_selector(selector: str, field: str) -> None:
    """BadRequest for a CSS selector extraction could not use: checked before work is queued with it."""
    select_elements(parse(""), selector.strip(), field)


def _auto(soup: BeautifulSoup, page: Page, walker: Walker) -> list[FoundBlock]:
    auto = AutoArea(soup, page)
    root = auto.root()
    return prune(_tidy_auto(soup, root, auto, walker, walker.walk(root, soft=True, listing=auto.listing)))


def _tidy_auto(soup: BeautifulSoup, root: Tag, auto: AutoArea, walker: Walker,
               found: list[FoundBlock]) -> list[FoundBlock]:
    """Automatic mode only: start at the h1 (drop a short lead-in such as kickers), or add a hero h1."""
    first_h1 = next((i for i, f in enumerate(found) if f.tag == "h1"), None)
    if first_h1 is not None:
        lead_words = sum(len(f.block.text.split()) for f in found[:first_h1])
        if 0 < first_h1 and lead_words <= 25:
            found = found[first_h1:]
    else:
        h1 = hero_h1(soup, root, auto)
        if h1 is not None:
            found = walker.walk(h1, soft=False) + found
    return found


def extract_text(html: str, url: str) -> str:
    """The main text, one block per line (a <br> inside a block also starts a line)."""
    return "\n".join(b.text for b in extract(html, url).blocks)


def page_text(html: str) -> str:
    """Every piece of text on the page a visitor could see or select (not scripts or styles), one
    space apart: what a selection read aloud must come from."""
    soup = BeautifulSoup(html if isinstance(html, str) else "", "html.parser")
    for element in soup.find_all(["script", "style", "template", "noscript"]):
        element.decompose()
    return soup.get_text(" ")
