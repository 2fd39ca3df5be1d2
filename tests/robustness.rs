//! Content from strangers' pull requests: hostile HTML, broken files, notes written for other
//! tools, and builds killed or failing halfway. Each case builds a real site in a temp dir.

mod common;

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::{fixture, snapshot};
use figmark::diagnostics::{Diagnostic, Severity};

const SITE_TOML: &str = "title = \"t\"\n";

/// A site in a temp dir with `files` (path, contents) besides `site.toml` and a home page.
fn site(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "site.toml", SITE_TOML.as_bytes());
    write(dir.path(), "content/_index.md", b"---\ntitle: home\n---\nhome\n");
    for (path, text) in files {
        write(dir.path(), path, text);
    }
    dir
}

fn write(root: &Path, rel: &str, bytes: &[u8]) {
    let path = root.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, bytes).unwrap();
}

fn build(root: &Path) -> Result<Vec<Diagnostic>, Vec<Diagnostic>> {
    figmark::build::build(root, &root.join("public")).map(|plan| plan.warnings)
}

fn page(root: &Path, rel: &str) -> String {
    fs::read_to_string(root.join("public").join(rel)).unwrap()
}

/// The diagnostic about `file`, with its line.
fn find<'d>(diagnostics: &'d [Diagnostic], file: &str, needle: &str) -> &'d Diagnostic {
    diagnostics
        .iter()
        .find(|d| d.file == Path::new(file) && d.message.contains(needle))
        .unwrap_or_else(|| panic!("no `{needle}` diagnostic for {file} in {diagnostics:#?}"))
}

fn is_dangerous_url(value: &str) -> bool {
    let compact: String = value
        .chars()
        .filter(|c| !c.is_ascii_whitespace() && !c.is_ascii_control())
        .flat_map(char::to_lowercase)
        .collect();
    compact.starts_with("javascript:")
        || compact.starts_with("vbscript:")
        || (compact.starts_with("data:") && !compact.starts_with("data:image/"))
}

#[test]
fn hostile_note_builds_to_a_page_without_script() {
    let dir = tempfile::tempdir().unwrap();
    common::copy_tree(&fixture("hostile"), dir.path());
    build(dir.path()).unwrap();
    let mut pages = vec!["hostile.html", "index.html"];
    let tag_pages: Vec<String> = fs::read_dir(dir.path().join("public/tags"))
        .unwrap()
        .map(|e| format!("tags/{}", e.unwrap().file_name().to_string_lossy()))
        .collect();
    pages.extend(tag_pages.iter().map(String::as_str));
    for rel in pages {
        let html = page(dir.path(), rel);
        let doc = scraper::Html::parse_document(&html);
        let mut scripts = 0;
        for node in doc.root_element().descendants() {
            let Some(el) = node.value().as_element() else {
                continue;
            };
            if el.name() == "script" {
                scripts += 1;
                let own = el
                    .attr("src")
                    .is_some_and(|s| s.ends_with("figmark.js") || s.ends_with("search.js"))
                    || node.children().any(|c| {
                        c.value().as_text().is_some_and(|t| {
                            t.starts_with("try{var t=localStorage.getItem(\"figmark-theme\")")
                        })
                    });
                assert!(
                    own,
                    "{rel}: foreign script {:?}",
                    scraper::ElementRef::wrap(node).unwrap().html()
                );
            }
            for name in [
                "iframe", "object", "embed", "style", "form", "animate", "noscript",
            ] {
                assert_ne!(el.name(), name, "{rel}: <{name}> kept");
            }
            for (attr, value) in el.attrs() {
                assert!(
                    !attr.starts_with("on"),
                    "{rel}: handler {attr}={value:?} on <{}>",
                    el.name()
                );
                if [
                    "href",
                    "src",
                    "action",
                    "formaction",
                    "xlink:href",
                    "data",
                    "poster",
                ]
                .contains(&attr)
                {
                    assert!(
                        !is_dangerous_url(value),
                        "{rel}: {attr}={value:?} on <{}>",
                        el.name()
                    );
                }
                if attr == "style" {
                    assert!(!value.contains("url("), "{rel}: style {value:?}");
                }
            }
        }
        assert_eq!(scripts, 3, "{rel}: the theme script, figmark.js and search.js");
    }
    let html = page(dir.path(), "hostile.html");
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "title shown as text"
    );
    assert!(html.contains("<strong>kept</strong>"));
}

