"""Lexicon export and import (issue 15): W3C PLS 1.0 and CSV, from the store, the CLI, the admin API
and the admin pages; re-synthesis counted; hostile and malformed files refused with nothing imported.

Real SQLite lexicon, real app, real loopback pages and real espeak-ng; nothing of ours is mocked.
"""
from __future__ import annotations

import io
import os
import re
import subprocess
import sys

import pytest

from service import create_app
from service.store.lexicon import Lexicon
from service.store.lexicon_exchange import (
    MAX_BYTES,
    ExchangeError,
    export,
    from_csv,
    from_pls,
    import_entries,
    parse,
    to_csv,
    to_pls,
)

from .helpers import all_sentences, wait_ready
from .test_admin_ui import login, token_of

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PASSWORD = "korrekt häst batteri"
AUTH = {"Authorization": f"Bearer {PASSWORD}"}
PLS_NS = "http://www.w3.org/2005/01/pronunciation-lexicon"

ENTRIES = [  # written, spoken, lang, kind, case_sensitive
    ("Nyköping", "Nyschöping", "sv", "text", False),
    ("Sthlm", "Stockholm", "sv", "text", False),
    ("Region Skåne", "Region Skååne", "sv", "text", False),
    ("R&D", '"R och D" <forskning> & utveckling', "sv", "text", False),
    ("SMHI", "'Es'Em'ho:'i:", "sv", "phonemes", False),
    ("IT", "i: t'e:", "sv", "phonemes", True),
    ("=SUMMA(A1)", "-minus, komma; \"citat\" @hemma", "sv", "text", True),
    ("'=redan", "+plus", "sv", "text", False),
    ("Håbo", "Hoobo", "sv", "text", False),
    ("GDPR", "dataskyddsförordningen", "en", "text", False),
    ("Åbo", "Turku", "fi", "text", True),
]


def fields(e) -> tuple:
    return (e.written, e.spoken, e.lang, e.kind, e.case_sensitive)


@pytest.fixture
def lexicon(tmp_path):
    with Lexicon(tmp_path / "lexicon.sqlite3") as lx:
        yield lx


@pytest.fixture
def filled(lexicon):
    for written, spoken, lang, kind, case in ENTRIES:
        lexicon.add(written, spoken, lang=lang, kind=kind, case_sensitive=case)
    return lexicon


# -- round trips -----------------------------------------------------------------------------------


def test_csv_round_trip_is_exact(filled, tmp_path):
    body, content_type, name = export(filled, "csv")
    assert body.startswith(b"\xef\xbb\xbf") and name.endswith(".csv")
    assert content_type == "text/csv; charset=utf-8"
    assert "'=SUMMA(A1)" in body.decode("utf-8") and "'-minus" in body.decode("utf-8")  # no live formulas
    with Lexicon(tmp_path / "other.sqlite3") as other:
        report = import_entries(other, parse(body, filename=name))
        assert report.applied and len(report.added) == len(ENTRIES) and not report.errors
        assert sorted(map(fields, other.list())) == sorted(ENTRIES)


def test_pls_round_trip_is_exact_one_language_a_file(filled, tmp_path):
    with Lexicon(tmp_path / "other.sqlite3") as other:
        for lang in ("sv", "en", "fi"):
            body, content_type, name = export(filled, "pls", lang)
            assert content_type == "application/pls+xml" and name == f"lyssna-lexikon-{lang}.pls"
            assert f'xml:lang="{lang}"' in body.decode("utf-8")
            import_entries(other, parse(body, filename=name))
        assert sorted(map(fields, other.list())) == sorted(ENTRIES)
    pls = to_pls(filled.list(), "sv")
    assert "<grapheme>R&amp;D</grapheme>" in pls and "&lt;forskning&gt;" in pls
    assert '<lexeme lyssna:case-sensitive="true"><grapheme>IT</grapheme><phoneme alphabet="x-espeak">' in pls
    assert "GDPR" not in pls  # English is another file


