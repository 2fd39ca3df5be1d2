//! Template stage: builds each page's view (navigation, breadcrumbs, prev/next, backlinks) and
//! renders it with tera. The default theme is compiled in; a site's own `templates/` folder
//! overrides it file by file.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

use serde::Serialize;
use tera::{Context, ErrorKind, Tera};

use crate::content::{Page, Site};
use crate::diagnostics::Diagnostic;
use crate::links::Backlink;
use crate::markdown::Rendered;
use crate::urls;

pub const TEMPLATE_DIR: &str = "templates";

/// The default theme: the repository's own `templates/`, compiled into the binary.
const DEFAULTS: &[(&str, &str)] = &[
    ("base.html", include_str!("../templates/base.html")),
    ("index.html", include_str!("../templates/index.html")),
    ("section.html", include_str!("../templates/section.html")),
    ("page.html", include_str!("../templates/page.html")),
    ("404.html", include_str!("../templates/404.html")),
    ("pager.html", include_str!("../templates/pager.html")),
    ("backlinks.html", include_str!("../templates/backlinks.html")),
    ("print.html", include_str!("../templates/print.html")),
];

pub struct Templates {
    tera: Tera,
    /// A hash of every template's name and text: equal fingerprints render equal views alike.
    pub fingerprint: u64,
}

impl Templates {
    /// Loads the default templates, replaced by any file of the same name in `root/templates/`,
    /// plus any other `.html` file there (partials).
    pub fn load(root: &Path) -> Result<Self, Vec<Diagnostic>> {
        let mut sources: Vec<(String, String)> = DEFAULTS
            .iter()
            .map(|(n, s)| (n.to_string(), s.to_string()))
            .collect();
        let mut diagnostics = Vec::new();
        let dir = root.join(TEMPLATE_DIR);
        if let Ok(entries) = std::fs::read_dir(&dir) {
            let mut names: Vec<String> = entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".html"))
                .collect();
            names.sort();
            for name in names {
                match std::fs::read_to_string(dir.join(&name)) {
                    Ok(text) => match sources.iter_mut().find(|(n, _)| *n == name) {
                        Some(slot) => slot.1 = text,
                        None => sources.push((name, text)),
                    },
                    Err(e) => diagnostics.push(Diagnostic::error(
                        format!("{TEMPLATE_DIR}/{name}"),
                        0,
                        0,
                        format!("cannot read: {e}"),
                    )),
                }
            }
        }
        let mut tera = Tera::new();
        tera.autoescape_on(vec![".html", ".xml"]);
        if let Err(e) = tera.add_raw_templates(sources.iter().map(|(n, t)| (n.as_str(), t.as_str()))) {
            diagnostics.extend(load_errors(&e));
        }
        if diagnostics.is_empty() {
            let mut hasher = std::hash::DefaultHasher::new();
            sources.hash(&mut hasher);
            Ok(Self {
                tera,
                fingerprint: hasher.finish(),
            })
        } else {
            Err(diagnostics)
        }
    }

    pub fn render(&self, name: &str, context: &Context) -> Result<String, Diagnostic> {
        self.tera
            .render(name, context)
            .map_err(|e| template_error(name, &e))
    }
}

/// Errors found while loading the templates. Tera reports unknown filters, tests and functions of
/// every template together as one text of reports, each with a `--> file:line:col` line: split it.
fn load_errors(e: &tera::Error) -> Vec<Diagnostic> {
    let ErrorKind::Msg(text) = e.kind() else {
        return vec![template_error("base.html", e)];
    };
    let mut diagnostics = Vec::new();
    let mut message = "";
    for line in text.lines() {
        if let Some(m) = line.trim_start().strip_prefix("error: ") {
            message = m;
        } else if let Some(place) = line.trim_start().strip_prefix("--> ") {
            let mut parts = place.rsplitn(3, ':');
            let (col, line, file) = (parts.next(), parts.next(), parts.next());
            if let (Some(file), Some(line), Some(col)) = (file, line, col) {
                diagnostics.push(Diagnostic::error(
                    format!("{TEMPLATE_DIR}/{file}"),
                    line.parse().unwrap_or(0),
                    col.parse().unwrap_or(0),
                    format!("template: {message}"),
                ));
            }
        }
    }
    if diagnostics.is_empty() {
        diagnostics.push(template_error("base.html", e));
    }
    diagnostics
}

