"""Moving the pronunciation lexicon between sites: export as PLS or CSV, and import a file.

Importing checks the whole file first and writes nothing when any row is wrong (unless told to skip
those rows), then writes only what differs, in one transaction: an entry that is already there as
it is keeps its `updated_at`, so no sentence that uses it is spoken again (see `lexicon.fingerprint`).
The formats themselves are in `lexicon_formats`. Stdlib only.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .lexicon import Lexicon, LexiconEntry, check_entry, entry_key
from .lexicon_formats import (
    MAX_BYTES,
    MAX_ENTRIES,
    ExchangeError,
    ImportedEntry,
    Parsed,
    Problem,
    check_size,
    from_csv,
    from_pls,
    to_csv,
    to_pls,
)

__all__ = ["MAX_BYTES", "MAX_ENTRIES", "ExchangeError", "ImportReport", "ImportedEntry", "Parsed", "Problem",
           "detect_format", "export", "from_csv", "from_pls", "import_entries", "parse", "to_csv", "to_pls"]

FORMATS = ("pls", "csv")
CONTENT_TYPES = {"pls": "application/pls+xml", "csv": "text/csv; charset=utf-8"}


@dataclass
class ImportReport:
    """What an import did (or, for a dry run or a refused file, would have done)."""

    format: str
    added: list[ImportedEntry] = field(default_factory=list)
    changed: list[tuple[LexiconEntry, ImportedEntry]] = field(default_factory=list)
    unchanged: int = 0
    removed: list[LexiconEntry] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    skipped: list[Problem] = field(default_factory=list)
    dry_run: bool = False
    applied: bool = False

    def to_dict(self) -> dict[str, object]:
        return {
            "format": self.format, "applied": self.applied, "dry_run": self.dry_run,
            "added": len(self.added), "changed": len(self.changed), "unchanged": self.unchanged,
            "removed": len(self.removed), "errors": [p.to_dict() for p in self.errors],
            "skipped": [p.to_dict() for p in self.skipped],
            "added_entries": [_short(e.written, e.lang, e.spoken) for e in self.added],
            "changed_entries": [{**_short(new.written, new.lang, new.spoken), "was": old.spoken}
                                for old, new in self.changed],
            "removed_entries": [_short(e.written, e.lang, e.spoken) for e in self.removed],
        }

    def summary(self, lang: str | None = None) -> str:
        """One line for a flash message or a terminal: Swedish / English, or only `lang` ("sv", "en")."""
        counts = (len(self.added), len(self.changed), self.unchanged, len(self.removed), len(self.skipped),
                  len(self.errors))
        head = (("Provkörning, inget ändrades.", "Dry run, nothing was changed.") if self.dry_run
                else ("", "") if self.applied else ("Inget importerades.", "Nothing was imported."))
        names = (("Nya", "added"), ("ändrade", "changed"), ("oförändrade", "unchanged"),
                 ("borttagna", "removed"), ("överhoppade", "skipped"), ("fel", "errors"))
        if lang in ("sv", "en"):
            side = 0 if lang == "sv" else 1
            first, words = head[side], [pair[side] for pair in names]
        else:
            first, words = (" / ".join(head) if head[0] else ""), [f"{sv} / {en}" for sv, en in names]
        body = ", ".join(f"{word}: {n}" for word, n in zip(words, counts))
        return (f"{first} " if first else "") + body[0].upper() + body[1:] + "."

    def lines(self, limit: int = 200) -> list[str]:
        """The summary, then each change and problem (at most `limit` of each kind)."""
        out = [self.summary()]
        out += [f"  + {e.written} ({e.lang}) → {e.spoken}" for e in self.added[:limit]]
        out += [f"  ~ {new.written} ({new.lang}): {old.spoken} → {new.spoken}"
                for old, new in self.changed[:limit]]
        out += [f"  - {e.written} ({e.lang})" for e in self.removed[:limit]]
        out += [f"  överhoppad / skipped: {p.message}" for p in self.skipped[:limit]]
        out += [f"  fel / error: {p.message}" for p in self.errors[:limit]]
        return out

def unknown_format(fmt: object) -> ExchangeError:
    return ExchangeError(f"Okänt format {fmt!r}: välj pls eller csv. / Unknown format {fmt!r}: "
                         "choose pls or csv.")


def _short(written: str, lang: str, spoken: str) -> dict[str, str]:
    return {"written": written, "lang": lang, "spoken": spoken}

def export(lexicon: Lexicon, fmt: str, lang: str | None = None) -> tuple[bytes, str, str]:
    """(body, content type, file name) of the lexicon as `fmt`. PLS: one language (default sv);
    CSV: every language unless `lang` is given, UTF-8 with a BOM so spreadsheets read å, ä, ö."""
    if fmt == "pls":
        key = entry_key("x", lang or "sv", False)[0]
        check_entry("x", "x", lang or "sv")  # a language code that is no code is refused
        body = to_pls(lexicon.list(lang=key), key).encode("utf-8")
        return body, CONTENT_TYPES[fmt], f"lyssna-lexikon-{key}.pls"
    if fmt == "csv":
        if lang:
            check_entry("x", "x", lang)
        suffix = f"-{entry_key('x', lang, False)[0]}" if lang else ""
        return (b"\xef\xbb\xbf" + to_csv(lexicon.list(lang=lang or None)).encode("utf-8"), CONTENT_TYPES[fmt],
                f"lyssna-lexikon{suffix}.csv")
    raise unknown_format(fmt)

def detect_format(data: bytes, filename: str | None = None) -> str:
    """"pls" or "csv", from the file name's extension, else from the content (XML starts with <)."""
    name = (filename or "").lower()
    if name.endswith((".pls", ".xml")):
        return "pls"
    if name.endswith((".csv", ".txt", ".tsv")):
        return "csv"
    head = data[:200]
    utf16 = head[:2] in (b"\xff\xfe", b"\xfe\xff")
    text = head.decode("utf-16" if utf16 else "utf-8", "ignore")
    return "pls" if text.lstrip("\ufeff \t\r\n").startswith("<") else "csv"

