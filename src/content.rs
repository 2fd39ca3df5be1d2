//! Load stage: find the content folder, walk it, split front matter from body, choose each
//! folder's page and build the section tree in reading order.
//!
//! Any folder of GitHub markdown loads as it is: front matter is optional (the title is the first
//! `#` heading, else the file name), a folder's page is its `_index.md`, else its `README.md`,
//! `readme.md` or `index.md`, else a generated listing, and an mdBook `SUMMARY.md` or docsify
//! `_sidebar.md` sets the reading order of what it lists.
//!
//! Paths inside the site are `/`-separated strings relative to the content folder
//! (`cnn/receptive-field.md`), so that output never depends on the host's path separator. A
//! folder's page is known by the path `<folder>/_index.md` whatever its file is called; its file
//! is in [`Page::file`].

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};
use serde::Deserialize;

use crate::config::Config;
use crate::diagnostics::{Diagnostic, LineIndex};
use crate::urls;

/// The content folder, when there is one; else `docs/`, else the site's folder itself.
pub const CONTENT_DIR: &str = "content";
const FALLBACK_CONTENT_DIR: &str = "docs";
pub const SECTION_INDEX: &str = "_index.md";
/// The files that may be a folder's page, in order of preference.
pub const INDEX_NAMES: [&str; 4] = [SECTION_INDEX, "README.md", "readme.md", "index.md"];
/// mdBook's and docsify's navigation files: they order pages and are not pages themselves.
const ORDER_FILES: [&str; 2] = ["SUMMARY.md", "_sidebar.md"];
const NOT_PAGES: [&str; 4] = ["SUMMARY.md", "_sidebar.md", "_navbar.md", "_coverpage.md"];
/// Build and dependency folders that hold no notes.
const SKIPPED_DIRS: [&str; 2] = ["target", "node_modules"];
/// A folder holding both is a site figmark wrote (the output folder, whatever its name).
const OUTPUT_MARKERS: [&str; 2] = [".nojekyll", "figmark.js"];
/// Larger files are refused: notes are prose, and a runaway file should not stall a build.
pub const MAX_FILE_BYTES: u64 = 2 * 1024 * 1024;
/// A summary taken from the text is cut to this many characters.
const SUMMARY_CHARS: usize = 160;

#[derive(Debug, Clone, Default, Deserialize, Hash)]
#[serde(deny_unknown_fields)]
pub struct FrontMatter {
    pub title: String,
    #[serde(default)]
    pub weight: i64,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub draft: bool,
}

#[derive(Debug, Clone)]
pub struct Page {
    /// Relative to the content folder, e.g. `cnn/receptive-field.md`; `cnn/_index.md` for the
    /// folder's page whatever its file is called.
    pub rel: String,
    /// The file as a user names it in messages, relative to the site's folder:
    /// `content/cnn/README.md`; a generated folder page names its folder.
    pub file: String,
    /// Shared with `figmark serve`'s cache, like `source`.
    pub meta: Arc<FrontMatter>,
    /// The whole file, front matter included, so byte offsets map to the file's lines. Shared
    /// with `figmark serve`'s cache, which keeps it between rebuilds.
    pub source: Arc<str>,
    /// Byte offset where the markdown body starts: after the front matter, or after the first
    /// heading when that heading is the page's title.
    pub body_start: usize,
    /// The section this page belongs to (for `_index.md`, the section it introduces).
    pub section: usize,
    /// Whether the title was given in front matter; pages without are ordered by file name.
    pub titled: bool,
    /// A hash of `source`, the same in every process: a rebuild keys a page's rendering by it
    /// rather than by hashing every page's text again (41 MB at 10,000 notes).
    pub digest: u64,
    /// How many CJK characters and Latin words the body holds, counted once when the file is
    /// read: they decide the language of a site that does not set one.
    pub letters: Letters,
}

/// CJK characters and Latin words of a text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Letters {
    pub cjk: usize,
    pub words: usize,
}

impl Letters {
    fn of(text: &str) -> Self {
        let (mut cjk, mut words, mut in_word) = (0usize, 0usize, false);
        for c in text.chars() {
            if matches!(c, '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}' | '\u{f900}'..='\u{faff}') {
                cjk += 1;
            }
            let letter = c.is_ascii_alphabetic();
            words += usize::from(letter && !in_word);
            in_word = letter;
        }
        Self { cjk, words }
    }
}

impl Page {
    /// A page from its path under `content/` and its text. Its section is set when the site's
    /// section tree is built.
    pub fn parse(rel: &str, source: String) -> Result<Self, Diagnostic> {
        Self::parse_in(CONTENT_DIR, rel, source)
    }

    /// A page from its path under the content folder `dir` (relative to the site's folder, empty
    /// for the site's folder itself) and its text.
    pub fn parse_in(dir: &str, rel: &str, source: String) -> Result<Self, Diagnostic> {
        let file = join_display(dir, rel);
        let (meta, body_start, titled) = match parse_front_matter(&file, &source)? {
            Some((meta, body_start)) => (meta, body_start, true),
            None => {
                let found = from_text(&source);
                let title = found.title.unwrap_or_else(|| {
                    // A folder's page is named after its folder; the home page gets the site's
                    // title once that is known.
                    match INDEX_NAMES.contains(&file_name(rel)) {
                        true if parent_dir(rel).is_empty() => String::new(),
                        true => title_from_name(parent_dir(rel)),
                        false => title_from_name(rel),
                    }
                });
                let meta = FrontMatter {
                    title,
                    summary: found.summary,
                    ..FrontMatter::default()
                };
                (meta, found.body_start, false)
            }
        };
        Ok(Self {
            rel: rel.to_string(),
            file,
            meta: Arc::new(meta),
            digest: crate::stable::hash(&*source),
            letters: Letters::of(&source[body_start..]),
            source: source.into(),
            body_start,
            section: 0,
            titled,
        })
    }

