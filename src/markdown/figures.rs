//! Figure blocks: a fenced block whose info string is `figure` holds a YAML spec. It is found in
//! the event stream (the source is never rewritten) and replaced by the drawn `<figure>`.

use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, Tag};
use pulldown_cmark_escape::escape_html;

use crate::diagnostics::Diagnostic;
use crate::figures;

pub const INFO_STRING: &str = "figure";

pub fn render<'a>(
    mut events: impl Iterator<Item = (Event<'a>, Range<usize>)>,
    file: &str,
    line_of: impl Fn(usize) -> usize,
    count: &mut usize,
    diagnostics: &mut Vec<Diagnostic>,
) -> impl Iterator<Item = (Event<'a>, Range<usize>)> {
    std::iter::from_fn(move || {
        let (event, range) = events.next()?;
        let is_figure = matches!(&event, Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info)))
            if info.split_whitespace().next() == Some(INFO_STRING));
        if !is_figure {
            return Some((event, range));
        }
        let (spec, end) = super::highlight::block_text(&mut events, range.end);
        // The spec starts on the line after the opening fence.
        let spec_line = line_of(range.start) + 1;
        let html = match figures::render(&spec) {
            Ok(fig) => {
                *count += 1;
                let mut caption = String::new();
                escape_html(&mut caption, &fig.caption).ok();
                format!(
                    "<figure class=\"figure\">\n{}\n<figcaption>{caption}</figcaption>\n</figure>\n",
                    fig.svg
                )
            }
            Err(e) => {
                let mut message = String::from("figure: ");
                if let Some(field) = &e.field {
                    message.push_str(&format!("field `{field}`: "));
                }
                message.push_str(&e.message);
                diagnostics.push(Diagnostic::error(file, spec_line + e.line, 0, message));
                String::new()
            }
        };
        Some((Event::Html(CowStr::from(html)), range.start..end))
    })
}