@pytest.mark.parametrize("fmt", ["csv", "pls"])
def test_how_far_an_entry_reaches_survives_export_and_import(lexicon, tmp_path, fmt):
    """An entry that covers inflected forms or compounds keeps that in both formats; a file that does
    not say (another vendor's PLS, an old CSV) leaves an existing entry's reach as it was."""
    lexicon.add("Nyköping", "Nyschöping", match="compounds")
    lexicon.add("Sörmland", "Södermanland", match="forms")
    lexicon.add("Sthlm", "Stockholm")
    body, _type, name = export(lexicon, fmt, "sv") if fmt == "pls" else export(lexicon, fmt)
    with Lexicon(tmp_path / "other.sqlite3") as other:
        assert import_entries(other, parse(body, filename=name)).applied
        assert {e.written: e.match for e in other.list()} == {
            "Nyköping": "compounds", "Sörmland": "forms", "Sthlm": "word"}
        silent = ("written,spoken\nNyköping,Nyschööping\n" if fmt == "csv" else
                  f'<lexicon version="1.0" xmlns="{PLS_NS}" xml:lang="sv"><lexeme><grapheme>Nyköping'
                  "</grapheme><alias>Nyschööping</alias></lexeme></lexicon>")
        report = import_entries(other, parse(silent.encode(), filename=f"x.{fmt}"))
        assert report.applied and len(report.changed) == 1
        assert {e.written: (e.spoken, e.match) for e in other.list()}["Nyköping"] == ("Nyschööping", "compounds")
    refused = parse("written,spoken,kind,match\nSMHI,'Es'Em,phonemes,compounds\nKiruna,Kiiruna,text,everything\n"
                    .encode(), filename="x.csv")
    assert [p.number for p in refused.errors] == [2, 3] and not refused.entries


def test_an_identical_reimport_writes_nothing(filled):
    before = {e.id: e.updated_at for e in filled.list()}
    for fmt in ("pls", "csv"):
        report = import_entries(filled, parse(export(filled, fmt)[0], fmt))
        assert (len(report.added), len(report.changed), len(report.removed)) == (0, 0, 0)
        assert report.unchanged == (9 if fmt == "pls" else len(ENTRIES))
    assert {e.id: e.updated_at for e in filled.list()} == before


def test_merge_changes_adds_and_replace_removes_only_the_files_languages(filled):
    csv_text = "written,spoken\nNyköping,Nyköpping\nKiruna,Kiiruna\nSthlm,Stockholm\n"
    dry = import_entries(filled, from_csv(csv_text), replace=True, dry_run=True)
    assert not dry.applied and len(filled) == len(ENTRIES)
    assert [e.written for e in dry.added] == ["Kiruna"]
    assert [n.written for _, n in dry.changed] == ["Nyköping"]
    assert dry.unchanged == 1 and {e.written for e in dry.removed} == {
        w for w, _s, lang, _k, _c in ENTRIES if lang == "sv"} - {"Nyköping", "Sthlm"}
    report = import_entries(filled, from_csv(csv_text), replace=True)
    assert report.applied
    assert sorted((e.written, e.lang) for e in filled.list()) == sorted([
        ("Åbo", "fi"), ("GDPR", "en"), ("Kiruna", "sv"), ("Nyköping", "sv"), ("Sthlm", "sv")])


# -- other vendors' PLS ----------------------------------------------------------------------------

READSPEAKER_STYLE = f"""<?xml version="1.0" encoding="UTF-8"?>
<!-- Exported from a ReadSpeaker-style admin -->
<lexicon version="1.0" xmlns="{PLS_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xsi:schemaLocation="{PLS_NS} http://www.w3.org/TR/2007/CR-pronunciation-lexicon-20071212/pls.xsd"
    alphabet="ipa" xml:lang="sv-SE">
  <meta name="author" content="Kommunen"/>
  <lexeme>
    <grapheme>Sthlm</grapheme>
    <grapheme>STHLM</grapheme>
    <alias>Stockholm</alias>
  </lexeme>
  <lexeme role="noun">
    <grapheme>Nyköping</grapheme>
    <phoneme>ˈnyːɕøːpɪŋ</phoneme>
    <alias prefer="false">Nyschöping</alias>
    <example>Välkommen till Nyköping!</example>
  </lexeme>
  <!-- IPA only: espeak-ng cannot read it, so it is skipped -->
  <lexeme><grapheme>Växjö</grapheme><phoneme>ˈvɛkːˌɧøː</phoneme></lexeme>
</lexicon>"""

