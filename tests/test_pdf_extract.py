"""PDF documents to blocks: tagged ones in structure order, untagged ones by layout, every damaged or
hostile one a quick ExtractError. All test PDFs are written at test time (tests/pdf_builder.py)."""
from __future__ import annotations

import random
import re
import resource
import threading
import time

import pypdfium2 as pdfium
import pytest

from service.errors import ExtractError
from service.reading.documents import PDF_TYPES, extract_pdf, is_pdf
from service.reading.documents.text import join_lines
from tests import pdf_builder as pb

URL = "https://www.exempel.se/dokument/rapport.pdf"
LOCATOR = re.compile(r"^#page=(\d+)(?:&viewrect=(\d+),(\d+),(\d+),(\d+))?$")
_CACHE: dict[str, pb.Built] = {}


def built(name: str) -> pb.Built:
    """Each document once per test session: the 20-page ones take a moment to write."""
    if name not in _CACHE:
        _CACHE[name] = {
            "tagged-3": lambda: pb.tagged_report(pages=3),
            "tagged-20": lambda: pb.tagged_report(pages=20, seed=5),
            "tagged-rolemap": lambda: _rolemap_doc(),
            "untagged-3": lambda: pb.untagged_pdf(pages=3),
            "untagged-20": lambda: pb.untagged_pdf(pages=20, seed=7),
            "untagged-3col": lambda: pb.untagged_pdf(pages=4, seed=4, columns=3),
            "untagged-1col": lambda: pb.untagged_pdf(pages=3, seed=9, columns=1),
        }[name]()
    return _CACHE[name]


def _rolemap_doc() -> pb.Built:
    t = pb.TaggedPdf(lang="en-GB", title=None, header="Annual report", rolemap={"Rubrik": "H1", "Brodtext": "P"})
    t.heading(1, "Annual report of the municipality", role="Rubrik")
    t.paragraph(pb.sentences(random.Random(11), 4), role="Brodtext")
    t.paragraph("Den här sammanfattningen finns också på svenska.", lang="sv-SE")
    return t.build()


def text_of(doc) -> str:
    return "\n".join(b.text for b in doc.blocks)


# -- quality on every generated document -----------------------------------------------------------


@pytest.mark.parametrize("name", ["tagged-3", "tagged-20", "tagged-rolemap", "untagged-3", "untagged-20",
                                  "untagged-3col", "untagged-1col"])
def test_word_4gram_f1_is_at_least_097_on_every_generated_document(name):
    b = built(name)
    doc = extract_pdf(b.data, URL)
    assert pb.f1(b.text, text_of(doc)) >= 0.97
    assert all(blk.kind in ("heading", "paragraph", "list-item", "table-row", "caption", "quote")
               for blk in doc.blocks)


# -- tagged ----------------------------------------------------------------------------------------


def test_tagged_blocks_are_the_structure_trees_kinds_in_its_order():
    b = built("tagged-3")
    doc = extract_pdf(b.data, URL)
    assert [(x.kind, x.text) for x in doc.blocks] == b.blocks


def test_tagged_reading_order_beats_visual_order_a_sidebar_tagged_last_is_read_last():
    b = built("tagged-3")
    doc = extract_pdf(b.data, URL)
    # drawn first, at the top right of page 1, but the last element of the structure tree
    assert doc.blocks[-1].text.startswith("Kontakta kommunens servicecenter")
    assert doc.blocks[-1].locator.startswith("#page=1&")
    assert doc.blocks[0].kind == "heading" and doc.blocks[0].text == "Årsredovisning för Exempel kommun"


def test_a_tagged_note_inside_its_paragraph_is_read_after_it_and_the_reference_marker_not_at_all():
    t = pb.TaggedPdf(header="Rapport")
    p = _paras(26, 3)
    t.paragraph(p[0])
    t.noted_paragraph(p[1], "1", "Källa: Statistiska centralbyrån, befolkningsstatistik 2024.")
    t.paragraph(p[2])
    b = t.build()
    doc = extract_pdf(b.data, URL)
    assert [(x.kind, x.text) for x in doc.blocks] == b.blocks
    assert doc.blocks[1].text.endswith(pb.clean(p[1])[-20:])  # no "1" glued to its last word


def test_tagged_artifacts_running_header_and_page_numbers_are_not_read():
    doc = extract_pdf(built("tagged-20").data, URL)
    text = text_of(doc)
    assert "Sida 1 av" not in text and "Exempel kommun – Årsredovisning 2024" not in text


