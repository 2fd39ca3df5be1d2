//! The print edition: a fixture site with two notes that link each other's headings.

use std::collections::HashSet;
use std::fs;
use std::path::Path;

fn build_fixture(case: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(case);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    if let Err(diagnostics) = figmark::build::build(&root, &out) {
        panic!("build failed: {diagnostics:?}");
    }
    (dir, out)
}

/// Every value of `attr="…"` in `html`, in order.
fn attrs<'h>(html: &'h str, attr: &str) -> Vec<&'h str> {
    let needle = format!(" {attr}=\"");
    html.match_indices(&needle)
        .map(|(i, _)| {
            let rest = &html[i + needle.len()..];
            &rest[..rest.find('"').unwrap()]
        })
        .collect()
}

fn decode(fragment: &str) -> String {
    percent_encoding::percent_decode_str(fragment)
        .decode_utf8()
        .unwrap()
        .into_owned()
}

#[test]
fn every_note_in_reading_order_with_unique_ids_and_in_page_links() {
    let (_dir, out) = build_fixture("print");
    let html = fs::read_to_string(out.join("print.html")).unwrap();

    let sections: Vec<&str> = html
        .match_indices("<section class=\"print-page")
        .map(|(i, _)| {
            let id = &html[i..];
            let id = &id[id.find(" id=\"").unwrap() + 5..];
            &id[..id.find('"').unwrap()]
        })
        .collect();
    assert_eq!(sections, ["/index", "/notes/index", "/notes/a", "/notes/b"]);
    assert!(html.contains("<h1>第一篇</h1>") && html.contains("第二篇的脚注"));
    assert!(html.contains("<mfrac>"), "math is rendered in the edition");

    let ids = attrs(&html, "id");
    let unique: HashSet<&str> = ids.iter().copied().collect();
    assert_eq!(ids.len(), unique.len(), "duplicate ids: {ids:?}");
    for id in ["/notes/a:小结", "/notes/b:小结", "/notes/a:1", "/notes/b:1"] {
        assert!(unique.contains(id), "missing id {id}: {ids:?}");
    }

    let hrefs = attrs(&html, "href");
    for expected in ["#/notes/b:推导", "#/notes/a:定义", "#/notes/a:小结", "#/notes/a"] {
        assert!(
            hrefs.iter().any(|h| decode(h) == expected),
            "no link {expected}: {hrefs:?}"
        );
    }
    for href in hrefs.iter().filter_map(|h| h.strip_prefix('#')) {
        assert!(
            unique.contains(decode(href).as_str()),
            "#{href} resolves to no id"
        );
    }
    assert!(!hrefs.iter().any(|h| h.ends_with(".md") || h.contains(".md#")));
    // A link written in raw HTML points into the edition like a markdown link does.
    assert!(
        html.contains("<a href=\"#/notes/a:定义\">回到定义</a>"),
        "raw HTML link not in the edition"
    );
    assert!(!hrefs.iter().any(|h| h.contains(".html#")), "{hrefs:?}");

    let css = fs::read_to_string(out.join("style.css")).unwrap();
    let print_css = &css[css.find("@media print").expect("a print style sheet")..];
    assert!(print_css.contains(".print-page + .print-page { break-before: page; }"));
}

#[test]
fn every_page_links_the_print_edition() {
    let (_dir, out) = build_fixture("print");
    for (page, href) in [("index.html", "print.html"), ("notes/a.html", "../print.html")] {
        let html = fs::read_to_string(out.join(page)).unwrap();
        assert!(html.contains(&format!("<a href=\"{href}\">打印版</a>")), "{page}");
    }
}

/// The text between `start` and the next `end` in `html`.
fn between<'h>(html: &'h str, start: &str, end: &str) -> &'h str {
    let from = html.find(start).unwrap_or_else(|| panic!("no {start}")) + start.len();
    &html[from..from + html[from..].find(end).unwrap()]
}