def parse(data: bytes | str, fmt: str | None = None, filename: str | None = None) -> Parsed:
    """Read a PLS or CSV file (format detected when not given); ExchangeError when it cannot be read."""
    raw = check_size(data)
    fmt = fmt or detect_format(raw, filename)
    if fmt == "pls":
        return from_pls(raw)
    if fmt == "csv":
        return from_csv(raw)
    raise unknown_format(fmt)

# -- importing -----------------------------------------------------------------------------------


def import_entries(lexicon: Lexicon, parsed: Parsed, *, replace: bool = False, dry_run: bool = False,
                   skip_invalid: bool = False) -> ImportReport:
    """Merge the file into the lexicon: add new entries, change those whose pronunciation differs,
    leave equal ones alone; `replace` also removes the entries of the file's languages that the file
    does not have. Nothing is written when a row was refused (unless `skip_invalid`) or for a dry run."""
    if replace and skip_invalid:
        raise ExchangeError("Ersätt och hoppa över felaktiga rader går inte ihop: en felaktig rad skulle "
                            "ta bort sitt uppslag. / Replace and skip invalid rows do not go together: an "
                            "invalid row would remove its entry.")
    report = ImportReport(format=parsed.format, errors=list(parsed.errors), skipped=list(parsed.skipped),
                          dry_run=dry_run)
    existing = {entry_key(e.written, e.lang, e.case_sensitive): e for e in lexicon.list()}
    keys = set()
    for new in parsed.entries:
        keys.add(new.key())
        old = existing.get(new.key())
        if old is None:
            report.added.append(new)
        elif (old.written, old.spoken, old.kind, old.match) != (new.written, new.spoken, new.kind,
                                                                new.match or old.match):
            report.changed.append((old, new))
        else:
            report.unchanged += 1
    if replace:
        report.removed = [e for key, e in existing.items() if e.lang in parsed.langs and key not in keys]
    if dry_run or (report.errors and not skip_invalid):
        return report
    writes = report.added + [new for _old, new in report.changed]
    lexicon.write_many([(e.written, e.spoken, e.lang, e.case_sensitive, e.kind, e.match) for e in writes],
                       [e.id for e in report.removed])
    report.applied = True
    return report
