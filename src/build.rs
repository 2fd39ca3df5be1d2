//! The pipeline, stage by stage: load content → render markdown (with figures) → check
//! cross-links → search index → templates → write output. Each stage collects diagnostics and
//! goes on; the pipeline stops between stages when there are errors.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use walkdir::WalkDir;

use crate::config::Config;
use crate::content::{self, CONTENT_DIR, Page, Site};
use crate::diagnostics::{Diagnostic, has_errors};
use crate::markdown::{self, InEdition, Rendered, slug::slug};
use crate::output::{self, Contents, OutputFile};
use crate::templates::{Templates, context};
use crate::views::{Body, PageView, SiteViews};
use crate::{figures, history, links, print, search};

pub const STATIC_DIR: &str = "static";

/// The default theme's static files, compiled in; a site's own `static/` overrides them.
const DEFAULT_STATIC: &[(&str, &[u8])] = &[
    ("style.css", include_bytes!("../static/style.css")),
    ("figmark.js", include_bytes!("../static/figmark.js")),
    ("search.js", include_bytes!("../static/search.js")),
    ("math.css", include_bytes!("../static/math.css")),
    (
        "fonts/latinmodern-math.woff2",
        include_bytes!("../static/fonts/latinmodern-math.woff2"),
    ),
];

/// A site computed in memory, ready to be written.
pub struct Plan {
    pub files: Vec<OutputFile>,
    pub pages: usize,
    pub sections: usize,
    pub figures: usize,
    /// Pages whose markdown was rendered (not taken from a [`Cache`]).
    pub rendered_pages: usize,
    /// Output pages rendered by a template (not taken from a [`Cache`]).
    pub laid_out: usize,
    /// Warnings only: a plan is made only when there are no errors.
    pub warnings: Vec<Diagnostic>,
}

/// What earlier builds computed, kept by `figmark serve` so that a rebuild redoes only what a
/// change touched: a page's markdown is rendered again only when its file changed, and an output
/// page is laid out again only when what its template shows (its view: title, navigation,
/// backlinks, listings, content…) or the templates changed (a view hashes page bodies and
/// sidebars by keys kept from when they were made, not by their text); a file is read and its
/// front matter parsed again only when its size or time changed (or, while a file watcher
/// vouches that notes were only edited, only when it was edited); a page's search terms are
/// found again only when its text changed; the home page's map is drawn again only when its
/// nodes or edges changed; git's history is read again only when the commit changed;
/// unchanged output is shared with the last build, not copied.
/// Everything else (link checks, views) is cheap and always recomputed, so the result is the
/// same as a full build's.
#[derive(Default)]
pub struct Cache {
    markdown: MarkdownCache,
    html: HtmlCache,
    /// A fast hasher for views; its random seed lives as long as the cache.
    hasher: ahash::RandomState,
    search: search::Cache,
    front_matter: content::Cache,
    /// The home page's map of the notes (its SVG and caption) and a hash of what it shows.
    link_map: (u64, String),
    history: history::Cache,
}

impl Cache {
    /// What a file watcher saw since the last build (see [`content::Cache::watched`]).
    pub fn watched(&mut self, edited: Option<HashSet<String>>) {
        self.front_matter.watched(edited);
    }
}

/// By output path: the hash of (templates, template name, view) and the HTML made from it.
type HtmlCache = HashMap<String, (u64, Arc<[u8]>)>;

/// The last build's rendered markdown, with the path and source of each page it came from.
#[derive(Default)]
struct MarkdownCache {
    inputs: RenderInputs,
    sources: Vec<(String, Arc<str>)>,
    rendered: Vec<Rendered>,
    /// Each rendered page's hash of its HTML, which stands for it in its view's hash.
    keys: Vec<u64>,
}

/// What a page's rendering depends on besides its own file.
#[derive(Default, PartialEq)]
struct RenderInputs {
    /// Links to folders resolve against the set of sections.
    section_dirs: HashSet<String>,
    /// Every page's id in the print edition, which links between pages point to.
    prefixes: HashMap<String, String>,
    unsafe_html: bool,
}

impl RenderInputs {
    fn render(&self, page: &Page) -> Rendered {
        let edition = InEdition {
            prefix: &self.prefixes[&page.rel],
            prefixes: &self.prefixes,
        };
        markdown::render(page, &self.section_dirs, self.unsafe_html, Some(&edition))
    }
}

/// Runs every stage but the write. `Err` holds every diagnostic found, errors and warnings.
pub fn plan(root: &Path) -> Result<Plan, Vec<Diagnostic>> {
    plan_with(root, None)
}

