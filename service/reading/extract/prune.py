"""Boilerplate told by where it stands in the reading, after the walk: short prose after the element
that holds the article (a bio, a disclaimer), teaser cards before or after the article, furniture
sections after it ("Related", "About the author", "Kommentarer"), a part of the page said twice,
headings whose section came out empty.

Why after the walk: these are decisions about a block's neighbours, not about one element. A list of
linked headings with a line each is the article when it stands between the article's paragraphs (a
"ten best ..." list) and "related articles" when it stands after the last of them.
"""
from __future__ import annotations

from bs4 import Tag

from .area import inside
from .page import class_words
from .rules import FURNITURE_HEADING
from .walker import FoundBlock


def prune(found: list[FoundBlock]) -> list[FoundBlock]:
    """`found` without what stands around the article (see the module's docstring)."""
    return _trailing_headings(_repeats(_tail_sections(_outside_teasers(_after_the_body(found)))))


def _outside_teasers(found: list[FoundBlock]) -> list[FoundBlock]:
    """Teaser blocks before the first or after the last block of the article's own text."""
    body = [i for i, f in enumerate(found) if not f.teaser and f.block.kind != "heading"]
    teasers = sum(len(f.block.text) for f in found if f.teaser)
    if not body or teasers > TEASER_SHARE * sum(len(f.block.text) for f in found):
        return found  # a page of teasers is a listing page: they are its content
    first, last = body[0], body[-1]
    keep = [i for i, f in enumerate(found) if not f.teaser or first < i < last]
    # A heading that only introduced teasers left out ("Related articles") goes with them.
    out = []
    for n, i in enumerate(keep):
        f = found[i]
        nxt = keep[n + 1] if n + 1 < len(keep) else len(found)
        if f.block.kind == "heading" and nxt > i + 1 and (nxt == len(found) or _rank(found[nxt]) <= _rank(f)):
            continue
        out.append(f)
    return out


def _tail_sections(found: list[FoundBlock]) -> list[FoundBlock]:
    """Sections after the article's text under a heading that names page furniture ("Related articles",
    "About the author", "Kommentarer"): the heading and what follows it inside the box that holds it,
    or, for a heading standing in the article's own flow, up to the next heading or long paragraph."""
    total = sum(len(f.block.text) for f in found) or 1
    out: list[FoundBlock] = []
    seen = 0
    box = None
    cutting = False
    for f in found:
        if cutting:
            if box is not None and f.el is not None and (f.el is box or inside(f.el, box)):
                continue
            if box is None and f.block.kind != "heading" and len(f.block.text) < TAIL_LONG:
                continue
            cutting = False
        if (f.block.kind == "heading" and f.el is not None and seen >= TAIL_FROM * total
                and len(f.block.text) <= 60 and FURNITURE_HEADING.match(f.block.text)):
            cutting, box = True, _box(f.el, len(f.block.text))
            continue
        seen += len(f.block.text)
        out.append(f)
    return out


def _after_the_body(found: list[FoundBlock]) -> list[FoundBlock]:
    """What follows the element that holds the article's running text (the deepest one with 80% of
    it), outside it, when that is short prose: an author's bio, a disclaimer, a call to action, a
    teaser. Kept when it is long, when it is facts (a table, a list, a <dl>), or when it stands in a
    box of the same kind as the article's (a CMS whose article goes on in the next text portlet)."""
    prose = [f for f in found if f.el is not None and f.block.kind != "heading" and len(f.block.text) >= 80]
    total = sum(len(f.block.text) for f in prose)
    if not total:
        return found
    chars: dict[int, int] = {}
    depth: dict[int, int] = {}
    els: dict[int, Tag] = {}
    for f in prose:
        parents = [p for p in f.el.parents if isinstance(p, Tag)]
        for d, p in enumerate(reversed(parents)):
            chars[id(p)] = chars.get(id(p), 0) + len(f.block.text)
            depth[id(p)] = d
            els[id(p)] = p
    body = max((k for k, c in chars.items() if c >= BODY_SHARE * total), key=lambda k: depth[k])
    holder = els[body]
    held = [i for i, f in enumerate(found) if f.el is not None and (f.el is holder or inside(f.el, holder))]
    if not held:
        return found
    last = held[-1]
    tail = found[last + 1:]
    if sum(len(f.block.text) for f in tail) > AFTER_SHARE * sum(len(f.block.text) for f in found):
        return found
    if _alike(holder, tail):
        return found  # the article goes on in a box of the same kind (a CMS's next text portlet)
    facts = sum(1 for f in tail if f.tag in FACT_TAGS or f.block.kind in ("table-row", "list-item"))
    if facts and facts >= sum(1 for f in tail if f.block.kind == "paragraph" and f.tag not in FACT_TAGS):
        return found  # facts that go with the article: a table, a list or a <dl> of date, place, salary ...
    return found[:last + 1]


