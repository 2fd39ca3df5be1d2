//! Cross-link stage: checks every recorded link and anchor against the rendered site (never by
//! re-reading files) and gathers backlinks.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use crate::content::Site;
use crate::diagnostics::{Diagnostic, LineIndex, nearest};
use crate::markdown::{Rendered, Target};
use crate::urls;

mod mark;
pub use mark::mark;

/// A page that links here, with the sentence the link sits in.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Backlink {
    pub from: usize,
    pub sentence: String,
}

/// What the link check found.
#[derive(Debug, Default)]
pub struct Checked {
    pub diagnostics: Vec<Diagnostic>,
    /// Per page, the pages linking to it.
    pub backlinks: Vec<Vec<Backlink>>,
    /// Per page, the indices (in its `links`) of links that lead nowhere on the site: a missing
    /// page or file, or a path outside it. A broken anchor still reaches its page.
    pub broken: Vec<Vec<usize>>,
}

/// Checks links of every page.
pub fn check(root: &Path, site: &Site, rendered: &[Arc<Rendered>]) -> Checked {
    let by_rel: HashMap<&str, usize> = site
        .pages
        .iter()
        .enumerate()
        .map(|(i, p)| (p.rel.as_str(), i))
        .collect();
    let assets: HashSet<&str> = site.assets.iter().map(String::as_str).collect();
    let mut diagnostics = Vec::new();
    let mut backlinks: Vec<Vec<Backlink>> = vec![Vec::new(); site.pages.len()];
    let mut broken: Vec<Vec<usize>> = vec![Vec::new(); site.pages.len()];
    for (i, (page, out)) in site.pages.iter().zip(rendered).enumerate() {
        // Most pages have no problem: the line index is made only for one that has.
        let index = std::cell::OnceCell::new();
        for (k, link) in out.links.iter().enumerate() {
            let error = |msg: String| {
                let (line, col) = index
                    .get_or_init(|| LineIndex::new(&page.source))
                    .line_col(link.offset);
                Diagnostic::error(page.display_path(), line, col, msg)
            };
            match &link.target {
                Target::External => {}
                Target::SamePage(anchor) => {
                    if !anchor.is_empty() && !has_anchor(out, anchor) {
                        diagnostics.push(anchor_error(error, &link.dest, anchor, out));
                    }
                }
                Target::Page { rel, anchor } => {
                    let Some(&j) = by_rel.get(rel.as_str()) else {
                        let mut d = error(format!(
                            "broken link `{}`: no page {}",
                            link.dest,
                            site.display(rel)
                        ));
                        if let Some(near) = nearest(rel, by_rel.keys().copied()) {
                            d = d.with_hint(format!("did you mean `{}`?", urls::relative(&page.rel, near)));
                        }
                        diagnostics.push(d);
                        broken[i].push(k);
                        continue;
                    };
                    if let Some(anchor) = anchor
                        && !anchor.is_empty()
                        && !has_anchor(&rendered[j], anchor)
                    {
                        diagnostics.push(anchor_error(error, &link.dest, anchor, &rendered[j]));
                        continue;
                    }
                    // Pages are checked in order, so a page already listed as linking here is the last one:
                    // looking further back made one popular page quadratic.
                    if j != i && !link.is_image && backlinks[j].last().is_none_or(|b| b.from != i) {
                        backlinks[j].push(Backlink {
                            from: i,
                            sentence: link.sentence.clone(),
                        });
                    }
                }
                Target::Asset { rel, from_static } => {
                    let (file, known) = if *from_static {
                        (format!("static/{rel}"), root.join("static").join(rel).is_file())
                    } else {
                        (site.display(rel), assets.contains(rel.as_str()))
                    };
                    if !known {
                        let what = if link.is_image { "image" } else { "file" };
                        let mut d = error(format!("missing {what} `{}`: no file {file}", link.dest));
                        if let Some(near) = nearest(rel, site.assets.iter().map(String::as_str)) {
                            d = d.with_hint(format!("did you mean `{}`?", urls::relative(&page.rel, near)));
                        }
                        diagnostics.push(d);
                        broken[i].push(k);
                    }
                }
                Target::Escapes => {
                    diagnostics.push(
                        error(format!("link `{}` leaves the content folder", link.dest))
                            .with_hint("link only to notes and files under content/ or static/"),
                    );
                    broken[i].push(k);
                }
                Target::RootAbsolute => {
                    diagnostics.push(
                        error(format!("link `{}` starts with `/`", link.dest))
                            .with_hint("write a path relative to this file so it works on GitHub, offline and under any sub-path"),
                    );
                    broken[i].push(k);
                }
            }
        }
    }
    Checked {
        diagnostics,
        backlinks,
        broken,
    }
}

fn has_anchor(page: &Rendered, anchor: &str) -> bool {
    page.headings.iter().any(|h| h.id == anchor)
}

fn anchor_error(
    error: impl Fn(String) -> Diagnostic,
    dest: &str,
    anchor: &str,
    target: &Rendered,
) -> Diagnostic {
    let d = error(format!(
        "broken anchor in `{dest}`: no heading with id `{anchor}`"
    ));
    match nearest(anchor, target.headings.iter().map(|h| h.id.as_str())) {
        Some(near) => d.with_hint(format!("did you mean `#{near}`?")),
        None if !target.headings.is_empty() => {
            let ids: Vec<&str> = target.headings.iter().take(8).map(|h| h.id.as_str()).collect();
            d.with_hint(format!("headings there: #{}", ids.join(", #")))
        }
        None => d,
    }
}
