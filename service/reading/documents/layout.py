"""Untagged PDFs: reading order and block kinds from the page's geometry and fonts.

Text runs become lines (by baseline), lines become columns (a vertical gutter no line crosses),
lines become blocks (paragraph breaks by gap, indentation, font size; headings by a larger or bold
font; list items by a bullet or number). Text repeated at the top or bottom of most pages (running
headers, footers) and lone page numbers are left out.

Footnotes (small text below the page's body) are read right after the block that references them: the
one with the note's marker, a superscript glyph (smaller and raised), a Unicode superscript digit or a
bracketed number, matched to the note's leading number or symbol ("1 Källa: …", "¹ …", "* …"). The
marker itself is dropped from the text (not "kommunen1"). A note with no marker found is read after the
block open at the page end; a note that goes on at the next page's foot (no label there) is joined to it.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, field
from itertools import accumulate

from service.models import Block

from .pdfium_pages import Page, Run
from .text import box_of, join_lines, line_text

_PAGE_NUMBER = re.compile(r"^(?:(?:sida|page|s\.|p\.)\s*)?[-–—(\s]*\d{1,4}[-–—)\s]*"
                          r"(?:(?:av|of|/)\s*\d{1,4})?$", re.I)
_MARKER = re.compile(r"^([\u2022\u00b7\u25aa\u25cf\u25cb\u25a0\u25e6\u2013\u2014\uf0b7\uf0a7*-]"
                     r"|\d{1,2}[.)]|[a-z][.)])\s+")
_SUPERSCRIPT = re.compile(r"^[\d*\u2020\u2021\u00b9\u00b2\u00b3\u2070-\u2079,\s]+$")
_ENDS_SENTENCE = re.compile(r"[.!?:]\W*$")
_SUP_DIGITS = str.maketrans("\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079", "0123456789")
_UNICODE_SUP = "[\u00b9\u00b2\u00b3\u2070\u2074-\u2079]+"
_INLINE_MARK = re.compile(rf"(?<=\S)({_UNICODE_SUP})|\s?\[(\d{{1,3}})\]")  # kommunen¹, kommunen [1]
_UNIT = re.compile(r"\b[kcdmµ]?m$")  # "m²", "km²": a unit's power, not a footnote marker
_NOTE_LABEL = re.compile(rf"^(?:\[(\d{{1,3}})\]\s*|(\d{{1,3}})[.)]?\s+|({_UNICODE_SUP})\s*"
                         r"|([*\u2020\u2021]{1,3})\s*)(?=\S)")
BAND = 0.12  # share of the page height at the top and at the bottom where running text is looked for


@dataclass
class Line:
    runs: list[Run]
    cells: list[str] = field(default_factory=list)  # a table row: more than two separate cells
    marks: list[tuple[float, str]] = field(default_factory=list)  # (x, text) of dropped superscripts

    def __post_init__(self) -> None:
        self.page = self.runs[0].page
        self.x0 = min(r.x0 for r in self.runs)
        self.x1 = max(r.x1 for r in self.runs)
        self.top = min(r.top for r in self.runs)
        self.bottom = max(r.bottom for r in self.runs)
        sizes: Counter[float] = Counter()
        bold = 0
        for r in self.runs:
            sizes[r.size] += len(r.text)
            bold += len(r.text) if r.bold else 0
        self.size = sizes.most_common(1)[0][0]
        self.bold = bold >= 0.9 * sum(sizes.values())
        self.text = ", ".join(self.cells) if self.cells else line_text(self.runs).strip()


@dataclass
class _Open:
    kind: str
    lines: list[Line]
    label: str = ""
    indent: float = 0.0
    notes: list[_Open] = field(default_factory=list)  # footnotes read right after this block
    drop: set[str] = field(default_factory=set)  # note labels whose inline markers leave the text


def page_lines(page: Page) -> list[Line]:
    """The page's runs grouped by baseline, each row split where a gap is wider than a word gap."""
    rows: list[list[Run]] = []
    spans: list[list[float]] = []  # [top, bottom] per row
    for r in sorted(page.runs, key=lambda r: (r.top, r.x0)):
        for k in range(len(rows) - 1, max(-1, len(rows) - 7), -1):
            top, bottom = spans[k]
            if min(bottom, r.bottom) - max(top, r.top) >= 0.5 * min(r.height, bottom - top):
                rows[k].append(r)
                spans[k] = [min(top, r.top), max(bottom, r.bottom)]
                break
        else:
            rows.append([r])
            spans.append([r.top, r.bottom])
    frag_rows: list[list[list[Run]]] = []
    mark_rows: list[list[list[tuple[float, str]]]] = []
    for row in rows:
        row.sort(key=lambda r: r.x0)
        weights: Counter[float] = Counter()
        for r in row:
            weights[r.size] += len(r.text)
        size = weights.most_common(1)[0][0]
        base = max(r.bottom for r in row if r.size == size)
        sups = [r for r in row if r.size < 0.8 * size and r.bottom < base - 0.15 * size
                and _SUPERSCRIPT.match(r.text)]  # footnote markers: kept aside, not read
        frags: list[list[Run]] = []
        for r in row:
            if any(r is x for x in sups):
                continue
            if frags and r.x0 - frags[-1][-1].x1 <= max(1.2 * size, 6.0):
                frags[-1].append(r)
            else:
                frags.append([r])
        frags = [f for f in frags if line_text(f).strip()]
        marks: list[list[tuple[float, str]]] = [[] for _ in frags]
        for r in sups:  # to the fragment it follows (or, a note's label, the one it starts)
            k = max([i for i, f in enumerate(frags) if f[0].x0 <= r.x0 + 1] or [0])
            if frags:
                marks[k].append((r.x0, r.text.strip()))
        frag_rows.append(frags)
        mark_rows.append(marks)
    cells = [_cell_like(f) for f in frag_rows]
    lines: list[Line] = []
    for i, frags in enumerate(frag_rows):
        near = [frag_rows[j] for j in (i - 1, i + 1) if 0 <= j < len(frag_rows) and cells[j]]
        if cells[i] and any(_aligned(frags, other) for other in near):
            lines.append(Line([r for f in frags for r in f], [line_text(f).strip() for f in frags],
                              sorted(m for ms in mark_rows[i] for m in ms)))
        else:
            lines += [Line(f, [], sorted(m)) for f, m in zip(frags, mark_rows[i])]
    return lines


