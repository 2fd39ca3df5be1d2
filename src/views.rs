//! Page views: what a template sees for each page (navigation, breadcrumbs, prev/next,
//! backlinks, listings), computed from the loaded site and its rendered markdown. Pure: no
//! template engine here (see `templates`), and every href is relative to the page shown.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex, OnceLock};

use serde::Serialize;

use crate::content::{Page, Site};
use crate::links::Backlink;
use crate::markdown::{Rendered, Target};
use crate::strings::Strings;
use crate::urls;

#[derive(Serialize, Hash)]
struct LinkView<'a> {
    title: &'a str,
    href: String,
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
struct Nav {
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
        let key = crate::stable::hash(&items);
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
    /// The site's path on its server (`/figmark/`), for a page served at any path (404.html):
    /// its links resolve against it when served, and stay relative when opened from disk.
    pub base_path: Option<String>,
    /// The interface strings.
    t: &'a Strings,
}

impl<'a> PageView<'a> {
    /// Makes a list view the frame of a print edition: `contents` as its table of contents
    /// (level, href of the page's place in the edition after `#`, title, as
    /// [`print::contents`](crate::print::contents) makes them) and `date` for its cover.
    pub fn edition(&mut self, contents: &'a [(u8, String, String)], date: Option<&'a str>) {
        self.toc = contents
            .iter()
            .map(|(level, href, title)| TocEntry {
                level: *level,
                id: href,
                text: title,
            })
            .collect();
        self.last_changed = date;
    }
}

/// Site-wide facts the views need, computed once.
pub struct SiteViews<'a> {
    pub site: &'a Site,
    rendered: &'a [Arc<Rendered>],
    backlinks: &'a [Vec<Backlink>],
    /// Output path of each tag's page, by tag name.
    tag_pages: &'a BTreeMap<String, String>,
    /// Date of the last commit that changed each page, by path under `content/`.
    last_changed: &'a HashMap<String, String>,
    /// Each page's hash of its rendered HTML, when views are to be hashed (see [`Body`]).
    content_keys: Option<&'a [u64]>,
    /// The site's interface strings.
    pub strings: Strings,
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
        tag_pages: &'a BTreeMap<String, String>,
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
            strings: Strings::new(&site.config.language, &site.config.strings),
            positions,
            paths: site.pages.iter().map(Page::output_path).collect(),
            list_navs: Default::default(),
            section_navs: site.sections.iter().map(|_| OnceLock::new()).collect(),
        }
    }
}

