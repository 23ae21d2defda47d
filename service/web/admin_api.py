"""JSON admin API (token auth): the pronunciation lexicon, previews, pages and the cache.

Every route requires `Authorization: Bearer <LYSSNA_ADMIN_PASSWORD>` (any password: the header's
bytes are read as UTF-8); without a configured password the routes do not exist (404). Wrong
passwords lock the client out with exponential back-off, shared with the admin UI (`auth`).
"""
from __future__ import annotations

from dataclasses import asdict
from functools import wraps

from flask import Blueprint, Response, current_app, jsonify, request

from service.errors import AdminDisabled, BadRequest, NotAuthenticated, NotFound
from service.reading.create import preview as spoken_preview
from service.reading.create import preview_audio
from service.reading.request import check_characters, check_lang
from service.store.lexicon import Lexicon, LexiconEntry
from service.store.lexicon_effects import Change
from service.store.lexicon_match import MATCHES

from . import lexicon_changes, lexicon_files
from .api import json_body, reading_response
from .auth import authenticate, header_bytes
from .state import services

bp = Blueprint("admin_api", __name__, url_prefix="/api/v1/admin")

MAX_PREVIEW_CHARS = 500
NO_ENTRY = "Uppslaget finns inte. / The entry does not exist."


def check_token() -> None:
    """Raise unless the request carries `Authorization: Bearer <admin password>`."""
    password = current_app.config.get("ADMIN_PASSWORD")
    if not password:
        raise AdminDisabled("Administrationen är avstängd (LYSSNA_ADMIN_PASSWORD saknas). / "
                            "Admin is disabled (LYSSNA_ADMIN_PASSWORD is not set).")
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip(" \t")  # only HTTP's own blanks: other characters may be bytes of UTF-8
    if scheme.lower() != "bearer" or not token:
        raise NotAuthenticated("Inloggning krävs: skicka Authorization: Bearer <lösenord>. / "
                               "Authentication required: send Authorization: Bearer <password>.")
    if not authenticate(header_bytes(token), str(password)):
        raise NotAuthenticated("Fel lösenord. / Wrong password.")


def admin_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        check_token()
        return view(*args, **kwargs)

    return wrapper


def _lexicon() -> Lexicon:
    return services().lexicon


def _body() -> dict:
    data = json_body()
    if not isinstance(data, dict):
        raise BadRequest("Kroppen måste vara ett JSON-objekt. / The body must be a JSON object.",
                         code="malformed")
    return data


def _entry_fields(data: dict, *, partial: bool) -> dict:
    fields: dict = {}
    for name in ("written", "spoken", "lang", "kind", "match"):
        if name in data:
            if not isinstance(data[name], str):
                raise BadRequest(f"{name} måste vara text. / {name} must be a string.", code="malformed")
            fields[name] = data[name]
        elif not partial and name in ("written", "spoken"):
            raise BadRequest(f"{name} saknas. / {name} is missing.", code="malformed")
    if "case_sensitive" in data:
        if not isinstance(data["case_sensitive"], bool):
            raise BadRequest("case_sensitive måste vara true eller false. / case_sensitive must be a boolean.",
                             code="malformed")
        fields["case_sensitive"] = data["case_sensitive"]
    if fields.get("kind", "text") not in ("text", "phonemes"):
        raise BadRequest("kind måste vara text eller phonemes. / kind must be text or phonemes.",
                         code="malformed")
    if fields.get("match", "word") not in MATCHES:
        raise BadRequest("match måste vara word, forms eller compounds. / "
                         "match must be word, forms or compounds.", code="malformed")
    return fields


