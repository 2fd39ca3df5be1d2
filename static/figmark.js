// figmark's page behaviour: theme toggle (remembered) and the phone navigation drawer.
// Plain script, no modules: it must run from file:// where module scripts are blocked.
(function () {
  "use strict";
  var root = document.documentElement;

  function currentTheme() {
    if (root.dataset.theme) return root.dataset.theme;
    return window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  }

  var toggle = document.getElementById("theme-toggle");
  if (toggle) {
    toggle.addEventListener("click", function () {
      var next = currentTheme() === "dark" ? "light" : "dark";
      root.dataset.theme = next;
      try { localStorage.setItem("figmark-theme", next); } catch (e) { /* storage may be disabled */ }
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
})();
