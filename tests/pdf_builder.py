"""Test PDFs built at test time, each with the text a reader should hear (blocks in reading order).

Two writers, because no PDF library on PyPI writes a full structure tree:
  * `TaggedPdf`: a small raw writer for tagged PDFs (PDF/UA style): marked content with MCIDs, a
    StructTreeRoot with StructElems (H1-H6, P, L/LI/Lbl/LBody, Table/TR/TH/TD, BlockQuote, Figure
    with Alt, Caption), RoleMap, ParentTree, /Lang on elements, running header/footer as /Artifact.
    It also writes the hostile ones (image only, a Flate bomb, many pages, garbage).
  * `untagged_pdf`: reportlab's canvas, with the layout problems extraction must undo: two columns
    drawn line by line across both (so content-stream order is wrong), running headers/footers
    with page numbers, hyphenated line ends, headings by font size, bullets, a table, a footnote.
Fonts are the standard 14 (Helvetica, WinAnsi: å, ä, ö, é, – and • are all in cp1252).
"""
from __future__ import annotations

import random
import re
import zlib
from dataclasses import dataclass, field

from reportlab.pdfbase.pdfmetrics import stringWidth

SOFT = "\u00ad"  # a possible hyphenation point in builder input; never in expected text
A4 = (595.0, 842.0)

WORDS = ("kommunen regionen nämnden förvaltningen invånarna barnen eleverna skolan förskolan äldreomsorgen "
         "vården biblioteket gatan parken vattnet avfallet bygglovet beslutet ansökan avgiften taxan planen "
         "budgeten målet arbetet tjänsten servicen handläggningen medborgarna företagen föreningarna "
         "ansvarar för att genom med utan under efter inom mellan mot vid om på till från enligt "
         "ska kan bör får har hade gör gjorde ger fick tar tog når ökade minskade förbättrade utvecklade "
         "stärkte säkerställde granskade beslutade föreslog behandlade prioriterade följde redovisade "
         "god hållbar trygg tillgänglig digital öppen effektiv lokal regional nationell långsiktig "
         "året perioden månaden veckan dagen kvartalet hösten våren sommaren vintern "
         "också dessutom därför samtidigt fortfarande redan särskilt främst tydligt ungefär "
         "många flera alla några varje hela stora små nya äldre yngre viktiga övriga").split()
COMPOUNDS = ("kom{s}mun{s}full{s}mäk{s}ti{s}ge so{s}ci{s}al{s}nämn{s}den bygg{s}lovs{s}an{s}sö{s}kan "
             "för{s}sko{s}le{s}verk{s}sam{s}he{s}ten miljö{s}för{s}valt{s}ning{s}en "
             "ut{s}bild{s}nings{s}nämn{s}den e-tjänsten Nyköping-Oxelösund").format(s=SOFT).split()


def sentences(rng: random.Random, n: int) -> str:
    """n unique-ish Swedish sentences (random words: every 4-gram is rare, so order errors show in F1)."""
    out = []
    for _ in range(n):
        words = [rng.choice(COMPOUNDS) if rng.random() < 0.18 else rng.choice(WORDS)
                 for _ in range(rng.randint(7, 15))]
        first = words[0]
        words[0] = first[0].upper() + first[1:]
        out.append(" ".join(words) + rng.choice(".....?"))
    return " ".join(out)


def clean(text: str) -> str:
    return text.replace(SOFT, "")


def take_line(words: list[str], width: float, font: str, size: float) -> tuple[str, list[str]]:
    """The first line of `words` at `width` (breaking at spaces, soft hyphens drawn as "-", and real
    hyphens) and the words left for the next lines."""
    line = ""
    for n, word in enumerate(words):
        trial = f"{line} {word}" if line else word
        if stringWidth(clean(trial), font, size) <= width:
            line = trial
            continue
        head = ""  # the longest head of `word` that fits, split at a soft or real hyphen
        for m in re.finditer(f"[{SOFT}-]", word):
            cand = word[: m.start()] + "-"
            if stringWidth(clean(f"{line} {cand}" if line else cand), font, size) <= width:
                head = word[: m.end()]
        if head:
            text = clean(f"{line} {head}" if line else head) + ("-" if head.endswith(SOFT) else "")
            return text, [word[len(head):]] + words[n + 1:]
        if line:
            return clean(line), words[n:]
        return clean(word), words[n + 1:]
    return clean(line), []