/// Like [`plan`], reusing what `cache` holds from earlier calls and refreshing it.
pub fn plan_incremental(root: &Path, cache: &mut Cache) -> Result<Plan, Vec<Diagnostic>> {
    plan_with(root, Some(cache))
}

fn plan_with(root: &Path, mut cache: Option<&mut Cache>) -> Result<Plan, Vec<Diagnostic>> {
    let config = Config::load(root).map_err(|d| vec![d])?;
    let history = history::start(root, cache.is_some());
    let front_matter = cache.as_deref_mut().map(|c| &mut c.front_matter);
    let (site, mut diagnostics) = content::load(root, config, front_matter);
    let templates = Templates::load(root).map_err(|d| diagnostics.extend(d)).ok();
    let Some(site) = site else {
        return Err(finish(diagnostics));
    };

    let section_dirs: HashSet<String> = site.sections.iter().map(|s| s.dir.clone()).collect();
    let inputs = RenderInputs {
        prefixes: print::prefixes(&site),
        section_dirs,
        unsafe_html: site.config.unsafe_html,
    };
    let (markdown_cache, mut html_cache, search_cache, link_map_cache, history_cache) = match cache {
        Some(c) => (
            Some((&mut c.markdown, &c.hasher)),
            Some((&mut c.html, &c.hasher)),
            Some(&mut c.search),
            Some(&mut c.link_map),
            Some(&mut c.history),
        ),
        None => (None, None, None, None, None),
    };
    let local: Vec<Rendered>;
    let local_inputs: RenderInputs;
    let (rendered, content_keys, inputs, rendered_pages) = match markdown_cache {
        Some((cache, hasher)) => {
            let fresh = cache.update(&site, inputs, hasher);
            (&cache.rendered[..], Some(&cache.keys[..]), &cache.inputs, fresh)
        }
        None => {
            local = site.pages.par_iter().map(|p| inputs.render(p)).collect();
            local_inputs = inputs;
            (&local[..], None, &local_inputs, local.len())
        }
    };
    for r in rendered {
        diagnostics.extend(r.diagnostics.iter().cloned());
    }
    let (link_diagnostics, backlinks) = links::check(root, &site, rendered);
    diagnostics.extend(link_diagnostics);
    let Some(templates) = templates else {
        return Err(finish(diagnostics));
    };
    if has_errors(&diagnostics) {
        return Err(finish(diagnostics));
    }

    let last_changed = history.finish(history_cache);
    let tags = tag_pages(&site);
    let tag_paths: BTreeMap<String, String> = tags
        .iter()
        .map(|(name, (path, _))| (name.clone(), path.clone()))
        .collect();
    let views = SiteViews::new(
        &site,
        rendered,
        &backlinks,
        &tag_paths,
        &last_changed,
        content_keys,
    );
    let (link_map, link_map_key) = link_map(
        &site,
        &backlinks,
        link_map_cache.zip(html_cache.as_ref().map(|(_, hasher)| *hasher)),
    );
    let mut files = BTreeMap::new();
    let mut laid_out = 0;
    let cached_html = html_cache.as_ref().map(|(html, hasher)| (&**html, *hasher));
    let pages: Vec<Result<LaidOut, Diagnostic>> = (0..site.pages.len())
        .into_par_iter()
        .map(|i| {
            let page = &site.pages[i];
            let mut view = views.page_view(i);
            if page.rel == content::SECTION_INDEX {
                view.link_map = Some(Body {
                    html: &link_map,
                    key: link_map_key,
                });
            }
            lay_out(
                &templates,
                cached_html,
                template_for(page),
                page.output_path(),
                &view,
            )
        })
        .collect();
    let mut fresh_html = Vec::new();
    let mut keep = |f: LaidOut, files: &mut BTreeMap<String, Contents>| {
        laid_out += usize::from(f.fresh);
        if cached_html.is_some() && f.fresh {
            fresh_html.push((f.path.clone(), (f.key, f.html.clone())));
        }
        files.insert(f.path, Contents::Bytes(f.html));
    };
    for page in pages {
        match page {
            Ok(f) => keep(f, &mut files),
            Err(d) => diagnostics.push(d),
        }
    }
    let mut render_listing =
        |path: &str, title: &str, summary: &str, entries: &[(String, String, String)]| {
            let view = views.list_view(path, title, summary, entries);
            match lay_out(&templates, cached_html, "section.html", path.to_string(), &view) {
                Ok(f) => keep(f, &mut files),
                Err(d) => diagnostics.push(d),
            }
        };
    let tag_entries: Vec<(String, String, String)> = tags
        .iter()
        .map(|(name, (path, pages))| {
            (
                format!("#{name}"),
                path.clone(),
                format!("{} 篇笔记", pages.len()),
            )
        })
        .collect();
    if !tag_entries.is_empty() {
        render_listing("tags/index.html", "标签", "按标签浏览全部笔记。", &tag_entries);
    }
    for (name, (path, pages)) in &tags {
        let entries: Vec<(String, String, String)> = pages
            .iter()
            .map(|&i| {
                (
                    site.pages[i].meta.title.clone(),
                    site.pages[i].output_path(),
                    site.pages[i].meta.summary.clone(),
                )
            })
            .collect();
        render_listing(path, &format!("标签：{name}"), "", &entries);
    }
    let mut not_found = views.list_view("404.html", "找不到页面", "", &[]);
    let base = site.config.base_url.trim_end_matches('/');
    if !base.is_empty() {
        // GitHub Pages serves 404.html at any missing path, where relative links would not resolve.
        not_found.root = format!("{base}/");
    }
    match lay_out(&templates, cached_html, "404.html", "404.html".into(), &not_found) {
        Ok(f) => keep(f, &mut files),
        Err(d) => diagnostics.push(d),
    }
    let mut edition = views.list_view(print::OUTPUT, "打印版", &site.config.description, &[]);
    // The body (megabytes) is put in after the layout, not copied through the template engine.
    edition.content = Body::new(print::BODY_MARK);
    match lay_out(
        &templates,
        cached_html,
        "print.html",
        print::OUTPUT.into(),
        &edition,
    ) {
        Ok(f) => keep(f, &mut files),
        Err(d) => diagnostics.push(d),
    }
    if let Some((html, _)) = &mut html_cache {
        html.retain(|path, _| files.contains_key(path));
        html.extend(fresh_html);
    }
    if let Some(Contents::Bytes(layout)) = files.get(print::OUTPUT) {
        let parts = print::fill(
            &String::from_utf8_lossy(layout),
            &site,
            rendered,
            &inputs.prefixes,
        );
        files.insert(print::OUTPUT.into(), Contents::Parts(parts));
    }
    if has_errors(&diagnostics) {
        return Err(finish(diagnostics));
    }

    if !base.is_empty() {
        files.insert("sitemap.xml".into(), sitemap(&site, base).into());
    }
    files.insert(".nojekyll".into(), Vec::new().into());
    files.insert(
        search::INDEX_FILE.into(),
        match search_cache {
            Some(cache) => search::script_incremental(&site, rendered, cache),
            None => search::script(&site, rendered),
        }
        .into(),
    );
    files.insert(
        "highlight.css".into(),
        Contents::Bytes(markdown::highlight::theme_css().as_bytes().into()),
    );
    for (name, bytes) in DEFAULT_STATIC {
        files.insert((*name).into(), Contents::Bytes((*bytes).into()));
    }
    for (rel, path) in walk_files(&root.join(STATIC_DIR)) {
        files.insert(rel, Contents::Copy(path));
    }
    for asset in &site.assets {
        files.insert(asset.clone(), Contents::Copy(root.join(CONTENT_DIR).join(asset)));
    }

    Ok(Plan {
        pages: site.pages.len(),
        sections: site.sections.len(),
        figures: rendered.iter().map(|r| r.figures).sum(),
        rendered_pages,
        laid_out,
        files: files
            .into_iter()
            .map(|(path, contents)| OutputFile { path, contents })
            .collect(),
        warnings: finish(diagnostics),
    })
}

