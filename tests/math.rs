//! Math as GitHub shows it: the formula corpus (`tests/fixtures/math-corpus/`: every formula of two
//! public notes repositories and the command lists MathJax and KaTeX document) renders to MathML
//! without an error, each construct the issue names renders as what it means, and a mistake is a
//! diagnostic naming the command, the line and the column.

mod common;

use std::fs;
use std::time::{Duration, Instant};

use figmark::diagnostics::Diagnostic;

/// Builds a one-page site holding `body`; its page's HTML, or every diagnostic.
fn build_page(body: &str) -> Result<String, Vec<Diagnostic>> {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("site");
    fs::create_dir_all(root.join("content")).unwrap();
    fs::write(root.join("site.toml"), "title = \"t\"\n").unwrap();
    fs::write(
        root.join("content/_index.md"),
        format!("---\ntitle: t\n---\n{body}"),
    )
    .unwrap();
    let out = tmp.path().join("public");
    figmark::build::build(&root, &out)?;
    Ok(common::read(&out, "index.html"))
}

fn mathml(body: &str) -> String {
    let html = build_page(body).unwrap_or_else(|d| panic!("{body}: {d:?}"));
    assert!(!html.contains("<merror"), "{body}: {html}");
    html
}

#[test]
fn the_corpus_renders_without_an_error() {
    let (_tmp, out) = common::build(&common::fixture("math-corpus"));
    for (page, at_least) in [
        ("dl500.html", 1382),
        ("pumpkin-book.html", 2956),
        ("commands.html", 84),
    ] {
        let html = common::read(&out, page);
        assert!(!html.contains("<merror"), "{page} holds an <merror>");
        let formulas = html.matches("<math").count();
        assert!(
            formulas >= at_least,
            "{page}: {formulas} formulas, expected {at_least}"
        );
    }
}

/// Each construct of the issue, with a piece of the MathML that shows it was understood.
const CONSTRUCTS: &[(&str, &str)] = &[
    (r"$$\begin{align} a &= b \\ c &= d \end{align}$$", "<mtable"),
    (r"$$\begin{align*} a &= b \\ c &= d \end{align*}$$", "<mtable"),
    (r"$$\begin{aligned} a &= b \\ c &= d \end{aligned}$$", "<mtable"),
    (r"$$\begin{gather} a \\ b \end{gather}$$", "<mtable"),
    (r"$$\begin{gather*} a \\ b \end{gather*}$$", "<mtable"),
    (r"$$\begin{multline} a + b \\ + c \end{multline}$$", "<mtable"),
    (
        r"$$\begin{equation}\begin{split} a &= b \\ &= c \end{split}\end{equation}$$",
        "<mtable",
    ),
    (
        r"$$\begin{eqnarray} a &=& b \\ c &=& d \end{eqnarray}$$",
        "<mtable",
    ),
    (r"$$\begin{eqnarray*} a &=& b \end{eqnarray*}$$", "<mtable"),
    (
        r"$$f = \begin{cases} 1, & x > 0 \\ 0, & x \le 0 \end{cases}$$",
        "<mtable",
    ),
    (r"$$\begin{array}{} a & b \\ c & d \end{array}$$", "<mtable"),
    (r"$$\begin{array}{c|c} a & b \end{array}$$", "<mtable"),
    (
        r"$\begin{pmatrix} a \end{pmatrix}\begin{bmatrix} a \end{bmatrix}\begin{vmatrix} a \end{vmatrix}$",
        "<mtable",
    ),
    (
        r"$\begin{Bmatrix} a \end{Bmatrix}\begin{Vmatrix} a \end{Vmatrix}\begin{matrix} a \end{matrix}$",
        "<mtable",
    ),
    (r"$\begin{smallmatrix} a & b \end{smallmatrix}$", "<mtable"),
    (r"$\sum_{\begin{subarray}{c} i \\ j \end{subarray}} x$", "<mtable"),
    (r"$$a \\ b$$", "<mtable"),
    (r"$$E = mc^2 \tag{1.2}$$", "(1.2)"),
    (r"$${a \over b}$$", "<mfrac>"),
    (r"${a \atop b}$", "linethickness=\"0\""),
    (r"${n \choose k}$", "linethickness=\"0\""),
    (r"$\boldsymbol{x}$", "\u{1d499}"),
    (r"$\bm{x}$", "\u{1d499}"),
    (r"$\operatorname{argmax}_x$", ">argmax<"),
    (r"$\mathop{\arg\max}\limits_x f$", "<munder"),
    (r"$\sum\limits_{i=1}^n x$", "<munderover"),
    (r"$\sum\nolimits_i x$", "<msub"),
    (r"$\text{如果} \mbox{else} \textbf{粗}$", "<mtext>如果</mtext>"),
    (r"$\color{red}{x}$", "color:#FF0000"),
    (r"$\overset{a}{=} \underset{b}{=} \stackrel{c}{=}$", "<mover"),
    (r"$\xrightarrow{f}$", "\u{2192}"),
    (r"$\cancel{x}$", "updiagonalstrike"),
    (r"$\textcircled{1}$", "\u{2460}"),
    (
        r"$\geqslant \leqslant \because \therefore \varnothing \checkmark \circledast$",
        "\u{2a7e}",
    ),
    (r"$\newcommand{\R}{\mathbb{R}} x \in \R$", "\u{211d}"),
    (r"$\def\sq#1{#1^2} \sq{y}$", "<msup>"),
    (r"$`x^2`$", "<msup>"),
    ("```math\n\\sqrt{x}\n```\n", "<msqrt>"),
];

