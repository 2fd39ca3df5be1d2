//! `figmark build` end to end on fixture sites and on the real notes.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, SystemTime};

use common::*;

#[test]
fn chinese_headings_get_github_slugs() {
    let (_tmp, out) = build(&fixture("basic"));
    let html = read(&out, "sec/slugs.html");
    let ids = ids(&html);
    for expected in [
        "11-卷积作用-",
        "relu修正线性单元的优点",
        "优点",
        "优点-1",
        "addition--concatenate",
        "my-id",
    ] {
        assert!(
            ids.iter().any(|i| i == expected),
            "missing id {expected} in {ids:?}"
        );
    }
    assert!(
        html.contains("href=\"#%E4%BC%98%E7%82%B9-1\""),
        "anchor link of a heading"
    );
}

#[test]
fn every_internal_link_is_relative_and_resolves() {
    for root in [fixture("basic"), repo_root()] {
        let (_tmp, out) = build(&root);
        for file in html_files(&out) {
            let html = fs::read_to_string(&file).unwrap();
            let shown = file.strip_prefix(&out).unwrap().display().to_string();
            for url in attr_values(&html, "href")
                .into_iter()
                .chain(attr_values(&html, "src"))
            {
                if url.starts_with("https://") || url.starts_with("http://") || url.starts_with("mailto:") {
                    continue;
                }
                assert!(!url.starts_with('/'), "{shown}: root-absolute {url}");
                let (path, fragment) = url.split_once('#').unwrap_or((&url, ""));
                if path.is_empty() {
                    if !fragment.is_empty() && shown != "404.html" {
                        assert!(
                            ids(&html).contains(&decode(fragment)),
                            "{shown}: no id {fragment}"
                        );
                    }
                    continue;
                }
                assert!(!path.ends_with('/'), "{shown}: bare folder link {url}");
                let target = file.parent().unwrap().join(decode(path));
                assert!(target.is_file(), "{shown}: {url} does not resolve");
                if !fragment.is_empty() {
                    let target_html = fs::read_to_string(&target).unwrap();
                    assert!(
                        ids(&target_html).contains(&decode(fragment)),
                        "{shown}: {url}: no such anchor"
                    );
                }
            }
        }
    }
}

#[test]
fn prev_and_next_follow_weights() {
    let (_tmp, out) = build(&fixture("basic"));
    let pager = |rel: &str| {
        let html = read(&out, rel);
        let pick = |class: &str| {
            html.split(&format!("<a class=\"{class}\" rel=\"{class}\" href=\""))
                .nth(1)
                .map(|rest| rest.split('"').next().unwrap().to_string())
        };
        (pick("prev"), pick("next"))
    };
    // Reading order: home, 第一节 (weight 1): slugs (10), momentum (20), last (30); 另一节 (2): note.
    assert_eq!(pager("index.html"), (None, Some("sec/index.html".into())));
    assert_eq!(
        pager("sec/index.html"),
        (Some("../index.html".into()), Some("slugs.html".into()))
    );
    assert_eq!(
        pager("sec/slugs.html"),
        (Some("index.html".into()), Some("momentum.html".into()))
    );
    assert_eq!(
        pager("sec/last.html"),
        (Some("momentum.html".into()), Some("../other/index.html".into()))
    );
    assert_eq!(pager("other/note.html"), (Some("index.html".into()), None));
}

#[test]
fn two_builds_are_byte_identical() {
    for root in [fixture("basic"), repo_root()] {
        let (_a, first) = build(&root);
        let (_b, second) = build(&root);
        let (first, second) = (snapshot(&first), snapshot(&second));
        assert_eq!(
            first.keys().collect::<Vec<_>>(),
            second.keys().collect::<Vec<_>>()
        );
        for (path, bytes) in &first {
            assert!(bytes == &second[path], "{path} differs between builds");
        }
    }
}

#[test]
fn pages_sections_and_site_files_are_written() {
    let (_tmp, out) = build(&fixture("basic"));
    for rel in [
        "index.html",
        "sec/index.html",
        "sec/momentum.html",
        "other/index.html",
        "other/note.html",
        "404.html",
        "sitemap.xml",
        ".nojekyll",
        "style.css",
        "highlight.css",
        "tags/index.html",
    ] {
        assert!(out.join(rel).is_file(), "{rel} missing");
    }
    let sitemap = read(&out, "sitemap.xml");
    assert!(sitemap.contains("<loc>https://example.org/notes/sec/momentum.html</loc>"));
    let page = read(&out, "sec/momentum.html");
    assert!(page.contains("class=\"hl-code\""), "code is highlighted");
    assert!(
        page.contains("aria-current=\"page\""),
        "current page marked in the sidebar"
    );
    assert!(
        page.contains("href=\"#为什么需要动量\"") || page.contains("#为什么需要动量"),
        "table of contents"
    );
    assert!(page.contains("https://github.com/o/r/edit/main/content/sec/momentum.md"));
}

