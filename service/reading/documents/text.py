"""Runs to readable text: lines joined into a paragraph, hyphens at line ends undone, and the RFC 8118
locator that lets a PDF viewer show where the reading is."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .pdfium_pages import Run

# A word broken at a line end: "kommun-" + "fullmäktige". The hyphen stays in compounds written with
# one ("e-tjänst", "tv-kanal", "IT-stöd", "Nyköping-Oxelösund", "0155-24 50 00") and before a conjunction
# ("för- och grundskola").
_LINE_END_HYPHEN = re.compile(r"(\w+)[-\u2010\u00ad]$")
_KEEP_SPACE_AFTER_HYPHEN = {"och", "eller", "samt", "som", "respektive", "till", "and", "or"}
_VOWELS = re.compile(r"[aeiouyåäöéü]", re.I)  # "tv-", "cd-": an abbreviation, not half a word
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u3000]+")


def clean(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def join_lines(lines: list[str]) -> str:
    """Lines of one block as one text, the way it was written before it was broken into lines."""
    out = ""
    for line in lines:
        line = clean(line)
        if not line:
            continue
        out = _join(out, line) if out else line
    return out


def _join(a: str, b: str) -> str:
    if a[-1] not in "-\u2010\u00ad":
        return f"{a} {b}"
    tail = a[-80:]  # the end of the text so far: searching all of it would make a block quadratic
    m = _LINE_END_HYPHEN.search(tail)
    if not m:
        return f"{a} {b}"
    soft = a.endswith("\u00ad")
    head = a[: len(a) - len(tail) + m.end(1)]
    word = m.group(1)
    nxt = b.split(" ", 1)[0].rstrip(".,;:!?)")
    if soft or (b[0].islower() and nxt.lower() not in _KEEP_SPACE_AFTER_HYPHEN
                and not (len(word) == 1 or word.isupper() or word[-1].isdigit() or not _VOWELS.search(word))):
        return head + b  # kommunfullmäktige
    if nxt.lower() in _KEEP_SPACE_AFTER_HYPHEN:
        return f"{head}- {b}"  # för- och grundskola
    return f"{head}-{b}"  # e-tjänst, Nyköping-Oxelösund


def same_line(a: Run, b: Run) -> bool:
    """b continues a's line: same page, overlapping vertically, not back to the left of a."""
    if a.page != b.page:
        return False
    overlap = min(a.bottom, b.bottom) - max(a.top, b.top)
    return overlap >= 0.5 * min(a.height, b.height) and b.x0 >= a.x0 + 0.5


def line_text(runs: list[Run]) -> str:
    """Runs of one line, left to right, with a space where the gap between them is a word gap."""
    out = ""
    prev: Run | None = None
    for r in runs:
        if prev is not None and not out.endswith(" ") and not r.text.startswith(" ") \
                and r.x0 - prev.x1 > 0.15 * min(r.size, prev.size):
            out += " "
        out += r.text
        prev = r
    return out


def runs_text(runs: list[Run]) -> str:
    """Runs in reading order (a structure element's content) grouped into lines and joined."""
    lines: list[list[Run]] = []
    for r in runs:
        if lines and same_line(lines[-1][-1], r):
            lines[-1].append(r)
        else:
            lines.append([r])
    return join_lines([line_text(line) for line in lines])


@dataclass
class Box:
    """Where a block starts: its page (0-based) and the union of its runs there."""

    page: int
    x0: float = 1e9
    top: float = 1e9
    x1: float = -1e9
    bottom: float = -1e9
    pages: set[int] = field(default_factory=set)

    def add(self, r: Run) -> None:
        if r.page == self.page:
            self.x0, self.top = min(self.x0, r.x0), min(self.top, r.top)
            self.x1, self.bottom = max(self.x1, r.x1), max(self.bottom, r.bottom)

    def locator(self) -> str:
        """RFC 8118: "#page=3&viewrect=left,top,width,height" in points from the page's top left."""
        if self.x1 < self.x0:
            return f"#page={self.page + 1}"
        width, height = max(1, round(self.x1 - self.x0)), max(1, round(self.bottom - self.top))
        left, top = round(self.x0), round(self.top)
        return f"#page={self.page + 1}&viewrect={left},{top},{width},{height}"


def box_of(runs: list[Run]) -> Box:
    box = Box(runs[0].page if runs else 0)
    for r in runs:
        box.add(r)
    return box


def primary_lang(tag: str, default: str = "sv") -> str:
    """ "sv-SE" -> "sv"; anything that is not a language tag gives the default."""
    m = re.match(r"\s*([A-Za-z]{2,3})(?:[-_]|\s*$)", tag or "")
    return m.group(1).lower() if m else default
