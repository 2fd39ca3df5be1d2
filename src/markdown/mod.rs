//! Parse and render stage: markdown body → HTML plus everything found on the way (headings,
//! links, text, figures), as a chain of small event-iterator steps that keep source offsets.

pub mod edition;
mod fences;
mod figures;
pub mod headings;
pub mod highlight;
pub mod links;
mod math;
pub mod sanitize;
pub mod slug;
pub mod text;

use std::collections::HashSet;
use std::sync::Arc;

use pulldown_cmark::{Options, Parser, TextMergeWithOffset};

use crate::content::Page;
use crate::diagnostics::{Diagnostic, LineIndex};
pub use edition::InEdition;
pub use headings::Heading;
pub use links::{Link, Target};
pub use text::TextBlock;

/// What rendering one page produced.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    pub html: String,
    pub headings: Vec<Heading>,
    pub links: Vec<Link>,
    pub blocks: Vec<TextBlock>,
    pub figures: usize,
    pub diagnostics: Vec<Diagnostic>,
    /// The body as a part of the print edition, when asked for.
    pub edition_html: Option<Arc<str>>,
}

pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_MATH
        | Options::ENABLE_GFM
}

/// Renders one page's body. `section_dirs` (folders that are sections) lets a link to a folder
/// become a link to its index page. Raw HTML is sanitized unless `unsafe_html` (a trusted site).
/// With `edition`, the page is also rendered as a part of the print edition (ids prefixed, links
/// between pages kept in the edition) into `edition_html`: the costly steps (figures, code) run
/// once and feed both renderings.
pub fn render(
    page: &Page,
    section_dirs: &HashSet<String>,
    unsafe_html: bool,
    edition: Option<&InEdition>,
) -> Rendered {
    let file = page.display_path();
    let index = LineIndex::new(&page.source);
    let body_start = page.body_start;
    let line_of = |body_offset: usize| index.line_col(body_start + body_offset).0;
    let line_col = |body_offset: usize| index.line_col(body_start + body_offset);

    let mut out = Rendered::default();
    let mut figure_diags = Vec::new();
    let mut code_diags = Vec::new();
    let mut fence_diags = Vec::new();
    let mut raw_links = Vec::new();
    let mut html_seen = false;
    let events = TextMergeWithOffset::new(Parser::new_ext(page.body(), options()).into_offset_iter());
    let events = fences::check_closed(events, page.body(), &file, line_of, &mut fence_diags);
    let events = sanitize::raw_html(
        events,
        &page.rel,
        body_start,
        section_dirs,
        &mut raw_links,
        &mut html_seen,
    );
    let events = figures::render(events, &file, line_of, &mut out.figures, &mut figure_diags);
    let events = math::fenced(events);
    let events: Vec<_> = highlight::code_blocks(events, &file, line_of, &mut code_diags).collect();
    let mut math_diags = Vec::new();
    let formulas = math::Formulas::prepare(&events, page.body(), &[], &file, &line_col, &mut math_diags);
    // Markdown alone cannot inject markup (links and headings make unsafe URLs and attributes
    // inert), so only pages with raw HTML pay for the sanitizer.
    let sanitized = !unsafe_html && html_seen;
    let clean = |html: String| if sanitized { sanitize::clean(&html) } else { html };
    if let Some(edition) = edition {
        let mut part = Rendered::default();
        finish(
            events.iter().cloned(),
            page,
            section_dirs,
            Some(edition),
            &mut part,
            &formulas,
        );
        out.edition_html = Some(clean(part.html).into());
    }
    finish(events.into_iter(), page, section_dirs, None, &mut out, &formulas);
    out.html = clean(std::mem::take(&mut out.html));
    out.links.extend(raw_links);
    out.diagnostics.extend(fence_diags);
    out.diagnostics.extend(figure_diags);
    out.diagnostics.extend(code_diags);
    out.diagnostics.extend(math_diags);
    out
}

/// The steps after figures and code: ids, links, text, math, and the HTML writer.
fn finish<'a>(
    events: impl Iterator<Item = (pulldown_cmark::Event<'a>, std::ops::Range<usize>)>,
    page: &Page,
    section_dirs: &HashSet<String>,
    edition: Option<&InEdition>,
    out: &mut Rendered,
    formulas: &math::Formulas,
) {
    let events = headings::assign_ids(events, page.body_start, edition, &mut out.headings);
    let events = links::rewrite(
        events,
        &page.rel,
        page.body_start,
        section_dirs,
        edition,
        &mut out.links,
    );
    let events = edition::footnotes(events, edition);
    let mut sentences = Vec::new();
    let events = text::collect(events, &mut out.blocks, &mut sentences);
    let events = math::render(events, formulas, edition);
    pulldown_cmark::html::push_html(&mut out.html, events.map(|(event, _)| event));
    for (link, sentence) in out.links.iter_mut().zip(sentences) {
        link.sentence = sentence;
    }
}
