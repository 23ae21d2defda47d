"""How lexicon entries find their words: whole words, or also inflected forms and compounds.

An entry's `match` says how far it reaches:
- "word": the written form as a whole word (or words), nothing else;
- "forms": also the written form plus a Swedish inflection ending (`ENDINGS`): genitive -s,
  definite -en/-et/-n/-t, plural -er/-ar/-or/-na ..., e.g. "Nyköpings", "kommunen", "kommunerna";
- "compounds": also words that begin with the written form, as the first part of a compound
  ("nyköpingsbor", "Nyköpingsområdet"), with or without a linking -s-.

Without a dictionary a compound cannot be told from a longer word that only starts with the same
letters, so a compound's second part must look like a Swedish word of its own (`is_second_part`):
at least 3 letters (2 after a linking -s-: "Nyköpingsbo"), a vowel, a beginning a Swedish word
can have ("Sunnerbo" is no compound of "Sunne": no word begins "rb"), and not one of the endings
that make a new word of the same stem (`DERIVATIONS`: "Boråsare", "Salemska"). Written forms
shorter than `MIN_COMPOUND_HEAD` letters get inflected forms only: "Mora" would otherwise take
"moraliska". Compounds where the word is the last part are not matched: "Jerusalem" would be
taken for a compound of "Salem". The admin sees every word an entry will change before saving.

A replaced form keeps the case of what was written where it starts: "nyköpingsbor" ->
"nyschöpingsbor", "Nyköpings" -> "Nyschöpings". Phoneme entries match whole words only (their
replacement is espeak's "[[...]]", which cannot take a written ending).

All entries of a language are compiled into one regex (tries, so 200 or 20,000 entries cost the
same per character); the endings are checked in Python only for the few words that start with an
entry that has forms.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol


class LexiconEntry(Protocol):
    """What matching needs of an entry (`service.store.lexicon.LexiconEntry`)."""

    written: str
    match: str
    case_sensitive: bool

    def replacement(self) -> str: ...


MATCHES = ("word", "forms", "compounds")
MIN_COMPOUND_HEAD = 5

_INFLECTIONS = ("n", "en", "et", "t", "na", "ne", "er", "ar", "or", "r", "erna", "arna", "orna", "rna",
                "ena", "ende")
ENDINGS = frozenset({"s", *_INFLECTIONS, *(e + "s" for e in _INFLECTIONS)})
DERIVATIONS = frozenset({
    "are", "ares", "aren", "arens", "arna", "arnas", "isk", "iska", "iskt", "ism", "ismen", "ist",
    "isten", "ister", "ande", "ende", "het", "heten", "lig", "ligt", "liga", "sk", "ska", "skt", "skas",
    "ning", "ningen", "ningar", "erska", "inna", "iker", "iken",
})
_VOWELS = "aeiouyåäöéü"
# Consonants a Swedish word can begin with (a compound's second part is a word).
_ONSETS = frozenset("b c d f g h j k l m n p q r s t v w x z".split()) | frozenset(
    "bl br ch dj dr dv fj fl fn fr gj gl gn gr hj hv kj kl kn kr kv lj ph pj pl pr ps sc sch sj sk skj skr "
    "skv sl sm sn sp spl spr st stj str sv th tj tr ts tv vr".split())
_WORD_CHAR = re.compile(r"\w")


def is_second_part(rest: str, linked: bool = False) -> bool:
    """Whether `rest` (lower case) can be the second part of a compound (see the module's rules)."""
    if len(rest) < (2 if linked else 3) or not rest.isalpha() or rest in DERIVATIONS or rest in ENDINGS:
        return False
    first_vowel = next((i for i, ch in enumerate(rest) if ch in _VOWELS), None)
    if first_vowel is None:
        return False
    return first_vowel == 0 or rest[:first_vowel] in _ONSETS


def accepts(written: str, tail: str, match: str) -> bool:
    """Whether the written form followed directly by `tail` is a word this entry changes."""
    tail = tail.lower()
    if not tail:
        return True
    if match == "word":
        return False
    if tail in ENDINGS:
        return True
    if match != "compounds" or tail in DERIVATIONS or sum(ch.isalpha() for ch in written) < MIN_COMPOUND_HEAD:
        return False
    if is_second_part(tail):
        return True
    return tail[0] == "s" and not written.lower().endswith("s") and is_second_part(tail[1:], linked=True)


def keep_case(replacement: str, written: str) -> str:
    """The replacement with its first letter in the case `written` starts with (not for a word in
    capitals, which the normalizer might spell out as an acronym)."""
    if not replacement or not written or (len(written) > 1 and written.isupper()):
        return replacement
    if written[0].islower() and replacement[0].isupper():
        return replacement[0].lower() + replacement[1:]
    if written[0].isupper() and replacement[0].islower():
        return replacement[0].upper() + replacement[1:]
    return replacement


@dataclass(frozen=True)
class Rule:
    """The compiled lexicon of one language: a pattern and the entry behind each match."""

    pattern: re.Pattern[str]
    exact: dict[str, LexiconEntry]
    folded: dict[str, LexiconEntry]
    forms: bool = False  # some entry matches more than whole words: the pattern has head/tail groups

    def lookup(self, written: str) -> LexiconEntry | None:
        """The entry for this written text: a case-sensitive one in its exact case first."""
        key = " ".join(written.split())
        return self.exact.get(key) or self.folded.get(key.lower())

    def replacer(self, matched: list[LexiconEntry]) -> Callable[[re.Match[str]], str]:
        """A `re.sub` callback that replaces a match and records its entry in `matched`.

        The pattern finds the longest entry ignoring case; when that one is case-sensitive and the
        case differs, the longest shorter entry that does apply is used instead. A match with a
        tail (an entry with forms, followed by more letters) is replaced when `accepts` says so."""
        def found(entry: LexiconEntry, written: str) -> str:
            if entry not in matched:
                matched.append(entry)
            text = entry.replacement()
            return text if entry.match == "word" else keep_case(text, written)

        def replace(m: re.Match[str]) -> str:
            text = m.group()
            tail = m.group("tail") if self.forms else None
            if tail:
                head = m.group("head")
                entry = self.lookup(head)
                if entry is None or not accepts(entry.written, tail, entry.match):
                    return text
                return found(entry, head) + tail
            for end in _word_ends(text):
                entry = self.lookup(text[:end])
                if entry is not None:
                    return found(entry, text[:end]) + text[end:]
            return text
        return replace


def _word_ends(text: str) -> list[int]:
    """Where an entry could end inside `text`, longest first: the end, then before each non-word run."""
    ends = [len(text)]
    for i in range(len(text) - 1, 0, -1):
        if _WORD_CHAR.match(text[i - 1]) and not _WORD_CHAR.match(text[i]):
            ends.append(i)
    return ends


def _trie_pattern(keys: list[str]) -> str:
    """One regex for many words, shaped as a trie so matching costs the same for 10 or 10,000
    entries (a plain alternation tries every entry at every position). Greedy: longest first."""
    root: dict[str, dict] = {}
    for key in keys:
        node = root
        for ch in key:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, dict]) -> str:
        ends = "" in node
        branches = [(r"\s+" if ch == " " else re.escape(ch)) + emit(child)
                    for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if ends:
            return f"(?:{body})?"
        return body

    return emit(root)


def compile_rule(entries: list[LexiconEntry]) -> Rule | None:
    """One pattern for all entries of a language: whole words first, then heads with a tail."""
    if not entries:
        return None
    exact = {" ".join(e.written.split()): e for e in entries if e.case_sensitive}
    folded = {" ".join(e.written.split()).lower(): e for e in entries if not e.case_sensitive}
    whole = sorted({" ".join(e.written.split()).lower() for e in entries if e.match == "word"})
    heads = sorted({" ".join(e.written.split()).lower() for e in entries if e.match != "word"})
    branches = []
    if whole:
        branches.append("(?:" + _trie_pattern(whole) + r")(?!\w)")
    if heads:
        branches.append("(?P<head>" + _trie_pattern(heads) + r")(?P<tail>\w*)")
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(branches) + ")", re.IGNORECASE)
    return Rule(pattern=pattern, exact=exact, folded=folded, forms=bool(heads))
