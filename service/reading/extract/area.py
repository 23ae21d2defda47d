"""Where the content is: the caller's selector, the page's ReadSpeaker readid/readclass, or automatic
detection (text versus links and page chrome, scored over the whole tree).
"""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from bs4 import BeautifulSoup, Tag

from service.errors import BadRequest

from .page import Page, class_and_id, class_words
from .rules import (
    BAD_SELECTOR,
    BOILERPLATE,
    CHROME,
    CHROME_COST,
    CONTENT_IDS,
    MAX_SELECTOR_LEN,
    NEGATIVE,
    NEUTRAL_GAIN,
    POSITIVE,
    SOFT_SKIP_ROLES,
    VOTERS,
)


# ----------------------------------------------------------------------------------- content areas ---
def select_elements(soup: BeautifulSoup, selector: str, field: str) -> list[Tag]:
    """The elements a caller's CSS selector matches; BadRequest naming `field` for one we cannot use."""
    if len(selector) > MAX_SELECTOR_LEN:
        raise BadRequest(BAD_SELECTOR.format(field=field), code="bad_selector")
    try:
        return soup.select(selector)
    except Exception as exc:  # soupsieve raises SelectorSyntaxError and a few others for unsupported syntax
        raise BadRequest(BAD_SELECTOR.format(field=field), code="bad_selector") from exc


def outermost(els: list[Tag]) -> list[Tag]:
    """Those of `els` that are not inside another of them."""
    chosen = {id(e) for e in els}
    out = []
    for e in els:
        if not any(id(p) in chosen for p in e.parents):
            out.append(e)
    return out


def readspeaker_link(elements: list[Tag], by_id: dict[str, Tag]) -> tuple[str, list[Tag]] | None:
    """The page's own ReadSpeaker link (readid=... or readclass=...): what it names ("readid=main")
    and the elements found for it ([] when none is on the page); None when the page has no such link."""
    first: tuple[str, list[Tag]] | None = None
    for link in elements:
        href = link.attrs.get("href")
        if not isinstance(href, str) or "read" not in href or not _READ_PARAM.search(href):
            continue
        query = parse_qs(urlsplit(href.strip()).query)
        roots: list[Tag] = []
        named = []
        for value in query.get("readid", []):
            named.append(f"readid={value}")
            for rid in re.split(r"[,\s]+", value):
                if rid and rid in by_id:
                    roots.append(by_id[rid])
        for value in query.get("readclass", []):
            named.append(f"readclass={value}")
            wanted = {c for c in re.split(r"[,\s]+", value) if c}
            roots.extend(e for e in elements if wanted.intersection(class_words(e)))
        if roots:
            return " ".join(named)[:100], outermost(roots)
        if first is None and named:
            first = (" ".join(named)[:100], [])
    return first


def chrome_area(el: Tag, page: Page) -> bool:
    """An area that is page chrome, not content: navigation, a sidebar, header or footer (by tag, role
    or class), or mostly links. A site's ReadSpeaker link naming one of these is a mistake to pass over."""
    if page.hard_hidden(el) or _chrome_by_kind(el):
        return True
    names = class_and_id(el)
    if names and CHROME.search(names):
        return True
    text = page.stats.text.get(id(el), 0)
    return text > 0 and page.stats.link.get(id(el), 0) > CHROME_LINKS * text


CHROME_LINKS = 0.5


_READ_PARAM = re.compile(r"read(id|class)=", re.I)


def inside(el: Tag, ancestor: Tag) -> bool:
    """Whether `el` stands somewhere inside `ancestor` (not `ancestor` itself)."""
    return any(p is ancestor for p in el.parents)


LISTING_MIN_ITEMS = 4
LISTING_MIN_CHARS = 400
LISTING_GAIN = 1.5  # a listing wins when its items hold this many times the text of the best prose area