def _checked(fields: dict, current: LexiconEntry | None = None) -> LexiconEntry:
    """The entry as it would be saved (its phonemes checked with the engine): 400, or 422 for
    phonemes espeak-ng does not know."""
    base = current.to_dict() if current is not None else {}
    names = ("written", "spoken", "lang", "case_sensitive", "kind", "match")
    merged = {k: fields.get(k, base.get(k)) for k in names}
    try:
        return lexicon_changes.candidate(**{k: v for k, v in merged.items() if v is not None})
    except ValueError as e:
        _invalid(e)
        raise  # (not reached)


def _affected(change: Change) -> dict:
    """What a change touched: the pages being made again and their batches."""
    return {"change": change.id, "pages": [p.url for p in change.pages], "batches": change.batches}


def _with_change(entry: LexiconEntry, change: Change) -> dict:
    return {**asdict(entry), "affected": _affected(change)}


def _invalid(e: ValueError):
    raise BadRequest(str(e), code="invalid_entry") from e


@bp.get("/lexicon")
@admin_required
def list_entries():
    entries = _lexicon().list(lang=request.args.get("lang") or None, query=request.args.get("q") or None)
    return jsonify({"entries": [asdict(e) for e in entries]})


@bp.post("/lexicon")
@admin_required
def add_entry():
    fields = _entry_fields(_body(), partial=False)
    checked = _checked(fields)
    replaced = _lexicon().find(checked.written, checked.lang, checked.case_sensitive)
    before = [replaced] if replaced else []
    try:
        entry = _lexicon().add(**fields)
    except ValueError as e:
        _invalid(e)
    change = lexicon_changes.after_change("edit" if before else "add", before, [entry])
    resp = jsonify(_with_change(entry, change))
    resp.status_code = 201
    return resp


@bp.get("/lexicon/export")
@admin_required
def export_lexicon():
    """The lexicon as a W3C PLS file (one language, `lang`, default sv) or CSV (all languages)."""
    return lexicon_files.download(request.args.get("format", "pls"), request.args.get("lang") or None)


@bp.post("/lexicon/import")
@admin_required
def import_lexicon():
    """Merge a PLS or CSV file (the body, or a multipart field `file`) into the lexicon; the report.
    A file with refused rows imports nothing (400, with the report) unless `skip_invalid=1`."""
    replace, dry_run, skip_invalid = (lexicon_files.flag(n) for n in ("replace", "dry_run", "skip_invalid"))
    fmt = lexicon_files.import_format()
    data, filename = lexicon_files.uploaded()
    report = lexicon_files.import_entries(lexicon_files.parse(data, fmt, filename), replace=replace,
                                          dry_run=dry_run, skip_invalid=skip_invalid)
    body = report.to_dict()
    if report.applied:
        body["affected"] = _affected(lexicon_changes.after_import(report))
    if report.errors and not report.applied and not dry_run:
        n = len(report.errors)
        message = (f"Inget importerades: {n} felaktiga rader. / Nothing was imported: {n} invalid rows. "
                   f"{report.errors[0].message}")
        resp = jsonify({"error": "invalid_entries", "message": message, "report": body})
        resp.status_code = 400
        return resp
    return jsonify(body)


@bp.get("/lexicon/<int:entry_id>")
@admin_required
def get_entry(entry_id: int):
    entry = _lexicon().get(entry_id)
    if entry is None:
        raise NotFound(NO_ENTRY)
    return jsonify(asdict(entry))


@bp.route("/lexicon/<int:entry_id>", methods=["PUT", "PATCH"])
@admin_required
def update_entry(entry_id: int):
    fields = _entry_fields(_body(), partial=request.method == "PATCH")
    before = _lexicon().get(entry_id)
    if before is None:
        raise NotFound(NO_ENTRY)
    _checked(fields, before)
    try:
        entry = _lexicon().update(entry_id, **fields)
    except KeyError:
        raise NotFound(NO_ENTRY) from None
    except ValueError as e:
        _invalid(e)
    return jsonify(_with_change(entry, lexicon_changes.after_change("edit", [before], [entry])))