BODY_SHARE = 0.8  # of the running text (blocks of 80+ characters): the element holding the article
FACT_TAGS = frozenset({"li", "dt", "dd", "tr", "td", "th"})
AFTER_SHARE = 0.3  # of the reading's text: more after the article's element is not an afterthought


def _alike(holder: Tag, tail: list[FoundBlock]) -> bool:
    """Whether the tail's first block stands in a box of the same kind (tag and classes) as the box
    holding the article's text, side by side under one parent."""
    first = next((f.el for f in tail if f.el is not None), None)
    if first is None:
        return False
    ours = {id(a): a for a in (holder, *holder.parents)}
    child = first
    for parent in first.parents:
        if id(parent) in ours:
            break
        child = parent
    else:
        return False
    mine = holder
    while isinstance(mine.parent, Tag) and mine.parent is not parent:
        mine = mine.parent
    if mine is child or mine.parent is not parent:
        return False
    classes = class_words(mine)
    return bool(classes) and child.name == mine.name and class_words(child) == classes


def _box(heading: Tag, chars: int) -> Tag | None:
    """The element a heading heads: its nearest ancestor holding more than the heading, unless that is a
    long stretch of the page (the heading stands in the article's own flow): None then."""
    cur = heading.parent
    while isinstance(cur, Tag) and len(cur.get_text(" ", strip=True)) <= chars + 2:
        cur = cur.parent
    if not isinstance(cur, Tag) or cur.name in ("body", "html", "main", "article"):
        return None
    if len(cur.get_text()) > TAIL_BOX:
        return None
    return cur


TAIL_LONG = 200  # a paragraph this long ends a section cut without a box: the article goes on
TAIL_BOX = 3000  # characters: more than a furniture box
TAIL_FROM = 0.5  # share of the reading's text before a furniture heading: the article comes first


def _rank(f: FoundBlock) -> int:
    """A heading's level (1-6); other blocks rank below every heading."""
    tag = f.tag
    return int(tag[1]) if f.block.kind == "heading" and len(tag) == 2 and tag[1].isdigit() else 7


def _repeats(found: list[FoundBlock]) -> list[FoundBlock]:
    """A part of the page said a second time is not said again: carousel clones, a sign-up box or a
    row of quotes shown twice. That is a run of blocks all said before, with two or more paragraphs
    in it, or one long paragraph. A line that recurs among new text ("Kontakta oss för mer
    information." after each answer, "Finns att låna" in each item of a list) is still read each time."""
    seen: set[str] = set()
    again = []
    for f in found:
        text = f.block.text
        again.append(text in seen and f.block.kind != "table-row")
        seen.add(text)
    drop: set[int] = set()
    i = 0
    while i < len(found):
        if not again[i]:
            i += 1
            continue
        j = i
        while j < len(found) and again[j]:
            j += 1
        lengths = [len(found[k].block.text) for k in range(i, j)]
        if sum(n >= REPEAT_MIN for n in lengths) >= 2:
            drop.update(range(i, j))
        else:
            drop.update(k for k in range(i, j) if lengths[k - i] >= REPEAT_LONG)
        i = j
    return [f for i, f in enumerate(found) if i not in drop]


REPEAT_MIN = 40
REPEAT_LONG = 200
TEASER_SHARE = 0.5


def _trailing_headings(found: list[FoundBlock]) -> list[FoundBlock]:
    """A reading never ends on a heading: one left at the end had its section left out."""
    end = len(found)
    while end > 1 and found[end - 1].block.kind == "heading":
        end -= 1
    return found[:end]
