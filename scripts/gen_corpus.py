#!/usr/bin/env python3
"""Generates a corpus of N notes shaped like figmark's real ones, for benchmarks and scale tests.

    gen_corpus.py N OUT [--hugo] [--zola]

writes a figmark site to OUT/figmark (site.toml, content/), with --hugo the same notes as a Hugo
site to OUT/hugo (hugo.toml, content/, a minimal layout printing the table of contents and the
content) and with --zola as a Zola site to OUT/zola (config.toml with the search index on,
content/, minimal templates doing what Hugo's layout does). Notes come in sections of 50; each
has Chinese and English prose, three headings, a list, a table, a fenced python block, inline
math, three cross-links to other notes (one with an anchor) and a word no other note holds
(`unique_word`). The output depends only on N: the same N gives the same bytes.

Zola gets the same text under TOML front matter it accepts: `summary` becomes `description` (a
section refuses unknown fields), `tags` a `tags` taxonomy, and sections sort pages by weight.

Hugo and Zola leave the `.md` links as they are (no render hook; Zola checks only `@/` links): they
do no link checking or rewriting, so their builds do less work than figmark's there.
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

ZOLA_CONFIG = """base_url = "https://example.org/"
title = "Benchmark corpus"
default_language = "zh"
build_search_index = true
taxonomies = [{ name = "tags" }]

[markdown.highlighting]
theme = "github-light"
style = "class"
"""

ZOLA_TOC = """<nav><ul>{% for h in page.toc %}<li><a href="#{{ h.id }}">{{ h.title }}</a>
{%- if h.children %}<ul>{% for c in h.children %}<li><a href="#{{ c.id }}">{{ c.title }}</a></li>
{%- endfor %}</ul>{% endif %}</li>{% endfor %}</ul></nav>"""


def zola_template(title, body):
    """A template extending base.html, the Zola counterpart of Hugo's `define "main"`."""
    return (
        '{% extends "base.html" %}{% block title %}' + title + "{% endblock %}\n"
        "{% block main %}<h1>" + title + "</h1>\n" + body + "{% endblock %}\n"
    )


def zola_list(items, href, text):
    """A `<ul>` of links, one per item of the for-loop `items`."""
    return f'<ul>{{% for {items} %}}<li><a href="{{{{ {href} }}}}">{{{{ {text} }}}}</a></li>{{% endfor %}}</ul>'


ZOLA_TEMPLATES = {
    "base.html": HUGO_BASEOF.replace("{{ .Title }}", "{% block title %}{% endblock %}").replace(
        '{{ block "main" . }}{{ end }}', "{% block main %}{% endblock %}"
    ),
    "page.html": zola_template("{{ page.title }}", ZOLA_TOC + "\n{{ page.content | safe }}"),
    "section.html": zola_template(
        "{{ section.title }}",
        "{{ section.content | safe }}\n"
        + zola_list("page in section.pages", "page.permalink", "page.title"),
    ),
    "index.html": zola_template(
        "{{ section.title }}",
        "{{ section.content | safe }}\n"
        + "<ul>{% for path in section.subsections %}"
        "{% set s = get_section(path=path, metadata_only=true) %}"
        '<li><a href="{{ s.permalink }}">{{ s.title }}</a></li>{% endfor %}</ul>',
    ),
    "taxonomy_list.html": zola_template(
        "{{ taxonomy.name }}", zola_list("t in terms", "t.permalink", "t.name")
    ),
    "taxonomy_single.html": zola_template(
        "{{ term.name }}", zola_list("page in term.pages", "page.permalink", "page.title")
    ),
}


def toml_str(text):
    """A TOML basic string (the corpus' titles and summaries hold no quote or backslash)."""
    return '"' + text + '"'


def zola_front(title, summary, weight, tags=None, section=False):
    """TOML front matter Zola accepts for a note (with its tags) or a section (sorted by weight)."""
    lines = [f"title = {toml_str(title)}", f"description = {toml_str(summary)}", f"weight = {weight}"]
    if section:
        lines.append('sort_by = "weight"')
    if tags is not None:
        lines += ["[taxonomies]", "tags = [" + ", ".join(map(toml_str, tags)) + "]"]
    return "+++\n" + "\n".join(lines) + "\n+++\n\n"


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
    zola = "--zola" in sys.argv[3:]
    rng = random.Random(n)
    # Each file as (front matter as figmark and Hugo read it, as Zola reads it, body).
    files = {}
    sections = (n + SECTION_SIZE - 1) // SECTION_SIZE
    files["_index.md"] = (
        "---\ntitle: 首页\nsummary: 生成的笔记。\n---\n\n",
        zola_front("首页", "生成的笔记。", 0, section=True),
        "生成的笔记，用于基准测试。\n",
    )
    for sec in range(sections):
        title, summary = f"第 {sec} 节", f"第 {sec} 节的笔记。"
        files[f"s{sec:03}/_index.md"] = (
            f"---\ntitle: {title}\nsummary: {summary}\nweight: {sec}\n---\n\n",
            zola_front(title, summary, sec, section=True),
            f"{ZH[sec % len(ZH)]}\n",
        )
    for i in range(n):
        sec, idx = divmod(i, SECTION_SIZE)
        title, summary, tags = f"笔记 {i}", ZH[i % len(ZH)], [f"标签{i % 20}", f"topic-{i % 7}"]
        files[f"s{sec:03}/n{idx:03}.md"] = (
            f"---\ntitle: {title}\nsummary: {summary}\ntags: [{', '.join(tags)}]\nweight: {idx}\n---\n\n",
            zola_front(title, summary, idx, tags),
            note_body(rng, n, i, sec, idx),
        )
    sites = [(out / "figmark", 0)]
    sites += [(out / "hugo", 0)] if hugo else []
    sites += [(out / "zola", 1)] if zola else []
    for site, front in sites:
        for rel, parts in files.items():
            path = site / "content" / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(parts[front] + parts[2], encoding="utf-8")
    # Pages come to about 30 KB a note: past about 17,000 notes the output is over the default
    # 512 MB limit, which is for real sites, so a larger corpus raises it.
    limits = f"\n[limits]\noutput_mb = {n // 20}\n" if n // 20 > 512 else ""
    (out / "figmark" / "site.toml").write_text(SITE_TOML + limits, encoding="utf-8")
    if hugo:
        h = out / "hugo"
        (h / "hugo.toml").write_text(HUGO_TOML, encoding="utf-8")
        layouts = h / "layouts" / "_default"
        layouts.mkdir(parents=True, exist_ok=True)
        (layouts / "baseof.html").write_text(HUGO_BASEOF, encoding="utf-8")
        (layouts / "single.html").write_text(HUGO_SINGLE, encoding="utf-8")
        (layouts / "list.html").write_text(HUGO_LIST, encoding="utf-8")
    if zola:
        z = out / "zola"
        (z / "config.toml").write_text(ZOLA_CONFIG, encoding="utf-8")
        (z / "templates").mkdir(exist_ok=True)
        for name, text in ZOLA_TEMPLATES.items():
            (z / "templates" / name).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
