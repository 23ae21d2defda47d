"""What pdfium tells about a page: text runs with position, size, weight and marked-content id, and
the page's part of the structure tree. All pdfium calls of the package live here.

pdfium is not thread-safe: callers hold `LOCK` from opening a document to closing it.
"""
from __future__ import annotations

import ctypes
import threading
from dataclasses import dataclass, field
from functools import partial

import pypdfium2 as pdfium
import pypdfium2.raw as raw

LOCK = threading.Lock()
_GENERATED_BREAKS = "\r\n"
# pdfium reports a hyphen at a line end as U+FFFE (or 0x02): it is still a hyphen in the text.
_HYPHEN_MARKS = str.maketrans({"\ufffe": "-", "\x02": "-", "\x00": ""})


def _fast(fn, restype, *argtypes):  # type: ignore[no-untyped-def]
    """The same C function with plain integer pointers: a per-character call without ctypes boxing."""
    return ctypes.CFUNCTYPE(restype, *argtypes)(ctypes.cast(fn, ctypes.c_void_p).value)


_TEXT_OBJECT = _fast(raw.FPDFText_GetTextObject, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int)
_MCID = _fast(raw.FPDFPageObj_GetMarkedContentID, ctypes.c_int, ctypes.c_void_p)
_FONT_SIZE = _fast(raw.FPDFText_GetFontSize, ctypes.c_double, ctypes.c_void_p, ctypes.c_int)
_FONT_WEIGHT = _fast(raw.FPDFText_GetFontWeight, ctypes.c_int, ctypes.c_void_p, ctypes.c_int)
_PAGE_OBJECT = _fast(raw.FPDFPage_GetObject, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int)


class PdfOpenError(Exception):
    """pdfium could not open the bytes: `reason` is "password", "format" or "other"."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


@dataclass
class Run:
    """Characters of one text object that pdfium keeps together, in top-left page coordinates."""

    text: str
    page: int
    x0: float
    top: float
    x1: float
    bottom: float
    size: float
    bold: bool
    mcid: int
    order: int  # the text object's index in the content stream: drawing order

    @property
    def height(self) -> float:
        return self.bottom - self.top


@dataclass
class Page:
    index: int
    width: float
    height: float
    runs: list[Run] = field(default_factory=list)


@dataclass
class StructNode:
    """A structure element merged over the pages it touches, keyed by its path of kid indices."""

    role: str
    lang: str = ""
    alt: str = ""
    actual: str = ""
    kids: dict[int, "tuple[int, ...] | tuple[str, int, int]"] = field(default_factory=dict)


def open_document(data: bytes) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        code = getattr(e, "err_code", None)
        reason = ("password" if code in (raw.FPDF_ERR_PASSWORD, raw.FPDF_ERR_SECURITY)
                  else "format" if code in (raw.FPDF_ERR_FORMAT, raw.FPDF_ERR_FILE) else "other")
        raise PdfOpenError(reason, str(e)) from e


def _utf16(getter, *args) -> str:  # type: ignore[no-untyped-def]
    """A string from pdfium's "call with NULL for the length, then fill" convention (UTF-16LE)."""
    n = getter(*args, None, 0)
    if n <= 2 or n > 1 << 20:
        return ""
    buf = ctypes.create_string_buffer(n)
    getter(*args, buf, n)
    return buf.raw[:n].decode("utf-16-le", "replace").rstrip("\x00")


