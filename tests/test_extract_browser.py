"""Every locator extraction gives resolves in a real browser's DOM to the block's own element.

Why: the player highlights what is being read and starts from a clicked paragraph by running
`document.querySelector(locator)` in the visitor's browser. Our tree is built by Python's html.parser
and reshaped to look like a browser's; this test checks that claim against headless Chromium on all
14 fixture pages, served over real HTTP (scripts run, as they do for visitors).
"""
from __future__ import annotations

import re

import pytest

from service.reading.extract import extract

from .test_extract import NAMES, html_of

# textContent of the element, with what extraction normalises away removed: all whitespace (a <br>
# is a line break in block text but nothing in textContent), soft hyphens and zero-width characters.
RESOLVE_JS = """(locators) => locators.map((sel) => {
  let el = null;
  try { el = document.querySelector(sel); } catch (e) { return {error: String(e)}; }
  if (!el) return null;
  return {tag: el.tagName.toLowerCase(), text: el.textContent, alt: el.getAttribute('alt')};
})"""


def squeeze(text: str) -> str:
    return re.sub(r"[\s\u00ad\u200b\u200c\u200d\u2060\ufeff]+", "", text or "")


@pytest.fixture(scope="module")
def browser_page(chromium):
    context = chromium.new_context(locale="sv-SE", java_script_enabled=True)
    page = context.new_page()
    yield page
    context.close()


@pytest.mark.parametrize("name", NAMES)
def test_every_locator_resolves_to_its_element_in_chromium(name, fixture_site, browser_page):
    url = f"{fixture_site}/{name}.html"
    doc = extract(html_of(name), url)
    assert doc.blocks
    browser_page.goto(url, wait_until="load")
    found = browser_page.evaluate(RESOLVE_JS, [b.locator for b in doc.blocks])
    problems = []
    for block, hit in zip(doc.blocks, found):
        if hit is None or "error" in hit:
            problems.append(f"not found: {block.locator} ({block.text[:40]!r})")
        elif hit["tag"] == "img":
            if (hit["alt"] or "").strip() != block.text:
                problems.append(f"alt differs: {block.locator}")
        elif block.kind == "table-row":  # cells joined with ", ": each one, in order, in the <tr>
            row, at = squeeze(hit["text"]), 0
            for cell in block.text.split(", "):
                at = row.find(squeeze(cell), at)
                if hit["tag"] != "tr" or at < 0:
                    problems.append(f"row differs: {block.locator} ({block.text[:40]!r})")
                    break
        elif squeeze(block.text) not in squeeze(hit["text"]):
            problems.append(f"text not in element: {block.locator} ({block.text[:40]!r})")
    assert not problems, "\n".join(problems)
