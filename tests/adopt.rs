//! Notes as they live on GitHub build with no configuration: fixture repositories shaped like
//! real ones (no front matter, README indexes, `chNN_中文名` folders, `img/`, names with spaces
//! and parentheses, a docsify `_sidebar.md` and `index.html`, an mdBook `SUMMARY.md`), `--lenient`
//! and `figmark init`.

mod common;

use std::fs;
use std::path::Path;
use std::process::Command;

use common::{build, copy_tree, decode, fixture, html_files, read, snapshot};
use figmark::build::{Lenient, build_with, plan_with};
use figmark::diagnostics::Diagnostic;

/// Every relative `href` and `src` in every page reaches a file of the output, as a browser
/// reads it from `file://`: percent-decoded, relative to the page.
fn assert_links_reach_files(out: &Path) {
    for page in html_files(out) {
        let html = fs::read_to_string(&page).unwrap();
        let dir = page.parent().unwrap();
        for attr in ["href", "src"] {
            for value in common::attr_values(&html, attr) {
                if value.is_empty()
                    || value.starts_with('#')
                    || value.contains(':')
                    || value.starts_with("//")
                {
                    continue;
                }
                let path = value.split(['#', '?']).next().unwrap();
                assert!(
                    !path.contains(' '),
                    "{}: `{value}` is not percent-encoded",
                    page.display()
                );
                let target = dir.join(decode(path));
                assert!(target.exists(), "{}: `{value}` reaches nothing", page.display());
            }
        }
    }
}

/// The titles in a page's sidebar, in order, nested ones in place: the reading order around it.
fn sidebar(html: &str) -> Vec<String> {
    let start = html.find("<nav class=\"sidebar\"").expect("a sidebar");
    let nav = &html[start..];
    let nav = &nav[..nav.find("</nav>").unwrap()];
    nav.split("<a href=\"")
        .skip(1)
        .map(|item| {
            let text = &item[item.find('>').unwrap() + 1..];
            text[..text.find("</a>").unwrap()].to_string()
        })
        .collect()
}

/// Whether `html` links to `href`, compared percent-decoded (the markdown writer encodes
/// non-ASCII, the theme's lists do not: browsers read both alike).
fn has_href(html: &str, href: &str) -> bool {
    common::attr_values(html, "href")
        .iter()
        .any(|h| decode(h) == decode(href))
}

fn messages(diagnostics: &[Diagnostic]) -> Vec<String> {
    diagnostics.iter().map(ToString::to_string).collect()
}

