"""Pronunciation lexicon: admin-edited replacements applied to the written text before synthesis.

An entry says how a written word (or several words) should be spoken: as other text ("Sthlm" ->
"Stockholm") or as an espeak-ng phoneme string, emitted inline as "[[...]]". Entries live in SQLite
(WAL, one file shared by every thread and process of the service). `apply` replaces whole words (or,
when an entry's `match` says so, also their inflected forms and compounds: `lexicon_match`), longest
entry first, case-insensitively unless an entry says otherwise, and reports which entries matched so
a sentence's cache key can cover exactly those (`fingerprint`) and nothing else.

The compiled pattern per language is cached and rebuilt when the table changes, also when another
process changed it (`PRAGMA data_version` tells a connection about other connections' commits).
Stdlib only; no web framework here.
"""
from __future__ import annotations

import hashlib
import os
import re
import sqlite3
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone

from .lexicon_match import MATCHES, Rule, compile_rule
from .sqlite import connect, open_database

KINDS = ("text", "phonemes")
MAX_WRITTEN = 200
MAX_SPOKEN = 500

_LANG = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")  # the whole value (fullmatch)
_LANG_KEY = re.compile(r"[a-z]{2,3}")  # what entries are stored under (`_lang_key`)
_WORD_CHAR = re.compile(r"\w")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")  # JSON "\\ud800": no character, cannot be stored
MAX_ID = 2**63 - 1  # SQLite's largest integer; a larger id names no entry

_SCHEMA = """
CREATE TABLE IF NOT EXISTS lexicon (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    written TEXT NOT NULL,
    written_key TEXT NOT NULL,
    spoken TEXT NOT NULL,
    lang TEXT NOT NULL,
    case_sensitive INTEGER NOT NULL,
    kind TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (lang, written_key, case_sensitive)
);
CREATE INDEX IF NOT EXISTS lexicon_lang ON lexicon (lang);
"""


@dataclass(frozen=True)
class LexiconEntry:
    """One written form and how to say it. `kind` "phonemes" means `spoken` is espeak phonemes."""

    id: int
    written: str
    spoken: str
    lang: str = "sv"
    case_sensitive: bool = False
    kind: str = "text"
    updated_at: str = ""
    match: str = "word"  # how far it reaches: whole words, inflected forms, compounds (lexicon_match)

    def replacement(self) -> str:
        """What goes into the text: the spoken words, or the phonemes as espeak's "[[...]]"."""
        return f"[[{self.spoken}]]" if self.kind == "phonemes" else self.spoken

    def to_dict(self) -> dict[str, object]:
        return {"id": self.id, "written": self.written, "spoken": self.spoken, "lang": self.lang,
                "case_sensitive": self.case_sensitive, "kind": self.kind, "updated_at": self.updated_at,
                "match": self.match}


@dataclass(frozen=True)
class Applied:
    """Text after the lexicon, and the entries that matched it (each once, in order of appearance)."""

    text: str
    matched: list[LexiconEntry] = field(default_factory=list)


def fingerprint(matched: list[LexiconEntry] | tuple[LexiconEntry, ...]) -> str:
    """A stable digest of exactly these entries ("" for none), for a sentence's cache key."""
    if not matched:
        return ""
    digest = hashlib.sha256()
    for e in sorted(set(matched), key=lambda e: e.id):
        digest.update("\x1f".join((str(e.id), e.written, e.spoken, e.kind, str(int(e.case_sensitive)),
                                   e.lang, e.updated_at)).encode("utf-8"))
        if e.match != "word":  # (the keys of whole-word entries stay what they were)
            digest.update(f"\x1f{e.match}".encode())
        digest.update(b"\x1e")
    return digest.hexdigest()[:32]


def _lang_key(lang: str | None) -> str:
    return (lang or "sv").split("-")[0].split("_")[0].lower()


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def _key(written: str, case_sensitive: bool) -> str:
    collapsed = " ".join(written.split())
    return collapsed if case_sensitive else collapsed.lower()