    /// A folder's listing page, for a folder with notes but no page of its own.
    fn generated(dir_display: &str, dir: &str, title: String) -> Self {
        Self {
            rel: index_rel(dir),
            file: if dir_display.is_empty() {
                "./".into()
            } else {
                format!("{dir_display}/")
            },
            meta: Arc::new(FrontMatter {
                title,
                ..FrontMatter::default()
            }),
            source: "".into(),
            body_start: 0,
            section: 0,
            titled: false,
            digest: crate::stable::hash(""),
            letters: Letters::default(),
        }
    }

    pub fn is_section_index(&self) -> bool {
        self.rel == SECTION_INDEX || self.rel.ends_with("/_index.md")
    }

    pub fn body(&self) -> &str {
        &self.source[self.body_start..]
    }

    /// The file as a user names it in messages: `content/cnn/a.md`.
    pub fn display_path(&self) -> String {
        self.file.clone()
    }

    /// Where the page is written, relative to the output folder.
    pub fn output_path(&self) -> String {
        output_path(&self.rel)
    }

    /// What the page is ordered by after weight and the order files: its title when front
    /// matter gave one, else its file or folder name, as a repository lists it.
    fn sort_name(&self) -> &str {
        if self.titled {
            return &self.meta.title;
        }
        let path = self.rel.strip_suffix(SECTION_INDEX).unwrap_or(&self.rel);
        let path = path.trim_end_matches('/');
        path.rsplit('/').next().unwrap_or(path)
    }
}

/// `a/b.md` → `a/b.html`; `a/_index.md` → `a/index.html`. Names are kept as they are (as GitHub
/// keeps them): hrefs to them are percent-encoded where a URL needs it.
pub fn output_path(rel_md: &str) -> String {
    // Put together by hand: a rebuild at 10,000 notes makes tens of thousands, and `format!`
    // took most of their cost.
    let (stem, end) = match rel_md.strip_suffix(SECTION_INDEX) {
        Some(dir) => (dir, "index.html"),
        None => (rel_md.strip_suffix(".md").unwrap_or(rel_md), ".html"),
    };
    let mut path = String::with_capacity(stem.len() + end.len());
    path.push_str(stem);
    path.push_str(end);
    path
}

/// The path of a folder's page: `a/_index.md`, or `_index.md` for the home page.
fn index_rel(dir: &str) -> String {
    if dir.is_empty() {
        SECTION_INDEX.into()
    } else {
        format!("{dir}/{SECTION_INDEX}")
    }
}

fn join_display(dir: &str, rel: &str) -> String {
    if dir.is_empty() {
        rel.to_string()
    } else {
        format!("{dir}/{rel}")
    }
}

/// What a file without front matter says of itself.
#[derive(Debug, Default, PartialEq)]
struct FromText {
    title: Option<String>,
    summary: String,
    body_start: usize,
}

