//! Footnote ids: pulldown-cmark uses a footnote's label as its id, so the output's address
//! names it (in the print edition, labels of different pages would collide).

use std::ops::Range;

use pulldown_cmark::{CowStr, Event, Tag};

use super::address::PageCx;

pub fn assign_ids<'a>(
    events: impl Iterator<Item = (Event<'a>, Range<usize>)>,
    cx: &PageCx,
) -> impl Iterator<Item = (Event<'a>, Range<usize>)> {
    let id = |label: CowStr<'a>| match cx.id(&label) {
        std::borrow::Cow::Borrowed(_) => label,
        std::borrow::Cow::Owned(id) => CowStr::from(id),
    };
    events.map(move |(event, range)| {
        let event = match event {
            Event::FootnoteReference(label) => Event::FootnoteReference(id(label)),
            Event::Start(Tag::FootnoteDefinition(label)) => Event::Start(Tag::FootnoteDefinition(id(label))),
            other => other,
        };
        (event, range)
    })
}