def _validate(written: str, spoken: str, lang: str, kind: str, match: str = "word") -> tuple[str, str, str]:
    written = " ".join(str(written or "").split())
    spoken = " ".join(str(spoken or "").split())
    lang = str(lang or "").strip()
    if not written:
        raise ValueError("Det skrivna ordet saknas. / The written form is empty.")
    if len(written) > MAX_WRITTEN:
        raise ValueError(f"Det skrivna ordet är för långt (högst {MAX_WRITTEN} tecken). / "
                         f"The written form is too long (at most {MAX_WRITTEN} characters).")
    if not _WORD_CHAR.search(written):
        raise ValueError("Det skrivna ordet måste innehålla bokstäver eller siffror. / "
                         "The written form must contain letters or digits.")
    if not spoken:
        raise ValueError("Uttalet saknas. / The spoken form is empty.")
    if len(spoken) > MAX_SPOKEN:
        raise ValueError(f"Uttalet är för långt (högst {MAX_SPOKEN} tecken). / "
                         f"The spoken form is too long (at most {MAX_SPOKEN} characters).")
    if kind not in KINDS:
        raise ValueError("Typen måste vara 'text' eller 'phonemes'. / The kind must be 'text' or 'phonemes'.")
    if kind == "phonemes" and ("[" in spoken or "]" in spoken):
        raise ValueError("Fonemsträngen får inte innehålla [ eller ]. / "
                         "The phoneme string must not contain [ or ].")
    if match not in MATCHES:
        raise ValueError("Matchningen måste vara 'word', 'forms' eller 'compounds'. / "
                         "The match must be 'word', 'forms' or 'compounds'.")
    if kind == "phonemes" and match != "word":
        raise ValueError("Fonem gäller bara hela ord: böjningar och sammansättningar kräver uttal som text."
                         " / "
                         "Phonemes apply to whole words only: forms and compounds need a text pronunciation.")
    if _LONE_SURROGATE.search(written + spoken + lang):
        raise ValueError("Texten innehåller ett ogiltigt tecken (ett ensamt surrogattecken). / "
                         "The text contains an invalid character (a lone surrogate).")
    if not _LANG.fullmatch(lang):
        raise ValueError(f"Ogiltig språkkod: {lang!r}. / Invalid language code: {lang!r}.")
    return written, spoken, _lang_key(lang)


def check_entry(written: str, spoken: str, lang: str = "sv", kind: str = "text",
                match: str = "word") -> tuple[str, str, str]:
    """The written form, spoken form and language key as `add` would store them; ValueError (Swedish
    / English) when the entry would be refused. For checking a whole import before writing any of it."""
    return _validate(written, spoken, lang, kind, match)


def entry_key(written: str, lang: str, case_sensitive: bool) -> tuple[str, str, bool]:
    """What makes two entries the same entry (the table's UNIQUE key): `add` of one replaces the other."""
    return (_lang_key(lang), _key(written, case_sensitive), bool(case_sensitive))


def _entry(row: sqlite3.Row | tuple) -> LexiconEntry:
    return LexiconEntry(id=row[0], written=row[1], spoken=row[2], lang=row[3],
                        case_sensitive=bool(row[4]), kind=row[5], updated_at=row[6], match=row[7] or "word")


_COLUMNS = "id, written, spoken, lang, case_sensitive, kind, updated_at, match"
_UPSERT = ("INSERT INTO lexicon (written, written_key, spoken, lang, case_sensitive, kind, updated_at)"
           " VALUES (?, ?, ?, ?, ?, ?, ?)"
           " ON CONFLICT (lang, written_key, case_sensitive) DO UPDATE SET"
           " written = excluded.written, spoken = excluded.spoken, kind = excluded.kind,"
           " updated_at = excluded.updated_at")
# An import from a file that does not say how far an entry reaches keeps the entry's `match`.
_UPSERT_MATCH = (_UPSERT.replace("kind, updated_at)", "kind, updated_at, match)").replace("?, ?)", "?, ?, ?)")
                 + ", match = excluded.match")


