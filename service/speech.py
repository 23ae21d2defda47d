"""Public entry point (DESIGN.md §2): `service.speech.normalize` and `split_sentences` for tools.

Swedish speech text itself lives in `service.reading.speech`.
"""
from __future__ import annotations

from service.reading.speech import normalize, split_sentences

__all__ = ["normalize", "split_sentences"]
