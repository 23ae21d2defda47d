"""The two file formats of the pronunciation lexicon, W3C PLS 1.0 and CSV: writing and reading.

PLS (https://www.w3.org/TR/pronunciation-lexicon/) has one language per document, so a PLS file
holds one language; CSV has a language column and holds them all. A "text" entry is a lexeme with
an <alias>, a "phonemes" entry one with <phoneme alphabet="x-espeak"> (espeak-ng's mnemonics are not
IPA, and PLS lets vendors name their own alphabet with "x-"). PLS has no case rule: ours travels as
the attribute lyssna:case-sensitive="true" in our own namespace, which other readers ignore.

Reading checks every entry as the lexicon would (`check_entry`) and reports each refused row or
lexeme by number and line, in plain words, instead of stopping at the first. XML is read with expat
directly and any DOCTYPE or entity declaration is refused outright, so no entity expands and nothing
outside the file is read (billion laughs, external entities). Stdlib only.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from xml.parsers import expat
from xml.sax.saxutils import escape, quoteattr

from .lexicon import LexiconEntry, check_entry, entry_key

PLS_NS = "http://www.w3.org/2005/01/pronunciation-lexicon"
LYSSNA_NS = "urn:x-lyssna:pls"
XML_NS = "http://www.w3.org/XML/1998/namespace"
ESPEAK_ALPHABETS = ("x-espeak", "x-espeak-ng")
CSV_COLUMNS = ("written", "spoken", "lang", "kind", "case_sensitive", "match")
MAX_BYTES = 5 * 1024 * 1024
MAX_ENTRIES = 50_000

_FORMULA = re.compile(r"'*[=+\-@\t\r]")  # cells a spreadsheet would run as a formula (after any ')
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_TRUE = {"true", "1", "yes", "ja", "sant", "x"}
_FALSE = {"false", "0", "no", "nej", "falskt", ""}


class ExchangeError(ValueError):
    """The file as a whole cannot be read (not PLS/CSV, hostile, too large); Swedish / English."""

    def __init__(self, message: str, *, too_large: bool = False):
        super().__init__(message)
        self.too_large = too_large


@dataclass(frozen=True)
class ImportedEntry:
    """One checked entry from a file; `where` says where it came from ("rad 3", "lexem 2")."""

    written: str
    spoken: str
    lang: str = "sv"
    kind: str = "text"
    case_sensitive: bool = False
    where: str = ""
    match: str | None = None  # how far it reaches (lexicon_match); None: the file does not say

    def key(self) -> tuple[str, str, bool]:
        return entry_key(self.written, self.lang, self.case_sensitive)


@dataclass(frozen=True)
class Problem:
    """A row or lexeme that was refused or left out: where (number and line) and why, in plain words."""

    number: int
    line: int
    message: str

    def to_dict(self) -> dict[str, object]:
        return {"number": self.number, "line": self.line, "message": self.message}


@dataclass
class Parsed:
    """What a file holds: checked entries, refused rows (`errors`) and rows left out on purpose."""

    format: str
    entries: list[ImportedEntry] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    skipped: list[Problem] = field(default_factory=list)
    langs: set[str] = field(default_factory=set)  # what `replace` may remove from

def bilingual(sv_where: str, en_where: str, message: str) -> str:
    """"Rad 3: ordet saknas. / Row 3: the word is missing." from a "sv. / en." message."""
    sv, _, en = message.partition(" / ")
    return f"{sv_where}: {sv} / {en_where}: {en or sv}"

# -- writing -------------------------------------------------------------------------------------


def to_pls(entries: list[LexiconEntry], lang: str = "sv") -> str:
    """A PLS 1.0 document of the entries in `lang` (others are left out: PLS has one language)."""
    key = entry_key("x", lang, False)[0]
    rows = [e for e in entries if e.lang == key]
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           f"<!-- Lyssna: uttalslexikon / pronunciation lexicon, {len(rows)} uppslag / entries -->",
           f'<lexicon version="1.0" xmlns="{PLS_NS}" xmlns:lyssna="{LYSSNA_NS}"',
           f'         alphabet="x-espeak" xml:lang={quoteattr(key)}>']
    for e in rows:
        if _XML_INVALID.search(e.written + e.spoken):
            raise ExchangeError(f"Uppslaget {e.written!r} innehåller styrtecken som XML inte tillåter. / "
                                f"The entry {e.written!r} contains control characters XML does not allow.")
        attrs = ' lyssna:case-sensitive="true"' if e.case_sensitive else ""
        attrs += f' lyssna:match="{e.match}"' if e.match != "word" else ""
        spoken = (f'<phoneme alphabet="x-espeak">{escape(e.spoken)}</phoneme>' if e.kind == "phonemes"
                  else f"<alias>{escape(e.spoken)}</alias>")
        out.append(f"  <lexeme{attrs}><grapheme>{escape(e.written)}</grapheme>{spoken}</lexeme>")
    out.append("</lexicon>")
    return "\n".join(out) + "\n"

def _cell_out(value: str) -> str:
    """Cells a spreadsheet would run as a formula get a leading ' (stripped again on import)."""
    return "'" + value if _FORMULA.match(value) else value


