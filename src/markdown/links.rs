//! Link rewriting: contributors write relative `.md` links that work in GitHub's preview; each
//! output gets the matching href from its [`Address`]. Each link is recorded with its place in the
//! source so the cross-link stage can check it later without re-reading the file.

use std::ops::Range;

use pulldown_cmark::{CowStr, Event, Tag};

use super::address::PageCx;
use super::target::{Target, is_safe_url};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The destination as written.
    pub dest: String,
    pub target: Target,
    /// The URL written for it on the site page, and in the print edition.
    pub href: String,
    pub edition_href: String,
    pub is_image: bool,
    /// Byte offset of the link in the page source.
    pub offset: usize,
    /// The sentence the link sits in, for backlinks; filled by the text step.
    pub sentence: String,
}

/// Rewrites markdown links and images for `cx`'s output, recording each one.
pub fn rewrite<'a>(
    events: impl Iterator<Item = (Event<'a>, Range<usize>)>,
    cx: &PageCx,
    links: &mut Vec<Link>,
) -> impl Iterator<Item = (Event<'a>, Range<usize>)> {
    events.map(move |(event, range)| {
        let mut record = |dest, is_image| record(links, cx, dest, is_image, cx.body_start + range.start);
        let event = match event {
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let dest_url = record(dest_url, false);
                Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                })
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let dest_url = record(dest_url, true);
                Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                })
            }
            other => other,
        };
        (event, range)
    })
}

fn record<'a>(
    links: &mut Vec<Link>,
    cx: &PageCx,
    dest: CowStr<'a>,
    is_image: bool,
    offset: usize,
) -> CowStr<'a> {
    let target = cx.resolve(&dest);
    let mut new = cx.href(&dest, &target);
    if !is_safe_url(&new, is_image) {
        // Made inert here, not by the sanitizer: pages without raw HTML are not sanitized.
        new.clear();
    }
    links.push(Link {
        dest: dest.to_string(),
        target,
        href: new.clone(),
        edition_href: String::new(),
        is_image,
        offset,
        sentence: String::new(),
    });
    CowStr::from(new)
}
