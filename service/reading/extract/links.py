"""Links from a page to documents (PDFs) a listener may want read too: for pre-generation and the
player's document buttons. A link counts when its path ends in .pdf or it says type="application/pdf"."""
from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from .tree import parse

MAX_LINKS = 500  # per page: a document archive page is read in pieces, not in one pass


def document_links(html: str, url: str) -> list[str]:
    """Absolute http(s) addresses of the page's document links, in page order, each once."""
    soup = parse(html)
    found: dict[str, None] = {}
    for a in soup.find_all("a", href=True):
        href = a.get("href")
        if not isinstance(href, str) or not href.strip():
            continue
        target = urljoin(url, href.strip()).split("#", 1)[0]
        parts = urlsplit(target)
        kind = a.get("type")
        typed = isinstance(kind, str) and "pdf" in kind.lower()
        if parts.scheme in ("http", "https") and parts.netloc and (typed or parts.path.lower().endswith(".pdf")):
            found.setdefault(target, None)
            if len(found) >= MAX_LINKS:
                break
    return list(found)