def test_tagged_lang_from_elements_and_catalog_and_title_from_info():
    doc = extract_pdf(built("tagged-3").data, URL)
    assert doc.lang == "sv" and doc.title == "Årsredovisning 2024"
    english = [x for x in doc.blocks if x.text.startswith("The summary")]
    assert [x.lang for x in english] == ["en"]
    assert {x.lang for x in doc.blocks if x not in english} == {"sv"}


def test_rolemap_roles_and_document_language_and_title_from_the_first_heading():
    doc = extract_pdf(built("tagged-rolemap").data, URL)
    assert doc.lang == "en" and doc.title == "Annual report of the municipality"
    assert [x.kind for x in doc.blocks] == ["heading", "paragraph", "paragraph"]
    assert [x.lang for x in doc.blocks] == ["en", "en", "sv"]


def test_tagged_lists_tables_figures_and_quotes():
    doc = extract_pdf(built("tagged-20").data, URL)
    rows = [x for x in doc.blocks if x.kind == "table-row"]
    assert [x.text for x in rows[:2]] == ["Tjänst, Avgift, Handläggningstid", "Bygglov, 250 kr, 4 veckor"]
    assert rows[0].cues == [] and rows[1].cues == [(9, "Avgift:"), (17, "Handläggningstid:")]
    bullets = [x for x in doc.blocks if x.kind == "list-item" and not x.cues]
    numbered = [x for x in doc.blocks if x.kind == "list-item" and x.cues]
    assert bullets[0].text == "Vi svarar på e-post inom två dagar"  # the bullet (Lbl) is not read
    assert [c for x in numbered[:3] for c in x.cues] == [(0, "1."), (0, "2."), (0, "3.")]
    assert any(x.kind == "caption" and x.text.startswith("Diagram: kostnaderna") for x in doc.blocks)
    assert sum(x.kind == "quote" for x in doc.blocks) == 1


def test_a_tagged_paragraph_across_a_page_break_is_one_block_located_where_it_starts():
    b = built("tagged-20")
    doc = extract_pdf(b.data, URL)
    assert len(doc.blocks) == len(b.blocks)
    pages = [int(LOCATOR.match(x.locator).group(1)) for x in doc.blocks]
    assert pages == sorted(pages[:-1]) + [1] and max(pages) >= 19  # the sidebar last, from page 1


# -- untagged --------------------------------------------------------------------------------------


def test_untagged_two_columns_are_read_column_by_column():
    b = built("untagged-3")
    doc = extract_pdf(b.data, URL)
    assert [x.text for x in doc.blocks] == [t for _, t in b.blocks]
    assert [x.kind for x in doc.blocks] == [k for k, _ in b.blocks]


def test_untagged_running_headers_footers_and_page_numbers_are_left_out():
    doc = extract_pdf(built("untagged-20").data, URL)
    assert not any(x.text.startswith("Exempel kommun –") or x.text.isdigit() for x in doc.blocks)


def test_untagged_hyphenated_line_ends_are_joined_and_real_hyphens_kept():
    doc = extract_pdf(built("untagged-20").data, URL)
    text = text_of(doc)
    words = set(re.findall(r"[\w-]+", text))
    assert {"kommunfullmäktige", "socialnämnden", "bygglovsansökan", "e-tjänsten", "Nyköping-Oxelösund"} <= words
    assert not re.search(r"\w- \w", text) and not re.search(r"(?<!e)-(?!tjänsten|Oxelösund|post)\w", text)


def test_untagged_headings_by_font_lists_by_marker_and_table_rows_by_cells():
    b = built("untagged-3")
    doc = extract_pdf(b.data, URL)
    assert doc.blocks[0].kind == "heading" and doc.title == "Rapport om kommunens service"
    items = [x for x in doc.blocks if x.kind == "list-item"]
    assert [x.cues for x in items] == [[], [], [], [(0, "1.")], [(0, "2.")], [(0, "3.")]]
    assert not any(x.text.startswith(("•", "1.")) for x in items)
    assert [x.text for x in doc.blocks if x.kind == "table-row"][1] == "Bygglov, 250 kr, 4 veckor"


def test_untagged_footnote_is_read_after_its_paragraph_and_its_marker_is_not_glued_to_a_word():
    b = built("untagged-3")
    doc = extract_pdf(b.data, URL)
    texts = [x.text for x in doc.blocks]
    note = texts.index("1 Källa: Statistiska centralbyrån, befolkningsstatistik 2024.")
    assert note == [t for _, t in b.blocks].index(texts[note])
    assert doc.blocks[note + 1].locator.startswith("#page=1&")  # not at the page end: more of page 1 follows
    assert not re.search(r"[a-zåäö]1\b", "\n".join(texts))