/// The edition opens with a cover (title, description, which edition) and a table of contents
/// that lists every page in reading order, indented by depth, each linking to its place.
#[test]
fn the_edition_opens_with_a_cover_and_a_table_of_contents() {
    let (_dir, out) = build_fixture("print");
    let html = fs::read_to_string(out.join("print.html")).unwrap();
    let cover = between(&html, "<header class=\"print-cover\">", "</header>");
    for text in ["<h1>打印测试</h1>", "两篇互相引用的笔记。", "打印版"] {
        assert!(cover.contains(text), "{text} on the cover: {cover}");
    }
    let toc = between(&html, "<nav class=\"print-toc\"", "</nav>");
    assert!(toc.contains(">目录</h2>"), "{toc}");
    let entries: Vec<(String, String)> = toc
        .match_indices("<li class=\"")
        .map(|(i, _)| {
            let li = &toc[i..];
            let class = &li[11..li[11..].find('"').unwrap() + 11];
            let href = &li[li.find("href=\"").unwrap() + 6..];
            (class.to_string(), decode(&href[..href.find('"').unwrap()]))
        })
        .collect();
    let expected = [
        ("toc-h1", "#/index"),
        ("toc-h1", "#/notes/index"),
        ("toc-h2", "#/notes/a"),
        ("toc-h2", "#/notes/b"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(c, h)| (c.to_string(), h.to_string()))
        .collect();
    assert_eq!(entries, expected);
    assert!(
        toc.contains(">第一篇</a>") && toc.contains(">第二篇</a>"),
        "{toc}"
    );
    assert!(
        html.find("print-toc") < html.find("<section class=\"print-page"),
        "the contents come before the pages"
    );

    let css = fs::read_to_string(out.join("style.css")).unwrap();
    assert!(
        css.contains(".print-toc a::after { content: leader(dotted) target-counter(attr(href), page); }"),
        "page numbers where the print engine has target-counter()"
    );
}

/// The cover's date is the newest commit's that changed a note: the same for every build of
/// that commit, and absent outside git rather than the day of the build.
#[test]
fn the_cover_date_is_the_newest_notes_commit_and_none_without_git() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/print");
    for entry in walkdir::WalkDir::new(&root) {
        let entry = entry.unwrap();
        let target = site.join(entry.path().strip_prefix(&root).unwrap());
        if entry.file_type().is_dir() {
            fs::create_dir_all(&target).unwrap();
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
    let cover = |out: &Path| {
        if let Err(diagnostics) = figmark::build::build(&site, out) {
            panic!("build failed: {diagnostics:?}");
        }
        let html = fs::read_to_string(out.join("print.html")).unwrap();
        between(&html, "<header class=\"print-cover\">", "</header>").to_string()
    };
    let without = cover(&dir.path().join("before"));
    assert!(!without.contains("<time"), "no git, no date: {without}");

    let git = |args: &[&str], date: &str| {
        let status = std::process::Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.org"])
            .args(args)
            .current_dir(&site)
            .env("GIT_AUTHOR_DATE", date)
            .env("GIT_COMMITTER_DATE", date)
            .status()
            .expect("git runs");
        assert!(status.success(), "git {args:?}");
    };
    git(&["init", "-q"], "");
    git(&["add", "."], "");
    git(&["commit", "-qm", "notes"], "2024-05-06T10:00:00Z");
    let b = site.join("content/notes/b.md");
    fs::write(&b, fs::read_to_string(&b).unwrap() + "\n改过了。\n").unwrap();
    git(&["commit", "-qam", "b"], "2025-01-02T10:00:00Z");
    fs::write(site.join("site.toml"), "title = \"打印测试\"\n").unwrap();
    git(&["commit", "-qam", "not a note"], "2026-03-04T10:00:00Z");
    let with = cover(&dir.path().join("after"));
    assert!(
        with.contains("<time datetime=\"2025-01-02\">2025-01-02</time>"),
        "{with}"
    );
}