#[test]
fn a_docsify_repository_builds_as_it_is() {
    let root = fixture("gh-docsify");
    assert!(!root.join("site.toml").exists());
    let out_dir = tempfile::tempdir().unwrap();
    let out = out_dir.path().join("public");
    let plan =
        build_with(&root, &out, Lenient::AsConfigured).unwrap_or_else(|d| panic!("{:#?}", messages(&d)));
    let warnings = messages(&plan.warnings);
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("index.html") && w.contains("README.md")),
        "the docsify page gives way to the home page, with a warning: {warnings:?}"
    );

    let home = read(&out, "index.html");
    assert!(
        home.contains("<title>深度学习500问"),
        "site title from the README's heading"
    );
    assert!(home.contains("lang=\"zh-CN\""));
    assert!(
        !home.contains("id=\"app\""),
        "docsify's index.html is not copied over the home page"
    );
    assert_eq!(
        sidebar(&read(&out, "ch10_强化学习/index.html")),
        [
            "深度学习500问",
            "卷积神经网络",
            "第二章 机器学习基础",
            "数学基础",
            "强化学习",
            "强化学习简介"
        ],
        "_sidebar.md order first, then the rest in natural order; folders without a README get their name"
    );
    for href in [
        "ch01_数学基础/第一章_数学基础.html",
        "ch02_机器学习基础/index.html",
        "ch05_卷积神经网络(CNN)/index.html",
        "ch01_数学基础/第一章_数学基础.html#11-标量向量矩阵",
        "papers/ResNet%20paper.pdf",
        "code/train.py",
    ] {
        assert!(has_href(&home, href), "{href}");
    }

    let chapter = read(&out, "ch01_数学基础/第一章_数学基础.html");
    assert_eq!(
        chapter.matches("第一章 数学基础</h1>").count(),
        1,
        "the title heading is shown once"
    );
    assert!(chapter.contains("alt=\"图 1.1 向量\""));
    assert!(
        common::attr_values(&chapter, "src")
            .iter()
            .any(|s| decode(s) == "img/ch1/向量 (1).png")
    );
    assert!(
        has_href(&chapter, "../ch02_机器学习基础/index.html"),
        "README.md is the folder's page"
    );

    let ch02 = read(&out, "ch02_机器学习基础/index.html");
    assert!(ch02.contains("<p>机器学习的基本概念。</p>") || ch02.contains("机器学习的基本概念"));
    assert_eq!(
        sidebar(&ch02)[3..5],
        ["2.2 监督学习", "2.10 偏差与方差"],
        "natural order"
    );
    assert!(has_href(&ch02, "2.10 偏差与方差.html"));
    assert!(read(&out, "ch10_强化学习/01_强化学习简介.html").contains("<title>强化学习简介"));
    assert!(out.join("papers/ResNet paper.pdf").is_file());
    assert!(!out.join("_sidebar.html").exists(), "_sidebar.md is not a page");
    assert_links_reach_files(&out);

    let (_again, out2) = build(&root);
    assert_eq!(snapshot(&out), snapshot(&out2), "deterministic");
}

#[test]
fn an_mdbook_repository_builds_from_docs() {
    let root = fixture("gh-mdbook");
    let (_tmp, out) = build(&root);
    let home = read(&out, "index.html");
    assert!(home.contains("<title>Machine Learning Notes"));
    assert!(home.contains("lang=\"en\""));

    assert!(
        has_href(&home, "chapter_1/index.html"),
        "a folder link reaches its page"
    );
    let linear = read(&out, "chapter_1/index.html");
    assert_eq!(
        sidebar(&linear),
        [
            "Machine Learning Notes",
            "Optimization",
            "Linear models",
            "Read first",
            "1.2 Least squares",
            "1.10 Regularization"
        ],
        "SUMMARY.md order of folders; in a folder weight, then natural order"
    );
    let adam = read(&out, "chapter_2/adam.html");
    assert!(adam.contains("<img src=\"img/adam.svg\" alt=\"Adam&#39;s path\""));
    assert!(
        has_href(&adam, "../chapter_1/index.html"),
        "readme.md is the folder's page"
    );
    let all: Vec<String> = html_files(&out)
        .iter()
        .map(|p| p.strip_prefix(&out).unwrap().to_string_lossy().into_owned())
        .collect();
    for gone in ["SUMMARY", "drafts", "node_modules", "target", "wip"] {
        assert!(all.iter().all(|p| !p.contains(gone)), "{gone} in {all:?}");
    }
    assert!(
        html_files(&out)
            .iter()
            .all(|p| !fs::read_to_string(p).unwrap().contains("repository readme")),
        "the README outside docs/ is not a page"
    );
    assert_links_reach_files(&out);
}

