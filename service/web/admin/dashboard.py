"""The admin overview: the dashboard (cache, activity, queue, failures) and the settings page."""
from __future__ import annotations

from flask import current_app

from service.reading.engines import engine_statuses

from ..state import services, state
from .base import bp, page


@bp.get("/")
def dashboard():
    svc = services()
    activity = svc.activity
    hours = activity.per_hour(24)
    batches = state().batches
    return page("dashboard.html", cache=svc.readings.cache_stats(), totals=activity.totals(),
                max_mb=current_app.config.get("CACHE_MAX_MB"), hours=hours,
                hours_max=max([n for _, n in hours] + [1]),
                queue=batches.queue_depth(), batches=batches.list(5),
                failures=activity.recent(("failed", "batch_failed"), 10),
                process_stats=dict(svc.readings.synthesizer.stats))


@bp.get("/settings")
def settings():
    config = current_app.config
    return page("settings.html", engines=engine_statuses(config), default_engine=config["ENGINE"],
                default_voice=config.get("VOICE"), sites=[p.origin for p in services().sites],
                cache_dir=config["CACHE_DIR"], max_mb=config.get("CACHE_MAX_MB"),
                lexicon_path=config.get("LEXICON"), redis=bool(config.get("REDIS_URL")),
                rate=config.get("RATE"), workers=config.get("WORKERS"))
