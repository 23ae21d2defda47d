"""The listen page's text as the page's own structure: headings, lists, quotes and tables with their
cells, each sentence an anchor (`#s12`) that CSS can highlight without JavaScript.

A table arrives as a run of "table-row" blocks, each with its cells' places in its sentences
(`PlannedBlock.cells`); rows of one table share the locator up to the table element. A sentence
that runs over cells is shown as one piece per cell, all with its number; the first carries its id.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from service.models import PlannedBlock

TAGS = {"heading": "h3", "list-item": "li", "quote": "blockquote", "caption": "p"}
TABLE = re.compile(r"^(.*?\btable:nth-of-type\(\d+\))")
PLAY_WORDS = 6  # words of a block named in its "play from here" link


@dataclass
class Piece:
    """A sentence, or the part of one inside a table cell."""

    n: int  # the sentence's number on the page (its audio timings' index)
    text: str
    first: bool = True  # the sentence's first piece: it carries the id `s<n>`


@dataclass
class Play:
    """A "play from here" link: the page again, its audio starting at this block's first sentence."""

    href: str
    words: str  # the block's first words, so each link says where it starts


@dataclass
class Line:
    """A heading, paragraph, list item, quote, caption, or a table cell (`tag` th or td)."""

    tag: str
    kind: str
    lang: str
    pieces: list[Piece]
    play: Play | None = None
    scope: str = ""  # a header cell's: "col" (a header row) or "row"
    number: int | None = None  # an ordered list item's value (letters count from a = 1)
    numbering: str = ""  # its list's type: "1", "a" or "A"


@dataclass
class Part:
    """What the template writes: a `line`, a `list` of items or a `table` of rows of cells."""

    shape: str
    line: Line | None = None
    items: list[Line] = field(default_factory=list)
    caption: Line | None = None
    rows: list[list[Line]] = field(default_factory=list)
    ordered: bool = False  # a list whose items the page numbers (<ol>)
    parent: str | None = None  # the list element's locator, where the items' locators say it


def parts(blocks: list[PlannedBlock], starts_ms: list[int],
          play_href: Callable[[float, int], str]) -> list[Part]:
    """The blocks grouped as the page had them. `starts_ms`: the start of each sentence synthesized so
    far (a block whose first sentence has none yet gets no play link); `play_href(seconds, n)`."""
    out: list[Part] = []
    n = 0
    table_key: str | None = None
    for i, block in enumerate(blocks):
        first = n
        play = None
        if first < len(starts_ms):
            words = " ".join(" ".join(s.text for s in block.sentences).split()[:PLAY_WORDS])
            play = Play(play_href(starts_ms[first] / 1000, first), words)
        if block.kind == "table-row":
            key = _table_of(block.locator)
            row = _cells(block, n, play)
            last = out[-1] if out else None
            same = key is None or table_key is None or key == table_key
            if last is not None and last.shape == "table" and same:
                last.rows.append(row)
            else:
                caption = last.line if last is not None and last.shape == "line" and \
                    last.line.kind == "caption" and _table_of(blocks[i - 1].locator) == key else None
                if caption is not None:
                    out.pop()
                    caption.play = None  # (its words would become the table's name)
                out.append(Part("table", caption=caption, rows=[row]))
            table_key = key or table_key
        else:
            pieces = [Piece(n + k, s.text) for k, s in enumerate(block.sentences)]
            line = Line(TAGS.get(block.kind, "p"), block.kind, block.lang, pieces, play)
            if block.kind == "list-item":
                _number(line, block.marker)
                ordered, parent = line.number is not None, _list_of(block.locator)
                last = out[-1] if out else None
                if last is not None and last.shape == "list" and last.ordered == ordered and \
                        (parent is None or last.parent is None or parent == last.parent):
                    last.items.append(line)
                else:
                    out.append(Part("list", items=[line], ordered=ordered, parent=parent))
            else:
                out.append(Part("line", line=line))
        n += len(block.sentences)
    return out


def _number(line: Line, marker: str) -> None:
    """"3." → 3, "c." → 3 in an "a" list: what <li value> and <ol type> need to draw it again."""
    mark = marker.rstrip(".")
    if mark.lstrip("-").isdigit():
        line.number, line.numbering = int(mark), "1"
    elif len(mark) == 1 and mark.isalpha():
        line.number, line.numbering = ord(mark.lower()) - ord("a") + 1, "A" if mark.isupper() else "a"


def _list_of(locator: str) -> str | None:
    """"main > ol:nth-of-type(2) > li:nth-of-type(1)" → "main > ol:nth-of-type(2)": two lists side by
    side stay two lists."""
    head, _, last = (locator or "").rpartition(" > ")
    return head if head and last.startswith("li") else None


def _table_of(locator: str) -> str | None:
    found = TABLE.match(locator or "")
    return found.group(1) if found else None


def _cells(block: PlannedBlock, n: int, play: Play | None) -> list[Line]:
    """A row's cells, each with the pieces of the sentences that fall in it; a row kept from before
    cells were recorded is one cell."""
    texts = [s.text for s in block.sentences]
    spans = block.cells or [[0, sum(map(len, texts)), False]]
    header_row = all(header for _, _, header in spans)
    cells: list[Line] = []
    shown: set[int] = set()
    for a, b, header in spans:
        pieces = []
        done = 0
        for k, text in enumerate(texts):
            lo, hi = max(a, done), min(b, done + len(text))
            if lo < hi and text[lo - done:hi - done].strip():
                pieces.append(Piece(n + k, text[lo - done:hi - done].strip(), n + k not in shown))
                shown.add(n + k)
            done += len(text)
        scope = ("col" if header_row else "row") if header else ""
        cells.append(Line("th" if header else "td", "table-cell", block.lang, pieces, scope=scope))
    data = next((cell for cell in cells if cell.tag == "td"), None)
    if data is not None:  # (never in a header: a header cell's words name its column or row)
        data.play = play
    return cells