/// The first `#` heading's text as the title, and the first paragraph's text as the summary.
/// When that heading is the first thing in the file, the body starts after it, so the title is
/// not shown twice.
fn from_text(source: &str) -> FromText {
    let mut found = FromText::default();
    let mut heading: Option<(String, bool)> = None;
    let mut paragraph: Option<String> = None;
    let mut first_block = true;
    // Text inside an image is its alt text: a paragraph of badges has no summary to give.
    let mut in_image = 0usize;
    let parser = Parser::new_ext(source, markdown_options()).into_offset_iter();
    for (event, range) in parser {
        let ends = ends_block(&event);
        match event {
            Event::Start(Tag::Heading {
                level: HeadingLevel::H1,
                ..
            }) if found.title.is_none() => heading = Some((String::new(), first_block)),
            Event::End(TagEnd::Heading(HeadingLevel::H1)) if heading.is_some() => {
                let (text, first) = heading.take().unwrap_or_default();
                if first {
                    found.body_start = line_end(source, range.end);
                }
                found.title = Some(text.trim().to_string()).filter(|t| !t.is_empty());
            }
            Event::Start(Tag::Paragraph) if found.summary.is_empty() && heading.is_none() => {
                paragraph = Some(String::new());
            }
            Event::End(TagEnd::Paragraph) if paragraph.is_some() => {
                found.summary = summary(paragraph.take().unwrap_or_default().trim());
            }
            Event::Start(Tag::Image { .. }) => in_image += 1,
            Event::End(TagEnd::Image) => in_image = in_image.saturating_sub(1),
            Event::Text(t) | Event::Code(t) | Event::InlineMath(t) if in_image == 0 => {
                if let Some((text, _)) = heading.as_mut() {
                    text.push_str(&t);
                } else if let Some(text) = paragraph.as_mut() {
                    text.push_str(&t);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some(text) = paragraph.as_mut() {
                    text.push(' ');
                }
            }
            _ => {}
        }
        if ends {
            first_block = false;
        }
        if found.title.is_some() && !found.summary.is_empty() {
            break;
        }
    }
    found
}

/// Whether `event` ends a block, so the first heading is known to be the first thing in a file.
fn ends_block(event: &Event) -> bool {
    matches!(
        event,
        Event::End(
            TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::BlockQuote(_)
                | TagEnd::CodeBlock
                | TagEnd::HtmlBlock
                | TagEnd::List(_)
                | TagEnd::Table,
        ) | Event::Rule
            | Event::DisplayMath(_)
    )
}

/// The offset just past the line that holds `offset - 1`.
fn line_end(source: &str, offset: usize) -> usize {
    if offset > 0 && source.as_bytes().get(offset - 1) == Some(&b'\n') {
        return offset;
    }
    source[offset..]
        .find('\n')
        .map_or(source.len(), |i| offset + i + 1)
}

fn summary(text: &str) -> String {
    if text.chars().count() <= SUMMARY_CHARS {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(SUMMARY_CHARS).collect();
    cut.push('…');
    cut
}

/// A title from a file or folder name, without an order prefix `NN_`, `NN-` or `chNN_`:
/// `02_激活函数.md` → `激活函数`, `ch05_卷积神经网络(CNN)` → `卷积神经网络(CNN)`.
pub fn title_from_name(path: &str) -> String {
    let name = path.trim_end_matches('/').rsplit('/').next().unwrap_or(path);
    let name = name.strip_suffix(".md").unwrap_or(name);
    let numbered = name
        .strip_prefix("ch")
        .or_else(|| name.strip_prefix("Ch"))
        .unwrap_or(name);
    let rest = numbered.trim_start_matches(|c: char| c.is_ascii_digit());
    let stripped = match rest.strip_prefix(['_', '-']) {
        Some(title) if rest.len() < numbered.len() => title.trim(),
        _ => name,
    };
    if stripped.is_empty() { name } else { stripped }.to_string()
}

/// Natural order: runs of digits compare as numbers, so `ch2` comes before `ch10` and `1.2`
/// before `1.10`. Small enough not to need a crate.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a, b);
    loop {
        let (Some(x), Some(y)) = (a.chars().next(), b.chars().next()) else {
            return a.len().cmp(&b.len());
        };
        if x.is_ascii_digit() && y.is_ascii_digit() {
            let end = |s: &str| s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
            let (ea, eb) = (end(a), end(b));
            let (na, nb) = (a[..ea].trim_start_matches('0'), b[..eb].trim_start_matches('0'));
            let order = na.len().cmp(&nb.len()).then_with(|| na.cmp(nb));
            if order != Ordering::Equal {
                return order;
            }
            (a, b) = (&a[ea..], &b[eb..]);
        } else if x != y {
            return x.cmp(&y);
        } else {
            (a, b) = (&a[x.len_utf8()..], &b[y.len_utf8()..]);
        }
    }
}

#[derive(Debug, Clone)]
pub struct Section {
    /// Relative to the content folder; empty for the home section.
    pub dir: String,
    /// The section's page (`_index.md`, `README.md`… or generated).
    pub index: usize,
    pub parent: Option<usize>,
    /// Pages in reading order (weight, order files, then name).
    pub pages: Vec<usize>,
    /// Subsections in reading order.
    pub subsections: Vec<usize>,
}

#[derive(Debug)]
pub struct Site {
    pub config: Config,
    /// The content folder: `content/`, `docs/`, the site's folder or `content_dir`.
    pub content_root: PathBuf,
    /// The content folder as messages name it, from the site's folder (empty for the folder
    /// itself).
    pub content_dir: String,
    pub pages: Vec<Page>,
    /// `sections[0]` is the home section.
    pub sections: Vec<Section>,
    /// Every page in reading order: a section's index, its pages, then its subsections.
    pub reading_order: Vec<usize>,
    /// Files in the content folder that are not markdown (images, downloads), copied as they are.
    pub assets: Vec<String>,
}

/// How the load stage reads files: [`memo::Files`](crate::memo::Files) reuses earlier reads.
pub trait Reader {
    /// The last walk of the content folder when it still holds, with the files edited since;
    /// `None` when the folder must be walked again.
    fn vouched_listing(&mut self) -> Option<(Arc<Listing>, HashSet<String>)>;
    /// Offers `listing` for reuse by the next load.
    fn keep_listing(&mut self, listing: &Arc<Listing>);
    /// Every file of `files` (path under the content folder, full path) as a page, in order,
    /// reading with `read_new` those that need it; `edited`, when known, holds the only files
    /// that may have changed.
    fn read_all(
        &mut self,
        files: &[(String, PathBuf)],
        edited: Option<&HashSet<String>>,
        read_new: ReadNew,
    ) -> Vec<Result<Page, Diagnostic>>;
}

/// Reads and parses one file (full path, path under the content folder, size in bytes); it
/// knows the content folder, which messages name.
pub type ReadNew<'a> = &'a (dyn Fn(&Path, &str, u64) -> Result<Page, Diagnostic> + Sync);

/// What a walk of the content folder found.
#[derive(Default, Clone)]
pub struct Listing {
    /// Markdown files: path under the content folder and full path.
    pub(crate) markdown: Vec<(String, PathBuf)>,
    assets: Vec<String>,
    /// `SUMMARY.md` and `_sidebar.md` files, which order pages.
    order_files: Vec<(String, PathBuf)>,
    pub(crate) diagnostics: Vec<Diagnostic>,
    pub(crate) symlinks: bool,
}

impl Site {
    /// A path in the content folder as a user names it: `content/cnn/a.md`.
    pub fn display(&self, rel: &str) -> String {
        join_display(&self.content_dir, rel)
    }
}

/// The content folder of the site at `root`, and how messages name it (empty for `root`
/// itself): `content_dir` from `site.toml`, else `content/`, else `docs/`, else `root`.
pub fn content_folder(root: &Path, config: &Config) -> (PathBuf, String) {
    let dir = match &config.content_dir {
        Some(dir) => dir.trim_matches('/').trim_start_matches("./").to_string(),
        None if root.join(CONTENT_DIR).is_dir() => CONTENT_DIR.to_string(),
        None if root.join(FALLBACK_CONTENT_DIR).is_dir() => FALLBACK_CONTENT_DIR.to_string(),
        None => String::new(),
    };
    if dir.is_empty() || dir == "." {
        (root.to_path_buf(), String::new())
    } else {
        (root.join(&dir), dir)
    }
}

/// Reads every file in the content folder. Returns the site when there is one to build, and all
/// diagnostics found on the way (a bad file is reported and skipped so others are still checked).
/// `files` decides which files need reading again. Where `config` leaves the site's title or
/// language out, they are taken from the notes.
pub fn load(root: &Path, mut config: Config, files: &mut impl Reader) -> (Option<Site>, Vec<Diagnostic>) {
    let (content_root, dir) = content_folder(root, &config);
    let (listing, edited) = match files.vouched_listing().filter(|_| content_root.is_dir()) {
        Some((listing, edited)) => (listing, Some(edited)),
        None => (Arc::new(walk(root, &content_root, &dir)), None),
    };
    let mut diagnostics = listing.diagnostics.clone();
    let mut pages = Vec::with_capacity(listing.markdown.len() + 1);
    let read = |path: &Path, rel: &str, len: u64| read_new_page(&dir, path, rel, len);
    for result in files.read_all(&listing.markdown, edited.as_ref(), &read) {
        match result {
            Ok(page) if page.meta.draft => {}
            Ok(page) => pages.push(page),
            Err(d) => diagnostics.push(d),
        }
    }
    files.keep_listing(&listing);

    let shown = if dir.is_empty() { "." } else { dir.as_str() };
    if !content_root.is_dir() {
        diagnostics.push(Diagnostic::error(shown, 0, 0, "content folder not found"));
        return (None, diagnostics);
    }
    if listing.markdown.is_empty() {
        diagnostics.push(
            Diagnostic::error(shown, 0, 0, "no notes found: the folder holds no markdown file")
                .with_hint("write notes as .md files here, or start a site with `figmark init`"),
        );
        return (None, diagnostics);
    }
    choose_indexes(&mut pages, &mut diagnostics);
    add_listing_pages(&mut pages, &dir);
    if config.title.trim().is_empty() {
        config.title = site_title(root, &pages);
    }
    if config.language.trim().is_empty() {
        config.language = language_of(&pages).into();
    }
    for page in &mut pages {
        if page.meta.title.is_empty() {
            Arc::make_mut(&mut page.meta).title = config.title.clone();
        }
    }
    let order = read_order_files(&listing.order_files, &pages, &dir, &mut diagnostics);
    let assets = without_collisions(listing.assets.clone(), &pages, &dir, &mut diagnostics);
    let (sections, reading_order) = build_sections(&mut pages, &order);
    let site = Site {
        config,
        content_root,
        content_dir: dir,
        pages,
        sections,
        reading_order,
        assets,
    };
    (Some(site), diagnostics)
}

/// Makes each folder's page the first of [`INDEX_NAMES`] it holds, known as `<folder>/_index.md`
/// from now on. The others of those names are not built: a link to any of them, as on GitHub,
/// reaches the folder's page.
fn choose_indexes(pages: &mut Vec<Page>, diagnostics: &mut Vec<Diagnostic>) {
    let rank = |rel: &str| INDEX_NAMES.iter().position(|n| file_name(rel) == *n);
    let mut chosen: HashMap<String, (usize, usize)> = HashMap::new();
    for (i, page) in pages.iter().enumerate() {
        if let Some(r) = rank(&page.rel) {
            let best = chosen.entry(parent_dir(&page.rel).to_string()).or_insert((r, i));
            *best = (*best).min((r, i));
        }
    }
    // In place: moving every page into a new list took 3% of a rebuild at 10,000 notes.
    let mut i = 0;
    pages.retain_mut(|page| {
        i += 1;
        let Some(r) = rank(&page.rel) else {
            return true;
        };
        let dir = parent_dir(&page.rel).to_string();
        let (best, j) = chosen[&dir];
        if j != i - 1 {
            diagnostics.push(Diagnostic::warning(
                &page.file,
                0,
                0,
                format!("not built: {} is this folder's page", INDEX_NAMES[best]),
            ));
            return false;
        }
        if r > 0 {
            page.rel = index_rel(&dir);
        }
        true
    });
}

/// Gives every folder that holds notes, and each folder above it, a page: those without one get
/// a generated listing titled from the folder name (the home page's title is the site's).
fn add_listing_pages(pages: &mut Vec<Page>, dir_display: &str) {
    let mut have = BTreeSet::new();
    let mut need = BTreeSet::from([String::new()]);
    for page in pages.iter() {
        let mut dir = parent_dir(&page.rel);
        if page.is_section_index() {
            have.insert(dir.to_string());
        }
        while !dir.is_empty() && need.insert(dir.to_string()) {
            dir = parent_dir(dir);
        }
    }
    for dir in need.difference(&have) {
        let title = if dir.is_empty() {
            String::new()
        } else {
            title_from_name(dir)
        };
        pages.push(Page::generated(&join_display(dir_display, dir), dir, title));
    }
}

/// The site's title: the home page's, else the site folder's name.
fn site_title(root: &Path, pages: &[Page]) -> String {
    let home = pages.iter().find(|p| p.rel == SECTION_INDEX);
    if let Some(title) = home.map(|p| &p.meta.title).filter(|t| !t.is_empty()) {
        return title.clone();
    }
    let folder = root
        .canonicalize()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()));
    folder.unwrap_or_else(|| "notes".into())
}