def _paras(seed: int, n: int) -> list[str]:
    rng = random.Random(seed)
    return [pb.sentences(rng, rng.randint(3, 5)) for _ in range(n)]


def _read(b: pb.Built) -> list[str]:
    doc = extract_pdf(b.data, URL)
    assert [x.kind for x in doc.blocks] == [k for k, _ in b.blocks]
    return [x.text for x in doc.blocks]


def test_a_footnote_referenced_in_the_first_paragraph_is_read_right_after_it():
    p = _paras(21, 4)
    p[0] = "Enligt statistiken ökade antalet invånare i kommunen{1} med två procent. " + p[0]
    note = "1 Källa: Statistiska centralbyrån, befolkningsstatistik 2024."
    texts = _read(b := pb.footnote_pdf([(p, [note])]))
    assert texts == [t for _, t in b.blocks]
    assert texts[:3] == [pb.clean(p[0]).replace("{1}", ""), note, pb.clean(p[1])]
    assert "kommunen med två procent" in texts[0]


@pytest.mark.parametrize("style, note_sup", [("sup", False), ("sup", True), ("unicode", False),
                                              ("bracket", False)])
def test_two_footnotes_from_two_paragraphs_each_after_its_own_and_markers_not_read(style, note_sup):
    p = _paras(22, 4)
    p[1] = "Bygglovet gäller i fem år{1} från beslutet. " + p[1]
    p[3] = p[3] + " Tomten är 120 m² och avgiften{2} betalas i förskott."
    notes = ["1 Enligt plan- och bygglagen 9 kap. 43 §.", "2 Se taxan som kommunfullmäktige beslutade."]
    texts = _read(b := pb.footnote_pdf([(p, notes)], style=style, note_sup=note_sup))
    assert texts == [t for _, t in b.blocks]
    labelled = [n.split(" ", 1)[1] if note_sup else n for n in notes]
    assert texts == [pb.clean(p[0]), pb.clean(p[1]).replace("{1}", ""), labelled[0], pb.clean(p[2]),
                     pb.clean(p[3]).replace("{2}", ""), labelled[1]]
    body = "\n".join(texts[:2] + texts[3:5])
    assert "fem år från beslutet" in body and "120 m² och avgiften betalas" in body
    assert not re.search(r"år1|avgiften2|[\u00b9\u00b2]\s*från|\[\d\]", body)


def test_a_footnote_without_a_marker_found_is_read_after_the_paragraph_open_at_the_page_end():
    p = _paras(23, 3)
    p[0] = "Kommunen{1} svarar inom två dagar. " + p[0]
    notes = ["1 Gäller vardagar.", "3 Siffrorna är avrundade till hela procent."]  # nothing refers to 3
    texts = _read(b := pb.footnote_pdf([(p, notes)]))
    assert texts == [t for _, t in b.blocks]
    assert texts[1] == notes[0] and texts[-1] == notes[1] and texts[-2] == pb.clean(p[2])


def test_a_footnote_going_on_at_the_next_pages_foot_is_read_whole_after_its_paragraph():
    p1, p2 = _paras(24, 2), _paras(25, 2)
    p1[0] = "Beslutet{1} kan överklagas. " + p1[0]
    note = ("1 Överklagandet ska ha kommit in till kommunen inom tre veckor från den dag då du "
            "fick del av")
    texts = _read(b := pb.footnote_pdf([(p1, [note]), (p2, ["beslutet, annars prövas det inte."])]))
    assert texts == [t for _, t in b.blocks]
    assert texts[1] == note + " beslutet, annars prövas det inte." and len(texts) == 5


@pytest.mark.parametrize("lines, joined", [
    (["möte i kommun-", "fullmäktige i dag"], "möte i kommunfullmäktige i dag"),
    (["ansök via vår e-", "tjänst"], "ansök via vår e-tjänst"),
    (["tåget Nyköping-", "Oxelösund"], "tåget Nyköping-Oxelösund"),
    (["för-", "och grundskola"], "för- och grundskola"),
    (["på tv-", "kanalen"], "på tv-kanalen"),
    (["IT-", "stöd"], "IT-stöd"),
    (["so-", "cialnämnden"], "socialnämnden"),
    (["ring 0155-", "24 50 00"], "ring 0155-24 50 00"),
    (["ett slut.", "Nästa"], "ett slut. Nästa"),
])
def test_line_ends_joined(lines, joined):
    assert join_lines(lines) == joined