def _cell_like(frags: list[list[Run]]) -> bool:
    """Table cells, not lines of text columns: each fragment fills little of the room to the next one
    (a line of a text column fills it up to the gutter)."""
    if len(frags) < 2:
        return False
    return all((f[-1].x1 - f[0].x0) / max(1.0, g[0].x0 - f[0].x0) < 0.6 for f, g in zip(frags, frags[1:]))


def _aligned(a: list[list[Run]], b: list[list[Run]]) -> bool:
    """Two rows of the same table: as many cells, starting at the same places."""
    return len(a) == len(b) and all(abs(f[0].x0 - g[0].x0) < 4 for f, g in zip(a, b))


def running_text(pages: list[list[Line]], heights: list[float]) -> set[tuple[str, str]]:
    """(band, text with digits as #) of lines at the top or bottom of at least half of the pages."""
    seen: Counter[tuple[str, str]] = Counter()
    for lines, h in zip(pages, heights):
        seen.update({key for line in lines if (key := _band_key(line, h))})
    need = max(2, (len(pages) + 1) // 2)
    return {k for k, n in seen.items() if n >= need}


def _band_key(line: Line, height: float) -> tuple[str, str] | None:
    band = "top" if line.bottom < BAND * height else "bottom" if line.top > (1 - BAND) * height else ""
    return (band, re.sub(r"\d+", "#", line.text.casefold())) if band else None


def is_page_furniture(line: Line, height: float, running: set[tuple[str, str]]) -> bool:
    key = _band_key(line, height)
    return key is not None and (key in running or bool(_PAGE_NUMBER.match(line.text)))


def reading_order(lines: list[Line], depth: int = 0) -> list[Line]:
    """Top to bottom, except that lines side by side in columns are read column by column: a line
    that crosses the gutter (a heading over both columns, a table row) ends one band of columns."""
    lines = sorted(lines, key=lambda ln: (ln.top, ln.x0))
    if len(lines) < 6 or depth > 2:
        return lines
    lo, hi = min(ln.x0 for ln in lines), max(ln.x1 for ln in lines)
    xs = [lo + (hi - lo) * (0.2 + 0.6 * i / 120) for i in range(121)]
    diff = [0] * 122
    for ln in lines:  # each line crosses the candidates strictly inside it: a difference array
        a, b = bisect_right(xs, ln.x0 + 1), bisect_left(xs, ln.x1 - 1)
        if a < b:
            diff[a] += 1
            diff[b] -= 1
    counts = list(accumulate(diff[:121]))
    fewest = min(counts)
    widest: tuple[int, int] = (0, -1)
    start = None
    for i, n in enumerate(counts + [fewest + 1]):  # the widest stretch of x with the fewest crossings
        if n == fewest and start is None:
            start = i
        elif n != fewest and start is not None:
            widest = max(widest, (start, i - 1), key=lambda w: w[1] - w[0])
            start = None
    gutter = (xs[widest[0]] + xs[widest[1]]) / 2
    left = [ln for ln in lines if ln.x1 <= gutter + 1]
    right = [ln for ln in lines if ln.x0 >= gutter - 1]
    if len(left) < 3 or len(right) < 3 or fewest > 0.25 * len(lines) or not _side_by_side(left, right):
        return lines
    out: list[Line] = []
    band_left: list[Line] = []
    band_right: list[Line] = []
    for ln in lines:
        if ln.x1 <= gutter + 1:
            band_left.append(ln)
        elif ln.x0 >= gutter - 1:
            band_right.append(ln)
        else:
            out += reading_order(band_left, depth + 1) + reading_order(band_right, depth + 1) + [ln]
            band_left, band_right = [], []
    return out + reading_order(band_left, depth + 1) + reading_order(band_right, depth + 1)


def _side_by_side(left: list[Line], right: list[Line]) -> bool:
    top = max(min(ln.top for ln in left), min(ln.top for ln in right))
    bottom = min(max(ln.bottom for ln in left), max(ln.bottom for ln in right))
    span = min(max(ln.bottom for ln in g) - min(ln.top for ln in g) for g in (left, right))
    return bottom - top >= 0.3 * span


def body_size(pages: list[list[Line]]) -> tuple[float, bool]:
    """The font size (and boldness) most of the text is set in."""
    sizes: Counter[tuple[float, bool]] = Counter()
    for lines in pages:
        for ln in lines:
            sizes[(round(ln.size * 2) / 2, ln.bold)] += len(ln.text)
    return sizes.most_common(1)[0][0] if sizes else (10.0, False)


def split_footnotes(lines: list[Line], body: float, height: float) -> tuple[list[Line], list[Line]]:
    """Small text below the page's last line of body text, in its lower part, is its footnotes."""
    main = [ln for ln in lines if ln.size > 0.88 * body]
    floor = max((ln.bottom for ln in main), default=height)
    notes = [ln for ln in lines if ln.size <= 0.88 * body and ln.top >= floor and ln.top > 0.55 * height]
    return [ln for ln in lines if ln not in notes], notes


def page_blocks(lines: list[Line], body: float, body_bold: bool) -> list[_Open]:
    """Ordered lines of one page grouped into blocks."""
    blocks: list[_Open] = []
    for ln in lines:
        kind, label = _classify(ln, body, body_bold)
        cur = blocks[-1] if blocks else None
        if cur is not None and _continues(cur, ln, kind, label):
            cur.lines.append(ln)
        else:
            indent = ln.x0
            if label:
                m = _MARKER.match(ln.text)
                indent = ln.x0 + (ln.x1 - ln.x0) * (m.end() if m else 0) / max(1, len(ln.text)) - 2
            blocks.append(_Open(kind, [ln], label, indent))
    return blocks


def _classify(ln: Line, body: float, body_bold: bool) -> tuple[str, str]:
    if ln.cells:
        return "table-row", ""
    m = _MARKER.match(ln.text)
    if m and len(ln.text) > m.end():
        return "list-item", m.group(1)
    short_bold = ln.bold and not body_bold and len(ln.text) < 120 and ln.size >= body - 0.5
    if ln.size >= 1.15 * body + 0.4 or (short_bold and not _ENDS_SENTENCE.search(ln.text[-8:])):
        return "heading", ""
    return "paragraph", ""


def _continues(cur: _Open, ln: Line, kind: str, label: str) -> bool:
    prev = cur.lines[-1]
    if kind == "table-row" or label or cur.kind == "table-row" or abs(ln.size - prev.size) > 1.0:
        return False
    if (kind == "heading") != (cur.kind == "heading"):
        return False
    if cur.kind == "heading":
        return ln.bold == prev.bold and ln.top - prev.bottom < 0.6 * ln.size and ln.top >= prev.top
    ended = bool(_ENDS_SENTENCE.search(prev.text[-8:]))
    if ln.top < prev.top - 2 or ln.page != prev.page:  # next column or page
        return not ended
    if ln.top - prev.bottom > 0.5 * prev.size:
        return False
    if cur.kind == "list-item":
        return ln.x0 >= cur.indent - 2
    right = max(x.x1 for x in cur.lines)
    if ended and (ln.x0 > prev.x0 + 0.8 * ln.size or (len(cur.lines) >= 2 and prev.x1 < right - 4 * ln.size)):
        return False  # an indented first line, or the short last line of a paragraph
    return True


def read_untagged(pages: list[Page], lang: str) -> list[Block]:
    """Blocks of the whole document; a paragraph cut by a page break is read as one, footnotes after
    the block that references them."""
    lines_by_page = [page_lines(p) for p in pages]
    running = running_text(lines_by_page, [p.height for p in pages])
    lines_by_page = [[ln for ln in lines if not is_page_furniture(ln, p.height, running)]
                     for lines, p in zip(lines_by_page, pages)]
    body, body_bold = body_size(lines_by_page)
    out: list[_Open] = []
    last_note: _Open | None = None
    for lines, page in zip(lines_by_page, pages):
        main, note_lines = split_footnotes(lines, body, page.height)
        blocks = page_blocks(reading_order(main), body, body_bold)
        here = list(blocks)
        if out and blocks and blocks[0].kind == "paragraph" and out[-1].kind in ("paragraph", "list-item") \
                and _continues(out[-1], blocks[0].lines[0], "paragraph", ""):
            out[-1].lines += blocks.pop(0).lines
            here[0] = out[-1]
        out += blocks
        refs = [marker_labels(b.lines, page.index) for b in here]
        notes = note_blocks(note_lines, body, body_bold, set().union(*refs))
        for i, note in enumerate(notes):
            note.kind = "paragraph" if note.kind == "heading" else note.kind
            label = note_label(note.lines[0])
            if i == 0 and not label and last_note is not None \
                    and not _ENDS_SENTENCE.search(last_note.lines[-1].text[-8:]):
                last_note.lines += note.lines  # a note going on from the page before
                continue
            anchor = next((b for b, r in zip(here, refs) if label and label in r), None)
            if anchor is not None:
                anchor.drop.add(label)
            anchor = anchor or (here[-1] if here else out[-1] if out else None)
            if anchor is None:
                out.append(note)
            else:
                anchor.notes.append(note)
            last_note = note
    result = []
    for b in (x for block in out for x in (block, *block.notes)):
        text = _strip_markers(join_lines([ln.text for ln in b.lines]), b.drop)
        cues: list[tuple[int, str]] = []
        if b.label:
            text = _MARKER.sub("", text, count=1)
            cues = [] if not b.label[0].isalnum() else [(0, b.label)]
        if text:
            runs = [r for ln in b.lines for r in ln.runs]
            result.append(Block(b.kind, text, lang, box_of(runs).locator(), cues))
    return result


def _norm(label: str) -> str:
    return label.translate(_SUP_DIGITS).strip(" [](),.")


def marker_labels(lines: list[Line], page: int) -> set[str]:
    """Footnote labels referenced in these lines (of `page`): dropped superscripts ("1", "1,2"),
    Unicode superscripts after a word (not a unit's "m²") and bracketed numbers."""
    out: set[str] = set()
    for ln in lines:
        if ln.page != page:
            continue
        out.update(_norm(t) for _, mark in ln.marks for t in re.split(r"[,\s]+", mark) if _norm(t))
        for m in _INLINE_MARK.finditer(ln.text):
            if not (m.group(1) and _UNIT.search(ln.text[: m.start()])):
                out.add(_norm(m.group(1) or m.group(2)))
    return out


def note_label(line: Line) -> str:
    """The number or symbol a footnote starts with: a superscript before its text, or "1 ", "¹", "*"."""
    if line.marks and line.marks[0][0] <= line.x0 + 1:
        return _norm(line.marks[0][1])
    m = _NOTE_LABEL.match(line.text)
    return _norm(next(g for g in m.groups() if g)) if m else ""


def note_blocks(lines: list[Line], body: float, body_bold: bool, referenced: set[str]) -> list[_Open]:
    """Footnote lines as notes: grouped like body text, and split again where a line starts with a
    superscript, a label the page references, or any label after a finished sentence (two one-line
    notes have no gap between them)."""
    out: list[_Open] = []
    for block in page_blocks(lines, body, body_bold):
        for k, ln in enumerate(block.lines):
            label = note_label(ln)
            starts = (ln.marks and ln.marks[0][0] <= ln.x0 + 1) or label in referenced - {""} or (
                label and _ENDS_SENTENCE.search(block.lines[k - 1].text[-8:]))
            if k and starts:
                out.append(_Open(block.kind if block.kind != "list-item" else "paragraph", [ln]))
            elif k:
                out[-1].lines.append(ln)
            else:
                out.append(_Open(block.kind, [ln], block.label, block.indent))
    return out


def _strip_markers(text: str, labels: set[str]) -> str:
    """Unicode superscript and bracketed markers of the notes read after this block left out."""
    if not labels:
        return text

    def keep(m: re.Match[str]) -> str:
        unit = m.group(1) and _UNIT.search(text[: m.start()])
        return m.group(0) if unit or _norm(m.group(1) or m.group(2)) not in labels else ""
    return _INLINE_MARK.sub(keep, text)
