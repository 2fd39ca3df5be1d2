// figmark's page behaviour: theme choice (remembered), the phone navigation drawer, the outline
// that follows the reading, code labels and copy buttons, ←/→ for the previous and next page,
// and figures opened full size. Plain script, no modules: it must run from file:// where module
// scripts are blocked. Interface words come from the page (the site's strings table), with
// English for a template that gives none.
(function () {
  "use strict";
  var root = document.documentElement;
  var toggle = document.getElementById("theme-toggle");
  var given = function (el, key, fallback) { return (el && el.dataset[key]) || fallback; };
  var words = {
    theme: given(toggle, "label", "Theme: "),
    system: given(toggle, "system", "system"),
    light: given(toggle, "light", "light"),
    dark: given(toggle, "dark", "dark"),
    copy: given(document.body, "copy", "Copy"),
    copied: given(document.body, "copied", "Copied")
  };

  // Theme: system → light → dark → system. The choice is kept on <html data-theme>, which the
  // style sheet reads, and in localStorage, which the page's head applies before painting.
  var marks = { system: "◐", light: "☀", dark: "☾" };
  function showTheme() {
    var choice = root.dataset.theme || "system";
    var name = words.theme + words[choice];
    toggle.textContent = marks[choice];
    toggle.setAttribute("aria-label", name);
    toggle.title = name;
  }
  if (toggle) {
    showTheme();
    toggle.addEventListener("click", function () {
      var next = { system: "light", light: "dark", dark: "system" }[root.dataset.theme || "system"];
      if (next === "system") delete root.dataset.theme; else root.dataset.theme = next;
      try {
        if (next === "system") localStorage.removeItem("figmark-theme");
        else localStorage.setItem("figmark-theme", next);
      } catch (e) { /* storage may be disabled */ }
      showTheme();
    });
  }

  var navToggle = document.querySelector(".nav-toggle");
  var sidebar = document.getElementById("sidebar");
  if (navToggle && sidebar) {
    navToggle.addEventListener("click", function () {
      var open = sidebar.classList.toggle("shown");
      navToggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }

  // The outline marks the last heading scrolled past.
  var tocLinks = Array.prototype.slice.call(document.querySelectorAll(".toc a[href^='#']"));
  var targets = tocLinks.map(function (a) {
    return document.getElementById(decodeURIComponent(a.getAttribute("href").slice(1)));
  });
  function markOutline() {
    var bar = document.querySelector(".topbar");
    var line = (bar ? bar.getBoundingClientRect().bottom : 0) + 24;
    var current = -1;
    targets.forEach(function (t, i) {
      if (t && t.getBoundingClientRect().top <= line) current = i;
    });
    tocLinks.forEach(function (a, i) { a.classList.toggle("active", i === current); });
  }
  if (tocLinks.length) {
    window.addEventListener("scroll", markOutline, { passive: true });
    window.addEventListener("hashchange", markOutline);
    markOutline();
  }

  // Code blocks: the language as a label, and a copy button.
  Array.prototype.forEach.call(document.querySelectorAll("main pre.hl-code, main pre > code"), function (el) {
    var pre = el.tagName === "PRE" ? el : el.parentNode;
    if (pre.parentNode.classList.contains("code-block")) return;
    // A long line scrolls the block sideways, which a reader without a mouse does from focus.
    pre.tabIndex = 0;
    var wrap = document.createElement("div");
    wrap.className = "code-block";
    pre.parentNode.insertBefore(wrap, pre);
    wrap.appendChild(pre);
    var code = pre.querySelector("code");
    var lang = code && /(?:^|\s)language-(\S+)/.exec(code.className);
    if (lang) {
      var label = document.createElement("span");
      label.className = "code-lang";
      label.textContent = lang[1];
      wrap.insertBefore(label, pre);
    }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy";
    button.textContent = words.copy;
    button.addEventListener("click", function () {
      copy(pre.innerText.replace(/\n$/, ""), function () {
        button.textContent = words.copied;
        setTimeout(function () { button.textContent = words.copy; }, 1500);
      });
    });
    wrap.appendChild(button);
  });

  function copy(text, done) {
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { copyBySelection(text, done); });
    } else {
      copyBySelection(text, done);
    }
  }

  function copyBySelection(text, done) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    try { if (document.execCommand("copy")) done(); } catch (e) { /* nothing to copy with */ }
    area.remove();
  }

  // ←/→ open the previous and next page, unless the reader is typing or a modifier is held.
  document.addEventListener("keydown", function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey || e.shiftKey || e.defaultPrevented) return;
    var t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    var rel = e.key === "ArrowLeft" ? "prev" : e.key === "ArrowRight" ? "next" : null;
    var link = rel && document.querySelector(".pager a[rel='" + rel + "']");
    if (link) location.href = link.href;
  });

  // Figures open full size on click or Enter, and close on click, Enter or Escape.
  var zoomed = null;
  function zoom(figure) {
    if (zoomed) zoomed.classList.remove("zoomed");
    zoomed = figure && figure !== zoomed ? figure : null;
    if (zoomed) {
      zoomed.classList.add("zoomed");
      zoomed.focus();
    }
  }
  Array.prototype.forEach.call(document.querySelectorAll("figure.figure"), function (figure) {
    figure.tabIndex = 0;
    figure.addEventListener("click", function () { zoom(figure); });
    figure.addEventListener("keydown", function (e) {
      if (e.key === "Enter") zoom(figure);
    });
  });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && zoomed) zoom(null);
  });
})();
