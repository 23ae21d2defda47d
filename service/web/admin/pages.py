"""The pages list: every cached reading, newest per page and voice; regenerate, delete, purge."""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import abort, flash, redirect, request, url_for

from ..state import services, state
from .base import bp, page
from .i18n import pick, plural, t

PAGES_SHOWN = 200
STATUS_TEXT = {"ready": "Klar / Ready", "outdated": "Inaktuell / Outdated",
               "generating": "Skapas / Being made", "failed": "Misslyckades / Failed",
               "missing": "Saknar ljud / No audio"}


@dataclass
class PageRow:
    """One reading in the cache as the pages list shows it (computed without side effects)."""

    id: str
    url: str
    title: str
    voice: str
    status: str  # ready | outdated (ready, but a lexicon change touches it) | generating | failed | missing
    duration_ms: int
    sentences: int
    created: float
    older: int = 0  # earlier readings of the same page and voice (its text has changed since)


def page_rows(query: str, status: str) -> tuple[list[PageRow], int]:
    """The first PAGES_SHOWN rows matching a search (URL or title) and a status; and how many
    there are in all."""
    rows = newest_rows(query, status)
    return rows[:PAGES_SHOWN], len(rows)


def newest_rows(query: str, status: str) -> list[PageRow]:
    """Every page in the cache matching a search and a status: one row per page and voice (its
    newest reading). The dashboard counts these very rows, so its figure and this list agree."""
    readings = services().readings
    rows: list[PageRow] = []
    needle = query.lower()
    for stored in services().store.all():
        plan = stored.plan
        if not plan.is_page:
            continue  # a selection or HTML a page sent: never listed as the page's reading
        if needle and needle not in plan.url.lower() and needle not in (plan.title or "").lower():
            continue
        state_now = readings.status_of(stored)
        if state_now == "ready" and readings.is_outdated(stored):
            state_now = "outdated"
        if status and state_now != status:
            continue
        timings = readings.cache.timings(stored.audio_key) or {}
        rows.append(PageRow(stored.id, plan.url, plan.title or "", plan.voice_id, state_now,
                            int(timings.get("duration_ms", 0)), plan.sentence_count, stored.created))
    # One row per page and voice: the newest reading. Older ones (the page's text changed since)
    # are only counted; visitors never get them again and eviction removes them in time.
    rows.sort(key=lambda r: (r.url, r.voice, -r.created, r.status == "outdated"))  # (made in the same second)
    newest: list[PageRow] = []
    for row in rows:
        if newest and (newest[-1].url, newest[-1].voice) == (row.url, row.voice):
            newest[-1].older += 1
        else:
            newest.append(row)
    return newest


@bp.get("/pages")
def pages():
    query = request.args.get("q", "").strip()[:500]
    status = request.args.get("status", "")
    if status not in STATUS_TEXT:
        status = ""
    rows, total = page_rows(query, status)
    return page("pages.html", rows=rows, total=total, query=query, status=status,
                status_text={k: pick(v) for k, v in STATUS_TEXT.items()}, shown=PAGES_SHOWN)


def _form_url() -> str:
    url = request.form.get("url", "").strip()
    try:
        scheme = urlsplit(url).scheme
    except ValueError:  # "http://[::1" cannot even be taken apart
        abort(400)
    if scheme not in ("http", "https"):
        abort(400)
    return url


@bp.post("/pages/regenerate")
def page_regenerate():
    """Fetch the page again and make audio for its current text, as a batch of one."""
    url = _form_url()
    found = [r for r in services().store.for_url(url) if r.plan.is_page]
    asked = found[0].request if found else None  # the newest reading: read it as it was asked for
    batch_id = state().batches.start([url], label=url, options=asked.as_dict() if asked else None)
    return redirect(url_for("admin.batch", batch_id=batch_id), code=303)


@bp.post("/pages/delete")
def page_delete():
    url = _form_url()
    n = services().readings.purge_url(url)
    count = plural(n, "uppläsning", "uppläsningar", "reading", "readings")
    flash(t(f"{count} av {url} togs bort.", f"{count} of {url} deleted."))
    return redirect(url_for("admin.pages", q=request.form.get("q") or None), code=303)


@bp.post("/cache/purge")
def cache_purge():
    if request.form.get("confirm") != "yes":
        flash(pick("Kryssa i rutan för att bekräfta. / Tick the box to confirm."))
        return redirect(url_for("admin.pages"), code=303)
    n = services().readings.purge_all()
    count = plural(n, "fil", "filer", "file", "files")
    flash(t(f"Cachen tömdes: {count} togs bort.", f"The cache was emptied: {count} deleted."))
    return redirect(url_for("admin.pages"), code=303)
