"""Checking an espeak-ng phoneme string ("[[...]]" in the text) before a lexicon entry is saved.

espeak-ng says nothing about a mnemonic it does not know: it drops it and the rest of that word
(`EncodePhonemes` in its dictionary.c), so a typo in a phoneme entry is heard as a clipped word.
This reads the phoneme tables of the very data directory the engine runs on (`phontab`), merges
the language's table with the tables it includes, and splits the string the way espeak-ng does
(longest known mnemonic at each position; "|" separates), so the first part espeak-ng would drop
can be named.
"""
from __future__ import annotations

import struct
import threading
from pathlib import Path

_PH_INVALID = 15  # espeak-ng's phINVALID: a phoneme this language does not define
_TABLE_NAME = 32
_ENTRY = struct.Struct("<IIHBBBBBB")  # PHONEME_TAB: mnemonic, flags, program, code, type, ...
_lock = threading.Lock()
_tables: dict[str, tuple[str, ...]] = {}
_raw: list[tuple[str, int, list[tuple[str, int, int]]]] = []


def _data_dir() -> Path:
    import espeakng_loader  # the engine's own data, as espeak.py loads it

    return Path(espeakng_loader.get_data_path())


def _read_tables(data: bytes) -> list[tuple[str, int, list[tuple[str, int, int]]]]:
    """(name, included table + 1, [(mnemonic, code, type)]) per phoneme table in `phontab`."""
    tables = []
    count, offset = data[0], 4
    for _ in range(count):
        n, includes = data[offset], data[offset + 1]
        offset += 4
        name = data[offset:offset + _TABLE_NAME].split(b"\0")[0].decode("ascii", "replace")
        offset += _TABLE_NAME
        phonemes = []
        for _ in range(n):
            mnemonic, _flags, _program, code, kind, *_rest = _ENTRY.unpack_from(data, offset)
            offset += _ENTRY.size
            phonemes.append((mnemonic.to_bytes(4, "little").split(b"\0")[0].decode("latin-1"), code, kind))
        tables.append((name, includes, phonemes))
    return tables


def mnemonics(lang: str) -> tuple[str, ...]:
    """The phoneme mnemonics espeak-ng knows for `lang` (its table, else the base table)."""
    key = (lang or "sv").split("-")[0].lower()
    with _lock:
        if key not in _tables:
            if not _raw:
                _raw.extend(_read_tables((_data_dir() / "phontab").read_bytes()))
            names = [t[0] for t in _raw]
            merged: dict[int, tuple[str, int]] = {}

            def setup(index: int) -> None:
                _name, includes, phonemes = _raw[index]
                if includes > 0:
                    setup(includes - 1)
                for mnemonic, code, kind in phonemes:
                    merged[code] = (mnemonic, kind)

            setup(names.index(key) if key in names else names.index("base1"))
            _tables[key] = tuple(sorted({m for code, (m, kind) in merged.items()
                                         if code > 0 and m and kind != _PH_INVALID}, key=len, reverse=True))
        return _tables[key]


def unknown_part(phonemes: str, lang: str = "sv") -> str | None:
    """The first part of `phonemes` espeak-ng would not understand (from there to the end of its
    word), or None when every mnemonic is known."""
    known = mnemonics(lang)
    for word in phonemes.split():
        i = 0
        while i < len(word):
            if word[i] == "|" and not word.startswith("||", i):
                i += 1
                continue
            hit = next((m for m in known if word.startswith(m, i)), None)
            if hit is None:
                return word[i:]
            i += len(hit)
    return None


def phoneme_problem(phonemes: str, lang: str = "sv") -> str | None:
    """What is wrong with a phoneme entry, in Swedish and English, or None when espeak-ng knows every
    part: the one message the admin, the API and the command line give."""
    bad = unknown_part(phonemes, lang)
    if bad is None:
        return None
    return (f"espeak-ng känner inte igen ”{bad}” i fonemsträngen ”{phonemes}”: det och resten av "
            "ordet skulle inte läsas upp. Använd espeak-ngs fonemnamn, t.ex. n'y:S;Y:p,IN. / "
            f"espeak-ng does not know ”{bad}” in the phoneme string ”{phonemes}”: it and the rest of "
            "the word would not be spoken. Use espeak-ng phoneme names, e.g. n'y:S;Y:p,IN.")