/// `zh-CN` when the notes hold more CJK characters than Latin words, else `en`.
fn language_of(pages: &[Page]) -> &'static str {
    let cjk: usize = pages.iter().map(|p| p.letters.cjk).sum();
    let words: usize = pages.iter().map(|p| p.letters.words).sum();
    if cjk > words { "zh-CN" } else { "en" }
}

/// Where the order files place pages and folders: the position of each listed page (by its
/// path) and of each folder holding a listed page (by the first such page).
#[derive(Default)]
struct Order {
    pages: HashMap<String, usize>,
    dirs: HashMap<String, usize>,
}

/// Reads `SUMMARY.md` and `_sidebar.md` files: their links, in order, set the reading order of
/// what they list. A link that reaches no page is a warning, since the file is not checked as a
/// page is.
fn read_order_files(
    files: &[(String, PathBuf)],
    pages: &[Page],
    dir_display: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Order {
    let rels: BTreeSet<&str> = pages.iter().map(|p| p.rel.as_str()).collect();
    let mut order = Order::default();
    for (rel, path) in files {
        let file = join_display(dir_display, rel);
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) => {
                diagnostics.push(Diagnostic::error(&file, 0, 0, format!("cannot read: {e}")));
                continue;
            }
        };
        let lines = LineIndex::new(&text);
        for (event, range) in Parser::new(&text).into_offset_iter() {
            let Event::Start(Tag::Link { dest_url, .. }) = event else {
                continue;
            };
            let Some(listed) = listed_page(rel, &dest_url, &rels) else {
                if !dest_url.contains(':') && !dest_url.starts_with('#') {
                    let (line, col) = lines.line_col(range.start);
                    diagnostics.push(Diagnostic::warning(
                        &file,
                        line,
                        col,
                        format!("`{dest_url}` is listed but is not a page"),
                    ));
                }
                continue;
            };
            let position = order.pages.len();
            order.pages.entry(listed.clone()).or_insert(position);
            let mut dir = parent_dir(&listed);
            loop {
                order.dirs.entry(dir.to_string()).or_insert(position);
                if dir.is_empty() {
                    break;
                }
                dir = parent_dir(dir);
            }
        }
    }
    order
}

