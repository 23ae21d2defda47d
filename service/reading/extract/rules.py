"""Patterns and tag sets: what counts as hidden, boilerplate, chrome, metadata or content.

Kept apart so the rules can be read (and argued about) in one place.
"""
from __future__ import annotations

import re

from bs4.element import CData, Comment, Declaration, Doctype, ProcessingInstruction

NOTHING_TO_READ = "Sidan har ingen text att läsa upp. / The page has no text to read aloud."
BAD_SELECTOR = "Ogiltig CSS-väljare i {field}. / Invalid CSS selector in {field}."
MAX_SELECTOR_LEN = 1000
# Which area was read and why (ContentArea.reason), by code; {named} is what a ReadSpeaker link names.
AREA_REASONS = {
    "content": "Sidans egen data-content-väljare. / The embedding page's data-content selector.",
    "readspeaker": "Sidans ReadSpeaker-område ({named}). / The page's own ReadSpeaker area ({named}).",
    "auto": "Huvudinnehållet, hittat automatiskt. / The main content, found automatically.",
    "content_empty": "data-content-väljaren gav ingen text att läsa; huvudinnehållet hittades automatiskt. / "
                     "The data-content selector gave no text to read; the main content was found automatically.",
    "readid_missing": "Sidans ReadSpeaker-område ({named}) finns inte på sidan; huvudinnehållet hittades "
                      "automatiskt. / The ReadSpeaker area ({named}) is not on the page; the main content was "
                      "found automatically.",
    "readid_chrome": "Sidans ReadSpeaker-område ({named}) är navigering eller en sidospalt; huvudinnehållet "
                     "lästes i stället. / The ReadSpeaker area ({named}) is navigation or a sidebar; the main "
                     "content was read instead.",
    "readid_stub": "Sidans ReadSpeaker-område ({named}) har bara en liten del av artikeln; hela huvudinnehållet "
                   "lästes. / The ReadSpeaker area ({named}) holds only a small part of the article; the whole "
                   "main content was read.",
    "page": "Inget huvudinnehåll hittades; sidans synliga text lästes. / No main content was found; the page's "
            "visible text was read.",
}
MAX_LOCATOR_DEPTH = 400


# --------------------------------------------------------------------------------------------- tags ---
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
# Elements whose text is never heard: invisible, interactive, embedded or navigation.
HARD_SKIP_TAGS = frozenset({
    "script", "style", "template", "noscript", "iframe", "frame", "frameset", "svg", "math", "nav",
    "lyssna-player", "head", "title", "meta", "link", "base", "object", "embed", "canvas", "audio",
    "video", "map", "input", "select", "textarea", "button", "option", "optgroup", "datalist", "output",
    "progress", "meter", "label", "legend", "dialog", "applet",
})
BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details", "dir",
    "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "header", "hgroup", "hr",
    "html", "li", "main", "menu", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "td",
    "tfoot", "th", "thead", "tr", "ul", "dialog", "search", "noscript",
}) | HEADINGS
# A start tag of one of these closes an open <p> in a browser.
CLOSES_P = frozenset({
    "address", "article", "aside", "blockquote", "center", "details", "dialog", "dir", "div", "dl",
    "fieldset", "figcaption", "figure", "footer", "form", "header", "hgroup", "hr", "main", "menu", "nav",
    "ol", "p", "pre", "section", "summary", "table", "ul", "search",
}) | HEADINGS
HEAD_TAGS = frozenset({"head", "title", "meta", "link", "style", "script", "base", "noscript", "template"})
TABLE_OK = {
    "table": frozenset({"caption", "colgroup", "thead", "tbody", "tfoot", "tr", "script", "style", "template"}),
    "thead": frozenset({"tr", "script", "style", "template"}),
    "tbody": frozenset({"tr", "script", "style", "template"}),
    "tfoot": frozenset({"tr", "script", "style", "template"}),
    "tr": frozenset({"td", "th", "script", "style", "template"}),
}
SKIP_STRINGS = (Comment, CData, Declaration, Doctype, ProcessingInstruction)

# Screen-reader-only, hidden and read-aloud-tool classes (README: "Text that is not visible").
HARD_SKIP_CLASSES = frozenset({
    "rs_skip", "no-read-aloud", "rsbtn", "rs_addtools", "rspopup", "sr-only", "visually-hidden",
    "visuallyhidden", "sv-visuallyhidden", "screen-reader-text", "screen-reader-only", "element-invisible",
    "visually-hidden-focusable", "show-for-sr", "screenreader", "assistive-text", "env-assistive-text",
    "w-form-done", "w-form-fail",
    "hidden", "d-none", "is-hidden", "u-hidden", "hide", "a11y-hidden", "offscreen", "ba-toggle",
})
# Layout classes that scripts remove on load; a wrapper with this much running text is shown, not hidden.
LAYOUT_HIDDEN = frozenset({"hidden", "d-none", "is-hidden", "u-hidden", "hide"})
REVEAL_CHARS = 1000
# React streaming SSR parks server-rendered text in <div hidden id="S:0"> until a script swaps it in: it is
# what visitors see, so it is read (its locators point at the parked copy, which the swap moves).
STREAM_BOUNDARY = re.compile(r"^S:\d+$")
HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
LISTEN_TEXT = re.compile(r"^(lyssna|lyssna på sidan|lyssna och översätt|listen|listen to this page)$", re.I)
LISTEN_HREF = re.compile(r"readspeaker\.com|/rsent\b|insipio\.com|browsealoud|talandewebb", re.I)

