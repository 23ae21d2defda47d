"""The page as extraction sees it: every element in document order with its locator, how much text and
link text each holds, and which are hidden; plus the helpers that read one element (class words,
language) or one string (clean_text).

Why apart from the walk: the content-area choice needs these same facts before anything is walked, and
they are worked out once per page (one bottom-up pass), while the walk runs once per area.
"""
from __future__ import annotations

import re

from bs4 import BeautifulSoup, NavigableString, Tag

from .locators import Locator
from .rules import (
    BLOCK_TAGS,
    HARD_SKIP_CLASSES,
    HARD_SKIP_ROLES,
    HARD_SKIP_TAGS,
    HIDDEN_STYLE,
    INVISIBLE,
    LAYOUT_HIDDEN,
    LISTEN_HREF,
    LISTEN_TEXT,
    REVEAL_CHARS,
    STREAM_BOUNDARY,
    WS,
)


# ----------------------------------------------------------------------------------------- elements ---
def class_words(el: Tag) -> list[str]:
    """The words of an element's class attribute."""
    c = el.get("class")
    if isinstance(c, str):
        return c.split()
    return list(c) if c else []


# CMS taxonomy/state classes that describe the page, not the element's role ("category-news", "tag-cookies").
_TAXONOMY = re.compile(r"^(?:tag|tags|category|categories|post_tag|format|status|type|has|postid|page-id|"
                       r"single|wp|parent-pageid|page-template|term|topic)-", re.I)


def class_and_id(el: Tag) -> str:
    """Class words and id of an element, without CMS taxonomy classes, for the boilerplate patterns."""
    words = [c for c in class_words(el) if not _TAXONOMY.match(c)]
    i = el.attrs.get("id")
    if isinstance(i, str) and i and not _TAXONOMY.match(i):
        words.append(i)
    return " ".join(words)


def lang_of(el: Tag) -> str | None:
    """The primary language an element's own lang / xml:lang names ("en-GB" -> "en"), if any."""
    v = el.get("lang") or el.get("xml:lang")
    return _primary(v) if isinstance(v, str) and v.strip() else None


def _primary(lang: str) -> str:
    return lang.strip().replace("_", "-").split("-")[0].lower() or "sv"