#[test]
fn every_construct_of_the_issue_renders() {
    for (tex, shows) in CONSTRUCTS {
        let html = mathml(tex);
        let math = &html[html.find("<math").unwrap_or(0)..];
        assert!(html.contains(shows), "{tex} does not show {shows}: {html}");
        assert!(
            !math[..math.find("</math>").unwrap_or(0)].contains('\u{2018}'),
            "{tex}: {html}"
        );
    }
}

#[test]
fn eqref_links_to_its_labelled_equation_even_before_it() {
    let html = mathml("如 $\\eqref{loss}$ 所示。\n\n$$L = -\\log p \\tag{2.1} \\label{loss}$$\n");
    assert!(html.contains("<a href=\"#eq-loss\">(2.1)</a>"), "{html}");
    assert_eq!(common::ids(&html).iter().filter(|id| *id == "eq-loss").count(), 1);
}

#[test]
fn unknown_command_names_command_file_line_and_column() {
    let d = build_page("文字\n\n公式 $a + \\frobnicate{b}$\n").unwrap_err();
    let text: Vec<String> = d.iter().map(ToString::to_string).collect();
    assert_eq!(d.len(), 1, "{text:?}");
    assert!(
        text[0].starts_with("error: content/_index.md:6:9: math: unknown command `\\frobnicate`"),
        "{text:?}"
    );
}

#[test]
fn deep_nesting_fails_fast_with_its_line() {
    for braces in [20_000, 50_000] {
        let start = Instant::now();
        let body = format!("x\n\n$${}x{}$$\n", "{".repeat(braces), "}".repeat(braces));
        let d = build_page(&body).unwrap_err();
        let elapsed = start.elapsed();
        assert!(
            elapsed < Duration::from_secs(2),
            "{braces} braces took {elapsed:?}"
        );
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].line, 6);
        assert!(d[0].message.contains("deeper than 256"), "{d:?}");
    }
}

#[test]
fn equation_links_work_in_the_print_edition_too() {
    let (_tmp, out) = common::build(&common::fixture("math-corpus"));
    // The corpus's edition passes 2 MB, so it is split into volumes (`src/print.rs`): a link may
    // point into another volume, `print-index-2.html#…`.
    let editions: Vec<String> = fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with("print") && name.ends_with(".html"))
        .map(|name| common::read(&out, &name))
        .collect();
    let ids: Vec<String> = editions.iter().flat_map(|e| common::ids(e)).collect();
    let hrefs: Vec<String> = editions
        .iter()
        .flat_map(|e| common::attr_values(e, "href"))
        .filter(|h| h.contains(":eq-"))
        .collect();
    assert!(hrefs.len() >= 2, "{hrefs:?}");
    for href in hrefs {
        let target = href.split_once('#').map_or("", |(_, id)| id);
        assert!(ids.iter().any(|id| id == target), "{href} has no target");
    }
}
