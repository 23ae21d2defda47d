/*! Lyssna player v2 — "Lyssna på sidan" for any page. One file, no dependencies. GPL-3.0-or-later.
 * <script src="https://lyssna.example.se/widget.js" defer data-content="#main" data-skip=".rs_skip"></script>
 * <lyssna-player><a href="https://lyssna.example.se/listen?url=...">Lyssna på sidan</a></lyssna-player>
 * Nothing is fetched before the first click; styles are constructable stylesheets and page text is only
 * set as textContent, so a strict CSP works. Options, shortcut and site CSS: see the README. */
(() => {
  "use strict";
  const TAG = "lyssna-player";
  if (!window.customElements || customElements.get(TAG)) return; // loaded twice: keep the first

  const SENT = "lyssna-sentence", WORD = "lyssna-word", MARK = "lyssna-reading";
  const SPEEDS = [0.75, 1, 1.25, 1.5, 1.75, 2];
  const script = document.currentScript;
  const scriptData = (script && script.dataset) || {};
  const globalConf = window.lyssnaConf || {};
  const scriptOrigin = script && script.src ? new URL(script.src, location.href).origin : "";
  const hasHighlights = !!(window.CSS && CSS.highlights && window.Highlight);

  /** Option from the element's attribute, the script's data-*, then window.lyssnaConf. */
  function conf(element, name) {
    const camel = name.replace(/-(\w)/g, (_, c) => c.toUpperCase());
    if (element && element.hasAttribute(name)) return element.getAttribute(name);
    if (scriptData[camel] !== undefined) return scriptData[camel];
    const value = globalConf[camel];
    return value == null ? undefined : String(value);
  }
  /** Storage that never throws (private mode, blocked storage). */
  function store(kind, key, value) {
    try {
      const storage = window[kind];
      if (value === undefined) return JSON.parse(storage.getItem(key));
      if (value === null) storage.removeItem(key); else storage.setItem(key, JSON.stringify(value));
    } catch (_) { /* unavailable */ }
    return null;
  }

  const TEXTS = {
    sv: {
      listen: "Lyssna", pause: "Pausa", stop: "Stoppa", prev: "Föregående mening", next: "Nästa mening",
      speed: "Hastighet", download: "Ladda ner", downloadLabel: "Ladda ner ljudfilen", close: "Stäng spelaren",
      seek: "Position i uppläsningen", of: "av", preparing: "Förbereder uppläsning…", playing: "Spelar upp",
      paused: "Pausad", stopped: "Stoppad", ended: "Uppläsningen är klar", closed: "Spelaren är stängd",
      resume: "Fortsätter från", selection: "Lyssna på markerad text", player: "Lyssna på sidan",
      document: "Lyssna på dokumentet",
      failed: "Uppläsningen misslyckades. Försök igen senare.",
      network: "Tjänsten för uppläsning gick inte att nå. Försök igen senare.",
      media: "Ljudet kunde inte spelas upp.", decimal: ",", units: "timme timmar minut minuter sekund sekunder",
    },
    en: {
      listen: "Listen", pause: "Pause", stop: "Stop", prev: "Previous sentence", next: "Next sentence",
      speed: "Speed", download: "Download", downloadLabel: "Download the audio file", close: "Close the player",
      seek: "Position in the reading", of: "of", preparing: "Preparing the reading…", playing: "Playing",
      paused: "Paused", stopped: "Stopped", ended: "The reading has finished", closed: "The player is closed",
      resume: "Resuming from", selection: "Listen to the selected text", player: "Listen to this page",
      document: "Listen to the document",
      failed: "The reading failed. Please try again later.",
      network: "The reading service could not be reached. Please try again later.",
      media: "The audio could not be played.", decimal: ".", units: "hour hours minute minutes second seconds",
    },
  };

  function adopt(root, css) {
    try {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(css);
      root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
    } catch (_) { // old browsers: a <style> (blocked by a strict CSP, harmless there)
      const style = document.createElement("style");
      style.textContent = css;
      (root === document ? document.head : root).appendChild(style);
    }
  }

  const ACCENT = "var(--lyssna-accent,#0b4f8a)";
  const PLAYER_CSS = `
:host{display:block;min-height:2.75rem;font:inherit;color:inherit}
:host([hidden]){display:none}:host([docked]){min-height:0}
.bar,.st{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem}
.bar.open,.st{padding:.4rem;border:1px solid #767676;border-radius:.5rem;background:#fff;color:#1a1a1a}
.dock{position:fixed;z-index:2147483000;right:.5rem;bottom:.5rem;max-width:calc(100vw - 1rem);box-sizing:border-box}
.dock.open{left:.5rem}
.c{display:contents}[hidden]{display:none!important}
button,select,a{font:inherit;font-size:1rem;line-height:1.2;box-sizing:border-box;min-height:2.75rem;min-width:2.75rem;border-radius:.375rem;cursor:pointer}
button,label,a{display:inline-flex;align-items:center;justify-content:center;gap:.4rem}
button{margin:0;padding:0 .9rem;border:2px solid ${ACCENT};background:${ACCENT};color:var(--lyssna-accent-text,#fff);font-weight:600}
button:hover{filter:brightness(1.15)}
button.i{padding:0 .5rem;background:#fff;color:${ACCENT}}
select{padding:0 .3rem;border:1px solid #767676;background:#fff;color:#1a1a1a}
a{padding:0 .3rem;color:${ACCENT};font-weight:600}
input{flex:1 1 7rem;min-width:5rem;max-width:22rem;height:2.75rem;margin:0;accent-color:${ACCENT};cursor:pointer}
.t{font-variant-numeric:tabular-nums;white-space:nowrap}
.s{margin:0;padding:.2rem .4rem;background:#fff;color:#1a1a1a}.s:empty{display:none}
.s.e{color:#b00020;font-weight:600}
svg{width:1.2em;height:1.2em;fill:currentColor;flex:none}
:focus-visible{outline:3px solid var(--lyssna-focus,#ffbf47);outline-offset:2px;box-shadow:0 0 0 5px #1a1a1a}
.sel{position:fixed;z-index:2147483001;min-height:2.25rem;padding:0 .6rem;box-shadow:0 2px 6px #0006}
.m{display:none}
@media (max-width:30em){.m{display:inline-flex}
.bar:not(.x) .c>:not(input,.t,.m,[part=close]){display:none}
.open span:not(.t),.open .s:not(.e){position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%)}}
@media (forced-colors:active){button,.bar.open,select,.st{border:2px solid ButtonText}}
`;
  const PAGE_CSS = `
::highlight(${SENT}){background-color:var(--lyssna-sentence,#fff0a0);color:#1a1a1a}
::highlight(${WORD}){background-color:var(--lyssna-word,#0b4f8a);color:#fff}
.${MARK}{background-color:var(--lyssna-sentence,#fff0a0)!important;color:#1a1a1a!important;outline:2px solid #1a1a1a}
@media (forced-colors:active){::highlight(${SENT}){background-color:Mark;color:MarkText}
::highlight(${WORD}){background-color:Highlight;color:HighlightText;text-decoration:underline 2px}.${MARK}{outline:2px solid Highlight}}
`;
  let pageStyled = false;
  const DOC = "lyssna-document";
  const DOC_CSS = `.${DOC}{margin-inline-start:.4em;padding:0 .5em;font:inherit;font-size:.875em;color:#fff;background:${ACCENT};border:0;border-radius:1em;cursor:pointer}.${DOC}:focus-visible{outline:3px solid #ffbf47}.${DOC} svg{width:1em;height:1em;fill:currentColor;vertical-align:-.125em}`;

  const ICONS = {
    play: "M8 5v14l11-7z", pause: "M6 5h4v14H6zm8 0h4v14h-4z", stop: "M6 6h12v12H6z",
    prev: "M6 6h2v12H6zm3.5 6 8.5 6V6z", next: "M16 6h2v12h-2zM6 18l8.5-6L6 6z",
    close: "M19 6.4 17.6 5 12 10.6 6.4 5 5 6.4 10.6 12 5 17.6 6.4 19 12 13.4 17.6 19 19 17.6 13.4 12z",
    download: "M5 20h14v-2H5v2zM19 9h-4V3H9v6H5l7 7 7-7z",
    more: "M4 10h4v4H4zm6 0h4v4h-4zm6 0h4v4h-4z", up: "M12 4 4 12h5v8h6v-8h5z",
  };
  function icon(name) {
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg"), path = document.createElementNS(ns, "path");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    path.setAttribute("d", ICONS[name]);
    svg.appendChild(path);
    return svg;
  }
  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(props || {})) name === "text" ? (node.textContent = value) : node.setAttribute(name, value);
    node.append(...children);
    return node;
  }
  function clock(ms) {
    const s = Math.max(0, Math.floor((ms || 0) / 1000)), m = Math.floor(s / 60) % 60, h = Math.floor(s / 3600);
    const ss = String(s % 60).padStart(2, "0");
    return h ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
  }
  /** A time in words ("1 minut 5 sekunder") for screen readers. */
  function spoken(ms, units) {
    const s = Math.floor(ms / 1000), u = units.split(" ");
    return [s / 3600, s / 60 % 60, s % 60].map(Math.floor).map((n, i) => n || i > 1 && s < 60 ? `${n} ${u[2 * i + (n !== 1)]}` : "").filter(String).join(" ");
  }
  /** Last index in a list sorted by .start whose start <= ms, or -1. */
  function find(list, ms) {
    let lo = 0, hi = list.length - 1, at = -1;
    while (lo <= hi) { const mid = (lo + hi) >> 1; if (list[mid].start <= ms) { at = mid; lo = mid + 1; } else hi = mid - 1; }
    return at;
  }
  const gap = (char) => char === "\u00ad" || /\s/.test(char);
  const squash = (text) => String(text || "").replace(/[\s\u00ad]+/g, "");
  /** The text under root (within range, if given) without whitespace, and where each char came from. */
  function squashNodes(root, range) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
      acceptNode: (node) => /^(SCRIPT|STYLE|NOSCRIPT|TEMPLATE)$/.test(node.parentNode.nodeName) ||
        (range && !range.intersectsNode(node)) ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT,
    });
    let text = "";
    const map = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const data = node.data;
      const from = range && node === range.startContainer ? range.startOffset : 0;
      const to = range && node === range.endContainer ? range.endOffset : data.length;
      for (let i = from; i < to; i++) if (!gap(data[i])) { text += data[i]; map.push(node, i); }
    }
    return { text, map };
  }
  function query(selector) {
    if (!selector) return null;
    try { return document.querySelector(selector); } catch (_) { return null; }
  }
  const smooth = () => !(window.matchMedia && matchMedia("(prefers-reduced-motion: reduce)").matches);
  const visible = (rect) => rect.bottom > 0 && rect.top < innerHeight - room;
  const editable = (node) => node && node.closest && node.closest("input,textarea,select,[contenteditable]:not([contenteditable=false])");

  let playingNow = null; // one player sounds at a time
  const KEY = '[accesskey~="l" i]'; // a page's own Alt+Shift+L

  const MORE = {
    sv: { more: "Fler kontroller", back: "Till spelaren", pause: "Pausa uppläsningen", play: "Fortsätt lyssna" },
    en: { more: "More controls", back: "Back to the player", pause: "Pause the reading", play: "Continue listening" },
  };
  const spaces = new Map(); // player → px it fixes to the window's bottom
  let saved = null, room = 0;
  /** Page space (and scroll-padding, for focus) below what players fix to the window, added to the page's own. */
  function reserve(owner, px) {
    spaces.set(owner, px);
    room = Math.max(...spaces.values());
    const style = document.documentElement.style;
    if (!saved && !room) return;
    saved = saved || [style.paddingBottom, style.scrollPaddingBottom];
    [style.paddingBottom, style.scrollPaddingBottom] = saved;
    if (!room) return (saved = null);
    const own = getComputedStyle(document.documentElement);
    style.paddingBottom = `calc(${own.paddingBottom} + ${room}px)`;
    style.scrollPaddingBottom = `calc(${own.scrollPaddingBottom.replace("auto", "0px")} + ${room}px)`;
  }

  /** Talks to the service: asks for a reading, polls it while it is made; failures become Errors to show. */
  class ReadingClient {
    constructor(host, texts, onReading) {
      this.host = host;
      this.texts = texts;
      this.onReading = onReading; // gets each newer state of the reading being followed
      this.readingId = null;
      this.pollTimer = 0;
      this.pollErrors = 0;
    }

    origin() {
      const api = conf(this.host, "api");
      if (api) return new URL(api, location.href).origin;
      if (scriptOrigin) return scriptOrigin;
      const link = this.host.querySelector("a[href]");
      return link ? new URL(link.href).origin : location.origin;
    }

    url(path) { return new URL(path, this.origin()); }

    /** What to read: this page, a text (a selection), or a document the page links to. */
    body(text, lang, documentUrl) {
      const body = { url: documentUrl || conf(this.host, "url") || location.href.split("#")[0] }; // url: a page's canonical address
      for (const name of documentUrl ? ["voice"] : ["content", "skip", "voice"]) { const value = conf(this.host, name); if (value) body[name] = value; }
      const rate = conf(this.host, "rate");
      if (rate) body.rate = isNaN(Number(rate)) ? rate : Number(rate);
      if (documentUrl) return body;
      const send = conf(this.host, "send-html");
      if (text) { body.text = text; if (lang) body.lang = lang; }
      else if (send !== undefined && !/^(false|0|no)$/.test(send)) body.html = document.documentElement.outerHTML;
      return body;
    }

    /** POST a new reading. */
    async create(body) {
      this.readingId = null; // a late answer about the previous reading is dropped
      const reading = await this.request("POST", "/api/v1/readings", body);
      this.pollErrors = 0;
      return reading;
    }

    async request(method, path, body) {
      let res, data = null;
      try {
        // As text/plain: no preflight, so a refused site can read why.
        res = await fetch(this.url(path).href, { method, credentials: "omit", body: body ? JSON.stringify(body) : undefined });
      } catch (_) {
        throw new Error(this.texts.network);
      }
      try { data = await res.json(); } catch (_) { /* a proxy's error page */ }
      if (!res.ok || !data || !data.id) throw new Error((data && data.message) || this.texts.failed);
      return data;
    }

    poll(id) {
      clearTimeout(this.pollTimer);
      this.readingId = id;
      this.pollTimer = setTimeout(async () => {
        if (!this.host.isConnected) return;
        try {
          const reading = await this.request("GET", `/api/v1/readings/${encodeURIComponent(id)}`);
          if (this.readingId === id) this.onReading(reading);
          this.pollErrors = 0;
        } catch (_) {
          if (++this.pollErrors < 5 && this.readingId === id) this.poll(id); // a hiccup: the audio keeps streaming meanwhile
        }
      }, 400);
    }

    stopPolling() { clearTimeout(this.pollTimer); this.readingId = null; }
  }

  /** Shows in the page where the reading is: finds blocks by locator, marks the sentence and word, scrolls. */
  class Highlighter {
    constructor() {
      this.reset(null);
      this.sentence = null; // the sentence marked with the Highlight API: {found, start, text}
      this.markedElement = null; // the block marked with a class instead
      this.userScrolledAway = false;
    }

    reset(selectionRange) {
      this.blocks = [];
      this.located = new Map(); // block index → {element, text, map, spans}
      this.selectionRange = selectionRange;
    }

    locate(blockIndex) {
      let found = this.located.get(blockIndex);
      if (!found || !found.element.isConnected) {
        const block = this.blocks[blockIndex];
        let element = query(block.locator), range = null;
        if (!element && this.selectionRange && !block.locator) { // a selection: search inside what was selected
          range = this.selectionRange;
          const common = range.commonAncestorContainer;
          element = common.nodeType === 1 ? common : common.parentElement;
        }
        if (!element) return null;
        found = { element, ...squashNodes(element, range), spans: [] };
        this.located.set(blockIndex, found);
      }
      return found;
    }

    /** The innermost block containing node, or -1. */
    blockAt(node) {
      let best = -1, bestElement = null;
      this.blocks.forEach((_, blockIndex) => {
        const found = this.locate(blockIndex);
        if (found && found.element.contains(node) && (!bestElement || bestElement.contains(found.element))) {
          best = blockIndex;
          bestElement = found.element;
        }
      });
      return best;
    }

    /** [start, end) in the squashed text of a sentence of the block; searched in order so repeats map right. */
    span(found, blockIndex, sentenceIndex) {
      const sentences = this.blocks[blockIndex].sentences;
      let from = 0;
      for (let k = 0; k <= sentenceIndex; k++) {
        if (found.spans[k] === undefined) {
          const needle = squash(sentences[k].text), at = needle ? found.text.indexOf(needle, from) : -1;
          found.spans[k] = at < 0 ? null : [at, at + needle.length];
        }
        if (found.spans[k]) from = found.spans[k][1];
      }
      return found.spans[sentenceIndex];
    }

    rangeOf(found, start, end) {
      const map = found.map, range = document.createRange();
      range.setStart(map[start * 2], map[start * 2 + 1]);
      range.setEnd(map[(end - 1) * 2], map[(end - 1) * 2 + 1] + 1);
      return range;
    }

    markSentence(blockIndex, sentenceIndex) {
      this.clear();
      if (!pageStyled) adopt(document, PAGE_CSS);
      pageStyled = true;
      const found = this.locate(blockIndex);
      if (!found) return;
      let range = null, span = null;
      try { span = this.span(found, blockIndex, sentenceIndex); if (span) range = this.rangeOf(found, span[0], span[1]); } catch (_) { range = null; }
      if (range && hasHighlights) {
        CSS.highlights.set(SENT, new Highlight(range));
        this.sentence = { found, start: span[0], text: this.blocks[blockIndex].sentences[sentenceIndex].text };
      } else {
        found.element.classList.add(MARK);
        this.markedElement = found.element;
        range = null;
      }
      this.reveal(found.element, range);
    }

    /** A word of the marked sentence: its offsets count characters of the written sentence, spaces included. */
    markWord(word) {
      CSS.highlights.delete(WORD);
      const sentence = this.sentence;
      if (!word) return;
      const before = squash(sentence.text.slice(0, word.offset)).length, start = sentence.start + before;
      const length = squash(sentence.text.slice(word.offset, word.offset + word.length)).length;
      if (!length || start + length > sentence.found.text.length) return;
      try { CSS.highlights.set(WORD, new Highlight(this.rangeOf(sentence.found, start, start + length))); } catch (_) { /* ignore */ }
    }

    /** Scroll the sentence into view, unless the visitor scrolled away on purpose. */
    reveal(element, range) {
      const rect = (range || element).getBoundingClientRect();
      if (visible(rect)) { this.userScrolledAway = false; if (rect.top >= 0 && rect.bottom <= innerHeight - room) return; }
      if (this.userScrolledAway) return;
      const behavior = smooth() ? "smooth" : "auto";
      if (element.getBoundingClientRect().height < innerHeight * 0.8) element.scrollIntoView({ block: "center", behavior });
      else scrollBy({ top: rect.top - innerHeight / 3, behavior });
    }

    clear() {
      if (hasHighlights) { CSS.highlights.delete(SENT); CSS.highlights.delete(WORD); }
      if (this.markedElement) { this.markedElement.classList.remove(MARK); this.markedElement = null; }
      this.sentence = null;
    }
  }

  /** The <lyssna-player> element: its controls, the audio and what the visitor does. */
  class LyssnaPlayer extends HTMLElement {
    connectedCallback() {
      if (this.shadowRoot) return; // moved in the DOM: keep its state
      const lang = (conf(this, "lang") || document.documentElement.lang || "sv").toLowerCase().startsWith("en") ? "en" : "sv";
      this.texts = TEXTS[lang];
      this.client = new ReadingClient(this, this.texts, (reading) => this.update(reading));
      this.reading = null;
      this.entries = []; // every sentence in time order: {block, sentence, start, end, words: [{start, offset, length}]}
      this.highlighter = new Highlighter();
      this.entryIndex = this.wordIndex = -1; // the sentence (index in entries) and word marked in the page
      this.build(lang);
      if (document.querySelector(TAG) === this) { // page-wide listeners: the first player only
        document.addEventListener("selectionchange", () => { clearTimeout(this.selectionTimer); this.selectionTimer = setTimeout(() => this.onSelect(), 250); });
        document.addEventListener("keydown", (e) => this.onKey(e));
        document.addEventListener("click", (e) => this.onPageClick(e));
        const away = () => { if (this.audio && !this.audio.paused) this.highlighter.userScrolledAway = true; }; // never caused by us
        addEventListener("wheel", away, { passive: true });
        addEventListener("touchmove", away, { passive: true });
        addEventListener("keydown", (e) => { if (/^(Page|Arrow(Up|Down)|Home|End)/.test(e.key) && !editable(e.target)) away(); });
      }
    }

    disconnectedCallback() {
      if (this.audio) this.audio.pause();
      this.unmark();
      this.client.stopPolling();
    }

    build(lang) {
      const t = this.texts, root = this.attachShadow({ mode: "open" });
      adopt(root, PLAYER_CSS);
      const button = (name, className, label, onClick) => {
        const node = el("button", { type: "button", class: className, part: name, "aria-label": label, title: label }, icon(name));
        node.addEventListener("click", onClick);
        return node;
      };
      this.toggleLabel = el("span", { text: t.listen });
      this.toggleIcon = icon("play");
      this.toggleButton = el("button", { type: "button", part: "button" }, this.toggleIcon, this.toggleLabel);
      // Shown where it works: a page's accesskey="L" wins, unless ReadSpeaker's (we replace it).
      for (const taken of document.querySelectorAll(KEY)) if (/readspeaker|rsbtn/i.test(taken.href + taken.className)) taken.removeAttribute("accesskey");
      if (!query(KEY)) for (const name of ["aria-keyshortcuts", "title"]) this.toggleButton.setAttribute(name, "Alt+Shift+L");
      this.toggleButton.addEventListener("click", () => this.onToggle());
      this.seekSlider = el("input", { type: "range", min: "0", max: "0", step: "any", value: "0", "aria-label": t.seek, part: "seek" });
      this.seekSlider.addEventListener("input", () => { this.highlighter.userScrolledAway = false; this.seekTo(this.seekSlider.value * 1000); });
      this.seekSlider.addEventListener("keydown", (e) => { // 5 s, 30 s pages, the ends
        const by = { Home: -1e9, End: 1e9, PageUp: 3e4, PageDown: -3e4, ArrowRight: 5e3, ArrowUp: 5e3, ArrowLeft: -5e3, ArrowDown: -5e3 }[e.key];
        if (!by || e.altKey || e.ctrlKey || e.metaKey || !this.audio) return;
        e.preventDefault();
        e.stopPropagation(); // not a visitor scrolling away
        this.highlighter.userScrolledAway = false;
        this.seekTo(Math.max(0, Math.min(this.totalMs(), this.audio.currentTime * 1000 + by)));
        this.showTime();
      });
      this.timeText = el("span", { class: "t", "aria-hidden": "true" });
      this.speedSelect = el("select", { part: "speed" });
      const saved = Number(store("localStorage", "lyssna-speed")) || 1;
      for (const speed of SPEEDS) {
        const option = el("option", { value: String(speed), text: `${String(speed).replace(".", t.decimal)}×` });
        option.selected = speed === saved;
        this.speedSelect.appendChild(option);
      }
      this.speedSelect.addEventListener("change", () => {
        store("localStorage", "lyssna-speed", Number(this.speedSelect.value));
        if (this.audio) this.audio.playbackRate = Number(this.speedSelect.value);
      });
      this.downloadLink = el("a", { part: "download", download: "", "aria-label": t.downloadLabel }, icon("download"), el("span", { text: t.download }));
      this.controls = el("div", { class: "c", hidden: "" },
        button("prev", "i", t.prev, () => this.step(-1)), button("next", "i", t.next, () => this.step(1)),
        button("stop", "i", t.stop, () => this.stop()), this.seekSlider, this.timeText,
        el("label", {}, el("span", { text: t.speed }), this.speedSelect), this.downloadLink,
        button("close", "i", t.close, () => this.close()));
      this.statusLine = el("p", { class: "s", role: "status", "aria-live": "polite", part: "status" });
      this.selectionButton = el("button", { type: "button", class: "sel", part: "selection", "aria-label": t.selection, hidden: "" }, icon("play"), el("span", { text: t.listen }));
      this.selectionButton.addEventListener("mousedown", (e) => e.preventDefault()); // keep the selection
      this.selectionButton.addEventListener("click", () => this.readSelection());
      this.bar = el("div", { class: "bar", role: "group", "aria-label": t.player, lang }, this.toggleButton, this.controls, this.statusLine);
      if (conf(this, "position") === "fixed") { this.bar.classList.add("dock"); this.setAttribute("docked", ""); }
      root.append(this.bar, this.selectionButton);
      this.layOut(lang, root, button);
      this.showTime();
    }

    /** Narrow: a "more" button; docked: page space kept free; inline: a sticky control while away. */
    layOut(lang, root, button) {
      const t = this.moreTexts = MORE[lang], docked = this.hasAttribute("docked");
      const more = button("more", "i m", t.more, () => more.setAttribute("aria-expanded", this.bar.classList.toggle("x")));
      more.setAttribute("aria-expanded", "false");
      this.controls.querySelector("[part=close]").before(more);
      this.stickyToggle = button("play", "", t.play, () => this.onToggle());
      this.sticky = el("div", { class: "dock st", role: "group", "aria-label": this.texts.player, hidden: "" }, this.stickyToggle,
        button("up", "i", t.back, () => { this.scrollIntoView({ block: "center", behavior: smooth() ? "smooth" : "auto" }); this.toggleButton.focus({ preventScroll: true }); }));
      root.append(this.sticky);
      const box = docked ? this.bar : this.sticky;
      new ResizeObserver(() => reserve(this, box.offsetHeight && box.offsetHeight + parseFloat(getComputedStyle(box).bottom) + 4)).observe(box);
      if (!docked) new IntersectionObserver(([entry]) => { this.away = !entry.isIntersecting; this.placeSticky(); }).observe(this);
    }

    /** Shown while the inline player reads out of view. */
    placeSticky() {
      const audio = this.audio, sticky = this.sticky, toggle = this.stickyToggle, playing = audio && !audio.paused;
      sticky.hidden = !(audio && this.away && this.isOpen && !this.statusLine.classList.contains("e") && !audio.ended && (playing || (!sticky.hidden && audio.currentTime)));
      if (sticky.hidden && sticky.contains(this.shadowRoot.activeElement)) this.toggleButton.focus({ preventScroll: true });
      toggle.title = this.moreTexts[playing ? "pause" : "play"];
      toggle.setAttribute("aria-label", toggle.title);
      toggle.firstChild.replaceWith(icon(playing ? "pause" : "play"));
    }

    // --- what the visitor does ---
    /** Pause, resume, or read the page (a page reading resumes after closing or ending, a passage not). */
    onToggle() {
      const state = this.state;
      if (state === "playing") this.audio.pause();
      else if (state === "paused" || /ended|closed/.test(state) && this.mode === "page" && this.audio.src) this.play();
      else if (state !== "loading") this.start();
    }

    onKey(e) {
      if (!(e.altKey && e.shiftKey && !e.ctrlKey && !e.metaKey && e.code === "KeyL") || e.defaultPrevented) return;
      if (editable(e.target) || query(KEY)) return; // the page's own accesskey wins
      e.preventDefault();
      if (this.selection) this.readSelection(); else this.onToggle();
    }

    onPageClick(e) {
      if (!this.isOpen || e.button || e.defaultPrevented || e.composedPath().includes(this)) return;
      if (e.target.closest && e.target.closest("a,button,input,select,textarea,label,summary,[role=button],[role=link]")) return;
      const sel = getSelection();
      if (sel && !sel.isCollapsed) return; // selecting text, not choosing a place
      this.startAt(e.target);
    }

    /** Enter with the caret or focus inside a paragraph (caret browsing, screen readers). */
    onEnter(e) {
      const sel = getSelection(), at = document.activeElement !== document.body ? document.activeElement : sel && sel.anchorNode;
      if (!at || editable(at) || (at.closest && at.closest("a,button,summary,[role=button],[role=link]"))) return false;
      return this.startAt(at.nodeType === 3 ? at.parentNode : at, e);
    }

    onSelect() {
      const sel = getSelection();
      const text = sel && sel.rangeCount ? sel.toString().trim() : "";
      if (text.length < 2 || text.length > 5000 || this.contains(sel.anchorNode) || editable(sel.anchorNode && sel.anchorNode.parentElement)) {
        this.selection = null;
        this.selectionButton.hidden = true;
        return;
      }
      const range = sel.getRangeAt(0), rects = range.getClientRects();
      const rect = rects[rects.length - 1] || range.getBoundingClientRect();
      this.selection = { range: range.cloneRange(), text };
      this.selectionButton.style.top = `${Math.max(4, Math.min(rect.bottom + 6, innerHeight - 48))}px`;
      this.selectionButton.style.left = `${Math.max(4, Math.min(rect.right - 40, innerWidth - 120))}px`;
      this.selectionButton.hidden = false;
    }

    readSelection() {
      const selection = this.selection;
      if (!selection) return;
      this.selectionButton.hidden = true;
      const node = selection.range.commonAncestorContainer, element = node.nodeType === 1 ? node : node.parentElement;
      const lang = element && element.closest("[lang]");
      this.start({ text: selection.text, range: selection.range, lang: lang ? lang.lang : undefined });
      getSelection().removeAllRanges(); // the browser's selection colour would hide the highlight
    }

    /** Start reading at the block containing node: jump there, or read the whole page from there. */
    startAt(node) {
      if (this.mode === "page" && this.reading) {
        const blockIndex = this.highlighter.blockAt(node);
        if (blockIndex < 0) return false;
        const entryIndex = this.entries.findIndex((entry) => entry.block === blockIndex);
        if (entryIndex < 0) return false;
        this.jump(entryIndex);
        return true;
      }
      if (!this.isOpen) return false;
      this.start({ at: node });
      return true;
    }

    // --- playing ---
    start(opts = {}) {
      this.unlock(); // inside the click: phones allow this element to play later
      this.unmark();
      this.mode = opts.text ? "text" : opts.document ? "document" : "page";
      this.highlighter.reset(opts.range || null);
      this.reading = null;
      this.entries = [];
      this.audio.pause();
      this.audio.removeAttribute("src");
      this.pendingSeekMs = null;
      this.resumeNote = null;
      this.set("loading", this.texts.preparing);
      this.toggleButton.setAttribute("aria-busy", "true");
      this.load(this.asked = this.client.body(opts.text, opts.lang, opts.document), opts.at);
    }


    async load(body, at) {
      try {
        const reading = await this.client.create(body), area = reading.area;
        if (this.asked !== body) return; // closed or started anew meanwhile
        if (body.content && area && area.source !== "content") console.warn(`Lyssna: ${area.reason}`);
        this.finishedFileLoaded = reading.status === "ready"; // a finished file is seekable at once
        this.update(reading);
        if (this.state !== "loading") return; // closed meanwhile, or failed
        this.audio.src = this.client.url(reading.audio_url).href;
        this.highlighter.userScrolledAway = false;
        const saved = this.mode === "page" && !at && store("sessionStorage", this.positionKey());
        if (at) this.startAt(at);
        else if (saved && saved.ms > 1000 && (!reading.duration_ms || saved.ms < reading.duration_ms - 1000)) {
          this.seekTo(saved.ms);
          this.resumeNote = `${this.texts.resume} ${clock(saved.ms)}`;
        }
        this.setUpMediaSession();
        this.play();
      } catch (error) {
        if (this.asked === body) this.fail(error);
      } finally {
        this.toggleButton.removeAttribute("aria-busy");
      }
    }

    unlock() {
      if (this.audio) return;
      const audio = this.audio = new Audio();
      audio.preload = "auto";
      const started = audio.play(); // no source yet: rejects, but marks the element as started by the visitor
      if (started) started.catch(() => {});
      const on = (type, listener) => audio.addEventListener(type, listener);
      on("playing", () => {
        this.set("playing", this.resumeNote); // "Resuming from" stays until a pause
        const tick = () => { this.ticking = !audio.paused; if (this.ticking) { this.follow(); requestAnimationFrame(tick); } };
        if (!this.ticking) requestAnimationFrame(tick);
      });
      on("pause", () => { // stop, close, start and fail set their state before this
        if (this.state === "playing" && !audio.ended && !this.reloading) {
          this.resumeNote = null; // the visitor paused: the next start says "playing"
          this.set("paused");
        }
        this.save();
      });
      const ended = () => {
        this.resumeNote = null;
        this.unmark();
        this.set("ended");
        if (this.mode === "page") store("sessionStorage", this.positionKey(), null);
      };
      on("ended", ended);
      on("seeked", () => { if (this.state === "paused" && audio.currentTime >= audio.duration) ended(); }); // no "ended" while paused
      on("timeupdate", () => { this.showTime(); this.follow(); if (Date.now() - (this.lastSavedAt || 0) > 1000) this.save(); });
      for (const type of ["durationchange", "progress", "loadedmetadata", "canplay"]) on(type, () => {
        this.showTime();
        if (this.pendingSeekMs != null) this.seekTo(this.pendingSeekMs);
      });
      on("error", () => { if (audio.getAttribute("src")) this.fail(new Error(this.texts.media)); });
    }

    play() {
      if (playingNow && playingNow !== this && playingNow.audio) playingNow.audio.pause();
      playingNow = this;
      this.highlighter.userScrolledAway = false;
      this.audio.playbackRate = Number(this.speedSelect.value);
      if (this.reading && this.reading.status !== "ready") this.client.poll(this.reading.id); // closing stopped asking
      if (this.state === "ended" && this.audio.currentTime >= this.audio.duration) this.audio.currentTime = 0; // ended while paused
      const started = this.audio.play();
      if (started) started.catch((error) => { if (error.name !== "AbortError") this.fail(new Error(this.texts.media)); });
    }

    stop() {
      const audio = this.audio;
      if (!audio) return;
      audio.pause();
      this.pendingSeekMs = null;
      if (audio.readyState > 0) audio.currentTime = 0;
      this.unmark();
      this.showTime();
      this.save();
      this.set("paused", this.texts.stopped);
    }

    close() {
      const inside = this.shadowRoot.activeElement;
      this.asked = null;
      this.client.stopPolling();
      if (this.audio) { this.audio.pause(); this.save(); }
      this.unmark();
      this.set("closed");
      if (inside) this.toggleButton.focus(); // the focused button went away: give focus to the next best
    }

    openUp(open) {
      this.isOpen = open;
      this.controls.hidden = !open;
      this.bar.classList.toggle("open", open);
    }

    /** Back or forward one sentence. */
    step(delta) {
      if (!this.audio || !this.entries.length) return;
      const from = this.entryIndex >= 0 ? this.entryIndex : find(this.entries, this.audio.currentTime * 1000);
      this.jump(Math.max(0, Math.min(this.entries.length - 1, from + delta)));
    }

    jump(entryIndex) {
      const entry = this.entries[entryIndex];
      if (!entry) return;
      this.entryIndex = -1;
      this.highlighter.userScrolledAway = false; // the visitor chose a place: follow it again
      this.seekTo(entry.start);
      if (this.audio.paused) this.play();
    }

    seekTo(ms) {
      const audio = this.audio;
      if (!audio || !isFinite(ms)) return;
      // A stream only as far as it came; in a whole file, past the end is the end.
      const known = isFinite(audio.duration), ranges = known ? audio.seekable : audio.buffered, n = ranges.length;
      const end = n ? ranges.end(n - 1) : 0, seconds = known ? Math.min(ms / 1000, end) : ms / 1000;
      this.unmark(); // marked afresh where it lands
      if (!n || seconds < ranges.start(0) || seconds > end) {
        this.pendingSeekMs = ms; // applied once that part can be reached
        if (this.reading && this.reading.status === "ready" && !this.finishedFileLoaded) {
          // We streamed the MP3 while it was made; the finished file takes Range requests: reload once (from another
          // address, or the browser goes on with the stream, length unknown).
          this.finishedFileLoaded = this.reloading = true;
          const resume = !audio.paused, file = this.client.url(this.reading.audio_url);
          audio.addEventListener("loadedmetadata", () => { this.reloading = false; if (resume) this.play(); }, { once: true });
          file.searchParams.set("made", "1");
          audio.src = file.href;
        }
        return;
      }
      this.pendingSeekMs = null;
      audio.currentTime = seconds;
      this.follow(1);
    }

    // --- the reading and what the player shows of it ---
    positionKey() { return `lyssna:${location.href.split("#")[0]}`; }

    save() {
      this.lastSavedAt = Date.now();
      if (this.mode === "page" && this.audio && this.reading && this.pendingSeekMs == null) store("sessionStorage", this.positionKey(), { ms: Math.round(this.audio.currentTime * 1000) });
    }

    update(reading) {
      this.reading = reading;
      this.highlighter.blocks = reading.blocks || [];
      this.entries = [];
      (reading.blocks || []).forEach((block, b) => (block.sentences || []).forEach((sentence, i) => this.entries.push({
        block: b, sentence: i, start: +sentence.start_ms || 0, end: +sentence.end_ms || 0,
        words: (sentence.words || []).map((word) => ({ start: +word.start_ms || 0, offset: word.offset, length: word.length })),
      })));
      this.entries.sort((x, y) => x.start - y.start);
      const file = this.client.url(reading.audio_url);
      file.searchParams.set("download", "1");
      this.downloadLink.href = file.href;
      if (reading.status === "failed") this.fail(new Error(reading.message || reading.error || this.texts.failed));
      else if (reading.status !== "ready") this.client.poll(reading.id);
      else if (this.pendingSeekMs != null) this.seekTo(this.pendingSeekMs);
      this.showTime();
    }

    setUpMediaSession() {
      const session = navigator.mediaSession;
      if (!session || !window.MediaMetadata) return;
      try {
        session.metadata = new MediaMetadata({ title: this.reading.title || document.title, artist: location.hostname, album: this.texts.player });
        const actions = {
          play: () => this.play(), pause: () => this.audio.pause(), stop: () => this.stop(),
          previoustrack: () => this.step(-1), nexttrack: () => this.step(1), seekto: (details) => this.seekTo(details.seekTime * 1000),
        };
        for (const name in actions) session.setActionHandler(name, actions[name]);
      } catch (_) { /* an action this browser lacks */ }
    }

    totalMs() {
      const reading = this.reading, audio = this.audio, got = audio ? audio.buffered : [];
      if (audio && isFinite(audio.duration)) return audio.duration * 1000; // the file's real end, else as far as known
      const last = this.entries.length ? this.entries[this.entries.length - 1].end : 0;
      return Math.max(last, (reading && reading.duration_ms) || 0, got.length ? got.end(got.length - 1) * 1000 : 0);
    }

    showTime() {
      const audio = this.audio, now = audio ? audio.currentTime * 1000 : 0, total = this.totalMs();
      this.seekSlider.max = total / 1000;
      this.seekSlider.value = now / 1000;
      this.seekSlider.setAttribute("aria-valuetext", `${spoken(now, this.texts.units)} ${this.texts.of} ${spoken(total, this.texts.units)}`);
      this.timeText.textContent = `${clock(now)} / ${clock(total)}`;
      const session = navigator.mediaSession;
      if (session && session.setPositionState && audio && total && !audio.paused) {
        try { session.setPositionState({ duration: total / 1000, playbackRate: audio.playbackRate, position: Math.min(audio.currentTime, total / 1000) }); } catch (_) { /* ignore */ }
      }
    }

    /** The one state: closed, loading, playing, paused, ended or error (this.mode: what is read), said and shown. */
    set(state, message) {
      const playing = state === "playing";
      this.state = state;
      if (!/load|err/.test(state)) this.openUp(state !== "closed");
      this.toggleLabel.textContent = playing ? this.texts.pause : this.texts.listen;
      this.toggleIcon.replaceWith(this.toggleIcon = icon(playing ? "pause" : "play"));
      this.say(message || this.texts[state], state === "error");
    }

    say(message, isError) {
      this.statusLine.classList.toggle("e", !!isError);
      if (this.statusLine.textContent !== message) this.statusLine.textContent = message; // text, never HTML
      this.placeSticky(); // each new state is said
    }

    fail(error) {
      this.client.stopPolling();
      this.set("error", (error && error.message) || this.texts.failed);
      if (this.audio) this.audio.pause();
      this.unmark();
    }

    // --- following along in the page ---
    follow(seeked) { // seeked: also at 0 while paused
      const audio = this.audio;
      if (!audio || !this.isOpen || audio.ended || (audio.paused && !audio.currentTime && !seeked) || this.pendingSeekMs != null) return;
      const ms = audio.currentTime * 1000, k = Math.max(find(this.entries, ms), this.entries.length ? 0 : -1), entry = this.entries[k];
      if (k !== this.entryIndex) {
        this.entryIndex = k;
        this.wordIndex = -1;
        if (entry) this.highlighter.markSentence(entry.block, entry.sentence); else this.highlighter.clear();
      }
      if (entry && this.highlighter.sentence) {
        const wordIndex = find(entry.words, ms);
        if (wordIndex !== this.wordIndex) { this.wordIndex = wordIndex; this.highlighter.markWord(entry.words[wordIndex]); }
      }
    }

    /** Unmark the page; the next frame marks the sentence afresh. */
    unmark() {
      this.entryIndex = this.wordIndex = -1;
      this.highlighter.clear();
    }
  }

  customElements.define(TAG, LyssnaPlayer);

  // Enter on a paragraph (caret or focus in it) while the player is open starts reading there.
  document.addEventListener("keydown", (e) => {
    const player = document.querySelector(TAG);
    if (e.key === "Enter" && !e.altKey && !e.ctrlKey && !e.metaKey && !e.defaultPrevented && player && player.isOpen &&
        !e.composedPath().includes(player) && player.onEnter && player.onEnter(e)) e.preventDefault();
  });

  /** Pages without <lyssna-player>: add one at the start (or end) of the reading area. */
  function insertPlayer() {
    if (document.querySelector(TAG)) return;
    const area = query(conf(null, "content")) || document.querySelector("main, article") || document.body;
    const player = document.createElement(TAG);
    if (area) conf(null, "position") === "after" ? area.append(player) : area.insertBefore(player, area.firstChild);
  }

  /** A button after each link to a PDF on this site reads it in the player (data-documents="off": none). */
  function addDocumentButtons() {
    const player = document.querySelector(TAG), t = player && player.texts;
    if (!t || /^(off|false|0|no)$/i.test(conf(player, "documents") || "")) return;
    for (const link of document.querySelectorAll("a[href]")) {
      if (link.origin !== location.origin || link.closest(TAG) || link.nextElementSibling?.classList.contains(DOC) ||
          !(/pdf/i.test(link.type) || /\.pdf$/i.test(link.pathname))) continue;
      if (!player.docStyled) { adopt(document, DOC_CSS); player.docStyled = true; }
      const label = `${t.document}: ${link.textContent.replace(/\s+/g, " ").trim().slice(0, 150) || link.pathname}`;
      const button = el("button", { type: "button", class: DOC, "aria-label": label }, icon("play"), el("span", { text: t.listen }));
      button.addEventListener("click", () => player.start({ document: link.href.split("#")[0] }));
      link.after(button);
    }
  }
  function ready() {
    insertPlayer();
    addDocumentButtons();
    const content = conf(document.querySelector(TAG), "content");
    if (content && !query(content)) console.warn(`Lyssna: data-content "${content}" matchar inget, huvudinnehållet läses. / matches nothing, the main content is read.`);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();
})();
