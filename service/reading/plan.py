"""What a reading says and how it sounds, fixed before any audio is made: the Plan and its keys.

A Document (from extraction) becomes a Plan: its blocks split into sentences, each with the text as
written (for the player's highlight) and as spoken (lexicon applied, normalized), and a voice per
block's language. Everything that determines the sound is hashed into content addresses: one key
per sentence (so an edited page re-synthesizes only what changed), one for the whole audio file,
and the reading id, which adds what the player needs to find the text on this page.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass

from service.errors import ExtractError
from service.models import Document, Plan, PlannedBlock, PlannedSentence

from . import audio
from .engines import Engine
from .speech import normalize_mapped, split_sentences

FORMAT_VERSION = "3"  # bump when pauses/encoding change, so old audio is not reused
CHARS_PER_SECOND = 14.0  # Swedish speech at rate 1, to estimate a plan's length before any audio
# A "sentence" longer than this (no real one is: the fixtures' longest is 191 characters) is read in
# pieces cut at a space, so no single run of text can make the normalizer or the engine work for long.
MAX_SENTENCE_CHARS = 1000
LIST_MARKER = re.compile(r"(?:-?\d{1,6}|[a-zA-Z])\.")  # an ordered list item's number, as extraction cues it


@dataclass
class SegmentSpec:
    """One sentence's sound: what is said, by which voice, with how much silence around it."""

    spoken: str
    voice: str
    lead_ms: int
    tail_ms: int
    langs: tuple[tuple[int, int, str], ...] = ()  # phrases said in another voice (PlannedSentence.langs)


class _RulesOnce:
    """The lexicon's compiled rules, asked once per language for a whole plan (asked per
    sentence, a rush of pages being planned queued on the lexicon's lock and a query each)."""

    def __init__(self, lexicon) -> None:
        self.lexicon = lexicon
        self.rules: dict[str, object] = {}

    def rule(self, lang: str):
        if lang not in self.rules:
            self.rules[lang] = self.lexicon.rule(lang)
        return self.rules[lang]


# Languages without a voice of their own, said by the closest language that has one: Meänkieli and
# Kven by Finnish, the Sami languages by Lule Sami (espeak-ng's one Sami voice), Norwegian by Bokmål.
RELATED = {"fit": "fi", "fkv": "fi", "se": "smj", "sme": "smj", "sma": "smj", "smn": "smj", "sms": "smj",
           "sju": "smj", "no": "nb", "nn": "nb", "zh": "cmn"}


def voice_of(lang: str, voices: set[str]) -> str | None:
    """The voice that says `lang` (a primary language subtag): its own, a related one's, or None."""
    if lang in voices:
        return lang
    related = RELATED.get(lang)
    return related if related in voices else None


def plan_reading(doc: Document, engine: Engine, voice: str | None, rate: float,
                 lexicon=None, *, source: str = "page", max_minutes: float | None = None) -> Plan:
    """Split blocks into sentences, apply the lexicon and normalize; choose a voice per language.

    `max_minutes`: past this much (estimated) speech the plan stops, and a last sentence says so:
    one request must not commit the service to days of audio."""
    base_voice = voice or engine.default_voice
    voices = set(engine.voices())
    # Languages this engine can switch to inside a sentence (espeak-ng's SSML voice changes).
    mixed = voices if engine.mixes_languages and voice is None else set()
    lexicon = _RulesOnce(lexicon) if lexicon is not None else None
    blocks: list[PlannedBlock] = []
    budget = _char_budget(max_minutes, rate)
    truncated = False
    for block in doc.blocks:
        if truncated:
            break
        lang = (block.lang or doc.lang or "sv").split("-")[0].lower()
        block_voice = base_voice
        if lang != base_voice.split("-")[0] and voice is None:
            block_voice = voice_of(lang, voices) or base_voice
        sentences, starts = [], []
        said = [piece for sentence in split_sentences(block.text, lang) for piece in _pieces(sentence)]
        pos = 0
        for i, sentence in enumerate(said):
            start = block.text.find(sentence, pos)
            start = pos if start < 0 else start
            # A cue belongs to the sentence it precedes (a gap's cue to the next; a trailing one to the last).
            cues = [(o - start, words) for o, words in block.cues
                    if o >= pos and (o < start + len(sentence) or i == len(said) - 1) and words.strip()]
            pos = start + len(sentence)
            phrases = [(max(a - start, 0), min(b - start, len(sentence)), x) for a, b, x in block.langs
                       if a < pos and b > start and x != lang and voice_of(x, mixed)] if mixed else ()
            spoken, spans, said_phrases = speak_sentence(sentence, cues, lang, lexicon, phrases)
            said_langs = [[a, b, voice_of(x, mixed), x] for a, b, x in said_phrases]
            if spoken and any(ch.isalnum() for ch in spoken):
                budget -= len(spoken)
                if budget < 0 and (blocks or sentences):
                    truncated = True
                    break
                sentences.append(PlannedSentence(sentence, spoken, spans, said_langs))
                starts.append(start)
        if sentences:
            marker = next((w for o, w in block.cues if o == 0 and LIST_MARKER.fullmatch(w)), "") \
                if block.kind == "list-item" else ""
            cells = _cells_in(block.cells, starts, [len(s.text) for s in sentences])
            blocks.append(PlannedBlock(block.kind, lang, block.locator, block_voice, sentences, cells,
                                       marker))
    if not blocks:
        raise ExtractError("Sidan har ingen text att läsa upp. / The page has no text to read aloud.")
    if truncated:
        blocks.append(_stop_notice(max_minutes or 0, base_voice if "sv" not in voices else "sv"))
    return Plan(doc.url, doc.title, doc.lang, engine.name, engine.version, base_voice, rate, blocks,
                source, truncated, doc.area.as_dict() if doc.area is not None else {})


