//! Limits on what one note can make the build produce. Notes come in pull requests from
//! strangers and CI builds them: a 2 MB note listing 50,000 tags would otherwise make 50,000
//! pages, and a site could grow past what GitHub Pages accepts. Each limit has a default sized
//! far above what real notes need and can be changed in `site.toml`'s `[limits]` table; crossing
//! one is an error that names the note and line.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use pulldown_cmark::Event;
use serde::Deserialize;

use crate::content::{Page, Site};
use crate::diagnostics::Diagnostic;
use crate::output::Contents;

/// `[limits]` in `site.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Tags one note may list.
    pub tags_per_note: usize,
    /// Output files one note may add: its page and the tag pages that list it alone.
    pub files_per_note: usize,
    /// The whole output (pages, listings, print edition, search index, static files), in megabytes.
    pub output_mb: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            tags_per_note: 50,
            files_per_note: 20,
            output_mb: 512,
        }
    }
}

const HINT: &str = "limits are set in site.toml's [limits] table";

/// Each note over the tags or files limit, at its `tags:` line.
pub fn check_notes(site: &Site) -> Vec<Diagnostic> {
    let limits = &site.config.limits;
    let mut listed_by: HashMap<&str, usize> = HashMap::new();
    for page in &site.pages {
        let mut tags: Vec<&str> = page.meta.tags.iter().map(String::as_str).collect();
        tags.sort_unstable();
        tags.dedup();
        for tag in tags {
            *listed_by.entry(tag).or_default() += 1;
        }
    }
    let mut diagnostics = Vec::new();
    for page in &site.pages {
        let tags = &page.meta.tags;
        let line = front_matter_line(page, "tags");
        if tags.len() > limits.tags_per_note {
            diagnostics.push(
                Diagnostic::error(
                    page.display_path(),
                    line,
                    0,
                    format!(
                        "{} tags, over the limit of {} tags per note (tags_per_note)",
                        tags.len(),
                        limits.tags_per_note
                    ),
                )
                .with_hint(HINT),
            );
            continue;
        }
        let mut own: Vec<&str> = tags
            .iter()
            .map(String::as_str)
            .filter(|t| listed_by[t] == 1)
            .collect();
        own.sort_unstable();
        own.dedup();
        let files = 1 + own.len();
        if files > limits.files_per_note {
            diagnostics.push(
                Diagnostic::error(
                    page.display_path(),
                    line,
                    0,
                    format!(
                        "this note adds {files} output files (its page and {} tag pages of its own), \
                         over the limit of {} files per note (files_per_note)",
                        own.len(),
                        limits.files_per_note
                    ),
                )
                .with_hint(HINT),
            );
        }
    }
    diagnostics
}

/// An error when the generated files together exceed the output limit, at the note whose page
/// is largest (the likeliest culprit).
pub fn check_output(site: &Site, files: &BTreeMap<String, Contents>) -> Result<(), Diagnostic> {
    let limit = site.config.limits.output_mb.saturating_mul(1 << 20);
    let size = |c: &Contents| match c {
        Contents::Bytes(bytes) => bytes.len() as u64,
        Contents::Parts(parts) => parts.iter().map(|(_, range)| range.len() as u64).sum(),
        Contents::Copy(path) => std::fs::metadata(path).map_or(0, |m| m.len()),
    };
    let total: u64 = files.values().map(size).sum();
    if total <= limit {
        return Ok(());
    }
    let largest = site
        .pages
        .iter()
        .filter_map(|p| files.get(&p.output_path()).map(|c| (size(c), p)))
        .max_by_key(|(bytes, p)| (*bytes, std::cmp::Reverse(&p.rel)));
    let (file, message) = match largest {
        Some((bytes, page)) => (
            page.display_path(),
            format!(
                "the site's output comes to {:.1} MB, over the limit of {} MB (output_mb); this \
                 note's page is the largest, {} KB",
                total as f64 / f64::from(1 << 20),
                site.config.limits.output_mb,
                bytes >> 10
            ),
        ),
        None => (
            crate::config::FILE_NAME.to_string(),
            format!(
                "the site's output comes to {:.1} MB, over the limit of {} MB (output_mb)",
                total as f64 / f64::from(1 << 20),
                site.config.limits.output_mb
            ),
        ),
    };
    Err(Diagnostic::error(file, 1, 0, message).with_hint(HINT))
}

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
pub fn nesting<'a, 'l>(
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

/// The line of `key:` in the page's front matter, or 1 when it is not found there.
fn front_matter_line(page: &Page, key: &str) -> usize {
    page.source[..page.body_start]
        .lines()
        .position(|l| {
            l.strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with(':'))
        })
        .map_or(1, |i| i + 1)
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

    #[test]
    fn finds_the_line_of_a_front_matter_key() {
        let page = Page::parse("a.md", "---\ntitle: t\ntags : [a]\n---\ntags: x\n".into()).unwrap();
        assert_eq!(front_matter_line(&page, "tags"), 3);
        assert_eq!(front_matter_line(&page, "weight"), 1);
    }
}
