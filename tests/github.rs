//! What GitHub renders comes out on the site: site-wide math macros, code languages by their
//! Linguist names, `:emoji:` shortcodes and mermaid diagrams, built from `tests/fixtures/github`.

mod common;

use std::fs;

use common::{copy_tree, fixture, read};
use figmark::memo::Memo;

fn page(root: &std::path::Path, memo: &mut Memo, rel: &str) -> String {
    let plan = figmark::build::plan(root, memo).unwrap_or_else(|d| panic!("build failed: {d:?}"));
    String::from_utf8(plan.files[rel].read().unwrap()).unwrap()
}

#[test]
fn site_macros_render_and_an_edit_of_them_renders_again() {
    let (_tmp, out) = common::build(&fixture("github"));
    let html = read(&out, "g/math.html");
    assert!(html.contains('\u{211d}'), "\\R is not ℝ");
    assert!(html.contains('\u{2016}'), "\\norm has no ‖");

    let tmp = tempfile::tempdir().unwrap();
    copy_tree(&fixture("github"), tmp.path());
    let mut memo = Memo::default();
    assert!(page(tmp.path(), &mut memo, "g/math.html").contains('\u{211d}'));
    let site = tmp.path().join("site.toml");
    let edited = fs::read_to_string(&site)
        .unwrap()
        .replace(r"\mathbb{R}", r"\mathcal{R}");
    fs::write(&site, edited).unwrap();
    let again = page(tmp.path(), &mut memo, "g/math.html");
    assert!(!again.contains('\u{211d}'), "a stale rendering was reused");
    assert_eq!(again, page(tmp.path(), &mut Memo::default(), "g/math.html"));
}

#[test]
fn code_by_linguist_names_and_a_typo_gets_a_hint() {
    let plan = figmark::build::plan(&fixture("github"), &mut Memo::default()).unwrap();
    let html = String::from_utf8(plan.files["g/code.html"].read().unwrap()).unwrap();
    for lang in ["console", "ps1", "protobuf"] {
        let start = html.find(&format!("<code class=\"language-{lang}\">")).unwrap();
        let block = &html[start..start + html[start..].find("</code>").unwrap()];
        assert!(block.matches("<span class=\"hl-").count() >= 3, "{block}");
    }
    let warnings: Vec<String> = plan.summary.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        [
            "warning: content/g/code.md:17: unknown code language `pyhton`: shown without highlighting\n  = hint: did you mean `python`?"
        ],
    );
}

#[test]
fn emoji_shortcodes_in_text_not_in_code() {
    let (_tmp, out) = common::build(&fixture("github"));
    let html = read(&out, "g/emoji.html");
    assert!(html.contains("发布了 🎉，点个 👍。"), "{html}");
    assert!(html.contains(":tada: stays in code"), "{html}");
}

/// The labels each diagram of `g/diagrams.md` must show, in the order of the page.
const DIAGRAM_LABELS: &[(&str, &[&str])] = &[
    (
        "flowchart",
        &["输入图像 224×224", "是否归一化?", "批归一化 BatchNorm", "是"],
    ),
    (
        "sequence",
        &["客户端", "推理服务", "输出 logits", "批处理提升吞吐"],
    ),
    ("class", &["Module", "残差块", "+forward(x) Tensor", "包含"]),
    ("state", &["训练", "验证", "早停", "验证损失上升"]),
    ("pie", &["参数量分布", "卷积层", "批归一化"]),
];

/// Each kind is an inline SVG that reads back as XML, shows its labels and holds no script; ids
/// are unique on the page and in the print edition, and search finds a label.
#[test]
fn mermaid_diagrams_are_svg_with_their_labels() {
    let (_tmp, out) = common::build(&fixture("github"));
    let html = read(&out, "g/diagrams.html");
    let svgs: Vec<&str> = html
        .match_indices("<figure class=\"diagram\">")
        .map(|(at, _)| &html[at..at + html[at..].find("</svg>").unwrap() + "</svg>".len()])
        .map(|figure| &figure[figure.find("<svg").unwrap()..])
        .collect();
    assert_eq!(svgs.len(), DIAGRAM_LABELS.len(), "{html}");
    for (svg, (kind, labels)) in svgs.iter().zip(DIAGRAM_LABELS) {
        let mut reader = quick_xml::Reader::from_str(svg);
        let mut texts = String::new();
        loop {
            match reader.read_event() {
                Ok(quick_xml::events::Event::Eof) => break,
                Ok(quick_xml::events::Event::Text(t)) => texts.push_str(&t.xml10_content()),
                Ok(quick_xml::events::Event::GeneralRef(r)) => {
                    texts.push_str(&format!("&{};", r.xml10_content()))
                }
                Ok(_) => {}
                Err(e) => panic!("{kind}: the SVG does not read back as XML: {e}\n{svg}"),
            }
        }
        for label in *labels {
            assert!(texts.contains(label), "{kind}: no label {label:?} in {texts:?}");
        }
        assert!(!svg.to_lowercase().contains("<script"), "{kind}: {svg}");
    }
    for page in ["g/diagrams.html", "print.html"] {
        let mut ids = common::ids(&read(&out, page));
        let all = ids.len();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), all, "{page} repeats an id");
    }
    let found = fs::read_dir(out.join("search-index"))
        .unwrap()
        .map(|e| fs::read_to_string(e.unwrap().path()).unwrap())
        .any(|chunk| chunk.contains("批归一化 BatchNorm"));
    assert!(found, "search does not hold a diagram's label");
}

/// A diagram that does not parse fails the build at its line; under `--lenient` it is a
/// warning, and the page shows the diagram's source in a marked box.
#[test]
fn a_bad_diagram_fails_at_its_line_and_lenient_shows_its_source() {
    let tmp = tempfile::tempdir().unwrap();
    copy_tree(&fixture("github"), tmp.path());
    let bad = "---\ntitle: 坏图\n---\n\n```mermaid\nsequenceDiagram\n  A->>: 无人接收\n```\n";
    fs::write(tmp.path().join("content/g/bad.md"), bad).unwrap();
    let out = tmp.path().join("public");
    let Err(errors) = figmark::build::build(tmp.path(), &out) else {
        panic!("a bad diagram built");
    };
    let errors: Vec<String> = errors
        .iter()
        .map(ToString::to_string)
        .filter(|e| e.starts_with("error"))
        .collect();
    assert_eq!(errors, ["error: content/g/bad.md:7: mermaid: empty receiver"]);

    let built = figmark::build::build_with(tmp.path(), &out, figmark::build::Lenient::Yes);
    assert!(built.is_ok(), "--lenient did not build");
    let html = read(&out, "g/bad.html");
    assert!(
        html.contains(
            "<pre class=\"diagram-failed\"><code>sequenceDiagram\n  A-&gt;&gt;: 无人接收\n</code></pre>"
        ),
        "{html}"
    );
}