AZURE_STYLE = f"""<?xml version="1.0" encoding="utf-16"?>
<lexicon xmlns="{PLS_NS}" version="1.0" alphabet="x-microsoft-sapi" xml:lang="en-US">
  <lexeme><grapheme>BTW</grapheme><alias>By the way</alias></lexeme>
  <lexeme><grapheme>Benigni</grapheme><phoneme>b eh 1 - n iy 2 - n y iy</phoneme></lexeme>
  <lexeme><grapheme>Lyssna</grapheme><phoneme alphabet="x-espeak">l'Ysna</phoneme></lexeme>
</lexicon>"""

POLLY_STYLE = f"""<?xml version="1.0" encoding="UTF-8"?>
<lexicon version="1.0"
      xmlns="{PLS_NS}"
      alphabet="ipa" xml:lang="sv-SE">
  <lexeme>
    <grapheme>W3C</grapheme>
    <alias>World Wide Web Consortium</alias>
    <alias prefer="true">W tre C</alias>
  </lexeme>
  <lexeme><grapheme>W3C</grapheme><alias>något annat</alias></lexeme>
  <lexeme><grapheme>tomt</grapheme></lexeme>
</lexicon>"""


def test_a_readspeaker_style_lexicon_imports_with_ipa_only_lexemes_skipped(lexicon):
    parsed = from_pls(READSPEAKER_STYLE.encode("utf-8"))
    assert [(e.written, e.spoken, e.lang, e.kind) for e in parsed.entries] == [
        ("Sthlm", "Stockholm", "sv", "text"),  # STHLM is the same entry (not case-sensitive)
        ("Nyköping", "Nyschöping", "sv", "text")]  # the alias, not the IPA phonemes
    (skipped,) = parsed.skipped
    assert skipped.message.startswith("Lexem 3 (rad 19): uttalet är skrivet i alfabetet ipa")
    assert "/ Lexeme 3 (line 19): the pronunciation is written in the alphabet ipa" in skipped.message
    report = import_entries(lexicon, parsed)
    assert report.applied and not report.errors
    assert lexicon.apply("Från Sthlm till Nyköping", "sv").text == "Från Stockholm till Nyschöping"


def test_an_azure_style_utf16_lexicon_takes_alias_and_espeak_phonemes(lexicon):
    parsed = from_pls(AZURE_STYLE.encode("utf-16"))
    assert [(e.written, e.spoken, e.lang, e.kind) for e in parsed.entries] == [
        ("BTW", "By the way", "en", "text"), ("Lyssna", "l'Ysna", "en", "phonemes")]
    assert "x-microsoft-sapi" in parsed.skipped[0].message


def test_a_polly_style_lexicon_prefers_what_it_says_and_reports_the_rest(lexicon):
    parsed = from_pls(POLLY_STYLE)
    assert [(e.written, e.spoken) for e in parsed.entries] == [("W3C", "W tre C")]
    assert "PLS använder det första" in parsed.skipped[0].message
    assert [p.number for p in parsed.errors] == [3] and "<grapheme>" not in parsed.errors[0].message
    report = import_entries(lexicon, parsed)
    assert not report.applied and len(lexicon) == 0  # a lexeme without a pronunciation: nothing imported
    report = import_entries(lexicon, parsed, skip_invalid=True)
    assert report.applied and [e.written for e in lexicon.list()] == ["W3C"]


# -- hostile and malformed files ------------------------------------------------------------------

BILLION_LAUGHS = f"""<?xml version="1.0"?>
<!DOCTYPE lexicon [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<lexicon version="1.0" xmlns="{PLS_NS}" alphabet="x-espeak" xml:lang="sv">
  <lexeme><grapheme>a</grapheme><alias>&lol3;</alias></lexeme></lexicon>"""
EXTERNAL_ENTITY = f"""<?xml version="1.0"?>
<!DOCTYPE lexicon [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<lexicon version="1.0" xmlns="{PLS_NS}" alphabet="x-espeak" xml:lang="sv">
  <lexeme><grapheme>a</grapheme><alias>&secret;</alias></lexeme></lexicon>"""
