//! Cross-links: rewriting, checking with file/line/column and suggestions, backlinks, `check`.

mod common;

use std::process::Command;

use common::*;
use figmark::diagnostics::Diagnostic;

fn diagnostics_of(root: &std::path::Path) -> Vec<Diagnostic> {
    match figmark::build::plan(root, &mut Default::default()) {
        Ok(_) => panic!("expected the build of {} to fail", root.display()),
        Err(d) => d,
    }
}

fn find<'a>(diagnostics: &'a [Diagnostic], needle: &str) -> &'a Diagnostic {
    diagnostics
        .iter()
        .find(|d| d.message.contains(needle))
        .unwrap_or_else(|| panic!("no diagnostic with {needle:?} in {diagnostics:#?}"))
}

#[test]
fn each_kind_of_broken_link_is_reported_where_it_is() {
    let diagnostics = diagnostics_of(&fixture("broken-links"));
    let at = |d: &Diagnostic| (d.file.to_string_lossy().into_owned(), d.line, d.col);
    let file = "content/notes/bad.md".to_string();

    let missing_page = find(&diagnostics, "`god.md`");
    assert_eq!(at(missing_page), (file.clone(), 4, 4));
    assert_eq!(missing_page.hint.as_deref(), Some("did you mean `good.md`?"));

    let missing_anchor = find(&diagnostics, "感受野定义一二");
    assert_eq!(at(missing_anchor), (file.clone(), 5, 5));
    assert_eq!(
        missing_anchor.hint.as_deref(),
        Some("did you mean `#感受野定义一`?")
    );

    assert_eq!(at(find(&diagnostics, "`#不存在`")), (file.clone(), 6, 1));
    let image = find(&diagnostics, "missing image");
    assert_eq!(at(image), (file.clone(), 7, 1));
    let escape = find(&diagnostics, "leaves the content folder");
    assert_eq!(at(escape), (file.clone(), 8, 1));
    let absolute = find(&diagnostics, "starts with `/`");
    assert_eq!(at(absolute), (file.clone(), 9, 1));
    assert!(absolute.hint.is_some());

    assert_eq!(
        diagnostics.len(),
        6,
        "the correct Chinese anchor resolves: {diagnostics:#?}"
    );
}

#[test]
fn check_prints_github_annotations_and_fails() {
    let out = Command::new(env!("CARGO_BIN_EXE_figmark"))
        .args([
            "--root",
            fixture("broken-links").to_str().unwrap(),
            "check",
            "--format",
            "github",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("::error file=content/notes/bad.md,line=4,col=4::broken link")),
        "{stdout}"
    );
    assert_eq!(
        stdout.lines().filter(|l| l.starts_with("::error ")).count(),
        6,
        "{stdout}"
    );
}

#[test]
fn check_passes_on_a_clean_site_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    copy_tree(&fixture("basic"), tmp.path());
    let out = Command::new(env!("CARGO_BIN_EXE_figmark"))
        .args(["--root", tmp.path().to_str().unwrap(), "check"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!tmp.path().join("public").exists());
}

#[test]
fn backlinks_name_the_linking_pages_and_sentences() {
    let (_tmp, out) = build(&fixture("basic"));
    let html = read(&out, "sec/slugs.html");
    let backlinks = html.split("被以下笔记引用").nth(1).expect("a backlinks section");
    assert!(
        backlinks.contains("href=\"momentum.html\">动量</a>"),
        "{backlinks}"
    );
    assert!(
        backlinks.contains("href=\"last.html\">最后一篇</a>"),
        "{backlinks}"
    );
    assert!(
        backlinks.contains("<p>链接到首页和标题规则。</p>"),
        "the sentence around the link: {backlinks}"
    );
    assert!(!backlinks.contains("另一篇"), "only pages that link here");
}

#[test]
fn links_are_rewritten_to_html() {
    let (_tmp, out) = build(&fixture("basic"));
    let home = read(&out, "index.html");
    assert!(home.contains("href=\"sec/index.html\""), "link to _index.md");
    assert!(home.contains("href=\"other/index.html\""), "link to a folder");
    let note = read(&out, "other/note.html");
    assert!(note.contains("href=\"../sec/last.html\""));
}

#[test]
fn real_notes_check_clean_and_every_page_but_home_has_a_backlink() {
    let plan = figmark::build::plan(&repo_root(), &mut Default::default()).unwrap_or_else(|d| {
        panic!(
            "{}",
            d.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")
        )
    });
    assert!(plan.summary.warnings.is_empty(), "{:#?}", plan.summary.warnings);
    let (_tmp, out) = build(&repo_root());
    for file in html_files(&out) {
        let rel = file.strip_prefix(&out).unwrap().to_string_lossy().into_owned();
        let generated =
            rel == "index.html" || rel == "404.html" || rel == "print.html" || rel.starts_with("tags/");
        if generated {
            continue;
        }
        let html = std::fs::read_to_string(&file).unwrap();
        assert!(html.contains("被以下笔记引用"), "{rel} has no backlink");
    }
}
