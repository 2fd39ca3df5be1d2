//! Math: `$…$` and `$$…$$` from pulldown-cmark's math events.

use std::ops::Range;

use pulldown_cmark::{CowStr, Event};
use pulldown_cmark_escape::escape_html;

pub fn render<'a>(
    events: impl Iterator<Item = (Event<'a>, Range<usize>)>,
) -> impl Iterator<Item = (Event<'a>, Range<usize>)> {
    events.map(|(event, range)| {
        let (tex, display) = match &event {
            Event::InlineMath(t) => (t, false),
            Event::DisplayMath(t) => (t, true),
            _ => return (event, range),
        };
        let mut html = String::from(if display {
            "<span class=\"math display\">"
        } else {
            "<span class=\"math\">"
        });
        escape_html(&mut html, tex).ok();
        html.push_str("</span>");
        (Event::InlineHtml(CowStr::from(html)), range)
    })
}
