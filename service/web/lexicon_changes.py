"""Lexicon changes that visibly take effect, for the admin UI and the JSON admin API alike.

Before saving: an entry is checked as the engine will take it (phonemes espeak-ng knows), can be
heard (`sample`) and previewed (the words on the site it will change). After saving: the pages
whose stored text has a word the entry changes (old or new form) are marked outdated and made
again as a pre-generation batch of exactly those pages, whose progress page the admin follows.
Only sentences whose spoken text changed are synthesized again: the audio cache is per sentence.
"""
from __future__ import annotations

import json
import secrets
import threading
import time
from collections import deque

from flask import current_app

from service.errors import LyssnaError, TooManyRequests
from service.reading.create import preview_audio
from service.reading.engines.espeak_phonemes import phoneme_problem
from service.reading.speech import normalize
from service.reading.voices import choose_engine
from service.store.lexicon import LexiconEntry, check_entry
from service.store.lexicon_effects import Change, Changes, Effect, find_effect
from service.store.lexicon_exchange import ImportedEntry, ImportReport
from service.store.lexicon_match import compile_rule

from .state import services, state

SAMPLES_PER_MINUTE = 30
_samples: dict[str, deque[float]] = {}
_samples_lock = threading.Lock()


class UnknownPhoneme(LyssnaError):
    """A phoneme entry with a part espeak-ng would drop."""

    status = 422
    code = "unknown_phoneme"


def candidate(written: str = "", spoken: str = "", lang: str = "sv", case_sensitive: bool = False,
              kind: str = "text", match: str = "word", id: int = 0) -> LexiconEntry:  # noqa: A002
    """The entry as it would be saved (ValueError, UnknownPhoneme when it would be refused)."""
    written, spoken, lang_key = check_entry(written, spoken, lang, kind, match)
    if kind == "phonemes":
        engine, _voice = choose_engine(None, services().config, services().engine_for)
        if engine.name == "espeak":
            problem = phoneme_problem(spoken, lang_key)
            if problem is not None:
                raise UnknownPhoneme(problem)
    return LexiconEntry(id=id, written=written, spoken=spoken, lang=lang_key,
                        case_sensitive=bool(case_sensitive), kind=kind, match=match)


def said(entry: LexiconEntry) -> str:
    """The entry's written form as the engine will be given it (the entry applied, normalized)."""
    rule = compile_rule([entry])
    text = rule.pattern.sub(rule.replacer([]), entry.written) if rule else entry.written
    return normalize(text, entry.lang)


def sample(entry: LexiconEntry, client: str) -> bytes:
    """The MP3 of the written form as it will sound; a few a minute per admin session."""
    now = time.monotonic()
    with _samples_lock:
        if len(_samples) > 1000:
            _samples.clear()
        recent = _samples.setdefault(client, deque())
        while recent and recent[0] < now - 60:
            recent.popleft()
        if len(recent) >= SAMPLES_PER_MINUTE:
            raise TooManyRequests("För många provlyssningar; vänta en minut. / "
                                  "Too many samples; wait a minute.", retry_after=60)
        recent.append(now)
    return preview_audio(services(), said(entry), entry.lang)


def preview(entry: LexiconEntry) -> Effect:
    """The words on the site (in the cached pages) this entry would change, and their pages."""
    return find_effect(services().store, [entry])


def changes() -> Changes:
    return Changes(current_app.config["CACHE_DIR"])


def after_import(report: ImportReport) -> Change:
    """`after_change` for an applied import: the entries it changed (old and new form), added and removed."""
    def entry(new: ImportedEntry, match: str) -> LexiconEntry:
        return LexiconEntry(0, new.written, new.spoken, new.lang, new.case_sensitive, new.kind, match=match)

    # As written: the file's own `match`, else a new entry's default and a changed entry's own.
    before = [old for old, _new in report.changed] + list(report.removed)
    after = [entry(new, new.match or "word") for new in report.added] + \
        [entry(new, new.match or old.match) for old, new in report.changed]
    n = len(report.added) + len(report.changed) + len(report.removed)
    return after_change("import", before, after, label=f"{n} uppslag / entries")


def after_change(action: str, before: list[LexiconEntry], after: list[LexiconEntry],
                 label: str = "") -> Change:
    """Mark the pages the change touches as outdated and make them again; the change as recorded."""
    effect = find_effect(services().store, [*before, *after])
    services().readings.outdated.mark([rid for page in effect.pages for rid in page.reading_ids])
    written = label or ((after or before)[0].written if (after or before) else "")
    groups: dict[str, list[str]] = {}
    for page in effect.pages:  # pages asked for with other selectors are read with those again
        asked = {k: v for k, v in page.options.items() if k in ("content", "skip")}
        groups.setdefault(json.dumps(asked, sort_keys=True), []).append(page.url)
    batches = [state().batches.start(urls, label=f"Uttal / Lexicon: {written}", options=json.loads(asked))
               for asked, urls in groups.items()]
    change = Change(secrets.token_hex(8), action, written, effect.pages, effect.words, batches)
    changes().save(change)
    return change
