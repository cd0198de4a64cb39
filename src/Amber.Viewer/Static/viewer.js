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

  // Math: the server marks TeX (span.math, div.math) and leaves its source as text; KaTeX (bundled, served
  // from /static) builds the formula as DOM nodes. trust:false keeps \href, \url and \html* commands off.
  function renderMath(root) {
    if (!window.katex) { return; }
    root.querySelectorAll(".math:not(.math-rendered):not(.math-error)").forEach(function (el) {
      var source = el.textContent;
      var tex = source.trim();
      var display = el.tagName === "DIV" || el.classList.contains("display");
      if (/^\\[(\[]/.test(tex)) { tex = tex.substring(2); }
      if (/\\[)\]]$/.test(tex)) { tex = tex.substring(0, tex.length - 2); }
      // throwOnError: KaTeX's own error box sets a style attribute, which the CSP refuses; on an error the TeX
      // source simply stays, marked, with KaTeX's message as its title.
      try {
        window.katex.render(tex, el, { displayMode: display, throwOnError: true, trust: false, strict: "ignore", maxSize: 100, maxExpand: 1000 });
        el.classList.add("math-rendered");
        el.setAttribute("title", tex.trim());
      } catch (e) {
        el.textContent = source; // KaTeX empties the element before it parses
        el.classList.add("math-error");
        el.setAttribute("title", String(e && e.message ? e.message : e));
      }
    });
  }

  // Keyboard: j / k move between messages, [ / ] switch the branch of the focused message (the fork on the
  // message itself, else the nearest fork above it: the branch that message is on). Links stay the controls,
  // so Tab and Enter reach the same places.
  function messages() {
    return Array.prototype.slice.call(document.querySelectorAll("#messages > .node"));
  }

  function focusedMessage() {
    var a = document.activeElement;
    var node = a && a.closest ? a.closest("#messages > .node") : null;
    if (node) { return node; }
    var fork = a && a.closest ? a.closest("nav.fork") : null;
    for (var n = fork; n; n = n.nextElementSibling) {
      if (n.classList && n.classList.contains("node")) { return n; }
    }

    return null;
  }

  function forkFor(node) {
    var all = messages();
    for (var i = node ? all.indexOf(node) : -1; i >= 0; i--) {
      for (var p = all[i].previousElementSibling; p && !(p.classList.contains("node")); p = p.previousElementSibling) {
        if (p.matches("nav.fork")) { return p; }
      }
    }

    return document.querySelector("#messages nav.fork");
  }

  function focusNode(node) {
    if (!node) { return; }
    node.focus({ preventScroll: true });
    node.scrollIntoView({ block: "nearest" });
  }

  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || !document.getElementById("messages")) { return; }
    var t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) { return; }
    var all = messages();
    var current = focusedMessage();
    if (e.key === "j" || e.key === "k") {
      var i = current ? all.indexOf(current) : -1;
      var next = e.key === "j" ? all[Math.min(all.length - 1, i + 1)] : all[Math.max(0, i - 1)];
      focusNode(next);
      e.preventDefault();
    } else if (e.key === "[" || e.key === "]") {
      var fork = forkFor(current);
      var link = fork ? fork.querySelector("a.branch-link[aria-label='" + (e.key === "[" ? "previous" : "next") + " branch']") : null;
      if (link) {
        link.click();
        e.preventDefault();
      }
    }
  });

  function wire() {
    openTarget();
    renderMath(document);
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
        if (target) {
          target.scrollIntoView({ block: "center" });
          target.focus({ preventScroll: true }); // the keyboard stays on the message whose branch just changed
        }
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
