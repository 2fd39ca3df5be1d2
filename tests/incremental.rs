//! Incremental builds equal full builds, for every kind of edit: each edit is applied to a copy
//! of a fixture, the site is planned again with the memo of the builds before, and every output
//! file is compared with a build from an empty memo. The same edits go through the real server.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::time::{Duration, Instant, SystemTime};

use common::{copy_tree, fixture, repo_root};
use figmark::memo::Memo;

type Files = BTreeMap<String, Vec<u8>>;

fn planned(root: &Path, memo: &mut Memo) -> Files {
    let plan = figmark::build::plan(root, memo).unwrap_or_else(|d| panic!("build failed: {d:?}"));
    plan.files
        .into_iter()
        .map(|(path, contents)| (path, contents.read().unwrap()))
        .collect()
}

fn full(root: &Path) -> Files {
    planned(root, &mut Memo::default())
}

/// Sets every file's time an hour back, so that the memo trusts unchanged files by their time.
fn age(root: &Path) {
    let old = SystemTime::now() - Duration::from_secs(3600);
    for entry in walkdir::WalkDir::new(root) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let file = fs::File::options().write(true).open(entry.path()).unwrap();
            file.set_modified(old).unwrap();
        }
    }
}

fn append(path: &Path, text: &str) {
    let mut old = fs::read_to_string(path).unwrap();
    old.push_str(text);
    fs::write(path, old).unwrap();
}

/// One kind of edit: its name and what it does to the site at the given root.
type Edit = (&'static str, fn(&Path));

const EDITS: &[Edit] = &[
    ("note edited", |root| {
        append(
            &root.join("content/sec/momentum.md"),
            "\n改动的一句话，[见](last.md)。\n",
        )
    }),
    ("heading and search terms added", |root| {
        append(
            &root.join("content/sec/momentum.md"),
            "\n## 新的小节\n\n动量 momentum 新词\n",
        )
    }),
    // Pages whose own text did not change: the pager of its neighbours, its section's listing,
    // tag pages, the backlinks of the pages it links to and the map on the home page.
    ("note's title and tags changed", |root| {
        let path = root.join("content/sec/momentum.md");
        let text = fs::read_to_string(&path).unwrap();
        let text = text.replace("title: 动量\n", "title: 动量法\n");
        fs::write(&path, text.replace("tags: [优化, SGD]", "tags: [优化, 新标签]")).unwrap();
    }),
    ("link removed", |root| {
        let path = root.join("content/sec/momentum.md");
        let text = fs::read_to_string(&path).unwrap();
        fs::write(&path, text.replace("[见](last.md)", "见")).unwrap();
    }),
    ("note added", |root| {
        fs::write(
            root.join("content/sec/added.md"),
            "---\ntitle: 新笔记\ntags: [新标签]\n---\n\n链接到[动量](momentum.md)。\n",
        )
        .unwrap()
    }),
    ("note renamed", |root| {
        fs::rename(
            root.join("content/sec/added.md"),
            root.join("content/sec/renamed.md"),
        )
        .unwrap()
    }),
    ("note removed", |root| {
        fs::remove_file(root.join("content/sec/renamed.md")).unwrap()
    }),
    ("template added", |root| {
        let page = fs::read_to_string(repo_root().join("templates/page.html")).unwrap();
        assert!(page.contains("</article>"));
        fs::create_dir_all(root.join("templates")).unwrap();
        fs::write(
            root.join("templates/page.html"),
            page.replace("</article>", "<p>模板改动</p></article>"),
        )
        .unwrap();
    }),
    ("template edited", |root| {
        let path = root.join("templates/page.html");
        let page = fs::read_to_string(&path).unwrap();
        fs::write(&path, page.replace("模板改动", "模板又改动")).unwrap();
    }),
    ("static file added", |root| {
        fs::create_dir_all(root.join("static")).unwrap();
        fs::write(root.join("static/extra.css"), "p { color: red }\n").unwrap();
    }),
    ("static file edited", |root| {
        append(&root.join("static/extra.css"), "a { color: blue }\n")
    }),
    ("site.toml edited", |root| {
        append(&root.join("site.toml"), "\ndescription = \"改过的描述\"\n")
    }),
    ("interface string overridden", |root| {
        append(&root.join("site.toml"), "\n[strings]\nprev = \"前一篇\"\n")
    }),
];

#[test]
fn every_kind_of_edit_through_the_memo_equals_a_full_build() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    copy_tree(&fixture("basic"), root);
    age(root);
    let mut memo = Memo::default();
    assert_eq!(planned(root, &mut memo), full(root));
    for (what, edit) in EDITS {
        edit(root);
        age(root);
        let incremental = planned(root, &mut memo);
        assert_same(&incremental, &full(root), what);
    }
}

