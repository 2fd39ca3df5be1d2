//! Math: `$…$` and `$$…$$` from pulldown-cmark's math events become MathML at build time with
//! pulldown-latex, so pages need no JavaScript; `math.css` and its font typeset the MathML.

use std::error::Error;
use std::ops::Range;

use pulldown_cmark::{CowStr, Event};
use pulldown_latex::config::DisplayMode;
use pulldown_latex::{Parser, RenderConfig, Storage, push_mathml};

use crate::diagnostics::Diagnostic;

/// Replaces every math event by its MathML. A LaTeX error is a diagnostic on the line where the
/// formula starts (pulldown-latex does not say where inside the formula it failed).
pub fn render<'a>(
    events: impl Iterator<Item = (Event<'a>, Range<usize>)>,
    file: &str,
    line_of: impl Fn(usize) -> usize,
    diagnostics: &mut Vec<Diagnostic>,
) -> impl Iterator<Item = (Event<'a>, Range<usize>)> {
    events.map(move |(event, range)| {
        let (tex, display) = match &event {
            Event::InlineMath(t) => (t, false),
            Event::DisplayMath(t) => (t, true),
            _ => return (event, range),
        };
        let html = match to_mathml(tex, display) {
            Ok(html) => html,
            Err(message) => {
                diagnostics.push(
                    Diagnostic::error(file, line_of(range.start), 0, format!("math: {message}"))
                        .with_hint(format!("in `{}`", tex.trim())),
                );
                String::new()
            }
        };
        // Display math is its own block in the source, but pulldown-cmark emits it inside a
        // paragraph, so it stays inline HTML; `display="block"` makes it a block when shown.
        (Event::InlineHtml(CowStr::from(html)), range)
    })
}

/// The MathML for one formula, or the first LaTeX error's message.
pub fn to_mathml(tex: &str, display: bool) -> Result<String, String> {
    let storage = Storage::new();
    let mut first_error = None;
    // pulldown-latex writes a parse error into the MathML as `<merror>` and still returns
    // `Ok`, so the errors are caught on their way from the parser to the writer.
    let parser = Parser::new(tex, &storage).inspect(|event| {
        if let Err(e) = event
            && first_error.is_none()
        {
            first_error = Some(e.source().map_or_else(|| e.to_string(), |kind| kind.to_string()));
        }
    });
    let config = RenderConfig {
        display_mode: if display {
            DisplayMode::Block
        } else {
            DisplayMode::Inline
        },
        ..RenderConfig::default()
    };
    let mut mathml = String::new();
    push_mathml(&mut mathml, parser, config).map_err(|e| e.to_string())?;
    match first_error {
        Some(message) => Err(message),
        None => Ok(fix_output(&mathml)),
    }
}

/// Two slips of pulldown-latex 0.8's writer. It writes `\mu` as U+00B5 MICRO SIGN, a unit prefix
/// that a math font need not draw like the Greek letter U+03BC. And it writes the operator `<`
/// unescaped (`<mo><</mo>`), which browsers recover from but is not valid HTML; a `<` right
/// before a closing tag can only be such a character, since no tag ends in `<`.
fn fix_output(mathml: &str) -> String {
    mathml.replace('\u{b5}', "\u{3bc}").replace("<</", "&lt;</")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::LineIndex;

    #[test]
    fn fraction_is_mfrac() {
        let html = to_mathml(r"\frac{a}{b}", false).unwrap();
        assert!(html.starts_with("<math"), "{html}");
        assert!(html.contains("<mfrac>"), "{html}");
        assert!(!html.contains("display=\"block\""), "{html}");
    }

    #[test]
    fn display_math_is_a_block() {
        let html = to_mathml("x^2", true).unwrap();
        assert!(html.starts_with("<math display=\"block\""), "{html}");
    }

    #[test]
    fn cases_is_a_table_with_a_stretchy_brace() {
        let html = to_mathml(r"f(x) = \begin{cases} 1, & x > 0 \\ 0, & x < 0 \end{cases}", true).unwrap();
        assert!(html.contains("<mtable"), "{html}");
        assert_eq!(html.matches("<mtr").count(), 2, "{html}");
        assert!(html.contains("stretchy=\"true\"") && html.contains('{'), "{html}");
    }

    #[test]
    fn mu_is_the_greek_letter() {
        let html = to_mathml(r"\mu v", false).unwrap();
        assert!(html.contains("<mi>\u{3bc}</mi>"), "{html}");
        assert!(!html.contains('\u{b5}'), "{html}");
    }

    #[test]
    fn less_than_is_escaped() {
        let html = to_mathml(r"x < y \lt z", false).unwrap();
        assert!(!html.contains("<<"), "{html}");
        assert_eq!(html.matches("<mo>&lt;</mo>").count(), 2, "{html}");
    }

    #[test]
    fn error_is_reported_on_the_formula_line() {
        let source = "第一行\n\n$$\nx = \\frac{1}\n$$\n\n正常 $x$\n";
        let index = LineIndex::new(source);
        let mut diagnostics = Vec::new();
        let events = pulldown_cmark::Parser::new_ext(source, super::super::options()).into_offset_iter();
        let html: String = render(events, "content/a.md", |o| index.line_col(o).0, &mut diagnostics)
            .filter_map(|(e, _)| match e {
                Event::InlineHtml(h) => Some(h.to_string()),
                _ => None,
            })
            .collect();
        assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
        let d = &diagnostics[0];
        assert_eq!((d.file.to_str(), d.line), (Some("content/a.md"), 3));
        assert!(d.is_error() && d.message.starts_with("math: "), "{d:?}");
        assert!(!html.contains("merror"), "{html}");
    }
}
