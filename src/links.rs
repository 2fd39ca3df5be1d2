//! Cross-link stage: checks every recorded link and anchor against the rendered site (never by
//! re-reading files) and gathers backlinks.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;

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
    pub backlinks: Arc<Vec<Vec<Backlink>>>,
    /// Per page, a hash of its backlinks, which stands for them in the key of its laid-out
    /// page: hashing every page's backlinks, sentences and all, took 3 ms of each rebuild at
    /// 10,000 notes.
    pub backlink_keys: Arc<Vec<u64>>,
    /// Per page, the indices (in its `links`) of links that lead nowhere on the site: a missing
    /// page or file, or a path outside it. A broken anchor still reaches its page.
    pub broken: Vec<Vec<usize>>,
}

/// One page's links as checked.
#[derive(Debug, Clone, Default)]
struct PageCheck {
    diagnostics: Vec<Diagnostic>,
    broken: Vec<usize>,
    /// The pages it links to, each once, with the sentence of its first link there.
    reaches: Vec<(usize, String)>,
    /// The pages whose headings its anchors name.
    anchored: Vec<usize>,
    /// Whether it links into `static/`, whose files no key covers: checked every time.
    to_static: bool,
}

/// The last check, which the [`Memo`](crate::memo::Memo) keeps for `figmark serve`: while the
/// site's pages and files are the same, a rebuild checks again only the pages whose rendering
/// changed, the pages naming an anchor in those, and pages linking into `static/`. Checking
/// every link of 10,000 notes took 15–20 ms of each rebuild, most of it waiting on memory.
#[derive(Default)]
pub struct Last {
    /// Whether nothing is kept (a one-shot build).
    forgets: bool,
    /// The pages' paths in order, the files and the folders, hashed.
    site: u64,
    render_keys: Vec<u64>,
    pages: Vec<PageCheck>,
    /// Per page, the pages naming one of its anchors.
    anchored_by: Vec<Vec<usize>>,
    backlinks: Arc<Vec<Vec<Backlink>>>,
    backlink_keys: Arc<Vec<u64>>,
}

impl Last {
    /// A memory that keeps nothing.
    pub fn forgetful() -> Self {
        Self {
            forgets: true,
            ..Self::default()
        }
    }
}

/// Checks links of every page, or of those `last` cannot vouch for; `render_keys` stand for
/// the pages' renderings.
pub fn check(
    root: &Path,
    site: &Site,
    rendered: &[Arc<Rendered>],
    render_keys: &[u64],
    last: &mut Last,
) -> Checked {
    let by_rel: HashMap<&str, usize, ahash::RandomState> = site
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
    let rels: Vec<&str> = site.pages.iter().map(|p| p.rel.as_str()).collect();
    let site_key = crate::stable::hash((root, &site.content_dir, rels, &site.assets));
    let again: Vec<usize> =
        if !last.forgets && last.site == site_key && last.render_keys.len() == render_keys.len() {
            to_check_again(last, render_keys)
        } else {
            *last = Last {
                forgets: last.forgets,
                pages: vec![PageCheck::default(); site.pages.len()],
                anchored_by: vec![Vec::new(); site.pages.len()],
                backlinks: Arc::new(vec![Vec::new(); site.pages.len()]),
                backlink_keys: Arc::new(vec![crate::stable::hash(&[] as &[Backlink]); site.pages.len()]),
                ..Last::default()
            };
            (0..site.pages.len()).collect()
        };
    let checks: Vec<PageCheck> = again.par_iter().map(|&i| cx.page(i)).collect();
    last.replace(&again, checks);
    let checked = Checked {
        diagnostics: last
            .pages
            .iter()
            .flat_map(|c| c.diagnostics.iter().cloned())
            .collect(),
        backlinks: Arc::clone(&last.backlinks),
        backlink_keys: Arc::clone(&last.backlink_keys),
        broken: last.pages.iter().map(|c| c.broken.clone()).collect(),
    };
    if last.forgets {
        *last = Last::forgetful();
    } else {
        last.site = site_key;
        last.render_keys = render_keys.to_vec();
    }
    checked
}