EXTERNAL_DTD = f"""<!DOCTYPE lexicon SYSTEM "http://127.0.0.1:9/pls.dtd">
<lexicon version="1.0" xmlns="{PLS_NS}" alphabet="x-espeak" xml:lang="sv"/>"""


@pytest.mark.parametrize("document", [BILLION_LAUGHS, EXTERNAL_ENTITY, EXTERNAL_DTD,
                                      BILLION_LAUGHS.encode("utf-16")])
def test_doctype_and_entities_are_refused_and_nothing_is_imported(lexicon, document):
    with pytest.raises(ExchangeError, match="DOCTYPE") as raised:
        parse(document if isinstance(document, bytes) else document.encode("utf-8"))
    assert "XML-attacker" in str(raised.value) and "nothing was imported" in str(raised.value)
    assert len(lexicon) == 0


@pytest.mark.parametrize("document, words", [
    ("<lexicon", "inte giltig XML"),
    ('<lexicon xmlns="http://example.com/other"/>', "inte ett PLS-lexikon"),
    ("<html><body>hej</body></html>", "inte ett PLS-lexikon"),
    (f'<lexicon xmlns="{PLS_NS}" xml:lang="12"/>', "Ogiltig språkkod"),
])
def test_files_that_are_not_pls_are_refused_in_plain_words(document, words):
    with pytest.raises(ExchangeError, match=words):
        parse(document.encode("utf-8"), "pls")


