#!/usr/bin/env python3
"""Module dependency cycles and function lengths of src/, for reviews of the code's shape.

Usage: scripts/module_graph.py [SRC_DIR]   (default: src)
Prints each module's lines, the cycles between modules (a module is a file; `use crate::a::b`
and `use super::b` count as edges), and the longest functions outside tests.
"""
import os
import re
import sys

src = sys.argv[1] if len(sys.argv) > 1 else "src"


def module_of(path):
    rel = os.path.relpath(path, src)[:-3]
    parts = rel.split(os.sep)
    if parts[-1] in ("mod", "lib", "main"):
        parts = parts[:-1]
    return "::".join(parts) or "crate"


files = {}
for dirpath, _, names in os.walk(src):
    for name in names:
        if name.endswith(".rs"):
            path = os.path.join(dirpath, name)
            files[module_of(path)] = open(path, encoding="utf-8").read()


def code(text):
    """The text before the tests, without comments."""
    text = text.split("#[cfg(test)]")[0]
    return re.sub(r"//.*", "", text)


def resolve(module, name):
    """The known module that `crate::…`/`super::…` path `name` lands in, longest match."""
    parts = name.split("::")
    if parts[0] == "super":
        base = module.split("::")[:-1]
        parts = base + parts[1:]
    elif parts[0] == "crate":
        parts = parts[1:]
    elif parts[0] == "self":
        parts = module.split("::") + parts[1:]
    for n in range(len(parts), 0, -1):
        candidate = "::".join(parts[:n])
        if candidate in files and candidate != module:
            return candidate
    return None


edges = {m: set() for m in files}
for module, text in files.items():
    for m in re.finditer(r"\b((?:crate|super|self)(?:::\w+)+)(?:::\{([^}]*)\})?", code(text)):
        heads = [m.group(1)]
        if m.group(2):
            heads = [m.group(1) + "::" + item.strip().split(" ")[0] for item in m.group(2).split(",") if item.strip()]
        for head in heads:
            target = resolve(module, head)
            # A module's use of its own ancestors (their shared types) is not a dependency edge.
            if target and not module.startswith(target + "::"):
                edges[module].add(target)

# Tarjan's strongly connected components.
index, low, stack, on, sccs, counter = {}, {}, [], set(), [], [0]


def visit(v):
    index[v] = low[v] = counter[0]
    counter[0] += 1
    stack.append(v)
    on.add(v)
    for w in edges[v]:
        if w not in index:
            visit(w)
            low[v] = min(low[v], low[w])
        elif w in on:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        scc = []
        while True:
            w = stack.pop()
            on.discard(w)
            scc.append(w)
            if w == v:
                break
        if len(scc) > 1:
            sccs.append(sorted(scc))


sys.setrecursionlimit(10000)
for v in sorted(files):
    if v not in index:
        visit(v)

print("lines per module:")
for module in sorted(files):
    print(f"  {len(files[module].splitlines()):5}  {module}")
print(f"module cycles: {len(sccs)}")
for scc in sccs:
    print("  " + " <-> ".join(scc))

lengths = []
for module, text in files.items():
    lines = text.split("#[cfg(test)]")[0].split("\n")
    for i, line in enumerate(lines):
        m = re.match(r"^(\s*)(?:pub(?:\([^)]*\))? )?(?:const )?fn (\w+)", line)
        if not m:
            continue
        indent = m.group(1)
        j = i + 1
        while j < len(lines) and lines[j].rstrip() != indent + "}":
            j += 1
        lengths.append((j - i + 1, module, m.group(2)))
lengths.sort(reverse=True)
print("longest functions (lines):")
for n, module, name in lengths[:8]:
    print(f"  {n:5}  {module}::{name}")