impl Last {
    /// Puts the new checks of pages `again` in place of their old ones, and patches the
    /// backlinks and anchors they gave or give, and the hashes of the backlinks that changed.
    fn replace(&mut self, again: &[usize], checks: Vec<PageCheck>) {
        let backlinks = Arc::make_mut(&mut self.backlinks);
        let mut touched = Vec::new();
        for (&i, check) in again.iter().zip(checks) {
            let old = std::mem::replace(&mut self.pages[i], check);
            for &(j, _) in &old.reaches {
                backlinks[j].retain(|b| b.from != i);
                touched.push(j);
            }
            for &j in &old.anchored {
                self.anchored_by[j].retain(|&k| k != i);
            }
            for (j, sentence) in &self.pages[i].reaches {
                let at = backlinks[*j].partition_point(|b| b.from < i);
                let sentence = sentence.clone();
                backlinks[*j].insert(at, Backlink { from: i, sentence });
                touched.push(*j);
            }
            for &j in &self.pages[i].anchored {
                let at = self.anchored_by[j].partition_point(|&k| k < i);
                self.anchored_by[j].insert(at, i);
            }
        }
        touched.sort_unstable();
        touched.dedup();
        let fresh: Vec<u64> = touched
            .par_iter()
            .map(|&j| crate::stable::hash(&backlinks[j]))
            .collect();
        let keys = Arc::make_mut(&mut self.backlink_keys);
        for (&j, key) in touched.iter().zip(fresh) {
            keys[j] = key;
        }
    }
}

/// The pages whose links may lead elsewhere than at the last check, in order: those rendered
/// again, those naming an anchor of one of them, and those linking into `static/`.
fn to_check_again(last: &Last, render_keys: &[u64]) -> Vec<usize> {
    let mut again: Vec<usize> = Vec::new();
    for (i, (now, then)) in render_keys.iter().zip(&last.render_keys).enumerate() {
        if now != then {
            again.push(i);
            again.extend(&last.anchored_by[i]);
        } else if last.pages[i].to_static {
            again.push(i);
        }
    }
    again.sort_unstable();
    again.dedup();
    again
}

/// What the check reads of the site.
struct Cx<'a> {
    root: &'a Path,
    site: &'a Site,
    rendered: &'a [Arc<Rendered>],
    by_rel: HashMap<&'a str, usize, ahash::RandomState>,
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
    /// Checks every link of page `i`.
    fn page(&self, i: usize) -> PageCheck {
        let page = &self.site.pages[i];
        let mut check = PageCheck::default();
        // Most pages have no problem: the line index is made only for one that has.
        let index = std::cell::OnceCell::new();
        for (k, link) in self.rendered[i].links.iter().enumerate() {
            let error = |msg: String| {
                let (line, col) = index
                    .get_or_init(|| LineIndex::new(&page.source))
                    .line_col(link.offset);
                Diagnostic::error(page.display_path(), line, col, msg)
            };
            check.to_static |= matches!(
                link.target,
                Target::Asset {
                    from_static: true,
                    ..
                }
            );
            if let Target::Page { rel, anchor: Some(a) } = &link.target
                && !a.is_empty()
                && let Some(&j) = self.by_rel.get(rel.as_str())
                && !check.anchored.contains(&j)
            {
                check.anchored.push(j);
            }
            match self.outcome(i, link, error) {
                Outcome::Reaches(Some(j)) => {
                    if !check.reaches.iter().any(|&(k, _)| k == j) {
                        check.reaches.push((j, link.sentence.clone()));
                    }
                }
                Outcome::Reaches(None) => {}
                Outcome::Anchorless(d) => check.diagnostics.push(d),
                Outcome::Nowhere(d) => {
                    check.diagnostics.push(d);
                    check.broken.push(k);
                }
            }
        }
        check
    }

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