/// A tera error as a diagnostic naming the template file and line.
fn template_error(name: &str, e: &tera::Error) -> Diagnostic {
    let (file, line, col, message) = match e.kind() {
        ErrorKind::SyntaxError(report) | ErrorKind::RenderingError(report) => {
            let file = if report.filename().is_empty() {
                name
            } else {
                report.filename()
            };
            let span = report.span();
            (
                file.to_string(),
                span.start_line,
                span.start_col + 1,
                report.message().to_string(),
            )
        }
        ErrorKind::CircularExtend { tpl, .. }
        | ErrorKind::CircularInclude { tpl, .. }
        | ErrorKind::MissingParent { current: tpl, .. } => (tpl.clone(), 0, 0, e.to_string()),
        _ => (name.to_string(), 0, 0, e.to_string()),
    };
    Diagnostic::error(
        format!("{TEMPLATE_DIR}/{file}"),
        line,
        col,
        format!("template: {message}"),
    )
}

#[derive(Serialize, Hash)]
pub struct LinkView<'a> {
    pub title: &'a str,
    pub href: String,
}

#[derive(Serialize, Hash)]
struct Entry<'a> {
    title: &'a str,
    href: String,
    summary: &'a str,
}

#[derive(Hash)]
struct NavItem {
    /// The page this item links to.
    page: usize,
    title: String,
    href: String,
    /// This item's section holds the page being shown: it is expanded.
    open: bool,
    /// The link to the full list of sections that this level of the sidebar shows a part of.
    more: bool,
    children: Vec<NavItem>,
}

/// A sidebar as a page shows it: the items, made once and shared by every page of a folder
/// (their hrefs are alike), with the page being shown marked `current` as they are serialized.
/// It hashes as the items' hash and the current page, so a page's view hashes without going
/// through the sidebar again.
pub struct Nav {
    items: Arc<NavItems>,
    current: Option<usize>,
}

/// A sidebar's items and their hash.
struct NavItems {
    items: Vec<NavItem>,
    key: u64,
}

impl NavItems {
    fn shared(items: Vec<NavItem>) -> Arc<Self> {
        let key = fixed_hasher().hash_one(&items);
        Arc::new(Self { items, key })
    }
}

impl Hash for Nav {
    fn hash<H: Hasher>(&self, state: &mut H) {
        (self.items.key, self.current).hash(state);
    }
}

impl Serialize for Nav {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.items.items.iter().map(|item| Marked {
            item,
            current: self.current,
        }))
    }
}

/// One sidebar item with whether it is the page being shown.
struct Marked<'a> {
    item: &'a NavItem,
    current: Option<usize>,
}

impl Serialize for Marked<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let item = self.item;
        let mut s = serializer.serialize_struct("NavItem", 6)?;
        s.serialize_field("title", &item.title)?;
        s.serialize_field("href", &item.href)?;
        s.serialize_field("current", &(Some(item.page) == self.current && !item.more))?;
        s.serialize_field("open", &item.open)?;
        s.serialize_field("more", &item.more)?;
        let children: Vec<Marked> = item
            .children
            .iter()
            .map(|item| Marked {
                item,
                current: self.current,
            })
            .collect();
        s.serialize_field("children", &children)?;
        s.end()
    }
}

/// A text a page shows (its body, the map of the notes), with a key that can stand for it in
/// the view's hash: hashing megabytes of HTML on every rebuild would cost more than the rest of
/// the views. The key is the text's hash, kept from when the text was made.
pub struct Body<'a> {
    pub html: &'a str,
    pub key: Option<u64>,
}

