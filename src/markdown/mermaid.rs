//! Mermaid diagrams: a fenced block whose info string is `mermaid` becomes an inline SVG at build
//! time, as GitHub draws it, with no script on the page. It is found in the event stream (the
//! source is never rewritten) and replaced by `<figure class="diagram">`, whose SVG holds the
//! diagram's labels as its `<desc>`: a text event, so search and the print edition read them as
//! any other text of the page. A diagram that does not parse is an error at its line in the file;
//! its source is then shown in a marked box (what a reader sees under `--lenient`).
//!
//! Decision: the `mermaid-svg` crate (MIT, pure Rust, adds no crate besides itself; flowchart,
//! sequence, class, state, pie and 18 other kinds). Compared, each rendering the same five
//! diagrams with Chinese labels (release, one core):
//! - mermaid-svg 0.7: all five, 0.015–0.07 ms a diagram; parse errors carry their line;
//! - merman 0.10.0-alpha.1 (follows Mermaid's own code most closely): 43 new crates and about
//!   620,000 lines of Rust for these five kinds, an alpha;
//! - mermaid-rs-renderer 0.3: 14 new crates (a font database among them), 370 ms for the
//!   flowchart, and a bad sequence or pie drawn instead of failing;
//! - rusty-mermaid 0.2 and ariel-rs 0.4: panic on a Chinese state or message name, and ariel-rs
//!   draws a diagram that does not parse instead of failing.
//!
//! Its cost (README, "Design decisions"): 41 s of one core in a cold release build, +1.9 MB of
//! binary, 0.19 ms a diagram in a build. Its colours are fixed (`#333`, `#ECECFF`…), so [`svg`]
//! classes each one for `style.css` to repaint.

mod svg;

use std::ops::Range;
use std::panic::{AssertUnwindSafe, catch_unwind};

use mermaid_svg::{ParseError, RenderError};
use pulldown_cmark::{CowStr, Event};

use crate::diagnostics::Diagnostic;

pub const INFO_STRING: &str = "mermaid";

/// The first word of each diagram kind the renderer knows, for "did you mean …?".
const KINDS: &[&str] = &[
    "flowchart",
    "graph",
    "sequenceDiagram",
    "classDiagram",
    "stateDiagram",
    "stateDiagram-v2",
    "pie",
    "erDiagram",
    "gantt",
    "journey",
    "timeline",
    "mindmap",
    "gitGraph",
    "quadrantChart",
    "xychart-beta",
    "sankey-beta",
    "requirementDiagram",
    "block-beta",
    "packet-beta",
    "architecture-beta",
    "kanban",
    "radar-beta",
    "treemap-beta",
    "C4Context",
];

/// Replaces each mermaid block of the page `page_rel` by its diagram; `line_of` maps a body
/// offset to the file's line.
pub fn render<'a>(
    events: impl Iterator<Item = (Event<'a>, Range<usize>)>,
    page_rel: &str,
    file: &str,
    line_of: impl Fn(usize) -> usize,
    diagnostics: &mut Vec<Diagnostic>,
) -> impl Iterator<Item = (Event<'a>, Range<usize>)> {
    let mut drawn = 0usize;
    super::fences::replace(events, INFO_STRING, move |source, range| {
        drawn += 1;
        match draw(&source, &id_prefix(page_rel, drawn)) {
            Ok(drawn) => figure(drawn),
            Err(e) => {
                // The source starts on the line after the opening fence.
                diagnostics.push(e.at(file, line_of(range.start)));
                failed(source)
            }
        }
    })
}

/// What went wrong with a diagram, at `line` of its source (1-based; 0 for the whole block).
#[derive(Debug, PartialEq)]
struct DiagramError {
    line: usize,
    message: String,
    hint: Option<String>,
}

impl DiagramError {
    fn at(self, file: &str, fence_line: usize) -> Diagnostic {
        let message = format!("mermaid: {}", self.message);
        Diagnostic {
            hint: self.hint,
            ..Diagnostic::error(file, fence_line + self.line, 0, message)
        }
    }
}

