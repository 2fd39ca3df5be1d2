#!/usr/bin/env python3
"""Generates a corpus of N notes shaped like figmark's real ones, for benchmarks and scale tests.

    gen_corpus.py N OUT [--hugo]

writes a figmark site to OUT/figmark (site.toml, content/) and, with --hugo, the same notes as a
Hugo site to OUT/hugo (hugo.toml, content/, a minimal layout printing the table of contents and
the content). Notes come in sections of 50; each has Chinese and English prose, three headings,
a list, a table, a fenced python block, inline math, three cross-links to other notes (one with
an anchor) and a word no other note holds (`unique_word`). The output depends only on N: the same N gives the same bytes.

Hugo leaves the `.md` links as they are (no render hook): it does no link checking or rewriting,
so its build does less work than figmark's there.
"""

import random
import sys
from pathlib import Path

SECTION_SIZE = 50

ZH = [
    "卷积神经网络通过局部连接和参数共享减少参数量，同时保留图像的空间结构。",
    "感受野随着网络加深而增大，下采样让之后每一层的贡献翻倍。",
    "批归一化把每一层的输入拉回到均值为零、方差为一的分布，训练因此更稳定。",
    "动量法在梯度方向一致时加速，在方向来回变化时减小震荡。",
    "过拟合时训练误差很小而验证误差很大，正则化和数据增强都能缓解。",
    "激活函数引入非线性，否则多层网络等价于一层线性变换。",
]
EN = [
    "A residual connection lets the gradient flow through an identity path, so deep stacks still train.",
    "Depthwise separable convolution splits a standard convolution into a per-channel step and a 1x1 step.",
    "The learning rate schedule matters as much as the optimizer: warm-up avoids early divergence.",
    "Dropout randomly zeroes activations during training, which acts like an ensemble of thinner networks.",
]
HEADINGS = ["基本概念", "计算方法", "常见问题", "与其他方法的比较", "实践建议"]

SITE_TOML = """title = "Benchmark corpus"
description = "Generated notes for benchmarks."
language = "zh-CN"
"""

HUGO_TOML = """baseURL = "https://example.org/"
languageCode = "zh-CN"
title = "Benchmark corpus"
[markup.highlight]
noClasses = false
[markup.tableOfContents]
startLevel = 2
endLevel = 3
"""

HUGO_BASEOF = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body>{{ block "main" . }}{{ end }}</body></html>
"""
HUGO_SINGLE = """{{ define "main" }}<h1>{{ .Title }}</h1>
<nav>{{ .TableOfContents }}</nav>
{{ .Content }}{{ end }}
"""
HUGO_LIST = """{{ define "main" }}<h1>{{ .Title }}</h1>
{{ .Content }}
<ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>{{ end }}
"""


def unique_word(i):
    """A word only note `i` holds (`i` in base 26 after a `q`), for finding one note by search."""
    letters = ""
    while True:
        i, r = divmod(i, 26)
        letters = chr(ord("a") + r) + letters
        if i == 0:
            return "q" + letters


def note_body(rng, n, i, sec, idx):
    """The body of note `idx` of section `sec`, linking to three other notes."""
    headings = [HEADINGS[0]] + rng.sample(HEADINGS[1:], 2)
    targets = [rng.randrange(n) for _ in range(3)]
    links = []
    for k, t in enumerate(targets):
        tsec, tidx = divmod(t, SECTION_SIZE)
        path = f"n{tidx:03}.md" if tsec == sec else f"../s{tsec:03}/n{tidx:03}.md"
        anchor = f"#{HEADINGS[0]}" if k == 0 else ""
        links.append(f"[笔记 {t}]({path}{anchor})")
    parts = [
        f"## {headings[0]}\n",
        f"{rng.choice(ZH)}{rng.choice(ZH)}参见{links[0]}。{rng.choice(EN)}\n",
        f"{rng.choice(EN)} 记步长为 $s_{{{i % 7}}}$，输出尺寸为 $\\lfloor (n + 2p - k)/s \\rfloor + 1$。\n",
        f"- {rng.choice(ZH)}\n- {rng.choice(EN)}\n- 与{links[1]}的区别在于参数量。\n",
        f"## {headings[1]}\n",
        "| 方法 | 参数量 | 说明 |\n|---|---|---|\n"
        f"| 标准卷积 | $k^2 C_{{in}} C_{{out}}$ | {rng.choice(ZH)} |\n"
        f"| 可分离卷积 | $k^2 C_{{in}} + C_{{in}} C_{{out}}$ | {rng.choice(EN)} |\n",
        "```python\n"
        "import numpy as np\n\n\n"
        f"def step(w, grad, lr={0.01 * (i % 5 + 1):.2f}, beta=0.9, v=None):\n"
        "    \"\"\"One momentum step.\"\"\"\n"
        "    v = np.zeros_like(w) if v is None else v\n"
        "    v = beta * v + (1 - beta) * grad\n"
        f"    return w - lr * v, v  # note {i}\n"
        "```\n",
        f"## {headings[2]}\n",
        f"{rng.choice(ZH)}{rng.choice(ZH)}更多内容见{links[2]}。\n",
        f"### 小结\n\n{rng.choice(EN)} {rng.choice(ZH)} {unique_word(i)}\n",
    ]
    return "\n".join(parts)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    n = int(sys.argv[1])
    out = Path(sys.argv[2])
    hugo = "--hugo" in sys.argv[3:]
    rng = random.Random(n)
    sites = [out / "figmark"] + ([out / "hugo"] if hugo else [])
    files = {}
    sections = (n + SECTION_SIZE - 1) // SECTION_SIZE
    files["_index.md"] = "---\ntitle: 首页\nsummary: 生成的笔记。\n---\n\n生成的笔记，用于基准测试。\n"
    for sec in range(sections):
        files[f"s{sec:03}/_index.md"] = (
            f"---\ntitle: 第 {sec} 节\nsummary: 第 {sec} 节的笔记。\nweight: {sec}\n---\n\n"
            f"{ZH[sec % len(ZH)]}\n"
        )
    for i in range(n):
        sec, idx = divmod(i, SECTION_SIZE)
        front = (
            f"---\ntitle: 笔记 {i}\nsummary: {ZH[i % len(ZH)]}\n"
            f"tags: [标签{i % 20}, topic-{i % 7}]\nweight: {idx}\n---\n\n"
        )
        files[f"s{sec:03}/n{idx:03}.md"] = front + note_body(rng, n, i, sec, idx)
    for site in sites:
        for rel, text in files.items():
            path = site / "content" / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    (out / "figmark" / "site.toml").write_text(SITE_TOML, encoding="utf-8")
    if hugo:
        h = out / "hugo"
        (h / "hugo.toml").write_text(HUGO_TOML, encoding="utf-8")
        layouts = h / "layouts" / "_default"
        layouts.mkdir(parents=True, exist_ok=True)
        (layouts / "baseof.html").write_text(HUGO_BASEOF, encoding="utf-8")
        (layouts / "single.html").write_text(HUGO_SINGLE, encoding="utf-8")
        (layouts / "list.html").write_text(HUGO_LIST, encoding="utf-8")


if __name__ == "__main__":
    main()
