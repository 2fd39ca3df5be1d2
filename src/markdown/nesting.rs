//! Nesting bounds: elements nested too deep (markdown's and raw HTML's together) end the page
//! with an error, before any later step's work can grow with the depth.

use std::ops::Range;

use pulldown_cmark::Event;

use crate::diagnostics::Diagnostic;

/// Elements nested deeper than this (markdown's and raw HTML's together) are an error. An HTML
/// parser's work per element grows with the depth (html5ever, under the sanitizer, looks through
/// the stack of open elements at each tag), so 20,000 nested `<div>`s took 100 s in a debug
/// build.
pub const MAX_NESTING: usize = 256;
/// The sum of every element's depth, which is what that parser's work grows with: 20,000
/// elements 250 deep on average (5,000,000) took 5 s in a debug build. Real notes stay below
/// 100,000.
pub const MAX_NESTING_WORK: usize = 200_000;

/// HTML elements that never hold others.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track",
    "wbr",
];

/// Passes events on until markdown blocks, inline elements and raw HTML elements nest deeper than
/// [`MAX_NESTING`], or their depths add up to more than [`MAX_NESTING_WORK`]; there it reports
/// the line and ends the page, so no later stage sees the rest. Raw HTML is counted as written:
/// an end tag closes the innermost element of its name.
pub fn check<'a, 'l>(
    events: impl Iterator<Item = (Event<'a>, Range<usize>)> + 'l,
    file: &'l str,
    line_of: impl Fn(usize) -> usize + 'l,
    diagnostics: &'l mut Vec<Diagnostic>,
) -> impl Iterator<Item = (Event<'a>, Range<usize>)> + 'l {
    let mut markdown = 0usize;
    let mut html: Vec<String> = Vec::new();
    let mut work = 0usize;
    events.map_while(move |(event, range)| {
        let too_deep = match &event {
            Event::Start(_) => {
                markdown += 1;
                work += markdown + html.len();
                markdown + html.len() > MAX_NESTING
            }
            Event::End(_) => {
                markdown = markdown.saturating_sub(1);
                false
            }
            Event::Html(text) | Event::InlineHtml(text) => {
                let room = MAX_NESTING.saturating_sub(markdown);
                !raw_tags(text, &mut html, room, |depth| work += markdown + depth)
            }
            _ => false,
        };
        let message = if too_deep {
            format!(
                "elements nested over {MAX_NESTING} deep, over the nesting limit (lists, quotes \
                 and raw HTML together)"
            )
        } else if work > MAX_NESTING_WORK {
            format!(
                "elements nested too deep too often: their depths add up to over \
                 {MAX_NESTING_WORK}, the limit of nesting work per note"
            )
        } else {
            return Some((event, range));
        };
        diagnostics.push(Diagnostic::error(file, line_of(range.start), 0, message));
        None
    })
}

/// Follows the start and end tags of a piece of raw HTML on the stack of open elements, telling
/// `opened` the stack's depth after each start tag; `false` as soon as the stack would hold more
/// than `room` elements.
fn raw_tags(text: &str, open: &mut Vec<String>, room: usize, mut opened: impl FnMut(usize)) -> bool {
    let mut rest = text;
    while let Some(at) = rest.find('<') {
        rest = &rest[at + 1..];
        if let Some(comment) = rest.strip_prefix("!--") {
            rest = comment.split_once("-->").map_or("", |(_, after)| after);
            continue;
        }
        let (closing, tag) = match rest.strip_prefix('/') {
            Some(tag) => (true, tag),
            None => (false, rest),
        };
        let len = tag
            .find(|c: char| !c.is_ascii_alphanumeric() && c != '-')
            .unwrap_or(tag.len());
        if len == 0 || !tag.starts_with(|c: char| c.is_ascii_alphabetic()) {
            continue;
        }
        let name = tag[..len].to_ascii_lowercase();
        let end = tag.find('>').unwrap_or(tag.len());
        rest = &tag[end..];
        if closing {
            // The stack never holds more than the limit, so this search is bounded.
            if let Some(i) = open.iter().rposition(|n| *n == name) {
                open.truncate(i);
            }
        } else if !VOID.contains(&name.as_str()) && !tag[..end].ends_with('/') {
            if open.len() >= room {
                return false;
            }
            open.push(name);
            opened(open.len());
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_html_is_followed_tag_by_tag() {
        let mut open = Vec::new();
        let html = "<div class=\"a>b\"><p>x<br><img src=x/><!-- <span> --><Em>";
        let mut depths = Vec::new();
        assert!(raw_tags(html, &mut open, 3, |d| depths.push(d)));
        assert_eq!(open, ["div", "p", "em"]);
        assert_eq!(depths, [1, 2, 3]);
        assert!(raw_tags("</span></P> a < b <3 </div>", &mut open, 3, drop));
        assert!(open.is_empty(), "{open:?}");
        assert!(!raw_tags("<a><b><i></i></b></a>", &mut open, 2, drop));
    }
}