def wrap(text: str, width: float, font: str, size: float) -> list[str]:
    lines, words = [], text.split()
    while words:
        line, words = take_line(words, width, font, size)
        lines.append(line)
    return lines


def pdf_text(s: str) -> bytes:
    """A PDF text string: UTF-16BE with BOM (any character), as hex."""
    return b"<FEFF" + s.encode("utf-16-be").hex().upper().encode() + b">"


def pdf_literal(s: str) -> bytes:
    """A string for Tj in a WinAnsi font."""
    raw = s.encode("cp1252")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


class RawPdf:
    """Numbered objects and a correct cross-reference table."""

    def __init__(self) -> None:
        self.objects: list[bytes | None] = []

    def reserve(self) -> int:
        self.objects.append(None)
        return len(self.objects)

    def set(self, num: int, body: bytes) -> int:
        self.objects[num - 1] = body
        return num

    def add(self, body: bytes) -> int:
        return self.set(self.reserve(), body)

    def add_stream(self, data: bytes, extra: bytes = b"", compress: bool = True) -> int:
        if compress:
            data, extra = zlib.compress(data), extra + b" /Filter /FlateDecode"
        return self.add(b"<< /Length %d%s >>\nstream\n" % (len(data), extra) + data + b"\nendstream")

    def build(self, root: int, info: int | None = None) -> bytes:
        out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        offsets = []
        for i, body in enumerate(self.objects, 1):
            offsets.append(len(out))
            out += b"%d 0 obj\n" % i + (body if body is not None else b"null") + b"\nendobj\n"
        xref = len(out)
        out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(self.objects) + 1)
        out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
        out += b"trailer\n<< /Size %d /Root %d 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (
            len(self.objects) + 1, root, b" /Info %d 0 R" % info if info else b"", xref)
        return bytes(out)


@dataclass
class Built:
    """A test PDF and what a reader should hear: (kind, text) per block in reading order."""

    data: bytes
    blocks: list[tuple[str, str]]
    pages: int
    langs: list[str] = field(default_factory=list)  # per block, when the builder knows them

    @property
    def text(self) -> str:
        return "\n".join(t for _, t in self.blocks)


# -- tagged ----------------------------------------------------------------------------------------


@dataclass
class _Elem:
    role: str
    kids: list = field(default_factory=list)  # _Elem or (page index, mcid)
    lang: str | None = None
    alt: str | None = None
    num: int = 0


FONTS = {"F1": "Helvetica", "F2": "Helvetica-Bold"}
SIZES = {"H1": 20.0, "H2": 15.0, "H3": 13.0, "P": 11.0, "Caption": 9.0}


