//! The print edition: `print.html` at the output root holds every page in reading order, so the
//! notes print (or save as one PDF) in one go and read offline as one file.
//!
//! The home and section pages are kept, as the edition's opening and as part openers: their text
//! introduces what follows, their lists of notes become an in-page table of contents, and a link
//! to a section (`../cnn/`) has somewhere to land in the edition.
//!
//! Each page is rendered again rather than reusing its HTML: the site's HTML has hrefs relative
//! to the page's own file and ids unique only within it, and rewriting them inside HTML would
//! mean parsing it. The markdown stage renders each page for both outputs, the edition's part
//! addressed by [`InEdition`](crate::markdown::address::InEdition): ids take the page's
//! [`prefix`], links to other pages point into the edition.

use std::sync::Arc;

use pulldown_cmark_escape::escape_html;

use crate::content::Site;
use crate::markdown::Rendered;

pub use crate::markdown::address::EDITION as OUTPUT;
use crate::markdown::address::prefix;

/// Where the layout of `print.html` is given the edition's body: a comment, which no escaped
/// text from a template can hold.
pub const BODY_MARK: &str = "<!--figmark:print-body-->";

/// The edition: its `layout` (the `print.html` template's output) with the body in place of
/// [`BODY_MARK`], as parts to be written one after the other. The body holds every page in
/// reading order, each a `<section>` whose id is its prefix, from the edition renderings made
/// beside the pages' own (see [`markdown::render`]), shared rather than copied.
pub fn fill(layout: &str, site: &Site, rendered: &[Arc<Rendered>]) -> Vec<Arc<str>> {
    let Some((before, after)) = layout.split_once(BODY_MARK) else {
        return vec![layout.into()];
    };
    let end: Arc<str> = "</section>\n".into();
    let mut parts = Vec::with_capacity(3 * site.reading_order.len() + 2);
    parts.push(before.into());
    for &i in &site.reading_order {
        let page = &site.pages[i];
        let (mut title, mut id) = (String::new(), String::new());
        escape_html(&mut title, &page.meta.title).ok();
        escape_html(&mut id, &prefix(&page.rel)).ok();
        let kind = if page.is_section_index() {
            "print-part"
        } else {
            "print-note"
        };
        parts.push(format!("<section class=\"print-page {kind}\" id=\"{id}\">\n<h1>{title}</h1>\n").into());
        if let Some(part) = &rendered[i].edition_html {
            parts.push(part.clone());
        }
        parts.push(end.clone());
    }
    parts.push(after.into());
    parts
}
