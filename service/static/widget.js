/*! Lyssna player v2 — "Lyssna på sidan" for any page. One file, no dependencies. GPL-3.0-or-later.
 * <script src="https://lyssna.example.se/widget.js" defer data-content="#main" data-skip=".rs_skip"></script>
 * <lyssna-player><a href="https://lyssna.example.se/listen?url=...">Lyssna på sidan</a></lyssna-player>
 * Site CSS for no layout shift: lyssna-player { display: block; min-height: 2.75rem; }
 * Nothing is fetched before the first click; styles are constructable stylesheets and page text is
 * only ever set as textContent, so it runs under a strict CSP. Shortcut: Alt+Shift+L (start/pause;
 * with text selected, read the selection). */
(() => {
  "use strict";
  const TAG = "lyssna-player";
  if (!window.customElements || customElements.get(TAG)) return; // loaded twice: keep the first

  const SENT = "lyssna-sentence", WORD = "lyssna-word", MARK = "lyssna-reading";
  const SPEEDS = [0.75, 1, 1.25, 1.5, 1.75, 2];
  const script = document.currentScript;
  const sdata = (script && script.dataset) || {};
  const gconf = window.lyssnaConf || {};
  const scriptOrigin = script && script.src ? new URL(script.src, location.href).origin : "";
  const hasHL = !!(window.CSS && CSS.highlights && window.Highlight);

  /** Option from the element's attribute, the script's data-*, then window.lyssnaConf. */
  function conf(el, name) {
    const camel = name.replace(/-(\w)/g, (_, c) => c.toUpperCase());
    if (el && el.hasAttribute(name)) return el.getAttribute(name);
    if (sdata[camel] !== undefined) return sdata[camel];
    const v = gconf[camel];
    return v == null ? undefined : String(v);
  }
  /** Storage that never throws (private mode, blocked storage). */
  function store(kind, key, value) {
    try {
      const s = window[kind];
      if (value === undefined) return JSON.parse(s.getItem(key));
      if (value === null) s.removeItem(key); else s.setItem(key, JSON.stringify(value));
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
      failed: "Uppläsningen misslyckades. Försök igen senare.",
      network: "Tjänsten för uppläsning gick inte att nå. Försök igen senare.",
      media: "Ljudet kunde inte spelas upp.", decimal: ",",
    },
    en: {
      listen: "Listen", pause: "Pause", stop: "Stop", prev: "Previous sentence", next: "Next sentence",
      speed: "Speed", download: "Download", downloadLabel: "Download the audio file", close: "Close the player",
      seek: "Position in the reading", of: "of", preparing: "Preparing the reading…", playing: "Playing",
      paused: "Paused", stopped: "Stopped", ended: "The reading has finished", closed: "The player is closed",
      resume: "Resuming from", selection: "Listen to the selected text", player: "Listen to this page",
      failed: "The reading failed. Please try again later.",
      network: "The reading service could not be reached. Please try again later.",
      media: "The audio could not be played.", decimal: ".",
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

  const A = "var(--lyssna-accent,#0b4f8a)";
  const PLAYER_CSS = `
:host{display:block;min-height:2.75rem;font:inherit;color:inherit}
:host([hidden]){display:none}:host([docked]){min-height:0}
.bar{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem}
.bar.open{padding:.4rem;border:1px solid #767676;border-radius:.5rem;background:#fff;color:#1a1a1a}
.dock{position:fixed;z-index:2147483000;right:.5rem;bottom:.5rem;max-width:calc(100vw - 1rem);box-sizing:border-box}
.dock.open{left:.5rem}
.c{display:contents}[hidden]{display:none!important}
button,select,a{font:inherit;font-size:1rem;line-height:1.2;box-sizing:border-box;min-height:2.75rem;min-width:2.75rem;border-radius:.375rem;cursor:pointer}
button{display:inline-flex;align-items:center;justify-content:center;gap:.4rem;margin:0;padding:0 .9rem;border:2px solid ${A};background:${A};color:var(--lyssna-accent-text,#fff);font-weight:600}
button:hover{filter:brightness(1.15)}
button.i{padding:0 .5rem;background:#fff;color:${A}}
select{padding:0 .3rem;border:1px solid #767676;background:#fff;color:#1a1a1a}
label{display:inline-flex;align-items:center;gap:.4rem}
a{display:inline-flex;align-items:center;gap:.3rem;padding:0 .3rem;color:${A};font-weight:600}
input{flex:1 1 7rem;min-width:5rem;max-width:22rem;height:2.75rem;margin:0;accent-color:${A};cursor:pointer}
.t{font-variant-numeric:tabular-nums;white-space:nowrap}
.s{margin:0;padding:.2rem .4rem;background:#fff;color:#1a1a1a}.s:empty{display:none}
.s.e{color:#b00020;font-weight:600}
svg{width:1.2em;height:1.2em;fill:currentColor;flex:none}
:focus-visible{outline:3px solid var(--lyssna-focus,#ffbf47);outline-offset:2px;box-shadow:0 0 0 5px #1a1a1a}
.sel{position:fixed;z-index:2147483001;min-height:2.25rem;padding:0 .6rem;box-shadow:0 2px 6px #0006}
@media (forced-colors:active){button,.bar.open,select{border:2px solid ButtonText}}
`;
  const PAGE_CSS = `
::highlight(${SENT}){background-color:var(--lyssna-sentence,#fff0a0);color:#1a1a1a}
::highlight(${WORD}){background-color:var(--lyssna-word,#0b4f8a);color:#fff}
.${MARK}{background-color:var(--lyssna-sentence,#fff0a0)!important;color:#1a1a1a!important;outline:2px solid #1a1a1a}
@media (forced-colors:active){::highlight(${SENT}){background-color:Mark;color:MarkText}
::highlight(${WORD}){background-color:Highlight;color:HighlightText;text-decoration:underline 2px}.${MARK}{outline:2px solid Highlight}}
`;
  let pageStyled = false;

  const ICONS = {
    play: "M8 5v14l11-7z", pause: "M6 5h4v14H6zm8 0h4v14h-4z", stop: "M6 6h12v12H6z",
    prev: "M6 6h2v12H6zm3.5 6 8.5 6V6z", next: "M16 6h2v12h-2zM6 18l8.5-6L6 6z",
    close: "M19 6.4 17.6 5 12 10.6 6.4 5 5 6.4 10.6 12 5 17.6 6.4 19 12 13.4 17.6 19 19 17.6 13.4 12z",
    download: "M5 20h14v-2H5v2zM19 9h-4V3H9v6H5l7 7 7-7z",
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
    for (const [k, v] of Object.entries(props || {})) k === "text" ? (node.textContent = v) : node.setAttribute(k, v);
    node.append(...children);
    return node;
  }
  function clock(ms) {
    const s = Math.max(0, Math.floor((ms || 0) / 1000)), m = Math.floor(s / 60) % 60, h = Math.floor(s / 3600);
    const ss = String(s % 60).padStart(2, "0");
    return h ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
  }
  /** Last index in a list sorted by .start whose start <= ms, or -1. */
  function find(list, ms) {
    let lo = 0, hi = list.length - 1, at = -1;
    while (lo <= hi) { const mid = (lo + hi) >> 1; if (list[mid].start <= ms) { at = mid; lo = mid + 1; } else hi = mid - 1; }
    return at;
  }
  const gap = (c) => c === "\u00ad" || /\s/.test(c);
  const squash = (s) => String(s || "").replace(/[\s\u00ad]+/g, "");
  /** The text under root (within range, if given) without whitespace, and where each char came from. */
  function squashNodes(root, range) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
      acceptNode: (n) => /^(SCRIPT|STYLE|NOSCRIPT|TEMPLATE)$/.test(n.parentNode.nodeName) ||
        (range && !range.intersectsNode(n)) ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT,
    });
    let text = "";
    const map = [];
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const d = n.data;
      const from = range && n === range.startContainer ? range.startOffset : 0;
      const to = range && n === range.endContainer ? range.endOffset : d.length;
      for (let i = from; i < to; i++) if (!gap(d[i])) { text += d[i]; map.push(n, i); }
    }
    return { text, map };
  }
  function query(sel) {
    if (!sel) return null;
    try { return document.querySelector(sel); } catch (_) { return null; }
  }
  const smooth = () => !(window.matchMedia && matchMedia("(prefers-reduced-motion: reduce)").matches);
  const visible = (r) => r.bottom > 0 && r.top < innerHeight;
  const editable = (n) => n && n.closest && n.closest("input,textarea,select,[contenteditable]:not([contenteditable=false])");

  let playingNow = null; // one player sounds at a time

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
      const c = conf(this.host, "api");
      if (c) return new URL(c, location.href).origin;
      if (scriptOrigin) return scriptOrigin;
      const link = this.host.querySelector("a[href]");
      return link ? new URL(link.href).origin : location.origin;
    }

    url(path) { return new URL(path, this.origin()); }

    /** What to read: this page, or a text (a selection). */
    body(text, lang) {
      const body = { url: location.href.split("#")[0] };
      for (const name of ["content", "skip", "voice"]) { const v = conf(this.host, name); if (v) body[name] = v; }
      const rate = conf(this.host, "rate");
      if (rate) body.rate = isNaN(Number(rate)) ? rate : Number(rate);
      const send = conf(this.host, "send-html");
      if (text) { body.text = text; if (lang) body.lang = lang; }
      else if (send !== undefined && !/^(false|0|no)$/.test(send)) body.html = document.documentElement.outerHTML;
      return body;
    }

    /** POST a new reading: from now on the one followed. */
    async create(body) {
      this.readingId = null; // a late answer about the previous reading is dropped
      const reading = await this.request("POST", "/api/v1/readings", body);
      this.readingId = reading.id;
      this.pollErrors = 0;
      return reading;
    }

    async request(method, path, body) {
      let res, data = null;
      try {
        res = await fetch(this.url(path).href, {
          method, credentials: "omit",
          headers: body ? { "Content-Type": "application/json" } : {},
          body: body ? JSON.stringify(body) : undefined,
        });
      } catch (_) {
        throw new Error(this.texts.network);
      }
      try { data = await res.json(); } catch (_) { /* a proxy's error page */ }
      if (!res.ok || !data || !data.id) throw new Error((data && data.message) || this.texts.failed);
      return data;
    }

    poll() {
      clearTimeout(this.pollTimer);
      const id = this.readingId;
      if (id == null) return;
      this.pollTimer = setTimeout(async () => {
        if (!this.host.isConnected) return;
        try {
          const reading = await this.request("GET", `/api/v1/readings/${encodeURIComponent(id)}`);
          if (this.readingId === id) this.onReading(reading);
          this.pollErrors = 0;
        } catch (_) {
          if (++this.pollErrors < 5) this.poll(); // a hiccup: the audio keeps streaming meanwhile
        }
      }, 400);
    }

    stopPolling() { clearTimeout(this.pollTimer); }
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
      if (range && hasHL) {
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
      if (visible(rect)) { this.userScrolledAway = false; if (rect.top >= 0 && rect.bottom <= innerHeight) return; }
      if (this.userScrolledAway) return;
      const behavior = smooth() ? "smooth" : "auto";
      if (element.getBoundingClientRect().height < innerHeight * 0.8) element.scrollIntoView({ block: "center", behavior });
      else scrollBy({ top: rect.top - innerHeight / 3, behavior });
    }

    clear() {
      if (hasHL) { CSS.highlights.delete(SENT); CSS.highlights.delete(WORD); }
      if (this.markedElement) { this.markedElement.classList.remove(MARK); this.markedElement = null; }
      this.sentence = null;
    }
  }

  class LyssnaPlayer extends HTMLElement {
    connectedCallback() {
      if (this.shadowRoot) return; // moved in the DOM: keep its state
      const lang = (conf(this, "lang") || document.documentElement.lang || "sv").toLowerCase().startsWith("en") ? "en" : "sv";
      this.t = TEXTS[lang];
      this.client = new ReadingClient(this, this.t, (reading) => this.update(reading));
      this.reading = null;
      this.entries = []; // every sentence in time order: {b, i, start, end, words: [{start, offset, length}]}
      this.highlighter = new Highlighter();
      this.cur = this.word = -1;
      this.build(lang);
      this.first = document.querySelector(TAG) === this; // page-wide listeners: the first player only
      if (this.first) {
        document.addEventListener("selectionchange", () => { clearTimeout(this.selTimer); this.selTimer = setTimeout(() => this.onSelect(), 250); });
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
      this.clearHL();
      this.client.stopPolling();
    }

    build(lang) {
      const t = this.t, root = this.attachShadow({ mode: "open" });
      adopt(root, PLAYER_CSS);
      const btn = (name, cls, label, fn) => {
        const b = el("button", { type: "button", class: cls, part: name, "aria-label": label, title: label }, icon(name));
        b.addEventListener("click", fn);
        return b;
      };
      this.label = el("span", { text: t.listen });
      this.icon = icon("play");
      this.toggle = el("button", { type: "button", part: "button", "aria-keyshortcuts": "Alt+Shift+L", title: "Alt+Shift+L" }, this.icon, this.label);
      this.toggle.addEventListener("click", () => this.onToggle());
      this.seek = el("input", { type: "range", min: "0", max: "0", step: "1", value: "0", "aria-label": t.seek, part: "seek" });
      this.seek.addEventListener("input", () => { this.highlighter.userScrolledAway = false; this.seekTo(this.seek.value * 1000); });
      this.time = el("span", { class: "t", "aria-hidden": "true" });
      this.speed = el("select", { part: "speed" });
      const saved = Number(store("localStorage", "lyssna-speed")) || 1;
      for (const v of SPEEDS) {
        const o = el("option", { value: String(v), text: `${String(v).replace(".", t.decimal)}×` });
        o.selected = v === saved;
        this.speed.appendChild(o);
      }
      this.speed.addEventListener("change", () => {
        store("localStorage", "lyssna-speed", Number(this.speed.value));
        if (this.audio) this.audio.playbackRate = Number(this.speed.value);
      });
      this.download = el("a", { part: "download", download: "", "aria-label": t.downloadLabel }, icon("download"), el("span", { text: t.download }));
      this.controls = el("div", { class: "c", hidden: "" },
        btn("prev", "i", t.prev, () => this.step(-1)), btn("next", "i", t.next, () => this.step(1)),
        btn("stop", "i", t.stop, () => this.stop()), this.seek, this.time,
        el("label", {}, el("span", { text: t.speed }), this.speed), this.download,
        btn("close", "i", t.close, () => this.close()));
      this.status = el("p", { class: "s", role: "status", "aria-live": "polite", part: "status" });
      this.pick = el("button", { type: "button", class: "sel", part: "selection", "aria-label": t.selection, hidden: "" }, icon("play"), el("span", { text: t.listen }));
      this.pick.addEventListener("mousedown", (e) => e.preventDefault()); // keep the selection
      this.pick.addEventListener("click", () => this.readSelection());
      this.bar = el("div", { class: "bar", role: "group", "aria-label": t.player, lang }, this.toggle, this.controls, this.status);
      if (conf(this, "position") === "fixed") { this.bar.classList.add("dock"); this.setAttribute("docked", ""); }
      root.append(this.bar, this.pick);
      this.showTime();
    }

    // --- what the visitor does ---
    onToggle() {
      if (this.busy) return;
      if (!this.audio || this.failed || !this.audio.src) this.start();
      else if (this.audio.paused || this.audio.ended) this.play();
      else this.audio.pause();
    }

    onKey(e) {
      if (!(e.altKey && e.shiftKey && !e.ctrlKey && !e.metaKey && e.code === "KeyL") || e.defaultPrevented) return;
      if (editable(e.target) || query('[accesskey="l" i]')) return; // the page's own accesskey wins
      e.preventDefault();
      if (this.picked) this.readSelection(); else this.onToggle();
    }

    onPageClick(e) {
      if (!this.isOpen || e.button || e.defaultPrevented || e.composedPath().includes(this)) return;
      if (e.target.closest && e.target.closest("a,button,input,select,textarea,label,summary,[role=button],[role=link]")) return;
      const s = getSelection();
      if (s && !s.isCollapsed) return; // selecting text, not choosing a place
      this.startAt(e.target);
    }

    /** Enter with the caret or focus inside a paragraph (caret browsing, screen readers). */
    onEnter(e) {
      const s = getSelection(), at = document.activeElement !== document.body ? document.activeElement : s && s.anchorNode;
      if (!at || editable(at) || (at.closest && at.closest("a,button,summary,[role=button],[role=link]"))) return false;
      return this.startAt(at.nodeType === 3 ? at.parentNode : at, e);
    }

    onSelect() {
      const s = getSelection();
      const text = s && s.rangeCount ? s.toString().trim() : "";
      if (text.length < 2 || text.length > 5000 || this.contains(s.anchorNode) || editable(s.anchorNode && s.anchorNode.parentElement)) {
        this.picked = null;
        this.pick.hidden = true;
        return;
      }
      const range = s.getRangeAt(0), rects = range.getClientRects();
      const r = rects[rects.length - 1] || range.getBoundingClientRect();
      this.picked = { range: range.cloneRange(), text };
      this.pick.style.top = `${Math.max(4, Math.min(r.bottom + 6, innerHeight - 48))}px`;
      this.pick.style.left = `${Math.max(4, Math.min(r.right - 40, innerWidth - 120))}px`;
      this.pick.hidden = false;
    }

    readSelection() {
      const p = this.picked;
      if (!p) return;
      this.pick.hidden = true;
      const node = p.range.commonAncestorContainer, elem = node.nodeType === 1 ? node : node.parentElement;
      const lang = elem && elem.closest("[lang]");
      this.start({ text: p.text, range: p.range, lang: lang ? lang.lang : undefined });
      getSelection().removeAllRanges(); // the browser's selection colour would hide the highlight
    }

    /** Start reading at the block containing node: jump there, or read the whole page from there. */
    startAt(node) {
      if (this.mode === "page" && this.reading) {
        const b = this.highlighter.blockAt(node);
        if (b < 0) return false;
        const k = this.entries.findIndex((x) => x.b === b);
        if (k < 0) return false;
        this.jump(k);
        return true;
      }
      if (!this.isOpen) return false;
      this.start({ at: node });
      return true;
    }

    // --- playing ---
    start(opts = {}) {
      this.unlock(); // inside the click: phones allow this element to play later
      this.busy = true;
      this.failed = false;
      this.clearHL();
      this.mode = opts.text ? "text" : "page";
      this.highlighter.reset(opts.range || null);
      this.reading = null;
      this.entries = [];
      this.audio.pause();
      this.audio.removeAttribute("src");
      this.want = null;
      this.say(this.t.preparing);
      this.toggle.setAttribute("aria-busy", "true");
      this.load(this.client.body(opts.text, opts.lang), opts.at);
    }

    async load(body, at) {
      try {
        const reading = await this.client.create(body);
        this.reloaded = reading.status === "ready"; // a finished file is seekable at once
        this.update(reading);
        this.audio.src = this.client.url(reading.audio_url).href;
        this.openUp(true);
        this.highlighter.userScrolledAway = false;
        const saved = this.mode === "page" && !at && store("sessionStorage", this.key());
        if (at) this.startAt(at);
        else if (saved && saved.ms > 1000 && (!reading.duration_ms || saved.ms < reading.duration_ms - 1000)) {
          this.seekTo(saved.ms);
          this.resumeNote = `${this.t.resume} ${clock(saved.ms)}`;
        }
        this.media();
        this.play();
      } catch (error) {
        this.fail(error);
      } finally {
        this.busy = false;
        this.toggle.removeAttribute("aria-busy");
      }
    }

    unlock() {
      if (this.audio) return;
      const a = this.audio = new Audio();
      a.preload = "auto";
      const p = a.play(); // no source yet: rejects, but marks the element as started by the visitor
      if (p) p.catch(() => {});
      const on = (type, fn) => a.addEventListener(type, fn);
      on("playing", () => {
        this.setToggle(true);
        if (!this.quiet || this.resumeNote) this.say(this.resumeNote || this.t.playing); // once per start
        if (this.want == null) this.resumeNote = null; // kept until the jump back is done
        this.quiet = true;
        const tick = () => { this.ticking = !a.paused; if (this.ticking) { this.follow(); requestAnimationFrame(tick); } };
        if (!this.ticking) requestAnimationFrame(tick);
      });
      on("pause", () => {
        this.setToggle(false);
        this.quiet = false;
        if (!a.ended && !this.reloading && a.currentTime > 0 && this.isOpen) this.say(this.t.paused);
        this.save();
      });
      on("ended", () => {
        this.setToggle(false);
        this.clearHL();
        this.say(this.t.ended);
        if (this.mode === "page") store("sessionStorage", this.key(), null);
      });
      on("timeupdate", () => { this.showTime(); this.follow(); if (Date.now() - (this.savedAt || 0) > 1000) this.save(); });
      for (const type of ["durationchange", "progress", "loadedmetadata", "canplay"]) on(type, () => {
        this.showTime();
        if (this.want != null) this.seekTo(this.want);
      });
      on("error", () => { if (a.getAttribute("src")) this.fail(new Error(this.t.media)); });
    }

    play() {
      if (playingNow && playingNow !== this && playingNow.audio) playingNow.audio.pause();
      playingNow = this;
      this.highlighter.userScrolledAway = false;
      this.audio.playbackRate = Number(this.speed.value);
      const p = this.audio.play();
      if (p) p.catch((e) => { if (e.name !== "AbortError") this.fail(new Error(this.t.media)); });
    }

    stop() {
      const a = this.audio;
      if (!a) return;
      a.pause();
      this.want = null;
      if (a.readyState > 0) a.currentTime = 0;
      this.clearHL();
      this.showTime();
      this.save();
      this.say(this.t.stopped);
    }

    close() {
      const inside = this.shadowRoot.activeElement;
      if (this.audio) { this.audio.pause(); this.save(); }
      this.clearHL();
      this.openUp(false);
      this.say(this.t.closed);
      if (inside) this.toggle.focus(); // the focused button went away: give focus to the next best
    }

    openUp(open) {
      this.isOpen = open;
      this.controls.hidden = !open;
      this.bar.classList.toggle("open", open);
    }

    /** Back or forward one sentence. */
    step(delta) {
      if (!this.audio || !this.entries.length) return;
      const k = this.cur >= 0 ? this.cur : find(this.entries, this.audio.currentTime * 1000);
      this.jump(Math.max(0, Math.min(this.entries.length - 1, k + delta)));
    }

    jump(k) {
      const e = this.entries[k];
      if (!e) return;
      this.cur = -1;
      this.highlighter.userScrolledAway = false; // the visitor chose a place: follow it again
      this.seekTo(e.start);
      if (this.audio.paused) this.play();
    }

    seekTo(ms) {
      const a = this.audio, s = ms / 1000;
      if (!a || !isFinite(s)) return;
      const r = a.seekable;
      if (!(r.length && s >= r.start(0) && s <= r.end(r.length - 1))) {
        this.want = ms; // applied once that part can be reached
        if (this.reading && this.reading.status === "ready" && !this.reloaded) {
          // We streamed the MP3 while it was made; the finished file takes Range requests: reload once.
          this.reloaded = this.reloading = true;
          const resume = !a.paused;
          a.addEventListener("loadedmetadata", () => { this.reloading = false; if (resume) this.play(); }, { once: true });
          a.load();
        }
        return;
      }
      this.want = null;
      a.currentTime = s;
      this.follow();
    }

    // --- the reading, where it was left, and what the player shows of it ---
    key() { return `lyssna:${location.href.split("#")[0]}`; }

    save() {
      this.savedAt = Date.now();
      if (this.mode === "page" && this.audio && this.reading && this.want == null) store("sessionStorage", this.key(), { ms: Math.round(this.audio.currentTime * 1000) });
    }

    update(reading) {
      this.reading = reading;
      this.highlighter.blocks = reading.blocks || [];
      this.entries = [];
      (reading.blocks || []).forEach((block, b) => (block.sentences || []).forEach((s, i) => this.entries.push({
        b, i, start: +s.start_ms || 0, end: +s.end_ms || 0,
        words: (s.words || []).map((w) => ({ start: +w.start_ms || 0, offset: w.offset, length: w.length })),
      })));
      this.entries.sort((x, y) => x.start - y.start);
      const file = this.client.url(reading.audio_url);
      file.searchParams.set("download", "1");
      this.download.href = file.href;
      if (reading.status === "failed") this.fail(new Error(reading.message || reading.error || this.t.failed));
      else if (reading.status !== "ready") this.client.poll();
      else if (this.want != null) this.seekTo(this.want);
      this.showTime();
    }

    media() {
      const ms = navigator.mediaSession;
      if (!ms || !window.MediaMetadata) return;
      try {
        ms.metadata = new MediaMetadata({ title: this.reading.title || document.title, artist: location.hostname, album: this.t.player });
        const acts = {
          play: () => this.play(), pause: () => this.audio.pause(), stop: () => this.stop(),
          previoustrack: () => this.step(-1), nexttrack: () => this.step(1), seekto: (d) => this.seekTo(d.seekTime * 1000),
        };
        for (const name in acts) ms.setActionHandler(name, acts[name]);
      } catch (_) { /* an action this browser lacks */ }
    }

    totalMs() {
      const r = this.reading, a = this.audio;
      if (r && r.status === "ready" && r.duration_ms) return r.duration_ms;
      const last = this.entries.length ? this.entries[this.entries.length - 1].end : 0;
      return Math.max(last, a && isFinite(a.duration) ? a.duration * 1000 : 0, (r && r.duration_ms) || 0);
    }

    showTime() {
      const a = this.audio, now = a ? a.currentTime * 1000 : 0, total = this.totalMs();
      this.seek.max = String(Math.ceil(total / 1000));
      this.seek.value = String(Math.floor(now / 1000));
      this.seek.setAttribute("aria-valuetext", `${clock(now)} ${this.t.of} ${clock(total)}`);
      this.time.textContent = `${clock(now)} / ${clock(total)}`;
      const ms = navigator.mediaSession;
      if (ms && ms.setPositionState && a && total && !a.paused) {
        try { ms.setPositionState({ duration: total / 1000, playbackRate: a.playbackRate, position: Math.min(a.currentTime, total / 1000) }); } catch (_) { /* ignore */ }
      }
    }

    setToggle(playing) {
      this.label.textContent = playing ? this.t.pause : this.t.listen;
      this.icon.replaceWith(this.icon = icon(playing ? "pause" : "play"));
    }

    say(message, isError) {
      this.status.classList.toggle("e", !!isError);
      if (this.status.textContent !== message) this.status.textContent = message; // text, never HTML
    }

    fail(error) {
      this.failed = true;
      this.client.stopPolling();
      if (this.audio) this.audio.pause();
      this.clearHL();
      this.setToggle(false);
      this.say((error && error.message) || this.t.failed, true);
    }

    // --- following along in the page ---
    follow() {
      const a = this.audio;
      if (!a || !this.isOpen || a.ended || (a.paused && !a.currentTime) || this.want != null) return;
      const ms = a.currentTime * 1000, k = find(this.entries, ms);
      const entry = this.entries[k];
      if (k !== this.cur) {
        this.cur = k;
        this.word = -1;
        if (entry) this.highlighter.markSentence(entry.b, entry.i); else this.highlighter.clear();
      }
      if (entry && this.highlighter.sentence) {
        const w = find(entry.words, ms);
        if (w !== this.word) { this.word = w; this.highlighter.markWord(entry.words[w]); }
      }
    }

    /** Unmark the page; the next frame marks the sentence afresh. */
    clearHL() {
      this.cur = this.word = -1;
      this.highlighter.clear();
    }
  }

  customElements.define(TAG, LyssnaPlayer);

  // Enter on a paragraph (caret or focus in it) while the player is open starts reading there.
  document.addEventListener("keydown", (e) => {
    const p = document.querySelector(TAG);
    if (e.key === "Enter" && !e.altKey && !e.ctrlKey && !e.metaKey && !e.defaultPrevented && p && p.isOpen &&
        !e.composedPath().includes(p) && p.onEnter && p.onEnter(e)) e.preventDefault();
  });

  /** Pages without <lyssna-player>: add one at the start (or end) of the reading area. */
  function insertPlayer() {
    if (document.querySelector(TAG)) return;
    const area = query(conf(null, "content")) || document.querySelector("main, article") || document.body;
    const player = document.createElement(TAG);
    if (area) conf(null, "position") === "after" ? area.append(player) : area.insertBefore(player, area.firstChild);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", insertPlayer);
  else insertPlayer();
})();
