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
    # Phrases in another language than the block's, marked by their own lang attribute:
    # (start, end, primary language) in `text`, e.g. an English title inside a Swedish sentence.
    langs: list[tuple[int, int, str]] = field(default_factory=list)
    # A table row's cells: (start, end, is a header cell) in `text`, which joins them with ", ".
    cells: list[tuple[int, int, bool]] = field(default_factory=list)


@dataclass(frozen=True)
class ContentArea:
    """Which part of the page was read and why, told to whoever asks for the reading.

    source: "content" (the embedding page's selector), "readspeaker" (the page's own readid /
    readclass link), "auto" (found by extraction), "page" (no main content found: all visible text).
    code: why that source, for programs ("readid_missing", "readid_stub", ...); reason: the same in words.
    """

    source: str
    code: str
    reason: str

    def as_dict(self) -> dict[str, str]:
        return {"source": self.source, "code": self.code, "reason": self.reason}


@dataclass
class Document:
    """What extraction found: the page's title, language and blocks in reading order."""

    url: str
    title: str
    lang: str
    blocks: list[Block] = field(default_factory=list)
    area: ContentArea | None = None  # None: not from a page's HTML (a selection, a test's document)


@dataclass
class FetchedPage:
    """A fetched HTML page, already decoded to text."""

    url: str  # final URL after redirects
    html: str
    status: int
    content_type: str  # "application/pdf" for a document (then `data` holds it and `html` is "")
    encoding: str
    data: bytes = b""

    @property
    def is_document(self) -> bool:
        return self.content_type == "application/pdf"


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


# -- what a reading is, as planned and as stored ------------------------------------------------


@dataclass
class PlannedSentence:
    """One sentence as written on the page and as given to the engine."""

    text: str  # as written on the page
    spoken: str  # as given to the engine (lexicon applied, normalized)
    # Per spoken word: [spoken start, spoken end, written start, written end] (for word highlighting).
    spans: list[list[int]] = field(default_factory=list)
    # Phrases the engine says in another voice mid-sentence: [spoken start, spoken end, voice, language].
    langs: list[list] = field(default_factory=list)


@dataclass
class PlannedBlock:
    """A block of the page as it will be read: its sentences and the voice that says them."""

    kind: str
    lang: str
    locator: str
    voice: str
    sentences: list[PlannedSentence] = field(default_factory=list)
    # A table row's cells: [start, end, is a header cell] in the block's sentences' texts put end to
    # end, so a page showing the text can show a row as cells and each sentence in them.
    cells: list[list] = field(default_factory=list)
    # An ordered list item's number as the page draws it ("3.", "c."), so a page showing the text
    # can number it too; the reader says it before the first sentence (it is in `spoken`, not `text`).
    marker: str = ""


@dataclass
class Plan:
    """Everything that determines a Reading: the page's blocks as spoken, and how.

    Its keys (audio key, reading id, per-sentence keys) are computed in `service.reading.plan`.
    """

    url: str
    title: str
    lang: str
    engine: str
    engine_version: str
    voice: str
    rate: float
    blocks: list[PlannedBlock]
    # Where the text came from: "page" (the service fetched the URL, or an admin pre-generated it),
    # "sent" (HTML the page sent because the service could not fetch it), "selection" (text a
    # visitor selected). Only "page" readings are a URL's reading: listed, refreshed, remembered.
    source: str = "page"
    truncated: bool = False  # the page was longer than LYSSNA_MAX_READING_MINUTES: a notice ends it
    area: dict[str, str] = field(default_factory=dict)  # ContentArea.as_dict() of the page; {} if none

    @property
    def voice_id(self) -> str:
        """The voice asked for, as the API names it: "espeak:sv"."""
        return f"{self.engine}:{self.voice}"

    @property
    def sentence_count(self) -> int:
        return sum(len(b.sentences) for b in self.blocks)

    @property
    def is_page(self) -> bool:
        """The URL's own reading, made from what the service fetched (readings kept before sources
        were recorded count as pages unless they are selections: no block tied to an element)."""
        return self.source == "page" and any(b.locator for b in self.blocks)

    def to_dict(self) -> dict:
        """The stored form (what `dataclasses.asdict` gives, without its deep copies: the dict is
        serialized at once, so sharing the plan's lists is safe and saves ~5 ms a page). Fields at
        their defaults are left out, so a page's stored form is the one earlier versions wrote."""
        out = {k: v for k, v in vars(self).items()
               if not (k == "source" and v == "page" or k in ("truncated", "area") and not v)}
        optional = ("cells", "marker")  # (left out when empty, as earlier versions had no such field)
        out["blocks"] = [{**{k: v for k, v in vars(b).items() if v or k not in optional}, "sentences": [
            {k: v for k, v in vars(s).items() if v or k != "langs"} for s in b.sentences]}
            for b in self.blocks]
        return out

    @classmethod
    def from_dict(cls, d: dict) -> "Plan":
        blocks = [PlannedBlock(b["kind"], b["lang"], b["locator"], b["voice"],
                               [PlannedSentence(**s) for s in b["sentences"]], b.get("cells", []),
                               b.get("marker", ""))
                  for b in d["blocks"]]
        return cls(**{**d, "blocks": blocks})


@dataclass(frozen=True)
class PageOptions:
    """How a page was asked to be read: the player's `content` / `skip` selectors and `voice`.

    Kept with each reading so a refresh pass or a regeneration reads the page the same way again.
    `None` means "the default" (automatic area, nothing extra skipped, the service's voice).
    """

    content: str | None = None
    skip: str | None = None
    voice: str | None = None

    FIELDS = ("content", "skip", "voice")

    @classmethod
    def from_mapping(cls, data: object) -> "PageOptions":
        """The string fields of a mapping that are set (other keys and types are ignored)."""
        if not isinstance(data, dict):
            return cls()
        return cls(**{k: v for k in cls.FIELDS if isinstance(v := data.get(k), str) and v})

    def as_dict(self) -> dict[str, str]:
        """Only what was asked for: {} means all defaults."""
        return {k: v for k in self.FIELDS if (v := getattr(self, k))}


@dataclass
class StoredReading:
    """A reading as kept in the store: its plan, the audio it uses and how it was asked for.

    `request` is None for readings made before requests were kept.
    """

    id: str
    plan: Plan
    audio_key: str
    created: float = 0.0
    request: PageOptions | None = None

    @property
    def url(self) -> str:
        return self.plan.url

    def to_json(self) -> dict:
        out: dict = {"plan": self.plan.to_dict(), "audio_key": self.audio_key, "created": self.created}
        if self.request is not None:
            out["request"] = self.request.as_dict()
        return out

    @classmethod
    def from_json(cls, reading_id: str, data: object) -> "StoredReading | None":
        """None for anything that is not a stored reading (a damaged or foreign file)."""
        if not isinstance(data, dict) or not isinstance(data.get("plan"), dict):
            return None
        try:
            plan = Plan.from_dict(data["plan"])
        except (KeyError, TypeError):
            return None
        asked = data.get("request")
        return cls(reading_id, plan, str(data.get("audio_key", "")), float(data.get("created") or 0),
                   PageOptions.from_mapping(asked) if isinstance(asked, dict) else None)