class Lexicon:
    """The lexicon in one SQLite file. Safe to share between threads; each process opens its own."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = open_database(path, _SCHEMA, {"lexicon": [("match", "TEXT NOT NULL DEFAULT 'word'")]})
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None
        self._pid = -1
        self._local_changes = 0
        self._rules: dict[str, tuple[tuple[int, int], Rule | None]] = {}
        with self._lock:
            self._connection()

    # -- connection ---------------------------------------------------------------------------

    def _connection(self) -> sqlite3.Connection:
        """This process's connection (reopened after a fork: SQLite handles must not cross it)."""
        if self._conn is None or self._pid != os.getpid():
            conn = connect(self.path, check_same_thread=False)
            conn.execute("PRAGMA synchronous=NORMAL")
            self._conn, self._pid = conn, os.getpid()
            self._rules.clear()
        return self._conn

    def close(self) -> None:
        with self._lock:
            if self._conn is not None and self._pid == os.getpid():
                self._conn.close()
            self._conn = None

    def __enter__(self) -> Lexicon:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _version(self) -> tuple[int, int]:
        data_version = self._connection().execute("PRAGMA data_version").fetchone()[0]
        return (data_version, self._local_changes)

    def _write(self, sql: str, params: tuple) -> sqlite3.Cursor:
        return self._transaction(lambda conn: conn.execute(sql, params))

    def _transaction(self, work: Callable[[sqlite3.Connection], sqlite3.Cursor]) -> sqlite3.Cursor:
        """`work` in one write transaction: all of it or none."""
        conn = self._connection()
        try:
            conn.execute("BEGIN IMMEDIATE")
            cursor = work(conn)
            conn.execute("COMMIT")
        except sqlite3.IntegrityError as exc:
            conn.execute("ROLLBACK")
            raise ValueError("Det finns redan en sådan post. / Such an entry already exists.") from exc
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        self._local_changes += 1
        return cursor

    # -- editing ------------------------------------------------------------------------------

    def add(self, written: str, spoken: str, lang: str = "sv", case_sensitive: bool = False,
            kind: str = "text", match: str = "word") -> LexiconEntry:
        """Add an entry; the same written form (per language and case rule) again is an edit."""
        written, spoken, lang = _validate(written, spoken, lang, kind, match)
        case_sensitive = bool(case_sensitive)
        with self._lock:
            self._write(_UPSERT_MATCH, (written, _key(written, case_sensitive), spoken, lang,
                                        int(case_sensitive), kind, _now(), match))
            entry = self.find(written, lang, case_sensitive)
        assert entry is not None
        return entry

    def find(self, written: str, lang: str = "sv", case_sensitive: bool = False) -> LexiconEntry | None:
        """The entry with this written form (per language and case rule): the one `add` replaces."""
        key, written_key, case = entry_key(written, lang, case_sensitive)
        with self._lock:
            row = self._connection().execute(
                f"SELECT {_COLUMNS} FROM lexicon WHERE lang = ? AND written_key = ? AND case_sensitive = ?",
                (key, written_key, int(case)),
            ).fetchone()
        return _entry(row) if row else None

    def update(self, id: int, written: str | None = None, spoken: str | None = None,  # noqa: A002
               lang: str | None = None, case_sensitive: bool | None = None,
               kind: str | None = None, match: str | None = None) -> LexiconEntry:
        """Change an entry; raises KeyError when there is none with this id."""
        with self._lock:
            current = self.get(id)
            if current is None:
                raise KeyError(id)
            new_kind = current.kind if kind is None else kind
            new_match = current.match if match is None else match
            new_written, new_spoken, new_lang = _validate(
                current.written if written is None else written,
                current.spoken if spoken is None else spoken,
                current.lang if lang is None else lang,
                new_kind,
                new_match,
            )
            new_case = current.case_sensitive if case_sensitive is None else bool(case_sensitive)
            self._write(
                "UPDATE lexicon SET written = ?, written_key = ?, spoken = ?, lang = ?, case_sensitive = ?,"
                " kind = ?, updated_at = ?, match = ? WHERE id = ?",
                (new_written, _key(new_written, new_case), new_spoken, new_lang, int(new_case), new_kind,
                 _now(), new_match, int(id)),
            )
            updated = self.get(id)
        assert updated is not None
        return updated

    def write_many(self, entries: Sequence[tuple[str, str, str, bool, str, str | None]],
                   remove: Sequence[int] = ()) -> None:
        """Add or change `entries` (written, spoken, lang, case_sensitive, kind, match) and delete the ids
        in `remove`, in one transaction: an import lands whole or not at all. Everything is checked first.
        A match of None keeps what an existing entry has (files from elsewhere do not say)."""
        rows, rows_match = [], []
        for written, spoken, lang, case_sensitive, kind, match in entries:
            written, spoken, lang = _validate(written, spoken, lang, kind, match or "word")
            case = bool(case_sensitive)
            row = (written, _key(written, case), spoken, lang, int(case), kind, _now())
            if match is None:
                rows.append(row)
            else:
                rows_match.append((*row, match))
        gone = [(int(i),) for i in remove if 0 < i <= MAX_ID]
        if not rows and not rows_match and not gone:
            return

        def work(conn: sqlite3.Connection) -> sqlite3.Cursor:
            conn.executemany(_UPSERT, rows)
            conn.executemany(_UPSERT_MATCH, rows_match)
            return conn.executemany("DELETE FROM lexicon WHERE id = ?", gone)

        with self._lock:
            self._transaction(work)

    def remove(self, id: int) -> bool:  # noqa: A002
        """Delete an entry; False when there was none."""
        if not 0 < id <= MAX_ID:
            return False
        with self._lock:
            return self._write("DELETE FROM lexicon WHERE id = ?", (int(id),)).rowcount > 0

    # -- reading ------------------------------------------------------------------------------

    def get(self, id: int) -> LexiconEntry | None:  # noqa: A002
        if not 0 < id <= MAX_ID:
            return None
        with self._lock:
            row = self._connection().execute(
                f"SELECT {_COLUMNS} FROM lexicon WHERE id = ?", (int(id),)
            ).fetchone()
        return _entry(row) if row else None

    def list(self, lang: str | None = None, query: str | None = None) -> list[LexiconEntry]:
        """Entries, alphabetical; `query` matches part of the written or spoken form, any case."""
        sql = f"SELECT {_COLUMNS} FROM lexicon"
        where: list[str] = []
        params: list[object] = []
        if lang:
            if not _LANG_KEY.fullmatch(_lang_key(lang)):
                return []  # no entry is stored under anything else
            where.append("lang = ?")
            params.append(_lang_key(lang))
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY lower(written), id"
        with self._lock:
            rows = self._connection().execute(sql, params).fetchall()
        entries = [_entry(r) for r in rows]
        if query:  # filtered here: SQLite's lower() knows no å, ä, ö
            q = query.casefold()
            entries = [e for e in entries if q in e.written.casefold() or q in e.spoken.casefold()]
        return entries

    def __len__(self) -> int:
        with self._lock:
            return self._connection().execute("SELECT count(*) FROM lexicon").fetchone()[0]

    # -- applying -----------------------------------------------------------------------------

    def rule(self, lang: str = "sv") -> Rule | None:
        """The compiled lexicon for `lang` (None when it has no entries), rebuilt after any change."""
        key = _lang_key(lang)
        if not _LANG_KEY.fullmatch(key):
            return None  # no entry is stored under anything else (and no cache grows for it)
        with self._lock:
            version = self._version()
            cached = self._rules.get(key)
            if cached is not None and cached[0] == version:
                return cached[1]
            rows = self._connection().execute(
                f"SELECT {_COLUMNS} FROM lexicon WHERE lang = ?", (key,)
            ).fetchall()
            rule = compile_rule([_entry(r) for r in rows])
            self._rules[key] = (version, rule)
            return rule

    def apply(self, text: str, lang: str = "sv") -> Applied:
        """Replace whole words that have an entry; report the entries that matched."""
        rule = self.rule(lang)
        if rule is None or not text:
            return Applied(text=text, matched=[])
        matched: list[LexiconEntry] = []
        return Applied(text=rule.pattern.sub(rule.replacer(matched), text), matched=matched)
