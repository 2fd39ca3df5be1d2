//! Limits on what one note can make the build produce. Notes come in pull requests from
//! strangers and CI builds them: a 2 MB note listing 50,000 tags would otherwise make 50,000
//! pages, and a site could grow past what GitHub Pages accepts. Each limit has a default sized
//! far above what real notes need and can be changed in `site.toml`'s `[limits]` table; crossing
//! one is an error that names the note and line.

use std::collections::HashMap;

use crate::content::{Page, Site};
use crate::diagnostics::Diagnostic;

const HINT: &str = "limits are set in site.toml's [limits] table";

/// Each note over the tags or files limit, at its `tags:` line.
pub fn check_notes(site: &Site) -> Vec<Diagnostic> {
    let limits = &site.config.limits;
    // A note adds at most a page and a tag page per tag: when no note has enough tags to pass
    // either limit, no tag need be counted (counting took 4 ms of each rebuild at 10,000 notes).
    let most = site.pages.iter().map(|p| p.meta.tags.len()).max().unwrap_or(0);
    if most <= limits.tags_per_note && most < limits.files_per_note {
        return Vec::new();
    }
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
        // Found only for a note over a limit: looking for every note's took 4 ms of each
        // rebuild at 10,000 notes.
        let line = || front_matter_line(page, "tags");
        if tags.len() > limits.tags_per_note {
            diagnostics.push(
                Diagnostic::error(
                    page.display_path(),
                    line(),
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
                    line(),
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
/// `total` is the size of every output file added up; `size_of` gives one file's by its path.
pub fn check_output(
    site: &Site,
    total: u64,
    size_of: impl Fn(&str) -> Option<u64>,
) -> Result<(), Diagnostic> {
    let limit = site.config.limits.output_mb.saturating_mul(1 << 20);
    if total <= limit {
        return Ok(());
    }
    let largest = site
        .pages
        .iter()
        .filter_map(|p| size_of(&p.output_path()).map(|bytes| (bytes, p)))
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
    fn finds_the_line_of_a_front_matter_key() {
        let page = Page::parse("a.md", "---\ntitle: t\ntags : [a]\n---\ntags: x\n".into()).unwrap();
        assert_eq!(front_matter_line(&page, "tags"), 3);
        assert_eq!(front_matter_line(&page, "weight"), 1);
    }
}
