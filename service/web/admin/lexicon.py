"""The pronunciation lexicon in the admin: list, add, edit, delete, hear how a text is said, and
export or import the whole lexicon as a PLS or CSV file.

An import is shown before it is made when asked (a preview) and always when it would remove
entries (replace) or has invalid rows: the uploaded file waits in the cache directory under a
random name that only this session knows, so confirming does not need the file chosen again.
"""
from __future__ import annotations

import hmac
import secrets
import time
from pathlib import Path

from flask import Response, abort, current_app, flash, redirect, request, session, url_for

from service.errors import BadRequest, LyssnaError
from service.reading.create import preview, preview_audio
from service.store.lexicon import Lexicon, LexiconEntry

from .. import lexicon_changes, lexicon_files
from ..state import services, state
from .base import bp, page
from .i18n import language, t

MAX_PREVIEW_CHARS = 500
UPLOAD_MAX_AGE_S = 3600


def _lexicon() -> Lexicon:
    return services().lexicon


def _entry_form() -> dict:
    kind = request.form.get("kind", "text")
    return {"written": request.form.get("written", ""), "spoken": request.form.get("spoken", ""),
            "lang": (request.form.get("lang") or "sv").strip(),
            "case_sensitive": request.form.get("case_sensitive") == "1",
            "kind": kind if kind in ("text", "phonemes") else "text",
            "match": request.form.get("match", "word")}  # checked with the rest of the entry


def lexicon_page(http_status: int = 200, /, **context) -> Response:
    query = request.args.get("q", "").strip()[:200]
    entries = _lexicon().list(query=query or None)
    langs = sorted({e.lang for e in _lexicon().list()} | {"sv"})  # PLS holds one language a file
    return page("lexicon.html", http_status, entries=entries, query=query, langs=langs, **_change(),
                **context)


def _change() -> dict:
    """The change just saved (`?change=`), for the result page: the pages it touches, the words,
    and the batches making those pages again."""
    change = lexicon_changes.changes().load(request.args.get("change", ""))
    if change is None:
        return {}
    batches = [b for b in (state().batches.get(i) for i in change.batches) if b is not None]
    return {"change": change, "batches": batches}


def _before_saving(fields: dict, entry_id: int = 0) -> tuple[LexiconEntry | None, dict]:
    """The checked entry when the admin asked to save it, else what the form page shows: an error
    (the input kept), or the entry heard ("hear") and the words it would change ("preview")."""
    action = request.form.get("action", "save")
    try:
        entry = lexicon_changes.candidate(**fields, id=entry_id)
    except ValueError as e:
        return None, {"http_status": 400, "error": str(e)}
    except LyssnaError as e:
        return None, {"http_status": e.status, "error": e.message}
    if action not in ("hear", "preview"):
        return entry, {}
    context: dict = {"sample_url": url_for("admin.lexicon_sample", **_sample_args(entry)),
                     "said": lexicon_changes.said(entry)}
    if action == "preview":
        context["effect"] = lexicon_changes.preview(entry)
    return None, context


def _sample_args(entry: LexiconEntry) -> dict:
    return {"written": entry.written, "spoken": entry.spoken, "kind": entry.kind, "lang": entry.lang,
            "match": entry.match, "case_sensitive": "1" if entry.case_sensitive else None}


@bp.get("/lexicon")
def lexicon():
    return lexicon_page()


@bp.post("/lexicon")
def lexicon_add():
    fields = _entry_form()
    checked, context = _before_saving(fields)
    if checked is None:
        return lexicon_page(context.pop("http_status", 200), form=fields, **context)
    replaced = _lexicon().find(checked.written, checked.lang, checked.case_sensitive)
    before = [replaced] if replaced else []
    try:
        entry = _lexicon().add(**fields)
    except ValueError as e:
        return lexicon_page(400, error=str(e), form=fields)
    change = lexicon_changes.after_change("edit" if before else "add", before, [entry])
    flash(t(f"Lade till ”{entry.written}”.", f"Added “{entry.written}”."))
    return redirect(url_for("admin.lexicon", change=change.id, _anchor="change"), code=303)


@bp.get("/lexicon/<int:entry_id>")
def lexicon_edit(entry_id: int):
    entry = _lexicon().get(entry_id)
    if entry is None:
        abort(404)
    return page("lexicon_edit.html", entry=entry, form=entry.to_dict(), **_change())


@bp.post("/lexicon/<int:entry_id>")
def lexicon_update(entry_id: int):
    fields = _entry_form()
    before = _lexicon().get(entry_id)
    if before is None:
        abort(404)
    checked, context = _before_saving(fields, entry_id)
    if checked is None:
        status = context.pop("http_status", 200)
        return page("lexicon_edit.html", status, entry=before, form=fields, **context)
    try:
        entry = _lexicon().update(entry_id, **fields)
    except KeyError:
        abort(404)
    except ValueError as e:
        return page("lexicon_edit.html", 400, entry=before, form=fields, error=str(e))
    change = lexicon_changes.after_change("edit", [before], [entry])
    flash(t(f"Sparade ”{entry.written}”.", f"Saved “{entry.written}”."))
    return redirect(url_for("admin.lexicon_edit", entry_id=entry.id, change=change.id, _anchor="change"),
                    code=303)


