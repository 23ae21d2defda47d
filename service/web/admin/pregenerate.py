"""Pre-generating a site from the admin: the form (sitemap or URL list), batch progress, refresh."""
from __future__ import annotations

from flask import Response, abort, current_app, flash, jsonify, redirect, request, url_for

from service.errors import LyssnaError
from service.reading.fetch import FetchLimits
from service.reading.request import page_options
from service.store.files import valid_key
from service.work.refresh import last_summary
from service.work.sitemaps import read_sitemap, read_url_list

from ..state import services, state
from .base import bp, page
from .i18n import pick, plural, t

MAX_URL_LIST_CHARS = 2_000_000


def pregenerate_page(http_status: int = 200, /, **context) -> Response:
    """The pre-generation page: the form, who would run a new batch, the refresh schedule, the runs."""
    batches = state().batches
    workers = batches.workers()
    return page("pregenerate.html", http_status, batches=batches.list(20), mode=batches.mode(),
                workers=sum(int(w.get("workers") or 1) for w in workers),
                refresh_hours=current_app.config.get("REFRESH_HOURS"),
                refresh=last_summary(current_app.config["CACHE_DIR"]), **context)


@bp.get("/pregenerate")
def pregenerate():
    return pregenerate_page()


@bp.post("/pregenerate")
def pregenerate_start():
    sitemap = request.form.get("sitemap", "").strip()
    text = request.form.get("urls", "")[:MAX_URL_LIST_CHARS]
    asked = {k: request.form.get(k, "") for k in ("content", "skip")}
    try:
        options = page_options(asked["content"], asked["skip"])
    except LyssnaError as e:
        return pregenerate_page(e.status, error=e.message, sitemap=sitemap, urls=text, **asked)
    notes: list[str] = []
    if sitemap:
        try:
            result = read_sitemap(sitemap, services().sites, FetchLimits.for_sitemaps(current_app.config))
        except LyssnaError as e:
            return pregenerate_page(e.status, error=e.message, sitemap=sitemap, urls=text, **asked)
        urls = result.urls
        label = sitemap
        notes += [f"{p.url}: {pick(p.reason)}" for p in result.errors]
        if result.skipped:
            count = plural(result.skipped, "adress", "adresser", "URL", "URLs")
            notes.append(t(f"{count} på andra webbplatser hoppades över.",
                           f"{count} on other sites were skipped."))
    elif text.strip():
        listed = read_url_list(text if "\n" in text else text + "\n")
        urls = list(listed)
        label = plural(len(urls), "adress", "adresser", "URL", "URLs")
        notes += [f"{t('Rad', 'Line')} {bad.line}: {bad.text} – {pick(bad.reason)}"
                  for bad in listed.invalid[:20]]
    else:
        return pregenerate_page(400, error="Ange en webbplatskarta eller minst en adress. / "
                                           "Give a sitemap or at least one URL.")
    if not urls:
        return pregenerate_page(422, notes=notes,
                                error="Inga sidor att läsa in hittades. / No pages to generate were found.",
                                sitemap=sitemap, urls=text, **asked)
    batch_id = state().batches.start(urls, label=label, options=options)
    for note in notes[:20]:
        flash(note)
    return redirect(url_for("admin.batch", batch_id=batch_id), code=303)


def batch_or_404(batch_id: str) -> dict:
    progress = state().batches.get(batch_id) if valid_key(batch_id) else None
    if progress is None:
        abort(404)
    return progress


@bp.get("/pregenerate/<batch_id>")
def batch(batch_id: str):
    return page("batch.html", batch=batch_or_404(batch_id))


@bp.get("/pregenerate/<batch_id>/status")
def batch_status(batch_id: str):
    """The progress as JSON, for the page's small polling script."""
    return jsonify(batch_or_404(batch_id))