impl MarkdownCache {
    /// Renders the markdown of every page whose file changed since the last build and keeps the
    /// rest. Returns how many pages were rendered.
    fn update(&mut self, site: &Site, inputs: RenderInputs, hasher: &ahash::RandomState) -> usize {
        if self.inputs != inputs {
            // Every page may render differently.
            self.sources.clear();
            self.rendered.clear();
            self.keys.clear();
            self.inputs = inputs;
        }
        let mut old: Vec<Option<(Rendered, u64)>> = std::mem::take(&mut self.rendered)
            .into_iter()
            .zip(std::mem::take(&mut self.keys))
            .map(Some)
            .collect();
        let by_rel: HashMap<String, (Arc<str>, usize)> = std::mem::take(&mut self.sources)
            .into_iter()
            .enumerate()
            .map(|(i, (rel, source))| (rel, (source, i)))
            .collect();
        let kept: Vec<Option<(Rendered, u64)>> = site
            .pages
            .iter()
            .map(|p| match by_rel.get(&p.rel) {
                Some((source, i)) if Arc::ptr_eq(source, &p.source) || *source == p.source => old[*i].take(),
                _ => None,
            })
            .collect();
        let fresh = kept.iter().filter(|r| r.is_none()).count();
        let inputs = &self.inputs;
        (self.rendered, self.keys) = kept
            .into_par_iter()
            .zip(site.pages.par_iter())
            .map(|(r, p)| {
                r.unwrap_or_else(|| {
                    let rendered = inputs.render(p);
                    let key = hasher.hash_one(&rendered.html);
                    (rendered, key)
                })
            })
            .unzip();
        self.sources = site
            .pages
            .iter()
            .map(|p| (p.rel.clone(), p.source.clone()))
            .collect();
        fresh
    }
}

