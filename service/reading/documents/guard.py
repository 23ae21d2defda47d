"""Bounds checked before pdfium sees a document, because pdfium's C code cannot be interrupted:
a Flate stream that inflates to gigabytes (a "PDF bomb") is found by inflating it here, in bounded
pieces, and the document is refused before pdfium would hold it all in memory."""
from __future__ import annotations

import re
import zlib

MAX_STREAM_BYTES = 64 << 20  # one content or font stream, inflated
MAX_TOTAL_BYTES = 256 << 20  # all of them together
_STREAM = re.compile(rb"(?<!end)stream(?:\r\n|\n|\r)")
_OBJ = re.compile(rb"\bobj\b")
_CHUNK = 256 << 10


def inflated_too_large(data: bytes, per_stream: int = MAX_STREAM_BYTES, total: int = MAX_TOTAL_BYTES) -> bool:
    """True when a Flate stream (images aside: text extraction never decodes them) inflates beyond
    `per_stream`, or all of them beyond `total`. Encrypted streams do not inflate and are not counted."""
    seen = 0
    for m in _STREAM.finditer(data):
        head = data[max(0, m.start() - 2048): m.start()]
        objs = list(_OBJ.finditer(head))
        head = head[objs[-1].end():] if objs else head
        if b"/Image" in head or (b"/FlateDecode" not in head and b"/Fl " not in head and b"/Fl]" not in head):
            continue
        size = _inflated_size(data, m.end(), min(per_stream, total - seen) + 1)
        seen += size
        if size > per_stream or seen > total:
            return True
    return False


def _inflated_size(data: bytes, start: int, limit: int) -> int:
    """Bytes the zlib stream at `start` inflates to, counting no further than `limit` (memory stays
    at one chunk: the output is thrown away as it is counted)."""
    d = zlib.decompressobj()
    size, pos, pending = 0, start, b""
    view = memoryview(data)
    while not d.eof and size < limit:
        if not pending:
            if pos >= len(data):
                break
            pending, pos = bytes(view[pos: pos + _CHUNK]), pos + _CHUNK
        try:
            size += len(d.decompress(pending, _CHUNK))
        except zlib.error:
            break
        pending = d.unconsumed_tail
    return size