def _cells_in(cells: list[tuple[int, int, bool]], starts: list[int], lengths: list[int]) -> list[list]:
    """Cells' offsets in the block's text as offsets in its planned sentences put end to end (text
    between sentences, or in a sentence not read, is not there: a cell holding only that is empty)."""
    def at(offset: int) -> int:
        done = 0
        for start, length in zip(starts, lengths):
            if offset < start + length:
                return done + max(0, offset - start)
            done += length
        return done
    return [[at(a), at(b), header] for a, b, header in cells]


def _pieces(sentence: str, limit: int = MAX_SENTENCE_CHARS) -> list[str]:
    """`sentence`, or pieces of it no longer than `limit`, cut after the last space that fits."""
    pieces: list[str] = []
    while len(sentence) > limit:
        cut = sentence.rfind(" ", limit // 2, limit) + 1 or limit
        pieces.append(sentence[:cut].rstrip())
        sentence = sentence[cut:].lstrip()
    return [*pieces, sentence] if sentence else pieces


def _char_budget(max_minutes: float | None, rate: float) -> float:
    """How many spoken characters fit in `max_minutes` at `rate` (infinite without a limit)."""
    if not max_minutes or max_minutes <= 0:
        return float("inf")
    return max_minutes * 60 * CHARS_PER_SECOND * rate


def _stop_notice(max_minutes: float, voice: str) -> PlannedBlock:
    """The last sentence of a reading cut short; not on the page, so tied to no element."""
    minutes = f"{max_minutes:g}".replace(".", ",")
    text = (f"Uppläsningen slutar här, eftersom sidan är längre än {minutes} minuter. "
            "Resten av sidan läses inte upp.")
    spoken = normalize_mapped(text, "sv")
    return PlannedBlock("paragraph", "sv", "", voice, [PlannedSentence(text, spoken.spoken.strip(), [])])


_TRAILING = re.compile(r"[,.;:!?…)\]”»\"]*")


def speak_sentence(sentence: str, cues: list[tuple[int, str]], lang: str, lexicon,
                   langs: list[tuple[int, int, str]] | tuple = ()) -> tuple[str, list[list[int]], list[list]]:
    """A sentence as spoken, with the cues (words said but not written) said before their offsets.

    Each piece between cues and phrase edges is normalized on its own, a phrase marked in another
    language (`langs`, offsets in `sentence`) by that language's rules; returns the spoken text,
    the word spans and the phrases' [spoken start, spoken end, language]. A cue's words map to the
    written span of the first word after them, so the highlight shows the cell or item introduced.
    """
    # Punctuation right after a phrase goes with it: a piece of its own would lose it to normalization.
    langs = [(a, b + len(_TRAILING.match(sentence, b).group()), x) for a, b, x in langs]
    edges = {o for a, b, _ in langs for o in (a, b)}
    cuts = sorted({min(max(0, o), len(sentence)) for o, _ in cues} | edges | {0, len(sentence)})
    said_before: dict[int, list[str]] = {}
    for o, words in cues:
        said_before.setdefault(min(max(0, o), len(sentence)), []).append(words)
    spoken_parts: list[str] = []
    spans: list[list[int]] = []
    phrases: list[list] = []
    offset = 0
    for i, w_start in enumerate(cuts):
        w_end = cuts[i + 1] if i + 1 < len(cuts) else len(sentence)
        other = next((x for a, b, x in langs if a <= w_start and w_end <= b), None)
        texts: list[tuple[str, int, str]] = [(w, -1, lang) for w in said_before.get(w_start, [])]
        if w_end > w_start:
            texts.append((sentence[w_start:w_end], w_start, other or lang))
        for text, at, piece_lang in texts:
            # "[[" is espeak's phoneme syntax: only lexicon entries may use it, never page text.
            mapped = normalize_mapped(text.replace("[[", "[ ["), piece_lang, lexicon=lexicon)
            said = mapped.spoken.strip()
            if not said:
                continue
            lead = len(mapped.spoken) - len(mapped.spoken.lstrip())
            if spoken_parts:  # a space between pieces, unless the page had none ("<i>ord</i>.")
                glued = at > 0 and w_start in edges and not sentence[at - 1].isspace() and not said[0].isalnum()
                spoken_parts.append("" if glued else " ")
                offset += len(spoken_parts[-1])
            for s0, s1, w0, w1 in mapped.spans:
                spans.append([s0 - lead + offset, s1 - lead + offset,
                              w0 + at if at >= 0 else -1, w1 + at if at >= 0 else -1])
            if piece_lang != lang:
                phrases.append([offset, offset + len(said), piece_lang])
            spoken_parts.append(said)
            offset += len(said)
    # Cue words point at the first written word after them (or the last before, at the very end).
    for k, span in enumerate(spans):
        if span[2] < 0:
            nxt = next((x for x in spans[k:] if x[2] >= 0), None) or next(
                (x for x in reversed(spans[:k]) if x[2] >= 0), None)
            span[2:] = nxt[2:] if nxt else [0, len(sentence)]
    return "".join(spoken_parts), spans, phrases


def segments(plan: Plan) -> list[SegmentSpec]:
    """The sentences in order, with the pause that follows each (longer after a block)."""
    specs: list[SegmentSpec] = []
    n_blocks = len(plan.blocks)
    for bi, block in enumerate(plan.blocks):
        for si, sentence in enumerate(block.sentences):
            if si < len(block.sentences) - 1:
                tail = audio.PAUSE_SENTENCE_MS
            elif bi < n_blocks - 1:
                tail = audio.PAUSE_HEADING_MS if block.kind == "heading" else audio.PAUSE_BLOCK_MS
            else:
                tail = 0
            lead = audio.LEAD_IN_MS if not specs else 0
            specs.append(SegmentSpec(sentence.spoken, block.voice, lead, tail,
                                     tuple((a, b, v) for a, b, v, *_ in sentence.langs)))
    return specs


def estimate_ms(spec: SegmentSpec, rate: float) -> float:
    """How long a sentence will sound, pauses included, before it is synthesized (for scheduling)."""
    return len(spec.spoken) / (CHARS_PER_SECOND * rate) * 1000.0 + spec.lead_ms + spec.tail_ms


def segment_key(plan: Plan, spec: SegmentSpec, engine: Engine | None = None,
                voice: str | None = None) -> str:
    """Content address of one sentence's audio: its spoken text (after the lexicon) and sound.

    `engine`/`voice` name who actually speaks when that is not the plan's engine (a fallback),
    so fallback audio is never stored under the requested engine's key.
    """
    name, version = (engine.name, engine.version) if engine else (plan.engine, plan.engine_version)
    head = [FORMAT_VERSION, name, version, f"{plan.rate:.3f}",
            audio.SEGMENT_SAMPLE_RATE, audio.BITRATE_KBPS, voice or spec.voice, spec.lead_ms,
            spec.tail_ms, spec.spoken]
    if spec.langs:  # (keys of sentences without phrases stay what they were)
        head.append([list(p) for p in spec.langs])
    return hashlib.sha256(json.dumps(head, ensure_ascii=False).encode()).hexdigest()[:40]


def audio_key(plan: Plan) -> str:
    """Hash of what determines the sound, and nothing else (not the URL, not locators)."""
    h = hashlib.sha256(FORMAT_VERSION.encode())
    for spec in segments(plan):
        h.update(segment_key(plan, spec).encode())
    return h.hexdigest()[:40]


def reading_id(plan: Plan, key: str | None = None) -> str:
    """The audio key (`key`, when the caller has it already) plus what the player needs to find
    the text on this page."""
    h = hashlib.sha256((key or audio_key(plan)).encode())
    h.update(plan.url.encode())
    if plan.source != "page":  # what a client sent never shares an id with the page's own reading
        h.update(f"\0{plan.source}".encode())
    for b in plan.blocks:
        h.update(json.dumps([b.kind, b.lang, b.locator, [s.text for s in b.sentences]],
                            ensure_ascii=False).encode())
    return h.hexdigest()[:32]
