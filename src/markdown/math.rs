//! Math: `$…$`, `$$…$$`, GitHub's `` $`…`$ `` and ```` ```math ```` blocks become MathML at build
//! time, so pages need no JavaScript; `math.css` and its font typeset the MathML.
//!
//! The engine is math-core (MathML Core, maintained) behind a small pre-pass (`tex.rs`). Measured
//! on 4,340 formulas from two public Chinese ML notes repositories, pulldown-latex 0.8 (what we
//! had) accepted 98.4% at 16 µs a formula; math-core alone 98.5% at 13 µs; latex2mathml 91.2%.
//! math-core was chosen because it already has what pulldown-latex lacks and a fork would have to
//! add: `\tag`, `\label`/`\eqref` with links (forward references too), `\over`/`\atop`/`\choose`,
//! `\bm`, macros given by the caller, and errors with a byte range, which is how a diagnostic names
//! the column. The pre-pass adds the rest of what MathJax and KaTeX accept (`\newcommand` and `\def`
//! kept for the page, `\textcircled`, `\mbox`, `\mathop{…}\limits`, `eqnarray`, `split`, `array{}`,
//! a `\tag` outside any environment) and bounds the nesting depth before math-core recurses.

mod tex;

use std::collections::HashMap;
use std::ops::Range;

use math_core::{LatexToMathML, MathCoreConfig, MathDisplay};
use pulldown_cmark::{CowStr, Event};

use super::address::PageCx;
use crate::diagnostics::Diagnostic;
#[cfg(test)]
use tex::MAX_DEPTH;
pub use tex::Macro;

/// Commands MathJax or KaTeX know and math-core does not, as macros math-core expands. A box,
/// a smash and the text sizes have no MathML Core form, so they keep only their content.
const BUILTIN_MACROS: &[(&str, &str)] = &[
    ("textcolor", r"{\color{#1}{#2}}"),
    ("widetilde", r"\tilde{#1}"),
    ("widecheck", r"\check{#1}"),
    ("substack", r"\begin{subarray}{c}#1\end{subarray}"),
    ("boxed", "{#1}"),
    ("smash", "{#1}"),
    ("tiny", ""),
    ("scriptsize", ""),
    ("footnotesize", ""),
    ("small", ""),
    ("normalsize", ""),
    ("large", ""),
    ("Large", ""),
    ("LARGE", ""),
    ("huge", ""),
    ("Huge", ""),
];

/// ```` ```math ```` blocks, GitHub's fenced form of display math, become display math events.
pub fn fenced<'a>(
    events: impl Iterator<Item = (Event<'a>, Range<usize>)>,
) -> impl Iterator<Item = (Event<'a>, Range<usize>)> {
    super::fences::replace(events, "math", |tex, _| {
        vec![Event::DisplayMath(CowStr::from(tex))]
    })
}

/// Every formula of a page as MathML, by the start of its event's source range. Made once per
/// page from the whole event list, so an `\eqref` may point at a later equation and a macro a
/// formula defines holds in every formula of the page.
#[derive(Debug, Default)]
pub struct Formulas {
    mathml: HashMap<usize, String>,
}

struct Pending<'e> {
    start: usize,
    formula: &'e str,
    display: bool,
    rewritten: tex::Rewritten,
    /// Where the formula's text starts in the body.
    origin: usize,
}

