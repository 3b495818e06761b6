// Search as you type (API.md section 14). Without this file the header's box is a plain GET
// form to /search. With it: results follow typing (debounced, the request in flight
// aborted), "/" focuses the box, arrow keys move through the results, Enter opens one.
(function () {
  "use strict";
  var DEBOUNCE_MS = 150;
  var timer = null;
  var inFlight = null;

  function typingElsewhere(target) {
    if (!target) return false;
    var tag = target.tagName;
    return target.isContentEditable || tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT";
  }

  function target(input) {
    // On the search page the results list is the page's; elsewhere a panel under the header box.
    var list = document.getElementById("search-results");
    if (list) return { list: list, panel: null, status: document.getElementById("search-status") };
    var panel = input.form && input.form.querySelector(".search-live");
    return panel ? { list: panel, panel: panel, status: null } : null;
  }

  function render(where, query, results) {
    var list = where.list;
    list.textContent = "";
    var container = list;
    if (where.panel) {
      container = document.createElement("ol");
      container.className = "search-results";
      list.appendChild(container);
    }
    results.forEach(function (r) {
      var li = document.createElement("li");
      li.className = "search-result";
      var a = document.createElement("a");
      a.href = "/lessons/" + encodeURIComponent(r.slug);
      a.textContent = r.title;
      li.appendChild(a);
      if (r.locked) {
        var badge = document.createElement("span");
        badge.className = "badge";
        badge.textContent = r.access.charAt(0).toUpperCase() + r.access.slice(1);
        li.appendChild(document.createTextNode(" "));
        li.appendChild(badge);
      }
      var p = document.createElement("p");
      p.className = "search-snippet";
      // The server's snippet: escaped text with <mark>, nothing else.
      p.innerHTML = r.snippet;
      li.appendChild(p);
      container.appendChild(li);
    });
    var message = results.length === 0 ? "No lessons match “" + query + "”."
      : results.length + (results.length === 1 ? " lesson matches" : " lessons match") + " “" + query + "”.";
    if (where.status) where.status.textContent = message;
    if (where.panel) {
      if (results.length === 0) {
        var none = document.createElement("p");
        none.className = "search-none";
        none.textContent = message;
        where.panel.appendChild(none);
      }
      where.panel.hidden = false;
    }
  }

  function search(input) {
    var where = target(input);
    if (!where) return;
    var query = input.value;
    if (inFlight) inFlight.abort();
    if (query.trim() === "") {
      inFlight = null;
      if (where.panel) where.panel.hidden = true;
      return;
    }
    var controller = new AbortController();
    inFlight = controller;
    var url = "/api/v1/search?limit=8&q=" + encodeURIComponent(query);
    fetch(url, { signal: controller.signal, credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { results: [] }; })
      .then(function (body) {
        if (inFlight === controller) render(where, query, body.results || []);
      })
      .catch(function () { /* aborted, or offline: the form still works */ });
  }

  function links(input) {
    var where = target(input);
    return where ? Array.prototype.slice.call(where.list.querySelectorAll("a")) : [];
  }

  function move(input, from, step) {
    var all = links(input);
    if (all.length === 0) return false;
    var at = all.indexOf(from);
    var next = at + step;
    if (next < 0) { input.focus(); return true; }
    if (next >= all.length) next = all.length - 1;
    all[next].focus();
    return true;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var inputs = Array.prototype.slice.call(document.querySelectorAll("[data-search-input]"));
    if (inputs.length === 0) return;
    var main = document.getElementById("search-page-q") || inputs[0];
    inputs.forEach(function (input) {
      input.addEventListener("input", function () {
        clearTimeout(timer);
        timer = setTimeout(function () { search(input); }, DEBOUNCE_MS);
      });
      input.addEventListener("keydown", function (event) {
        if (event.key === "ArrowDown" && move(input, null, 1)) event.preventDefault();
        if (event.key === "Escape") {
          var where = target(input);
          if (where && where.panel) where.panel.hidden = true;
        }
      });
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "/" && !typingElsewhere(event.target) && !event.ctrlKey && !event.metaKey && !event.altKey) {
        event.preventDefault();
        main.focus();
        main.select();
        return;
      }
      var link = event.target;
      if (!link || link.tagName !== "A") return;
      var owner = inputs.filter(function (input) { return links(input).indexOf(link) >= 0; })[0];
      if (!owner) return;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        move(owner, link, event.key === "ArrowDown" ? 1 : -1);
      }
    });
  });
})();