impl SiteViews<'_> {
    /// The view of page `i`.
    pub fn page_view(&self, i: usize) -> PageView<'_> {
        let site = self.site;
        let page = &site.pages[i];
        let from = &self.paths[i];
        let (prev, next) = self.pager(i);
        let (pages, subsections) = self.listing(i, from);
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
            tags: self.tags(page, from),
            toc: self.toc(i),
            nav: self.page_nav(i),
            breadcrumbs: self.breadcrumbs(page, from),
            prev,
            next,
            backlinks: self.backlinks(i),
            pages,
            subsections,
            edit_url: site.config.edit_url(&page.file),
            last_changed: self.last_changed.get(&page.rel).map(String::as_str),
            link_map: None,
            base_path: None,
            canonical: canonical(&site.config.base_url, from),
            t: &self.strings,
        }
    }

    /// A link from page `from` to page `j`.
    fn link(&self, from: usize, j: usize) -> LinkView<'_> {
        LinkView {
            title: &self.site.pages[j].meta.title,
            href: urls::relative(&self.paths[from], &self.paths[j]),
        }
    }

    /// The pages before and after page `i` in the reading order.
    fn pager(&self, i: usize) -> (Option<LinkView<'_>>, Option<LinkView<'_>>) {
        let order = &self.site.reading_order;
        let position = self.positions[i];
        let prev = position
            .and_then(|p| p.checked_sub(1))
            .map(|p| self.link(i, order[p]));
        let next = position.and_then(|p| order.get(p + 1)).map(|&j| self.link(i, j));
        (prev, next)
    }

    /// A section page's notes and subsections, in reading order, but for those its own text
    /// already links to (a hand-written list is not listed twice); nothing for a note.
    fn listing(&self, i: usize, from: &str) -> (Vec<Entry<'_>>, Vec<Entry<'_>>) {
        let site = self.site;
        let page = &site.pages[i];
        if !page.is_section_index() {
            return (Vec::new(), Vec::new());
        }
        let linked: HashSet<&str> = self.rendered[i]
            .links
            .iter()
            .filter_map(|l| match &l.target {
                Target::Page { rel, .. } => Some(rel.as_str()),
                _ => None,
            })
            .collect();
        let unlinked = |j: &usize| !linked.contains(site.pages[*j].rel.as_str());
        let unlinked_page = |j: &&usize| unlinked(j);
        let entry = |j: usize| Entry {
            title: &site.pages[j].meta.title,
            href: urls::relative(from, &self.paths[j]),
            summary: &site.pages[j].meta.summary,
        };
        let s = &site.sections[page.section];
        (
            s.pages.iter().filter(unlinked_page).map(|&j| entry(j)).collect(),
            s.subsections
                .iter()
                .map(|&c| site.sections[c].index)
                .filter(unlinked)
                .map(entry)
                .collect(),
        )
    }

    /// The page's tags that have a page, as links.
    fn tags<'v>(&'v self, page: &'v Page, from: &str) -> Vec<LinkView<'v>> {
        page.meta
            .tags
            .iter()
            .filter_map(|t| {
                let out = self.tag_pages.get(t)?;
                Some(LinkView {
                    title: t,
                    href: urls::relative(from, out),
                })
            })
            .collect()
    }

    /// Page `i`'s table of contents: its second- and third-level headings.
    fn toc(&self, i: usize) -> Vec<TocEntry<'_>> {
        self.rendered[i]
            .headings
            .iter()
            .filter(|h| h.level == 2 || h.level == 3)
            .map(|h| TocEntry {
                level: h.level,
                id: &h.id,
                text: &h.text,
            })
            .collect()
    }

    /// The pages linking to page `i`, each with the sentence that links.
    fn backlinks(&self, i: usize) -> Vec<BacklinkView<'_>> {
        self.backlinks[i]
            .iter()
            .map(|b| {
                let link = self.link(i, b.from);
                BacklinkView {
                    title: link.title,
                    href: link.href,
                    sentence: &b.sentence,
                }
            })
            .collect()
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
        let mut nav = vec![self.nav_item(site.sections[0].index, from)];
        nav.extend(self.section_items(0, &open_chain, from));
        nav
    }

    /// A closed sidebar item linking to page `j`.
    fn nav_item(&self, j: usize, from: &str) -> NavItem {
        NavItem {
            page: j,
            title: self.site.pages[j].meta.title.clone(),
            href: urls::relative(from, &self.paths[j]),
            open: false,
            more: false,
            children: Vec::new(),
        }
    }

    /// The sidebar items of section `s`: its notes, then a window of its subsections (those on
    /// `open_chain` expanded), then a link to all of them when some are left out.
    fn section_items(&self, s: usize, open_chain: &[usize], from: &str) -> Vec<NavItem> {
        let section = &self.site.sections[s];
        let mut items: Vec<NavItem> = section.pages.iter().map(|&j| self.nav_item(j, from)).collect();
        let subs = &section.subsections;
        let window = nav_window(subs.iter().position(|c| open_chain.contains(c)), subs.len());
        let partial = window.len() < subs.len();
        for &sub in &subs[window] {
            let mut item = self.nav_item(self.site.sections[sub].index, from);
            if open_chain.contains(&sub) {
                item.open = true;
                item.children = self.section_items(sub, open_chain, from);
            }
            items.push(item);
        }
        if partial {
            // The section's own page lists all its subsections.
            let mut all = self.nav_item(section.index, from);
            all.title = self.strings.count("all_sections", subs.len());
            all.href.push_str("#sections");
            all.more = true;
            items.push(all);
        }
        items
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

    /// The sections holding `page`, from the home page down, without the page itself.
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

    /// The view of a page that lists `entries` (title, output path, summary) and has no body of
    /// its own: a tag, the tags, 404, the print edition's frame.
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
            base_path: None,
            canonical: canonical(&config.base_url, from),
            t: &self.strings,
        }
    }
}