#[test]
fn failed_build_names_file_and_line_and_keeps_old_output() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("site");
    copy_tree(&fixture("basic"), &root);
    let figmark = env!("CARGO_BIN_EXE_figmark");
    let run = || {
        Command::new(figmark)
            .args(["--root", root.to_str().unwrap(), "build"])
            .output()
            .unwrap()
    };

    let first = run();
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let stdout = String::from_utf8_lossy(&first.stdout);
    assert!(
        stdout.starts_with("built 7 pages in 3 sections"),
        "summary line: {stdout}"
    );
    let before = snapshot(&root.join("public"));

    fs::write(
        root.join("content/sec/last.md"),
        "---\ntitle: x\nauthor: me\n---\n",
    )
    .unwrap();
    fs::write(
        root.join("content/other/note.md"),
        "---\ntitle: y\n---\n[x](missing.md)\n",
    )
    .unwrap();
    let second = run();
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert_eq!(second.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("content/sec/last.md:3"), "{stderr}");
    assert!(stderr.contains("author"), "{stderr}");
    assert!(
        stderr.contains("content/other/note.md:4:1"),
        "every error is reported: {stderr}"
    );
    assert_eq!(
        before,
        snapshot(&root.join("public")),
        "previous output untouched"
    );
    assert_no_temp_folder(&root);
}

/// The staging folder a build writes into is gone from the site's folder.
fn assert_no_temp_folder(root: &Path) {
    let names: Vec<_> = fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(
        names.iter().all(|n| !n.to_string_lossy().contains("tmp")),
        "no temp folder: {names:?}"
    );
}

/// Files are written as they are made, into a folder that replaces the output only when the
/// build succeeds: the output limit, checked once every file is written, leaves the last output.
#[test]
fn a_build_failing_after_its_files_were_written_keeps_old_output() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("site");
    copy_tree(&fixture("basic"), &root);
    let out = root.join("public");
    figmark::build::build(&root, &out).unwrap();
    let before = snapshot(&out);
    let mut config = fs::read_to_string(root.join("site.toml")).unwrap();
    config.push_str("\n[limits]\noutput_mb = 1\n");
    fs::write(root.join("site.toml"), config).unwrap();
    let big = format!("---\ntitle: 大\n---\n{}\n", "大段正文。".repeat(100_000));
    fs::write(root.join("content/big.md"), big).unwrap();
    let errors = figmark::build::build(&root, &out).err().expect("over the limit");
    assert!(
        errors.iter().any(|d| d.message.contains("output_mb")),
        "{errors:?}"
    );
    assert_eq!(before, snapshot(&out), "previous output untouched");
    assert_no_temp_folder(&root);
}

#[test]
fn template_error_names_the_template_file_and_line() {
    let tmp = tempfile::tempdir().unwrap();
    copy_tree(&fixture("basic"), tmp.path());
    fs::create_dir_all(tmp.path().join("templates")).unwrap();
    fs::write(
        tmp.path().join("templates/page.html"),
        "{% extends \"base.html\" %}\n{% block main %}\n{{ title | no_such_filter }}\n{% endblock main %}\n",
    )
    .unwrap();
    let diagnostics = figmark::build::plan(tmp.path(), &mut Default::default())
        .err()
        .expect("a template error");
    let d = diagnostics
        .iter()
        .find(|d| d.file.ends_with("templates/page.html"))
        .expect("names the file");
    assert_eq!(d.line, 3, "{d}");
    assert!(d.message.contains("no_such_filter"), "{d}");
}

#[test]
fn unknown_code_language_is_plain_code_and_a_warning() {
    let tmp = tempfile::tempdir().unwrap();
    copy_tree(&fixture("basic"), tmp.path());
    let note = tmp.path().join("content/other/note.md");
    let mut text = fs::read_to_string(&note).unwrap();
    text.push_str("\n```klingon\nqapla' <b>\n```\n");
    fs::write(&note, text).unwrap();
    let out = tmp.path().join("public");
    let plan = figmark::build::build(tmp.path(), &out).expect("a warning does not fail the build");
    let warning = &plan.warnings[0];
    assert_eq!(warning.file.to_string_lossy(), "content/other/note.md");
    assert_eq!(warning.line, 6);
    assert!(warning.message.contains("klingon"));
    let html = read(&out, "other/note.html");
    assert!(
        html.contains("<code class=\"language-klingon\">qapla' &lt;b&gt;\n</code>"),
        "{html}"
    );
}

