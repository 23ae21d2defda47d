"""Plain data that crosses module boundaries in the pipeline."""
from __future__ import annotations

from dataclasses import dataclass, field

BLOCK_KINDS = ("heading", "paragraph", "list-item", "table-row", "quote", "caption")


@dataclass
class Block:
    """One readable unit of the page, tied to its element by `locator` (a CSS selector)."""

    kind: str
    text: str
    lang: str
    locator: str
    # Words a reader says that are not in `text` itself: (offset in text, words), e.g. an ordered
    # list's number (0, "3.") or a table column's header before its cell (12, "Avgift:").
    cues: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class Document:
    """What extraction found: the page's title, language and blocks in reading order."""

    url: str
    title: str
    lang: str
    blocks: list[Block] = field(default_factory=list)


@dataclass
class FetchedPage:
    """A fetched HTML page, already decoded to text."""

    url: str  # final URL after redirects
    html: str
    status: int
    content_type: str
    encoding: str


@dataclass
class WordEvent:
    """A word the engine spoke: where it is in the spoken text and when it starts."""

    offset: int  # character offset in the text given to the engine
    length: int  # characters
    start_ms: int  # from the start of this synthesis


@dataclass
class Speech:
    """Raw synthesized audio for one piece of text: 16-bit signed little-endian mono PCM."""

    pcm: bytes
    sample_rate: int
    words: list[WordEvent] = field(default_factory=list)

    @property
    def duration_ms(self) -> float:
        return len(self.pcm) / 2 / self.sample_rate * 1000.0