# Boilerplate inside a content area (class / id words), applied below the content root only.
BOILERPLATE = re.compile(
    r"(?:^|[\s_-])(?:share|sharing|social|some|breadcrumbs?|brodsmulor|byline|credits?|kicker|tags|taglist|"
    r"tag-list|categor(?:y|ies)|related|relaterat|feedback|rating|cookies?|cookiebar|consent|cmplz|gdpr|"
    r"pager|pagination|pagenav|toc|print|skip|skiplinks?|article-info|page-info|pageinfo|page-meta|"
    r"node-meta|entry-meta|post-meta|entry-footer|updated|created|dateline|timestamp|subscribe|newsletter|"
    r"comments?|sidebar|subnav|submenu|advert|ads|sponsor|promo|signup|search|menu|author-box)"
    r"(?:$|[\s_-])"
    r"|feedback|breadcrumb|cookie|pagination|newsletter|sidebar|social",
    re.I,
)


SOFT_SKIP_ROLES = frozenset({"banner", "contentinfo", "complementary", "dialog", "alertdialog", "menu",
                             "menubar", "toolbar"})
HARD_SKIP_ROLES = frozenset({"navigation", "search"})
# Page metadata and navigation lines (README: "Excluded ... even inside the article area").
META_LINE = re.compile(
    r"^(senast (uppdaterad|ändrad|granskad|reviderad)|uppdaterad|publicerad|sidansvarig|redaktör|"
    r"ansvarig utgivare|sidan (uppdaterades|publicerades|granskades)|last (updated|modified|reviewed)|"
    r"updated|published)\b",
    re.I,
)
# A line that is only a date, a relative time or a reading time is page metadata, not text.
_MONTHS = (r"(?:jan|feb|mar|apr|may|maj|jun|jul|aug|sep|oct|okt|nov|dec)[a-zé]*\.?")
DATE_LINE = re.compile(
    r"^(?:(?:mon|tue|wed|thu|fri|sat|sun|mån|tis|ons|tors|fre|lör|sön)[a-z]*\.?,?\s+)?"
    r"(?:" + _MONTHS + r"\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}|\d{1,2}\.?\s+" + _MONTHS + r",?\s+\d{4}"
    r"|\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{2,4})"
    r"(?:,?\s+(?:kl\.?\s*)?\d{1,2}[:.]\d{2}(?:\s*[ap]\.?m\.?)?(?:\s+[A-Z]{2,4})?)?\s*[|·•–-]?\s*"
    r"(?:\d+\s+min(?:ute)?s?(?:\s+read)?)?$"
    r"|^(?:on|posted|posted on|published|published on|publicerad)\s+" + _MONTHS + r"\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}$"
    r"|^\d+\s+(?:min(?:ute)?s?|hours?|days?|weeks?|months?|years?)\s+(?:read|ago)$"
    r"|^\d+\s+min(?:uters?)?\s+läsning$",
    re.I,
)


META_SEPARATOR = re.compile(r"\s*[|•·]\s*")


def meta_in_parts(text: str) -> bool:
    """A line of page metadata in parts: "Anna Berg • 20 okt 2025", "Dec 19, 2025 | 5 min read"."""
    parts = [p for p in META_SEPARATOR.split(text) if p]
    return len(parts) >= 2 and any(DATE_LINE.match(p) or META_LINE.match(p) for p in parts)


# Photo credits and lone labels that are furniture wherever they stand (README: credits are excluded).
# A site's copyright line ("Copyright© 2026 ... All Rights Reserved."), wherever the footer sits.
COPYRIGHT_LINE = re.compile(r"\ball rights reserved\b|\balla rättigheter (?:är )?förbehållna\b|"
                            r"^(?:copyright\s*)?(?:©|\(c\))\s*(?:19|20)\d\d\b|^copyright\s+(?:19|20)\d\d\b", re.I)