@bp.post("/lexicon/<int:entry_id>/delete")
def lexicon_delete(entry_id: int):
    before = _lexicon().get(entry_id)
    if before is None or not _lexicon().remove(entry_id):
        abort(404)
    change = lexicon_changes.after_change("delete", [before], [])
    flash(t("Uppslaget togs bort.", "The entry was deleted."))
    return redirect(url_for("admin.lexicon", change=change.id, _anchor="change"), code=303)


@bp.get("/lexicon/sample.mp3")
def lexicon_sample():
    """A written form as an entry not yet saved would make it sound (no side effects)."""
    args = request.args
    try:
        entry = lexicon_changes.candidate(
            written=args.get("written", ""), spoken=args.get("spoken", ""), lang=args.get("lang") or "sv",
            case_sensitive=args.get("case_sensitive") == "1", kind=args.get("kind", "text"),
            match=args.get("match", "word"))
    except ValueError as e:
        raise BadRequest(str(e), code="invalid_entry") from e
    mp3 = lexicon_changes.sample(entry, str(session.get("sid", "")))
    return Response(mp3, mimetype="audio/mpeg", headers={"Content-Length": str(len(mp3))})


@bp.get("/lexicon/export")
def lexicon_export():
    return lexicon_files.download(request.args.get("format", "pls"), request.args.get("lang") or None)


def _uploads() -> Path:
    return Path(current_app.config["CACHE_DIR"]) / "lexicon-uploads"


def _stash(data: bytes, filename: str | None, fmt: str | None) -> str:
    """Keep an uploaded file until it is confirmed; older ones (an hour) are cleared away."""
    folder = _uploads()
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.upload"):
        if old.stat().st_mtime < time.time() - UPLOAD_MAX_AGE_S:
            old.unlink(missing_ok=True)
    token = secrets.token_urlsafe(24)
    (folder / f"{token}.upload").write_bytes(data)
    session["lexicon_upload"] = {"token": token, "name": filename or "", "format": fmt or ""}
    return token


def _unstash(token: str) -> tuple[bytes, str | None, str | None]:
    kept = session.get("lexicon_upload") or {}
    path = _uploads() / f"{kept.get('token', '')}.upload"
    if not hmac.compare_digest(str(kept.get("token", "")).encode(), token.encode()) or not path.is_file():
        raise LyssnaError("Den uppladdade filen finns inte kvar; välj den igen. / The uploaded file is no "
                          "longer here; choose it again.", code="upload_gone", status=400)
    return path.read_bytes(), kept.get("name") or None, kept.get("format") or None


def _drop_stash() -> None:
    kept = session.pop("lexicon_upload", None) or {}
    if kept.get("token"):
        (_uploads() / f"{kept['token']}.upload").unlink(missing_ok=True)


@bp.post("/lexicon/import")
def lexicon_import():
    """Import a PLS or CSV file: straight away, or first shown (preview, removals, invalid rows)."""
    try:
        replace, dry_run, skip_invalid = (lexicon_files.flag(name)
                                          for name in ("replace", "dry_run", "skip_invalid"))
        token = request.form.get("upload", "")
        if token:
            data, filename, fmt = _unstash(token)
        else:
            fmt = lexicon_files.import_format()
            data, filename = lexicon_files.uploaded()
        parsed = lexicon_files.parse(data, fmt, filename)
        confirmed = request.form.get("confirm") == "yes"
        report = lexicon_files.import_entries(parsed, replace=replace, dry_run=True,
                                              skip_invalid=skip_invalid)
    except LyssnaError as e:
        return lexicon_page(e.status, error=e.message)
    if dry_run or (report.errors and not skip_invalid) or (report.removed and not confirmed):
        usable = bool(report.added or report.changed or report.removed)
        token = _stash(data, filename, fmt) if usable and not token else token
        return page("lexicon_import.html", 400 if report.errors and not skip_invalid else 200, report=report,
                    token=token if usable else "", replace=replace, filename=filename or "")
    report = lexicon_files.import_entries(parsed, replace=replace, dry_run=False, skip_invalid=skip_invalid)
    _drop_stash()
    flash(report.summary(language()))
    if not report.applied:
        return redirect(url_for("admin.lexicon"), code=303)
    change = lexicon_changes.after_import(report)
    return redirect(url_for("admin.lexicon", change=change.id, _anchor="change"), code=303)


def _preview_text() -> tuple[str, str]:
    text = request.args.get("text", "")
    lang = request.args.get("lang") or "sv"
    if not text.strip() or len(text) > MAX_PREVIEW_CHARS or len(lang) > 20:
        abort(400)
    return text, lang


@bp.get("/lexicon/preview")
def lexicon_preview():
    """A page showing how a text will be said, with a player (works without JavaScript)."""
    text, lang = _preview_text()
    after, spoken, _matched = preview(services(), text, lang)
    return page("preview.html", text=text, lang=lang, after=after, spoken=spoken)


@bp.get("/lexicon/preview.mp3")
def lexicon_preview_mp3():
    """The MP3 of a text after the lexicon and normalization: "play this word"."""
    text, lang = _preview_text()
    _after, spoken, _matched = preview(services(), text, lang)
    mp3 = preview_audio(services(), spoken, lang)
    return Response(mp3, mimetype="audio/mpeg", headers={"Content-Length": str(len(mp3))})
