//! Layout stage: every output page made by a template (notes, sections, the home page with its
//! map, tag pages, 404 and the print edition's frame) from its view. A page is laid out again
//! only when its view or the templates changed (the [`Memo`] decides).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use rayon::prelude::*;

use crate::content::{self, Page, Site};
use crate::diagnostics::Diagnostic;
use crate::links::Backlink;
use crate::markdown::Rendered;
use crate::markdown::slug::slug;
use crate::memo::Memo;
use crate::output::{Contents, Made, Sink, lock};
use crate::print::Frames;
use crate::strings::Strings;
use crate::templates::{Templates, context};
use crate::views::{Body, PageView, SiteViews};
use crate::{figures, print};

/// What the layout stage reads.
pub struct Input<'a> {
    pub site: &'a Site,
    pub rendered: &'a [Arc<Rendered>],
    /// Each page's render key, which stands for its body in its view's hash.
    pub render_keys: &'a [u64],
    pub backlinks: &'a [Vec<Backlink>],
    /// Each page's backlinks hashed, which stand for them in its key.
    pub backlink_keys: &'a [u64],
    pub last_changed: &'a HashMap<String, String>,
    pub templates: &'a Templates,
}

/// One page to lay out: its output path, template and view, and for a page of the notes its
/// key by what its view is made of (see [`site_key`]).
struct Job<'v> {
    path: String,
    template: &'static str,
    view: PageView<'v>,
    page_key: Option<u64>,
}

/// A listing page: title, output path and summary of each entry.
type Entries = Vec<(String, String, String)>;

/// Lays out every page into `sink`; returns how many were laid out now (not reused).
pub fn lay_out(input: &Input, memo: &mut Memo, sink: &Sink) -> Result<usize, Vec<Diagnostic>> {
    let site = input.site;
    let site_key = site_key(input, memo);
    let tags = tag_pages(site);
    let tag_paths: BTreeMap<String, String> = tags
        .iter()
        .map(|(name, (path, _))| (name.clone(), path.clone()))
        .collect();
    let views = SiteViews::new(
        site,
        input.rendered,
        input.backlinks,
        &tag_paths,
        input.last_changed,
        Some(input.render_keys),
    );
    let (map, map_key) = link_map(site, input.backlinks, site_key, memo);
    let pending = reuse_pages(input, site_key, map_key, memo, sink);
    let jobs: Vec<Job> = pending
        .into_par_iter()
        .map(|(i, key)| page_job(&views, i, &map, map_key, key))
        .collect();
    let pages = run(jobs, input.templates, memo, &|path, html| {
        sink.put(path, Contents::Bytes(html));
    });
    let listed = lay_out_listings(&views, &tags, site_key, input.templates, memo, sink);
    let editions = print::editions(site, input.rendered);
    let date = input.last_changed.values().max().map(String::as_str);
    let frames_key = memo.key((site_key, &editions, date));
    let frames = match memo.frames.get(frames_key) {
        Some(frames) => Ok((frames, 0)),
        None => lay_out_frames(&views, &editions, date, input.templates, memo),
    };
    let frames = frames.map(|(frames, made)| {
        memo.frames.keep(frames_key, Arc::clone(&frames));
        fill_editions(&frames, input, frames_key, &editions, &views.strings, memo, sink);
        made
    });
    let errors: Vec<Diagnostic> = [pages.as_ref().err(), listed.as_ref().err(), frames.as_ref().err()]
        .into_iter()
        .flatten()
        .flatten()
        .cloned()
        .collect();
    match (pages, listed, frames) {
        (Ok(pages), Ok(listed), Ok(frames)) => Ok(pages + listed + frames),
        _ => Err(errors),
    }
}

/// The tags index, each tag's page and 404 into `sink`: they read only what the site's key
/// covers, so a rebuild that keeps it keeps them (their views list every tagged page: making
/// and hashing them took 20 ms of each rebuild at 10,000 notes). Returns how many were laid
/// out now.
fn lay_out_listings(
    views: &SiteViews,
    tags: &BTreeMap<String, (String, Vec<usize>)>,
    site_key: u64,
    templates: &Templates,
    memo: &Memo,
    sink: &Sink,
) -> Result<usize, Vec<Diagnostic>> {
    let key = memo.key((site_key, "listings"));
    let (laid, made) = match memo.listings.get(key) {
        Some(laid) => (laid, 0),
        None => {
            let listings = listings(views.site, tags, &views.strings);
            let mut jobs: Vec<Job> = listings
                .iter()
                .map(|(path, title, summary, entries)| Job {
                    path: path.clone(),
                    template: "section.html",
                    view: views.list_view(path, title, summary, entries),
                    page_key: None,
                })
                .collect();
            jobs.push(not_found_job(views, views.site));
            run_kept(jobs, templates, memo)?
        }
    };
    memo.listings.keep(key, Arc::clone(&laid));
    sink.put_all(
        laid.iter()
            .map(|(path, html)| (path.clone(), Contents::Bytes(Arc::clone(html))))
            .collect(),
    );
    Ok(made)
}