class TaggedPdf:
    """Flows tagged blocks down A4 pages; one MCID per element per page (as office suites write)."""

    def __init__(self, lang: str = "sv-SE", title: str | None = None, header: str | None = None,
                 rolemap: dict[str, str] | None = None, margin: float = 72.0) -> None:
        self.lang, self.title, self.header, self.rolemap = lang, title, header, rolemap or {}
        self.margin = margin
        self.root = _Elem("Document")
        self.pages: list[list[bytes]] = []
        self.mcids: list[list[_Elem]] = []  # per page: MCID -> owning element (the ParentTree)
        self.expected: list[tuple[str, str]] = []
        self.langs: list[str] = []
        self.sidebars: list[tuple[int, _Elem, list[str]]] = []
        self._new_page()

    def _new_page(self) -> None:
        self.pages.append([])
        self.mcids.append([])
        self.y = A4[1] - self.margin - (20 if self.header else 0)

    def _mark(self, elem: _Elem, page: int) -> int:
        mcid = len(self.mcids[page])
        self.mcids[page].append(elem)
        elem.kids.append((page, mcid))
        return mcid

    def _lines(self, elem: _Elem, lines: list[str], font: str, size: float, x: float, tag: str) -> None:
        """Draw lines for `elem`, opening a new marked-content sequence on each page it reaches."""
        open_page = None
        lead = size * 1.25
        for line in lines:
            if self.y - lead < self.margin:
                if open_page is not None:
                    self.pages[open_page].append(b"EMC\n")
                    open_page = None
                self._new_page()
            page = len(self.pages) - 1
            if open_page is None:
                mcid = self._mark(elem, page)
                self.pages[page].append(b"/%s <</MCID %d>> BDC\n" % (tag.encode(), mcid))
                open_page = page
            self.y -= lead
            self.pages[page].append(b"BT /%s %.1f Tf %.2f %.2f Td %s Tj ET\n"
                                    % (font.encode(), size, x, self.y, pdf_literal(line)))
        if open_page is not None:
            self.pages[open_page].append(b"EMC\n")
        self.y -= size * 0.6

    def _elem(self, parent: _Elem, role: str, lang: str | None = None) -> _Elem:
        e = _Elem(role, lang=lang)
        parent.kids.append(e)
        return e

    def _expect(self, kind: str, text: str, lang: str | None) -> None:
        self.expected.append((kind, clean(text)))
        self.langs.append((lang or self.lang).split("-")[0].lower())

    def heading(self, level: int, text: str, role: str | None = None) -> None:
        e = self._elem(self.root, role or f"H{level}")
        size = SIZES.get(f"H{level}", 12.0)
        self._lines(e, wrap(text, A4[0] - 2 * self.margin, "Helvetica-Bold", size), "F2", size, self.margin, "H")
        self._expect("heading", text, None)

    def paragraph(self, text: str, lang: str | None = None, role: str = "P", kind: str = "paragraph",
                  parent: _Elem | None = None, size: float = 11.0, indent: float = 0.0) -> _Elem:
        e = self._elem(parent or self.root, role, lang)
        width = A4[0] - 2 * self.margin - indent
        self._lines(e, wrap(text, width, "Helvetica", size), "F1", size, self.margin + indent, "P")
        self._expect(kind, text, lang)
        return e

    def noted_paragraph(self, text: str, label: str, note: str) -> None:
        """A paragraph whose last line ends with a raised marker (a Reference) and a Note inside the
        P (as Word tags footnotes), its text at the page's foot: the note is heard after the paragraph."""
        e = self.paragraph(text)
        page = len(self.pages) - 1
        line = wrap(text, A4[0] - 2 * self.margin, "Helvetica", 11)[-1]
        ref, lbl, body = _Elem("Reference"), _Elem("Lbl"), _Elem("P")
        e.kids += [ref, _Elem("Note", [lbl, body])]
        y = self.y + 11 * 0.6
        for elem, tag, size, x, y_at, s in (
                (ref, b"Reference", 6, self.margin + stringWidth(line, "Helvetica", 11) + 1, y + 5, label),
                (lbl, b"Lbl", 8, self.margin, self.margin - 20, label),
                (body, b"P", 8, self.margin + 8, self.margin - 20, note)):
            mcid = self._mark(elem, page)
            self.pages[page].append(b"/%s <</MCID %d>> BDC BT /F1 %d Tf %.2f %.2f Td %s Tj ET EMC\n"
                                    % (tag, mcid, size, x, y_at, pdf_literal(s)))
        self._expect("paragraph", note, None)

    def quote(self, text: str) -> None:
        self.paragraph(text, role="BlockQuote", kind="quote", indent=30)

    def list(self, items: list[str], numbered: bool = False) -> None:
        lst = self._elem(self.root, "L")
        for i, item in enumerate(items, 1):
            li = self._elem(lst, "LI")
            label = f"{i}." if numbered else "\u2022"
            lbl = self._elem(li, "Lbl")
            body = self._elem(li, "LBody")
            lines = wrap(item, A4[0] - 2 * self.margin - 20, "Helvetica", 11)
            if self.y - 11 * 1.25 < self.margin:
                self._new_page()
            page = len(self.pages) - 1
            mcid = self._mark(lbl, page)
            self.pages[page].append(b"/Lbl <</MCID %d>> BDC BT /F1 11 Tf %.2f %.2f Td %s Tj ET EMC\n"
                                    % (mcid, self.margin + 4, self.y - 11 * 1.25, pdf_literal(label)))
            self._lines(body, lines, "F1", 11, self.margin + 20, "LBody")
            self._expect("list-item", item, None)

    def table(self, rows: list[list[str]], header: bool = True) -> None:
        """One line per row; cells at fixed columns. Expected like the HTML walker: "a, b, c"."""
        t = self._elem(self.root, "Table")
        col = (A4[0] - 2 * self.margin) / len(rows[0])
        for r, row in enumerate(rows):
            tr = self._elem(t, "TR")
            if self.y - 20 < self.margin:
                self._new_page()
            self.y -= 14
            page = len(self.pages) - 1
            for c, cell in enumerate(row):
                th = header and r == 0
                td = self._elem(tr, "TH" if th else "TD")
                mcid = self._mark(td, page)
                self.pages[page].append(b"/%s <</MCID %d>> BDC BT /%s 10 Tf %.2f %.2f Td %s Tj ET EMC\n" % (
                    b"TH" if th else b"TD", mcid, b"F2" if th else b"F1", self.margin + c * col, self.y,
                    pdf_literal(cell)))
            self._expect("table-row", ", ".join(row), None)
        self.y -= 8

    def figure(self, alt: str) -> None:
        e = self._elem(self.root, "Figure")
        e.alt = alt
        page = len(self.pages) - 1
        mcid = self._mark(e, page)
        self.y -= 60
        self.pages[page].append(b"/Figure <</MCID %d>> BDC 0.8 g %.1f %.1f 120 50 re f 0 g EMC\n"
                                % (mcid, self.margin, self.y))
        self._expect("caption", alt, None)

    def sidebar(self, text: str) -> None:
        """A box at the top right of the current page, drawn first but tagged last (reading order)."""
        self.sidebars.append((len(self.pages) - 1, _Elem("Aside"), wrap(text, 150, "Helvetica", 9)))

    def build(self) -> Built:
        for page, elem, lines in self.sidebars:
            self.root.kids.append(elem)
            p = self._elem(elem, "P")
            mcid = self._mark(p, page)
            body = b"/P <</MCID %d>> BDC\n" % mcid + b"".join(
                b"BT /F1 9 Tf %.2f %.2f Td %s Tj ET\n" % (A4[0] - 200, A4[1] - 110 - 12 * i, pdf_literal(s))
                for i, s in enumerate(lines)) + b"EMC\n"
            self.pages[page].insert(0, body)
            self._expect("paragraph", " ".join(lines), None)
        pdf = RawPdf()
        catalog, pages_num, tree = pdf.reserve(), pdf.reserve(), pdf.reserve()
        fonts = b" ".join(b"/%s %d 0 R" % (k.encode(), pdf.add(
            b"<< /Type /Font /Subtype /Type1 /BaseFont /%s /Encoding /WinAnsiEncoding >>" % v.encode()))
            for k, v in FONTS.items())
        page_nums = [pdf.reserve() for _ in self.pages]
        n = len(self.pages)
        for i, content in enumerate(self.pages):
            art = b""
            if self.header:
                art = (b"/Artifact <</Type /Pagination /Subtype /Header>> BDC BT /F1 9 Tf %.1f %.1f Td %s Tj ET EMC\n"
                       % (self.margin, A4[1] - 40, pdf_literal(self.header)))
            art += (b"/Artifact <</Type /Pagination /Subtype /Footer>> BDC BT /F1 9 Tf %.1f 30 Td %s Tj ET EMC\n"
                    % (A4[0] / 2 - 20, pdf_literal(f"Sida {i + 1} av {n}")))
            stream = pdf.add_stream(art + b"".join(content))
            pdf.set(page_nums[i], b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %d %d] /Contents %d 0 R "
                    b"/Resources << /Font << %s >> >> /StructParents %d >>"
                    % (pages_num, A4[0], A4[1], stream, fonts, i))
        pdf.set(pages_num, b"<< /Type /Pages /Kids [%s] /Count %d >>"
                % (b" ".join(b"%d 0 R" % p for p in page_nums), n))

        def number(e: _Elem) -> None:
            e.num = pdf.reserve()
            for k in e.kids:
                if isinstance(k, _Elem):
                    number(k)

        def write(e: _Elem, parent: int) -> None:
            kids = []
            for k in e.kids:
                if isinstance(k, _Elem):
                    write(k, e.num)
                    kids.append(b"%d 0 R" % k.num)
                else:
                    kids.append(b"<< /Type /MCR /Pg %d 0 R /MCID %d >>" % (page_nums[k[0]], k[1]))
            extra = b" /Lang %s" % pdf_text(e.lang) if e.lang else b""
            extra += b" /Alt %s" % pdf_text(e.alt) if e.alt else b""
            first_page = next((k[0] for k in e.kids if isinstance(k, tuple)), None)
            extra += b" /Pg %d 0 R" % page_nums[first_page] if first_page is not None else b""
            pdf.set(e.num, b"<< /Type /StructElem /S /%s /P %d 0 R /K [%s]%s >>"
                    % (e.role.encode(), parent, b" ".join(kids), extra))

        number(self.root)
        write(self.root, tree)
        nums = b" ".join(b"%d [%s]" % (i, b" ".join(b"%d 0 R" % e.num for e in owners))
                         for i, owners in enumerate(self.mcids))
        rolemap = b" ".join(b"/%s /%s" % (k.encode(), v.encode()) for k, v in self.rolemap.items())
        pdf.set(tree, b"<< /Type /StructTreeRoot /K [%d 0 R] /ParentTree << /Nums [%s] >> "
                b"/ParentTreeNextKey %d /RoleMap << %s >> >>" % (self.root.num, nums, n, rolemap))
        pdf.set(catalog, b"<< /Type /Catalog /Pages %d 0 R /StructTreeRoot %d 0 R /MarkInfo << /Marked true >> "
                b"/Lang %s /ViewerPreferences << /DisplayDocTitle true >> >>" % (pages_num, tree, pdf_text(self.lang)))
        info = pdf.add(b"<< /Title %s /Producer (pdf_builder) >>" % pdf_text(self.title)) if self.title else None
        return Built(pdf.build(catalog, info), self.expected, n, self.langs)


