//! Property tests: random markdown, front matter, link targets and figure specs never panic
//! and finish in bounded time. Case counts are set here, not by environment, so the suite
//! stays well under a minute in a debug build.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use figmark::content::{Page, parse_front_matter};
use figmark::markdown::{self, target};
use proptest::prelude::*;

/// Pieces that each trip some part of the pipeline, glued in random order.
const SNIPPETS: &[&str] = &[
    "# h",
    "## 标题 {#id .c k=v}",
    "\n",
    "\n\n",
    "```",
    "```rust\n",
    "~~~figure\n",
    "    ",
    "> ",
    "- ",
    "1. ",
    "- [x] ",
    "| a | b |\n|:-|-:|\n",
    "[^1]",
    "[^1]: n",
    "[l](a.md#x)",
    "![i](img\\a.png)",
    "<a href=\"b.md\">",
    "</a>",
    "<img src='x.png'",
    ">",
    "<details>",
    "</details>",
    "<script>",
    "</script>",
    "<svg><a href=\"javascript:x\">",
    "<T>",
    "<卷积核>",
    "$",
    "$$",
    "\\frac{1}{2}",
    "$5 和 $",
    "&#x61;",
    "&",
    "<!--",
    "-->",
    "\u{200b}",
    "\u{feff}",
    "*",
    "**",
    "_",
    "`",
    "~~",
    "\\",
    "{",
    "}",
    "<",
    "</",
    "<?",
    "<!",
    "<![CDATA[",
    "[",
    "]",
    "(",
    ")",
    "\"",
    "'",
    "=",
    "javascript:",
    "data:",
    "[x](javascript:alert(1))",
    "![x](vbscript:x)",
    "<javascript:alert(1)>",
    "# t {onclick=alert(1)}",
];

fn markdown() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::vec(prop::sample::select(SNIPPETS), 0..60).prop_map(|v| v.concat()),
        "[-#*_`$<>\\[\\]()!|\\\\{}:~ \na-z0-9中文=\"'/.&;]{0,300}",
    ]
}

fn page(body: &str) -> Page {
    Page::parse("cnn/a.md", format!("---\ntitle: t\n---\n{body}")).expect("valid front matter")
}

fn bounded<T>(what: &str, input: &str, f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = f();
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "{what} took {:?} on {input:?}",
        start.elapsed()
    );
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 800, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn markdown_renders_without_panic(body in markdown(), unsafe_html in any::<bool>()) {
        let dirs: HashSet<String> = ["cnn".to_string()].into_iter().collect();
        let r = bounded("render", &body, || markdown::render(&page(&body), &dirs, unsafe_html, &[], &Default::default()));
        if !unsafe_html {
            prop_assert!(!r.html.contains("<script"), "{}", r.html);
            // Whether or not the sanitizer ran (it runs only on pages with raw HTML).
            let doc = scraper::Html::parse_fragment(&r.html);
            for el in doc.root_element().descendants().filter_map(|n| n.value().as_element()) {
                for (name, value) in el.attrs() {
                    prop_assert!(!name.starts_with("on"), "{name} in {}", r.html);
                    if name == "href" || name == "src" {
                        prop_assert!(target::is_safe_url(value, name == "src"), "{value} in {}", r.html);
                    }
                }
            }
        }
        for link in &r.links {
            prop_assert!(link.offset <= page(&body).source.len());
        }
    }

    #[test]
    fn front_matter_parses_or_errors(
        yaml in prop::collection::vec(prop::sample::select(&[
            "title: a", "title:", "title: [", "weight: 1", "weight: x", "tags: [a, b]", "tags: {", "draft: true",
            "summary: \"", "  - x", "\t", "---", "*a", "&a b", "!!binary x", "? k", ": v", "\u{feff}", "",
        ][..]), 0..8),
        bom in any::<bool>(),
    ) {
        let source = format!("{}---\n{}\n---\nbody", if bom { "\u{feff}" } else { "" }, yaml.join("\n"));
        let result = bounded("front matter", &source, || parse_front_matter("content/a.md", &source));
        match result {
            Ok(Some((_, start))) => prop_assert!(start <= source.len()),
            Ok(None) => prop_assert!(false, "the source starts with front matter"),
            Err(d) => prop_assert!(d.line >= 1 && !d.message.is_empty()),
        }
    }

    #[test]
    fn link_targets_resolve_without_panic(dest in "[a-z./\\\\#?%:0-9A-F中 ]{0,40}", from in "[a-z]{1,3}(/[a-z]{1,3}){0,3}\\.md") {
        let dirs: HashSet<String> = ["cnn".to_string()].into_iter().collect();
        let target = target::resolve(&from, &dest, &dirs);
        let _ = target::href(&from, &dest, &target);
    }

    #[test]
    fn figure_specs_render_or_error(spec in "[a-z:_ \n\\[\\]{},.0-9-]{0,200}") {
        let _ = bounded("figure", &spec, || figmark::figures::render(&spec, figmark::figures::Lang::En));
    }
}
