"""What a lexicon change does to the pages already read: which pages say a word it changes, which
words those are, and which readings are now outdated.

Found from the stored readings themselves (each sentence as written on the page, the text the
lexicon is applied to), with the same matching as reading (`lexicon_match`), so a page is listed
exactly when planning it again would change what it says. An edited entry counts in both forms:
pages that said the old word and pages that will say the new one.

Outdated readings are remembered as empty files <CACHE_DIR>/outdated/<reading id> (any process
sees them; a reading planned again with the current lexicon clears its own mark).
"""
from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .files import read_json, valid_key, write_json_atomic
from .lexicon import LexiconEntry
from .lexicon_match import compile_rule
from .reading_store import ReadingStore

MAX_EXAMPLES = 3


@dataclass
class AffectedPage:
    """A page whose newest readings say a word the change touches."""

    url: str
    title: str
    reading_ids: list[str] = field(default_factory=list)
    options: dict[str, str] = field(default_factory=dict)  # how it was asked for (content, skip, voice)
    words: int = 0  # how many times the words occur on it


@dataclass
class WordUse:
    """A word on the site an entry changes: as written, how often, and a few pages it is on."""

    word: str
    count: int
    examples: list[str] = field(default_factory=list)


@dataclass
class Effect:
    pages: list[AffectedPage] = field(default_factory=list)
    words: list[WordUse] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"pages": [asdict(p) for p in self.pages], "words": [asdict(w) for w in self.words]}


def _lang_key(lang: str) -> str:
    return (lang or "sv").split("-")[0].split("_")[0].lower()


def find_effect(store: ReadingStore, entries: Iterable[LexiconEntry]) -> Effect:
    """The pages (every reading of them: older ones are marked as well) and words that any of
    `entries` changes. Entries sharing a written form (an entry's old and new form) are matched in
    separate passes, so both are found; an import of a thousand entries is still one or two."""
    rules = [(lang, rule, rule.replacer([])) for lang, group in _groups(entries)
             if (rule := compile_rule(group)) is not None]
    if not rules:
        return Effect()
    pages: dict[str, AffectedPage] = {}
    counts: Counter[str] = Counter()
    examples: dict[str, list[str]] = {}
    for stored in store.all():
        plan = stored.plan
        if not plan.is_page:
            continue
        found = 0
        for block in plan.blocks:
            lang = _lang_key(block.lang)
            for sentence in block.sentences:
                for rule_lang, rule, replace in rules:
                    if rule_lang != lang:
                        continue
                    for m in rule.pattern.finditer(sentence.text):
                        if replace(m) == m.group():
                            continue
                        word = " ".join(m.group().split())
                        counts[word] += 1
                        found += 1
                        seen = examples.setdefault(word, [])
                        if plan.url not in seen and len(seen) < MAX_EXAMPLES:
                            seen.append(plan.url)
        if found:
            asked = stored.request.as_dict() if stored.request else {}
            page = pages.setdefault(plan.url, AffectedPage(plan.url, plan.title or "", options=asked))
            page.reading_ids.append(stored.id)
            page.words = max(page.words, found)
    ordered = sorted(pages.values(), key=lambda p: (-p.words, p.url))
    words = [WordUse(w, n, examples[w]) for w, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    return Effect(ordered, words)


def _groups(entries: Iterable[LexiconEntry]) -> list[tuple[str, list[LexiconEntry]]]:
    """The entries per language, split so that no written form is twice in one group."""
    groups: list[tuple[str, list[LexiconEntry], set[str]]] = []
    for entry in entries:
        lang, key = _lang_key(entry.lang), " ".join(entry.written.split()).lower()
        group = next((g for g in groups if g[0] == lang and key not in g[2]), None)
        if group is None:
            group = (lang, [], set())
            groups.append(group)
        group[1].append(entry)
        group[2].add(key)
    return [(lang, members) for lang, members, _keys in groups]


class OutdatedMarks:
    """Readings made before a lexicon change that touches them: the pages list says "Inaktuell"."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.dir = Path(root).resolve() / "outdated"

    def mark(self, reading_ids: Iterable[str]) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        for reading_id in reading_ids:
            if valid_key(reading_id):
                (self.dir / reading_id).touch()

    def is_marked(self, reading_id: str) -> bool:
        return valid_key(reading_id) and (self.dir / reading_id).exists()

    def clear(self, reading_id: str) -> bool:
        """The reading was just planned with the current lexicon: it is up to date. Whether it
        was marked."""
        if valid_key(reading_id):
            try:
                (self.dir / reading_id).unlink()
                return True
            except FileNotFoundError:
                pass
        return False


@dataclass
class Change:
    """A lexicon change as the admin's result page shows it: what changed, the pages it touches and
    the batches that make them again."""

    id: str
    action: str  # add | edit | delete | import
    written: str
    pages: list[AffectedPage] = field(default_factory=list)
    words: list[WordUse] = field(default_factory=list)
    batches: list[str] = field(default_factory=list)
    created: float = field(default_factory=time.time)


class Changes:
    """Recent changes, one JSON file each under <CACHE_DIR>/lexicon-changes (kept a week)."""

    MAX_AGE_S = 7 * 24 * 3600

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.dir = Path(root).resolve() / "lexicon-changes"

    def save(self, change: Change) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        for old in self.dir.glob("*.json"):
            if old.stat().st_mtime < time.time() - self.MAX_AGE_S:
                old.unlink(missing_ok=True)
        write_json_atomic(self.dir / f"{change.id}.json", asdict(change), durable=False)

    def load(self, change_id: str) -> Change | None:
        if not valid_key(change_id):
            return None
        data = read_json(self.dir / f"{change_id}.json")
        if not isinstance(data, dict):
            return None
        try:
            return Change(**{**data, "pages": [AffectedPage(**p) for p in data.get("pages", [])],
                             "words": [WordUse(**w) for w in data.get("words", [])]})
        except TypeError:
            return None
