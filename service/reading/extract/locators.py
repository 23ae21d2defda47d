"""CSS locators (`#id > tag:nth-of-type(n) > ...`) that find a block's element in the live page.
"""
from __future__ import annotations

from bs4 import BeautifulSoup, Tag

from .rules import MAX_LOCATOR_DEPTH


# ----------------------------------------------------------------------------------------- locators ---
def css_escape(ident: str) -> str:
    """CSS.escape() from CSSOM, so any id or tag name is safe inside a selector."""
    out = []
    for i, ch in enumerate(ident):
        cp = ord(ch)
        if cp == 0:
            out.append("\ufffd")
        elif 1 <= cp <= 0x1F or cp == 0x7F or (i == 0 and ch.isdigit() and ch.isascii()) or (
            i == 1 and ch.isdigit() and ch.isascii() and ident[0] == "-"
        ):
            out.append(f"\\{cp:x} ")
        elif i == 0 and ch == "-" and len(ident) == 1:
            out.append("\\-")
        elif cp >= 0x80 or ch in "-_" or (ch.isascii() and ch.isalnum()):
            out.append(ch)
        else:
            out.append("\\" + ch)
    return "".join(out)


class Locator:
    """Builds `#unique-id > tag:nth-of-type(n) > ...` selectors, caching sibling positions."""

    def __init__(self, elements: list[Tag]):
        self.ids: dict[str, int] = {}
        self.by_id: dict[str, Tag] = {}
        for el in elements:
            i = el.get("id")
            if isinstance(i, str) and i:
                self.ids[i] = self.ids.get(i, 0) + 1
                self.by_id.setdefault(i, el)
        self.nth: dict[int, int] = {}
        self.depth: dict[int, int] = {}
        self.steps: dict[int, str] = {}
        for el in elements:  # document order: parents first
            self.depth[id(el)] = self.depth.get(id(el.parent), 0) + 1

    def __call__(self, el: Tag) -> str:
        steps: list[str] = []
        cur: Tag | None = el
        # Chromium stops nesting at 512 levels (deeper elements become siblings), so absurdly deep blocks
        # are located by their ancestor at a depth both trees share; it still contains the block's text.
        while isinstance(cur, Tag) and self.depth.get(id(cur), 0) > MAX_LOCATOR_DEPTH:
            cur = cur.parent
        while isinstance(cur, Tag) and not isinstance(cur, BeautifulSoup):
            i = cur.get("id")
            if isinstance(i, str) and i and self.ids.get(i) == 1:
                steps.append("#" + css_escape(i))
                break
            if cur.name in ("body", "html"):
                steps.append(cur.name)
                break
            step = self.steps.get(id(cur))
            if step is None:
                step = self.steps[id(cur)] = f"{css_escape(cur.name)}:nth-of-type({self._nth(cur)})"
            steps.append(step)
            cur = cur.parent
        return " > ".join(reversed(steps))

    def _nth(self, el: Tag) -> int:
        key = id(el)
        if key not in self.nth:
            counts: dict[str, int] = {}
            parent = el.parent
            for sib in parent.children if parent is not None else (el,):
                if isinstance(sib, Tag):
                    counts[sib.name] = counts.get(sib.name, 0) + 1
                    self.nth[id(sib)] = counts[sib.name]
        return self.nth[key]
