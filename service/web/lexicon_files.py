"""Lexicon export and import over HTTP, shared by the JSON admin API and the admin pages: the
download response, the uploaded file, yes/no flags, and a refused file as BadRequest or TooLarge."""
from __future__ import annotations

from flask import Response, request

from service.errors import BadRequest, TooLarge
from service.store import lexicon_exchange as exchange

from .state import services

_TYPES = {"application/pls+xml": "pls", "application/xml": "pls", "text/xml": "pls", "text/csv": "csv"}


def download(fmt: str, lang: str | None) -> Response:
    """The lexicon as a file to save (PLS: one language, default sv; CSV: all unless `lang`)."""
    try:
        body, content_type, name = exchange.export(services().lexicon, fmt, lang)
    except ValueError as e:
        raise BadRequest(str(e), code="malformed") from None
    return Response(body, headers={"Content-Type": content_type, "Cache-Control": "no-store",
                                   "Content-Disposition": f'attachment; filename="{name}"'})


def flag(name: str) -> bool:
    """A yes/no query or form value: 1 or 0 (absent is 0); anything else is 400, not a guess."""
    value = request.values.get(name, "0")
    if value not in ("0", "1"):
        raise BadRequest(f"{name} ska vara 0 eller 1. / {name} must be 0 or 1.", code="malformed")
    return value == "1"


def import_format() -> str | None:
    """The format asked for (`format`), else what the Content-Type says, else None (detect it)."""
    fmt = request.values.get("format", "auto")
    if fmt == "auto":
        return _TYPES.get(request.mimetype)
    if fmt not in exchange.FORMATS:
        raise BadRequest(str(exchange.unknown_format(fmt)), code="malformed")
    return fmt


def uploaded() -> tuple[bytes, str | None]:
    """(the file's bytes, its name): a multipart field `file`, else the raw body. Read at most one
    byte past the limit, so a larger file is refused without being read whole."""
    limit = exchange.MAX_BYTES + 1
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            raise BadRequest("Välj en fil att importera. / Choose a file to import.", code="missing_file")
        return upload.stream.read(limit), upload.filename
    return request.get_data(cache=False)[:limit], None


def parse(data: bytes, fmt: str | None, filename: str | None) -> exchange.Parsed:
    """`exchange.parse`, a refused file as 400 (or 413 when too large)."""
    try:
        return exchange.parse(data, fmt, filename)
    except exchange.ExchangeError as e:
        raise (TooLarge(str(e)) if e.too_large else BadRequest(str(e), code="invalid_file")) from None


def import_entries(parsed: exchange.Parsed, *, replace: bool, dry_run: bool,
                   skip_invalid: bool) -> exchange.ImportReport:
    try:
        return exchange.import_entries(services().lexicon, parsed, replace=replace, dry_run=dry_run,
                                       skip_invalid=skip_invalid)
    except ValueError as e:
        raise BadRequest(str(e), code="malformed") from None