/// Draws one diagram, its ids prefixed by `ids`.
fn draw(source: &str, ids: &str) -> Result<svg::Drawn, DiagramError> {
    // The renderer is another crate's code fed a stranger's text: should it panic, the page
    // gets an error rather than the build stopping.
    let rendered =
        catch_unwind(AssertUnwindSafe(|| mermaid_svg::render(source))).map_err(|_| DiagramError {
            line: 0,
            message: "the renderer failed on this diagram".into(),
            hint: None,
        })?;
    let svg = rendered.map_err(|e| parse_error(e, source))?;
    svg::rewrite(&svg, ids).map_err(|message| DiagramError {
        line: 0,
        message: format!("the renderer wrote SVG that does not read back: {message}"),
        hint: None,
    })
}

fn parse_error(e: RenderError, source: &str) -> DiagramError {
    let RenderError::Parse(e) = e else {
        return DiagramError {
            line: 0,
            message: e.to_string(),
            hint: None,
        };
    };
    match e {
        ParseError::Syntax { line, message, .. } => DiagramError {
            line: source_line(source, line),
            message,
            hint: None,
        },
        ParseError::UnknownDiagramType(kind) => DiagramError {
            line: kind_line(source, &kind),
            hint: Some(kind_hint(&kind)),
            message: format!("unknown diagram type `{kind}`"),
        },
        ParseError::Empty => DiagramError {
            line: 0,
            message: "the diagram is empty".into(),
            hint: None,
        },
        e => DiagramError {
            line: 0,
            message: e.to_string(),
            hint: None,
        },
    }
}

/// The renderer numbers a diagram's lines after taking out its preamble (front matter,
/// `%%{init}%%` directives, `accTitle` and `accDescr`); this maps its `line` back to the source's,
/// by the same rules.
fn source_line(source: &str, line: usize) -> usize {
    let lines: Vec<&str> = source.lines().collect();
    let mut i = front_matter_end(&lines);
    let mut kept = 0;
    while i < lines.len() {
        let t = lines[i].trim().to_ascii_lowercase();
        let block_end = |close: &str| {
            lines[i..]
                .iter()
                .position(|l| l.contains(close))
                .map(|p| i + p + 1)
        };
        let preamble = if t.starts_with("%%{") {
            block_end("}%%")
        } else if t.starts_with("acctitle:") || t.starts_with("accdescr:") {
            Some(i + 1)
        } else if t
            .strip_prefix("accdescr")
            .is_some_and(|r| r.trim_start().starts_with('{'))
        {
            block_end("}")
        } else {
            None
        };
        if let Some(next) = preamble {
            i = next;
            continue;
        }
        kept += 1;
        if kept == line {
            return i + 1;
        }
        i += 1;
    }
    line
}

/// Where a leading `---` … `---` front matter and the blank lines after it end (0: none).
fn front_matter_end(lines: &[&str]) -> usize {
    let Some(start) = lines.iter().position(|l| !l.trim().is_empty()) else {
        return 0;
    };
    if lines[start].trim() != "---" {
        return 0;
    }
    let Some(end) = lines[start + 1..].iter().position(|l| l.trim() == "---") else {
        return 0;
    };
    let mut next = start + end + 2;
    while lines.get(next).is_some_and(|l| l.trim().is_empty()) {
        next += 1;
    }
    next
}

/// The line (1-based) where the diagram names its `kind`.
fn kind_line(source: &str, kind: &str) -> usize {
    source
        .lines()
        .position(|l| l.trim_start().starts_with(kind))
        .map_or(0, |i| i + 1)
}

fn kind_hint(kind: &str) -> String {
    let nearest = KINDS
        .iter()
        .map(|k| (strsim::levenshtein(&k.to_lowercase(), &kind.to_lowercase()), k))
        .min();
    match nearest {
        Some((distance, k)) if distance <= 3 => format!("did you mean `{k}`?"),
        _ => format!("a diagram starts with its kind: {}", KINDS[..7].join(", ")),
    }
}