# -- untagged (reportlab) --------------------------------------------------------------------------


@dataclass
class _Placed:
    page: int
    frame: int
    x: float
    y: float
    font: str
    size: float
    text: str


def untagged_pdf(pages: int = 3, seed: int = 1, title: str = "Rapport om kommunens service",
                 columns: int = 2, password: str | None = None, running: bool = True) -> Built:
    """Page 1 in one column (title, lists, a table, a footnote), the rest in `columns` columns drawn
    line by line across the columns, so the content stream's order is not the reading order."""
    from io import BytesIO

    from reportlab.pdfgen import canvas

    rng = random.Random(seed)
    margin, gutter = 60.0, 24.0
    frames_of = {0: [(margin, A4[0] - margin)]}
    col_w = (A4[0] - 2 * margin - gutter * (columns - 1)) / columns
    multi = [(margin + i * (col_w + gutter), margin + i * (col_w + gutter) + col_w) for i in range(columns)]
    placed: list[_Placed] = []
    expected: list[tuple[str, str]] = []
    state = {"page": 0, "frame": 0, "y": A4[1] - 80.0}

    def frames(page: int) -> list[tuple[float, float]]:
        return frames_of.get(page, multi)

    def advance(lead: float) -> None:
        if state["y"] - lead < 70:
            if state["frame"] + 1 < len(frames(state["page"])):
                state["frame"] += 1
            else:
                state["page"] += 1
                state["frame"] = 0
            state["y"] = A4[1] - 80.0
        state["y"] -= lead

    def flow(text: str, font: str, size: float, indent: float = 0.0, first: str = "") -> None:
        words, i = text.split(), 0
        while words:
            advance(size * 1.3)
            x0, x1 = frames(state["page"])[state["frame"]]
            line, words = take_line(words, x1 - x0 - indent, font, size)
            if i == 0 and first:
                placed.append(_Placed(state["page"], state["frame"], x0, state["y"], "Helvetica", size, first))
            placed.append(_Placed(state["page"], state["frame"], x0 + indent, state["y"], font, size, line))
            i += 1
        state["y"] -= size * 0.7

    def heading(text: str, size: float) -> None:
        state["y"] -= 6
        flow(text, "Helvetica-Bold", size)
        expected.append(("heading", text))

    def para(text: str, size: float = 10.0) -> None:
        flow(text, "Helvetica", size)
        expected.append(("paragraph", clean(text)))

    heading(title, 18)
    para(sentences(rng, 4))
    heading("Det här gör vi", 13)
    for item in ("Vi svarar på e-post inom två dagar", "Vi har öppet på vardagar", sentences(rng, 2)):
        flow(item, "Helvetica", 10, indent=14, first="\u2022")
        expected.append(("list-item", clean(item)))
    for n, item in enumerate((sentences(rng, 1), "Skicka in ansökan", "Vänta på beslut"), 1):
        flow(item, "Helvetica", 10, indent=14, first=f"{n}.")
        expected.append(("list-item", clean(item)))
    rows = [["Tjänst", "Avgift", "Handläggningstid"], ["Bygglov", "250 kr", "4 veckor"],
            ["Marklov", "1 200 kr", "6 veckor"], ["Rivningslov", "800 kr", "3 veckor"]]
    for r, row in enumerate(rows):
        advance(14)
        for c, cell in enumerate(row):
            placed.append(_Placed(state["page"], 0, margin + c * 150, state["y"],
                                  "Helvetica-Bold" if r == 0 else "Helvetica", 10, cell))
        expected.append(("table-row", ", ".join(row)))
    state["y"] -= 8
    note_text = "1 Källa: Statistiska centralbyrån, befolkningsstatistik 2024."
    ref = sentences(rng, 2)
    para(ref)
    footnote_at = len(expected)  # right after the paragraph with the marker, not at the page end
    ref_line = next(p for p in reversed(placed) if p.font == "Helvetica" and p.size == 10)
    footnote_page = ref_line.page
    n_page = 1
    while state["page"] < pages - 1 or n_page < 3:
        if rng.random() < 0.25:
            heading(" ".join(rng.choice(WORDS) for _ in range(3)).capitalize(), 12)
        para(sentences(rng, rng.randint(3, 7)))
        n_page += 1
        if state["page"] >= pages:
            break
    n_pages = max(p.page for p in placed) + 1
    expected.insert(footnote_at, ("paragraph", note_text))

    buf = BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, pageCompression=1, encrypt=password)
    c.setTitle(title)
    for page in range(n_pages):
        if running:
            c.setFont("Helvetica", 8)
            c.drawString(margin, A4[1] - 40, f"Exempel kommun \u2013 {title}")
            c.drawRightString(A4[0] - margin, 30, str(page + 1))
        mine = [p for p in placed if p.page == page]
        by_frame = [[p for p in mine if p.frame == f] for f in range(columns)]
        interleaved = [p for row in _zip_longest(*by_frame) for p in row if p is not None]
        for p in interleaved:
            c.setFont(p.font, p.size)
            c.drawString(p.x, p.y, p.text)
        if page == footnote_page:
            c.setFont("Helvetica", 6)
            c.drawString(ref_line.x + stringWidth(ref_line.text, "Helvetica", 10) + 1, ref_line.y + 4, "1")
            c.setFont("Helvetica", 8)
            c.drawString(margin, 50, note_text)
        c.showPage()
    c.save()
    return Built(buf.getvalue(), expected, n_pages)