def _cell_in(value: str) -> str:
    return value[1:] if value.startswith("'") and _FORMULA.match(value) else value


def to_csv(entries: list[LexiconEntry]) -> str:
    """CSV with the header `written,spoken,lang,kind,case_sensitive,match` (comma, standard quoting)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for e in entries:
        writer.writerow([_cell_out(e.written), _cell_out(e.spoken), e.lang, e.kind,
                         "true" if e.case_sensitive else "false", e.match])
    return buf.getvalue()

# -- reading -------------------------------------------------------------------------------------


def _primary(lang: str) -> str:
    """"sv-SE", "SV", "sv_SE" -> "sv": entries are kept per primary language."""
    return lang.strip().replace("_", "-").split("-")[0].lower()


def check_size(data: bytes | str) -> bytes:
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    if len(raw) > MAX_BYTES:
        raise ExchangeError(f"Filen är för stor (högst {MAX_BYTES // (1024 * 1024)} MB). / "
                            f"The file is too large (at most {MAX_BYTES // (1024 * 1024)} MB).",
                            too_large=True)
    return raw


def _too_many() -> ExchangeError:
    return ExchangeError(f"Filen har fler än {MAX_ENTRIES} uppslag. / The file has more than {MAX_ENTRIES} "
                         "entries.", too_large=True)

@dataclass
class _Node:
    tag: str  # "{namespace}local" as ElementTree writes it
    attrib: dict[str, str]
    line: int
    children: list[_Node] = field(default_factory=list)
    text: str = ""

    def local(self) -> str:
        return self.tag.rpartition("}")[2]

    def named(self, local: str) -> list[_Node]:
        """The children <local> in the PLS namespace (or in none, as some older files have it)."""
        return [c for c in self.children if c.tag in (f"{{{PLS_NS}}}{local}", local)]


def _hostile(sv: str, en: str) -> ExchangeError:
    return ExchangeError(f"Filen innehåller {sv}, som inte tillåts i en uttalsfil (skydd mot "
                         f"XML-attacker); inget importerades. / The file contains {en}, which a "
                         "lexicon file may not have (protection against XML attacks); nothing was imported.")


def _clark(name: str) -> str:
    """expat's "uri}local" as ElementTree's "{uri}local"."""
    return "{" + name if "}" in name else name


def _parse_xml(raw: bytes) -> _Node:
    """The document as a small tree, with line numbers. Refuses DOCTYPE and entity declarations."""
    parser = expat.ParserCreate(namespace_separator="}")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    stack: list[_Node] = []
    root: list[_Node] = []

    def start(name: str, attrs: dict[str, str]) -> None:
        node = _Node(_clark(name), {_clark(k): v for k, v in attrs.items()}, parser.CurrentLineNumber)
        (stack[-1].children if stack else root).append(node)
        stack.append(node)

    def end(name: str) -> None:
        stack.pop()

    def chars(data: str) -> None:
        if stack:
            stack[-1].text += data

    def refuse_doctype(*args: object) -> None:
        raise _hostile("en DOCTYPE-deklaration", "a DOCTYPE declaration")

    def refuse_entity(*args: object) -> None:
        raise _hostile("en entitetsdeklaration", "an entity declaration")

    parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, chars
    parser.StartDoctypeDeclHandler = refuse_doctype
    parser.EntityDeclHandler = parser.UnparsedEntityDeclHandler = refuse_entity
    parser.ExternalEntityRefHandler = lambda *args: refuse_entity()
    try:
        parser.Parse(raw, True)
    except expat.ExpatError as e:
        why = expat.ErrorString(e.code)
        raise ExchangeError(f"Filen är inte giltig XML (rad {e.lineno}: {why}). / "
                            f"The file is not valid XML (line {e.lineno}: {why}).") from None
    if not root:
        raise ExchangeError("Filen är tom. / The file is empty.")
    return root[0]


def _pick(nodes: list[_Node]) -> _Node | None:
    """The pronunciation PLS says to use: the first with prefer="true", else the first."""
    preferred = [n for n in nodes if n.attrib.get("prefer", "").strip() == "true"]
    return (preferred or nodes or [None])[0]


def from_pls(data: bytes | str, default_lang: str = "sv") -> Parsed:
    """The entries of a PLS 1.0 document (ours or another vendor's). Each <grapheme> of a lexeme is
    an entry; an <alias> is preferred over a <phoneme> (text works with every voice); a phoneme in
    an alphabet espeak-ng cannot speak (IPA, X-SAMPA, vendors') is skipped, not guessed at."""
    raw = check_size(data)
    if isinstance(data, str):
        raw = data.lstrip("\ufeff").encode("utf-8")
        raw = re.sub(rb"^(<\?xml[^>]*?)\sencoding=([\"'])[^\"']*\2", rb"\1", raw)  # the text is UTF-8 now
    root = _parse_xml(raw)
    if root.local() != "lexicon" or root.tag not in (f"{{{PLS_NS}}}lexicon", "lexicon"):
        raise ExchangeError("Filen är inte ett PLS-lexikon (rotelementet ska vara <lexicon> i "
                            "PLS-namnrymden). / The file is not a PLS lexicon (the root must be <lexicon> "
                            "in the PLS namespace).")
    lang = _primary(root.attrib.get(f"{{{XML_NS}}}lang") or default_lang)
    alphabet = root.attrib.get("alphabet", "").strip().lower()
    parsed = Parsed(format="pls")
    try:
        parsed.langs.add(entry_key("x", check_entry("x", "x", lang)[2], False)[0])
    except ValueError as e:
        raise ExchangeError(bilingual("Lexikonets språk", "The lexicon's language", str(e))) from None
    seen: dict[tuple[str, str, bool], ImportedEntry] = {}
    lexemes = [n for n in root.children if n.local() == "lexeme"]
    if len(lexemes) > MAX_ENTRIES:
        raise _too_many()
    for number, lexeme in enumerate(lexemes, 1):

        def problem(message: str, n: int = number, line: int = lexeme.line) -> Problem:
            return Problem(n, line, bilingual(f"Lexem {n} (rad {line})", f"Lexeme {n} (line {line})",
                                              message))

        graphemes = [" ".join(g.text.split()) for g in lexeme.named("grapheme")]
        graphemes = [g for g in graphemes if g]
        alias = _pick(lexeme.named("alias"))
        phonemes = lexeme.named("phoneme")
        spoken_phonemes = [p for p in phonemes
                           if (p.attrib.get("alphabet", "").strip().lower() or alphabet) in ESPEAK_ALPHABETS]
        case = lexeme.attrib.get(f"{{{LYSSNA_NS}}}case-sensitive", "").strip().lower() in _TRUE
        match = lexeme.attrib.get(f"{{{LYSSNA_NS}}}match", "").strip().lower() or None
        if not graphemes:
            parsed.errors.append(problem("ordet (<grapheme>) saknas. / the word (<grapheme>) is missing."))
            continue
        if alias is not None:
            kind, spoken = "text", alias.text
        elif spoken_phonemes:
            kind, spoken = "phonemes", (_pick(spoken_phonemes) or spoken_phonemes[0]).text
        elif phonemes:
            names = sorted({p.attrib.get("alphabet", "").strip() or alphabet or "?" for p in phonemes})
            parsed.skipped.append(problem(
                f"uttalet är skrivet i alfabetet {', '.join(names)}, som espeak-ng inte kan läsa; lägg "
                "till ett <alias> eller skriv fonemen med alphabet=\"x-espeak\". / the pronunciation is "
                f"written in the alphabet {', '.join(names)}, which espeak-ng cannot read; add an <alias> "
                "or write the phonemes with alphabet=\"x-espeak\"."))
            continue
        else:
            parsed.errors.append(problem("uttalet (<alias> eller <phoneme>) saknas. / "
                                         "the pronunciation (<alias> or <phoneme>) is missing."))
            continue
        for written in graphemes:
            try:
                w, s, lg = check_entry(written, spoken, lang, kind, match or "word")
            except ValueError as e:
                parsed.errors.append(problem(str(e)))
                continue
            entry = ImportedEntry(w, s, lg, kind, case, f"lexem {number} (rad {lexeme.line})", match)
            earlier = seen.get(entry.key())
            if earlier is not None:
                if (earlier.spoken, earlier.kind) != (s, kind):
                    parsed.skipped.append(problem(
                        f"”{w}” finns redan i {earlier.where}; PLS använder det första. / "
                        f"”{w}” is already in an earlier lexeme; PLS uses the first."))
                continue
            seen[entry.key()] = entry
            parsed.entries.append(entry)
    return parsed


def _decode_text(raw: bytes) -> str:
    """UTF-8 (BOM or not), UTF-16 with a BOM, else Windows-1252 (what Excel saves as "CSV" in Sweden)."""
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def from_csv(data: bytes | str, default_lang: str = "sv") -> Parsed:
    """The entries of a CSV file with a header row naming the columns (written and spoken required;
    lang, kind, case_sensitive, match optional; id and updated_at ignored). Comma, semicolon or tab."""
    text = data.lstrip("\ufeff") if isinstance(data, str) else _decode_text(check_size(data))
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    parsed = Parsed(format="csv")
    try:
        header = next((row for row in reader if any(cell.strip() for cell in row)), None)
        if header is None:
            raise ExchangeError("Filen är tom. / The file is empty.")
        columns = [c.strip().lower().replace("-", "_").replace(" ", "_") for c in header]
        unknown = [c for c in columns if c not in CSV_COLUMNS + ("id", "updated_at")]
        missing = [c for c in ("written", "spoken") if c not in columns]
        if unknown or missing or len(set(columns)) != len(columns):
            wanted, odd = ",".join(CSV_COLUMNS), ", ".join(unknown) or "–"
            lacking = ", ".join(missing) or "–"
            raise ExchangeError(f"Rubrikraden ska vara {wanted} (okända: {odd}, saknas: {lacking}). / "
                                f"The header row must be {wanted} (unknown: {odd}, missing: {lacking}).")
        seen: dict[tuple[str, str, bool], ImportedEntry] = {}
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            if len(parsed.entries) + len(parsed.errors) >= MAX_ENTRIES:
                raise _too_many()
            line = reader.line_num
            sv, en = f"Rad {line}", f"Row {line}"
            if len(row) != len(columns):
                parsed.errors.append(Problem(line, line, bilingual(
                    sv, en, f"{len(row)} fält men rubriken har {len(columns)}. / "
                            f"{len(row)} fields but the header has {len(columns)}.")))
                continue
            cells = dict(zip(columns, (_cell_in(c) for c in row), strict=True))
            case_text = cells.get("case_sensitive", "").strip().lower()
            kind = cells.get("kind", "").strip().lower() or "text"
            match = cells.get("match", "").strip().lower() or None
            try:
                if case_text not in _TRUE | _FALSE:
                    raise ValueError(f"case_sensitive måste vara true eller false, inte {case_text!r}. / "
                                     f"case_sensitive must be true or false, not {case_text!r}.")
                w, s, lg = check_entry(cells["written"], cells["spoken"],
                                       _primary(cells.get("lang", "") or default_lang), kind, match or "word")
            except ValueError as e:
                parsed.errors.append(Problem(line, line, bilingual(sv, en, str(e))))
                continue
            entry = ImportedEntry(w, s, lg, kind, case_text in _TRUE, sv.lower(), match)
            earlier = seen.get(entry.key())
            if earlier is not None:
                if (earlier.spoken, earlier.kind) != (s, kind):
                    parsed.errors.append(Problem(line, line, bilingual(
                        sv, en, f"”{w}” finns redan på {earlier.where} med ett annat uttal. / "
                                f"”{w}” is already on row {earlier.where.split()[-1]} with another "
                                "pronunciation.")))
                continue
            seen[entry.key()] = entry
            parsed.entries.append(entry)
            parsed.langs.add(lg)
    except csv.Error as e:
        raise ExchangeError(f"CSV-filen kan inte läsas (rad {reader.line_num}: {e}). / "
                            f"The CSV file cannot be read (line {reader.line_num}: {e}).") from None
    return parsed
