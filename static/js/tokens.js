// The "See the tokens" box: tokenizes as the reader types. The page works without this
// script (the form submits and the server draws the same results).
(function () {
  "use strict";
  var form = document.querySelector(".token-form");
  if (!form || !window.fetch) return;
  var input = document.getElementById("token-input");
  var encoding = document.getElementById("token-encoding");
  var price = document.getElementById("token-price");
  var showIds = document.getElementById("token-show-ids");
  var out = {
    count: document.getElementById("token-count"),
    characters: document.getElementById("token-characters"),
    context: document.getElementById("token-context"),
    cost: document.getElementById("token-cost"),
    segments: document.getElementById("token-segments"),
  };
  var CONTEXT_WINDOW = 1000000;
  var DEBOUNCE_MS = 150;
  var timer = null;
  var inFlight = null;
  var lastCount = Number(out.count.textContent) || 0;

  function share(count) {
    var percent = (count / CONTEXT_WINDOW) * 100;
    if (percent === 0) return "0%";
    return percent < 0.01 ? percent.toFixed(4) + "%" : percent.toFixed(2) + "%";
  }

  function cost(count) {
    var perMillion = parseFloat(price.value);
    if (!isFinite(perMillion) || perMillion < 0) return "—";
    return "$" + ((count * perMillion) / 1000000).toFixed(6);
  }

  function drawSegments(segments, elided) {
    var fragment = document.createDocumentFragment();
    segments.forEach(function (segment, i) {
      var span = document.createElement("span");
      span.className = "tok tok-" + (i % 6);
      span.textContent = segment.text;
      span.title = "id " + segment.ids.join(", ");
      span.setAttribute("data-ids", segment.ids.join(" "));
      fragment.appendChild(span);
    });
    if (elided) {
      var more = document.createElement("span");
      more.className = "tok-more";
      more.textContent = "…";
      fragment.appendChild(more);
    }
    out.segments.replaceChildren(fragment);
  }

  function render(result) {
    lastCount = result.count;
    out.count.textContent = String(result.count);
    out.characters.textContent = String(result.characters);
    out.context.textContent = share(result.count);
    out.cost.textContent = cost(result.count);
    drawSegments(result.segments, result.segments_elided);
  }

  function tokenize() {
    if (inFlight) inFlight.abort();
    var controller = new AbortController();
    inFlight = controller;
    fetch(form.getAttribute("data-api"), {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ text: input.value, encoding: encoding.value }),
      signal: controller.signal,
    })
      .then(function (response) {
        if (!response.ok) throw new Error("tokenize failed: " + response.status);
        return response.json();
      })
      .then(function (result) {
        if (inFlight === controller) {
          inFlight = null;
          render(result);
        }
      })
      .catch(function (error) {
        if (error.name !== "AbortError") out.count.textContent = "—";
      });
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(tokenize, DEBOUNCE_MS);
  }

  input.addEventListener("input", schedule);
  encoding.addEventListener("change", tokenize);
  price.addEventListener("input", function () {
    out.cost.textContent = cost(lastCount);
  });
  showIds.addEventListener("change", function () {
    out.segments.classList.toggle("show-ids", showIds.checked);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    tokenize();
  });
})();
