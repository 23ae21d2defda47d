"""Public entry point (DESIGN.md §2): `service.extract.extract_text(html, url)` for scorers and tools.

The extractor itself lives in `service.reading.extract`.
"""
from __future__ import annotations

from service.reading.extract import extract, extract_text

__all__ = ["extract", "extract_text"]
