/* Lyssna admin, lexicon: "Hear it" plays the entry as it will sound without leaving the form.
   Optional: without it the button submits the form and the page comes back with a player. */
(function () {
  "use strict";
  document.querySelectorAll("form[data-entry-form]").forEach(function (form) {
    var hear = form.querySelector('button[name="action"][value="hear"]');
    if (!hear) return;
    var live = null;  // made when first needed: a page has one status region until then
    var viaServer = false;  // an entry the server refuses: the form is sent, and the page says why
    hear.addEventListener("click", function (event) {
      if (viaServer || !form.reportValidity()) return;
      event.preventDefault();
      var data = new FormData(form);
      var params = new URLSearchParams();
      ["written", "spoken", "kind", "lang", "match"].forEach(function (name) { params.set(name, data.get(name) || ""); });
      if (data.get("case_sensitive")) params.set("case_sensitive", "1");
      var url = form.getAttribute("data-sample") + "?" + params.toString();
      fetch(url, { credentials: "same-origin" }).then(function (r) {
        if (!r.ok) throw new Error(String(r.status));
        return r.blob();
      }).then(function () {
        var player = document.querySelector("audio[data-entry-sample]");
        if (!player) {
          player = document.createElement("audio");
          player.controls = true;
          player.setAttribute("data-entry-sample", "");
          player.setAttribute("aria-label", hear.textContent);
          form.appendChild(player);
        }
        player.src = url;  // the same URL: the MP3 just fetched is checked, the player streams it
        player.play().catch(function () {});
        if (!live) {
          live = document.createElement("p");
          live.className = "visually-hidden";
          live.setAttribute("role", "status");
          form.appendChild(live);
        }
        live.textContent = hear.textContent;
      }).catch(function () {
        viaServer = true;
        hear.click();
      });
    });
  });
})();