impl<'a> Body<'a> {
    /// A text that is hashed itself.
    pub fn new(html: &'a str) -> Self {
        Self { html, key: None }
    }
}

impl Hash for Body<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        match self.key {
            Some(key) => key.hash(state),
            None => self.html.hash(state),
        }
    }
}

impl Serialize for Body<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.html)
    }
}

/// For what is hashed once per site and not per page: the same seed in every run.
fn fixed_hasher() -> ahash::RandomState {
    ahash::RandomState::with_seeds(1, 2, 3, 4)
}

/// At each level the sidebar lists this many sections before and after the open one (or the
/// first `2 * NAV_WINDOW + 1`), so a page's size does not grow with the number of sections;
/// the full list is one link away.
const NAV_WINDOW: usize = 8;

/// The range of `len` sections shown around the open one at `open`.
fn nav_window(open: Option<usize>, len: usize) -> std::ops::Range<usize> {
    let shown = 2 * NAV_WINDOW + 1;
    let start = open
        .map_or(0, |i| i.saturating_sub(NAV_WINDOW))
        .min(len.saturating_sub(shown));
    start..len.min(start + shown)
}

#[derive(Serialize, Hash)]
struct TocEntry<'a> {
    level: u8,
    id: &'a str,
    text: &'a str,
}

#[derive(Serialize, Hash)]
struct BacklinkView<'a> {
    title: &'a str,
    href: String,
    sentence: &'a str,
}

/// Everything a template sees for one page. Its hash, with the templates' fingerprint, tells
/// whether a page must be laid out again (see `build::Cache`).
#[derive(Serialize, Hash)]
pub struct PageView<'a> {
    site_title: &'a str,
    site_description: &'a str,
    language: &'a str,
    /// Prefix from this page to the output root (`""`, `"../"`, …).
    pub root: String,
    title: &'a str,
    summary: &'a str,
    /// The page's rendered body (or the print edition's).
    pub content: Body<'a>,
    tags: Vec<LinkView<'a>>,
    toc: Vec<TocEntry<'a>>,
    nav: Nav,
    breadcrumbs: Vec<LinkView<'a>>,
    prev: Option<LinkView<'a>>,
    next: Option<LinkView<'a>>,
    backlinks: Vec<BacklinkView<'a>>,
    /// For section and home pages: their notes and subsections, in reading order.
    pages: Vec<Entry<'a>>,
    subsections: Vec<Entry<'a>>,
    edit_url: Option<String>,
    last_changed: Option<&'a str>,
    canonical: Option<String>,
    /// The home page's map of the notes (an SVG).
    pub link_map: Option<Body<'a>>,
}

/// Site-wide facts the views need, computed once.
pub struct SiteViews<'a> {
    pub site: &'a Site,
    pub rendered: &'a [Arc<Rendered>],
    pub backlinks: &'a [Vec<Backlink>],
    /// Output path of each tag's page, by tag name.
    pub tag_pages: &'a std::collections::BTreeMap<String, String>,
    /// Date of the last commit that changed each page, by path under `content/`.
    pub last_changed: &'a HashMap<String, String>,
    /// Each page's hash of its rendered HTML, when views are to be hashed (see [`Body`]).
    pub content_keys: Option<&'a [u64]>,
    /// Each page's place in the reading order.
    positions: Vec<Option<usize>>,
    /// Each page's output path.
    paths: Vec<String>,
    /// Each section's sidebar, made once: it is the same for every page of the section (they
    /// share a folder, so hrefs are alike) but for the item marked current.
    section_navs: Vec<OnceLock<Arc<NavItems>>>,
    /// The sidebar of listing pages (tags, 404, print edition), made once per folder.
    list_navs: Mutex<HashMap<String, Arc<NavItems>>>,
}