/// On a generated site large enough for the search index to span many chunks and the print
/// edition to be split (`tests/large.rs`), edits through the memo equal full builds.
#[test]
fn edits_to_a_large_site_with_chunked_index_and_split_edition_equal_a_full_build() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    common::generate_notes(root, 1500);
    age(root);
    let mut memo = Memo::default();
    let first = planned(root, &mut memo);
    assert!(first.contains_key("print-s001.html"), "the edition is split");
    assert!(
        first.contains_key("search-index/t40.js"),
        "the index spans many chunks"
    );
    let edits: [Edit; 3] = [
        ("a note's text, a heading and a link to another edition", |root| {
            append(
                &root.join("content/s003/n010.md"),
                "\n## 新的小节\n\n全新的词 brandnewword，见[别处](../s020/n001.md#基本概念)。\n",
            )
        }),
        ("a note added", |root| {
            fs::write(
                root.join("content/s010/n999.md"),
                "---\ntitle: 新笔记\n---\n\n新笔记的正文 freshnote。\n",
            )
            .unwrap()
        }),
        ("a note removed", |root| {
            fs::remove_file(root.join("content/s010/n999.md")).unwrap()
        }),
    ];
    for (what, edit) in edits {
        edit(root);
        age(root);
        let incremental = planned(root, &mut memo);
        assert_same(&incremental, &full(root), what);
    }
}

/// The link check is kept page by page: a page whose anchor into another page breaks when that
/// page's heading is renamed is checked again, though its own text did not change, and the
/// build fails as a full one does; renamed back, the build equals a full one.
#[test]
fn an_anchor_broken_by_an_edit_elsewhere_is_found_through_the_memo() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    copy_tree(&fixture("basic"), root);
    append(
        &root.join("content/other/note.md"),
        "\n见[公式](../sec/momentum.md#更新公式)。\n",
    );
    age(root);
    let mut memo = Memo::default();
    assert_eq!(planned(root, &mut memo), full(root));
    let target = root.join("content/sec/momentum.md");
    let text = fs::read_to_string(&target).unwrap();
    fs::write(&target, text.replace("## 更新公式", "## 更新的公式")).unwrap();
    age(root);
    let failed = figmark::build::plan(root, &mut memo)
        .err()
        .expect("the anchor is broken");
    let fresh = figmark::build::plan(root, &mut Memo::default())
        .err()
        .expect("broken in a full build");
    assert_eq!(failed, fresh);
    assert!(
        failed
            .iter()
            .any(|d| d.to_string().contains("note.md") && d.to_string().contains("更新公式")),
        "{failed:?}"
    );
    fs::write(&target, text).unwrap();
    age(root);
    assert_same(&planned(root, &mut memo), &full(root), "heading renamed back");
}

/// Two writes of the same size within one timestamp tick: the second must be seen although the
/// file's size and time are those of the first (git's "racily clean" case).
#[test]
fn same_size_writes_within_the_racy_window_are_both_seen() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    copy_tree(&fixture("basic"), root);
    age(root);
    let mut memo = Memo::default();
    planned(root, &mut memo);
    let note = root.join("content/sec/momentum.md");
    let original = fs::read_to_string(&note).unwrap();
    let when = SystemTime::now() - Duration::from_millis(500);
    let mut built = Vec::new();
    for word in ["甲甲甲", "乙乙乙"] {
        fs::write(&note, format!("{original}\n{word}\n")).unwrap();
        fs::File::options()
            .write(true)
            .open(&note)
            .unwrap()
            .set_modified(when)
            .unwrap();
        built.push(planned(root, &mut memo));
    }
    let page = String::from_utf8(built[1]["sec/momentum.html"].clone()).unwrap();
    assert!(page.contains("乙乙乙"), "the second write was not read");
    assert_same(&built[1], &full(root), "second same-size write");
}

#[test]
fn every_kind_of_edit_through_the_server_equals_a_full_build() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    copy_tree(&fixture("basic"), root);
    let server = figmark::serve::Server::start(root, "127.0.0.1:0".parse().unwrap(), |_| {}).unwrap();
    let addr = server.addr();
    for (what, edit) in EDITS {
        edit(root);
        let expected = full(root);
        let start = Instant::now();
        loop {
            let served: Files = expected
                .keys()
                .map(|path| (path.clone(), served(addr, path)))
                .collect();
            if served == expected {
                break;
            }
            if start.elapsed() > Duration::from_secs(20) {
                assert_same(&served, &expected, what);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// A file as the server serves it (asked in HTTP/1.0, so never chunked), without the live-reload script it adds to pages.
fn served(addr: SocketAddr, path: &str) -> Vec<u8> {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let target: String = path
        .split('/')
        .map(|part| {
            percent_encoding::utf8_percent_encode(part, percent_encoding::NON_ALPHANUMERIC).to_string()
        })
        .collect::<Vec<_>>()
        .join("/");
    write!(stream, "GET /{target} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let at = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(response.len(), |i| i + 4);
    let body = response.split_off(at);
    if !path.ends_with(".html") {
        return body;
    }
    let html = String::from_utf8_lossy(&body);
    let end = html.rfind("</body>").unwrap_or(html.len());
    match html[..end].rfind("<script>") {
        Some(script) => format!("{}{}", &html[..script], &html[end..]).into_bytes(),
        None => body,
    }
}

fn assert_same(got: &Files, expected: &Files, what: &str) {
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>(),
        "files differ after: {what}"
    );
    for (path, bytes) in expected {
        if bytes != &got[path] {
            let (got, expected) = (
                String::from_utf8_lossy(&got[path]),
                String::from_utf8_lossy(bytes),
            );
            let line = got
                .lines()
                .zip(expected.lines())
                .position(|(a, b)| a != b)
                .unwrap_or(0);
            panic!(
                "{path} differs after: {what}\n  got:      {:?}\n  expected: {:?}",
                got.lines().nth(line),
                expected.lines().nth(line)
            );
        }
    }
}