impl Formulas {
    /// Converts every math event; an error is a diagnostic at its line and column, and the
    /// formula shows its TeX in a marked box (seen only when the site is lenient: otherwise the
    /// error stops the build). `site_macros` come from `site.toml`; `line_col` maps a body
    /// offset to the file's line and column.
    pub fn prepare(
        events: &[(Event, Range<usize>)],
        body: &str,
        site_macros: &[Macro],
        file: &str,
        line_col: &dyn Fn(usize) -> (usize, usize),
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Self {
        let mut macros: Vec<Macro> = BUILTIN_MACROS
            .iter()
            .map(|&(name, body)| (name.to_string(), body.to_string()))
            .chain(site_macros.iter().cloned())
            .collect();
        let mut pending = Vec::new();
        let mut failed = Vec::new();
        let error = |origin: usize, offset: usize, message: String, formula: &str| {
            let (line, col) = line_col(origin + offset);
            Diagnostic::error(file, line, col, format!("math: {message}"))
                .with_hint(format!("in `{}`", formula.trim()))
        };
        for (event, range) in events {
            let (text, display) = match event {
                Event::InlineMath(t) => (t, false),
                Event::DisplayMath(t) => (t, true),
                _ => continue,
            };
            let mut origin = body
                .get(range.clone())
                .and_then(|source| source.find(text.as_ref()))
                .map_or(range.start, |at| range.start + at);
            let mut formula = text.as_ref();
            // GitHub's `` $`…`$ ``: pulldown-cmark reads it as math whose text keeps the backticks.
            if !display && formula.len() >= 2 && formula.starts_with('`') && formula.ends_with('`') {
                formula = &formula[1..formula.len() - 1];
                origin += 1;
            }
            match tex::rewrite(formula, display, &mut macros) {
                Ok(rewritten) => pending.push(Pending {
                    start: range.start,
                    formula,
                    display,
                    rewritten,
                    origin,
                }),
                Err(e) => {
                    diagnostics.push(error(origin, e.offset, e.message, formula));
                    failed.push((range.start, formula, display));
                }
            }
        }
        let mut mathml: HashMap<usize, String> = failed
            .into_iter()
            .map(|(start, formula, display)| (start, tex_box(formula, display)))
            .collect();
        if pending.is_empty() {
            return Self { mathml };
        }
        let names: Vec<String> = macros.iter().map(|(name, _)| name.clone()).collect();
        let converter = match LatexToMathML::new(MathCoreConfig {
            macros,
            ..MathCoreConfig::default()
        }) {
            Ok(converter) => converter,
            Err((e, index, definition)) => {
                let message = format!("math: macro `\\{}`: {}", names[index], e.error_message());
                // A site macro is the site's mistake, reported once however many pages use math.
                let site = (BUILTIN_MACROS.len()..BUILTIN_MACROS.len() + site_macros.len()).contains(&index);
                let file = if site { crate::config::FILE_NAME } else { file };
                diagnostics.push(Diagnostic::error(file, 0, 0, message).with_hint(definition));
                mathml.extend(pending.iter().map(|p| (p.start, tex_box(p.formula, p.display))));
                return Self { mathml };
            }
        };
        let snippets: Vec<(&str, MathDisplay)> = pending
            .iter()
            .map(|p| {
                let display = if p.display {
                    MathDisplay::Block
                } else {
                    MathDisplay::Inline
                };
                (p.rewritten.tex.as_str(), display)
            })
            .collect();
        for (p, result) in pending.iter().zip(converter.convert_all(&snippets)) {
            match result {
                Ok(result) => {
                    mathml.insert(p.start, result.mathml);
                }
                Err(e) => {
                    let offset = p.rewritten.source_offset(e.0.start);
                    let formula = body.get(p.origin..).unwrap_or_default();
                    let message = message(&e.error_message(), formula.get(offset..).unwrap_or_default());
                    diagnostics.push(error(p.origin, offset, message, p.formula));
                    mathml.insert(p.start, tex_box(p.formula, p.display));
                }
            }
        }
        Self { mathml }
    }
}

/// A formula that cannot render, as its TeX in a marked box, so a lenient site still shows what
/// the author wrote.
fn tex_box(formula: &str, display: bool) -> String {
    let class = if display {
        "math-error display"
    } else {
        "math-error"
    };
    let mut tex = String::new();
    pulldown_cmark_escape::escape_html_body_text(&mut tex, formula.trim()).ok();
    format!(r#"<code class="{class}">{tex}</code>"#)
}

/// math-core's message, with the command named as the author wrote it.
fn message(engine: &str, at: &str) -> String {
    if engine.starts_with("Unknown command") {
        let name: String = at
            .chars()
            .take(1)
            .chain(at.chars().skip(1).take_while(char::is_ascii_alphabetic))
            .collect();
        return format!("unknown command `{name}`");
    }
    engine.trim_end_matches('.').replace('"', "`")
}

/// Replaces every math event by its MathML from `formulas`. Equation ids and the links to them
/// are named by the output's addressing like every other id (prefixed in the print edition).
pub fn render<'a>(
    events: impl Iterator<Item = (Event<'a>, Range<usize>)>,
    formulas: &Formulas,
    cx: &PageCx,
) -> impl Iterator<Item = (Event<'a>, Range<usize>)> {
    let id = cx.address.id(cx.rel, tex::LABEL_PREFIX).into_owned();
    events.map(move |(event, range)| {
        if !matches!(event, Event::InlineMath(_) | Event::DisplayMath(_)) {
            return (event, range);
        }
        let html = formulas.mathml.get(&range.start).map_or_else(String::new, |m| {
            if id == tex::LABEL_PREFIX {
                m.clone()
            } else {
                m.replace(" id=\"eq-", &format!(" id=\"{id}"))
                    .replace(" href=\"#eq-", &format!(" href=\"#{id}"))
            }
        });
        // Display math is its own block in the source, but pulldown-cmark emits it inside a
        // paragraph, so it stays inline HTML; `display="block"` makes it a block when shown.
        (Event::InlineHtml(CowStr::from(html)), range)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::LineIndex;

    /// The page's HTML for its math and the diagnostics.
    fn page(source: &str) -> (String, Vec<Diagnostic>) {
        with_site_macros(source, &[])
    }

    fn with_site_macros(source: &str, site_macros: &[Macro]) -> (String, Vec<Diagnostic>) {
        let index = LineIndex::new(source);
        let mut diagnostics = Vec::new();
        let events: Vec<_> = fenced(
            pulldown_cmark::Parser::new_ext(source, crate::content::markdown_options()).into_offset_iter(),
        )
        .collect();
        let formulas = Formulas::prepare(
            &events,
            source,
            site_macros,
            "content/a.md",
            &|o| index.line_col(o),
            &mut diagnostics,
        );
        let sections = Default::default();
        let cx = PageCx {
            rel: "a.md",
            body_start: 0,
            section_dirs: &sections,
            address: &super::super::address::OnSite,
            anchor_label: "",
        };
        let html = render(events.into_iter(), &formulas, &cx)
            .filter_map(|(e, _)| match e {
                Event::InlineHtml(h) => Some(h.to_string()),
                _ => None,
            })
            .collect();
        (html, diagnostics)
    }

    fn ok(source: &str) -> String {
        let (html, diagnostics) = page(source);
        assert!(diagnostics.is_empty(), "{source}: {diagnostics:?}");
        assert!(!html.contains("merror"), "{html}");
        html
    }

    #[test]
    fn inline_and_display() {
        let html = ok(r"$\frac{a}{b}$");
        assert!(html.starts_with("<math>") && html.contains("<mfrac>"), "{html}");
        assert!(ok("$$x^2$$").starts_with("<math display=\"block\""));
    }

    #[test]
    fn github_forms() {
        let html = ok("a $`x^2`$ b");
        assert!(html.contains("<msup>") && !html.contains('\u{2018}'), "{html}");
        let html = ok("```math\n\\sqrt{x}\n```\n");
        assert!(
            html.starts_with("<math display=\"block\"") && html.contains("<msqrt>"),
            "{html}"
        );
    }

    #[test]
    fn tag_and_eqref_link_to_the_equation() {
        let html = ok("见 $\\eqref{loss}$。\n\n$$L = x^2 \\tag{3.1} \\label{loss}$$\n");
        assert!(html.contains("href=\"#eq-loss\">(3.1)</a>"), "{html}");
        assert!(html.contains("id=\"eq-loss\""), "{html}");
    }

    #[test]
    fn label_without_tag_is_numbered() {
        let html = ok("$$a \\label{a}$$\n\n$$b \\label{b}$$\n\n$\\eqref{b}$");
        assert!(html.contains(">(2)</a>"), "{html}");
    }

    #[test]
    fn page_macros_hold_in_every_formula() {
        let html = ok("$\\newcommand{\\R}{\\mathbb{R}}$ 与 $x \\in \\R$");
        assert!(html.contains('\u{211d}'), "{html}");
    }

    #[test]
    fn site_macros_hold_and_a_page_may_redefine_them() {
        let site = [("RR".to_string(), r"\mathbb{R}".to_string())];
        let (html, diagnostics) = with_site_macros("$x \\in \\RR$", &site);
        assert!(
            diagnostics.is_empty() && html.contains('\u{211d}'),
            "{html} {diagnostics:?}"
        );
        let (html, _) = with_site_macros("$\\renewcommand{\\RR}{Q}$ $\\RR$", &site);
        assert!(!html.contains('\u{211d}') && html.contains("Q"), "{html}");
    }

    #[test]
    fn a_bad_site_macro_is_the_site_files_error() {
        let site = [("bad".to_string(), r"\frobnicate".to_string())];
        let (_, diagnostics) = with_site_macros("$x$", &site);
        assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
        assert_eq!(
            diagnostics[0].file,
            std::path::Path::new(crate::config::FILE_NAME)
        );
        assert!(
            diagnostics[0].message.starts_with("math: macro `\\bad`"),
            "{diagnostics:?}"
        );
    }

    #[test]
    fn unknown_command_names_itself_and_its_column() {
        let (html, diagnostics) = page("第一行\n\n文字 $a + \\frobnicate{b}$\n");
        assert_eq!(html, r#"<code class="math-error">a + \frobnicate{b}</code>"#);
        assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
        let d = &diagnostics[0];
        assert_eq!((d.line, d.col), (3, 9), "{d:?}");
        assert_eq!(d.message, "math: unknown command `\\frobnicate`");
    }

    #[test]
    fn column_survives_the_pre_pass() {
        let (_, diagnostics) = page("$$\\mbox{a}\\textcircled{1} \\frobnicate$$");
        assert_eq!(diagnostics[0].col, 27, "{diagnostics:?}");
    }

    #[test]
    fn deep_nesting_is_an_error_on_its_line() {
        let deep = format!("x\n\n$${}x{}$$\n", "{".repeat(20_000), "}".repeat(20_000));
        let (html, diagnostics) = page(&deep);
        assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
        assert_eq!((diagnostics[0].line, diagnostics[0].col), (3, 3 + MAX_DEPTH));
        assert!(diagnostics[0].message.contains("256"), "{diagnostics:?}");
        assert!(
            html.starts_with(r#"<code class="math-error display">{{{"#),
            "{html}"
        );
    }

    #[test]
    fn mu_is_the_greek_letter_and_less_than_is_escaped() {
        let html = ok(r"$\mu < \lt$");
        assert!(html.contains('\u{3bc}') && !html.contains('\u{b5}'), "{html}");
        assert!(!html.contains("<<") && html.contains("&lt;"), "{html}");
    }
}