#[test]
fn lenient_builds_a_site_despite_problems_and_check_still_fails() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("notes");
    copy_tree(&fixture("gh-mdbook"), &root);
    let note = root.join("docs/chapter_2/sgd.md");
    fs::write(
        &note,
        "# SGD\n\nSee [gone](gone.md) and [kept](../README.md).\n\n![a plot](img/none.png)\n\n$\\frobnicate{x} < 1$\n",
    )
    .unwrap();
    let out = tmp.path().join("public");

    let errors = build_with(&root, &out, Lenient::AsConfigured)
        .map(|_| ())
        .unwrap_err();
    assert!(
        errors.iter().any(|d| d.is_error() && d.line == 3),
        "{:?}",
        messages(&errors)
    );
    assert!(!out.exists());

    let plan = build_with(&root, &out, Lenient::Yes).unwrap_or_else(|d| panic!("{:?}", messages(&d)));
    let warnings = messages(&plan.warnings);
    // Messages name the files as they are in the repository (under docs/ here).
    for (line, what) in [
        (3, "no page docs/chapter_2/gone.md"),
        (5, "no file docs/chapter_2/img/none.png"),
        (7, "unknown command `\\frobnicate`"),
    ] {
        assert!(
            plan.warnings
                .iter()
                .any(|d| d.file.ends_with("docs/chapter_2/sgd.md")
                    && d.line == line
                    && d.message.contains(what)),
            "{what} on line {line}: {warnings:?}"
        );
    }
    // What could not be made is marked on the page, and what could is left as it was.
    let page = read(&out, "chapter_2/sgd.html");
    assert!(
        page.contains(r#"See <span class="broken-link">gone</span> and <a href="../index.html">kept</a>"#),
        "{page}"
    );
    assert!(
        page.contains(r#"<span class="missing-image" role="img" aria-label="a plot">a plot</span>"#),
        "{page}"
    );
    assert!(
        page.contains(r#"<code class="math-error">\frobnicate{x} &lt; 1</code>"#),
        "{page}"
    );
    assert!(
        !page.contains("gone.html") && !page.contains("none.png"),
        "{page}"
    );
    let edition = read(&out, "print.html");
    assert!(edition.contains(r#"<span class="broken-link">gone</span>"#) && !edition.contains("gone.html"));

    fs::write(root.join("site.toml"), "lenient = true\n").unwrap();
    assert!(
        build_with(&root, &out, Lenient::AsConfigured).is_ok(),
        "lenient from site.toml"
    );
    let strict = plan_with(&root, &mut Default::default(), Lenient::No)
        .map(|_| ())
        .unwrap_err();
    assert!(strict.iter().any(Diagnostic::is_error), "check stays strict");
}

fn figmark(args: &[&str], dir: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_figmark"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

#[test]
fn init_then_build_then_check() {
    let tmp = tempfile::tempdir().unwrap();
    let init = figmark(&["init", "site"], tmp.path());
    assert!(init.status.success(), "{}", String::from_utf8_lossy(&init.stderr));
    let site = tmp.path().join("site");
    for file in [
        "site.toml",
        "content/_index.md",
        ".gitignore",
        ".github/workflows/pages.yml",
    ] {
        assert!(site.join(file).is_file(), "{file}");
    }
    for args in [&["build"][..], &["check"]] {
        let run = figmark(args, &site);
        assert!(
            run.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&run.stderr)
        );
        assert!(
            run.stderr.is_empty(),
            "{args:?} is clean: {}",
            String::from_utf8_lossy(&run.stderr)
        );
    }
    let note = read(&site.join("public"), "notes/first-note.html");
    assert!(note.contains("<svg"), "the figure is drawn");
    assert!(
        note.contains("<math display=\"block\">"),
        "the formula is rendered"
    );
    assert!(
        has_href(&note, "index.html"),
        "the cross-link reaches the folder's page"
    );

    let again = figmark(&["init", "site"], tmp.path());
    assert!(!again.status.success(), "init refuses to overwrite");
    assert!(String::from_utf8_lossy(&again.stderr).contains("site.toml"));

    // Check exits 1 on a problem, lenient or not.
    fs::write(site.join("content/notes/bad.md"), "[x](nowhere.md)\n").unwrap();
    fs::write(site.join("site.toml"), "lenient = true\n").unwrap();
    assert!(figmark(&["build"], &site).status.success());
    assert_eq!(figmark(&["check"], &site).status.code(), Some(1));
}
