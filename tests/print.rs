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
