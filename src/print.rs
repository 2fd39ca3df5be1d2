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
//!
//! **Large sites.** One file holding 10,000 notes is about 100 MB, more than a browser opens
//! comfortably, let alone prints. When the pages' parts pass [`SPLIT_BYTES`], `print.html`
//! becomes an index of editions, one per top-level section (`print-<dir>.html`, the home
//! page and the notes beside it in `print-index.html`), a section itself cut into volumes of at
//! most [`SPLIT_BYTES`] (`print-<dir>-2.html`…) when it alone is larger. Each edition is a whole
//! document that prints on its own; a link to a page in another edition points into that file
//! ([`relink`]), since the pages' parts are rendered before the split is known.
//!
//! **Cover and contents.** Each file opens with a cover (the site's title and description, the
//! edition's title, and the date of the newest commit that changed a note, so that a build of
//! the same commit prints the same date; none outside git) and, in an edition, a table of
//! contents of its pages ([`contents`]), both laid out by the `print.html` template.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use pulldown_cmark_escape::{escape_href, escape_html};

use crate::content::Site;
use crate::markdown::Rendered;
use crate::strings::Strings;

pub use crate::markdown::address::EDITION as OUTPUT;
use crate::markdown::address::prefix;

/// Where the layout of `print.html` is given the edition's body: a comment, which no escaped
/// text from a template can hold.
pub const BODY_MARK: &str = "<!--figmark:print-body-->";

/// Above this many bytes of pages' parts the edition is split (see the module comment): about
/// 1,000 notes, which a browser still opens and prints briskly; every file stays well under
/// 10 MB. The bundled notes' edition is 0.4 MB.
pub const SPLIT_BYTES: usize = 2 << 20;

/// The print edition's frames (cover and contents, laid out), and the file of the edition that
/// holds each page, made when an edition is filled: both read every page, and hold while the
/// frames do.
pub(crate) struct Frames {
    pub laid: crate::output::Made,
    pub files_of: std::sync::OnceLock<HashMap<String, Arc<str>>>,
}

/// One file of the print edition: its output path, its title's suffix after the edition's
/// (empty for the whole edition) and its pages in reading order. An index of the editions has no
/// pages.
#[derive(Hash)]
pub struct Edition {
    pub path: String,
    pub title: String,
    pub pages: Vec<usize>,
}

/// The files of the print edition: `print.html` with every page when their parts fit in
/// [`SPLIT_BYTES`]; else `print.html` as an index first, then one edition per top-level
/// section, cut into volumes of at most [`SPLIT_BYTES`].
pub fn editions(site: &Site, rendered: &[Arc<Rendered>]) -> Vec<Edition> {
    let size = |i: usize| rendered[i].edition_html.as_ref().map_or(0, |h| h.len()) + 200;
    let total: usize = site.reading_order.iter().map(|&i| size(i)).sum();
    if total <= SPLIT_BYTES {
        return vec![Edition {
            path: OUTPUT.into(),
            title: String::new(),
            pages: site.reading_order.clone(),
        }];
    }
    let top = |mut s: usize| {
        while let Some(parent) = site.sections[s].parent.filter(|&p| p != 0) {
            s = parent;
        }
        s
    };
    let mut editions = vec![Edition {
        path: OUTPUT.into(),
        title: String::new(),
        pages: Vec::new(),
    }];
    let mut group = None;
    let (mut bytes, mut volume) = (0, 1);
    // A section's own page belongs to the section it opens.
    let mut opens = vec![None; site.pages.len()];
    for (s, section) in site.sections.iter().enumerate().rev() {
        opens[section.index] = Some(s);
    }
    for &i in &site.reading_order {
        let section = top(opens[i].unwrap_or(site.pages[i].section));
        let new_group = group != Some(section);
        if new_group || bytes + size(i) > SPLIT_BYTES {
            volume = if new_group { 1 } else { volume + 1 };
            let dir = &site.sections[section].dir;
            let name = if dir.is_empty() { "index" } else { dir.as_str() };
            let title = &site.pages[site.sections[section].index].meta.title;
            let (path, title) = match volume {
                1 => (format!("print-{name}.html"), title.clone()),
                n => (format!("print-{name}-{n}.html"), format!("{title}（{n}）")),
            };
            editions.push(Edition {
                path,
                title,
                pages: Vec::new(),
            });
            (group, bytes) = (Some(section), 0);
        }
        bytes += size(i);
        editions.last_mut().expect("an edition").pages.push(i);
    }
    editions
}