#[test]
fn each_bad_note_reports_file_and_line_and_none_hides_another() {
    let mut big = b"---\ntitle: big\n---\n".to_vec();
    big.resize(figmark::content::MAX_FILE_BYTES as usize + 1, b'a');
    let dir = site(&[
        ("content/utf8.md", b"---\ntitle: u\n---\nfine\nbad \xff byte\n"),
        ("content/big.md", &big),
        ("content/yaml.md", b"---\ntitle: y\ntags: [a, b\nweight: 1\n---\n"),
        (
            "content/img.md",
            b"---\ntitle: i\n---\n\ntext ![x](img/missing.png)\n",
        ),
        (
            "content/raw.md",
            b"---\ntitle: r\n---\n\n<img src=\"nope.png\">\n",
        ),
    ]);
    std::os::unix::fs::symlink("/etc/hostname", dir.path().join("content/leak.md")).unwrap();
    let errors = build(dir.path()).unwrap_err();
    assert_eq!(find(&errors, "content/utf8.md", "not valid UTF-8").line, 5);
    find(&errors, "content/big.md", "over the limit");
    assert!(find(&errors, "content/yaml.md", "front matter").line >= 3);
    let img = find(&errors, "content/img.md", "missing image");
    assert_eq!((img.line, img.col), (5, 6));
    assert_eq!(find(&errors, "content/raw.md", "missing image").line, 5);
    find(&errors, "content/leak.md", "outside the content folder");
    assert!(errors.iter().all(|d| d.severity == Severity::Error || d.line > 0));
    assert!(!dir.path().join("public").exists());
}

#[test]
fn unclosed_code_fence_is_a_warning_on_its_line() {
    let dir = site(&[(
        "content/a.md",
        b"---\ntitle: a\n---\nintro\n\n```python\nx = 1\n\n## lost heading\n",
    )]);
    let warnings = build(dir.path()).unwrap();
    let w = find(&warnings, "content/a.md", "never closed");
    assert_eq!((w.line, w.severity), (6, Severity::Warning));
    let dir = site(&[(
        "content/a.md",
        b"---\ntitle: a\n---\n> ```\n> x\n> ```\n\n~~~\ny\n~~~\n",
    )]);
    assert_eq!(build(dir.path()).unwrap(), []);
}

#[test]
fn template_include_cycle_is_an_error_naming_the_template() {
    let dir = site(&[
        ("templates/page.html", b"{% include \"a.html\" %}"),
        ("templates/a.html", b"{% include \"b.html\" %}"),
        ("templates/b.html", b"{% include \"a.html\" %}"),
        ("content/n.md", b"---\ntitle: n\n---\nx\n"),
    ]);
    let errors = build(dir.path()).unwrap_err();
    assert!(
        errors.iter().any(
            |d| (d.file.ends_with("templates/a.html") || d.file.ends_with("templates/b.html"))
                && d.message.contains("ircular include")
                && d.message.contains("a.html")
        ),
        "{errors:#?}"
    );
}