impl<'a> SiteViews<'a> {
    pub fn new(
        site: &'a Site,
        rendered: &'a [Arc<Rendered>],
        backlinks: &'a [Vec<Backlink>],
        tag_pages: &'a std::collections::BTreeMap<String, String>,
        last_changed: &'a HashMap<String, String>,
        content_keys: Option<&'a [u64]>,
    ) -> Self {
        let mut positions = vec![None; site.pages.len()];
        for (p, &i) in site.reading_order.iter().enumerate() {
            positions[i] = Some(p);
        }
        Self {
            site,
            rendered,
            backlinks,
            tag_pages,
            last_changed,
            content_keys,
            positions,
            paths: site.pages.iter().map(Page::output_path).collect(),
            list_navs: Default::default(),
            section_navs: site.sections.iter().map(|_| OnceLock::new()).collect(),
        }
    }
}

impl SiteViews<'_> {
    pub fn page_view(&self, i: usize) -> PageView<'_> {
        let site = self.site;
        let page = &site.pages[i];
        let from = &self.paths[i];
        let href = |j: usize| urls::relative(from, &self.paths[j]);
        let link = |j: usize| LinkView {
            title: &site.pages[j].meta.title,
            href: href(j),
        };
        let position = self.positions[i];
        let prev = position
            .and_then(|p| p.checked_sub(1))
            .map(|p| link(site.reading_order[p]));
        let next = position
            .and_then(|p| site.reading_order.get(p + 1))
            .map(|&j| link(j));
        let entry = |j: usize| Entry {
            title: &site.pages[j].meta.title,
            href: href(j),
            summary: &site.pages[j].meta.summary,
        };
        let (pages, subsections) = if page.is_section_index() {
            let s = &site.sections[page.section];
            (
                s.pages.iter().map(|&j| entry(j)).collect(),
                s.subsections
                    .iter()
                    .map(|&c| entry(site.sections[c].index))
                    .collect(),
            )
        } else {
            (Vec::new(), Vec::new())
        };
        PageView {
            site_title: &site.config.title,
            site_description: &site.config.description,
            language: &site.config.language,
            root: urls::to_root(from),
            title: &page.meta.title,
            summary: &page.meta.summary,
            content: Body {
                html: &self.rendered[i].html,
                key: self.content_keys.map(|keys| keys[i]),
            },
            tags: page
                .meta
                .tags
                .iter()
                .filter_map(|t| {
                    let out = self.tag_pages.get(t)?;
                    Some(LinkView {
                        title: t,
                        href: urls::relative(from, out),
                    })
                })
                .collect(),
            toc: self.rendered[i]
                .headings
                .iter()
                .filter(|h| h.level == 2 || h.level == 3)
                .map(|h| TocEntry {
                    level: h.level,
                    id: &h.id,
                    text: &h.text,
                })
                .collect(),
            nav: self.page_nav(i),
            breadcrumbs: self.breadcrumbs(page, from),
            prev,
            next,
            backlinks: self.backlinks[i]
                .iter()
                .map(|b| BacklinkView {
                    title: &site.pages[b.from].meta.title,
                    href: href(b.from),
                    sentence: &b.sentence,
                })
                .collect(),
            pages,
            subsections,
            edit_url: site.config.edit_url(&page.file),
            last_changed: self.last_changed.get(&page.rel).map(String::as_str),
            link_map: None,
            canonical: canonical(&site.config.base_url, from),
        }
    }

    /// Page `i`'s sidebar: its section's, with `i` marked current.
    fn page_nav(&self, i: usize) -> Nav {
        let page = &self.site.pages[i];
        let items = self.section_navs[page.section].get_or_init(|| {
            let index = self.site.sections[page.section].index;
            NavItems::shared(self.nav(Some(page.section), &self.paths[index]))
        });
        Nav {
            items: items.clone(),
            current: Some(i),
        }
    }

    /// The sections of the site, with only the open chain down to `section` expanded and a
    /// window of sections at each level, so a page's size does not grow with the site. No item
    /// is marked current.
    fn nav(&self, section: Option<usize>, from: &str) -> Vec<NavItem> {
        let site = self.site;
        let mut open_chain = Vec::new();
        let mut s = section;
        while let Some(id) = s {
            open_chain.push(id);
            s = site.sections[id].parent;
        }
        let item = |j: usize, children: Vec<NavItem>, open: bool| NavItem {
            page: j,
            title: site.pages[j].meta.title.clone(),
            href: urls::relative(from, &self.paths[j]),
            open,
            more: false,
            children,
        };
        fn section_items(
            views: &SiteViews,
            s: usize,
            open_chain: &[usize],
            item: &dyn Fn(usize, Vec<NavItem>, bool) -> NavItem,
        ) -> Vec<NavItem> {
            let section = &views.site.sections[s];
            let mut items: Vec<NavItem> = section
                .pages
                .iter()
                .map(|&j| item(j, Vec::new(), false))
                .collect();
            let subs = &section.subsections;
            let window = nav_window(subs.iter().position(|c| open_chain.contains(c)), subs.len());
            let partial = window.len() < subs.len();
            for &sub in &subs[window] {
                let open = open_chain.contains(&sub);
                let children = if open {
                    section_items(views, sub, open_chain, item)
                } else {
                    Vec::new()
                };
                items.push(item(views.site.sections[sub].index, children, open));
            }
            if partial {
                // The section's own page lists all its subsections.
                let mut all = item(section.index, Vec::new(), false);
                all.title = format!("全部章节（{}）", subs.len());
                all.href.push_str("#sections");
                all.more = true;
                items.push(all);
            }
            items
        }
        let mut nav = vec![item(site.sections[0].index, Vec::new(), false)];
        nav.extend(section_items(self, 0, &open_chain, &item));
        nav
    }

    /// The sidebar of a listing page at `from`, which lists no page as current.
    fn list_nav(&self, from: &str) -> Nav {
        let folder = from.rfind('/').map_or("", |i| &from[..i]);
        let mut navs = self.list_navs.lock().unwrap_or_else(|e| e.into_inner());
        let items = navs
            .entry(folder.to_string())
            .or_insert_with(|| NavItems::shared(self.nav(None, from)))
            .clone();
        Nav { items, current: None }
    }

    fn breadcrumbs(&self, page: &Page, from: &str) -> Vec<LinkView<'_>> {
        let site = self.site;
        let mut chain = Vec::new();
        let mut s = Some(page.section);
        while let Some(id) = s {
            let index = site.sections[id].index;
            if site.pages[index].rel != page.rel {
                chain.push(LinkView {
                    title: &site.pages[index].meta.title,
                    href: urls::relative(from, &self.paths[index]),
                });
            }
            s = site.sections[id].parent;
        }
        chain.reverse();
        chain
    }
}