/// The frames of the print edition's files (cover, table of contents, no body), and how many
/// were laid out now.
fn lay_out_frames(
    views: &SiteViews,
    editions: &[print::Edition],
    date: Option<&str>,
    templates: &Templates,
    memo: &Memo,
) -> Result<(Arc<Frames>, usize), Vec<Diagnostic>> {
    let site = views.site;
    let titles: Vec<String> = editions
        .iter()
        .map(|e| match e.title.as_str() {
            "" => views.strings.get("print_edition").to_string(),
            title => format!("{} · {title}", views.strings.get("print_edition")),
        })
        .collect();
    let contents: Vec<_> = editions.iter().map(|e| print::contents(site, e)).collect();
    let frames: Vec<Job> = editions
        .iter()
        .zip(titles.iter().zip(&contents))
        .map(|(e, (title, contents))| edition_job(views, site, e, title, contents, date))
        .collect();
    let (laid, made) = run_kept(frames, templates, memo)?;
    let files_of = OnceLock::new();
    Ok((Arc::new(Frames { laid, files_of }), made))
}

/// Everything a page's view reads but its own rendering, its backlinks and the home page's
/// map: the settings (with the interface strings), the templates, each page's path, front
/// matter, section and date, the sections and the reading order. While it holds, a page whose
/// rendering and backlinks are the last build's has the last build's HTML, found without making
/// its view: making and hashing every view took most of a rebuild at 10,000 notes.
fn site_key(input: &Input, memo: &Memo) -> u64 {
    let site = input.site;
    let pages: Vec<_> = site
        .pages
        .iter()
        .map(|p| {
            let date = input.last_changed.get(&p.rel);
            (&p.rel, &p.file, &*p.meta, p.section, p.titled, date)
        })
        .collect();
    let sections: Vec<_> = site
        .sections
        .iter()
        .map(|s| (&s.dir, s.index, s.parent, &s.pages, &s.subsections))
        .collect();
    // The settings are a few hundred bytes, and every one of them counts: hashed as printed.
    let config = format!("{:?}", site.config);
    memo.key((
        config,
        input.templates.fingerprint,
        pages,
        sections,
        &site.reading_order,
    ))
}

/// Puts each page whose HTML the memo holds under its page key (see [`site_key`]) into `sink`;
/// returns the others, to be laid out, with their keys.
fn reuse_pages(
    input: &Input,
    site_key: u64,
    map_key: u64,
    memo: &mut Memo,
    sink: &Sink,
) -> Vec<(usize, u64)> {
    let site = input.site;
    let keys: Vec<u64> = (0..site.pages.len())
        .into_par_iter()
        .map(|i| {
            let map = (site.pages[i].rel == content::SECTION_INDEX).then_some(map_key);
            memo.key((site_key, i, input.render_keys[i], input.backlink_keys[i], map))
        })
        .collect();
    let found = memo.pages.get_all(&keys);
    let mut pending = Vec::new();
    let mut reused = Vec::with_capacity(found.len());
    for (i, (html, key)) in found.into_iter().zip(keys).enumerate() {
        match html {
            Some(html) => reused.push((site.pages[i].output_path(), Contents::Bytes(html))),
            None => pending.push((i, key)),
        }
    }
    sink.put_all(reused);
    pending
}

fn page_job<'v>(views: &'v SiteViews, i: usize, map: &'v str, map_key: u64, page_key: u64) -> Job<'v> {
    let page = &views.site.pages[i];
    let mut view = views.page_view(i);
    if page.rel == content::SECTION_INDEX {
        view.link_map = Some(Body {
            html: map,
            key: Some(map_key),
        });
    }
    Job {
        path: page.output_path(),
        template: template_for(page),
        view,
        page_key: Some(page_key),
    }
}

fn not_found_job<'v>(views: &'v SiteViews, site: &Site) -> Job<'v> {
    let mut view = views.list_view("404.html", views.strings.get("not_found"), "", &[]);
    // GitHub Pages serves 404.html at any missing path, where its relative links would not
    // resolve: served, the page resolves them against the site's path; from disk it needs not.
    view.base_path = site_path(&site.config.base_url);
    Job {
        path: "404.html".into(),
        template: "404.html",
        view,
        page_key: None,
    }
}