/// The files of a plan, by path.
fn planned(plan: figmark::build::Plan) -> BTreeMap<String, Vec<u8>> {
    plan.files
        .into_iter()
        .map(|(path, contents)| (path, contents.read().unwrap()))
        .collect()
}

/// Every file's time set an hour back, so that the incremental load trusts it when unchanged.
fn age(root: &Path) {
    let old = SystemTime::now() - Duration::from_secs(3600);
    for entry in walkdir::WalkDir::new(root.join("content")) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let file = fs::File::options().write(true).open(entry.path()).unwrap();
            file.set_modified(old).unwrap();
        }
    }
}

#[test]
fn incremental_rebuilds_equal_full_builds() {
    let tmp = tempfile::tempdir().unwrap();
    copy_tree(&fixture("basic"), tmp.path());
    let root = tmp.path();
    age(root);
    let mut cache = figmark::memo::Memo::default();
    let plan = |cache: &mut figmark::memo::Memo| planned(figmark::build::plan(root, cache).unwrap());
    assert_eq!(
        plan(&mut cache),
        planned(figmark::build::plan(root, &mut Default::default()).unwrap())
    );
    let note = root.join("content/sec/momentum.md");
    let edits = [
        ("\n改动的一句话，[见](last.md)。\n", "a sentence with a link"),
        (
            "\n## 新的小节\n\n动量 momentum 新词\n",
            "a heading and new search terms",
        ),
    ];
    for (added, what) in edits {
        let mut text = fs::read_to_string(&note).unwrap();
        text.push_str(added);
        fs::write(&note, text).unwrap();
        age(root);
        let incremental = plan(&mut cache);
        let full = planned(figmark::build::plan(root, &mut Default::default()).unwrap());
        assert_eq!(
            incremental.keys().collect::<Vec<_>>(),
            full.keys().collect::<Vec<_>>(),
            "{what}"
        );
        for (path, bytes) in &full {
            assert!(bytes == &incremental[path], "{path} differs after {what}");
        }
    }
}

/// The notes (not section indexes, not the glossary) as `content/`-relative paths.
fn real_notes() -> BTreeMap<String, String> {
    let content = repo_root().join("content");
    walkdir::WalkDir::new(&content)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
        .map(|e| {
            let rel = e.path().strip_prefix(&content).unwrap();
            let rel = rel.to_string_lossy().replace('\\', "/");
            (rel, fs::read_to_string(e.path()).unwrap())
        })
        .filter(|(rel, _)| !rel.ends_with("_index.md") && rel != "glossary.md")
        .collect()
}

/// The notes a note links to, resolved against its folder, without itself.
fn linked_notes(rel: &str, body: &str) -> std::collections::BTreeSet<String> {
    use pulldown_cmark::{Event, Parser, Tag};
    let dir = Path::new(rel).parent().unwrap();
    Parser::new(body)
        .filter_map(|e| match e {
            Event::Start(Tag::Link { dest_url, .. }) => Some(dest_url.to_string()),
            _ => None,
        })
        .filter_map(|url| {
            let path = url.split('#').next()?.to_string();
            path.ends_with(".md").then_some(path)
        })
        .map(|path| {
            let mut parts: Vec<String> = Vec::new();
            for c in dir.join(path).components() {
                match c {
                    std::path::Component::ParentDir => {
                        parts.pop();
                    }
                    std::path::Component::Normal(s) => parts.push(s.to_string_lossy().into()),
                    _ => {}
                }
            }
            parts.join("/")
        })
        .filter(|target| target != rel)
        .collect()
}

#[test]
fn every_note_links_two_notes_and_is_linked_from_two() {
    let notes = real_notes();
    let links: BTreeMap<&String, _> = notes
        .iter()
        .map(|(rel, body)| (rel, linked_notes(rel, body)))
        .collect();
    let mut short = Vec::new();
    for rel in notes.keys() {
        let out = links[rel].iter().filter(|t| notes.contains_key(*t)).count();
        let inbound = links.values().filter(|l| l.contains(rel)).count();
        if out < 2 || inbound < 2 {
            short.push(format!("{rel}: links {out} notes, linked from {inbound}"));
        }
    }
    assert!(notes.len() >= 28, "{} notes", notes.len());
    assert!(short.is_empty(), "{short:#?}");
}
