/*! Lyssna player v1 — "Lyssna på sidan" for any page. One file, no dependencies. GPL-3.0-or-later.
 *
 * Markup (works without JavaScript; the script upgrades the link into a player):
 *   <script src="https://lyssna.example.se/widget.js" defer data-content="#main" data-skip=".rs_skip"></script>
 *   <lyssna-player><a href="https://lyssna.example.se/listen?url=...">Lyssna på sidan</a></lyssna-player>
 * Recommended site CSS so the upgrade causes no layout shift:
 *   lyssna-player { display: block; min-height: 2.75rem; }
 *
 * Nothing is fetched before the first click. Styles are constructable stylesheets and text is only
 * ever set with textContent, so the player works under a strict Content-Security-Policy.
 */
(() => {
  "use strict";
  const TAG = "lyssna-player";
  if (!window.customElements || customElements.get(TAG)) return; // loaded twice: keep the first

  const HIGHLIGHT = "lyssna-sentence";
  const FALLBACK_CLASS = "lyssna-reading";
  const SPEEDS = [0.75, 1, 1.25, 1.5, 2];
  const POLL_MS = 500;

  // --- configuration ------------------------------------------------------------------------------
  const script = document.currentScript;
  const scriptData = (script && script.dataset) || {};
  const globalConf = window.lyssnaConf || {};
  const scriptOrigin = script && script.src ? new URL(script.src, location.href).origin : "";

  /** Element attribute, then the script tag's data-*, then window.lyssnaConf. */
  function conf(el, name) {
    const camel = name.replace(/-(\w)/g, (_, c) => c.toUpperCase());
    if (el.hasAttribute(name)) return el.getAttribute(name);
    if (scriptData[camel] !== undefined) return scriptData[camel];
    const value = globalConf[camel];
    return value === undefined || value === null ? undefined : String(value);
  }

  function isOn(value) {
    return value !== undefined && value !== "false" && value !== "0" && value !== "no";
  }

  const TEXTS = {
    sv: {
      listen: "Lyssna", pause: "Pausa", stop: "Stoppa", speed: "Hastighet",
      download: "Ladda ner", downloadLabel: "Ladda ner ljudfilen", seek: "Position i uppläsningen",
      of: "av", preparing: "Förbereder uppläsning…", playing: "Spelar upp", paused: "Pausad",
      stopped: "Stoppad", ended: "Uppläsningen är klar",
      failed: "Uppläsningen misslyckades. Försök igen senare.",
      network: "Tjänsten för uppläsning gick inte att nå. Försök igen senare.",
      media: "Ljudet kunde inte spelas upp.", decimal: ",",
    },
    en: {
      listen: "Listen", pause: "Pause", stop: "Stop", speed: "Speed",
      download: "Download", downloadLabel: "Download the audio file", seek: "Position in the reading",
      of: "of", preparing: "Preparing the reading…", playing: "Playing", paused: "Paused",
      stopped: "Stopped", ended: "The reading has finished",
      failed: "The reading failed. Please try again later.",
      network: "The reading service could not be reached. Please try again later.",
      media: "The audio could not be played.", decimal: ".",
    },
  };

  // --- styles (constructable stylesheets: allowed under style-src without 'unsafe-inline') -------
  function adopt(root, css) {
    try {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(css);
      root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
    } catch (_) { // very old browsers: a <style> element (blocked by a strict CSP, harmless there)
      const style = document.createElement("style");
      style.textContent = css;
      (root === document ? document.head : root).appendChild(style);
    }
  }

  const PLAYER_CSS = `
:host { display: block; min-height: 2.75rem; font: inherit; color: inherit; }
:host([hidden]) { display: none; }
.bar { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem .75rem; }
.controls { display: contents; }
.controls[hidden] { display: none; }
button, select, a.download { font: inherit; font-size: 1rem; line-height: 1.2; box-sizing: border-box;
  min-height: 2.75rem; border-radius: .375rem; cursor: pointer; }
button { display: inline-flex; align-items: center; gap: .4rem; margin: 0; padding: 0 1rem;
  border: 2px solid var(--lyssna-accent, #0b4f8a); background: var(--lyssna-accent, #0b4f8a);
  color: var(--lyssna-accent-text, #fff); font-weight: 600; }
button:hover { filter: brightness(1.15); }
button.stop { padding: 0 .7rem; background: transparent; color: var(--lyssna-accent, #0b4f8a); }
select { padding: 0 .4rem; border: 1px solid #767676; background: #fff; color: #1a1a1a; }
label { display: inline-flex; align-items: center; gap: .4rem; font-size: .95rem; }
a.download { display: inline-flex; align-items: center; gap: .3rem; padding: 0 .3rem;
  color: var(--lyssna-accent, #0b4f8a); font-weight: 600; }
input[type=range] { flex: 1 1 8rem; min-width: 6rem; max-width: 22rem; height: 2.75rem; margin: 0;
  accent-color: var(--lyssna-accent, #0b4f8a); cursor: pointer; }
.time { font-variant-numeric: tabular-nums; font-size: .95rem; white-space: nowrap; }
.status { margin: 0; font-size: .95rem; }
.status.error { color: #b00020; font-weight: 600; }
svg { width: 1.1em; height: 1.1em; fill: currentColor; flex: none; }
:focus-visible { outline: 3px solid var(--lyssna-focus, #ffbf47); outline-offset: 2px;
  box-shadow: 0 0 0 5px #1a1a1a; }
@media (forced-colors: active) { button { border-color: ButtonText; } }
`;

  const PAGE_CSS = `
::highlight(${HIGHLIGHT}) { background-color: var(--lyssna-highlight, #ffe27a); color: #1a1a1a; }
.${FALLBACK_CLASS} { background-color: var(--lyssna-highlight, #ffe27a) !important; color: #1a1a1a !important;
  outline: 2px solid var(--lyssna-highlight, #ffe27a); }
`;
  let pageStyled = false;
  function stylePage() {
    if (!pageStyled) adopt(document, PAGE_CSS);
    pageStyled = true;
  }

  // --- small helpers ------------------------------------------------------------------------------
  const ICONS = {
    play: "M8 5v14l11-7z",
    pause: "M6 5h4v14H6zm8 0h4v14h-4z",
    stop: "M6 6h12v12H6z",
    download: "M5 20h14v-2H5v2zM19 9h-4V3H9v6H5l7 7 7-7z",
  };
  function icon(name) {
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    const path = document.createElementNS(ns, "path");
    path.setAttribute("d", ICONS[name]);
    svg.appendChild(path);
    return svg;
  }

  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (key === "text") node.textContent = value;
      else node.setAttribute(key, value);
    }
    node.append(...children);
    return node;
  }

  function clock(ms) {
    const s = Math.max(0, Math.floor((ms || 0) / 1000));
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = String(s % 60).padStart(2, "0");
    return h ? `${h}:${String(m).padStart(2, "0")}:${sec}` : `${m}:${sec}`;
  }

  /** Text with every whitespace character and soft hyphen removed, plus where each char came from. */
  function squashNodes(root) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
      acceptNode: (n) => /^(SCRIPT|STYLE|NOSCRIPT|TEMPLATE)$/.test(n.parentNode.nodeName)
        ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT,
    });
    let text = "";
    const map = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const data = node.data;
      for (let i = 0; i < data.length; i++) {
        const c = data[i];
        if (c === "\u00ad" || /\s/.test(c)) continue;
        text += c;
        map.push(node, i);
      }
    }
    return { text, map };
  }
  const squash = (s) => String(s || "").replace(/[\s\u00ad]+/g, "");

  function findElement(locator) {
    if (!locator) return null;
    try { return document.querySelector(locator); } catch (_) { return null; }
  }

  const reducedMotion = () => window.matchMedia && matchMedia("(prefers-reduced-motion: reduce)").matches;

  /** Scroll the sentence into view, but only when it is not already visible. */
  function reveal(element, range) {
    const rect = (range && range.getBoundingClientRect()) || element.getBoundingClientRect();
    const height = window.innerHeight || document.documentElement.clientHeight;
    if (rect.top >= 0 && rect.bottom <= height) return;
    const behavior = reducedMotion() ? "auto" : "smooth";
    if (element.getBoundingClientRect().height < height * 0.8) {
      element.scrollIntoView({ block: "center", behavior });
    } else {
      window.scrollBy({ top: rect.top - height / 3, behavior });
    }
  }

  // --- the element --------------------------------------------------------------------------------
  let playingNow = null; // one player at a time on a page

  class LyssnaPlayer extends HTMLElement {
    connectedCallback() {
      if (this.shadowRoot) { // moved in the DOM: keep its state
        if (this.reading && this.reading.status === "generating") this.poll();
        return;
      }
      const lang = (conf(this, "lang") || document.documentElement.lang || "sv").toLowerCase();
      this.t = lang.startsWith("en") ? TEXTS.en : TEXTS.sv;
      this.reading = null;
      this.entries = [];   // [{b, i, start, end}] all sentences in time order
      this.located = new Map(); // block index -> {element, text, map, spans}
      this.current = -1;
      this.starting = false;
      this.build(lang.startsWith("en") ? "en" : "sv");
    }

    disconnectedCallback() {
      if (this.audio) this.audio.pause();
      this.clearHighlight();
      clearTimeout(this.pollTimer);
    }

    build(lang) {
      const t = this.t;
      const root = this.attachShadow({ mode: "open" });
      adopt(root, PLAYER_CSS);
      this.toggleLabel = el("span", { text: t.listen });
      this.toggleIcon = icon("play");
      this.toggle = el("button", { type: "button", part: "button", class: "toggle" }, this.toggleIcon, this.toggleLabel);
      this.stopButton = el("button", { type: "button", class: "stop", part: "stop", "aria-label": t.stop, title: t.stop }, icon("stop"));
      this.seek = el("input", { type: "range", min: "0", max: "0", step: "1", value: "0", "aria-label": t.seek, part: "seek" });
      this.time = el("span", { class: "time", "aria-hidden": "true", text: `${clock(0)} / ${clock(0)}` });
      this.speed = el("select", { part: "speed" });
      for (const value of SPEEDS) {
        const option = el("option", { value: String(value), text: `${String(value).replace(".", t.decimal)}×` });
        if (value === 1) option.selected = true;
        this.speed.appendChild(option);
      }
      this.download = el("a", { class: "download", part: "download", download: "", "aria-label": t.downloadLabel },
        icon("download"), el("span", { text: t.download }));
      this.controls = el("div", { class: "controls", hidden: "" }, this.stopButton, this.seek, this.time,
        el("label", {}, el("span", { text: t.speed }), this.speed), this.download);
      this.status = el("p", { class: "status", role: "status", "aria-live": "polite", part: "status" });
      root.appendChild(el("div", { class: "bar", lang }, this.toggle, this.controls, this.status));

      this.toggle.addEventListener("click", () => this.onToggle());
      this.stopButton.addEventListener("click", () => this.stop());
      this.seek.addEventListener("input", () => this.seekTo(Number(this.seek.value)));
      this.speed.addEventListener("change", () => { if (this.audio) this.audio.playbackRate = Number(this.speed.value); });
    }

    // --- user actions ---
    onToggle() {
      if (this.starting) return;
      if (!this.audio || this.failed) { this.start(); return; }
      if (this.audio.paused || this.audio.ended) this.play();
      else this.audio.pause();
    }

    async start() {
      this.starting = true;
      this.failed = false;
      this.located = new Map();
      this.say(this.t.preparing);
      this.toggle.setAttribute("aria-busy", "true");
      try {
        const reading = await this.request("POST", "/api/v1/readings", this.body());
        this.setupAudio();
        this.update(reading);
        this.audio.src = new URL(reading.audio_url, this.api()).href;
        this.reloaded = reading.status === "ready"; // a finished file is seekable already
        this.controls.hidden = false;
        this.play();
      } catch (error) {
        this.fail(error);
      } finally {
        this.starting = false;
        this.toggle.removeAttribute("aria-busy");
      }
    }

    play() {
      if (playingNow && playingNow !== this && playingNow.audio) playingNow.audio.pause();
      playingNow = this;
      this.audio.playbackRate = Number(this.speed.value);
      const promise = this.audio.play();
      if (promise) promise.catch((error) => { if (error.name !== "AbortError") this.fail(new Error(this.t.media)); });
    }

    stop() {
      if (!this.audio) return;
      this.audio.pause();
      if (this.audio.readyState > 0) this.audio.currentTime = 0;
      this.clearHighlight();
      this.showTime();
      this.say(this.t.stopped);
    }

    seekTo(seconds) {
      const audio = this.audio;
      if (!audio || !isFinite(seconds)) return;
      const r = audio.seekable;
      const reachable = r.length && seconds >= r.start(0) && seconds <= r.end(r.length - 1);
      if (!reachable && this.reading && this.reading.status === "ready" && !this.reloaded) {
        // We streamed the MP3 while it was made; the finished file supports Range: reload it once.
        this.reloaded = this.reloading = true;
        const resume = !audio.paused;
        audio.addEventListener("loadedmetadata", () => {
          this.reloading = false;
          audio.currentTime = seconds;
          if (resume) this.play();
        }, { once: true });
        audio.load();
        return;
      }
      audio.currentTime = seconds;
      this.follow();
    }

    // --- talking to the service ---
    api() {
      const configured = conf(this, "api");
      if (configured) return new URL(configured, location.href).origin;
      if (scriptOrigin) return scriptOrigin;
      const link = this.querySelector("a[href]");
      return link ? new URL(link.href).origin : location.origin;
    }

    body() {
      const body = { url: location.href.split("#")[0] };
      for (const name of ["content", "skip", "voice"]) {
        const value = conf(this, name);
        if (value) body[name] = value;
      }
      const rate = conf(this, "rate");
      if (rate) body.rate = isNaN(Number(rate)) ? rate : Number(rate);
      if (isOn(conf(this, "send-html"))) body.html = document.documentElement.outerHTML;
      return body;
    }

    async request(method, path, body) {
      let response;
      try {
        response = await fetch(new URL(path, this.api()).href, {
          method,
          credentials: "omit",
          headers: body ? { "Content-Type": "application/json" } : {},
          body: body ? JSON.stringify(body) : undefined,
        });
      } catch (_) {
        throw new Error(this.t.network);
      }
      let data = null;
      try { data = await response.json(); } catch (_) { /* not JSON: a proxy's error page */ }
      if (!response.ok) throw new Error((data && data.message) || this.t.failed);
      if (!data || !data.id) throw new Error(this.t.failed);
      return data;
    }

    poll() {
      clearTimeout(this.pollTimer);
      this.pollTimer = setTimeout(async () => {
        if (!this.isConnected) return;
        try {
          this.update(await this.request("GET", `/api/v1/readings/${encodeURIComponent(this.reading.id)}`));
          this.pollErrors = 0;
        } catch (error) {
          this.pollErrors = (this.pollErrors || 0) + 1;
          if (this.pollErrors < 5) this.poll(); // a hiccup: the audio keeps streaming meanwhile
        }
      }, POLL_MS);
    }

    update(reading) {
      this.reading = reading;
      this.entries = [];
      (reading.blocks || []).forEach((block, b) => (block.sentences || []).forEach((s, i) => {
        this.entries.push({ b, i, start: Number(s.start_ms) || 0, end: Number(s.end_ms) || 0 });
      }));
      this.entries.sort((x, y) => x.start - y.start);
      const file = new URL(reading.audio_url, this.api());
      file.searchParams.set("download", "1"); // served as an attachment once complete
      this.download.href = file.href;
      if (reading.status === "failed") {
        this.fail(new Error(reading.message || reading.error || this.t.failed));
      } else if (reading.status !== "ready") {
        this.poll();
      }
      this.showTime();
    }

    // --- audio ---
    setupAudio() {
      if (this.audio) return;
      const audio = this.audio = new Audio();
      audio.preload = "auto";
      const on = (type, fn) => audio.addEventListener(type, fn);
      on("playing", () => { this.setToggle(true); this.say(this.t.playing); });
      on("pause", () => {
        this.setToggle(false);
        if (!audio.ended && !this.reloading && audio.currentTime > 0) this.say(this.t.paused);
      });
      on("ended", () => { this.setToggle(false); this.clearHighlight(); this.say(this.t.ended); });
      on("timeupdate", () => { this.showTime(); this.follow(); });
      on("durationchange", () => this.showTime());
      on("error", () => this.fail(new Error(this.t.media)));
    }

    totalMs() {
      const r = this.reading;
      if (r && r.status === "ready" && r.duration_ms) return r.duration_ms;
      const last = this.entries.length ? this.entries[this.entries.length - 1].end : 0;
      const media = this.audio && isFinite(this.audio.duration) ? this.audio.duration * 1000 : 0;
      return Math.max(last, media, (r && r.duration_ms) || 0);
    }

    showTime() {
      const now = this.audio ? this.audio.currentTime * 1000 : 0;
      const total = this.totalMs();
      this.seek.max = String(Math.ceil(total / 1000));
      this.seek.value = String(Math.floor(now / 1000));
      this.seek.setAttribute("aria-valuetext", `${clock(now)} ${this.t.of} ${clock(total)}`);
      this.time.textContent = `${clock(now)} / ${clock(total)}`;
    }

    setToggle(playing) {
      this.toggleLabel.textContent = playing ? this.t.pause : this.t.listen;
      this.toggleIcon.replaceWith(this.toggleIcon = icon(playing ? "pause" : "play"));
    }

    say(message, isError) {
      this.status.classList.toggle("error", !!isError);
      if (this.status.textContent === message) return; // no repeated announcements
      this.status.textContent = message; // always text, never HTML
    }

    fail(error) {
      this.failed = true;
      clearTimeout(this.pollTimer);
      if (this.audio) this.audio.pause();
      this.clearHighlight();
      this.setToggle(false);
      this.say(error && error.message ? error.message : this.t.failed, true);
    }

    // --- following along in the page ---
    follow() {
      const audio = this.audio;
      if (!audio || audio.ended || (audio.paused && audio.currentTime === 0)) return;
      const ms = audio.currentTime * 1000;
      let index = -1;
      for (let k = 0; k < this.entries.length && this.entries[k].start <= ms; k++) index = k;
      if (index === this.current) return;
      this.current = index;
      if (index < 0) { this.clearHighlight(); return; }
      this.highlight(this.entries[index]);
    }

    locate(b) {
      let found = this.located.get(b);
      if (!found || !found.element.isConnected) {
        const element = findElement(this.reading.blocks[b].locator);
        if (!element) return null;
        found = { element, ...squashNodes(element), spans: [] };
        this.located.set(b, found);
      }
      return found;
    }

    /** A Range over sentence i of block b, searched in order so repeated sentences map right. */
    sentenceRange(found, b, i) {
      const sentences = this.reading.blocks[b].sentences;
      let from = 0;
      for (let k = 0; k <= i; k++) {
        if (found.spans[k] === undefined) {
          const needle = squash(sentences[k].text);
          const at = needle ? found.text.indexOf(needle, from) : -1;
          found.spans[k] = at < 0 ? null : [at, at + needle.length];
        }
        if (found.spans[k]) from = found.spans[k][1];
      }
      const span = found.spans[i];
      if (!span) return null;
      const m = found.map;
      const range = document.createRange();
      range.setStart(m[span[0] * 2], m[span[0] * 2 + 1]);
      range.setEnd(m[(span[1] - 1) * 2], m[(span[1] - 1) * 2 + 1] + 1);
      return range;
    }

    highlight(entry) {
      this.clearHighlight();
      stylePage();
      const found = this.locate(entry.b);
      if (!found) return;
      let range = null;
      try { range = this.sentenceRange(found, entry.b, entry.i); } catch (_) { range = null; }
      if (range && window.CSS && CSS.highlights && window.Highlight) {
        CSS.highlights.set(HIGHLIGHT, new Highlight(range));
      } else {
        found.element.classList.add(FALLBACK_CLASS);
        this.marked = found.element;
        range = null;
      }
      reveal(found.element, range);
    }

    clearHighlight() {
      this.current = -1;
      if (window.CSS && CSS.highlights) CSS.highlights.delete(HIGHLIGHT);
      if (this.marked) { this.marked.classList.remove(FALLBACK_CLASS); this.marked = null; }
    }
  }

  customElements.define(TAG, LyssnaPlayer);

  // --- pages without <lyssna-player>: add one at the start of the reading area -----------------
  function insertPlayer() {
    if (document.querySelector(TAG)) return;
    const selector = scriptData.content || globalConf.content;
    const area = findElement(selector) || document.querySelector("main, article") || document.body;
    if (area) area.insertBefore(document.createElement(TAG), area.firstChild);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", insertPlayer);
  else insertPlayer();
})();
