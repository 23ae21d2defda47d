"""Tagged PDFs (PDF/UA): the structure tree is the reading order and says what each block is.

Marked content that no structure element owns (artifacts: running headers, footers, page numbers)
is never read. A footnote (`Note`) tagged inside the paragraph that references it is read after that
paragraph, and a `Reference` that is only its marker ("1") is not read; a `Note` tagged elsewhere is
read where the tree puts it (it is not moved to its reference). Roles go through the document's
RoleMap (pdfium applies it); unknown roles are read as containers when they hold blocks and as
paragraphs when they hold text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from service.models import Block

from .pdfium_pages import Run, StructNode
from .text import Box, box_of, clean, join_lines, primary_lang, runs_text, same_line

HEADINGS = {"H", "H1", "H2", "H3", "H4", "H5", "H6", "Title"}
KINDS = {**{h: "heading" for h in HEADINGS}, "P": "paragraph", "Note": "paragraph", "LI": "list-item",
         "TOCI": "list-item", "TR": "table-row", "Caption": "caption", "BlockQuote": "quote"}
CONTAINERS = {"Document", "DocumentFragment", "Part", "Art", "Sect", "Div", "Aside", "NonStruct", "Private",
              "L", "TOC", "Index", "Form", "THead", "TBody", "TFoot", "Table", "FENote"}
NEVER = {"Artifact"}
OWN_BLOCKS = {"L", "Table"}  # a list or table inside a paragraph or list item is read after it
NOTES = {"Note", "FENote"}  # a footnote inside the block that references it (as Word tags them): after it
_LABEL = re.compile(r"^\W?[\d\u00b9\u00b2\u00b3\u2070-\u2079]{1,3}\W?$|^[*\u2020\u2021]{1,3}$")
_BULLETS = re.compile(r"^[\u2022\u00b7\u25aa\u25ab\u25cf\u25cb\u25a0\u25a1\u2013\u2014\u2023\u2043\u27a2"
                      r"\uf0a7\uf0b7*-]+$")
_HEADING_NAME = re.compile(r"^h\d?$|heading|rubrik|title", re.I)
_OTHER_ROLES = ("Figure", "Formula", "Lbl", "LBody")
MAX_DEPTH = 120


@dataclass
class _Segment:
    text: str
    lang: str
    first: Run | None
    last: Run | None


@dataclass
class _Gathered:
    segments: list[_Segment] = field(default_factory=list)
    runs: list[Run] = field(default_factory=list)
    later: list[tuple[int, ...]] = field(default_factory=list)  # nested lists/tables, read after
    label: str = ""
    page: int | None = None  # the page of the first marked content, with or without text (a figure)


class TaggedReader:
    """Walks the structure tree merged from every page's part of it."""

    def __init__(self, nodes: dict[tuple[int, ...], StructNode], runs: dict[tuple[int, int], list[Run]],
                 lang: str) -> None:
        self.nodes, self.runs, self.lang = nodes, runs, lang
        self.blocks: list[Block] = []

    def read(self) -> list[Block]:
        for path in sorted(p for p in self.nodes if len(p) == 1):
            self._emit(path, self.lang, 0)
        return self.blocks

    def _role(self, node: StructNode) -> str:
        role = node.role.strip()
        if role in KINDS or role in CONTAINERS or role in NEVER or role in _OTHER_ROLES:
            return role
        return "H" if _HEADING_NAME.search(role) else role

    def _emit(self, path: tuple[int, ...], lang: str, depth: int) -> None:
        node = self.nodes.get(path)
        if node is None or depth > MAX_DEPTH:
            return
        role = self._role(node)
        lang = primary_lang(node.lang, lang) if node.lang else lang
        if role in NEVER:
            return
        if role in ("Figure", "Formula"):
            if clean(node.alt):
                got = self._gather(path, lang)
                self._add("caption", clean(node.alt), lang, got.runs, [], [], got.page)
            return
        if role == "Table":
            self._table(path, lang, depth)
            return
        kind = KINDS.get(role)
        known = role in CONTAINERS or role in ("Lbl", "LBody")
        if kind is None and not known and any(isinstance(k[0], int) for k in node.kids.values()) \
                and not any(isinstance(k[0], str) for k in node.kids.values()):
            known = True  # an unknown role holding only elements: a container
        if kind is None and known:
            loose: list[tuple[int, ...] | tuple[str, int, int]] = []
            for i in sorted(node.kids):
                kid = node.kids[i]
                if isinstance(kid[0], str):
                    loose.append(kid)  # text directly in a container: an implicit paragraph
                    continue
                self._flush(loose, lang)
                self._emit(kid, lang, depth + 1)  # type: ignore[arg-type]
            self._flush(loose, lang)
            return
        got = self._gather(path, lang, depth)
        text, langs = self._text(got, lang)
        cues: list[tuple[int, str]] = []
        if (kind or "paragraph") == "list-item":
            label = got.label or (text.split(" ", 1)[0] if _BULLETS.match(text.split(" ", 1)[0]) else "")
            if label and text.startswith(label):
                text = text[len(label):].lstrip()
                langs = [(max(0, a - len(label) - 1), b - len(label) - 1, lg) for a, b, lg in langs]
            if label and not _BULLETS.match(label):
                cues = [(0, label)]
        self._add(kind or "paragraph", text, lang, got.runs, cues, langs)
        for later in got.later:
            self._emit(later, lang, depth + 1)

    def _flush(self, loose: list, lang: str) -> None:
        if loose:
            runs = [r for mc in loose for r in self.runs.get((mc[1], mc[2]), [])]
            self._add("paragraph", runs_text(runs), lang, runs, [], [])
            loose.clear()

    def _gather(self, path: tuple[int, ...], lang: str, depth: int = 0,
                got: _Gathered | None = None) -> _Gathered:
        """The text of an element and its inline descendants, as segments by language."""
        got = got if got is not None else _Gathered()
        node = self.nodes.get(path)
        if node is None or depth > MAX_DEPTH:
            return got
        lang = primary_lang(node.lang, lang) if node.lang else lang
        role = self._role(node)
        if role in NEVER:
            return got
        if node.actual.strip():  # /ActualText replaces what the content shows
            runs = self._runs_under(path, depth)
            got.runs += runs
            got.segments.append(_Segment(clean(node.actual), lang, runs[0] if runs else None,
                                         runs[-1] if runs else None))
            return got
        for i in sorted(node.kids):
            kid = node.kids[i]
            if isinstance(kid[0], str):
                runs = self.runs.get((kid[1], kid[2]), [])  # type: ignore[arg-type]
                got.page = kid[1] if got.page is None else got.page  # type: ignore[assignment]
                if runs:
                    got.runs += runs
                    got.segments.append(_Segment(runs_text(runs), lang, runs[0], runs[-1]))
                continue
            child = self.nodes.get(kid)  # type: ignore[arg-type]
            if child is None:
                continue
            crole = self._role(child)
            if crole in OWN_BLOCKS or crole in NOTES:
                got.later.append(kid)  # type: ignore[arg-type]
            elif crole == "Reference" and _LABEL.match(
                    self._text(self._gather(kid, lang, depth + 1), lang)[0]):  # type: ignore[arg-type]
                continue  # a footnote marker ("1", "*"): not read glued to the word before it
            elif crole == "Lbl" and not got.segments:
                got.label = self._text(self._gather(kid, lang, depth + 1), lang)[0]  # type: ignore[arg-type]
            elif crole not in ("Figure", "Formula"):
                self._gather(kid, lang, depth + 1, got)  # type: ignore[arg-type]
        return got

    def _runs_under(self, path: tuple[int, ...], depth: int) -> list[Run]:
        node = self.nodes.get(path)
        if node is None or depth > MAX_DEPTH:
            return []
        out: list[Run] = []
        for i in sorted(node.kids):
            kid = node.kids[i]
            out += (self.runs.get((kid[1], kid[2]), []) if isinstance(kid[0], str)  # type: ignore[arg-type]
                    else self._runs_under(kid, depth + 1))  # type: ignore[arg-type]
        return out

    @staticmethod
    def _text(got: _Gathered, lang: str) -> tuple[str, list[tuple[int, int, str]]]:
        """Segments joined (no space inside a word split over two marked-content sequences), with the
        spans of those in another language."""
        text = ""
        langs: list[tuple[int, int, str]] = []
        prev: _Segment | None = None
        for seg in got.segments:
            if not seg.text:
                continue
            if not text:
                start, text = 0, seg.text
            elif prev and prev.last and seg.first and same_line(prev.last, seg.first) \
                    and seg.first.x0 - prev.last.x1 <= 0.15 * seg.first.size \
                    and not prev.last.text.endswith(" "):
                start, text = len(text), text + seg.text
            else:
                joined = join_lines([text, seg.text])
                start = len(joined) - len(seg.text)
                text = joined
            if seg.lang != lang:
                if langs and langs[-1][2] == seg.lang and langs[-1][1] >= start - 1:
                    langs[-1] = (langs[-1][0], start + len(seg.text), seg.lang)
                else:
                    langs.append((start, start + len(seg.text), seg.lang))
            prev = seg
        return text, langs

    def _table(self, path: tuple[int, ...], lang: str, depth: int) -> None:
        rows: list[tuple[tuple[int, ...], str]] = []
        stack = [path]
        while stack:
            p = stack.pop(0)
            node = self.nodes.get(p)
            if node is None:
                continue
            for i in sorted(node.kids):
                kid = node.kids[i]
                child = self.nodes.get(kid) if isinstance(kid[0], int) else None  # type: ignore[arg-type]
                if child is None:
                    continue
                role = self._role(child)
                if role == "TR":
                    row_lang = primary_lang(child.lang, lang) if child.lang else lang
                    rows.append((kid, row_lang))  # type: ignore[arg-type]
                elif role in ("THead", "TBody", "TFoot"):
                    stack.append(kid)  # type: ignore[arg-type]
                elif role == "Caption":
                    self._emit(kid, lang, depth + 1)  # type: ignore[arg-type]
        headers: dict[int, str] = {}
        for n, (row, row_lang) in enumerate(rows):
            cells = []
            for i in sorted(self.nodes[row].kids):
                kid = self.nodes[row].kids[i]
                cell = self.nodes.get(kid) if isinstance(kid[0], int) else None  # type: ignore[arg-type]
                if cell is not None:
                    got = self._gather(kid, row_lang, depth + 2)  # type: ignore[arg-type]
                    cells.append((self._role(cell) == "TH", self._text(got, row_lang)[0], got.runs))
            if n == 0 and len(cells) >= 2 and all(th for th, _, _ in cells):
                headers = {c: t for c, (_, t, _) in enumerate(cells) if t and len(t) <= 60}
                headers = headers if len(headers) >= 2 else {}
            text, cues = _row_text(cells, headers if n else {})
            self._add("table-row", text, row_lang, [r for _, _, runs in cells for r in runs], cues, [])

    def _add(self, kind: str, text: str, lang: str, runs: list[Run], cues: list[tuple[int, str]],
             langs: list[tuple[int, int, str]], page: int | None = None) -> None:
        text = clean(text)
        if text:
            box: Box = box_of(runs) if runs else Box(page or 0)
            self.blocks.append(Block(kind, text, lang, box.locator(), cues, langs))


def _row_text(cells: list[tuple[bool, str, list[Run]]],
              headers: dict[int, str]) -> tuple[str, list[tuple[int, str]]]:
    """As the HTML walker reads a row: "Avgift: 250 kr" after a row header; otherwise cells joined by
    ", ", each data cell after the first preceded by its column header as a cue (spoken, not written)."""
    parts: list[str] = []
    cues: list[tuple[int, str]] = []
    pos = 0
    kept = [(col, th, t) for col, (th, t, _) in enumerate(cells) if t]
    for i, (col, th, t) in enumerate(kept):
        if i:
            sep = ": " if i == 1 and kept[0][1] and not th and not headers else ", "
            parts.append(sep)
            pos += len(sep)
        head = headers.get(col) if i else None
        if head and head.casefold() != t.casefold() and not th:
            cues.append((pos, head.rstrip(":") + ":"))
        parts.append(t)
        pos += len(t)
    return "".join(parts), cues