/// The absolute URL of the page at output path `path`, when the site has a `base_url`; a
/// folder's `index.html` is its folder.
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::markdown::Heading;

    /// A site loaded from `files` (path under `content/`, front matter fields).
    fn site(config: &str, files: &[(&str, &str)]) -> Site {
        let dir = tempfile::tempdir().unwrap();
        for (rel, meta) in files {
            let path = dir.path().join("content").join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, format!("---\n{meta}\n---\nbody\n")).unwrap();
        }
        let config = Config::parse(config).unwrap();
        let (site, diagnostics) =
            crate::content::load(dir.path(), config, &mut crate::memo::Files::default());
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        site.unwrap()
    }

    /// Home, a section `a` with two notes and a subsection `a/b` with one.
    fn nested() -> Site {
        site(
            "title = \"T\"\nbase_url = \"https://x.org/n/\"",
            &[
                ("_index.md", "title: Home"),
                ("a/_index.md", "title: A"),
                ("a/two.md", "title: Two\nweight: 20"),
                ("a/one.md", "title: One\nweight: 10"),
                ("a/b/_index.md", "title: B\nweight: 30"),
                ("a/b/deep.md", "title: Deep"),
            ],
        )
    }

    /// Views of `site` with no markdown rendered, links or tags.
    fn with_views<R>(site: &Site, rendered: &[Rendered], f: impl FnOnce(&SiteViews) -> R) -> R {
        let rendered: Vec<Arc<Rendered>> = rendered.iter().cloned().map(Arc::new).collect();
        let backlinks = vec![Vec::new(); site.pages.len()];
        let (tags, dates) = (BTreeMap::new(), HashMap::new());
        f(&SiteViews::new(site, &rendered, &backlinks, &tags, &dates, None))
    }

    fn index_of(site: &Site, rel: &str) -> usize {
        site.pages.iter().position(|p| p.rel == rel).unwrap()
    }

    fn links(links: &[LinkView]) -> Vec<(String, String)> {
        links
            .iter()
            .map(|l| (l.title.to_string(), l.href.clone()))
            .collect()
    }

    #[test]
    fn breadcrumbs_run_from_the_home_page_down_and_leave_out_the_page() {
        let site = nested();
        let rendered = vec![Rendered::default(); site.pages.len()];
        with_views(&site, &rendered, |views| {
            let deep = views.page_view(index_of(&site, "a/b/deep.md"));
            assert_eq!(
                links(&deep.breadcrumbs),
                [
                    ("Home".into(), "../../index.html".into()),
                    ("A".into(), "../index.html".into()),
                    ("B".into(), "index.html".into()),
                ]
            );
            let b = views.page_view(index_of(&site, "a/b/_index.md"));
            assert_eq!(links(&b.breadcrumbs).len(), 2, "a section is not its own crumb");
            let home = views.page_view(index_of(&site, "_index.md"));
            assert!(home.breadcrumbs.is_empty());
        });
    }

    #[test]
    fn sections_list_notes_by_weight_then_subsections_and_pager_follows_reading_order() {
        let site = nested();
        let rendered = vec![Rendered::default(); site.pages.len()];
        with_views(&site, &rendered, |views| {
            let a = views.page_view(index_of(&site, "a/_index.md"));
            let titles = |entries: &[Entry]| entries.iter().map(|e| e.title.to_string()).collect::<Vec<_>>();
            assert_eq!(titles(&a.pages), ["One", "Two"]);
            assert_eq!(titles(&a.subsections), ["B"]);
            assert_eq!(a.subsections[0].href, "b/index.html");
            let one = views.page_view(index_of(&site, "a/one.md"));
            assert_eq!(one.prev.as_ref().map(|l| l.title), Some("A"));
            assert_eq!(one.next.as_ref().map(|l| l.href.as_str()), Some("two.html"));
            assert!(one.pages.is_empty(), "a note lists nothing");
            let home = views.page_view(index_of(&site, "_index.md"));
            assert!(home.prev.is_none());
        });
    }

    #[test]
    fn canonical_url_joins_base_and_path_and_drops_index_html() {
        assert_eq!(
            canonical("https://x.org/n/", "a/b/index.html").as_deref(),
            Some("https://x.org/n/a/b/")
        );
        assert_eq!(
            canonical("https://x.org/n", "a/one.html").as_deref(),
            Some("https://x.org/n/a/one.html")
        );
        assert_eq!(canonical("", "a/one.html"), None);
        let site = nested();
        let rendered = vec![Rendered::default(); site.pages.len()];
        with_views(&site, &rendered, |views| {
            let view = views.page_view(index_of(&site, "a/two.md"));
            assert_eq!(view.canonical.as_deref(), Some("https://x.org/n/a/two.html"));
            let list = views.list_view("tags/index.html", "Tags", "", &[]);
            assert_eq!(list.canonical.as_deref(), Some("https://x.org/n/tags/"));
        });
    }

    #[test]
    fn toc_keeps_second_and_third_level_headings_in_order() {
        let site = nested();
        let mut rendered = vec![Rendered::default(); site.pages.len()];
        let one = index_of(&site, "a/one.md");
        rendered[one].headings = [1, 2, 3, 4, 2]
            .iter()
            .enumerate()
            .map(|(n, &level)| Heading {
                level,
                id: format!("h{n}"),
                text: format!("H{n}"),
                offset: 0,
            })
            .collect();
        with_views(&site, &rendered, |views| {
            let toc = views.page_view(one).toc;
            let got: Vec<(u8, &str)> = toc.iter().map(|t| (t.level, t.id)).collect();
            assert_eq!(got, [(2, "h1"), (3, "h2"), (2, "h4")]);
        });
    }

    #[test]
    fn nav_window_keeps_the_open_section_in_view() {
        assert_eq!(nav_window(None, 5), 0..5);
        assert_eq!(nav_window(None, 30), 0..17);
        assert_eq!(nav_window(Some(3), 30), 0..17);
        assert_eq!(nav_window(Some(20), 30), 12..29);
        assert_eq!(nav_window(Some(29), 30), 13..30);
    }

    #[test]
    fn nav_opens_the_chain_to_the_page_and_marks_it_current() {
        let site = nested();
        let rendered = vec![Rendered::default(); site.pages.len()];
        with_views(&site, &rendered, |views| {
            let deep = index_of(&site, "a/b/deep.md");
            let nav = serde_json::to_value(views.page_view(deep).nav).unwrap();
            // Home, then section a's items: its notes and its subsection b.
            assert_eq!(nav[0]["title"], "Home");
            let a = &nav[1];
            assert_eq!(
                (a["title"].as_str(), a["open"].as_bool()),
                (Some("A"), Some(true))
            );
            let b = &a["children"][2];
            assert_eq!(
                (b["title"].as_str(), b["open"].as_bool()),
                (Some("B"), Some(true))
            );
            let leaf = &b["children"][0];
            assert_eq!(leaf["title"], "Deep");
            assert_eq!(leaf["current"], true);
            assert_eq!(leaf["href"], "deep.html");
            assert_eq!(a["children"][0]["current"], false);
        });
    }

    #[test]
    fn nav_shows_a_window_of_many_sections_and_a_link_to_all() {
        let mut files = vec![("_index.md".to_string(), "title: Home".to_string())];
        for n in 0..20 {
            files.push((format!("s{n:02}/_index.md"), format!("title: S{n}\nweight: {n}")));
        }
        let files: Vec<(&str, &str)> = files.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let site = site("title = \"T\"\nlanguage = \"zh-CN\"", &files);
        let rendered = vec![Rendered::default(); site.pages.len()];
        with_views(&site, &rendered, |views| {
            let nav = serde_json::to_value(views.page_view(index_of(&site, "s19/_index.md")).nav).unwrap();
            let nav = nav.as_array().unwrap();
            // Home, 17 sections around the open one, the link to all.
            assert_eq!(nav.len(), 19);
            assert_eq!(nav[1]["title"], "S3");
            assert_eq!(nav[17]["title"], "S19");
            assert_eq!(nav[17]["current"], true);
            assert_eq!(nav[18]["more"], true);
            assert_eq!(nav[18]["title"], "全部章节（20）");
            assert_eq!(nav[18]["href"], "../index.html#sections");
            // On the home page, the link to all sections is not the page itself.
            let home = serde_json::to_value(views.page_view(index_of(&site, "_index.md")).nav).unwrap();
            assert_eq!(
                (&home[0]["current"], &home[18]["current"]),
                (&true.into(), &false.into())
            );
        });
    }

    #[test]
    fn list_view_links_entries_from_its_own_folder_home_as_only_crumb() {
        let site = nested();
        let rendered = vec![Rendered::default(); site.pages.len()];
        with_views(&site, &rendered, |views| {
            let entries = [("One".to_string(), "a/one.html".to_string(), "s".to_string())];
            let view = views.list_view("tags/x.html", "Tag", "", &entries);
            assert_eq!(view.pages[0].href, "../a/one.html");
            assert_eq!(
                links(&view.breadcrumbs),
                [("Home".into(), "../index.html".into())]
            );
            assert_eq!(view.root, "../");
            let nav = serde_json::to_value(&view.nav).unwrap();
            assert!(
                !nav.to_string().contains("\"current\":true"),
                "a listing is no page of the sidebar"
            );
        });
    }
}
