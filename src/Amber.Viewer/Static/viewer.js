// Amber viewer: small progressive enhancements. Every page works without this file.
// Served from the app itself ('script-src self'); it never turns text into markup (no innerHTML of content).
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function toggleAll(selector, button, showLabel, hideLabel) {
    var items = document.querySelectorAll(selector);
    var open = button.getAttribute("aria-pressed") !== "true";
    items.forEach(function (d) { d.open = open; });
    button.setAttribute("aria-pressed", open ? "true" : "false");
    button.textContent = open ? hideLabel : showLabel;
  }

  // A link to a hidden or system message (a search hit, say) opens it.
  function openTarget() {
    var id = window.location.hash ? window.location.hash.substring(1) : "";
    var target = id ? document.getElementById(id) : null;
    if (target && target.tagName === "DETAILS") {
      target.open = true;
      target.scrollIntoView({ block: "center" });
    }
  }

  window.addEventListener("hashchange", openTarget);

  function wire() {
    openTarget();
    var hidden = document.getElementById("toggle-hidden");
    if (hidden) {
      hidden.addEventListener("click", function () {
        toggleAll("details.hidden-node", hidden, "Show hidden and system messages", "Collapse hidden and system messages");
      });
    }

    var thinking = document.getElementById("toggle-thinking");
    if (thinking) {
      thinking.addEventListener("click", function () {
        toggleAll("details.thinking", thinking, "Expand thinking", "Collapse thinking");
      });
    }
  }

  // Branch switching without a full reload: fetch the page for the other branch and swap <main>.
  // The fetched document is parsed inert (DOMParser runs no script) and comes from this server.
  document.addEventListener("click", function (e) {
    var a = e.target.closest ? e.target.closest("a.branch-link") : null;
    if (!a || e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) {
      return;
    }

    e.preventDefault();
    var url = a.getAttribute("href");
    fetch(url, { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.text(); })
      .then(function (text) {
        var doc = new DOMParser().parseFromString(text, "text/html");
        var next = doc.getElementById("main");
        var current = document.getElementById("main");
        if (!next || !current) { window.location.href = url; return; }
        current.replaceWith(document.adoptNode(next));
        history.pushState({}, "", url);
        wire();
        var hash = url.indexOf("#") >= 0 ? url.substring(url.indexOf("#") + 1) : null;
        var target = hash ? document.getElementById(hash) : null;
        if (target) { target.scrollIntoView({ block: "center" }); }
      })
      .catch(function () { window.location.href = url; });
  });

  window.addEventListener("popstate", function () { window.location.reload(); });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", wire);
  } else {
    wire();
  }
})();
