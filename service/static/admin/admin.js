/* Lyssna admin: live progress of a pre-generation batch. Optional: without it the page refreshes
   itself (<noscript> meta refresh). Served as a file so the strict CSP needs no inline script. */
(function () {
  "use strict";
  var box = document.querySelector("[data-batch-status]");
  if (!box) return;
  var url = box.getAttribute("data-batch-status");
  var fields = box.querySelectorAll("[data-field]");
  var bar = box.querySelector("progress");
  var live = document.getElementById("batch-live");
  var lastAnnounced = -1;

  function fmtEta(s) {
    if (s === null || s === undefined) return "–";
    s = Math.round(s);
    if (s >= 60) return Math.floor(s / 60) + " min " + String(s % 60).padStart(2, "0") + " s";
    return s + " s";
  }

  function show(p) {
    fields.forEach(function (el) {
      var name = el.getAttribute("data-field");
      var v = name === "eta_s" ? fmtEta(p.eta_s) : name === "percent" ? p.percent + " %" : p[name];
      el.textContent = String(v);
    });
    var warn = document.getElementById("no-workers");
    if (warn && (p.workers > 0 || p.finished)) warn.hidden = true;
    if (bar) { bar.value = p.done; bar.max = p.total || 1; bar.textContent = p.percent + " %"; }
    // Tell screen readers every 25 % and at the end, not on every page.
    var step = Math.floor(p.percent / 25);
    if (live && (step !== lastAnnounced || p.finished)) {
      lastAnnounced = step;
      live.textContent = p.finished ? "Klart: " + p.done + " av " + p.total + " sidor." : p.percent + " % klart.";
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
