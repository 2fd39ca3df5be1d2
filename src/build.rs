//! The pipeline, stage by stage: load content → render markdown (with figures) → check
//! cross-links → search index → templates → write output. Each stage collects diagnostics and
//! goes on; the pipeline stops between stages when there are errors.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use walkdir::WalkDir;

use crate::config::Config;
use crate::content::{self, CONTENT_DIR, Page, Site};
use crate::diagnostics::{Diagnostic, has_errors};
use crate::markdown::{self, InEdition, Rendered, slug::slug};
use crate::output::{self, Contents, OutputFile};
use crate::print;
use crate::search;
use crate::templates::{SiteViews, Templates};
use crate::{figures, history, links};

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
    /// Warnings only: a plan is made only when there are no errors.
    pub warnings: Vec<Diagnostic>,
}

/// Runs every stage but the write. `Err` holds every diagnostic found, errors and warnings.
pub fn plan(root: &Path) -> Result<Plan, Vec<Diagnostic>> {
    let config = Config::load(root).map_err(|d| vec![d])?;
    let history = history::start(root);
    let (site, mut diagnostics) = content::load(root, config);
    let templates = Templates::load(root).map_err(|d| diagnostics.extend(d)).ok();
    let Some(site) = site else {
        return Err(finish(diagnostics));
    };

    let section_dirs: HashSet<String> = site.sections.iter().map(|s| s.dir.clone()).collect();
    let prefixes = print::prefixes(&site);
    let mut rendered: Vec<Rendered> = site
        .pages
        .par_iter()
        .map(|p| {
            let edition = InEdition {
                prefix: &prefixes[&p.rel],
                prefixes: &prefixes,
            };
            markdown::render(p, &section_dirs, site.config.unsafe_html, Some(&edition))
        })
        .collect();
    for r in &mut rendered {
        diagnostics.append(&mut r.diagnostics);
    }
    let (link_diagnostics, backlinks) = links::check(root, &site, &rendered);
    diagnostics.extend(link_diagnostics);
    let Some(templates) = templates else {
        return Err(finish(diagnostics));
    };
    if has_errors(&diagnostics) {
        return Err(finish(diagnostics));
    }

    let last_changed = history.finish();
    let tags = tag_pages(&site);
    let tag_paths: BTreeMap<String, String> = tags
        .iter()
        .map(|(name, (path, _))| (name.clone(), path.clone()))
        .collect();
    let views = SiteViews {
        site: &site,
        rendered: &rendered,
        backlinks: &backlinks,
        tag_pages: &tag_paths,
        last_changed: &last_changed,
    };
    let link_map = link_map(&site, &backlinks);
    let mut files = BTreeMap::new();
    let pages: Vec<Result<OutputFile, Diagnostic>> = (0..site.pages.len())
        .into_par_iter()
        .map(|i| {
            let page = &site.pages[i];
            let mut context = views.page_context(i);
            if page.rel == content::SECTION_INDEX {
                context.insert("link_map", &link_map);
            }
            let html = templates.render(template_for(page), &context)?;
            Ok(OutputFile {
                path: page.output_path(),
                contents: Contents::Bytes(html.into_bytes()),
            })
        })
        .collect();
    for page in pages {
        match page {
            Ok(f) => {
                files.insert(f.path, f.contents);
            }
            Err(d) => diagnostics.push(d),
        }
    }
    let mut render_listing =
        |path: &str, title: &str, summary: &str, entries: &[(String, String, String)]| match templates
            .render("section.html", &views.list_context(path, title, summary, entries))
        {
            Ok(html) => {
                files.insert(path.to_string(), Contents::Bytes(html.into_bytes()));
            }
            Err(d) => diagnostics.push(d),
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
    let mut not_found = views.list_context("404.html", "找不到页面", "", &[]);
    let base = site.config.base_url.trim_end_matches('/');
    if !base.is_empty() {
        // GitHub Pages serves 404.html at any missing path, where relative links would not resolve.
        not_found.insert("root", &format!("{base}/"));
    }
    match templates.render("404.html", &not_found) {
        Ok(html) => {
            files.insert("404.html".into(), Contents::Bytes(html.into_bytes()));
        }
        Err(d) => diagnostics.push(d),
    }
    let mut edition = views.list_context(print::OUTPUT, "打印版", &site.config.description, &[]);
    edition.insert("content", &print::body(&site, &rendered, &prefixes));
    match templates.render("print.html", &edition) {
        Ok(html) => {
            files.insert(print::OUTPUT.into(), Contents::Bytes(html.into_bytes()));
        }
        Err(d) => diagnostics.push(d),
    }
    if has_errors(&diagnostics) {
        return Err(finish(diagnostics));
    }

    if !base.is_empty() {
        files.insert(
            "sitemap.xml".into(),
            Contents::Bytes(sitemap(&site, base).into_bytes()),
        );
    }
    files.insert(".nojekyll".into(), Contents::Bytes(Vec::new()));
    files.insert(
        search::INDEX_FILE.into(),
        Contents::Bytes(search::script(&site, &rendered).into_bytes()),
    );
    files.insert(
        "highlight.css".into(),
        Contents::Bytes(markdown::highlight::theme_css().into_bytes()),
    );
    for (name, bytes) in DEFAULT_STATIC {
        files.insert((*name).into(), Contents::Bytes(bytes.to_vec()));
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
        files: files
            .into_iter()
            .map(|(path, contents)| OutputFile { path, contents })
            .collect(),
        warnings: finish(diagnostics),
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
/// each link between two of them as an edge.
fn link_map(site: &Site, backlinks: &[Vec<links::Backlink>]) -> String {
    let home = site.sections[0].index;
    let order: Vec<usize> = site
        .reading_order
        .iter()
        .copied()
        .filter(|&i| i != home)
        .collect();
    let node_of = |page: usize| order.iter().position(|&p| p == page);
    let nodes: Vec<(String, String)> = order
        .iter()
        .map(|&i| {
            let section = &site.pages[site.sections[site.pages[i].section].index];
            (site.pages[i].meta.title.clone(), section.meta.title.clone())
        })
        .collect();
    let edges: Vec<(usize, usize)> = backlinks
        .iter()
        .enumerate()
        .flat_map(|(to, from)| from.iter().map(move |b| (b.from, to)))
        .filter_map(|(from, to)| Some((node_of(from)?, node_of(to)?)))
        .collect();
    figures::link_map(&nodes, &edges)
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