/// One output page made by a template, and whether it was rendered now or taken from the cache.
struct LaidOut {
    path: String,
    key: u64,
    html: Arc<[u8]>,
    fresh: bool,
}

/// Renders `view` with the template `name`, unless `cached` holds the output of an equal view.
fn lay_out(
    templates: &Templates,
    cached: Option<(&HtmlCache, &ahash::RandomState)>,
    name: &str,
    path: String,
    view: &PageView,
) -> Result<LaidOut, Diagnostic> {
    let key = cached.map_or(0, |(_, hasher)| {
        hasher.hash_one((templates.fingerprint, name, view))
    });
    if let Some((k, html)) = cached.and_then(|(c, _)| c.get(&path))
        && *k == key
    {
        let html = Arc::clone(html);
        return Ok(LaidOut {
            path,
            key,
            html,
            fresh: false,
        });
    }
    let html = templates.render(name, &context(view)?)?.into_bytes().into();
    Ok(LaidOut {
        path,
        key,
        html,
        fresh: true,
    })
}
/// Builds the site at `root` into `output`. On any error the previous output is left as it was.
pub fn build(root: &Path, output: &Path) -> Result<Plan, Vec<Diagnostic>> {
    let plan = plan(root)?;
    output::write_site(output, &plan.files).map_err(|e| {
        vec![Diagnostic::error(
            output,
            0,
            0,
            format!("cannot write the site: {e}"),
        )]
    })?;
    Ok(plan)
}

fn finish(mut diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    diagnostics.sort();
    diagnostics.dedup();
    diagnostics
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
            if !entry.1.contains(&i) {
                entry.1.push(i);
            }
        }
    }
    tags
}

/// The home page's map of the notes: every page but the home as a node, grouped by section,
/// each link between two of them as an edge; [`figures::LinkMap`] decides what is drawn. With
/// `cache` (the last map and a hash of what it shows), the map is drawn again only when what it
/// shows changed.
fn link_map(
    site: &Site,
    backlinks: &[Vec<links::Backlink>],
    cache: Option<(&mut (u64, String), &ahash::RandomState)>,
) -> (String, Option<u64>) {
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
    let node_of = |page: usize| nodes_by_page[page];
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
        .filter_map(|(from, to)| Some((node_of(from)?, node_of(to)?)))
        .collect();
    let map = figures::LinkMap::new(groups, nodes, &edges);
    let html = |map: &figures::LinkMap| {
        let figure = map.draw();
        let mut caption = String::new();
        pulldown_cmark_escape::escape_html(&mut caption, &figure.caption).ok();
        format!("{}\n<figcaption>{caption}</figcaption>", figure.svg)
    };
    match cache {
        Some(((key, drawn), hasher)) => {
            let new_key = hasher.hash_one(&map);
            if *key != new_key || drawn.is_empty() {
                *drawn = html(&map);
                *key = new_key;
            }
            (drawn.clone(), Some(*key))
        }
        None => (html(&map), None),
    }
}

fn sitemap(site: &Site, base: &str) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for &i in &site.reading_order {
        let path = site.pages[i].output_path();
        let path = path.strip_suffix("index.html").unwrap_or(&path);
        let mut loc = String::new();
        pulldown_cmark_escape::escape_html(&mut loc, &format!("{base}/{path}")).ok();
        xml.push_str(&format!("  <url><loc>{loc}</loc></url>\n"));
    }
    xml.push_str("</urlset>\n");
    xml
}

/// Files under `dir` as (`/`-separated relative path, full path), in a stable order.
fn walk_files(dir: &Path) -> Vec<(String, PathBuf)> {
    WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| {
            let rel = e.path().strip_prefix(dir).ok()?;
            let rel: Vec<&str> = rel
                .components()
                .map(|c| c.as_os_str().to_str())
                .collect::<Option<_>>()?;
            Some((rel.join("/"), e.path().to_path_buf()))
        })
        .collect()
}
