"""Main-text extraction: page HTML -> Document of readable blocks, each tied to its page element.

Why it looks like this: the player highlights what is being read, so every block must map back to one
element of the live page through a CSS `locator`. The parse tree is therefore first reshaped the way a
browser's parser would shape it (a <body>, <tbody> around bare rows, <p>/<li> closed where browsers close
them), and nothing is removed from it: skipped elements are only passed over, so `nth-of-type` counts stay
those of the real page.

Content area, in priority: the caller's `content` selector; the page's own ReadSpeaker `readid` /
`readclass`; an automatic choice (main / article / common content ids, then a text-density fallback).
Only this module imports BeautifulSoup.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import CData, Comment, Declaration, Doctype, ProcessingInstruction

from service.errors import BadRequest, ExtractError
from service.models import Block, Document

__all__ = ["extract", "extract_text", "parse", "css_escape", "NOTHING_TO_READ"]

NOTHING_TO_READ = "Sidan har ingen text att läsa upp. / The page has no text to read aloud."
BAD_SELECTOR = "Ogiltig CSS-väljare i {field}. / Invalid CSS selector in {field}."
MAX_SELECTOR_LEN = 1000

# --------------------------------------------------------------------------------------------- tags ---
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
# Elements whose text is never heard: invisible, interactive, embedded or navigation.
HARD_SKIP_TAGS = frozenset({
    "script", "style", "template", "noscript", "iframe", "frame", "frameset", "svg", "math", "nav",
    "lyssna-player", "head", "title", "meta", "link", "base", "object", "embed", "canvas", "audio",
    "video", "map", "input", "select", "textarea", "button", "option", "optgroup", "datalist", "output",
    "progress", "meter", "label", "legend", "dialog", "applet",
})
BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details", "dir",
    "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "header", "hgroup", "hr",
    "html", "li", "main", "menu", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "td",
    "tfoot", "th", "thead", "tr", "ul", "dialog", "search", "noscript",
}) | HEADINGS
# A start tag of one of these closes an open <p> in a browser.
CLOSES_P = frozenset({
    "address", "article", "aside", "blockquote", "center", "details", "dialog", "dir", "div", "dl",
    "fieldset", "figcaption", "figure", "footer", "form", "header", "hgroup", "hr", "main", "menu", "nav",
    "ol", "p", "pre", "section", "summary", "table", "ul", "search",
}) | HEADINGS
HEAD_TAGS = frozenset({"head", "title", "meta", "link", "style", "script", "base", "noscript", "template"})
TABLE_OK = {
    "table": frozenset({"caption", "colgroup", "thead", "tbody", "tfoot", "tr", "script", "style", "template"}),
    "thead": frozenset({"tr", "script", "style", "template"}),
    "tbody": frozenset({"tr", "script", "style", "template"}),
    "tfoot": frozenset({"tr", "script", "style", "template"}),
    "tr": frozenset({"td", "th", "script", "style", "template"}),
}
SKIP_STRINGS = (Comment, CData, Declaration, Doctype, ProcessingInstruction)

# Screen-reader-only, hidden and read-aloud-tool classes (README: "Text that is not visible").
HARD_SKIP_CLASSES = frozenset({
    "rs_skip", "no-read-aloud", "rsbtn", "rs_addtools", "rspopup", "sr-only", "visually-hidden",
    "visuallyhidden", "sv-visuallyhidden", "screen-reader-text", "screen-reader-only", "element-invisible",
    "visually-hidden-focusable", "show-for-sr", "screenreader", "assistive-text", "env-assistive-text",
    "hidden", "d-none", "is-hidden", "u-hidden", "hide", "a11y-hidden", "offscreen", "ba-toggle",
})
# React streaming SSR parks server-rendered text in <div hidden id="S:0"> until a script swaps it in.
_STREAM_BOUNDARY = re.compile(r"^S:\d+$")
HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
LISTEN_TEXT = re.compile(r"^(lyssna|lyssna på sidan|lyssna och översätt|listen|listen to this page)$", re.I)
LISTEN_HREF = re.compile(r"readspeaker\.com|/rsent\b|insipio\.com|browsealoud|talandewebb", re.I)

# Boilerplate inside a content area (class / id words), applied below the content root only.
BOILERPLATE = re.compile(
    r"(?:^|[\s_-])(?:share|sharing|social|some|breadcrumbs?|brodsmulor|byline|credits?|kicker|tags|taglist|"
    r"tag-list|categor(?:y|ies)|related|relaterat|feedback|rating|cookies?|cookiebar|consent|cmplz|gdpr|"
    r"pager|pagination|pagenav|toc|print|skip|skiplinks?|article-info|page-info|pageinfo|page-meta|"
    r"node-meta|entry-meta|post-meta|entry-footer|updated|created|dateline|timestamp|subscribe|newsletter|"
    r"comments?|sidebar|subnav|submenu|advert|ads|sponsor|promo|signup|search|menu|author-box)"
    r"(?:$|[\s_-])"
    r"|feedback|breadcrumb|cookie|pagination|newsletter|sidebar|social",
    re.I,
)
SOFT_SKIP_ROLES = frozenset({"banner", "contentinfo", "complementary", "dialog", "alertdialog", "menu",
                             "menubar", "toolbar"})
HARD_SKIP_ROLES = frozenset({"navigation", "search"})
# Page metadata and navigation lines (README: "Excluded ... even inside the article area").
META_LINE = re.compile(
    r"^(senast (uppdaterad|ändrad|granskad|reviderad)|uppdaterad|publicerad|sidansvarig|redaktör|"
    r"ansvarig utgivare|sidan (uppdaterades|publicerades|granskades)|last (updated|modified|reviewed)|"
    r"updated|published)\b",
    re.I,
)
LABEL_LINE = re.compile(
    r"^(\w*kategori(er)?|ämnen|taggar|etiketter|tags|categories|category|filed under)\s*:"
    r"|^(var den här sidan till hjälp|hittade du (det|den information) du (sökte|letade efter)|"
    r"fick du svar på din fråga|hjälpte informationen|was this (page|article) helpful)",
    re.I,
)
NAV_LINE = re.compile(
    r"^(skriv ut|till toppen|tillbaka|läs mer|läs också|dela|tipsa|share|print|back to top|read more)\b",
    re.I,
)
VOTERS = frozenset({"p", "pre", "td", "li", "div", "section"})
CONTENT_IDS = ("main-content", "maincontent", "main_content", "content", "innehall", "main", "primary",
               "article", "page-content", "mainContent", "content-main", "site-content")

WS = re.compile(r"[\s\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
INVISIBLE = re.compile(r"[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
WORD = re.compile(r"\w")


@dataclass
class _Found:
    """A block plus the element it came from (kept only while extracting)."""

    block: Block
    tag: str  # tag name of the source element ("" for anonymous runs)


# ------------------------------------------------------------------------------------------ parsing ---
def parse(html: str) -> BeautifulSoup:
    """Parse HTML with the stdlib parser and reshape it like a browser DOM, so locators match the page."""
    soup = BeautifulSoup(html or "", "html.parser")
    _ensure_body(soup)
    found = soup.find_all(["p", "li", "dt", "dd", "table"])
    _close_implied(soup, found)
    _fix_tables(soup, [t for t in found if t.name == "table"])
    return soup


def _meaningful(node) -> bool:
    if isinstance(node, Tag):
        return True
    return isinstance(node, NavigableString) and not isinstance(node, SKIP_STRINGS) and bool(node.strip())


def _ensure_body(soup: BeautifulSoup) -> None:
    body = soup.find("body")
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


def _close_implied(soup: BeautifulSoup, found: list[Tag]) -> None:
    """Close <p>, <li>, <dt>/<dd> where a browser would (the stdlib parser nests them instead)."""
    for p in (t for t in found if t.name == "p"):
        for child in p.children:
            if isinstance(child, Tag) and child.name in CLOSES_P:
                # The stray </p> left behind makes browsers insert an empty <p> (not for <p> in <p>).
                _move_out(soup, p, child, empty_p=child.name != "p")
                break
    for li in (t for t in found if t.name in ("li", "dt", "dd")):
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


def _fix_tables(soup: BeautifulSoup, tables: list[Tag]) -> None:
    """Foster-parent stray table content and wrap bare rows in <tbody>, as browsers do."""
    for table in tables:
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


# ----------------------------------------------------------------------------------------- locators ---
def css_escape(ident: str) -> str:
    """CSS.escape() from CSSOM, so any id or tag name is safe inside a selector."""
    out = []
    for i, ch in enumerate(ident):
        cp = ord(ch)
        if cp == 0:
            out.append("\ufffd")
        elif 1 <= cp <= 0x1F or cp == 0x7F or (i == 0 and ch.isdigit() and ch.isascii()) or (
            i == 1 and ch.isdigit() and ch.isascii() and ident[0] == "-"
        ):
            out.append(f"\\{cp:x} ")
        elif i == 0 and ch == "-" and len(ident) == 1:
            out.append("\\-")
        elif cp >= 0x80 or ch in "-_" or (ch.isascii() and ch.isalnum()):
            out.append(ch)
        else:
            out.append("\\" + ch)
    return "".join(out)


class _Locator:
    """Builds `#unique-id > tag:nth-of-type(n) > ...` selectors, caching sibling positions."""

    def __init__(self, elements: list[Tag]):
        self.ids: dict[str, int] = {}
        self.by_id: dict[str, Tag] = {}
        for el in elements:
            i = el.get("id")
            if isinstance(i, str) and i:
                self.ids[i] = self.ids.get(i, 0) + 1
                self.by_id.setdefault(i, el)
        self.nth: dict[int, int] = {}

    def __call__(self, el: Tag) -> str:
        steps: list[str] = []
        cur: Tag | None = el
        while isinstance(cur, Tag) and not isinstance(cur, BeautifulSoup):
            i = cur.get("id")
            if isinstance(i, str) and i and self.ids.get(i) == 1:
                steps.append("#" + css_escape(i))
                break
            if cur.name in ("body", "html"):
                steps.append(cur.name)
                break
            steps.append(f"{css_escape(cur.name)}:nth-of-type({self._nth(cur)})")
            cur = cur.parent
        return " > ".join(reversed(steps))

    def _nth(self, el: Tag) -> int:
        key = id(el)
        if key not in self.nth:
            counts: dict[str, int] = {}
            parent = el.parent
            for sib in parent.children if parent is not None else (el,):
                if isinstance(sib, Tag):
                    counts[sib.name] = counts.get(sib.name, 0) + 1
                    self.nth[id(sib)] = counts[sib.name]
        return self.nth[key]


# --------------------------------------------------------------------------------------- visibility ---
def _classes(el: Tag) -> list[str]:
    c = el.get("class")
    if isinstance(c, str):
        return c.split()
    return list(c) if c else []


def _lang_of(el: Tag) -> str | None:
    v = el.get("lang") or el.get("xml:lang")
    return _primary(v) if isinstance(v, str) and v.strip() else None


def _primary(lang: str) -> str:
    return lang.strip().replace("_", "-").split("-")[0].lower() or "sv"


class _Stats:
    """One bottom-up pass: which elements hold block elements, h1/main markers, and how much text."""

    def __init__(self) -> None:
        self.has_block: set[int] = set()
        self.has_marker: set[int] = set()
        self.has_table: set[int] = set()
        self.text: dict[int, int] = {}  # visible characters
        self.link: dict[int, int] = {}  # of which inside links

    def compute(self, elements: list[Tag], hidden) -> None:
        text, link = self.text, self.link
        for el in reversed(elements):  # children always come before their parent
            k = id(el)
            if el.name in ("h1", "main", "article") or el.get("role") == "main":
                self.has_marker.add(k)
            if hidden(el):
                text[k] = link[k] = 0
            else:
                own = sum(len(c.strip()) for c in el.children
                          if isinstance(c, NavigableString) and not isinstance(c, SKIP_STRINGS))
                text[k] = text.get(k, 0) + own
                link[k] = text[k] if el.name == "a" else link.get(k, 0)
            parent = el.parent
            if parent is None or isinstance(parent, BeautifulSoup):
                continue
            p = id(parent)
            text[p] = text.get(p, 0) + text[k]
            link[p] = link.get(p, 0) + link[k]
            if text[k] and (el.name in BLOCK_TAGS or k in self.has_block):
                self.has_block.add(p)
            if k in self.has_marker:
                self.has_marker.add(p)
            if el.name == "table" or k in self.has_table:
                self.has_table.add(p)


def _inside(el: Tag, ancestor: Tag) -> bool:
    return any(p is ancestor for p in el.parents)


# ---------------------------------------------------------------------------------------- the walk ---
@dataclass
class _Ctx:
    lang: str
    quote: bool = False
    figure: bool = False
    quote_figure: bool = False


class _Walker:
    def __init__(self, soup: BeautifulSoup, skip_ids: set[int], default_lang: str, *, honour_hidden: bool = True):
        self.soup = soup
        self.honour_hidden = honour_hidden
        self.skip_ids = skip_ids
        self.default_lang = default_lang
        self.elements: list[Tag] = soup.find_all(True)
        self.locate = _Locator(self.elements)
        self._hidden_cache: dict[int, bool] = {}
        self._area_plain = 0
        self.stats = _Stats()
        self.stats.compute(self.elements, self.hard_hidden)

    # -- visibility --------------------------------------------------------------------------------
    def hard_hidden(self, el: Tag) -> bool:
        k = id(el)
        cached = self._hidden_cache.get(k)
        if cached is None:
            cached = self._hard_hidden(el)
            self._hidden_cache[k] = cached
        return cached

    def _hard_hidden(self, el: Tag) -> bool:
        name = el.name
        if name in HARD_SKIP_TAGS or id(el) in self.skip_ids:
            return True
        attrs = el.attrs
        if "hidden" in attrs and (self.honour_hidden or not _STREAM_BOUNDARY.match(str(attrs.get("id", "")))):
            return True
        if str(attrs.get("aria-hidden", "")).strip().lower() == "true":
            return True
        style = attrs.get("style")
        if isinstance(style, str) and HIDDEN_STYLE.search(style):
            return True
        if HARD_SKIP_CLASSES.intersection(_classes(el)):
            return True
        role = attrs.get("role")
        if isinstance(role, str) and role.strip().lower() in HARD_SKIP_ROLES:
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
            if len(el.get_text()) < 60 and LISTEN_TEXT.match(_clean(el.get_text(" "))):
                return True
        return False

    def soft_hidden(self, el: Tag) -> bool:
        """Boilerplate inside a content area: sidebars, share bars, meta lines, feedback, ...

        Never a wrapper that holds the page's h1 or most of the area's text, whatever its classes say.
        """
        k = id(el)
        plain = self.stats.text.get(k, 0) - self.stats.link.get(k, 0)
        if k in self.stats.has_marker or plain > 0.5 * self._area_plain:
            return False
        attrs = el.attrs
        role = attrs.get("role")
        if isinstance(role, str) and role.strip().lower() in SOFT_SKIP_ROLES:
            return True
        names = " ".join(_classes(el))
        i = attrs.get("id")
        if isinstance(i, str):
            names += " " + i
        if names and BOILERPLATE.search(names):
            return True
        if el.name == "aside":
            k = id(el)
            text = self.stats.text.get(k, 0)
            if text == 0 or self.stats.link.get(k, 0) > 0.3 * text:
                return True
            label = attrs.get("aria-label")
            if isinstance(label, str) and re.search(r"meny|menu|relater|related|kontakt|contact", label, re.I):
                return True
        return False

    # -- walking -----------------------------------------------------------------------------------
    def walk(self, root: Tag, *, soft: bool) -> list[_Found]:
        out: list[_Found] = []
        self._area_plain = self.stats.text.get(id(root), 0) - self.stats.link.get(id(root), 0)
        ctx = _Ctx(lang=self._lang_at(root))
        ctx = self._enter(root, ctx)
        if root.name == "table" and self._is_data_table(root):
            self._table(root, ctx, out)
            return out
        if root.name in HEADINGS or id(root) not in self.stats.has_block:
            self._leaf(root, ctx, out, soft)
            return out
        # frames: (container, children iterator, pending inline run, context)
        stack: list[tuple[Tag, object, list, _Ctx]] = [(root, iter(list(root.children)), [], ctx)]
        while stack:
            el, it, run, c = stack[-1]
            child = next(it, None)
            if child is None:
                self._flush(el, run, c, out, soft)
                stack.pop()
                continue
            if isinstance(child, NavigableString):
                if not isinstance(child, SKIP_STRINGS):
                    run.append(child)
                continue
            if not isinstance(child, Tag):
                continue
            if self.hard_hidden(child) or (soft and self._soft_skip(child, c)):
                continue
            name = child.name
            blockish = name in BLOCK_TAGS or id(child) in self.stats.has_block
            if name == "br" and not run:
                continue
            if not blockish:
                run.append(child)
                continue
            self._flush(el, run, c, out, soft)
            run.clear()
            cc = self._enter(child, c)
            if name == "table" and self._is_data_table(child):
                self._table(child, cc, out)
            elif name in HEADINGS or id(child) not in self.stats.has_block:
                self._leaf(child, cc, out, soft)
            else:
                stack.append((child, iter(list(child.children)), [], cc))
        return out

    def _soft_skip(self, el: Tag, c: _Ctx) -> bool:
        if el.name == "footer" and not (c.quote or c.figure):
            return True
        if el.name == "header":
            role = el.get("role")
            return isinstance(role, str) and role.strip().lower() == "banner"
        return self.soft_hidden(el)

    def _enter(self, el: Tag, c: _Ctx) -> _Ctx:
        lang = _lang_of(el) or c.lang
        quote = c.quote or el.name == "blockquote"
        figure = c.figure or el.name == "figure"
        quote_figure = c.quote_figure or (el.name == "figure" and el.find("blockquote") is not None)
        if (lang, quote, figure, quote_figure) == (c.lang, c.quote, c.figure, c.quote_figure):
            return c
        return _Ctx(lang=lang, quote=quote, figure=figure, quote_figure=quote_figure)

    def _lang_at(self, el: Tag) -> str:
        cur: Tag | None = el
        while isinstance(cur, Tag) and not isinstance(cur, BeautifulSoup):
            lang = _lang_of(cur)
            if lang:
                return lang
            cur = cur.parent
        return self.default_lang

    def _kind(self, tag: str, c: _Ctx) -> str:
        if tag in HEADINGS:
            return "heading"
        if tag == "figcaption":
            return "quote" if c.quote_figure else "caption"
        if c.quote:
            return "quote"
        if tag == "caption":
            return "caption"
        if tag == "li":
            return "list-item"
        return "paragraph"

    def _leaf(self, el: Tag, c: _Ctx, out: list[_Found], soft: bool) -> None:
        text, plain, imgs = self._gather(list(el.children), c)
        self._images(imgs, c, out)
        self._emit(el, el.name, text, plain, c, out, soft)

    def _flush(self, container: Tag, run: list, c: _Ctx, out: list[_Found], soft: bool) -> None:
        if not run:
            return
        text, plain, imgs = self._gather(run, c)
        self._images(imgs, c, out)
        if not text:
            return
        tags = [n for n in run if isinstance(n, Tag) and n.name != "br"]
        loose = any(isinstance(n, NavigableString) and n.strip() for n in run)
        target, lang = container, c.lang
        if len(tags) == 1 and not loose:
            target = tags[0]
            lang = _lang_of(target) or c.lang
        c2 = c if lang == c.lang else _Ctx(lang, c.quote, c.figure, c.quote_figure)
        self._emit(target, container.name, text, plain, c2, out, soft)

    def _emit(self, el: Tag, tag: str, text: str, plain: str, c: _Ctx, out: list[_Found], soft: bool) -> None:
        if not text:
            return
        kind = self._kind(tag, c)
        if soft and kind != "heading":
            if not WORD.search(plain):  # only link text: CTA, "Läs mer", kicker, back links
                return
            if len(text) < 100 and (META_LINE.match(text) or LABEL_LINE.match(text)):
                return
            if len(text) < 60 and plain != text and NAV_LINE.match(text):
                return
        lang = _lang_of(el) or c.lang
        out.append(_Found(Block(kind, text, lang, self.locate(el)), tag))

    def _images(self, imgs: list[Tag], c: _Ctx, out: list[_Found]) -> None:
        for img in imgs:
            alt = _clean(img.get("alt") if isinstance(img.get("alt"), str) else "")
            if alt:
                out.append(_Found(Block("caption", alt, _lang_of(img) or c.lang, self.locate(img)), "img"))

    def _gather(self, nodes: list, c: _Ctx) -> tuple[str, str, list[Tag]]:
        """Text of inline content: <br> -> newline; returns (text, text outside links, figure images)."""
        parts: list[str] = []
        plain: list[str] = []
        imgs: list[Tag] = []
        stack: list[tuple[object, bool]] = [(n, False) for n in reversed(nodes)]
        while stack:
            node, in_link = stack.pop()
            if isinstance(node, NavigableString):
                if isinstance(node, SKIP_STRINGS):
                    continue
                s = WS.sub(" ", str(node))  # source newlines are just spaces; only <br> breaks a line
                parts.append(s)
                if not in_link:
                    plain.append(s)
                continue
            if not isinstance(node, Tag):
                continue
            name = node.name
            if name == "br":
                parts.append("\n")
                plain.append("\n")
                continue
            if self.hard_hidden(node):
                continue
            if name == "img":
                if c.figure and not in_link:
                    imgs.append(node)
                continue
            block = name in BLOCK_TAGS
            if block:
                parts.append(" ")
                plain.append(" ")
            link = in_link or name == "a"
            stack.extend((ch, link) for ch in reversed(list(node.children)))
        return _clean("".join(parts)), _clean("".join(plain)), imgs

    # -- tables ------------------------------------------------------------------------------------
    def _is_data_table(self, t: Tag) -> bool:
        role = t.get("role")
        if isinstance(role, str) and role.strip().lower() in ("presentation", "none"):
            return False
        if id(t) in self.stats.has_table:
            return False
        rows = self._rows(t)
        if not rows:
            return False
        if t.find(["caption", "th", "thead"]) is not None:
            return True
        widest = max(len(self._cells(r)) for r in rows)
        if len(rows) < 2 or widest < 2:
            return False
        return not any(id(cell) in self.stats.has_block for r in rows for cell in self._cells(r))

    @staticmethod
    def _rows(t: Tag) -> list[Tag]:
        rows = []
        for sec in t.children:
            if isinstance(sec, Tag):
                if sec.name == "tr":
                    rows.append(sec)
                elif sec.name in ("thead", "tbody", "tfoot"):
                    rows.extend(r for r in sec.children if isinstance(r, Tag) and r.name == "tr")
        return rows

    @staticmethod
    def _cells(row: Tag) -> list[Tag]:
        return [c for c in row.children if isinstance(c, Tag) and c.name in ("td", "th")]

    def _table(self, t: Tag, c: _Ctx, out: list[_Found]) -> None:
        for cap in t.find_all("caption", recursive=False):
            if not self.hard_hidden(cap):
                text, _, _ = self._gather(list(cap.children), c)
                if text:
                    out.append(_Found(Block("caption", text.replace("\n", " "), _lang_of(cap) or c.lang,
                                            self.locate(cap)), "caption"))
        for row in self._rows(t):
            if self.hard_hidden(row) or (row.parent is not t and self.hard_hidden(row.parent)):
                continue
            cells = []
            for cell in self._cells(row):
                if self.hard_hidden(cell):
                    continue
                text, _, _ = self._gather(list(cell.children), c)
                if text:
                    cells.append(text.replace("\n", " "))
            if cells:
                out.append(_Found(Block("table-row", ", ".join(cells), _lang_of(row) or c.lang,
                                        self.locate(row)), "tr"))


def _clean(text: str) -> str:
    """Collapse whitespace (NBSP included) per line, drop soft hyphens and zero-width characters."""
    text = INVISIBLE.sub("", text)
    lines = (WS.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


# ----------------------------------------------------------------------------------- content areas ---
def _select(soup: BeautifulSoup, selector: str, field: str) -> list[Tag]:
    if len(selector) > MAX_SELECTOR_LEN:
        raise BadRequest(BAD_SELECTOR.format(field=field), code="bad_selector")
    try:
        return soup.select(selector)
    except Exception as exc:  # soupsieve raises SelectorSyntaxError and a few others for unsupported syntax
        raise BadRequest(BAD_SELECTOR.format(field=field), code="bad_selector") from exc


def _top_most(els: list[Tag]) -> list[Tag]:
    chosen = {id(e) for e in els}
    out = []
    for e in els:
        if not any(id(p) in chosen for p in e.parents):
            out.append(e)
    return out


def _readspeaker_roots(soup: BeautifulSoup) -> list[Tag]:
    """Elements named by the page's own ReadSpeaker link (readid=... or readclass=...)."""
    for link in soup.find_all(href=re.compile(r"read(id|class)=", re.I)):
        href = link.get("href")
        if not isinstance(href, str):
            continue
        query = parse_qs(urlsplit(href.strip()).query)
        roots: list[Tag] = []
        for value in query.get("readid", []):
            for rid in re.split(r"[,\s]+", value):
                if rid:
                    el = soup.find(id=rid)
                    if el is not None:
                        roots.append(el)
        for value in query.get("readclass", []):
            for cls in re.split(r"[,\s]+", value):
                if cls:
                    roots.extend(soup.find_all(class_=cls))
        if roots:
            return _top_most(roots)
    return []


