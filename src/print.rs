//! The print edition: `print.html` at the output root holds every page in reading order, so the
//! notes print (or save as one PDF) in one go and read offline as one file.
//!
//! The home and section pages are kept, as the edition's opening and as part openers: their text
//! introduces what follows, their lists of notes become an in-page table of contents, and a link
//! to a section (`../cnn/`) has somewhere to land in the edition.
//!
//! Each page is rendered again rather than reusing its HTML: the site's HTML has hrefs relative
//! to the page's own file and ids unique only within it, and rewriting them inside HTML would
//! mean parsing it. Rendering with [`InEdition`] prefixes ids and points links into the edition.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use pulldown_cmark_escape::escape_html;

use crate::content::Site;
use crate::markdown::Rendered;

pub use crate::markdown::edition::OUTPUT;

/// Ids the default theme's own markup uses on every page, which no page prefix may take.
const THEME_IDS: &[&str] = &["main", "sidebar", "theme-toggle"];

/// Each page's id in the edition, by its path under `content/`: its output path without `.html`,
/// `/` and other punctuation as `-` (`cnn/receptive-field.html` → `cnn-receptive-field`). A prefix
/// never holds `--`, so the ids `<prefix>--<id>` of different pages cannot collide; two pages whose
/// prefixes would clash are told apart by a number.
pub fn prefixes(site: &Site) -> HashMap<String, String> {
    let mut taken: HashSet<String> = THEME_IDS.iter().map(|s| s.to_string()).collect();
    let mut prefixes = HashMap::new();
    for &i in &site.reading_order {
        let page = &site.pages[i];
        let output = page.output_path();
        let base = prefix_of(output.strip_suffix(".html").unwrap_or(&output));
        let mut prefix = base.clone();
        let mut n = 1;
        while !taken.insert(prefix.clone()) {
            n += 1;
            prefix = format!("{base}-{n}");
        }
        prefixes.insert(page.rel.clone(), prefix);
    }
    prefixes
}

fn prefix_of(path: &str) -> String {
    let mut prefix = String::new();
    for c in path.chars() {
        if c.is_alphanumeric() || c == '_' {
            prefix.push(c);
        } else if !prefix.is_empty() && !prefix.ends_with('-') {
            prefix.push('-');
        }
    }
    let prefix = prefix.trim_end_matches('-');
    if prefix.is_empty() {
        "page".to_string()
    } else {
        prefix.to_string()
    }
}

/// Where the layout of `print.html` is given the edition's body: a comment, which no escaped
/// text from a template can hold.
pub const BODY_MARK: &str = "<!--figmark:print-body-->";

/// The edition: its `layout` (the `print.html` template's output) with the body in place of
/// [`BODY_MARK`], as parts to be written one after the other. The body holds every page in
/// reading order, each a `<section>` whose id is its prefix, from the edition renderings made
/// beside the pages' own (see [`markdown::render`]), shared rather than copied.
pub fn fill(
    layout: &str,
    site: &Site,
    rendered: &[Rendered],
    prefixes: &HashMap<String, String>,
) -> Vec<Arc<str>> {
    let Some((before, after)) = layout.split_once(BODY_MARK) else {
        return vec![layout.into()];
    };
    let end: Arc<str> = "</section>\n".into();
    let mut parts = Vec::with_capacity(3 * site.reading_order.len() + 2);
    parts.push(before.into());
    for &i in &site.reading_order {
        let page = &site.pages[i];
        let mut title = String::new();
        escape_html(&mut title, &page.meta.title).ok();
        let kind = if page.is_section_index() {
            "print-part"
        } else {
            "print-note"
        };
        parts.push(
            format!(
                "<section class=\"print-page {kind}\" id=\"{}\">\n<h1>{title}</h1>\n",
                prefixes[&page.rel]
            )
            .into(),
        );
        if let Some(part) = &rendered[i].edition_html {
            parts.push(part.clone());
        }
        parts.push(end.clone());
    }
    parts.push(after.into());
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_hold_no_double_dash() {
        assert_eq!(prefix_of("cnn/receptive-field"), "cnn-receptive-field");
        assert_eq!(prefix_of("a--b/c d"), "a-b-c-d");
        assert_eq!(prefix_of("笔记/感受野"), "笔记-感受野");
        assert_eq!(prefix_of("--"), "page");
    }
}
