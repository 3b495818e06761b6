// Reading progress: tells the server how far the reader got through the lesson, at each
// quarter and at the end, never lower than what is already saved. Loaded only for signed-in
// readers of lessons they may read in full; the page works without it.
(function () {
  "use strict";
  var article = document.querySelector("article[data-progress-slug]");
  if (!article || !window.fetch) {
    return;
  }
  var slug = article.getAttribute("data-progress-slug");
  var saved = parseInt(article.getAttribute("data-progress-percent"), 10) || 0;
  var sending = false;
  var pending = 0;
  var meter = document.querySelector("[data-progress-meter]");
  var label = document.querySelector(".learning-label");

  function readPercent() {
    var rect = article.getBoundingClientRect();
    var viewport = window.innerHeight || document.documentElement.clientHeight;
    if (rect.height <= 0) {
      return 0;
    }
    var seen = (viewport - rect.top) / rect.height;
    return Math.max(0, Math.min(100, Math.floor(seen * 100)));
  }

  // Only quarters and the end are reported: 25, 50, 75, 100.
  function milestone(percent) {
    return percent >= 100 ? 100 : Math.floor(percent / 25) * 25;
  }

  function send(percent) {
    if (sending) {
      pending = Math.max(pending, percent);
      return;
    }
    sending = true;
    fetch("/api/v1/lessons/" + encodeURIComponent(slug) + "/progress", {
      method: "PUT",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ percent: percent })
    })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (body) {
        if (body) {
          saved = Math.max(saved, body.percent);
          if (meter) {
            meter.value = body.percent;
            meter.textContent = body.percent + "%";
          }
          if (label) {
            label.textContent = body.status === "completed"
              ? "✓ Completed"
              : "In progress · " + body.percent + "% read";
          }
        }
      })
      .catch(function () {})
      .then(function () {
        sending = false;
        if (pending > saved) {
          var next = pending;
          pending = 0;
          send(next);
        }
      });
  }

  var scheduled = false;
  function check() {
    scheduled = false;
    var reached = milestone(readPercent());
    if (reached > saved && reached > pending) {
      send(reached);
    }
  }

  window.addEventListener("scroll", function () {
    if (!scheduled) {
      scheduled = true;
      window.setTimeout(check, 250);
    }
  }, { passive: true });
  check();
})();