class _Auto:
    """The automatic content-area choice: semantic containers first, text density as fallback."""

    def __init__(self, soup: BeautifulSoup, walker: _Walker):
        self.soup = soup
        self.w = walker
        self.stats = walker.stats

    def visible(self, el: Tag) -> bool:
        cur: Tag | None = el
        while isinstance(cur, Tag) and not isinstance(cur, BeautifulSoup):
            if self.w.hard_hidden(cur):
                return False
            cur = cur.parent
        return True

    def plain(self, el: Tag) -> int:
        k = id(el)
        return self.stats.text.get(k, 0) - self.stats.link.get(k, 0)

    def root(self) -> Tag:
        body = self.soup.body or self.soup
        best = self.density_best() or body
        mains = [m for m in self.w.elements if (m.name == "main" or m.get("role") == "main") and self.visible(m)]
        cands = sorted(mains, key=self.plain, reverse=True)[:1]
        if not cands:
            for cid in CONTENT_IDS:
                el = self.w.locate.by_id.get(cid)
                if el is not None and self.visible(el) and self.plain(el) > 0:
                    cands.append(el)
                    break
        base = best
        for cand in cands:
            if self.plain(cand) >= 0.3 * self.plain(best) or _inside(best, cand):
                base = cand
                break
        return self.narrow(base)

    def narrow(self, base: Tag) -> Tag:
        """Prefer the article that holds the page's h1 and most of the text."""
        h1 = next((h for h in base.find_all("h1") if self.visible(h)), None)
        best = None
        for art in base.find_all("article"):
            if not self.visible(art):
                continue
            if h1 is not None and not _inside(h1, art):
                continue
            if self.plain(art) >= 0.5 * self.plain(base) and (best is None or self.plain(art) > self.plain(best)):
                best = art
        return best or base

    def density_best(self) -> Tag | None:
        """Readability-style: paragraphs vote for their parent (and half for the grandparent)."""
        scores: dict[int, float] = {}
        els: dict[int, Tag] = {}
        for p in self.w.elements:
            if p.name not in VOTERS or (p.name in ("div", "section") and id(p) in self.stats.has_block):
                continue
            n = self.stats.text.get(id(p), 0)
            if n < 25:
                continue
            text = p.get_text()
            score = 1 + text.count(",") + min(n / 100, 3)
            parent = p.parent
            for weight in (1.0, 0.5):
                if not isinstance(parent, Tag) or isinstance(parent, BeautifulSoup):
                    break
                scores[id(parent)] = scores.get(id(parent), 0) + score * weight
                els[id(parent)] = parent
                parent = parent.parent
        ranked = []
        for k, s in scores.items():
            total = self.stats.text.get(k, 0)
            if total:
                ranked.append((s * (1 - self.stats.link.get(k, 0) / total), k))
        ranked.sort(reverse=True)
        for _, k in ranked[:10]:  # the best-scoring area that is visible and not a comment list or sidebar
            el = els[k]
            if self.visible(el) and not any(self._boilerplate(a) for a in (el, *el.parents)):
                return el
        return None

    @staticmethod
    def _boilerplate(el: Tag) -> bool:
        if isinstance(el, BeautifulSoup) or el.name in ("body", "html"):
            return False
        names = " ".join(_classes(el))
        i = el.get("id")
        return bool(BOILERPLATE.search(names + (" " + i if isinstance(i, str) else "")))