# -- locators --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["tagged-3", "untagged-3"])
def test_locators_are_rfc_8118_and_point_at_the_blocks_text(name):
    b = built(name)
    doc = extract_pdf(b.data, URL)
    pdf = pdfium.PdfDocument(b.data)
    try:
        checked = 0
        for blk in doc.blocks:
            m = LOCATOR.match(blk.locator)
            assert m, blk.locator
            page_no = int(m.group(1))
            assert 1 <= page_no <= len(pdf)
            if m.group(2) is None:
                assert blk.kind == "caption"  # a figure: a page, no text to frame
                continue
            left, top, width, height = map(int, m.group(2, 3, 4, 5))
            page = pdf[page_no - 1]
            w, h = page.get_size()
            assert 0 <= left and left + width <= w + 1 and 0 <= top and top + height <= h + 1
            inside = page.get_textpage().get_text_bounded(left - 1, h - top - height - 1, left + width + 1, h - top + 1)
            first = re.findall(r"\w+", blk.text)[0]
            assert first in inside, (blk.locator, first, inside[:80])
            checked += 1
        assert checked >= 10
    finally:
        pdf.close()


# -- errors ----------------------------------------------------------------------------------------


def _error(data: bytes, **kw) -> ExtractError:
    with pytest.raises(ExtractError) as e:
        extract_pdf(data, URL, **kw)
    return e.value


def test_password_protected():
    e = _error(pb.untagged_pdf(pages=1, password="hemligt").data)
    assert (e.code, e.status) == ("pdf_encrypted", 422) and "lösenord" in e.message and "password" in e.message


def test_image_only_has_no_text():
    e = _error(pb.image_only_pdf())
    assert (e.code, e.status) == ("pdf_no_text", 422)
    assert e.message == ("Dokumentet har ingen text; det kan vara en inskannad bild. / "
                         "The document has no text; it may be a scanned image.")


@pytest.mark.parametrize("name", list(pb.corrupt_pdfs()))
def test_damaged_files_are_corrupt(name):
    e = _error(pb.corrupt_pdfs()[name])
    assert (e.code, e.status) == ("pdf_corrupt", 422)


def test_too_many_pages_by_the_cap_and_by_default():
    assert _error(pb.many_pages_pdf(6), max_pages=5).code == "pdf_too_many_pages"
    assert "Sida 6" in text_of(extract_pdf(pb.many_pages_pdf(6), URL, max_pages=6))
    e = _error(pb.many_pages_pdf(301))
    assert (e.code, e.status) == ("pdf_too_many_pages", 413) and "301" in e.message


def test_a_flate_bomb_is_refused_quickly_in_bounded_memory():
    data = pb.bomb_pdf(2.0)  # a 2 GB content stream in a 2 MB file
    assert len(data) < 3 << 20
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    e = _error(data)
    assert time.monotonic() - started < 3.0
    assert (e.code, e.status) == ("pdf_bomb", 413)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 200 * 1024  # KiB


def test_damaged_bytes_anywhere_give_a_document_or_an_extract_error_never_anything_else():
    good = built("tagged-3").data
    rng = random.Random(16)
    for _ in range(40):
        data = bytearray(good)
        for _ in range(rng.randint(1, 20)):
            data[rng.randrange(20, len(data))] = rng.randrange(256)
        try:
            extract_pdf(bytes(data), URL)
        except ExtractError as e:
            assert e.code.startswith("pdf_")


def test_documents_are_read_safely_from_many_threads():
    data = built("untagged-3").data
    want = [x.text for x in extract_pdf(data, URL).blocks]
    got: list[list[str]] = []
    threads = [threading.Thread(target=lambda: got.append([x.text for x in extract_pdf(data, URL).blocks]))
               for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert got == [want] * 6


# -- is_pdf ----------------------------------------------------------------------------------------


def test_is_pdf_by_magic_bytes_not_by_type_or_name():
    data = built("untagged-1col").data
    assert is_pdf(data, "application/octet-stream") and is_pdf(data) and is_pdf(data, PDF_TYPES[0])
    assert is_pdf(b"\xef\xbb\xbf garbage before it\n" + data)  # within the first 1024 bytes
    assert not is_pdf(b"<!doctype html><title>rapport.pdf</title>", "application/pdf")
    assert not is_pdf(b" " * 1024 + b"%PDF-1.7")
    assert PDF_TYPES == ("application/pdf", "application/x-pdf")
    e = _error(b"<!doctype html><p>Sidan finns inte</p>")
    assert e.code == "pdf_corrupt"