/// The path part of `base_url`, ending in `/`: `https://o.github.io/notes` → `/notes/`.
fn site_path(base_url: &str) -> Option<String> {
    let rest = base_url.split_once("://")?.1;
    let path = rest.find('/').map_or("", |i| &rest[i..]).trim_end_matches('/');
    Some(format!("{path}/"))
}

/// The frame of one file of the print edition, with its cover and table of contents; its body
/// (megabytes), or the index of a split edition, is put in after the layout, not copied
/// through the template engine.
fn edition_job<'v>(
    views: &'v SiteViews,
    site: &'v Site,
    edition: &print::Edition,
    title: &'v str,
    contents: &'v [(u8, String, String)],
    date: Option<&'v str>,
) -> Job<'v> {
    let mut view = views.list_view(&edition.path, title, &site.config.description, &[]);
    view.content = Body::new(print::BODY_MARK);
    view.edition(contents, date);
    Job {
        path: edition.path.clone(),
        template: "print.html",
        view,
        page_key: None,
    }
}

/// Lays out every job whose view (with the templates) is not in the memo, in parallel, and
/// hands each page to `done` as soon as it is made; returns how many were laid out now.
fn run(
    jobs: Vec<Job>,
    templates: &Templates,
    memo: &Memo,
    done: &(dyn Fn(String, Arc<[u8]>) + Sync),
) -> Result<usize, Vec<Diagnostic>> {
    let made: Vec<Result<bool, Diagnostic>> = jobs
        .into_par_iter()
        .map(|job| {
            let key = memo.key((templates.fingerprint, job.template, &job.view));
            let (html, fresh) = match memo.layouts.get(key) {
                Some(html) => (html, false),
                None => {
                    let html = context(&job.view).and_then(|cx| templates.render(job.template, &cx))?;
                    (Arc::from(html.into_bytes()), true)
                }
            };
            memo.layouts.keep(key, Arc::clone(&html));
            if let Some(page_key) = job.page_key {
                memo.pages.keep(page_key, Arc::clone(&html));
            }
            done(job.path, html);
            Ok(fresh)
        })
        .collect();
    let mut fresh = 0;
    let mut errors = Vec::new();
    for made in made {
        match made {
            Ok(now) => fresh += usize::from(now),
            Err(d) => errors.push(d),
        }
    }
    if errors.is_empty() { Ok(fresh) } else { Err(errors) }
}

/// [`run`], keeping the pages (in order of their paths) rather than putting them anywhere.
fn run_kept(jobs: Vec<Job>, templates: &Templates, memo: &Memo) -> Result<(Made, usize), Vec<Diagnostic>> {
    let laid = Mutex::new(Vec::new());
    let made = run(jobs, templates, memo, &|path, html| {
        lock(&laid).push((path, html))
    })?;
    let mut laid = laid.into_inner().unwrap_or_else(PoisonError::into_inner);
    laid.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    Ok((Made::from(laid), made))
}

/// Puts each edition, its body (or the index of the editions) in its laid-out frame, into `sink`.
/// An edition is kept by its frames' key (the site's key, and which edition holds each page:
/// links between editions point into the file that holds their target) and its pages'
/// renderings: cutting its parts reads every page's text, megabytes at 10,000 notes.
fn fill_editions(
    frames: &Frames,
    input: &Input,
    frames_key: u64,
    editions: &[print::Edition],
    strings: &Strings,
    memo: &Memo,
    sink: &Sink,
) {
    let site = input.site;
    for edition in editions {
        let Some((_, frame)) = frames.laid.iter().find(|(path, _)| *path == edition.path) else {
            continue;
        };
        let contents = if edition.pages.is_empty() {
            let frame = String::from_utf8_lossy(frame);
            Contents::from(frame.replacen(print::BODY_MARK, &print::index(editions, strings), 1))
        } else {
            let bodies: Vec<u64> = edition.pages.iter().map(|&i| input.render_keys[i]).collect();
            let key = memo.key((frames_key, &edition.path, bodies));
            let parts = memo.editions.get(key).unwrap_or_else(|| {
                let files_of = frames.files_of.get_or_init(|| print::files_of(site, editions));
                let frame = String::from_utf8_lossy(frame);
                print::fill(&frame, site, input.rendered, edition, files_of).into()
            });
            memo.editions.keep(key, Arc::clone(&parts));
            Contents::Parts(parts)
        };
        sink.put(edition.path.clone(), contents);
    }
}

fn template_for(page: &Page) -> &'static str {
    if page.rel == content::SECTION_INDEX {
        "index.html"
    } else if page.is_section_index() {
        "section.html"
    } else {
        "page.html"
    }
}