#[test]
fn notes_written_for_other_tools_render_sensibly() {
    let dir = site(&[
        ("content/img/a.png", b"png"),
        (
            "content/n.md",
            "---\ntitle: n\n---\n## 零\u{200b}宽\u{feff}标题\n\n[跳](#零宽标题)\n\n![图](img\\a.png)\n\n\
             价格 $5 和 $10，合计 $15。\n\n公式 $x^2$ 照常。\n\n泛型 List<T> 与 <卷积核>。\n"
                .as_bytes(),
        ),
    ]);
    build(dir.path()).unwrap();
    let html = page(dir.path(), "n.html");
    assert!(
        html.contains("id=\"零宽标题\""),
        "zero-width characters leave the slug"
    );
    assert!(
        html.contains("src=\"img/a.png\""),
        "backslash path becomes a URL path"
    );
    assert!(
        html.contains("价格 $5 和 $10，合计 $15。"),
        "currency is not math: {html}"
    );
    assert!(
        html.contains("<msup><mi>x</mi><mn>2</mn></msup>"),
        "real math still renders: {html}"
    );
    assert!(html.contains("List&lt;T&gt; 与 &lt;卷积核&gt;"));
}

/// A site big enough that a debug build takes a while, so a kill lands mid-build.
fn large_site() -> tempfile::TempDir {
    let dir = site(&[]);
    let mut body = String::new();
    for i in 0..20 {
        body.push_str(&format!(
            "## 节 {i}\n\n正文 **粗体** [链接](p0.md#节-{i})\n\n```rust\nfn f{i}() -> u32 {{ {i} }}\n```\n\n"
        ));
    }
    for p in 0..120 {
        write(
            dir.path(),
            &format!("content/p{p}.md"),
            format!("---\ntitle: 第 {p} 篇\n---\n{body}").as_bytes(),
        );
    }
    dir
}

fn leftovers(root: &Path) -> Vec<String> {
    fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("figmark-tmp"))
        .collect()
}

#[test]
fn killed_builds_never_damage_the_previous_output() {
    let dir = large_site();
    let root = dir.path();
    let figmark = || {
        let mut c = Command::new(env!("CARGO_BIN_EXE_figmark"));
        c.arg("--root")
            .arg(root)
            .arg("build")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        c
    };
    assert!(figmark().status().unwrap().success());
    let before = snapshot(&root.join("public"));
    assert!(before.len() > 120);
    for delay in [5, 40, 150, 400] {
        let mut child = figmark().spawn().unwrap();
        std::thread::sleep(Duration::from_millis(delay));
        child.kill().ok();
        child.wait().unwrap();
        assert!(
            snapshot(&root.join("public")) == before,
            "output changed after a kill at {delay} ms"
        );
    }
    assert!(figmark().status().unwrap().success());
    assert!(snapshot(&root.join("public")) == before);
    assert_eq!(leftovers(root), Vec::<String>::new());
}

#[test]
fn failed_write_keeps_the_previous_output_and_no_temp_folder() {
    let dir = site(&[("content/cnn/_index.md", b"---\ntitle: cnn\n---\nx\n")]);
    let root = dir.path();
    build(root).unwrap();
    let before = snapshot(&root.join("public"));
    // A static file named like a section folder: the write must fail halfway.
    write(root, "static/cnn", b"in the way");
    let errors = build(root).unwrap_err();
    assert!(errors[0].message.contains("cannot write the site"), "{errors:#?}");
    assert!(snapshot(&root.join("public")) == before);
    assert_eq!(leftovers(root), Vec::<String>::new());
}

#[test]
fn figure_specs_asking_for_absurd_work_are_refused_quickly() {
    let note = "---\ntitle: n\n---\n\n```figure\nkind: function\nseries: [relu]\nsamples: 1000000000\n```\n\n```figure\nkind: grid\nop: transposed-conv\nshape: [1000000, 1000000]\n```\n";
    let dir = site(&[("content/n.md", note.as_bytes())]);
    let start = std::time::Instant::now();
    let errors = build(dir.path()).unwrap_err();
    assert!(
        start.elapsed() < std::time::Duration::from_secs(5),
        "refused without doing the work"
    );
    let at = |line: usize, field: &str| {
        errors
            .iter()
            .any(|d| d.file.ends_with("content/n.md") && d.line == line && d.message.contains(field))
    };
    assert!(at(8, "samples"), "{errors:#?}");
    assert!(at(14, "shape"), "{errors:#?}");
}
