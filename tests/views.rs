//! Snapshot tests of the page views: a fixture site is built and each kind of page (note, section,
//! home, tag, tags index, 404, print edition) is compared with the expected HTML under
//! `tests/snapshots/<case>/`, so that a change to a view shows in review.
//! `FIGMARK_BLESS=1 cargo test --test views` rewrites the expected files.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::{build, copy_tree, fixture, read};

/// The pages compared, by output path: one of each kind.
const PAGES: &[&str] = &[
    "nets/conv.html",
    "nets/deep/resnet.html",
    "nets/index.html",
    "index.html",
    "tags/cnn.html",
    "tags/index.html",
    "404.html",
    "print.html",
];

/// Builds fixture `name` from a copy outside the repository, so that no git dates (which change
/// with every commit of the fixture) show in the pages.
fn build_copy(name: &str, edit: impl FnOnce(&Path)) -> (tempfile::TempDir, PathBuf) {
    let src = tempfile::tempdir().unwrap();
    copy_tree(&fixture(name), src.path());
    edit(src.path());
    build(src.path())
}

fn snapshot_dir(case: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(case)
}

/// Compares each page of `out` with its snapshot, or rewrites the snapshots when blessing.
fn check(case: &str, out: &Path) {
    let dir = snapshot_dir(case);
    let bless = std::env::var_os("FIGMARK_BLESS").is_some_and(|v| v != "0");
    let mut failures = Vec::new();
    for page in PAGES {
        let actual = read(out, page);
        let path = dir.join(page);
        if bless {
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(&path, &actual).unwrap();
            continue;
        }
        let expected = fs::read_to_string(&path).unwrap_or_default();
        if let Some(diff) = first_difference(&expected, &actual) {
            failures.push(format!("{case}/{page}:\n{diff}"));
        }
    }
    assert!(
        failures.is_empty(),
        "pages differ from tests/snapshots (run FIGMARK_BLESS=1 cargo test --test views if the \
         change is intended):\n\n{}",
        failures.join("\n")
    );
}

/// The first lines where `expected` and `actual` differ, with a line of context before, or
/// `None` when they are equal.
fn first_difference(expected: &str, actual: &str) -> Option<String> {
    if expected == actual {
        return None;
    }
    let old: Vec<&str> = expected.lines().collect();
    let new: Vec<&str> = actual.lines().collect();
    let at = old
        .iter()
        .zip(&new)
        .position(|(a, b)| a != b)
        .unwrap_or(old.len().min(new.len()));
    let mut text = String::new();
    if at > 0 {
        text.push_str(&format!("  {:>4}   {}\n", at, old[at - 1]));
    }
    // Up to three lines from the first difference, leaving out those equal on both sides.
    let differs = |n: usize| old.get(n) != new.get(n);
    let shown = |lines: &[&str], sign: char, text: &mut String| {
        for (n, line) in lines.iter().enumerate().skip(at).take(3) {
            if differs(n) {
                text.push_str(&format!("{sign} {:>4}   {line}\n", n + 1));
            }
        }
    };
    shown(&old, '-', &mut text);
    shown(&new, '+', &mut text);
    if old.len() != new.len() {
        text.push_str(&format!(
            "  ({} lines expected, {} built)\n",
            old.len(),
            new.len()
        ));
    }
    Some(text)
}

#[test]
fn pages_match_snapshots() {
    let (_tmp, out) = build_copy("views", |_| {});
    check("views", &out);
}

#[test]
fn difference_names_the_first_differing_line() {
    let diff = first_difference("a\nb\nc\n", "a\nB\nc\n").unwrap();
    assert_eq!(diff, "     1   a\n-    2   b\n+    2   B\n", "{diff}");
    assert_eq!(first_difference("x\n", "x\n"), None);
    let longer = first_difference("a\n", "a\nb\n").unwrap();
    assert!(longer.contains("+    2   b\n"), "{longer}");
}

/// Appends `text` to the site.toml of the copy at `root`.
fn append_to_config(root: &Path, text: &str) {
    let path = root.join("site.toml");
    let config = fs::read_to_string(&path).unwrap() + text;
    fs::write(path, config).unwrap();
}

#[test]
fn english_site_shows_english_interface_strings_and_its_own() {
    let (_tmp, out) = build_copy("views", |root| {
        append_to_config(
            root,
            "language = \"en\"\n\n[strings]\nedit_page = \"Suggest an edit\"\n",
        )
    });
    let expect = |page: &str, texts: &[&str]| {
        let html = read(&out, page);
        for text in texts {
            assert!(html.contains(text), "{page} lacks {text:?}");
        }
    };
    expect(
        "nets/conv.html",
        &[
            "<html lang=\"en\"",
            ">Skip to the text</a>",
            "placeholder=\"Search the notes (/)\"",
            "<summary>On this page</summary>",
            "aria-label=\"Tags\"",
            ">Linked from</h2>",
            "<span>Previous</span>",
            "<span>Next</span>",
            ">Suggest an edit</a>",
            "made with figmark · <a href=\"../print.html\">Print edition</a>",
            "aria-label=\"Link to this section\">#</a>",
            "aria-label=\"Receptive field of 2 layers: conv1 3, conv2 5; final receptive field 5\"",
        ],
    );
    expect("index.html", &["<title>Link map of 5 notes in 2 sections"]);
    expect(
        "tags/index.html",
        &[
            "Tags · ",
            "Every note, by tag.",
            "<p>3 notes</p>",
            "<p>1 note</p>",
        ],
    );
    expect("tags/cnn.html", &["<title>Tag: CNN · "]);
    expect(
        "404.html",
        &[
            "<h1>Page not found</h1>",
            ">home page</a> and look in the contents.",
        ],
    );
    expect("print.html", &["<title>视图测试 · Print edition</title>"]);
    // No Chinese interface string is left; those with `{n}` or `{name}`, and 首页 (the fixture's
    // home page is called so itself), could match the notes' text and are checked above.
    let zh = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/strings/zh-CN.toml");
    let zh: toml::Table = toml::from_str(&fs::read_to_string(zh).unwrap()).unwrap();
    let zh: Vec<(&String, &str)> = zh
        .iter()
        .map(|(key, text)| (key, text.as_str().unwrap()))
        .filter(|(key, text)| !text.contains('{') && *key != "not_found_home")
        .collect();
    for page in common::html_files(&out) {
        let html = fs::read_to_string(&page).unwrap();
        for (key, text) in &zh {
            assert!(!html.contains(text), "{} shows {key} = {text:?}", page.display());
        }
    }
}

#[test]
fn unknown_interface_string_is_an_error_naming_its_line() {
    let src = tempfile::tempdir().unwrap();
    copy_tree(&fixture("views"), src.path());
    append_to_config(src.path(), "\n[strings]\nprev = \"Back\"\nnxet = \"On\"\n");
    let errors = figmark::build::plan(src.path(), &mut Default::default())
        .err()
        .expect("an error");
    let lines = fs::read_to_string(src.path().join("site.toml"))
        .unwrap()
        .lines()
        .count();
    assert_eq!(errors[0].file.to_string_lossy(), "site.toml");
    assert_eq!(errors[0].line, lines, "{}", errors[0]);
    assert!(errors[0].message.contains("`nxet`"), "{}", errors[0]);
}
