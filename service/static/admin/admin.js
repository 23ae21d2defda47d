/* Lyssna admin: live progress of a pre-generation batch. Optional: without it the page refreshes
   itself (<noscript> meta refresh). Served as a file so the strict CSP needs no inline script.
   Its few words follow the page's language (<html lang>, the admin's choice). */
(function () {
  "use strict";
  var box = document.querySelector("[data-batch-status]");
  if (!box) return;
  var english = document.documentElement.lang === "en";
  var url = box.getAttribute("data-batch-status");
  var fields = box.querySelectorAll("[data-field]");
  var bar = box.querySelector("progress");
  var live = document.getElementById("batch-live");
  var lastAnnounced = -1;

  function pages(n) {
    return english ? (n === 1 ? "page" : "pages") : (n === 1 ? "sida" : "sidor");
  }

  function fmtEta(s) {
    if (s === null || s === undefined) return "–";
    s = Math.round(s);
    if (s >= 60) return Math.floor(s / 60) + " min " + String(s % 60).padStart(2, "0") + " s";
    return s + " s";
  }

  function text(name, p) {
    if (name === "eta_s") return fmtEta(p.eta_s);
    if (name === "percent") return p.percent + " %";
    if (name === "pages-word") return pages(p.total);
    return String(p[name]);
  }

  function show(p) {
    fields.forEach(function (el) { el.textContent = text(el.getAttribute("data-field"), p); });
    var warn = document.getElementById("no-workers");
    if (warn && (p.workers > 0 || p.finished)) warn.hidden = true;
    if (bar) { bar.value = p.done; bar.max = p.total || 1; bar.textContent = p.percent + " %"; }
    // Tell screen readers every 25 % and at the end, not on every page.
    var step = Math.floor(p.percent / 25);
    if (live && (step !== lastAnnounced || p.finished)) {
      lastAnnounced = step;
      live.textContent = p.finished
        ? (english ? "Finished: " + p.done + " of " + p.total + " " + pages(p.total) + "."
                   : "Klart: " + p.done + " av " + p.total + " " + pages(p.total) + ".")
        : p.percent + (english ? " % done." : " % klart.");
    }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (p) {
        show(p);
        if (p.finished) {
          // The finished page lists failures server-side; reload once to show them.
          if (p.failed > 0 || p.interrupted) window.location.reload();
          else box.setAttribute("data-finished", "true");
        } else {
          setTimeout(poll, 1000);
        }
      })
      .catch(function () { setTimeout(poll, 3000); });
  }

  if (box.getAttribute("data-finished") !== "true") poll();
})();
