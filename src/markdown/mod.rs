//! Parse and render stage: markdown body → HTML plus everything found on the way (headings,
//! links, text, figures), as a chain of small event-iterator steps that keep source offsets.

pub(crate) mod address;
mod emoji;
mod fences;
mod figures;
mod footnotes;
pub(crate) mod headings;
pub(crate) mod highlight;
pub(crate) mod links;
mod math;
mod mermaid;
mod nesting;
mod punctuation;
pub(crate) mod sanitize;
pub(crate) mod slug;
pub mod target;
pub(crate) mod text;

use std::collections::HashSet;
use std::sync::Arc;

use pulldown_cmark::{Parser, TextMergeWithOffset};

use crate::content::Page;
use crate::diagnostics::{Diagnostic, LineIndex};
use address::{InEdition, OnSite, PageCx};
pub use headings::Heading;
pub use links::Link;
pub use target::Target;
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

/// What a page's body says in the site's language: the heading anchors' accessible name (an
/// interface string, so a site can replace it) and the language figures speak.
#[derive(Debug, Clone, Hash)]
pub struct Wording {
    pub anchor_label: String,
    pub figures: crate::figures::Lang,
}

impl Wording {
    /// The wording of a site with this configuration.
    pub fn of(config: &crate::config::Config) -> Self {
        let strings = crate::strings::Strings::new(&config.language, &config.strings);
        Wording {
            anchor_label: strings.get("heading_anchor").to_string(),
            figures: crate::figures::Lang::of(&config.language),
        }
    }
}

/// A site's with no setting: English.
impl Default for Wording {
    fn default() -> Self {
        Wording::of(&crate::config::Config::default())
    }
}

/// Renders one page's body, for the site and as its part of the print edition. `section_dirs`
/// (folders that are sections) lets a link to a folder become a link to its index page. Raw
/// HTML is sanitized unless `unsafe_html` (a trusted site). The costly steps (figures, code) run
/// once and feed both outputs; the steps that write ids and hrefs run once per output, each
/// given that output's [`Address`](address::Address). `math_macros` are the site's (name
/// without backslash, body); `wording` what the body says in the site's language.
pub fn render(
    page: &Page,
    section_dirs: &HashSet<String>,
    unsafe_html: bool,
    math_macros: &[(String, String)],
    wording: &Wording,
) -> Rendered {
    let file = page.display_path();
    let index = LineIndex::new(&page.source);
    let line_of = |body_offset: usize| index.line_col(page.body_start + body_offset).0;
    let line_col = |body_offset: usize| index.line_col(page.body_start + body_offset);

    let mut out = Rendered::default();
    let mut fence_diags = Vec::new();
    let mut figure_diags = Vec::new();
    let mut diagram_diags = Vec::new();
    let mut code_diags = Vec::new();
    let mut nesting_diags = Vec::new();
    let events = TextMergeWithOffset::new(
        Parser::new_ext(page.body(), crate::content::markdown_options()).into_offset_iter(),
    );
    let events = nesting::check(events, &file, line_of, &mut nesting_diags);
    let events = fences::check_closed(events, page.body(), &file, line_of, &mut fence_diags);
    let events = figures::render(
        events,
        &file,
        line_of,
        wording.figures,
        &mut out.figures,
        &mut figure_diags,
    );
    let events = mermaid::render(events, &page.rel, &file, line_of, &mut diagram_diags);
    let events = math::fenced(events);
    let events = highlight::code_blocks(events, &file, line_of, &mut code_diags);
    let events: Vec<_> = emoji::shortcodes(events).collect();
    let mut math_diags = Vec::new();
    let formulas = math::Formulas::prepare(
        &events,
        page.body(),
        math_macros,
        &file,
        &line_col,
        &mut math_diags,
    );

    let cx = |address| PageCx {
        rel: &page.rel,
        body_start: page.body_start,
        section_dirs,
        address,
        anchor_label: &wording.anchor_label,
    };
    let mut part = Rendered::default();
    write(
        events.iter().cloned(),
        &cx(&InEdition),
        unsafe_html,
        &mut part,
        &formulas,
    );
    out.edition_html = Some(part.html.into());
    write(events.into_iter(), &cx(&OnSite), unsafe_html, &mut out, &formulas);
    for (link, in_edition) in out.links.iter_mut().zip(part.links) {
        link.edition_href = in_edition.href;
    }
    out.diagnostics.extend(nesting_diags);
    out.diagnostics.extend(fence_diags);
    out.diagnostics.extend(figure_diags);
    out.diagnostics.extend(diagram_diags);
    out.diagnostics.extend(code_diags);
    out.diagnostics.extend(math_diags);
    out
}

/// The steps that depend on the output, and the HTML writer.
fn write<'a>(
    events: impl Iterator<Item = (pulldown_cmark::Event<'a>, std::ops::Range<usize>)>,
    cx: &PageCx,
    unsafe_html: bool,
    out: &mut Rendered,
    formulas: &math::Formulas,
) {
    let mut raw_links = Vec::new();
    let mut html_seen = false;
    let events = sanitize::raw_html(events, cx, &mut raw_links, &mut html_seen);
    let events = headings::assign_ids(events, cx, &mut out.headings);
    let events = links::rewrite(events, cx, &mut out.links);
    let events = footnotes::assign_ids(events, cx);
    let events = math::render(events, formulas, cx);
    let mut sentences = Vec::new();
    let events = text::collect(events, &mut out.blocks, &mut sentences);
    let events = punctuation::keep_with_formula(events);
    pulldown_cmark::html::push_html(&mut out.html, events.map(|(event, _)| event));
    // Markdown alone cannot inject markup (links and headings make unsafe URLs and attributes
    // inert), so only pages with raw HTML pay for the sanitizer.
    if html_seen && !unsafe_html {
        out.html = sanitize::clean(&out.html);
    }
    for (link, sentence) in out.links.iter_mut().zip(sentences) {
        link.sentence = sentence;
    }
    out.links.extend(raw_links);
}