/// The page a link in the order file `file_rel` lists. As docsify reads them, `/a.md` starts
/// at the content folder and `a` may leave out `.md`; a folder means its page.
fn listed_page(file_rel: &str, dest: &str, rels: &BTreeSet<&str>) -> Option<String> {
    let path = dest.split(['#', '?']).next().unwrap_or_default();
    if path.contains(':') || (path.is_empty() && !dest.is_empty()) {
        return None;
    }
    let path = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
    let base = if path.starts_with('/') {
        ""
    } else {
        parent_dir(file_rel)
    };
    let joined = urls::join(base, path.trim_start_matches('/'))?;
    let name = file_name(&joined);
    let rel = if INDEX_NAMES.contains(&name) {
        index_rel(parent_dir(&joined))
    } else if joined.ends_with(".md") || rels.contains(format!("{joined}.md").as_str()) {
        joined.strip_suffix(".md").unwrap_or(&joined).to_string() + ".md"
    } else {
        index_rel(&joined)
    };
    rels.contains(rel.as_str()).then_some(rel)
}

/// Leaves out files in the tree that have a page's output path (a docsify `index.html` where
/// the home page goes), each with a warning: the generated page wins.
fn without_collisions(
    assets: Vec<String>,
    pages: &[Page],
    dir_display: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<String> {
    // Only a `.html` file can collide: most sites have none, and then no page's output path
    // is made (10,000 of them took 3 ms of each rebuild).
    if !assets.iter().any(|a| a.ends_with(".html")) {
        return assets;
    }
    let outputs: HashMap<String, &Page> = pages.iter().map(|p| (p.output_path(), p)).collect();
    assets
        .into_iter()
        .filter(|asset| {
            let Some(page) = outputs.get(asset) else {
                return true;
            };
            diagnostics.push(
                Diagnostic::warning(
                    join_display(dir_display, asset),
                    0,
                    0,
                    format!(
                        "not copied: the page made from {} is written to {asset}",
                        page.file
                    ),
                )
                .with_hint("rename the file if the site needs it"),
            );
            false
        })
        .collect()
}

/// Lists the files in the content folder in a stable order, leaving out hidden files and
/// folders, what `.gitignore` files ignore, build and dependency folders, a site figmark wrote
/// there, and symbolic links that leave the folder.
fn walk(root: &Path, content_root: &Path, dir_display: &str) -> Listing {
    let mut listing = Listing::default();
    for entry in walker(root, content_root).build() {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let shown = if dir_display.is_empty() { "." } else { dir_display };
                let message = format!("cannot read: {e}");
                listing.diagnostics.push(if e.io_error().is_some() {
                    Diagnostic::error(shown, 0, 0, message)
                } else {
                    Diagnostic::warning(shown, 0, 0, message)
                });
                continue;
            }
        };
        let Some(rel) = rel_path(content_root, entry.path()) else {
            continue;
        };
        if rel.is_empty() || rel.split('/').any(|part| part.starts_with('.')) {
            continue;
        }
        let Some(file_type) = entry.file_type() else {
            continue;
        };
        if file_type.is_symlink() {
            listing.symlinks = true;
            if let Some(problem) = symlink_problem(root, content_root, entry.path()) {
                listing.diagnostics.push(problem);
                continue;
            }
        } else if file_type.is_dir() {
            continue;
        }
        let name = file_name(&rel);
        if !rel.ends_with(".md") {
            listing.assets.push(rel);
        } else if ORDER_FILES.contains(&name) {
            listing.order_files.push((rel, entry.into_path()));
        } else if !NOT_PAGES.contains(&name) {
            listing.markdown.push((rel, entry.into_path()));
        }
    }
    listing
}