_PLACEHOLDER = re.compile(r"\{([^}]*)\}")
_SUPERSCRIPTS = str.maketrans("123", "\u00b9\u00b2\u00b3")  # the ones WinAnsi has


def footnote_pdf(pages: list[tuple[list[str], list[str]]], style: str = "sup",
                 note_sup: bool = False) -> Built:
    """One-column pages of paragraphs with footnote markers written "kommunen{1}" and notes at the foot
    ("1 Källa: …"). The marker is drawn as `style`: "sup" (a small raised glyph), "unicode" ("¹") or
    "bracket" (" [1]"); with `note_sup` a note's leading number is a raised glyph too (and not read).
    Expected: each note right after the paragraph on its page with its marker, else after the page's
    last paragraph; a note with no label first on a page goes on from the last note before."""
    from io import BytesIO

    from reportlab.pdfgen import canvas

    margin, width = 60.0, A4[0] - 120.0
    expected: list[tuple[str, str]] = []
    buf = BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, pageCompression=1)
    last_note: int | None = None
    for paras, notes in pages:
        y = A4[1] - 80.0
        for text in paras:
            for line in wrap(text, width - 30, "Helvetica", 10):
                y -= 13
                x = margin
                for k, part in enumerate(_PLACEHOLDER.split(line)):
                    font, size, rise = "Helvetica", 10.0, 0.0
                    if k % 2:
                        part = {"sup": part, "unicode": part.translate(_SUPERSCRIPTS),
                                "bracket": f" [{part}]"}[style]
                        font, size, rise = ("Helvetica", 6.0, 4.0) if style == "sup" else (font, size, rise)
                        x += 0.5 if style == "sup" else 0.0
                    c.setFont(font, size)
                    c.drawString(x, y + rise, part)
                    x += stringWidth(part, font, size)
            y -= 7
        after: list[list[str]] = [[] for _ in paras]
        ny = 60 + 10 * sum(len(wrap(n, width, "Helvetica", 8)) for n in notes)
        for i, note in enumerate(notes):
            label, _, rest = note.partition(" ")
            for j, line in enumerate(wrap(note, width, "Helvetica", 8)):
                ny -= 10
                x = margin
                if j == 0 and note_sup and label.isdigit():
                    c.setFont("Helvetica", 5)
                    c.drawString(margin, ny + 3, label)
                    line, x = line[len(label) + 1:], margin + 4
                c.setFont("Helvetica", 8)
                c.drawString(x, ny, line)
            if i == 0 and not label.isdigit() and last_note is not None:
                expected[last_note] = ("paragraph", f"{expected[last_note][1]} {note}")
                continue
            k = next((k for k, t in enumerate(paras) if "{%s}" % label in t), len(paras) - 1)
            after[k].append(rest if note_sup and label.isdigit() else note)
        last = notes[-1] if notes else None
        for text, mine in zip(paras, after):
            expected.append(("paragraph", clean(_PLACEHOLDER.sub("", text))))
            for note in mine:
                expected.append(("paragraph", note))
                last_note = len(expected) - 1 if last is not None and last.endswith(note) else last_note
        c.showPage()
    c.save()
    return Built(buf.getvalue(), expected, len(pages))


