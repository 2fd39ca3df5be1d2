#!/usr/bin/env python3
"""Bytes of script one search loads from a built site, as static/search.js loads them.

    search_bytes.py PUBLIC QUERY [QUERY...]

The query is typed a key at a time; at each key the script loads the term chunks where the
tokens sort (a token still being typed, or one CJK character, also the next chunks it starts,
up to 3) and the chunks of the pages among the first 20 results. Prints, per query, the scripts
and bytes loaded in all (the manifest counted once).
"""

import json
import re
import sys
from pathlib import Path

MAX_RESULTS = 20
PREFIX_CHUNKS = 3
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

    for ch in text:
        if CJK.match(ch):
            if word:
                out.append(word)
                word = ""
            run.append(ch)
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
    for query in sys.argv[2:]:
        loaded = {"search-index.js"}
        cache = {}

        def chunk(name):
            loaded.add(f"search-index/{name}.js")
            if name not in cache:
                cache[name] = call(public / "search-index" / f"{name}.js")
            return cache[name]

        for typed in range(1, len(query) + 1):
            q = query[:typed]
            toks = tokens(q)
            if not toks:
                continue
            prefix_last = not CJK.match(toks[-1]) and not q.endswith(" ")
            found = {}
            for i, t in enumerate(toks):
                prefix = (CJK.match(t) and len(t) == 1) or (prefix_last and i == len(toks) - 1)
                key = utf16(t)
                lo = sum(1 for f in firsts if f <= key)
                names = [f"t{max(0, lo - 1)}"]
                k = lo
                while prefix and k < len(firsts) and len(names) < PREFIX_CHUNKS and firsts[k].startswith(key):
                    names.append(f"t{k}")
                    k += 1
                weights = {}
                for name in names:
                    for term, postings in chunk(name).items():
                        if term != t and not (prefix and term.startswith(t)):
                            continue
                        at, j = 0, 0
                        while j < len(postings):
                            at += postings[j]
                            w = 1
                            if j + 1 < len(postings) and postings[j + 1] < 0:
                                w = -postings[j + 1]
                                j += 1
                            weights[at] = max(weights.get(at, 0), w)
                            j += 1
                for s, w in weights.items():
                    n, score = found.get(s, (0, 0))
                    found[s] = (n + 1, score + w)
            most = max((n for n, _ in found.values()), default=0)
            hits = sorted((-score, s) for s, (n, score) in found.items() if n == most)
            for _, s in hits[:MAX_RESULTS]:
                chunk(f"d{s // manifest['stride']}")
        size = sum((public / name).stat().st_size for name in loaded)
        print(f"{query!r}: {len(loaded)} scripts, {size / 1024:.0f} KB")


if __name__ == "__main__":
    main()