/// The tags index and each tag's page: (output path, title, summary, entries).
fn listings(
    site: &Site,
    tags: &BTreeMap<String, (String, Vec<usize>)>,
    t: &Strings,
) -> Vec<(String, String, String, Entries)> {
    if tags.is_empty() {
        return Vec::new();
    }
    let index: Entries = tags
        .iter()
        .map(|(name, (path, pages))| {
            (
                format!("#{name}"),
                path.clone(),
                t.count("tag_count", pages.len()),
            )
        })
        .collect();
    let mut listings = vec![(
        "tags/index.html".to_string(),
        t.get("tags").to_string(),
        t.get("tags_summary").to_string(),
        index,
    )];
    for (name, (path, pages)) in tags {
        let entries = pages
            .iter()
            .map(|&i| {
                let page = &site.pages[i];
                (
                    page.meta.title.clone(),
                    page.output_path(),
                    page.meta.summary.clone(),
                )
            })
            .collect();
        listings.push((
            path.clone(),
            t.format("tag_title", &[("name", name)]),
            String::new(),
            entries,
        ));
    }
    listings
}

/// Each tag's output path and its pages in reading order. Tags whose slugs collide share a page.
fn tag_pages(site: &Site) -> BTreeMap<String, (String, Vec<usize>)> {
    let mut tags: BTreeMap<String, (String, Vec<usize>)> = BTreeMap::new();
    for &i in &site.reading_order {
        for tag in &site.pages[i].meta.tags {
            let entry = tags.entry(tag.clone()).or_insert_with(|| {
                let s = slug(tag);
                let s = if s.is_empty() { "tag".to_string() } else { s };
                (format!("tags/{s}.html"), Vec::new())
            });
            // Pages come in reading order: a page that lists a tag twice is the last one.
            if entry.1.last() != Some(&i) {
                entry.1.push(i);
            }
        }
    }
    tags
}

/// The home page's map of the notes (its SVG and caption, in the site's language) and its key: every page but the home
/// as a node, grouped by section, each link between two of them as an edge;
/// [`figures::LinkMap`] decides what is drawn. It is kept by the site's key and the links, so
/// that a rebuild makes the map's nodes again only when those changed.
fn link_map(site: &Site, backlinks: &[Vec<Backlink>], site_key: u64, memo: &mut Memo) -> (Arc<str>, u64) {
    let edges: Vec<(usize, usize)> = backlinks
        .iter()
        .enumerate()
        .flat_map(|(to, from)| from.iter().map(move |b| (b.from, to)))
        .collect();
    let lang = figures::Lang::of(&site.config.language);
    let key = memo.key((site_key, edges, lang));
    let html = memo.drawings.get_or_make(key, || {
        let figure = map_of(site, backlinks).draw(lang);
        let mut caption = String::new();
        pulldown_cmark_escape::escape_html(&mut caption, &figure.caption).ok();
        format!("{}\n<figcaption>{caption}</figcaption>", figure.svg).into()
    });
    (html, key)
}

fn map_of(site: &Site, backlinks: &[Vec<Backlink>]) -> figures::LinkMap {
    let home = site.sections[0].index;
    let order: Vec<usize> = site
        .reading_order
        .iter()
        .copied()
        .filter(|&i| i != home)
        .collect();
    let mut nodes_by_page = vec![None; site.pages.len()];
    for (node, &page) in order.iter().enumerate() {
        nodes_by_page[page] = Some(node);
    }
    // Sections that hold notes, in the order their first note is read.
    let mut groups = Vec::new();
    let mut group_of = vec![None; site.sections.len()];
    let nodes: Vec<(String, usize)> = order
        .iter()
        .map(|&i| {
            let section = site.pages[i].section;
            let group = *group_of[section].get_or_insert_with(|| {
                groups.push(site.pages[site.sections[section].index].meta.title.clone());
                groups.len() - 1
            });
            (site.pages[i].meta.title.clone(), group)
        })
        .collect();
    let edges: Vec<(usize, usize)> = backlinks
        .iter()
        .enumerate()
        .flat_map(|(to, from)| from.iter().map(move |b| (b.from, to)))
        .filter_map(|(from, to)| Some((nodes_by_page[from]?, nodes_by_page[to]?)))
        .collect();
    figures::LinkMap::new(groups, nodes, &edges)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_site_path_is_the_path_of_base_url() {
        assert_eq!(site_path("https://o.github.io/notes").as_deref(), Some("/notes/"));
        assert_eq!(site_path("https://o.github.io/a/b/").as_deref(), Some("/a/b/"));
        assert_eq!(site_path("https://example.org").as_deref(), Some("/"));
        assert_eq!(site_path(""), None);
    }
}
