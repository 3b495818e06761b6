// The lesson editor's live preview: as the admin types, the source is sent (debounced) to
// POST /api/v1/admin/preview and the sanitised HTML, the token count and any validation
// errors (with their line numbers) are shown before saving. Without this script the
// editor's Preview and Save buttons post the form and the server draws the same things.
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll(".admin-delete"), function (del) {
    del.addEventListener("submit", function (event) {
      if (!window.confirm("Delete this lesson and all its revisions? Learners' progress is kept.")) {
        event.preventDefault();
      }
    });
  });
  var upload = document.querySelector(".admin-audio-form");
  if (upload && window.fetch) {
    upload.addEventListener("submit", function (event) {
      event.preventDefault();
      var file = document.getElementById("audio-file").files[0];
      var status = document.getElementById("audio-status");
      if (!file) return;
      status.textContent = "Uploading…";
      fetch(upload.getAttribute("data-upload"), {
        method: "PUT",
        headers: { "Content-Type": "audio/mpeg" },
        body: file,
      })
        .then(function (response) {
          return response.json().then(function (body) {
            if (!response.ok) throw new Error(body.error ? body.error.message : "Upload failed.");
            return body;
          });
        })
        .then(function (body) {
          status.textContent = "Narration saved: " + Math.round(body.duration_seconds) +
            " s, preview " + Math.round(body.preview_seconds) + " s.";
        })
        .catch(function (error) {
          status.textContent = error.message;
        });
    });
  }
  var form = document.querySelector(".admin-editor");
  if (!form || !window.fetch) return;
  var source = document.getElementById("lesson-source");
  var html = document.getElementById("preview-html");
  var tokens = document.getElementById("preview-tokens");
  var errors = document.getElementById("editor-errors");
  var url = form.getAttribute("data-preview");
  var DEBOUNCE_MS = 400;
  var timer = null;
  var latest = 0;

  function showErrors(error) {
    errors.textContent = "";
    source.removeAttribute("aria-invalid");
    if (!error) return;
    var box = document.createElement("div");
    box.className = "form-message";
    var p = document.createElement("p");
    p.textContent = error.message || "The preview failed.";
    box.appendChild(p);
    var fields = error.fields || {};
    var names = Object.keys(fields);
    if (names.length) {
      var list = document.createElement("ul");
      names.forEach(function (name) {
        var item = document.createElement("li");
        var code = document.createElement("code");
        code.textContent = name;
        item.appendChild(code);
        item.appendChild(document.createTextNode(": " + fields[name]));
        list.appendChild(item);
      });
      box.appendChild(list);
    }
    errors.appendChild(box);
    source.setAttribute("aria-invalid", "true");
  }

  function preview() {
    var request = ++latest;
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "text/markdown; charset=utf-8", Accept: "application/json" },
      body: source.value,
    })
      .then(function (response) {
        return response.json().then(function (body) {
          return { ok: response.ok, body: body };
        });
      })
      .then(function (result) {
        if (request !== latest) return;
        if (result.ok) {
          showErrors(null);
          // The server sanitised this HTML (no script, handler, javascript: or data: URL).
          html.innerHTML = result.body.html;
          tokens.textContent = String(result.body.token_count.o200k_base);
        } else {
          showErrors(result.body.error);
        }
      })
      .catch(function () {
        if (request === latest) showErrors({ message: "The preview could not be loaded." });
      });
  }

  source.addEventListener("input", function () {
    if (timer) clearTimeout(timer);
    timer = setTimeout(preview, DEBOUNCE_MS);
  });
  preview();
})();
