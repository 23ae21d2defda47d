"""Warming a serving process before its first visitor.

Why: the first click on a fresh process paid for loading espeak-ng and its voice, LAME, and the
code and regular expressions of extraction and Swedish normalization: with two serving processes,
the first pages read after a start took twice as long as later ones. Nothing here touches the
cache, the readings or the activity log.
"""
from __future__ import annotations

import logging

from . import audio
from .engines import fallback_engine
from .extract import extract
from .plan import plan_reading
from .services import Services

log = logging.getLogger(__name__)

PAGE = ("<!doctype html><html lang='sv'><head><title>Uppvärmning</title></head><body><nav>Meny</nav>"
        "<main><h1>Uppvärmning</h1><p>Den 1 jan. 2025 kl. 10.00 öppnar vi, t.ex. på S:t Eriks väg 3.</p>"
        "<ul><li>Avgift: 250 kr/mån</li></ul></main></body></html>")


def warm_up(services: Services) -> None:
    """Load and run once what every reading needs, with the embedded voice (every process has it
    as the fallback; an online engine is never called at start-up). A failure here is logged,
    never fatal."""
    try:
        engine = fallback_engine()
        plan = plan_reading(extract(PAGE, "https://lyssna.invalid/"), engine, None, 1.0, services.lexicon)
        block = plan.blocks[-1]
        audio.encode_segment(engine.synthesize(block.sentences[0].spoken, block.voice, 1.0))
    except Exception:  # the first visitor will meet the same failure with a clear error
        log.exception("warming up failed")
