"""A table row as a person reads it aloud, and where each cell's text lies in what is read."""
from __future__ import annotations

from dataclasses import dataclass

from bs4 import Tag


@dataclass
class Headers:
    """A table's header row (read as it is) and its text per column."""

    row: Tag | None
    by_col: dict[int, str]  # column index -> header text


def row_text(cells: list[tuple[int, str, bool]], headers: Headers | None
             ) -> tuple[str, list[tuple[int, str]], list[tuple[int, int, bool]]]:
    """Cells (column, text, is a header cell) joined the way a person reads a row: "Avgift: 250 kr"
    after a row header, and each data cell after the first preceded by its column header (a cue:
    spoken, not written). Also each cell's (start, end, is a header cell) in the text, so a page
    showing the text can show the row as a row of cells."""
    parts: list[str] = []
    cues: list[tuple[int, str]] = []
    spans: list[tuple[int, int, bool]] = []
    pos = 0
    for i, (col, text, is_th) in enumerate(cells):
        if i:
            row_header = i == 1 and cells[0][2] and not is_th and not (headers and headers.by_col)
            sep = ": " if row_header else ", "
            parts.append(sep)
            pos += len(sep)
        head = headers.by_col.get(col) if headers is not None and i else None
        if head and head.casefold() != text.casefold() and not is_th:
            cues.append((pos, head.rstrip(":") + ":"))
        parts.append(text)
        spans.append((pos, pos + len(text), is_th))
        pos += len(text)
    return "".join(parts), cues, spans