def _zip_longest(*lists: list) -> list:
    from itertools import zip_longest

    return list(zip_longest(*lists))


def tagged_report(pages: int = 3, seed: int = 2, **kw: object) -> Built:
    """A tagged report of about `pages` pages: headings, paragraphs, lists, a table, a quote, a figure."""
    rng = random.Random(seed)
    t = TaggedPdf(title="Årsredovisning 2024", header="Exempel kommun \u2013 Årsredovisning 2024", **kw)  # type: ignore[arg-type]
    t.heading(1, "Årsredovisning för Exempel kommun")
    t.sidebar("Kontakta kommunens servicecenter på telefon 0155-24 50 00 om du har frågor.")
    t.paragraph(sentences(rng, 5))
    t.paragraph("The summary of this report is also available in English on the website.", lang="en-GB")
    t.list(["Vi svarar på e-post inom två dagar", sentences(rng, 2)])
    t.table([["Tjänst", "Avgift", "Handläggningstid"], ["Bygglov", "250 kr", "4 veckor"],
             ["Marklov", "1 200 kr", "6 veckor"]])
    t.figure("Diagram: kostnaderna ökade med fem procent under året.")
    t.quote(sentences(rng, 2))
    i = 0
    while len(t.pages) < pages or i < 3:
        if i % 4 == 0:
            t.heading(2, " ".join(rng.choice(WORDS) for _ in range(3)).capitalize())
        t.paragraph(sentences(rng, rng.randint(3, 8)))
        if i % 7 == 6:
            t.list([sentences(rng, 1) for _ in range(3)], numbered=True)
        i += 1
        if len(t.pages) > pages:
            break
    return t.build()


