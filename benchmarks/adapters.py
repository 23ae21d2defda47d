"""Adapters that give other extractors the scorer's `(html, url) -> str` signature.

Used only by benchmarks (the `bench` extra: trafilatura, readability-lxml); the service never imports
this module. Function names differ because the scorer names each result by its function name.
"""
from __future__ import annotations

import re

_TAGS = re.compile(r"<[^>]+>")
_BLOCK_END = re.compile(r"</(p|div|h[1-6]|li|tr|td|th|dt|dd|blockquote|pre|figcaption|caption)>|<br\s*/?>", re.I)


def trafilatura_text(html: str, url: str) -> str:
    """trafilatura main text, comments excluded (the setting the issue asks for)."""
    import trafilatura

    return trafilatura.extract(html, url=url or None, include_comments=False) or ""


def readability_text(html: str, url: str) -> str:
    """readability-lxml's summary HTML flattened to text, one block per line."""
    import html as html_lib

    from readability import Document

    if not html or not html.strip():
        return ""
    summary = Document(html, url=url or None).summary(html_partial=True)
    text = _TAGS.sub("", _BLOCK_END.sub("\n", summary))
    lines = (" ".join(line.split()) for line in html_lib.unescape(text).split("\n"))
    return "\n".join(line for line in lines if line)