def _h1_outside(soup: BeautifulSoup, root: Tag, auto: _Auto) -> Tag | None:
    """The page h1 when it sits before the chosen area (a hero heading), not in a site header."""
    for h1 in soup.find_all("h1"):
        if _inside(h1, root) or not auto.visible(h1):
            continue
        if any(p.name in ("header", "footer", "nav", "aside") for p in h1.parents):
            continue
        return h1
    return None


# ------------------------------------------------------------------------------------------ public ---
def extract(html: str, url: str, *, content: str | None = None, skip: str | None = None) -> Document:
    """Extract the readable blocks of a page, in reading order, each with a locator into the page."""
    soup = parse(html if isinstance(html, str) else "")
    html_el = soup.find("html")
    doc_lang = (_lang_of(html_el) if html_el is not None else None) or "sv"

    skip_ids: set[int] = set()
    if skip and skip.strip():
        skip_ids = {id(e) for e in _select(soup, skip.strip(), "skip")}
    content_roots: list[Tag] = []
    if content and content.strip():
        content_roots = _top_most(_select(soup, content.strip(), "content"))

    walker = _Walker(soup, skip_ids, doc_lang)
    found: list[_Found] = []
    if content_roots:
        for root in content_roots:
            found.extend(walker.walk(root, soft=True))
    if not found:
        for root in _readspeaker_roots(soup):
            found.extend(walker.walk(root, soft=False))
    if not found:
        found = _auto(soup, walker)
    if not found:  # pages that hide their server-rendered text until a script reveals it (React streaming)
        walker = _Walker(soup, skip_ids, doc_lang, honour_hidden=False)
        found = _auto(soup, walker)
    if not found:
        raise ExtractError(NOTHING_TO_READ)

    blocks = [f.block for f in found]
    title = next((f.block.text for f in found if f.tag == "h1"), "")
    if not title:
        t = soup.find("title")
        title = _clean(t.get_text(" ")).replace("\n", " ") if t is not None else ""
    return Document(url=url, title=title, lang=doc_lang, blocks=blocks)


def _auto(soup: BeautifulSoup, walker: _Walker) -> list[_Found]:
    auto = _Auto(soup, walker)
    root = auto.root()
    return _tidy_auto(soup, root, auto, walker, walker.walk(root, soft=True))


def _tidy_auto(soup: BeautifulSoup, root: Tag, auto: _Auto, walker: _Walker, found: list[_Found]) -> list[_Found]:
    """Automatic mode only: start at the h1 (drop a short lead-in such as kickers), or add a hero h1."""
    first_h1 = next((i for i, f in enumerate(found) if f.tag == "h1"), None)
    if first_h1 is not None:
        lead_words = sum(len(f.block.text.split()) for f in found[:first_h1])
        if 0 < first_h1 and lead_words <= 25:
            found = found[first_h1:]
    else:
        h1 = _h1_outside(soup, root, auto)
        if h1 is not None:
            found = walker.walk(h1, soft=False) + found
    return found


def extract_text(html: str, url: str) -> str:
    """The main text, one block per line (a <br> inside a block also starts a line)."""
    return "\n".join(b.text for b in extract(html, url).blocks)