CREDIT_LINE = re.compile(
    r"^(?:photo|image|picture|bild|foto|illustration|grafik)(?:\s+(?:credits?|source))?\s*[:©]"
    r"|^(?:©|credits?:)"
    r"|(?:getty images|shutterstock|istock(?:photo)?|unsplash|ap photo|reuters|tt nyhetsbyrån|mostphotos)\.?\)?$"
    r"|^(?:advertisement|annons|sponsored|reklam|share(?: this(?: article| post| page)?)?|dela(?: sidan| artikeln)?)$",
    re.I,
)
# Affiliate and sponsorship disclosures that stand before or after an article (English and Swedish).
DISCLOSURE_LINE = re.compile(
    r"\b(?:we|i) (?:may )?(?:earn|receive|get) (?:a )?(?:small |affiliate )?(?:commission|compensation)"
    r"|\b(?:contains|includes|uses) affiliate links\b|\bas an amazon associate\b|\breader-supported\b"
    r"|\bbrought to you by \w+(?: \w+)? partners\b|\bindependently selected by our editors\b"
    r"|\binnehåller (?:annons|affiliate|reklam)länkar\b",
    re.I,
)
BYLINE = re.compile(r"^(?:By|Written by|Av)\s+[A-ZÅÄÖ][\w.'-]+(?:\s+[A-ZÅÄÖ][\w.'-]+){0,3}(?:$|[,|•·–]\s)")
LABEL_LINE = re.compile(
    r"^(\w*kategori(er)?|ämnen|taggar|etiketter|tags|categories|category|filed under)\s*:"
    r"|^(var den här sidan till hjälp|hittade du (det|den information) du (sökte|letade efter)|"
    r"fick du svar på din fråga|hjälpte informationen|was this (page|article) helpful)",
    re.I,
)


# Headings of page furniture that follows an article (prune.py: their sections are left out there).
_FEW = r"(?:\s+[\w&'’.-]+){1,3}"  # a name of one to three words: "More from CFR", "Mer om Kulturskolan"
FURNITURE_HEADING = re.compile(
    r"(?:related(?: articles| posts| stories| content| reading| topics| links)?"
    r"|more (?:from|by|on)" + _FEW + r"|more (?:stories|articles|news|like this|to read)"
    r"|you (?:may|might) also (?:like|enjoy)|recommended(?: for you| reading| articles)?"
    r"|popular(?: posts| articles| stories| now)?|trending(?: now)?|most (?:read|popular|viewed)"
    r"|latest (?:news|posts|articles|stories|insights)|read (?:next|more|also)|about the authors?"
    r"|share(?: this)?(?: article| post| story| page)?|\d* ?comments?|leave a (?:reply|comment)"
    r"|newsletters?|(?:subscribe|sign up) (?:to|for) our newsletter|subscribe to" + _FEW
    + r"|disclaimer|tags|topics"
    r"|läs (?:också|även|mer)|relaterat|relaterade (?:sidor|artiklar|nyheter|länkar)|mer (?:om|från)" + _FEW
    + r"|dela(?: sidan| artikeln)?|\d* ?kommentar(?:er)?|kommentera|om (?:skribenten|författaren)"
    r"|populärt|mest lästa|senaste nytt|nyhetsbrev|prenumerera(?: på vårt nyhetsbrev)?|taggar|ämnen)[\s:.!]*$",
    re.I,
)
NAV_LINE = re.compile(
    r"^(skriv ut|till toppen|tillbaka|läs mer|läs också|dela|tipsa|share|print|back to top|read more)\b",
    re.I,
)
# Class/id words that raise or lower an area's claim to be the content (after Readability).
POSITIVE = re.compile(r"article|body|content|entry|hentry|main|page|post|text|blog|story|prose|markdown", re.I)
NEGATIVE = re.compile(r"comment|footer|foot|sidebar|widget|related|share|social|promo|sponsor|advert|masthead|"
                      r"banner|breadcrumb|menu|navbar|cookie|consent|modal|popup|newsletter|subscribe|"
                      r"recommend|popular|trending|shoutbox|skyscraper|outbrain|taboola", re.I)
# Chrome by class: page furniture whatever text it holds (CHROME adds header words for area scoring only).
CHROME_WALK = re.compile(r"(?:^|[\s_-])(?:footer|comments?|comment-list|commentlist|disqus|sidebar|widget-area|"
                         r"widgets)(?:$|[\s_-])|cookie|consent|onetrust|gdpr", re.I)
CHROME = re.compile(CHROME_WALK.pattern + r"|(?:^|[\s_-])(?:masthead|header)(?:$|[\s_-])", re.I)
NEUTRAL_GAIN = 0.25
LONG_TEXT = 400  # characters of running text that make a section more than a widget
CHROME_COST = 0.5
VOTERS = frozenset({"p", "pre", "td", "li", "div", "section"})
CONTENT_IDS = ("main-content", "maincontent", "main_content", "content", "innehall", "main", "primary",
               "article", "page-content", "mainContent", "content-main", "site-content")

WS = re.compile(r"[\s\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
INVISIBLE = re.compile(r"[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
WORD = re.compile(r"\w")