/// A walk of the content folder in name order that leaves out hidden, git-ignored, build and
/// output folders. The walk reads the content folder's own `.gitignore` files; the site
/// folder's applies too when the content is a folder inside it. Nothing above the site folder
/// is read, so the build does not depend on where the site is.
fn walker(root: &Path, content_root: &Path) -> ignore::WalkBuilder {
    let outer = (content_root != root).then(|| {
        let (matcher, _) = ignore::gitignore::Gitignore::new(root.join(".gitignore"));
        matcher
    });
    let mut builder = ignore::WalkBuilder::new(content_root);
    builder
        .standard_filters(false)
        .hidden(true)
        .git_ignore(true)
        .require_git(false)
        .follow_links(false)
        .sort_by_file_name(|a, b| a.cmp(b))
        .filter_entry(move |e| {
            let is_dir = e.file_type().is_some_and(|t| t.is_dir());
            if e.depth() == 0 {
                return true;
            }
            if outer
                .as_ref()
                .is_some_and(|m| m.matched_path_or_any_parents(e.path(), is_dir).is_ignore())
            {
                return false;
            }
            !(is_dir
                && (SKIPPED_DIRS.iter().any(|d| e.file_name() == *d)
                    || OUTPUT_MARKERS.iter().all(|m| e.path().join(m).exists())))
        });
    builder
}

/// What is wrong with a symbolic link in the content folder, if anything: one that leaves the
/// folder or is broken is an error; one to a folder is not followed.
fn symlink_problem(root: &Path, content_root: &Path, link: &Path) -> Option<Diagnostic> {
    let shown = display(root, link);
    match symlink_target_inside(content_root, link) {
        Ok(true) if link.is_dir() => Some(Diagnostic::warning(
            shown,
            0,
            0,
            "symbolic link to a folder is not followed",
        )),
        Ok(true) => None,
        Ok(false) => Some(Diagnostic::error(
            shown,
            0,
            0,
            "symbolic link points outside the content folder",
        )),
        Err(e) => Some(Diagnostic::error(
            shown,
            0,
            0,
            format!("broken symbolic link: {e}"),
        )),
    }
}

