//! Figure blocks: a fenced block whose info string is `figure` holds a YAML spec. It is found in
//! the event stream (the source is never rewritten) and replaced by the drawn `<figure>`.

use std::ops::Range;

use pulldown_cmark::{CowStr, Event};

use crate::diagnostics::Diagnostic;
use crate::figures;

pub const INFO_STRING: &str = "figure";

pub fn render<'a>(
    events: impl Iterator<Item = (Event<'a>, Range<usize>)>,
    file: &str,
    line_of: impl Fn(usize) -> usize,
    lang: figures::Lang,
    count: &mut usize,
    diagnostics: &mut Vec<Diagnostic>,
) -> impl Iterator<Item = (Event<'a>, Range<usize>)> {
    // A figure is three events: the markup up to the caption, the caption as text (so that the
    // search index and the print edition see it like any other text), and the closing markup.
    super::fences::replace(events, INFO_STRING, move |spec, range| {
        // The spec starts on the line after the opening fence.
        let spec_line = line_of(range.start) + 1;
        match figures::render(&spec, lang) {
            Ok(fig) => {
                *count += 1;
                let open = format!("<figure class=\"figure\">\n{}\n<figcaption>", fig.svg);
                let mut made = vec![Event::Html(CowStr::from(open))];
                if !fig.caption.is_empty() {
                    made.push(Event::Text(fig.caption.into()));
                }
                made.push(Event::Html("</figcaption>\n</figure>\n".into()));
                made
            }
            Err(e) => {
                diagnostics.push(diagnostic(e, file, spec_line));
                vec![Event::Html(CowStr::from(""))]
            }
        }
    })
}

/// The figure error as a diagnostic at its line in the file; `spec_line` is where the spec starts.
fn diagnostic(e: figures::FigureError, file: &str, spec_line: usize) -> Diagnostic {
    let field = e.field.map(|f| format!("field `{f}`: ")).unwrap_or_default();
    let message = format!("figure: {field}{}", e.message);
    Diagnostic {
        hint: e.hint,
        ..Diagnostic::error(file, spec_line + e.line, 0, message)
    }
}

#[cfg(test)]
mod tests {
    use crate::content::Page;

    /// The caption is text like any other: escaped in the HTML, and in the text that search
    /// indexes, under the heading the figure sits in.
    #[test]
    fn captions_are_searchable_text() {
        let body = "## 感受野\n\n```figure\nkind: receptive-field\ncaption: 三层 3×3 <卷积> & \"堆叠\"\nlayers:\n  - {kernel: 3, name: a}\n  - {kernel: 3, name: b}\n  - {kernel: 3, name: c}\n```\n\n之后的段落。\n";
        let page = Page::parse("a.md", format!("---\ntitle: t\n---\n{body}")).expect("valid front matter");
        let rendered = crate::markdown::render(&page, &Default::default(), false, &[], &Default::default());
        assert!(rendered.diagnostics.is_empty(), "{:?}", rendered.diagnostics);
        assert!(
            rendered
                .html
                .contains("<figcaption>三层 3×3 &lt;卷积&gt; &amp; \"堆叠\"</figcaption>\n</figure>"),
            "{}",
            rendered.html
        );
        let under_heading = &rendered.blocks[1].text;
        assert!(
            under_heading.contains("三层 3×3 <卷积> & \"堆叠\"\n"),
            "{under_heading:?}"
        );
        assert!(under_heading.contains("之后的段落。"), "{under_heading:?}");
    }

    /// A bad spec is an error at its line in the file, with the "did you mean" as the hint.
    #[test]
    fn a_bad_spec_is_a_diagnostic_at_its_line_with_a_hint() {
        let body = "段落。\n\n```figure\ncaption: x\nkind: fuction\n```\n";
        let page = Page::parse("a.md", format!("---\ntitle: t\n---\n{body}")).expect("valid front matter");
        let rendered = crate::markdown::render(&page, &Default::default(), false, &[], &Default::default());
        let [d] = &rendered.diagnostics[..] else {
            panic!("{:?}", rendered.diagnostics)
        };
        assert_eq!(d.line, 8, "{d:?}");
        assert!(
            d.message
                .starts_with("figure: field `kind`: unknown kind `fuction`;"),
            "{}",
            d.message
        );
        assert_eq!(d.hint.as_deref(), Some("did you mean `function`?"));
    }
}
