"""The pronunciation lexicon in the admin: list, add, edit, delete, and hear how a text is said."""
from __future__ import annotations

from flask import Response, abort, flash, redirect, request, url_for

from service.reading.create import preview, preview_audio
from service.store.lexicon import Lexicon

from ..state import services
from .base import bp, page

MAX_PREVIEW_CHARS = 500


def _lexicon() -> Lexicon:
    return services().lexicon


def _entry_form() -> dict:
    kind = request.form.get("kind", "text")
    return {"written": request.form.get("written", ""), "spoken": request.form.get("spoken", ""),
            "lang": (request.form.get("lang") or "sv").strip(),
            "case_sensitive": request.form.get("case_sensitive") == "1",
            "kind": kind if kind in ("text", "phonemes") else "text"}


def lexicon_page(http_status: int = 200, /, **context) -> Response:
    query = request.args.get("q", "").strip()[:200]
    entries = _lexicon().list(query=query or None)
    return page("lexicon.html", http_status, entries=entries, query=query, **context)


@bp.get("/lexicon")
def lexicon():
    return lexicon_page()


@bp.post("/lexicon")
def lexicon_add():
    fields = _entry_form()
    try:
        entry = _lexicon().add(**fields)
    except ValueError as e:
        return lexicon_page(400, error=str(e), form=fields)
    flash(f"Lade till ”{entry.written}”. / Added the entry.")
    return redirect(url_for("admin.lexicon"), code=303)


@bp.get("/lexicon/<int:entry_id>")
def lexicon_edit(entry_id: int):
    entry = _lexicon().get(entry_id)
    if entry is None:
        abort(404)
    return page("lexicon_edit.html", entry=entry, form=entry.to_dict())


@bp.post("/lexicon/<int:entry_id>")
def lexicon_update(entry_id: int):
    fields = _entry_form()
    try:
        entry = _lexicon().update(entry_id, **fields)
    except KeyError:
        abort(404)
    except ValueError as e:
        entry = _lexicon().get(entry_id)
        if entry is None:
            abort(404)
        return page("lexicon_edit.html", 400, entry=entry, form=fields, error=str(e))
    flash(f"Sparade ”{entry.written}”. / Saved the entry.")
    return redirect(url_for("admin.lexicon_edit", entry_id=entry.id), code=303)


@bp.post("/lexicon/<int:entry_id>/delete")
def lexicon_delete(entry_id: int):
    if not _lexicon().remove(entry_id):
        abort(404)
    flash("Uppslaget togs bort. / The entry was deleted.")
    return redirect(url_for("admin.lexicon"), code=303)


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
