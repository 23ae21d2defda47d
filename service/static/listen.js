// The listen page's sentence highlighting: the page works without this script (audio, text, a
// download link); with it, the sentence being read is marked and kept in view. Text only: it
// never inserts HTML, it only toggles a class on the sentences the server rendered.
(function () {
  "use strict";
  const audio = document.querySelector("audio[data-reading]");
  if (!audio) return;
  // A sentence may be shown in pieces (one per table cell), all with its number.
  const spans = [];
  for (const el of document.querySelectorAll("[data-sentence]")) (spans[+el.dataset.sentence] ||= []).push(el);
  let times = [];
  let current = -1;

  function load() {
    fetch(audio.dataset.reading, { headers: { Accept: "application/json" } })
      .then((r) => (r.ok ? r.json() : Promise.reject(r.status)))
      .then((reading) => {
        times = [];
        for (const block of reading.blocks || []) for (const s of block.sentences || []) times.push([s.start_ms, s.end_ms]);
        if (reading.status !== "ready" && reading.status !== "failed") setTimeout(load, 1000);
      })
      .catch(() => setTimeout(load, 3000));
  }

  function mark() {
    const ms = audio.currentTime * 1000;
    let at = -1;
    for (let i = 0; i < times.length; i++) if (times[i][0] <= ms && ms < times[i][1]) { at = i; break; }
    if (at === current) return;
    for (const el of spans[current] || []) { el.classList.remove("now"); el.removeAttribute("aria-current"); }
    current = at;
    const pieces = spans[at];
    if (!pieces) return;
    for (const el of pieces) { el.classList.add("now"); el.setAttribute("aria-current", "true"); }
    const box = pieces[0].getBoundingClientRect();
    if (box.top < 0 || box.bottom > window.innerHeight) pieces[0].scrollIntoView({ block: "center", behavior: "smooth" });
  }

  audio.addEventListener("timeupdate", mark);
  audio.addEventListener("seeked", mark);
  load();
})();