class AutoArea:
    """The automatic content-area choice: semantic containers first, text density as fallback."""

    def __init__(self, soup: BeautifulSoup, page: Page):
        self.soup = soup
        self.page = page
        self.stats = page.stats
        self.listing = False  # set by root() when the area is a listing page's list of headline links

    def visible(self, el: Tag) -> bool:
        cur: Tag | None = el
        while isinstance(cur, Tag) and not isinstance(cur, BeautifulSoup):
            if self.page.hard_hidden(cur):
                return False
            cur = cur.parent
        return True

    def plain(self, el: Tag) -> int:
        k = id(el)
        return self.stats.text.get(k, 0) - self.stats.link.get(k, 0)

    def root(self) -> Tag:
        body = self.soup.body or self.soup
        best = self.area_best() or self.density_best() or body
        listing, listed = self.listing_best()
        if (listing is not None and listed >= LISTING_MIN_CHARS and listed > LISTING_GAIN * self.plain(best)
                and not inside(listing, best)):
            self.listing = True  # headline links are the content: keep link-only lines of a few words
            return listing
        mains = [m for m in self.page.elements if (m.name == "main" or m.get("role") == "main") and self.visible(m)]
        cands = sorted(mains, key=self.plain, reverse=True)[:1]
        if not cands:
            for cid in CONTENT_IDS:
                el = self.page.locate.by_id.get(cid)
                if el is not None and self.visible(el) and self.plain(el) > 0:
                    cands.append(el)
                    break
        base = best
        for cand in cands:
            if self.plain(cand) >= 0.3 * self.plain(best) or inside(best, cand):
                base = cand
                break
        return self.narrow(base)

    def listing_best(self) -> tuple[Tag | None, int]:
        """A listing page's list: the element with the largest run of look-alike children (same tag and
        class) that each carry a headline-sized link, outside page chrome. Returns it and its text size."""
        text, link = self.stats.text, self.stats.link
        found: list[tuple[int, Tag]] = []
        for el in self.page.elements:
            if len(el.contents) < LISTING_MIN_ITEMS:
                continue
            groups: dict[tuple[str, str], list[int]] = {}
            for child in el.contents:
                if type(child) is Tag:
                    k = id(child)
                    if text.get(k, 0):
                        groups.setdefault((child.name, str(child.attrs.get("class", ""))), []).append(k)
            for members in groups.values():
                if len(members) < LISTING_MIN_ITEMS:
                    continue
                linked = [k for k in members if link.get(k, 0) >= 15]
                if len(linked) >= 0.6 * len(members):
                    found.append((sum(text.get(k, 0) for k in members), el))
        found.sort(key=lambda f: f[0], reverse=True)
        for size, el in found[:5]:
            if self.visible(el) and not any(self._chrome(a) and not isinstance(a, BeautifulSoup)
                                            for a in (el, *el.parents)):
                return el, size
        return None, 0

    def narrow(self, base: Tag) -> Tag:
        """Prefer the article that holds the page's h1 and most of the text."""
        h1 = next((h for h in base.find_all("h1") if self.visible(h)), None)
        best = None
        for art in base.find_all("article"):
            if not self.visible(art):
                continue
            if h1 is not None and not inside(h1, art):
                continue
            if self.plain(art) >= 0.5 * self.plain(base) and (best is None or self.plain(art) > self.plain(best)):
                best = art
        return best or base

    def area_best(self) -> Tag | None:
        """The element whose subtree best separates running text from the rest.

        Bottom-up, each element gets good = text of its paragraphs (>= 25 characters, mostly not links),
        bad = link text plus all text inside page chrome (footers, sidebars, comment lists, menus), and
        the rest neutral (short lines). The area maximises good + NEUTRAL_GAIN * neutral - CHROME_COST * bad:
        it grows to take in every section of a long article and stops where menus and footers begin.
        """
        text, link, has_block = self.stats.text, self.stats.link, self.stats.has_block
        body = self.soup.body or self.soup
        page_plain = max(1, self.plain(body))
        good: dict[int, int] = {}
        bad: dict[int, int] = {}
        best, best_score = None, 0.0
        in_link: set[int] = set()
        in_hidden: set[int] = set()
        hard_hidden = self.page.hard_hidden
        for el in self.page.elements:  # parents before children
            parent = el.parent
            if parent is None or isinstance(parent, BeautifulSoup):
                continue
            if parent.name == "a" or id(parent) in in_link:
                in_link.add(id(el))
            if id(parent) in in_hidden or hard_hidden(parent):
                in_hidden.add(id(el))
        for el in reversed(self.page.elements):  # children before parents
            k = id(el)
            t = text.get(k, 0)
            if t == 0:
                continue
            lk = link.get(k, 0)
            g, b = good.get(k, 0), bad.get(k, 0) + (t if el.name == "a" else 0)
            if el.name in VOTERS and not (el.name in ("div", "section") and k in has_block):
                if t >= 25 and lk <= 0.5 * t and k not in in_link:
                    g = t - lk
            if t - lk < 0.5 * page_plain and self._chrome_area(el, t, lk, g):
                g, b = 0, t
            if el.name != "html" and not hard_hidden(el) and k not in in_hidden:
                score = g + NEUTRAL_GAIN * max(0, t - g - b) - CHROME_COST * b
                if score >= best_score and score > 0:  # on a tie the wider area: it adds nothing unwanted
                    best, best_score = el, score
            parent = el.parent
            if isinstance(parent, Tag) and not isinstance(parent, BeautifulSoup):
                pk = id(parent)
                good[pk] = good.get(pk, 0) + g
                bad[pk] = bad.get(pk, 0) + b
        cur = best
        while cur is not None and not self.visible(cur):
            cur = cur.parent if isinstance(cur.parent, Tag) and not isinstance(cur.parent, BeautifulSoup) else None
        return cur

    def density_best(self) -> Tag | None:
        """Readability-style: paragraphs vote for their parent (and half for the grandparent); the votes are
        weighed by link density and class words, and areas inside page chrome (footer, sidebar, comments)
        are passed over unless they hold most of the page's text."""
        scores: dict[int, float] = {}
        els: dict[int, Tag] = {}
        text, link, has_block = self.stats.text, self.stats.link, self.stats.has_block
        for p in self.page.elements:
            if p.name not in VOTERS or (p.name in ("div", "section") and id(p) in has_block):
                continue
            n = text.get(id(p), 0)
            if n < 25 or link.get(id(p), 0) > 0.5 * n:
                continue
            score = 1 + p.get_text().count(",") + min(n / 100, 3)
            parent = p.parent
            for weight in (1.0, 0.5):
                if not isinstance(parent, Tag) or isinstance(parent, BeautifulSoup):
                    break
                scores[id(parent)] = scores.get(id(parent), 0) + score * weight
                els[id(parent)] = parent
                parent = parent.parent
        body = self.soup.body or self.soup
        page_plain = max(1, self.plain(body))
        ranked = []
        for k, s in scores.items():
            total = text.get(k, 0)
            if total:
                ranked.append((s * (1 - link.get(k, 0) / total) * self._weight(els[k]), k))
        ranked.sort(key=lambda r: r[0], reverse=True)
        for _, k in ranked[:25]:
            el = els[k]
            if el.name in ("html", "body") or not self.visible(el):
                continue
            if any(self._chrome(a) and self.plain(a) < 0.5 * page_plain for a in (el, *el.parents)):
                continue
            return el
        return None

    @staticmethod
    def _weight(el: Tag) -> float:
        names = class_and_id(el)
        if not names:
            return 1.0
        good, bad = bool(POSITIVE.search(names)), bool(NEGATIVE.search(names))
        return 1.0 if good == bad else (1.3 if good else 0.6)

    @staticmethod
    def _chrome_area(el: Tag, t: int, lk: int, g: int) -> bool:
        """Chrome for area scoring: by tag, role or chrome class; by a boilerplate class word ("toc",
        "related") only when the element is mostly links or short lines, not running text."""
        if _chrome_by_kind(el):
            return True
        names = class_and_id(el)
        if not names:
            return False
        if CHROME.search(names):
            return True
        return bool(BOILERPLATE.search(names)) and (lk > 0.3 * t or g < 0.5 * (t - lk))

    @staticmethod
    def _chrome(el: Tag) -> bool:
        """Page chrome around an area: footers, sidebars, comment lists, menus, widgets."""
        if isinstance(el, BeautifulSoup) or el.name in ("body", "html"):
            return False
        if _chrome_by_kind(el):
            return True
        names = class_and_id(el)
        return bool(names and (BOILERPLATE.search(names) or CHROME.search(names)))


def _chrome_by_kind(el: Tag) -> bool:
    """Page chrome by its tag (footer, aside, nav, header) or its landmark role."""
    if el.name in ("footer", "aside", "nav", "header"):
        return True
    role = el.attrs.get("role")
    return isinstance(role, str) and role.strip().lower() in SOFT_SKIP_ROLES


def hero_h1(soup: BeautifulSoup, root: Tag, auto: AutoArea) -> Tag | None:
    """The page h1 when it sits before the chosen area (a hero heading), not in a site header."""
    for h1 in soup.find_all("h1"):
        if inside(h1, root) or not auto.visible(h1):
            continue
        if any(p.name in ("header", "footer", "nav", "aside") for p in h1.parents):
            continue
        return h1
    return None