def clean_text(text: str) -> str:
    """Collapse whitespace (NBSP included) per line, drop soft hyphens and zero-width characters."""
    text = INVISIBLE.sub("", text)
    if "\n" not in text:
        return WS.sub(" ", text).strip()
    lines = (WS.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


# ----------------------------------------------------------------------------------------- the page ---
class _Stats:
    """One bottom-up pass: which elements hold block elements, h1/main markers, and how much text."""

    def __init__(self) -> None:
        self.has_block: set[int] = set()
        self.has_marker: set[int] = set()
        self.has_table: set[int] = set()
        self.has_field: set[int] = set()  # holds a text field: a sign-up, search or feedback box
        self.text: dict[int, int] = {}  # visible characters
        self.link: dict[int, int] = {}  # of which inside links
        self.heads: dict[int, int] = {}  # subheadings (h2-h6) inside ...
        self.linked_heads: dict[int, int] = {}  # ... and of those, headings that are a link elsewhere

    def compute(self, elements: list[Tag], hidden) -> None:
        text, link = self.text, self.link
        plain_string = NavigableString  # exact type: comments, doctype and script/style strings are subclasses
        for el in reversed(elements):  # children always come before their parent
            k = id(el)
            name = el.name
            if name in ("h1", "main", "article") or el.attrs.get("role") == "main":
                self.has_marker.add(k)
            elif (name == "input" and str(el.attrs.get("type", "text")).strip().lower() in FIELD_TYPES
                  or name == "textarea"):
                self.has_field.add(k)
            own = sum(len(c.strip()) for c in el.contents if type(c) is plain_string)
            if hidden(el, text.get(k, 0) + own - link.get(k, 0)):
                text[k] = link[k] = 0
            else:
                text[k] = text.get(k, 0) + own
                link[k] = text[k] if name == "a" else link.get(k, 0)
            parent = el.parent
            if parent is None or isinstance(parent, BeautifulSoup):
                continue
            p = id(parent)
            text[p] = text.get(p, 0) + text[k]
            link[p] = link.get(p, 0) + link[k]
            if text[k] and (name in BLOCK_TAGS or k in self.has_block):
                self.has_block.add(p)
            if k in self.has_marker:
                self.has_marker.add(p)
            if name == "table" or k in self.has_table:
                self.has_table.add(p)
            if k in self.has_field:
                self.has_field.add(p)
            if name in SUBHEADINGS and text[k]:
                self.heads[k] = 1
                if link[k] >= 0.9 * text[k] and _links_away(el):
                    self.linked_heads[k] = 1
            if k in self.heads:
                self.heads[p] = self.heads.get(p, 0) + self.heads[k]
                if k in self.linked_heads:
                    self.linked_heads[p] = self.linked_heads.get(p, 0) + self.linked_heads[k]


def _navigation(el: Tag) -> bool:
    role = el.attrs.get("role")
    return el.name == "nav" or (isinstance(role, str) and role.strip().lower() == "navigation")


FIELD_TYPES = frozenset({"text", "email", "tel", "search", "number", "url"})
SUBHEADINGS = frozenset({"h2", "h3", "h4", "h5", "h6"})


def _links_away(heading: Tag) -> bool:
    """A heading that is a link to another page (a teaser's title), not a link to its own anchor."""
    a = heading.find("a")
    href = a.attrs.get("href") if a is not None else None
    return isinstance(href, str) and bool(href.strip()) and not href.strip().startswith("#")


class Page:
    """One parsed page: its elements, their locators and text statistics, and which are hidden."""

    def __init__(self, soup: BeautifulSoup, skip_ids: set[int]):
        self.skip_ids = skip_ids  # elements the caller's `skip` selector matched
        self.elements: list[Tag] = [e for e in soup.descendants if isinstance(e, Tag)]
        self.locate = Locator(self.elements)
        self._hidden_cache: dict[int, bool] = {}
        self.toggles, self.panels = self._accordions()
        self.stats = _Stats()
        self.stats.compute(self.elements, self._hidden_for_stats)

    def hard_hidden(self, el: Tag) -> bool:
        """Never read, wherever it stands: skipped by the caller, hidden, navigation, a consent notice, ..."""
        k = id(el)
        cached = self._hidden_cache.get(k)
        if cached is None:
            cached = self._hard_hidden(el)
            self._hidden_cache[k] = cached
        return cached

    def _hidden_for_stats(self, el: Tag, plain_chars: int) -> bool:
        """hard_hidden, except that a layout class ("hide", "d-none") on a wrapper holding a page's worth of
        running text is a script's reveal-on-load, not hiding (the text is what visitors see); and that a
        navigation element holding the page's h1 or main and a page's worth of running text is markup
        gone wrong (a menu's <nav> never closed), not a menu."""
        if not self.hard_hidden(el):
            return False
        if plain_chars >= REVEAL_CHARS and id(el) in self.stats.has_marker and _navigation(el):
            self._hidden_cache[id(el)] = False  # an unclosed <nav> the article ended up inside: not a menu
            return False
        if plain_chars >= REVEAL_CHARS and LAYOUT_HIDDEN.intersection(class_words(el)):
            attrs = el.attrs
            if not ("hidden" in attrs or str(attrs.get("aria-hidden", "")).strip().lower() == "true"
                    or HIDDEN_STYLE.search(str(attrs.get("style", "")))
                    or (HARD_SKIP_CLASSES - LAYOUT_HIDDEN).intersection(class_words(el))):
                self._hidden_cache[id(el)] = False
                return False
        return True

    def _accordions(self) -> tuple[set[int], set[int]]:
        """FAQ accordions: `aria-expanded` buttons and the collapsed panels they control (`aria-controls`).

        Questions and answers are content even while collapsed. A toggle counts only when its panel holds
        running text rather than links, so menu buttons and their link panels stay out.
        """
        toggles: set[int] = set()
        panels: set[int] = set()
        for el in self.elements:
            attrs = el.attrs
            if "aria-expanded" not in attrs or not isinstance(attrs.get("aria-controls"), str):
                continue
            for pid in attrs["aria-controls"].split():
                panel = self.locate.by_id.get(pid)
                if panel is None or panel.name in HARD_SKIP_TAGS:
                    continue
                text = len(panel.get_text(strip=True))
                links = sum(len(a.get_text(strip=True)) for a in panel.find_all("a"))
                if text >= 2 and links <= 0.5 * text:
                    toggles.add(id(el))
                    panels.add(id(panel))
        return toggles, panels

    def _hard_hidden(self, el: Tag) -> bool:
        name = el.name
        if not el.attrs and name != "form" and name != "a":  # most elements: nothing to check
            return name in HARD_SKIP_TAGS or id(el) in self.skip_ids
        if id(el) in self.skip_ids:
            return True
        if id(el) in self.toggles:
            return False
        if name in HARD_SKIP_TAGS:
            return True
        attrs = el.attrs
        if id(el) in self.panels:  # collapsed answers: read, whatever hides them until clicked
            return False
        if "hidden" in attrs and not STREAM_BOUNDARY.match(str(attrs.get("id", ""))):
            return True
        if str(attrs.get("aria-hidden", "")).strip().lower() == "true":
            return True
        style = attrs.get("style")
        if isinstance(style, str) and HIDDEN_STYLE.search(style):
            return True
        if HARD_SKIP_CLASSES.intersection(class_words(el)):
            return True
        role = attrs.get("role")
        if isinstance(role, str) and role.strip().lower() in HARD_SKIP_ROLES:
            return True
        if (isinstance(role, str) and role.strip().lower() in NOTICE_ROLES) or "aria-modal" in attrs:
            if _consent_notice(el.get_text(" ")):
                return True
        i = attrs.get("id")
        if isinstance(i, str) and i.lower().startswith("readspeaker"):
            return True
        if name == "form" and id(el) not in self.stats.has_marker:
            return True  # search and feedback forms; not ASP.NET forms that wrap the whole page
        if name == "a":
            href = attrs.get("href")
            if isinstance(href, str) and LISTEN_HREF.search(href):
                return True
            label = el.get_text(" ")
            if len(label) < 80 and LISTEN_TEXT.match(clean_text(label)):
                return True
        return False


NOTICE_ROLES = frozenset({"alert", "alertdialog", "dialog", "status"})
_COOKIE_WORD = re.compile(r"\b(?:cookies?|kakor|kakorna|cookie-?policy)\b", re.I)
_CONSENT_WORD = re.compile(r"privacy|integritet|policy|agree|accept|godkänn|samtyck|consent|personuppgift", re.I)


def _consent_notice(text: str) -> bool:
    """A cookie/consent notice told by its words (for dialogs and alerts whose classes say nothing)."""
    return len(text) < 800 and bool(_COOKIE_WORD.search(text)) and bool(_CONSENT_WORD.search(text))
