// figmark search: the box in the top bar. The index is scripts (written by src/search.rs)
// because browsers refuse fetch() of local files: a small manifest (search-index.js), loaded on
// first use so that reading a page never pays for it, then only the chunks a query needs: the
// term chunks where its tokens sort, and the chunks of the pages it shows. Results are built
// with createElement/textContent only: the index holds the notes' text, which must never be
// parsed as HTML.
(function () {
  "use strict";
  var input = document.getElementById("search-input");
  var list = document.getElementById("search-results");
  if (!input || !list) return;
  var box = input.parentNode;
  var root = document.documentElement.getAttribute("data-root") || "";
  var MAX_RESULTS = 20;
  var SNIPPET_BEFORE = 30;
  var SNIPPET_CHARS = 120;
  // A token still being typed also matches longer terms, from at most this many chunks.
  var PREFIX_CHUNKS = 3;
  var DIR = "search-index/";
  var active = -1;
  // Chunk name → its data once loaded, or null while loading.
  var chunks = {};
  var failed = false;

  // A chunk script calls this; which chunk it is, its script element says.
  window.figmarkSearch = function (data) {
    chunks[document.currentScript.getAttribute("data-chunk")] = data;
  };

  // Must match is_cjk and tokens() in src/search.rs.
  var CJK = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\u{20000}-\u{2ffff}]/u;
  var ALNUM = /[\p{Alphabetic}\p{N}]/u;

  function tokens(text) {
    var out = [];
    var word = "";
    var run = [];
    function flushRun() {
      if (run.length === 1) out.push(run[0]);
      for (var i = 0; i + 1 < run.length; i++) out.push(run[i] + run[i + 1]);
      run = [];
    }
    function flushWord() {
      if (word) out.push(word);
      word = "";
    }
    for (var ch of text) {
      if (CJK.test(ch)) {
        flushWord();
        run.push(ch);
      } else if (ALNUM.test(ch)) {
        flushRun();
        word += ch.toLowerCase();
      } else {
        flushWord();
        flushRun();
      }
    }
    flushWord();
    flushRun();
    return out;
  }

  function unique(items) {
    return items.filter(function (t, i) { return items.indexOf(t) === i; });
  }

  // The term chunks where `token` sorts: the one holding it and, for a prefix, the following
  // ones whose first term starts with it (up to PREFIX_CHUNKS in all).
  function termChunks(manifest, token, prefix) {
    var first = manifest.chunks;
    if (!first.length) return [];
    var lo = 0, hi = first.length;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (first[mid] <= token) lo = mid + 1; else hi = mid;
    }
    var names = ["t" + Math.max(0, lo - 1)];
    if (prefix) {
      for (var k = lo; k < first.length && names.length < PREFIX_CHUNKS && first[k].startsWith(token); k++) {
        names.push("t" + k);
      }
    }
    return names;
  }

  // Section address → weight of one query token, from the term chunks `names`. Postings are
  // `[address, -weight?, …]` with each address after the first given as its distance from the
  // one before (a weight of 1 is left out; an address is doc * stride + section, see
  // src/search.rs). A single CJK character matches every term that starts with it (the index
  // holds the last character of each run as a term of its own), and the last word of a query
  // still being typed also matches longer words (`mome` → `momentum`); such a token takes the
  // best weight among the terms it matches.
  function postings(names, token, prefix) {
    var weights = new Map();
    var add = function (p) {
      var section = 0;
      for (var i = 0; i < p.length; i++) {
        section += p[i];
        var w = 1;
        if (p[i + 1] < 0) w = -p[++i];
        weights.set(section, Math.max(weights.get(section) || 0, w));
      }
    };
    names.forEach(function (name) {
      var terms = chunks[name];
      if (Object.prototype.hasOwnProperty.call(terms, token)) add(terms[token]);
      if (!prefix) return;
      Object.keys(terms).forEach(function (t) {
        if (t !== token && t.startsWith(token)) add(terms[t]);
      });
    });
    return weights;
  }

  // The query's tokens, each with its chunks and whether it matches as a prefix.
  function plan(manifest, query) {
    var toks = unique(tokens(query));
    var prefixLast = toks.length > 0 && !CJK.test(toks[toks.length - 1]) && !/\s$/.test(query);
    return toks.map(function (t, i) {
      var prefix = (CJK.test(t) && Array.from(t).length === 1) || (prefixLast && i === toks.length - 1);
      return { token: t, prefix: prefix, chunks: termChunks(manifest, t, prefix) };
    });
  }

  // Sections holding the most query tokens (all of them when any section has all), best first:
  // the sum of the tokens' weights (title > heading > text, see src/search.rs), ties in reading
  // order (addresses ascending).
  function search(planned) {
    var found = new Map();
    var most = 0;
    planned.forEach(function (p) {
      postings(p.chunks, p.token, p.prefix).forEach(function (w, s) {
        var f = found.get(s) || { tokens: 0, score: 0 };
        f.tokens += 1;
        f.score += w;
        found.set(s, f);
        most = Math.max(most, f.tokens);
      });
    });
    var hits = [];
    found.forEach(function (f, s) {
      if (f.tokens === most) hits.push([s, f.score]);
    });
    hits.sort(function (a, b) { return b[1] - a[1] || a[0] - b[0]; });
    return hits.slice(0, MAX_RESULTS).map(function (h) { return h[0]; });
  }

  // What to highlight: the words as typed, then their tokens, longest first.
  function needles(query) {
    var words = query.toLowerCase().split(/\s+/).filter(Boolean);
    return unique(words.concat(tokens(query))).sort(function (a, b) { return b.length - a.length; });
  }

  // Appends `text` to `parent`, each needle occurrence wrapped in <mark>.
  function highlight(parent, text, marks) {
    var lower = text.toLowerCase();
    if (lower.length !== text.length) lower = text;
    var plain = "";
    var i = 0;
    while (i < text.length) {
      var hit = null;
      for (var n = 0; n < marks.length && !hit; n++) {
        if (lower.startsWith(marks[n], i)) hit = marks[n];
      }
      if (!hit) {
        plain += text[i];
        i++;
        continue;
      }
      if (plain) parent.appendChild(document.createTextNode(plain));
      plain = "";
      var mark = document.createElement("mark");
      mark.textContent = text.slice(i, i + hit.length);
      parent.appendChild(mark);
      i += hit.length;
    }
    if (plain) parent.appendChild(document.createTextNode(plain));
  }

  function snippet(text, marks) {
    var lower = text.toLowerCase();
    var at = -1;
    for (var n = 0; n < marks.length && at < 0; n++) at = lower.indexOf(marks[n]);
    var start = Math.max(0, at - SNIPPET_BEFORE);
    var end = Math.min(text.length, start + SNIPPET_CHARS);
    return (start > 0 ? "…" : "") + text.slice(start, end) + (end < text.length ? "…" : "");
  }

  // Loads the chunks `names` not yet asked for, running the search again as each arrives; true
  // when all of them are here.
  function need(names) {
    var ready = true;
    names.forEach(function (name) {
      if (chunks[name]) return;
      ready = false;
      if (chunks[name] === null) return;
      chunks[name] = null;
      load(DIR + name + ".js", name);
    });
    return ready;
  }

  function load(src, name) {
    var script = document.createElement("script");
    script.src = root + src;
    if (name) script.setAttribute("data-chunk", name);
    script.onload = run;
    script.onerror = function () {
      failed = true;
      run();
    };
    document.head.appendChild(script);
  }

  function loadManifest() {
    if (chunks.manifest !== undefined) return;
    chunks.manifest = null;
    load("search-index.js");
  }

  function href(doc, anchor) {
    var path = doc[1].split("/").map(encodeURIComponent).join("/");
    return root + path + (anchor ? "#" + encodeURIComponent(anchor) : "");
  }

  function open(shown) {
    list.hidden = !shown;
    input.setAttribute("aria-expanded", shown ? "true" : "false");
  }

  function message(text) {
    list.textContent = "";
    var li = document.createElement("li");
    li.className = "search-message";
    li.textContent = text;
    list.appendChild(li);
    open(true);
  }

  function run() {
    var query = input.value.trim() ? input.value : "";
    active = -1;
    input.removeAttribute("aria-activedescendant");
    if (!query) {
      list.textContent = "";
      open(false);
      return;
    }
    if (failed) {
      message("无法载入搜索索引");
      return;
    }
    var manifest = window.FIGMARK_SEARCH;
    if (!manifest) {
      loadManifest();
      message("正在载入索引…");
      return;
    }
    var planned = plan(manifest, query);
    var termNames = [];
    planned.forEach(function (p) { termNames = termNames.concat(p.chunks); });
    if (!need(termNames)) {
      message("正在载入索引…");
      return;
    }
    var hits = search(planned);
    var docNames = hits.map(function (s) { return "d" + Math.floor(s / manifest.stride); });
    if (!need(docNames)) {
      message("正在载入索引…");
      return;
    }
    if (!hits.length) {
      message("没有找到“" + query.trim() + "”");
      return;
    }
    var marks = needles(query);
    list.textContent = "";
    hits.forEach(function (s, n) {
      var d = Math.floor(s / manifest.stride);
      var doc = chunks["d" + d];
      var section = doc[2][s - d * manifest.stride];
      var li = document.createElement("li");
      li.id = "search-hit-" + n;
      li.setAttribute("role", "option");
      var a = document.createElement("a");
      a.href = href(doc, section[0]);
      a.tabIndex = -1;
      var title = document.createElement("span");
      title.className = "search-title";
      highlight(title, doc[0], marks);
      a.appendChild(title);
      if (section[1]) {
        var heading = document.createElement("span");
        heading.className = "search-heading";
        highlight(heading, section[1], marks);
        a.appendChild(heading);
      }
      if (section[2]) {
        var text = document.createElement("span");
        text.className = "search-snippet";
        highlight(text, snippet(section[2], marks), marks);
        a.appendChild(text);
      }
      li.appendChild(a);
      list.appendChild(li);
    });
    open(true);
  }

  function options() {
    return list.querySelectorAll("li[role=option]");
  }

  function select(n) {
    var items = options();
    if (!items.length) return;
    active = (n + items.length) % items.length;
    items.forEach(function (li, i) {
      li.classList.toggle("active", i === active);
      li.setAttribute("aria-selected", i === active ? "true" : "false");
    });
    input.setAttribute("aria-activedescendant", items[active].id);
    items[active].scrollIntoView({ block: "nearest" });
  }

  input.addEventListener("focus", function () {
    if (!window.FIGMARK_SEARCH) loadManifest();
    if (input.value.trim()) run();
  });
  input.addEventListener("input", run);
  input.addEventListener("keydown", function (e) {
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      if (list.hidden) run();
      select(active + (e.key === "ArrowDown" ? 1 : -1));
    } else if (e.key === "Enter") {
      e.preventDefault();
      var items = options();
      var target = items[active >= 0 ? active : 0];
      if (target) window.location.href = target.querySelector("a").href;
    } else if (e.key === "Escape") {
      e.preventDefault();
      if (list.hidden) input.value = "";
      open(false);
      input.blur();
    }
  });
  document.addEventListener("click", function (e) {
    if (!box.contains(e.target)) open(false);
  });
  document.addEventListener("keydown", function (e) {
    if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey) return;
    var t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    e.preventDefault();
    input.focus();
    input.select();
  });
})();