/// A prefix for the ids of the `n`th diagram of the page `page_rel`: unique on the page, and
/// across pages (the print edition holds them all), and the same in every build (FNV-1a, not a
/// seeded hash).
fn id_prefix(page_rel: &str, n: usize) -> String {
    let hash = page_rel.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("mermaid-{:012x}-{n}-", hash >> 16)
}

/// The diagram's events: its markup up to the `<desc>`, its labels as text, the rest.
fn figure(drawn: svg::Drawn) -> Vec<Event<'static>> {
    let open = format!("<figure class=\"diagram\">\n{}", drawn.open);
    if drawn.labels.is_empty() {
        return vec![Event::Html(CowStr::from(format!(
            "{open}{}\n</figure>\n",
            drawn.rest
        )))];
    }
    vec![
        Event::Html(CowStr::from(format!("{open}<desc>"))),
        Event::Text(CowStr::from(drawn.labels.join("\n"))),
        Event::Html(CowStr::from(format!("</desc>{}\n</figure>\n", drawn.rest))),
    ]
}

/// A diagram that failed: its source, in a box marked as a failed diagram.
fn failed(source: String) -> Vec<Event<'static>> {
    vec![
        Event::Html("<pre class=\"diagram-failed\"><code>".into()),
        Event::Text(CowStr::from(source)),
        Event::Html("</code></pre>\n".into()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::Page;
    use crate::markdown::Rendered;

    fn render_page(rel: &str, body: &str) -> Rendered {
        let page = Page::parse(rel, format!("---\ntitle: t\n---\n{body}")).expect("valid front matter");
        crate::markdown::render(&page, &Default::default(), false, &[], &Default::default())
    }

    const KINDS_DRAWN: &[(&str, &[&str])] = &[
        (
            "flowchart TD\n  A[输入] -->|是| B{判断}\n",
            &["输入", "是", "判断"],
        ),
        (
            "sequenceDiagram\n  客户端->>服务: 请求\n",
            &["客户端", "服务", "请求"],
        ),
        (
            "classDiagram\n  class 模型 {\n    +forward(x) Tensor\n  }\n",
            &["模型", "+forward(x) Tensor"],
        ),
        (
            "stateDiagram-v2\n  [*] --> 训练\n  训练 --> 验证 : epoch\n",
            &["训练", "验证", "epoch"],
        ),
        (
            "pie title 参数\n  \"卷积\" : 40\n  \"全连接\" : 60\n",
            &["参数", "卷积", "全连接"],
        ),
    ];

    #[test]
    fn each_kind_draws_with_its_labels_as_text() {
        for (source, labels) in KINDS_DRAWN {
            let drawn = draw(source, "p-").unwrap_or_else(|e| panic!("{source}: {e:?}"));
            assert!(drawn.open.starts_with("<svg"), "{source}");
            for label in *labels {
                assert!(
                    drawn.labels.iter().any(|l| l == label),
                    "{source}: {label} not in {:?}",
                    drawn.labels
                );
            }
        }
    }

    /// The labels are text of the page: escaped in the HTML, and in the text search indexes,
    /// under the heading the diagram sits in.
    #[test]
    fn labels_are_searchable_text() {
        let rendered = render_page(
            "a.md",
            "## 流程\n\n```mermaid\nflowchart LR\n  A[\"数据 & 标签\"] --> B[模型]\n```\n\n之后。\n",
        );
        assert!(rendered.diagnostics.is_empty(), "{:?}", rendered.diagnostics);
        assert!(
            rendered.html.contains("<desc>数据 &amp; 标签\n模型</desc>"),
            "{}",
            rendered.html
        );
        let text = &rendered.blocks[1].text;
        assert!(text.contains("数据 & 标签\n模型"), "{text:?}");
        assert!(text.contains("之后。"), "{text:?}");
    }

    /// A label that holds markup stays text; a `click` link is dropped.
    #[test]
    fn no_script_from_labels_or_links() {
        let source = concat!(
            "flowchart TD\n  A[\"<script>alert(1)</script>\"] --> B[\"<img src=x onerror=alert(1)>\"]\n",
            "  B --> C[\"<foreignObject>x</foreignObject>\"]\n  click A \"javascript:alert(1)\"\n",
        );
        let rendered = render_page(
            "a.md",
            &format!(
                "```mermaid\n{source}```\n\n```mermaid\nsequenceDiagram\n  A->>B: <script>x</script><svg onload=alert(1)>\n```\n"
            ),
        );
        assert!(rendered.diagnostics.is_empty(), "{:?}", rendered.diagnostics);
        let html = rendered.html.to_lowercase();
        for bad in [
            "<script",
            "<img",
            "<foreignobject",
            "<a ",
            "javascript:",
            "onerror",
            "onload=",
        ] {
            assert!(!html.contains(bad), "{bad} in {html}");
        }
        assert!(html.contains(">x</text>"), "{html}");
    }

    #[test]
    fn ids_differ_between_diagrams_and_pages() {
        let body = "```mermaid\nflowchart LR\n  A --> B\n```\n\n```mermaid\nflowchart LR\n  A --> B\n```\n";
        let ids = |html: &str| -> Vec<String> {
            html.split(" id=\"")
                .skip(1)
                .map(|s| s[..s.find('"').unwrap()].to_string())
                .collect()
        };
        let a = ids(&render_page("a.md", body).html);
        let mut unique = a.clone();
        unique.sort();
        unique.dedup();
        assert!(a.len() >= 2 && unique.len() == a.len(), "{a:?}");
        let b = ids(&render_page("b.md", body).html);
        assert!(a.iter().all(|id| !b.contains(id)), "{a:?} {b:?}");
        assert_eq!(
            a,
            ids(&render_page("a.md", body).html),
            "ids change between builds"
        );
    }

    /// An error names the line in the file: the fence's line plus the line in the diagram,
    /// counted in the source as written (with the diagram's own front matter), and the source is
    /// shown in a marked box.
    #[test]
    fn a_bad_diagram_is_an_error_at_its_line() {
        let body = "段落。\n\n```mermaid\n---\ntitle: 标题\n---\nflowchart TD\n  A --> B\n  C -->\n```\n";
        let rendered = render_page("a.md", body);
        let [d] = &rendered.diagnostics[..] else {
            panic!("{:?}", rendered.diagnostics)
        };
        // Front matter of the page: 3 lines; the fence is on line 6, `C -->` on line 12.
        assert_eq!(
            (d.line, d.message.as_str()),
            (12, "mermaid: expected node identifier at: ''")
        );
        assert!(
            rendered
                .html
                .contains("<pre class=\"diagram-failed\"><code>---\ntitle: 标题\n"),
            "{}",
            rendered.html
        );

        let rendered = render_page("a.md", "```mermaid\n\n%% 注释\nflowchat TD\n  A --> B\n```\n");
        let [d] = &rendered.diagnostics[..] else {
            panic!("{:?}", rendered.diagnostics)
        };
        assert_eq!(d.line, 7, "{d:?}");
        assert_eq!(d.message, "mermaid: unknown diagram type `flowchat`");
        assert_eq!(d.hint.as_deref(), Some("did you mean `flowchart`?"));
    }

    /// Every role a colour is classed as has its fill and stroke rule in the stylesheet.
    #[test]
    fn the_stylesheet_repaints_every_role() {
        let css = include_str!("../../static/style.css");
        for (_, role) in svg::PAINTS {
            for class in [format!(".df-{role}"), format!(".ds-{role}")] {
                // `.ds-note` is not `.ds-note-line`.
                let found = css.match_indices(&class).any(|(at, _)| {
                    !css[at + class.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '-')
                });
                assert!(found, "style.css has no rule for `{class}`");
            }
        }
    }
}