def test_oversize_files_are_refused(lexicon):
    with pytest.raises(ExchangeError) as raised:
        parse(b"written,spoken\n" + b"a,b\n" * (MAX_BYTES // 4))
    assert raised.value.too_large and "5 MB" in str(raised.value)
    many = "written,spoken\n" + "".join(f"ord{i},sägs{i}\n" for i in range(50_001))
    with pytest.raises(ExchangeError, match="50000"):
        from_csv(many)


def test_csv_rows_that_are_wrong_are_reported_by_row_and_nothing_is_imported(lexicon):
    text = ("written,spoken,lang,kind,case_sensitive\n"
            "Sthlm,Stockholm,sv,text,false\n"
            ",tomt,sv,text,false\n"
            "Kiruna,Kiiruna,sv,ljud,false\n"
            "Luleå,Luleo,sv,text,kanske\n"
            "för,få,fält\n"
            "Sthlm,Stockholms stad,sv,text,false\n"
            "Gävle,Jävle,12,text,false\n")
    parsed = from_csv(text)
    assert [p.number for p in parsed.errors] == [3, 4, 5, 6, 7, 8]
    assert parsed.errors[0].message == "Rad 3: Det skrivna ordet saknas. / Row 3: The written form is empty."
    assert "rad 2" in parsed.errors[4].message and "row 2" in parsed.errors[4].message
    report = import_entries(lexicon, parsed)
    assert not report.applied and len(lexicon) == 0 and report.summary().startswith("Inget importerades")
    report = import_entries(lexicon, parsed, skip_invalid=True)
    assert report.applied and [e.written for e in lexicon.list()] == ["Sthlm"]
    with pytest.raises(ExchangeError, match="går inte ihop"):
        import_entries(lexicon, parsed, replace=True, skip_invalid=True)


@pytest.mark.parametrize("text, words", [
    ("", "tom"),
    ("ord,uttal\nSthlm,Stockholm\n", "Rubrikraden"),
    ('written,spoken\n"Sthlm,Stockholm\n', "kan inte läsas"),
])
def test_csv_files_that_cannot_be_read_are_refused(text, words):
    with pytest.raises(ExchangeError, match=words):
        from_csv(text)


def test_semicolon_csv_from_a_swedish_excel_with_bom_or_windows_1252(lexicon):
    excel = "written;spoken;lang\r\nNyköping;Nyschöping;sv-SE\r\n\"Sthlm; city\";Stockholm;SV\r\n"
    for raw in (b"\xef\xbb\xbf" + excel.encode("utf-8"), excel.encode("cp1252"), excel.encode("utf-16")):
        parsed = parse(raw)
        assert parsed.format == "csv" and not parsed.errors
        assert [(e.written, e.spoken, e.lang) for e in parsed.entries] == [
            ("Nyköping", "Nyschöping", "sv"), ("Sthlm; city", "Stockholm", "sv")]


def test_to_csv_and_from_csv_keep_formula_like_cells_exact(filled):
    text = to_csv(filled.list())
    for line in text.splitlines()[1:]:
        assert not line.startswith(("=", "+", "-", "@"))
    assert sorted(map(fields, (e for e in from_csv(text).entries))) == sorted(ENTRIES)


# -- the CLI ---------------------------------------------------------------------------------------


def test_cli_export_and_import_share_the_store_with_the_service(tmp_path, fixture_site):
    env = {**os.environ, "LYSSNA_CACHE_DIR": str(tmp_path / "cache"), "PYTHONPATH": ROOT}

    def cli(*args, stdin=None):
        return subprocess.run([sys.executable, "-m", "service.cli", "lexicon", *args], env=env, input=stdin,
                              capture_output=True, timeout=60)

    assert cli("add", "Nyköping", "Nyschöping").returncode == 0
    pls = cli("export")
    assert pls.returncode == 0 and b"<grapheme>Nyk\xc3\xb6ping</grapheme>" in pls.stdout
    assert cli("export", "--format", "csv", "-o", str(tmp_path / "ut.csv")).returncode == 0
    assert (tmp_path / "ut.csv").read_bytes().startswith(
        b"\xef\xbb\xbfwritten,spoken,lang,kind,case_sensitive")

    (tmp_path / "in.csv").write_text("written;spoken\nSthlm;Stockholm\nNyköping;Nyköpping\n",
                                     encoding="utf-8")
    dry = cli("import", str(tmp_path / "in.csv"), "--dry-run", "--replace")
    assert dry.returncode == 0 and "Provkörning" in dry.stdout.decode()
    assert "Nya / added: 1" in dry.stdout.decode()
    done = cli("import", str(tmp_path / "in.csv"))
    assert done.returncode == 0 and "ändrade / changed: 1" in done.stdout.decode()
    again = cli("import", "-", "--format", "pls", stdin=pls.stdout)  # back to the exported pronunciation
    assert again.returncode == 0 and "~ Nyköping (sv): Nyköpping → Nyschöping" in again.stdout.decode()

    app = create_app({"TESTING": True, "SITES": [fixture_site], "CACHE_DIR": str(tmp_path / "cache")})
    applied = app.extensions["lyssna"].services.lexicon.apply("Från Sthlm till Nyköping", "sv")
    assert applied.text == "Från Stockholm till Nyschöping"

    bad = cli("import", "-", stdin=b"written,spoken\n,x\n")
    assert bad.returncode == 2 and "Rad 2" in bad.stdout.decode() and b"--skip-invalid" in bad.stderr
    hostile = cli("import", "-", stdin=EXTERNAL_ENTITY.encode())
    assert hostile.returncode == 2 and "DOCTYPE" in hostile.stderr.decode()
    assert cli("import", str(tmp_path / "finns-inte.csv")).returncode == 1
    assert len(app.extensions["lyssna"].services.lexicon) == 2


# -- the admin API and pages -----------------------------------------------------------------------


@pytest.fixture
def app_config(app_config):
    return {**app_config, "ADMIN_PASSWORD": PASSWORD}


@pytest.mark.parametrize("method, path", [("get", "/api/v1/admin/lexicon/export"),
                                          ("post", "/api/v1/admin/lexicon/import")])
def test_the_api_refuses_without_the_token(client, method, path):
    assert getattr(client, method)(path, data=b"written,spoken\na,b\n").status_code == 401
    r = getattr(client, method)(path, data=b"written,spoken\na,b\n", headers={"Authorization": "Bearer fel"})
    assert r.status_code == 401
    assert len(client.application.extensions["lyssna"].services.lexicon) == 0


def test_the_api_exports_and_imports(app, client):
    lexicon = app.extensions["lyssna"].services.lexicon
    lexicon.add("Nyköping", "Nyschöping")
    r = client.get("/api/v1/admin/lexicon/export?format=pls&lang=sv", headers=AUTH)
    assert r.status_code == 200 and r.mimetype == "application/pls+xml"
    assert r.headers["Content-Disposition"] == 'attachment; filename="lyssna-lexikon-sv.pls"'
    r = client.get("/api/v1/admin/lexicon/export?format=csv", headers=AUTH)
    assert r.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in r.headers["Content-Disposition"]
    assert client.get("/api/v1/admin/lexicon/export?format=docx", headers=AUTH).status_code == 400

    csv_body = b"written,spoken\nSthlm,Stockholm\n"
    r = client.post("/api/v1/admin/lexicon/import?dry_run=1&replace=1", data=csv_body,
                    headers={**AUTH, "Content-Type": "text/csv"})
    assert r.status_code == 200 and r.get_json()["added"] == 1 and r.get_json()["removed"] == 1
    assert not r.get_json()["applied"] and len(lexicon) == 1
    r = client.post("/api/v1/admin/lexicon/import", headers=AUTH,
                    data={"file": (io.BytesIO(READSPEAKER_STYLE.encode()), "kommunen.pls")})
    body = r.get_json()
    assert r.status_code == 200 and body["applied"] and body["added"] == 1 and body["unchanged"] == 1
    assert len(body["skipped"]) == 1 and body["skipped"][0]["number"] == 3

    r = client.post("/api/v1/admin/lexicon/import", data=b"written,spoken\n,x\n", headers=AUTH)
    assert r.status_code == 400 and r.get_json()["error"] == "invalid_entries"
    assert "Rad 2" in r.get_json()["message"] and r.get_json()["report"]["errors"][0]["line"] == 2
    r = client.post("/api/v1/admin/lexicon/import", data=BILLION_LAUGHS.encode(), headers=AUTH)
    assert r.status_code == 400 and "DOCTYPE" in r.get_json()["message"]
    r = client.post("/api/v1/admin/lexicon/import", data=b"a" * (MAX_BYTES + 1), headers=AUTH)
    assert r.status_code == 413
    r = client.post("/api/v1/admin/lexicon/import?replace=kanske", data=csv_body, headers=AUTH)
    assert r.status_code == 400
    assert sorted(e.written for e in lexicon.list()) == ["Nyköping", "Sthlm"]


def admin(client):
    assert login(client).status_code == 302
    client.csrf = token_of(client.get("/admin/lexicon").text)
    return client


def test_the_admin_page_exports_previews_and_imports(app, client):
    admin(client)
    lexicon = app.extensions["lyssna"].services.lexicon
    lexicon.add("Nyköping", "Nyschöping")
    lexicon.add("Gammalt", "Gamalt")
    page = client.get("/admin/lexicon").text
    assert "/admin/lexicon/export?format=pls&amp;lang=sv" in page and 'enctype="multipart/form-data"' in page
    r = client.get("/admin/lexicon/export?format=csv")
    assert r.status_code == 200 and "Nyschöping" in r.data.decode("utf-8-sig")

    def upload(text: str, name: str = "lexikon.csv", **form):
        return client.post("/admin/lexicon/import", data={
            "csrf_token": client.csrf, "file": (io.BytesIO(text.encode()), name), **form})

    # A preview changes nothing; its button imports the kept upload without choosing the file again.
    preview = upload("written,spoken\nNyköping,Nyköpping\nSthlm,Stockholm\n", dry_run="1")
    assert preview.status_code == 200 and "Provkörning" in preview.text and "Nyköpping" in preview.text
    assert lexicon.list()[1].spoken == "Nyschöping"
    kept = token_of_upload(preview.text)
    r = client.post("/admin/lexicon/import",
                    data={"csrf_token": client.csrf, "upload": kept, "confirm": "yes"})
    assert r.status_code == 303
    assert "Nya: 1" in client.get("/admin/lexicon").text  # the summary in the admin's language
    assert {e.written: e.spoken for e in lexicon.list()} == {
        "Gammalt": "Gamalt", "Nyköping": "Nyköpping", "Sthlm": "Stockholm"}
    gone = client.post("/admin/lexicon/import", data={"csrf_token": client.csrf, "upload": kept})
    assert gone.status_code == 400 and "välj den igen" in gone.text  # used once, then cleared

    # Replace: shown first with what goes, removed only after the confirmation.
    shown = upload("written,spoken\nSthlm,Stockholm\n", replace="1")
    assert shown.status_code == 200 and "Tas bort" in shown.text and "Gammalt" in shown.text
    assert len(lexicon) == 3
    confirm = {"csrf_token": client.csrf, "replace": "1", "confirm": "yes", "upload": token_of_upload(shown.text)}
    r = client.post("/admin/lexicon/import", data=confirm)
    assert r.status_code == 303 and [e.written for e in lexicon.list()] == ["Sthlm"]

    # Invalid rows: explained, nothing imported; hostile XML: refused.
    bad = upload("written,spoken\n,x\nKiruna,Kiiruna\n")
    assert bad.status_code == 400 and "Rad 2" in bad.text and len(lexicon) == 1
    hostile = upload(BILLION_LAUGHS, name="lol.pls")
    assert hostile.status_code == 400 and "DOCTYPE" in hostile.text and 'role="alert"' in hostile.text
    assert client.post("/admin/lexicon/import", data={"file": (io.BytesIO(b"written,spoken\na,b\n"), "a.csv")}
                       ).status_code == 400  # no CSRF token
    assert [e.written for e in lexicon.list()] == ["Sthlm"]


def token_of_upload(html: str) -> str:
    m = re.search(r'name="upload" value="([^"]+)"', html)
    assert m, "the preview keeps the upload for its button"
    return m.group(1)


# -- re-synthesis, counted -------------------------------------------------------------------------

PAGE = ("<html lang='sv'><body><main><h1>Besök oss</h1><p>Vi finns i Nyköping. Välkommen!</p>"
        "<p>Parkering finns på gatan.</p><p>Ring SMHI om vädret.</p></main></body></html>")


@pytest.mark.parametrize("fmt", ["pls", "csv"])
def test_an_import_speaks_again_only_the_sentences_whose_text_changed(app, client, page_site, fmt):
    services = app.extensions["lyssna"].services
    gen = services.readings.synthesizer
    app.config["PAGE_MEMO_S"] = 0  # the lexicon changes what is said, so ask again at once
    services.lexicon.add("Nyköping", "Nyschöping")
    services.lexicon.add("SMHI", "S M H I")
    url = page_site.put("besok.html", PAGE)
    first = wait_ready(client, client.post("/api/v1/readings", json={"url": url}).get_json()["id"])
    made = gen.stats["sentences"]
    assert made == 5

    def imported(entries: list[tuple[str, str]]) -> dict:
        # The file as another site would export it.
        with Lexicon(app.config["CACHE_DIR"] + "/scratch.sqlite3") as scratch:
            for written, spoken in entries:
                scratch.add(written, spoken)
            body = export(scratch, fmt)[0]
            for e in scratch.list():
                scratch.remove(e.id)
        r = client.post(f"/api/v1/admin/lexicon/import?format={fmt}", data=body, headers=AUTH)
        assert r.status_code == 200, r.get_json()
        return r.get_json()

    # Same entries again: nothing written, nothing spoken again, updated_at untouched.
    stamps = {e.id: e.updated_at for e in services.lexicon.list()}
    report = imported([("Nyköping", "Nyschöping"), ("SMHI", "S M H I")])
    assert (report["added"], report["changed"], report["unchanged"]) == (0, 0, 2)
    assert {e.id: e.updated_at for e in services.lexicon.list()} == stamps
    same = client.post("/api/v1/readings", json={"url": url})
    assert same.status_code == 200 and same.get_json()["id"] == first["id"] and gen.stats["sentences"] == made

    # One changed word (in one sentence), one new word found nowhere on the page, one identical entry.
    report = imported([("Nyköping", "Nyköpping"), ("Kiruna", "Kiiruna"), ("SMHI", "S M H I")])
    assert (report["added"], report["changed"], report["unchanged"]) == (1, 1, 1)
    assert services.lexicon.list()[-1].updated_at == stamps[services.lexicon.list()[-1].id]  # SMHI untouched
    second = wait_ready(client, client.post("/api/v1/readings", json={"url": url}).get_json()["id"])
    assert second["id"] != first["id"]
    assert gen.stats["sentences"] == made + 1  # only "Vi finns i Nyköping." was spoken again
    spoken = [s["spoken"] for s in all_sentences(second)]
    assert any("Nyköpping" in s for s in spoken) and any("S M H I" in s for s in spoken)
