// figmark search: the box in the top bar. The index is scripts (written by src/search.rs)
// because browsers refuse fetch() of local files: a small manifest (search-index.js), loaded on
// first use so that reading a page never pays for it, then only the chunks a query needs: the
// term chunks where its tokens sort, and the chunks of the pages it shows (and, for a word that
// matches nothing, the chunks of the word lists where it sorts: see "Typos" in src/search.rs).
// Results are built with createElement/textContent only: the index holds the notes' text, which
// must never be parsed as HTML. A result's link carries the query (`?q=`), and the page it opens
// marks the query's words in its article; that is done here, beside the tokenizer it shares.
(function () {
  "use strict";
  var input = document.getElementById("search-input");
  var list = document.getElementById("search-results");
  var box = input && input.parentNode;
  var root = document.documentElement.getAttribute("data-root") || "";
  var MAX_RESULTS = 20;
  var SNIPPET_BEFORE = 30;
  var SNIPPET_CHARS = 120;
  // A token still being typed also matches longer terms, from at most this many chunks.
  var PREFIX_CHUNKS = 3;
  // Typos: words this long or longer are corrected, from at most this many chunks of each word
  // list, to at most this many words; one edit, two from LONG_WORD letters on.
  var WORD_MIN = 4;
  var WORD_CHUNKS = 2;
  var CORRECTIONS = 5;
  var LONG_WORD = 8;
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

  var TIMES = /[×*]/;
  var DIGIT = /[0-9]/;

  // `×` or `*` between two digits is read as `x`: `1×1` and `1x1` are the same word.
  function between(chars, i) {
    return TIMES.test(chars[i]) && DIGIT.test(chars[i - 1] || "") && DIGIT.test(chars[i + 1] || "");
  }

  function tokens(text) {
    var out = [];
    var word = "";
    var run = [];
    var chars = Array.from(text);
    function flushRun() {
      if (run.length === 1) out.push(run[0]);
      for (var i = 0; i + 1 < run.length; i++) out.push(run[i] + run[i + 1]);
      run = [];
    }
    function flushWord() {
      if (word) out.push(word);
      word = "";
    }
    chars.forEach(function (ch, i) {
      if (CJK.test(ch)) {
        flushWord();
        run.push(ch);
      } else if (word && between(chars, i)) {
        word += "x";
      } else if (ALNUM.test(ch)) {
        flushRun();
        word += ch.toLowerCase();
      } else {
        flushWord();
        flushRun();
      }
    });
    flushWord();
    flushRun();
    return out;
  }

  function unique(items) {
    return items.filter(function (t, i) { return items.indexOf(t) === i; });
  }

  // `text` as tokens() reads it, at the same offsets: each character lowercased (unless that
  // changes its length) and `×` or `*` between digits as `x`. Highlighting finds needles in it.
  function fold(text) {
    var chars = Array.from(text);
    return chars.map(function (ch, i) {
      if (between(chars, i)) return "x";
      var lower = ch.toLowerCase();
      return lower.length === ch.length ? lower : ch;
    }).join("");
  }

  // How many of the sorted `firsts` (each a chunk's first entry) sort at or before `key`.
  function sortsAfter(firsts, key) {
    var lo = 0, hi = firsts.length;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (firsts[mid] <= key) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  // The term chunks where `token` sorts: the one holding it and, for a prefix, the following
  // ones whose first term starts with it (up to PREFIX_CHUNKS in all).
  function termChunks(manifest, token, prefix) {
    var first = manifest.chunks;
    if (!first.length) return [];
    var lo = sortsAfter(first, token);
    var names = ["t" + Math.max(0, lo - 1)];
    if (prefix) {
      for (var k = lo; k < first.length && names.length < PREFIX_CHUNKS && first[k].startsWith(token); k++) {
        names.push("t" + k);
      }
    }
    return names;
  }

  // Whether a token that matched nothing is corrected: letters only, none CJK, WORD_MIN or more
  // (src/search.rs lists exactly these words).
  function correctable(manifest, token) {
    return manifest.words && Array.from(token).length >= WORD_MIN && /^\p{Alphabetic}+$/u.test(token) && !CJK.test(token);
  }

  function backwards(word) {
    return Array.from(word).reverse().join("");
  }

  // The chunks of one word list (`letter` w or b, first entries `firsts`) that may hold a word
  // one edit from `key`: one edit leaves the first or the last half of a word as it was, so the
  // word starts with the first half of `key` spelt forwards or backwards (two characters at
  // least). Of the chunks holding words that start so, the one where `key` sorts and its
  // neighbours, up to WORD_CHUNKS.
  function listChunks(firsts, letter, key) {
    if (!firsts.length) return [];
    var chars = Array.from(key);
    var start = chars.slice(0, Math.max(2, (chars.length - 1) >> 1)).join("");
    var at = Math.max(0, sortsAfter(firsts, key) - 1);
    var lo = Math.max(0, sortsAfter(firsts, start) - 1);
    var hi = at;
    while (hi + 1 < firsts.length && firsts[hi + 1].startsWith(start)) hi++;
    var names = [];
    for (var d = 0; names.length < WORD_CHUNKS && (at - d >= lo || at + d <= hi); d++) {
      if (at + d <= hi) names.push(letter + (at + d));
      if (d && at - d >= lo && names.length < WORD_CHUNKS) names.push(letter + (at - d));
    }
    return names;
  }

  function wordChunks(manifest, token) {
    return listChunks(manifest.words, "w", token).concat(listChunks(manifest.backwards, "b", backwards(token)));
  }

  // Edits from `a` to `b` (insert, delete, replace, swap two neighbours), or `most + 1` when
  // there are more than `most`.
  function edits(a, b, most) {
    a = Array.from(a);
    b = Array.from(b);
    if (Math.abs(a.length - b.length) > most) return most + 1;
    var before = null, last = [], row, i, j;
    for (j = 0; j <= b.length; j++) last.push(j);
    for (i = 1; i <= a.length; i++) {
      row = [i];
      for (j = 1; j <= b.length; j++) {
        var d = Math.min(last[j] + 1, row[j - 1] + 1, last[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        if (before && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, before[j - 2] + 1);
        row.push(d);
      }
      before = last;
      last = row;
    }
    return Math.min(last[b.length], most + 1);
  }

  // The listed words nearest `token` (in the chunks wordChunks names, loaded): those at the
  // fewest edits, within one (two for a long word), up to CORRECTIONS, in order.
  function corrections(manifest, token) {
    var most = Array.from(token).length >= LONG_WORD ? 2 : 1;
    var near = [];
    wordChunks(manifest, token).forEach(function (name) {
      var words = chunks[name];
      if (name[0] === "b") words = words.map(backwards);
      words.forEach(function (w) {
        var d = edits(token, w, most);
        if (d <= most && w !== token) near.push([d, w]);
      });
    });
    var fewest = Math.min.apply(null, near.map(function (n) { return n[0]; }));
    var words = near.filter(function (n) { return n[0] === fewest; }).map(function (n) { return n[1]; });
    return unique(words).sort().slice(0, CORRECTIONS);
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

  // The query's tokens as lists of section address → weight (see postings), each marked
  // `corrected` when it matched no term and its nearest words stand in for it (their weights,
  // the best of them), with `words`, every word that stood in; null while a chunk is loading.
  function gather(manifest, planned) {
    if (!need(flat(planned.map(function (p) { return p.chunks; })))) return null;
    var lists = planned.map(function (p) {
      return { weights: postings(p.chunks, p.token, p.prefix), corrected: false };
    });
    var typos = planned.filter(function (p, i) {
      return !lists[i].weights.size && correctable(manifest, p.token);
    });
    if (!need(flat(typos.map(function (p) { return wordChunks(manifest, p.token); })))) return null;
    var near = typos.map(function (p) { return corrections(manifest, p.token); });
    var names = flat(near.map(function (words) {
      return flat(words.map(function (w) { return termChunks(manifest, w, false); }));
    }));
    if (!need(names)) return null;
    typos.forEach(function (p, k) {
      var list = lists[planned.indexOf(p)];
      list.corrected = true;
      near[k].forEach(function (w) {
        postings(termChunks(manifest, w, false), w, false).forEach(function (weight, s) {
          list.weights.set(s, Math.max(list.weights.get(s) || 0, weight));
        });
      });
    });
    return { lists: lists, words: flat(near) };
  }

  function flat(lists) {
    return [].concat.apply([], lists);
  }

  // Sections holding the most query tokens (all of them when any section has all), best first:
  // those holding more of the tokens as typed (not corrected), then the sum of the tokens'
  // weights (title > heading > text, see src/search.rs), ties in reading order (addresses
  // ascending).
  function search(lists) {
    var found = new Map();
    var most = 0;
    lists.forEach(function (list) {
      list.weights.forEach(function (w, s) {
        var f = found.get(s) || { tokens: 0, typed: 0, score: 0 };
        f.tokens += 1;
        if (!list.corrected) f.typed += 1;
        f.score += w;
        found.set(s, f);
        most = Math.max(most, f.tokens);
      });
    });
    var hits = [];
    found.forEach(function (f, s) {
      if (f.tokens === most) hits.push([s, f.typed, f.score]);
    });
    hits.sort(function (a, b) { return b[1] - a[1] || b[2] - a[2] || a[0] - b[0]; });
    return hits.slice(0, MAX_RESULTS).map(function (h) { return h[0]; });
  }

  // What to highlight: the words as typed, then their tokens, longest first, all folded.
  function needles(query) {
    var words = fold(query).split(/\s+/).filter(Boolean);
    return unique(words.concat(tokens(query))).sort(function (a, b) { return b.length - a.length; });
  }

  // Appends `text` to `parent`, each needle occurrence wrapped in <mark> (of class `kind`, when
  // given); returns how many.
  function highlight(parent, text, marks, kind) {
    var folded = fold(text);
    var plain = "";
    var count = 0;
    var i = 0;
    while (i < text.length) {
      var hit = null;
      for (var n = 0; n < marks.length && !hit; n++) {
        if (folded.startsWith(marks[n], i)) hit = marks[n];
      }
      if (!hit) {
        plain += text[i];
        i++;
        continue;
      }
      if (plain) parent.appendChild(document.createTextNode(plain));
      plain = "";
      var mark = document.createElement("mark");
      if (kind) mark.className = kind;
      mark.textContent = text.slice(i, i + hit.length);
      parent.appendChild(mark);
      count++;
      i += hit.length;
    }
    if (plain) parent.appendChild(document.createTextNode(plain));
    return count;
  }

  function snippet(text, marks) {
    var folded = fold(text);
    var at = -1;
    for (var n = 0; n < marks.length && at < 0; n++) at = folded.indexOf(marks[n]);
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

  // A result's link: the page, the query (`?q=`, which the page marks; a query string, unlike a
  // second fragment, keeps the heading's anchor working and is kept from file:// too), and the
  // heading's anchor.
  function href(doc, anchor, query) {
    var path = doc[1].split("/").map(encodeURIComponent).join("/");
    return root + path + "?q=" + encodeURIComponent(query) + (anchor ? "#" + encodeURIComponent(anchor) : "");
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
      message(input.dataset.failed);
      return;
    }
    var manifest = window.FIGMARK_SEARCH;
    if (!manifest) {
      loadManifest();
      message(input.dataset.loading);
      return;
    }
    var found = gather(manifest, plan(manifest, query));
    var hits = found ? search(found.lists) : [];
    // Page chunks hold `manifest.pages` pages each, in reading order.
    function pageChunk(d) { return "d" + Math.floor(d / manifest.pages); }
    var docNames = hits.map(function (s) { return pageChunk(Math.floor(s / manifest.stride)); });
    if (!found || !need(docNames)) {
      message(input.dataset.loading);
      return;
    }
    if (!hits.length) {
      message(input.dataset.none.replace("{query}", query.trim()));
      return;
    }
    // The words that stood in for typos are marked too, and go with the query to the page.
    var marked = [query.trim()].concat(found.words).join(" ");
    var marks = needles(marked);
    list.textContent = "";
    hits.forEach(function (s, n) {
      var d = Math.floor(s / manifest.stride);
      var page = chunks[pageChunk(d)][d % manifest.pages];
      list.appendChild(result(page, s - d * manifest.stride, marks, marked, n));
    });
    open(true);
  }

  // One result: the page's title, › and the section's heading on one line, the snippet on the
  // next. The separator is text, not a style's `::before`, and the snippet a block after a
  // space, so that the link's text (what a screen reader says, what is copied) reads
  // "title › heading snippet", not "titleheadingsnippet".
  function result(doc, section, marks, marked, n) {
    var entry = doc[2][section];
    var li = document.createElement("li");
    li.id = "search-hit-" + n;
    li.setAttribute("role", "option");
    var a = document.createElement("a");
    a.href = href(doc, entry[0], marked);
    a.tabIndex = -1;
    var title = document.createElement("span");
    title.className = "search-title";
    highlight(title, doc[0], marks);
    a.appendChild(title);
    if (entry[1]) {
      var sep = document.createElement("span");
      sep.className = "search-sep";
      sep.textContent = " › ";
      a.appendChild(sep);
      var heading = document.createElement("span");
      heading.className = "search-heading";
      highlight(heading, entry[1], marks);
      a.appendChild(heading);
    }
    if (entry[2]) {
      a.appendChild(document.createTextNode(" "));
      var text = document.createElement("span");
      text.className = "search-snippet";
      highlight(text, snippet(entry[2], marks), marks);
      a.appendChild(text);
    }
    li.appendChild(a);
    return li;
  }

  // On the page a result opened, the text of the article that is not marked: code, formulas,
  // figures, the outline, controls, and what is marked already.
  var UNMARKED = "pre, code, math, svg, script, style, button, mark, .toc";

  // Marks the words of the query a result carried (`?q=`) in the article, and shows a button
  // that takes the marks away.
  function markLanding() {
    var query = new URLSearchParams(location.search).get("q");
    var article = document.querySelector("main article");
    if (!query || !query.trim() || !article) return;
    var marks = needles(query);
    var walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
    var texts = [];
    while (walker.nextNode()) {
      var node = walker.currentNode;
      if (node.nodeValue.trim() && !node.parentElement.closest(UNMARKED)) texts.push(node);
    }
    var count = 0;
    texts.forEach(function (node) {
      var marked = document.createDocumentFragment();
      var n = highlight(marked, node.nodeValue, marks, "search-hit");
      if (!n) return;
      node.parentNode.replaceChild(marked, node);
      count += n;
    });
    if (!count) return;
    var bar = document.createElement("div");
    bar.className = "search-hits";
    var said = document.createElement("span");
    said.textContent = (document.body.dataset.marked || "Marked: ") + query.trim();
    var clear = document.createElement("button");
    clear.type = "button";
    clear.textContent = document.body.dataset.unmark || "Clear";
    clear.addEventListener("click", function () { unmark(article, bar); });
    bar.appendChild(said);
    bar.appendChild(clear);
    document.body.appendChild(bar);
    // A result without a heading opens at the top: bring the first mark into view.
    if (!location.hash) article.querySelector("mark.search-hit").scrollIntoView({ block: "center" });
  }

  function unmark(article, bar) {
    article.querySelectorAll("mark.search-hit").forEach(function (mark) {
      var parent = mark.parentNode;
      parent.replaceChild(document.createTextNode(mark.textContent), mark);
      parent.normalize();
    });
    bar.remove();
    // The address loses its query, so that a reload does not mark again; a browser that keeps
    // file:// history to itself may refuse.
    try {
      history.replaceState(history.state, "", location.pathname + location.hash);
    } catch (e) { /* the marks are gone all the same */ }
  }

  markLanding();
  if (!input || !list) return;

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