def meta(doc: pdfium.PdfDocument) -> tuple[str, str, bool]:
    """(Info /Title, catalog /Lang, tagged) of the document."""
    title = _utf16(raw.FPDF_GetMetaText, doc.raw, b"Title")
    buf_len = raw.FPDFCatalog_GetLanguage(doc.raw, None, 0) if hasattr(raw, "FPDFCatalog_GetLanguage") else 0
    lang = ""
    if 2 < buf_len < 200:
        buf = (ctypes.c_ushort * (buf_len // 2))()
        raw.FPDFCatalog_GetLanguage(doc.raw, buf, buf_len)
        lang = bytes(buf).decode("utf-16-le", "replace").rstrip("\x00")
    return title.strip(), lang.strip(), bool(raw.FPDFCatalog_IsTagged(doc.raw))


def read_page(doc: pdfium.PdfDocument, index: int,
              tagged: bool) -> tuple[Page, dict[tuple[int, ...], StructNode]]:
    """The page's runs, and (when tagged) its structure elements by path."""
    page = doc[index]
    try:
        left, bottom, right, top = page.get_cropbox()
        out = Page(index, right - left, top - bottom)
        textpage = page.get_textpage()
        try:
            out.runs = _runs(page, textpage, index, left, top)
        finally:
            textpage.close()
        nodes = _struct_nodes(page, index) if tagged else {}
    finally:
        page.close()
    return out, nodes


def _runs(page: pdfium.PdfPage, textpage: pdfium.PdfTextPage, index: int, left: float,
          top: float) -> list[Run]:
    tp = ctypes.cast(textpage.raw, ctypes.c_void_p).value
    n = raw.FPDFText_CountChars(textpage.raw)
    if n <= 0:
        return []
    buf = ctypes.create_string_buffer(2 * (n + 1))
    got = raw.FPDFText_GetText(textpage.raw, 0, n, ctypes.cast(buf, ctypes.POINTER(ctypes.c_ushort)))
    text = buf.raw[: 2 * max(got - 1, 0)].decode("utf-16-le", "replace")
    if len(text) != n:  # characters outside the BMP: one pdfium char, two UTF-16 units
        text = "".join(chr(raw.FPDFText_GetUnicode(textpage.raw, i) or 32) for i in range(n))
    pp = ctypes.cast(page.raw, ctypes.c_void_p).value
    order = {_PAGE_OBJECT(pp, k): k for k in range(raw.FPDFPage_CountObjects(page.raw))}
    mcids: dict[int, int] = {}
    objs = list(map(partial(_TEXT_OBJECT, tp), range(n)))
    cuts = [0, *(i for i in range(1, n) if objs[i] != objs[i - 1]), n]
    spans: list[list[int]] = []  # [object, first char, last char + 1]
    for a, b in zip(cuts, cuts[1:]):
        obj = objs[a]
        if obj:
            if spans and spans[-1][0] == obj and spans[-1][2] == -a:  # after a generated space
                spans[-1][2] = b
            else:
                spans.append([obj, a, b])
        elif spans and not any(c in _GENERATED_BREAKS for c in text[a:b]):
            spans[-1][2] = -b  # a generated space stays with its run if the run goes on after it
    for span in spans:
        span[2] = abs(span[2])
    rect = raw.FS_RECTF()
    runs = []
    for obj, a, b in spans:
        chunk = text[a:b].translate(_HYPHEN_MARKS)
        if not chunk.strip():
            continue
        last = b - 1
        while last > a and text[last].isspace():
            last -= 1
        raw.FPDFText_GetLooseCharBox(textpage.raw, a, rect)
        x0, y_top, y_bottom = rect.left, rect.top, rect.bottom
        raw.FPDFText_GetLooseCharBox(textpage.raw, last, rect)
        x1 = rect.right
        y_top, y_bottom = max(y_top, rect.top), min(y_bottom, rect.bottom)
        if obj not in mcids:
            mcids[obj] = _MCID(obj)
        size = _FONT_SIZE(tp, a)
        runs.append(Run(chunk, index, x0 - left, top - y_top, x1 - left, top - y_bottom, round(size, 1),
                        _FONT_WEIGHT(tp, a) >= 600 or _bold_name(textpage, a), mcids[obj], order.get(obj, 0)))
    return runs


_BOLD_CACHE: dict[str, bool] = {}


def _bold_name(textpage: pdfium.PdfTextPage, i: int) -> bool:
    """Fonts without a weight in their descriptor: the name says it ("Arial-BoldMT", "F1+Helvetica-Bold")."""
    buf = ctypes.create_string_buffer(128)
    flags = ctypes.c_int()
    n = raw.FPDFText_GetFontInfo(textpage.raw, i, buf, 128, flags)
    name = buf.raw[: max(n - 1, 0)].decode("latin-1")
    if name not in _BOLD_CACHE:
        _BOLD_CACHE[name] = "bold" in name.lower() or "black" in name.lower() or bool(flags.value & (1 << 18))
    return _BOLD_CACHE[name]


def _struct_nodes(page: pdfium.PdfPage, index: int) -> dict[tuple[int, ...], StructNode]:
    """The page's structure elements by path from the root; kids are element paths or
    ("mc", page, mcid). pdfium gives each page the elements it has content for, with kid indices
    counted over the whole /K array, so paths agree across pages and order the whole tree."""
    tree = raw.FPDF_StructTree_GetForPage(page.raw)
    if not tree:
        return {}
    nodes: dict[tuple[int, ...], StructNode] = {}
    try:
        stack = [(raw.FPDF_StructTree_GetChildAtIndex(tree, i), (i,))
                 for i in range(raw.FPDF_StructTree_CountChildren(tree) - 1, -1, -1)]
        while stack and len(nodes) < 200_000:
            elem, path = stack.pop()
            if not elem:
                continue
            node = StructNode(_utf16(raw.FPDF_StructElement_GetType, elem),
                              _utf16(raw.FPDF_StructElement_GetLang, elem),
                              _utf16(raw.FPDF_StructElement_GetAltText, elem),
                              _utf16(raw.FPDF_StructElement_GetActualText, elem))
            nodes[path] = node
            count = raw.FPDF_StructElement_CountChildren(elem)
            children = []
            for k in range(max(count, 0)):
                child = raw.FPDF_StructElement_GetChildAtIndex(elem, k)
                if child:
                    node.kids[k] = path + (k,)
                    children.append((child, path + (k,)))
                else:
                    mcid = raw.FPDF_StructElement_GetChildMarkedContentID(elem, k)
                    if mcid >= 0:
                        node.kids[k] = ("mc", index, mcid)
            if count == 0:  # /K is a bare MCID
                mcid = raw.FPDF_StructElement_GetMarkedContentID(elem)
                if mcid >= 0:
                    node.kids[0] = ("mc", index, mcid)
            stack.extend(reversed(children))
    finally:
        raw.FPDF_StructTree_Close(tree)
    return nodes