@bp.delete("/lexicon/<int:entry_id>")
@admin_required
def delete_entry(entry_id: int):
    before = _lexicon().get(entry_id)
    if before is None or not _lexicon().remove(entry_id):
        raise NotFound(NO_ENTRY)
    change = lexicon_changes.after_change("delete", [before], [])
    return Response(status=204, headers={"X-Lyssna-Affected-Pages": str(len(change.pages))})


@bp.post("/lexicon/preview")
@admin_required
def preview_entry():
    """Before saving: the entry as checked, how its written form is said, and the words on the
    site (in the cached pages) it would change, with their pages."""
    entry = _checked(_entry_fields(_body(), partial=False))
    effect = lexicon_changes.preview(entry)
    return jsonify({"entry": asdict(entry), "said": lexicon_changes.said(entry), **effect.to_dict()})


@bp.post("/lexicon/sample")
@admin_required
def sample_entry():
    """Before saving: the MP3 of the entry's written form as it will sound."""
    entry = _checked(_entry_fields(_body(), partial=False))
    mp3 = lexicon_changes.sample(entry, "api:" + (request.remote_addr or ""))
    return Response(mp3, mimetype="audio/mpeg", headers={"Cache-Control": "no-store"})


@bp.post("/preview")
@admin_required
def preview():
    """How a text will be said: after the lexicon, normalized; `?audio=1` answers with the MP3."""
    data = _body()
    text = data.get("text")
    lang = data.get("lang")
    lang = "sv" if lang is None or lang == "" else check_lang(lang)
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_PREVIEW_CHARS:
        raise BadRequest(f"text måste vara 1–{MAX_PREVIEW_CHARS} tecken. / "
                         f"text must be 1–{MAX_PREVIEW_CHARS} characters.", code="malformed")
    check_characters(text, "text")
    after, spoken, matched = spoken_preview(services(), text, lang)
    if request.args.get("audio") == "1":
        return Response(preview_audio(services(), spoken, lang), mimetype="audio/mpeg",
                        headers={"Cache-Control": "no-store"})
    return jsonify({"text": text, "after_lexicon": after, "spoken": spoken, "matched": matched})


# -- pages and cache (a CMS calls "regenerate this URL" when an editor publishes) -------------------


@bp.post("/pages")
@admin_required
def regenerate_page():
    """Fetch the page again and make sure its current text has audio; 200 ready, 202 generating."""
    return reading_response(_body(), use_memo=False, limited=False)  # the page changed: fetch it again


def _url_argument() -> str:
    url = request.args.get("url", "")
    if not url:
        raise BadRequest("Ange url. / Give a url.", code="missing_url")
    return url


@bp.get("/pages")
@admin_required
def list_pages():
    """Readings of one page (`?url=`), newest first, with their status."""
    url = _url_argument()
    readings = services().readings
    out = []
    for stored in services().store.for_url(url):
        if not stored.plan.is_page:
            continue  # what clients sent is not the page's reading
        r = readings.get(stored.id)
        if r:
            out.append({k: r[k] for k in ("id", "status", "url", "title", "voice", "duration_ms",
                                          "sentence_count", "audio_url")})
    return jsonify({"readings": out})


@bp.delete("/pages")
@admin_required
def purge_page():
    n = services().readings.purge_url(_url_argument())
    return jsonify({"purged_readings": n})


@bp.get("/cache")
@admin_required
def cache_stats():
    readings = services().readings
    return jsonify({**readings.cache_stats(), "generated": dict(readings.synthesizer.stats),
                    "max_mb": current_app.config.get("CACHE_MAX_MB")})


@bp.delete("/cache")
@admin_required
def purge_cache():
    if request.args.get("confirm") != "yes":
        raise BadRequest("Bekräfta med ?confirm=yes: allt inspelat ljud tas bort. / "
                         "Confirm with ?confirm=yes: all audio will be deleted.", code="confirm")
    return jsonify({"purged_files": services().readings.purge_all()})
