//! Heading ids and anchors. Buffers one heading's events at a time (never the document) to
//! learn its text, gives it a GitHub-compatible id, and appends a visible anchor link.

use std::collections::VecDeque;
use std::ops::Range;

use pulldown_cmark::{CowStr, Event, HeadingLevel, Tag, TagEnd};
use pulldown_cmark_escape::{escape_href, escape_html};

use super::address::PageCx;
use super::slug::Slugger;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    pub level: u8,
    pub id: String,
    pub text: String,
    /// Byte offset in the page source.
    pub offset: usize,
}

pub fn assign_ids<'a>(
    mut events: impl Iterator<Item = (Event<'a>, Range<usize>)>,
    cx: &PageCx,
    headings: &mut Vec<Heading>,
) -> impl Iterator<Item = (Event<'a>, Range<usize>)> {
    let mut slugger = Slugger::default();
    let mut pending = VecDeque::new();
    std::iter::from_fn(move || {
        if let Some(ev) = pending.pop_front() {
            return Some(ev);
        }
        let (event, range) = events.next()?;
        let Event::Start(Tag::Heading {
            level,
            id,
            classes,
            attrs: _,
        }) = event
        else {
            return Some((event, range));
        };
        let mut inner = Vec::new();
        let mut text = String::new();
        let mut end = None;
        for (ev, r) in events.by_ref() {
            match &ev {
                Event::End(TagEnd::Heading(_)) => {
                    end = Some((ev, r));
                    break;
                }
                Event::Text(t) | Event::Code(t) | Event::InlineMath(t) => text.push_str(t),
                _ => {}
            }
            inner.push((ev, r));
        }
        let text = text.trim().to_string();
        let id = match id {
            Some(custom) => slugger.claim(custom.to_string()),
            None => slugger.unique(&text),
        };
        headings.push(Heading {
            level: level_number(level),
            id: id.clone(),
            text,
            offset: cx.body_start + range.start,
        });
        let id = cx.id(&id).into_owned();
        let mut anchor = String::new();
        escape_href(&mut anchor, &id).ok();
        let mut label = String::new();
        escape_html(&mut label, cx.anchor_label).ok();
        pending.extend(inner);
        pending.push_back((
            Event::InlineHtml(CowStr::from(format!(
                r##" <a class="anchor" href="#{anchor}" aria-label="{label}">#</a>"##
            ))),
            range.clone(),
        ));
        pending.extend(end);
        Some((
            Event::Start(Tag::Heading {
                level,
                id: Some(CowStr::from(id)),
                classes,
                // `{onclick=…}` would be written as is: only the id and classes are kept.
                attrs: Vec::new(),
            }),
            range,
        ))
    })
}

fn level_number(level: HeadingLevel) -> u8 {
    level as u8
}
