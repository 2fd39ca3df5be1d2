#!/usr/bin/env python3
"""Bytes of script one search loads from a built site, as static/search.js loads them.

    search_bytes.py PUBLIC QUERY [QUERY...]

The query is typed a key at a time; at each key the script loads the term chunks where the
tokens sort (a token still being typed, or one CJK character, also the next chunks it starts,
up to 3), for a word of 4+ letters that matches nothing the word lists' chunks where it sorts
(up to 2 of each list) and the term chunks of the words found near it, and the chunks of the
pages among the first 20 results (a page chunk holds the manifest's `pages` pages). Prints, per
query, how many sections it finds, and the scripts and bytes loaded in all (the manifest
counted once).
"""

import json
import re
import sys
from pathlib import Path

MAX_RESULTS = 20
PREFIX_CHUNKS = 3
WORD_MIN = 4
WORD_CHUNKS = 2
CORRECTIONS = 5
LONG_WORD = 8
CJK = re.compile(
    "[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0002ffff]"
)


def tokens(text):
    out, word, run = [], "", []

    def flush():
        nonlocal word, run
        if word:
            out.append(word)
        if len(run) == 1:
            out.append(run[0])
        out.extend(run[i] + run[i + 1] for i in range(len(run) - 1))
        word, run = "", []

    digit = lambda i: 0 <= i < len(text) and text[i] in "0123456789"
    for i, ch in enumerate(text):
        if CJK.match(ch):
            if word:
                out.append(word)
                word = ""
            run.append(ch)
        elif word and ch in "×*" and digit(i - 1) and digit(i + 1):
            word += "x"
        elif ch.isalnum():
            if run:
                flush()
            word += ch.lower()
        else:
            flush()
    flush()
    return list(dict.fromkeys(out))


def utf16(s):
    return s.encode("utf-16-be")


def sorts_after(firsts, key):
    """How many of the sorted `firsts` sort at or before `key` (all UTF-16 encoded)."""
    return sum(1 for f in firsts if f <= key)


def list_chunks(firsts, letter, key):
    """The chunks of one word list that may hold a word one edit from `key` (search.js)."""
    if not firsts:
        return []
    start = utf16(key[: max(2, (len(key) - 1) // 2)])
    at = max(0, sorts_after(firsts, utf16(key)) - 1)
    lo = max(0, sorts_after(firsts, start) - 1)
    hi = at
    while hi + 1 < len(firsts) and firsts[hi + 1].startswith(start):
        hi += 1
    names, d = [], 0
    while len(names) < WORD_CHUNKS and (at - d >= lo or at + d <= hi):
        if at + d <= hi:
            names.append(f"{letter}{at + d}")
        if d and at - d >= lo and len(names) < WORD_CHUNKS:
            names.append(f"{letter}{at - d}")
        d += 1
    return names


def edits(a, b, most):
    """Insertions, deletions, replacements and swaps of neighbours from `a` to `b`, at most most + 1."""
    if abs(len(a) - len(b)) > most:
        return most + 1
    before, last = None, list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        row = [i]
        for j in range(1, len(b) + 1):
            d = min(last[j] + 1, row[j - 1] + 1, last[j - 1] + (a[i - 1] != b[j - 1]))
            if before and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d = min(d, before[j - 2] + 1)
            row.append(d)
        before, last = last, row
    return min(last[len(b)], most + 1)


def call(path):
    text = path.read_text(encoding="utf-8")
    text = text.split("=", 1)[1] if text.startswith("window.") else text[len("figmarkSearch("):]
    return json.loads(text.strip().rstrip(";").rstrip(")"))


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    public = Path(sys.argv[1])
    manifest = call(public / "search-index.js")
    firsts = [utf16(f) for f in manifest["chunks"]]
    words = [utf16(f) for f in manifest.get("words", [])]
    backwards = [utf16(f) for f in manifest.get("backwards", [])]
    for query in sys.argv[2:]:
        loaded = {"search-index.js"}
        cache = {}

        def chunk(name):
            loaded.add(f"search-index/{name}.js")
            if name not in cache:
                cache[name] = call(public / "search-index" / f"{name}.js")
            return cache[name]

        def postings(t, prefix):
            key = utf16(t)
            lo = sorts_after(firsts, key)
            names = [f"t{max(0, lo - 1)}"]
            k = lo
            while prefix and k < len(firsts) and len(names) < PREFIX_CHUNKS and firsts[k].startswith(key):
                names.append(f"t{k}")
                k += 1
            weights = {}
            for name in names:
                for term, p in chunk(name).items():
                    if term != t and not (prefix and term.startswith(t)):
                        continue
                    at, j = 0, 0
                    while j < len(p):
                        at += p[j]
                        w = 1
                        if j + 1 < len(p) and p[j + 1] < 0:
                            w = -p[j + 1]
                            j += 1
                        weights[at] = max(weights.get(at, 0), w)
                        j += 1
            return weights

        def corrections(t):
            most = 2 if len(t) >= LONG_WORD else 1
            near = []
            names = list_chunks(words, "w", t) + list_chunks(backwards, "b", t[::-1])
            for name in names:
                for w in chunk(name):
                    w = w[::-1] if name[0] == "b" else w
                    d = edits(t, w, most)
                    if d <= most and w != t:
                        near.append((d, w))
            fewest = min((d for d, _ in near), default=None)
            return sorted({w for d, w in near if d == fewest})[:CORRECTIONS]

        for typed in range(1, len(query) + 1):
            q = query[:typed]
            toks = tokens(q)
            if not toks:
                continue
            prefix_last = not CJK.match(toks[-1]) and not q.endswith(" ")
            found = {}
            for i, t in enumerate(toks):
                prefix = (CJK.match(t) and len(t) == 1) or (prefix_last and i == len(toks) - 1)
                weights = postings(t, prefix)
                typed = bool(weights)
                if not weights and words and len(t) >= WORD_MIN and t.isalpha() and not CJK.search(t):
                    for w in corrections(t):
                        for s, weight in postings(w, False).items():
                            weights[s] = max(weights.get(s, 0), weight)
                for s, w in weights.items():
                    n, exact, score = found.get(s, (0, 0, 0))
                    found[s] = (n + 1, exact + typed, score + w)
            most = max((n for n, _, _ in found.values()), default=0)
            hits = sorted((-exact, -score, s) for s, (n, exact, score) in found.items() if n == most)
            for _, _, s in hits[:MAX_RESULTS]:
                chunk(f"d{s // manifest['stride'] // manifest.get('pages', 1)}")
        size = sum((public / name).stat().st_size for name in loaded)
        print(f"{query!r}: {len(hits)} results, {len(loaded)} scripts, {size / 1024:.0f} KB")


if __name__ == "__main__":
    main()