impl SiteViews<'_> {
    pub fn list_view<'v>(
        &'v self,
        from: &str,
        title: &'v str,
        summary: &'v str,
        entries: &'v [(String, String, String)],
    ) -> PageView<'v> {
        let config = &self.site.config;
        PageView {
            site_title: &config.title,
            site_description: &config.description,
            language: &config.language,
            root: urls::to_root(from),
            title,
            summary,
            content: Body::new(""),
            tags: Vec::new(),
            toc: Vec::new(),
            nav: self.list_nav(from),
            breadcrumbs: vec![LinkView {
                title: &self.site.pages[self.site.sections[0].index].meta.title,
                href: urls::relative(from, "index.html"),
            }],
            prev: None,
            next: None,
            backlinks: Vec::new(),
            pages: entries
                .iter()
                .map(|(title, path, summary)| Entry {
                    title,
                    href: urls::relative(from, path),
                    summary,
                })
                .collect(),
            subsections: Vec::new(),
            edit_url: None,
            last_changed: None,
            link_map: None,
            canonical: canonical(&config.base_url, from),
        }
    }
}

pub fn context(view: &PageView) -> Context {
    Context::from_serialize(view).unwrap_or_default()
}

fn canonical(base_url: &str, path: &str) -> Option<String> {
    if base_url.is_empty() {
        return None;
    }
    Some(format!(
        "{}/{}",
        base_url.trim_end_matches('/'),
        path.trim_end_matches("index.html")
    ))
}