/// The index of a split edition: a list of the editions, each with how many pages it holds.
pub fn index(editions: &[Edition], strings: &Strings) -> String {
    let mut intro = String::new();
    escape_html(&mut intro, strings.get("print_volumes")).ok();
    let mut html = format!("<p>{intro}</p>\n<ol class=\"print-editions\">\n");
    for edition in editions.iter().filter(|e| !e.pages.is_empty()) {
        let (mut href, mut title, mut pages) = (String::new(), String::new(), String::new());
        escape_href(&mut href, &edition.path).ok();
        escape_html(&mut title, &edition.title).ok();
        escape_html(
            &mut pages,
            &strings.count("print_volume_pages", edition.pages.len()),
        )
        .ok();
        html.push_str(&format!("<li><a href=\"{href}\">{title}</a> · {pages}</li>\n"));
    }
    html.push_str("</ol>\n");
    html
}

/// An edition's table of contents: for each of its pages in order, its level (1 for the home
/// page, a top-level section or a note beside the home page, one more for each folder further
/// down, at most 4), the href of its place in the edition and its title.
pub fn contents(site: &Site, edition: &Edition) -> Vec<(u8, String, String)> {
    edition
        .pages
        .iter()
        .map(|&i| {
            let page = &site.pages[i];
            let folders = page.output_path().matches('/').count();
            let level = (folders + usize::from(!page.is_section_index())).clamp(1, 4);
            let mut href = String::new();
            escape_href(&mut href, &prefix(&page.rel)).ok();
            (level as u8, href, page.meta.title.clone())
        })
        .collect()
}

/// Which edition holds each page, by the page's [`prefix`] as an in-edition href writes it:
/// the edition's path as an href.
pub fn files_of(site: &Site, editions: &[Edition]) -> HashMap<String, Arc<str>> {
    let mut files = HashMap::new();
    if editions.len() == 1 {
        return files;
    }
    for edition in editions {
        let mut path = String::new();
        escape_href(&mut path, &edition.path).ok();
        let path: Arc<str> = path.into();
        for &i in &edition.pages {
            let id = prefix(&site.pages[i].rel);
            let (mut href, mut html) = (String::new(), String::new());
            escape_href(&mut href, &id).ok();
            escape_html(&mut html, &id).ok();
            files.insert(href, Arc::clone(&path));
            files.insert(html, Arc::clone(&path));
        }
    }
    files
}

/// A piece of a file: a range of a shared text.
pub type Piece = (Arc<str>, Range<usize>);

fn whole(text: Arc<str>) -> Piece {
    let len = text.len();
    (text, 0..len)
}

/// Appends `part` to `out`, each in-edition link in it (`href="#<prefix>…"`) to a page another
/// file than `this` (an href) holds pointing into that file: the part is cut around the links'
/// `#`, not copied.
fn relink(part: &Arc<str>, this: &str, files_of: &HashMap<String, Arc<str>>, out: &mut Vec<Piece>) {
    const HREF: &str = "href=\"#";
    let (mut from, mut at) = (0, 0);
    while let Some(found) = part[at..].find(HREF) {
        let hash = at + found + HREF.len() - 1;
        let value = &part[hash + 1..];
        let target = &value[..value.find('"').unwrap_or(value.len())];
        let page = target.split(':').next().unwrap_or(target);
        if let Some(file) = files_of.get(page).filter(|f| ***f != *this) {
            out.push((Arc::clone(part), from..hash));
            out.push(whole(Arc::clone(file)));
            from = hash;
        }
        at = hash + 1;
    }
    out.push((Arc::clone(part), from..part.len()));
}

/// The edition: its `layout` (the `print.html` template's output) with the body in place of
/// [`BODY_MARK`], as parts to be written one after the other. The body holds every page in
/// reading order, each a `<section>` whose id is its prefix, from the edition renderings made
/// beside the pages' own (see [`markdown::render`]), shared rather than copied.
pub fn fill(
    layout: &str,
    site: &Site,
    rendered: &[Arc<Rendered>],
    edition: &Edition,
    files_of: &HashMap<String, Arc<str>>,
) -> Vec<Piece> {
    let Some((before, after)) = layout.split_once(BODY_MARK) else {
        return vec![whole(layout.into())];
    };
    let end: Arc<str> = "</section>\n".into();
    let mut this = String::new();
    escape_href(&mut this, &edition.path).ok();
    let mut parts = Vec::with_capacity(3 * edition.pages.len() + 2);
    parts.push(whole(before.into()));
    for &i in &edition.pages {
        let page = &site.pages[i];
        let (mut title, mut id) = (String::new(), String::new());
        escape_html(&mut title, &page.meta.title).ok();
        escape_html(&mut id, &prefix(&page.rel)).ok();
        let kind = if page.is_section_index() {
            "print-part"
        } else {
            "print-note"
        };
        parts.push(whole(
            format!("<section class=\"print-page {kind}\" id=\"{id}\">\n<h1>{title}</h1>\n").into(),
        ));
        if let Some(part) = &rendered[i].edition_html {
            if files_of.is_empty() {
                parts.push(whole(Arc::clone(part)));
            } else {
                relink(part, &this, files_of, &mut parts);
            }
        }
        parts.push(whole(Arc::clone(&end)));
    }
    parts.push(whole(after.into()));
    parts
}
