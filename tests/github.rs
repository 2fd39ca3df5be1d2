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