fn display(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

fn rel_path(base: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(base).ok()?;
    let parts: Option<Vec<&str>> = rel.components().map(|c| c.as_os_str().to_str()).collect();
    Some(parts?.join("/"))
}

fn parent_dir(rel: &str) -> &str {
    rel.rfind('/').map_or("", |i| &rel[..i])
}

fn file_name(rel: &str) -> &str {
    rel.rfind('/').map_or(rel, |i| &rel[i + 1..])
}

fn symlink_target_inside(content_root: &Path, link: &Path) -> std::io::Result<bool> {
    let target = link.canonicalize()?;
    Ok(target.starts_with(content_root.canonicalize()?))
}

/// The error for a file that cannot be read.
pub(crate) fn read_error(rel: &str, e: &std::io::Error) -> Diagnostic {
    Diagnostic::error(format!("{CONTENT_DIR}/{rel}"), 0, 0, format!("cannot read: {e}"))
}

/// Reads and parses one page, drafts included.
fn read_new_page(dir: &str, path: &Path, rel: &str, len: u64) -> Result<Page, Diagnostic> {
    let err = |line, msg: String| Diagnostic::error(join_display(dir, rel), line, 0, msg);
    if len > MAX_FILE_BYTES {
        return Err(err(
            0,
            format!("file is {len} bytes, over the limit of {MAX_FILE_BYTES}"),
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| read_error(rel, &e))?;
    let source = String::from_utf8(bytes).map_err(|e| {
        let good = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = good.iter().filter(|&&b| b == b'\n').count() + 1;
        err(line, "file is not valid UTF-8".into())
    })?;
    Page::parse_in(dir, rel, source)
}

/// Splits `---`-fenced YAML front matter off the body of `file`: `None` when the file has none.
/// Errors carry the file line.
pub fn parse_front_matter(file: &str, source: &str) -> Result<Option<(FrontMatter, usize)>, Diagnostic> {
    let err = |line: usize, message: &str| Diagnostic::error(file, line, 0, message);
    let bom = if source.starts_with('\u{feff}') { 3 } else { 0 };
    let text = &source[bom..];
    let first_line_end = text.find('\n').map_or(text.len(), |i| i + 1);
    if text[..first_line_end].trim_end() != "---" {
        return Ok(None);
    }
    let yaml_start = bom + first_line_end;
    let mut offset = yaml_start;
    let mut yaml_end = None;
    for line in source[yaml_start..].split_inclusive('\n') {
        if line.trim_end() == "---" {
            yaml_end = Some((offset, offset + line.len()));
            break;
        }
        offset += line.len();
    }
    let Some((yaml_end, body_start)) = yaml_end else {
        return Err(err(1, "front matter is not closed by a `---` line"));
    };
    let yaml = &source[yaml_start..yaml_end];
    if yaml.trim().is_empty() {
        return Err(err(2, "front matter is empty: `title` is required"));
    }
    let meta: FrontMatter = serde_saphyr::from_str(yaml).map_err(|e| {
        let line = e.location().map_or(0, |l| l.line() as usize);
        err(1 + line.max(1), &yaml_error_message(&e))
    })?;
    if meta.title.trim().is_empty() {
        let line = yaml.lines().position(|l| l.starts_with("title")).unwrap_or(0) + 2;
        return Err(err(line, "`title` must not be empty"));
    }
    Ok(Some((meta, body_start)))
}
/// serde-saphyr renders a source snippet in its message; we print our own location, so keep
/// only the first line of its text.
fn yaml_error_message(e: &serde_saphyr::Error) -> String {
    let text = e.to_string();
    let first = text.lines().next().unwrap_or("invalid YAML").trim();
    format!("front matter: {first}")
}

fn build_sections(pages: &mut [Page], order: &Order) -> (Vec<Section>, Vec<usize>) {
    let mut sections: Vec<Section> = Vec::new();
    let mut by_dir = BTreeMap::new();
    // Index files first, shallow to deep, so each parent exists before its children.
    let mut index_pages: Vec<usize> = (0..pages.len())
        .filter(|&i| pages[i].is_section_index())
        .collect();
    index_pages.sort_by_key(|&i| (pages[i].rel.matches('/').count(), pages[i].rel.clone()));
    for i in index_pages {
        let dir = parent_dir(&pages[i].rel).to_string();
        let parent = nearest_section(&by_dir, &dir);
        let id = sections.len();
        sections.push(Section {
            dir: dir.clone(),
            index: i,
            parent,
            pages: Vec::new(),
            subsections: Vec::new(),
        });
        if let Some(p) = parent {
            sections[p].subsections.push(id);
        }
        by_dir.insert(dir, id);
        pages[i].section = id;
    }
    for (i, page) in pages.iter_mut().enumerate() {
        if !page.is_section_index() {
            let id = nearest_section(&by_dir, parent_dir(&page.rel)).unwrap_or(0);
            page.section = id;
            sections[id].pages.push(i);
        }
    }
    // Weight first, then the place in an order file (listed before unlisted), then the name.
    let compare = |a: (&Page, Option<&usize>), b: (&Page, Option<&usize>)| {
        let key =
            |(p, listed): (&Page, Option<&usize>)| (p.meta.weight, listed.copied().unwrap_or(usize::MAX));
        key(a)
            .cmp(&key(b))
            .then_with(|| natural_cmp(a.0.sort_name(), b.0.sort_name()))
            .then_with(|| a.0.rel.cmp(&b.0.rel))
    };
    for s in 0..sections.len() {
        let mut list = std::mem::take(&mut sections[s].pages);
        let page = |i: usize| (&pages[i], order.pages.get(&pages[i].rel));
        list.sort_by(|&a, &b| compare(page(a), page(b)));
        sections[s].pages = list;
        let mut subs = std::mem::take(&mut sections[s].subsections);
        let sub = |c: usize| (&pages[sections[c].index], order.dirs.get(&sections[c].dir));
        subs.sort_by(|&a, &b| compare(sub(a), sub(b)));
        sections[s].subsections = subs;
    }
    let mut order = Vec::with_capacity(pages.len());
    push_reading_order(&sections, 0, &mut order);
    (sections, order)
}

/// The section whose folder is `dir` or its closest ancestor.
fn nearest_section(by_dir: &BTreeMap<String, usize>, dir: &str) -> Option<usize> {
    let mut dir = dir;
    loop {
        if let Some(&id) = by_dir.get(dir) {
            return Some(id);
        }
        if dir.is_empty() {
            return None;
        }
        dir = parent_dir(dir);
    }
}

fn push_reading_order(sections: &[Section], s: usize, order: &mut Vec<usize>) {
    order.push(sections[s].index);
    order.extend(&sections[s].pages);
    for &sub in &sections[s].subsections {
        push_reading_order(sections, sub, order);
    }
}

/// Line of a byte offset in the page source, for diagnostics.
pub fn line_of(page: &Page, offset: usize) -> (usize, usize) {
    LineIndex::new(&page.source).line_col(offset)
}

/// How notes are parsed, by this stage (titles) and the markdown stage alike: CommonMark with
/// GitHub's extensions, heading attributes and math.
pub fn markdown_options() -> pulldown_cmark::Options {
    use pulldown_cmark::Options;
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_MATH
        | Options::ENABLE_GFM
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(src: &str) -> Result<(FrontMatter, usize), (usize, String)> {
        let parsed = parse_front_matter("content/a.md", src).map_err(|d| {
            assert_eq!(d.file.to_string_lossy(), "content/a.md");
            (d.line, d.message)
        })?;
        Ok(parsed.expect("front matter"))
    }

    #[test]
    fn front_matter_fields_and_body_offset() {
        let src = "---\ntitle: 感受野\nweight: 20\ntags: [CNN]\n---\n正文\n";
        let (meta, start) = parse(src).unwrap();
        assert_eq!(meta.title, "感受野");
        assert_eq!(meta.weight, 20);
        assert_eq!(&src[start..], "正文\n");
    }

    #[test]
    fn unknown_field_is_reported_on_its_line() {
        let src = "---\ntitle: a\nauthor: b\n---\n";
        let (line, msg) = parse(src).unwrap_err();
        assert_eq!(line, 3, "{msg}");
        assert!(msg.contains("author"), "{msg}");
    }

    #[test]
    fn wrong_type_and_missing_title_are_errors() {
        let (line, msg) = parse("---\ntitle: a\n\nweight: heavy\n---\n").unwrap_err();
        assert_eq!(line, 4, "{msg}");
        let (_, msg) = parse("---\nweight: 1\n---\n").unwrap_err();
        assert!(msg.contains("title"), "{msg}");
        assert!(matches!(parse_front_matter("a.md", "no front matter"), Ok(None)));
    }

    fn load_tree(files: &[(&str, &str)]) -> (Option<Site>, Vec<Diagnostic>) {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let config = Config::load(dir.path()).unwrap();
        load(dir.path(), config, &mut crate::memo::Files::default())
    }

    fn titles_in_order(site: &Site) -> Vec<&str> {
        site.reading_order
            .iter()
            .map(|&i| site.pages[i].meta.title.as_str())
            .collect()
    }

    /// A build that fails says why: a folder with no notes once failed with no error at all.
    #[test]
    fn a_folder_without_notes_is_an_error() {
        let (site, diagnostics) = load_tree(&[("content/img/a.png", "")]);
        assert!(site.is_none());
        let errors: Vec<String> = diagnostics.iter().map(ToString::to_string).collect();
        assert!(errors.iter().any(|e| e.contains("no notes found")), "{errors:?}");
    }

    #[test]
    fn folders_without_a_page_get_a_listing_and_the_site_its_folder_name() {
        let (site, diagnostics) = load_tree(&[("ch02_机器学习基础/sub/a.md", "Text.\n")]);
        let site = site.unwrap();
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let title = titles_in_order(&site)[0].to_string();
        assert_eq!(site.config.title, title);
        assert!(!title.is_empty());
        assert_eq!(&titles_in_order(&site)[1..], ["机器学习基础", "sub", "a"]);
        assert_eq!(site.config.language, "en");
    }

    #[test]
    fn readme_is_the_folder_page_and_titles_come_from_headings() {
        let (site, diagnostics) = load_tree(&[
            ("README.md", "# 深度学习笔记\n\n第一段。\n"),
            ("ch1/readme.md", "# 第一章\n"),
            ("ch1/index.md", "# 不是\n"),
            ("ch1/01_intro.md", "no heading\n"),
        ]);
        let site = site.unwrap();
        assert_eq!(site.config.title, "深度学习笔记");
        assert_eq!(site.config.language, "zh-CN");
        assert_eq!(titles_in_order(&site), ["深度学习笔记", "第一章", "intro"]);
        let home = &site.pages[site.reading_order[0]];
        assert_eq!(
            (home.rel.as_str(), home.file.as_str()),
            ("_index.md", "README.md")
        );
        assert_eq!(
            home.body(),
            "\n第一段。\n",
            "the title heading is not shown twice"
        );
        assert_eq!(home.meta.summary, "第一段。");
        assert!(
            diagnostics
                .iter()
                .any(|d| d.file.ends_with("ch1/index.md") && d.message.contains("readme.md")),
            "{diagnostics:?}"
        );
    }

    #[test]
    fn natural_order_then_order_files_then_weight() {
        let (site, _) = load_tree(&[
            ("docs/ch10.md", "x"),
            ("docs/ch2.md", "x"),
            ("docs/1.10.md", "x"),
            ("docs/1.2.md", "x"),
        ]);
        assert_eq!(
            titles_in_order(&site.unwrap())[1..],
            ["1.2", "1.10", "ch2", "ch10"]
        );
        let (site, diagnostics) = load_tree(&[
            ("docs/_sidebar.md", "- [b](b.md)\n- [a](/a)\n- [gone](gone.md)\n"),
            ("docs/a.md", "x"),
            ("docs/b.md", "x"),
            ("docs/c.md", "x"),
            ("docs/w.md", "---\ntitle: w\nweight: -1\n---\n"),
        ]);
        let site = site.unwrap();
        assert_eq!(titles_in_order(&site)[1..], ["w", "b", "a", "c"]);
        assert!(site.pages.iter().all(|p| !p.rel.contains("sidebar")));
        assert!(
            diagnostics
                .iter()
                .any(|d| d.line == 3 && d.message.contains("gone.md")),
            "{diagnostics:?}"
        );
    }

    #[test]
    fn hidden_ignored_and_output_folders_are_skipped() {
        let (site, _) = load_tree(&[
            ("a.md", "x"),
            (".git/b.md", "x"),
            ("node_modules/c.md", "x"),
            ("drafts/d.md", "x"),
            (".gitignore", "drafts/\n"),
            ("out/.nojekyll", ""),
            ("out/figmark.js", ""),
            ("out/e.md", "x"),
        ]);
        let rels: Vec<String> = site.unwrap().pages.iter().map(|p| p.rel.clone()).collect();
        assert_eq!(rels, ["a.md", "_index.md"]);
        let (site, _) = load_tree(&[
            (".gitignore", "/content/secret.md\n"),
            ("content/secret.md", "x"),
            ("content/a.md", "x"),
        ]);
        assert_eq!(
            site.unwrap().pages.len(),
            2,
            "the site folder's .gitignore applies to content/"
        );
    }

    #[test]
    fn a_file_with_a_page_output_path_is_left_out() {
        let (site, diagnostics) = load_tree(&[
            ("docs/README.md", "# Home\n"),
            ("docs/index.html", "<div id=app>"),
        ]);
        assert!(site.unwrap().assets.is_empty());
        assert!(
            diagnostics
                .iter()
                .any(|d| d.file.ends_with("docs/index.html") && d.message.contains("README.md")),
            "{diagnostics:?}"
        );
    }

    #[test]
    fn names_and_natural_order() {
        assert_eq!(title_from_name("a/02_激活函数.md"), "激活函数");
        assert_eq!(title_from_name("ch05_卷积神经网络(CNN)"), "卷积神经网络(CNN)");
        assert_eq!(title_from_name("chapter_1"), "chapter_1");
        assert_eq!(title_from_name("10-intro.md"), "intro");
        assert_eq!(title_from_name("2024.md"), "2024");
        assert_eq!(natural_cmp("ch2", "ch10"), Ordering::Less);
        assert_eq!(natural_cmp("1.10", "1.2"), Ordering::Greater);
        assert_eq!(natural_cmp("b", "a1"), Ordering::Greater);
        assert_eq!(natural_cmp("a", "a1"), Ordering::Less);
    }

    #[test]
    fn a_heading_after_text_is_the_title_but_stays() {
        let found = from_text("[![badge](b.svg)](x)\n\n# Title `code`\n\nFirst\nline.\n");
        assert_eq!(found.title.as_deref(), Some("Title code"));
        assert_eq!(found.body_start, 0);
        assert_eq!(found.summary, "First line.");
        let found = from_text("# T\nsecond para line\n\n## Sub\n\nText.\n");
        assert_eq!(
            (found.body_start, found.summary.as_str()),
            (4, "second para line")
        );
    }

    #[test]
    fn output_paths() {
        assert_eq!(output_path("_index.md"), "index.html");
        assert_eq!(output_path("cnn/_index.md"), "cnn/index.html");
        assert_eq!(output_path("cnn/a.md"), "cnn/a.html");
    }
}