# -- hostile and empty -----------------------------------------------------------------------------


def _pages_pdf(contents: list[bytes], extra_objects: dict[bytes, bytes] | None = None,
               resources: bytes = b"") -> bytes:
    """Untagged pages with the given content streams (Helvetica as /F1)."""
    pdf = RawPdf()
    catalog, pages_num = pdf.reserve(), pdf.reserve()
    font = pdf.add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    kids = []
    for content in contents:
        stream = pdf.add_stream(content)
        kids.append(pdf.add(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] /Contents %d 0 R "
                            b"/Resources << /Font << /F1 %d 0 R >> %s >> >>" % (pages_num, stream, font, resources)))
    pdf.set(pages_num, b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % k for k in kids), len(kids)))
    pdf.set(catalog, b"<< /Type /Catalog /Pages %d 0 R >>" % pages_num)
    return pdf.build(catalog)


def many_pages_pdf(n: int) -> bytes:
    """n pages with a line of text each: cheap to write, for the page cap."""
    return _pages_pdf([b"BT /F1 12 Tf 72 700 Td (Sida %d) Tj ET" % (i + 1) for i in range(n)])


def image_only_pdf() -> bytes:
    """A "scanned" page: an image and no text at all."""
    pdf = RawPdf()
    catalog, pages_num = pdf.reserve(), pdf.reserve()
    pixels = bytes((x * y) % 256 for y in range(64) for x in range(64))
    image = pdf.add_stream(pixels, b" /Type /XObject /Subtype /Image /Width 64 /Height 64 "
                                   b"/ColorSpace /DeviceGray /BitsPerComponent 8")
    content = pdf.add_stream(b"q 400 0 0 560 90 140 cm /Im1 Do Q")
    page = pdf.add(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] /Contents %d 0 R "
                   b"/Resources << /XObject << /Im1 %d 0 R >> >> >>" % (pages_num, content, image))
    pdf.set(pages_num, b"<< /Type /Pages /Kids [%d 0 R] /Count 1 >>" % page)
    pdf.set(catalog, b"<< /Type /Catalog /Pages %d 0 R >>" % pages_num)
    return pdf.build(catalog)


