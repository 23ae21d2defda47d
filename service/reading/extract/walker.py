"""The walk: a content area -> blocks in reading order (headings, paragraphs, lists, tables, quotes, figures).

Iterative throughout (no recursion), so 10,000-deep markup is fine. What is hidden and how much text each
element holds come from the page (page.py); what the walk adds is skipping boilerplate inside the area
(soft_hidden) and the reading order, kinds, list numbers and table cues of the blocks.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from bs4 import BeautifulSoup, NavigableString, Tag

from service.models import Block

from .inline_lang import inline_langs
from .page import Page, class_and_id, class_words, clean_text, lang_of
from .rules import (
    BLOCK_TAGS,
    BOILERPLATE,
    BYLINE,
    CHROME_WALK,
    COPYRIGHT_LINE,
    CREDIT_LINE,
    DATE_LINE,
    DISCLOSURE_LINE,
    HEADINGS,
    LABEL_LINE,
    LONG_TEXT,
    META_LINE,
    NAV_LINE,
    SKIP_STRINGS,
    SOFT_SKIP_ROLES,
    WORD,
    WS,
    meta_in_parts,
)
from .tables import Headers, row_text


# ---------------------------------------------------------------------------------------- the walk ---
@dataclass
class _Ctx:
    lang: str
    quote: bool = False
    figure: bool = False
    quote_figure: bool = False
    teaser: bool = False  # inside teaser cards (Walker.teaser)


class Walker:
    """Turns content areas of one page into blocks, in reading order."""

    def __init__(self, page: Page, default_lang: str):
        # what the walk reads of the page
        self.stats = page.stats
        self.locate = page.locate
        self.hard_hidden = page.hard_hidden
        self.default_lang = default_lang
        self._area_plain = 0
        self._listing = False  # per walk: keep link-only lines of a few words (a listing page's headlines)
        self._root: Tag | None = None  # the area being walked
        self._numbered: set[int] = set()  # <li> whose number has been given
        self._numbers: dict[int, dict[int, int]] = {}  # id(ol) -> id(li) -> number (see _ol_numbers)

    # -- boilerplate inside the area ---------------------------------------------------------------
    def soft_hidden(self, el: Tag) -> bool:
        """Boilerplate inside a content area: sidebars, share bars, meta lines, feedback, ...

        Never a wrapper that holds the page's h1 or most of the area's text, whatever its classes say.
        """
        k = id(el)
        plain = self.stats.text.get(k, 0) - self.stats.link.get(k, 0)
        if k in self.stats.has_marker or plain > 0.5 * self._area_plain:
            return False
        if k in self.stats.has_field and plain <= FIELD_BOX_PLAIN and k not in self.stats.has_table:
            return True  # a sign-up, search or feedback box (not a calculator with its table)
        attrs = el.attrs
        role = attrs.get("role")
        if isinstance(role, str) and role.strip().lower() in SOFT_SKIP_ROLES:
            return True
        names = class_and_id(el)
        if names and CHROME_WALK.search(names):
            return True
        if names and BOILERPLATE.search(names):
            # a class word such as "toc" or "related" on a section of running text is a layout name
            return plain < LONG_TEXT or self.stats.link.get(k, 0) > 0.3 * self.stats.text.get(k, 0)
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
    def walk(self, root: Tag, *, soft: bool, listing: bool = False) -> list[FoundBlock]:
        """The blocks of `root`; `soft` skips boilerplate inside it, `listing` keeps headline links."""
        out: list[FoundBlock] = []
        self._root = root
        self._listing = listing
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
            if soft and not cc.teaser and not self._listing and self.teaser(child):
                cc = _Ctx(cc.lang, cc.quote, cc.figure, cc.quote_figure, teaser=True)
            if name == "table" and self._is_data_table(child):
                self._table(child, cc, out)
            elif name in HEADINGS or id(child) not in self.stats.has_block:
                self._leaf(child, cc, out, soft)
            else:
                stack.append((child, iter(list(child.children)), [], cc))
        return out

    def teaser(self, el: Tag) -> bool:
        """Teaser cards: headings that link to other pages, each with a line or two of text. Read where
        they are the article's own list; left out before and after it (see prune)."""
        k = id(el)
        linked = self.stats.linked_heads.get(k, 0)
        plain = self.stats.text.get(k, 0) - self.stats.link.get(k, 0)
        return bool(linked) and linked == self.stats.heads.get(k) and plain <= TEASER_PLAIN

    def _soft_skip(self, el: Tag, c: _Ctx) -> bool:
        if el.name == "footer" and not (c.quote or c.figure):
            return True
        if el.name == "header":
            role = el.get("role")
            return isinstance(role, str) and role.strip().lower() == "banner"
        return self.soft_hidden(el)

    def _enter(self, el: Tag, c: _Ctx) -> _Ctx:
        lang = lang_of(el) or c.lang
        quote = c.quote or el.name == "blockquote"
        figure = c.figure or el.name == "figure"
        quote_figure = c.quote_figure or (el.name == "figure" and el.find("blockquote") is not None)
        if (lang, quote, figure, quote_figure) == (c.lang, c.quote, c.figure, c.quote_figure):
            return c
        return _Ctx(lang=lang, quote=quote, figure=figure, quote_figure=quote_figure, teaser=c.teaser)

    def _lang_at(self, el: Tag) -> str:
        cur: Tag | None = el
        while isinstance(cur, Tag) and not isinstance(cur, BeautifulSoup):
            lang = lang_of(cur)
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

    def _leaf(self, el: Tag, c: _Ctx, out: list[FoundBlock], soft: bool) -> None:
        text, plain, imgs = self._gather(list(el.children), c)
        self._images(imgs, c, out)
        self._emit(el, el.name, text, plain, c, out, soft, el.children)

    def _flush(self, container: Tag, run: list, c: _Ctx, out: list[FoundBlock], soft: bool) -> None:
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
            lang = lang_of(target) or c.lang
        c2 = c if lang == c.lang else _Ctx(lang, c.quote, c.figure, c.quote_figure, c.teaser)
        self._emit(target, container.name, text, plain, c2, out, soft, run)

    def _emit(self, el: Tag, tag: str, text: str, plain: str, c: _Ctx, out: list[FoundBlock], soft: bool,
              nodes=()) -> None:
        if not text:
            return
        kind = self._kind(tag, c)
        if soft and kind != "heading":
            if not WORD.search(plain):  # only link text: CTA, "Läs mer", kicker, back links
                if not (self._listing and len(text.split()) >= 3 and not NAV_LINE.match(text)):
                    return
            if len(text) < 100 and (META_LINE.match(text) or LABEL_LINE.match(text) or DATE_LINE.match(text)
                                    or BYLINE.match(text) or CREDIT_LINE.search(text)):
                return
            if len(text) < 60 and plain != text and NAV_LINE.match(text):
                return
            if len(text) < 400 and (COPYRIGHT_LINE.search(text) or DISCLOSURE_LINE.search(text)):
                return
            if len(text) < 120 and kind != "list-item" and meta_in_parts(text):
                return
        lang = lang_of(el) or c.lang
        number = self._list_number(el, text) if kind != "heading" else None
        cues = [(0, number)] if number else []
        lang, langs = inline_langs(nodes, text, lang)
        block = Block(kind, text, lang, self.locate(el), cues, langs)
        out.append(FoundBlock(block, tag, c.teaser, el))

    # -- ordered lists -----------------------------------------------------------------------------
    def _list_number(self, el: Tag, text: str) -> str | None:
        """The number a reader says before the first block of an <ol> item ("3."), as the browser
        draws it: `start`, `reversed`, `value`, `type`; hidden items are not counted. None for
        unnumbered lists, items already numbered in their text, and later blocks of the same item."""
        li: Tag | None = el
        for _ in range(3):
            if li is None or li.name == "li" or li is self._root:
                break
            li = li.parent if isinstance(li.parent, Tag) else None
        if li is None or li.name != "li" or id(li) in self._numbered:
            return None
        self._numbered.add(id(li))
        ol = li.parent
        if not isinstance(ol, Tag) or ol.name != "ol" or OWN_NUMBER.match(text):
            return None
        if any(UNNUMBERED.search(str(x.get("style") or "")) or UNNUMBERED_CLASS.search(" ".join(class_words(x)))
               for x in (ol, li)):
            return None
        n = self._ol_numbers(ol).get(id(li))
        if n is None:  # a hidden item
            return None
        kind = str(li.get("type") or ol.get("type") or "1")
        if kind in ("a", "A") and 1 <= n <= 26:
            return chr(ord(kind) + n - 1) + "."
        return f"{n}."

    def _ol_numbers(self, ol: Tag) -> dict[int, int]:
        """id(li) -> its number, for every visible item of `ol` (counted once per list)."""
        numbers = self._numbers.get(id(ol))
        if numbers is None:
            items = [x for x in ol.children if isinstance(x, Tag) and x.name == "li" and not self.hard_hidden(x)]
            backwards = ol.has_attr("reversed")
            n = _int_attr(ol, "start", len(items) if backwards else 1)
            numbers = {}
            for item in items:
                n = _int_attr(item, "value", n)
                numbers[id(item)] = n
                n += -1 if backwards else 1
            self._numbers[id(ol)] = numbers
        return numbers

    def _images(self, imgs: list[Tag], c: _Ctx, out: list[FoundBlock]) -> None:
        for img in imgs:
            alt = clean_text(img.get("alt") if isinstance(img.get("alt"), str) else "")
            if alt:
                out.append(FoundBlock(Block("caption", alt, lang_of(img) or c.lang, self.locate(img)), "img"))

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
        return clean_text("".join(parts)), clean_text("".join(plain)), imgs

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

    def _table(self, t: Tag, c: _Ctx, out: list[FoundBlock]) -> None:
        for cap in t.find_all("caption", recursive=False):
            if not self.hard_hidden(cap):
                text, _, _ = self._gather(list(cap.children), c)
                if text:
                    out.append(FoundBlock(Block("caption", text.replace("\n", " "), lang_of(cap) or c.lang,
                                            self.locate(cap)), "caption"))
        rows = [r for r in self._rows(t)
                if not (self.hard_hidden(r) or (r.parent is not t and self.hard_hidden(r.parent)))]
        headers = self._column_headers(t, rows, c)
        for row in rows:
            cells: list[tuple[int, str, bool]] = []  # (column, text, is a header cell)
            col = 0
            for cell in self._cells(row):
                span = max(1, min(_int_attr(cell, "colspan", 1), 100))
                if not self.hard_hidden(cell):
                    text, _, _ = self._gather(list(cell.children), c)
                    if text:
                        cells.append((col, text.replace("\n", " "), cell.name == "th"))
                col += span
            if cells:
                text, cues, spans = row_text(cells, headers if row is not headers.row else None)
                out.append(FoundBlock(Block("table-row", text, lang_of(row) or c.lang, self.locate(row), cues,
                                            cells=spans), "tr"))

    def _column_headers(self, t: Tag, rows: list[Tag], c: _Ctx) -> Headers:
        """The header row (in <thead>, or a first row of <th> only) and its text per column."""
        head = next((r for r in rows if isinstance(r.parent, Tag) and r.parent.name == "thead"), None)
        if head is None and rows and all(x.name == "th" for x in self._cells(rows[0])):
            head = rows[0]
        by_col: dict[int, str] = {}
        if head is not None:
            col = 0
            for cell in self._cells(head):
                span = max(1, min(_int_attr(cell, "colspan", 1), 100))
                text, _, _ = self._gather(list(cell.children), c)
                if text and len(text) <= 60:
                    by_col[col] = text.replace("\n", " ")
                col += span
        return Headers(head, by_col if len(by_col) >= 2 else {})


def _int_attr(el: Tag, name: str, default: int) -> int:
    v = el.get(name)
    try:
        return int(str(v).strip()) if v is not None else default
    except ValueError:
        return default


TEASER_PLAIN = 300  # characters outside links: a card or a list of cards, not a section of the article
FIELD_BOX_PLAIN = 600  # characters outside links around a text field: a box, not the page's form wrapper
OWN_NUMBER = re.compile(r"\s*(?:\d{1,3}|[a-zA-Z])\s*[.):]\s|\s*(?:steg|step)\s+\d", re.I)
UNNUMBERED = re.compile(r"list-style(?:-type)?\s*:\s*none", re.I)
UNNUMBERED_CLASS = re.compile(r"(?:^|\s)(?:list-unstyled|list-none|unstyled|no-?bullets?|list-reset|plain-list)(?:\s|$)", re.I)


@dataclass
class FoundBlock:
    """A block plus the element it came from (kept only while extracting)."""

    block: Block
    tag: str  # tag name of the source element ("" for anonymous runs)
    teaser: bool = False  # inside teaser cards: left out before and after the article (see prune)
    el: Tag | None = None  # the element of a heading or paragraph (see prune)

