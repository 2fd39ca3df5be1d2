//! Cross-link stage: checks every recorded link and anchor against the rendered site (never by
//! re-reading files) and gathers backlinks.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use crate::content::Site;
use crate::diagnostics::{Diagnostic, LineIndex, nearest};
use crate::markdown::{Link, Rendered, Target};
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
    let cx = Cx {
        root,
        site,
        rendered,
        by_rel,
        assets,
    };
    let mut checked = Checked {
        backlinks: vec![Vec::new(); site.pages.len()],
        broken: vec![Vec::new(); site.pages.len()],
        ..Checked::default()
    };
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
            match cx.outcome(i, link, error) {
                Outcome::Reaches(Some(j)) => {
                    // Pages are checked in order, so a page already listed as linking here is
                    // the last one: looking further back made one popular page quadratic.
                    let backlinks = &mut checked.backlinks[j];
                    if backlinks.last().is_none_or(|b| b.from != i) {
                        backlinks.push(Backlink {
                            from: i,
                            sentence: link.sentence.clone(),
                        });
                    }
                }
                Outcome::Reaches(None) => {}
                Outcome::Anchorless(d) => checked.diagnostics.push(d),
                Outcome::Nowhere(d) => {
                    checked.diagnostics.push(d);
                    checked.broken[i].push(k);
                }
            }
        }
    }
    checked
}

/// What the check reads of the site.
struct Cx<'a> {
    root: &'a Path,
    site: &'a Site,
    rendered: &'a [Arc<Rendered>],
    by_rel: HashMap<&'a str, usize>,
    assets: HashSet<&'a str>,
}

/// Where one link leads.
enum Outcome {
    /// Somewhere that exists; to another page (a backlink for it) or not.
    Reaches(Option<usize>),
    /// To a page, but not to a heading it has.
    Anchorless(Diagnostic),
    /// To nothing on the site.
    Nowhere(Diagnostic),
}

impl Cx<'_> {
    /// The outcome of link `link` of page `i`; `error` makes a diagnostic at the link.
    fn outcome(&self, i: usize, link: &Link, error: impl Fn(String) -> Diagnostic) -> Outcome {
        let (site, page) = (self.site, &self.site.pages[i]);
        match &link.target {
            Target::External => Outcome::Reaches(None),
            Target::SamePage(anchor) if !anchor.is_empty() && !has_anchor(&self.rendered[i], anchor) => {
                Outcome::Anchorless(anchor_error(error, &link.dest, anchor, &self.rendered[i]))
            }
            Target::SamePage(_) => Outcome::Reaches(None),
            Target::Page { rel, anchor } => {
                let Some(&j) = self.by_rel.get(rel.as_str()) else {
                    let mut d = error(format!("broken link `{}`: no page {}", link.dest, site.display(rel)));
                    if let Some(near) = nearest(rel, self.by_rel.keys().copied()) {
                        d = d.with_hint(format!("did you mean `{}`?", urls::relative(&page.rel, near)));
                    }
                    return Outcome::Nowhere(d);
                };
                match anchor {
                    Some(anchor) if !anchor.is_empty() && !has_anchor(&self.rendered[j], anchor) => {
                        Outcome::Anchorless(anchor_error(error, &link.dest, anchor, &self.rendered[j]))
                    }
                    _ => Outcome::Reaches((j != i && !link.is_image).then_some(j)),
                }
            }
            Target::Asset { rel, from_static } => {
                let (file, known) = if *from_static {
                    (format!("static/{rel}"), self.root.join("static").join(rel).is_file())
                } else {
                    (site.display(rel), self.assets.contains(rel.as_str()))
                };
                if known {
                    return Outcome::Reaches(None);
                }
                let what = if link.is_image { "image" } else { "file" };
                let mut d = error(format!("missing {what} `{}`: no file {file}", link.dest));
                if let Some(near) = nearest(rel, site.assets.iter().map(String::as_str)) {
                    d = d.with_hint(format!("did you mean `{}`?", urls::relative(&page.rel, near)));
                }
                Outcome::Nowhere(d)
            }
            Target::Escapes => Outcome::Nowhere(
                error(format!("link `{}` leaves the content folder", link.dest))
                    .with_hint("link only to notes and files under content/ or static/"),
            ),
            Target::RootAbsolute => Outcome::Nowhere(
                error(format!("link `{}` starts with `/`", link.dest))
                    .with_hint("write a path relative to this file so it works on GitHub, offline and under any sub-path"),
            ),
        }
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