def zero_bomb(gigabytes: float = 1.0) -> bytes:
    """A zlib stream of `gigabytes` of zero bytes, about 1 KB per MB: identical deflate blocks (each
    compressed after a full flush, so none refers to another) repeated, then a valid trailer."""
    mb = 1 << 20
    comp = zlib.compressobj(9)
    head = comp.compress(b"\0" * mb) + comp.flush(zlib.Z_FULL_FLUSH)
    block = comp.compress(b"\0" * mb) + comp.flush(zlib.Z_FULL_FLUSH)
    n = int(gigabytes * 1024)
    total = n * mb
    adler = ((total % 65521) << 16) | 1  # adler32 of zeros: a stays 1, b grows by 1 a byte
    return head + block * (n - 1) + b"\x03\x00" + adler.to_bytes(4, "big")


def bomb_pdf(gigabytes: float = 1.0) -> bytes:
    """A page whose content stream inflates to gigabytes (the file is about a megabyte)."""
    pdf = RawPdf()
    catalog, pages_num = pdf.reserve(), pdf.reserve()
    data = zero_bomb(gigabytes)
    content = pdf.add(b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream")
    page = pdf.add(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] /Contents %d 0 R >>" % (pages_num, content))
    pdf.set(pages_num, b"<< /Type /Pages /Kids [%d 0 R] /Count 1 >>" % page)
    pdf.set(catalog, b"<< /Type /Catalog /Pages %d 0 R >>" % pages_num)
    return pdf.build(catalog)


def corrupt_pdfs() -> dict[str, bytes]:
    """Damaged files that start like PDFs."""
    good = untagged_pdf(pages=1, running=False).data
    return {
        "header only": b"%PDF-1.7\n",
        "garbage": b"%PDF-1.4\n" + bytes(random.Random(3).randrange(256) for _ in range(4000)),
        "cut after the header": good[:200],
        "no objects, a trailer": b"%PDF-1.4\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n",
    }


# -- the scorer's metric ---------------------------------------------------------------------------

_TOKEN = re.compile(r"\w+")


def f1(truth: str, pred: str, n: int = 4) -> float:
    """Word 4-gram F1 as ../shared/tools/eval_extract.py defines it for one page: tokens \\w+,
    multisets of n-gram shingles (a text of 1..n tokens is one shorter shingle), P = TP/(TP+FP),
    R = TP/(TP+FN)."""
    from collections import Counter

    def shingles(text: str) -> Counter:
        t = _TOKEN.findall(text or "")
        if not t:
            return Counter()
        return Counter([tuple(t)]) if len(t) <= n else Counter(tuple(t[i:i + n]) for i in range(len(t) - n + 1))

    a, b = shingles(truth), shingles(pred)
    tp = sum((a & b).values())
    if not tp:
        return 0.0
    p, r = tp / sum(b.values()), tp / sum(a.values())
    return 2 * p * r / (p + r)
