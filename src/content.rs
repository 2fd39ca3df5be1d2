//! Load stage: walk `content/`, split front matter from body, and build the section tree.
//!
//! Paths inside the site are `/`-separated strings relative to `content/` (`cnn/receptive-field.md`),
//! so that output never depends on the host's path separator.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;
use walkdir::WalkDir;

use crate::config::Config;
use crate::diagnostics::{Diagnostic, LineIndex};

pub const CONTENT_DIR: &str = "content";
pub const SECTION_INDEX: &str = "_index.md";
/// Larger files are refused: notes are prose, and a runaway file should not stall a build.
pub const MAX_FILE_BYTES: u64 = 2 * 1024 * 1024;

#[derive(Debug, Clone, Deserialize)]
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
    /// Relative to `content/`, e.g. `cnn/receptive-field.md` or `cnn/_index.md`.
    pub rel: String,
    /// Shared with `figmark serve`'s cache, like `source`.
    pub meta: Arc<FrontMatter>,
    /// The whole file, front matter included, so byte offsets map to the file's lines. Shared
    /// with `figmark serve`'s cache, which keeps it between rebuilds.
    pub source: Arc<str>,
    /// Byte offset where the markdown body starts.
    pub body_start: usize,
    /// The section this page belongs to (for `_index.md`, the section it introduces).
    pub section: usize,
}

impl Page {
    /// A page from its path under `content/` and its text. Its section is set when the site's
    /// section tree is built.
    pub fn parse(rel: &str, source: String) -> Result<Self, Diagnostic> {
        let (meta, body_start) = parse_front_matter(&format!("{CONTENT_DIR}/{rel}"), &source)?;
        Ok(Self {
            rel: rel.to_string(),
            meta: Arc::new(meta),
            source: source.into(),
            body_start,
            section: 0,
        })
    }

    pub fn is_section_index(&self) -> bool {
        self.rel == SECTION_INDEX || self.rel.ends_with("/_index.md")
    }

    pub fn body(&self) -> &str {
        &self.source[self.body_start..]
    }

    /// The file as a user names it in messages: `content/cnn/a.md`.
    pub fn display_path(&self) -> String {
        format!("{CONTENT_DIR}/{}", self.rel)
    }

    /// Where the page is written, relative to the output folder.
    pub fn output_path(&self) -> String {
        output_path(&self.rel)
    }
}

/// `a/b.md` → `a/b.html`; `a/_index.md` → `a/index.html`.
pub fn output_path(rel_md: &str) -> String {
    match rel_md.strip_suffix(SECTION_INDEX) {
        Some(dir) => format!("{dir}index.html"),
        None => format!("{}.html", rel_md.strip_suffix(".md").unwrap_or(rel_md)),
    }
}

#[derive(Debug, Clone)]
pub struct Section {
    /// Relative to `content/`; empty for the home section.
    pub dir: String,
    /// The section's `_index.md`.
    pub index: usize,
    pub parent: Option<usize>,
    /// Pages in reading order (weight, then title, then path).
    pub pages: Vec<usize>,
    /// Subsections in reading order.
    pub subsections: Vec<usize>,
}

#[derive(Debug)]
pub struct Site {
    pub config: Config,
    pub pages: Vec<Page>,
    /// `sections[0]` is the home section.
    pub sections: Vec<Section>,
    /// Every page in reading order: a section's index, its pages, then its subsections.
    pub reading_order: Vec<usize>,
    /// Files under `content/` that are not markdown (images, downloads), copied as they are.
    pub assets: Vec<String>,
}

/// How the load stage reads files: [`memo::Files`](crate::memo::Files) reuses earlier reads.
pub trait Reader {
    /// The last walk of `content/` when it still holds, with the files edited since; `None`
    /// when the folder must be walked again.
    fn vouched_listing(&mut self) -> Option<(Listing, HashSet<String>)>;
    /// Offers `listing` for reuse by the next load.
    fn keep_listing(&mut self, listing: &Listing);
    /// Every file of `files` (path under `content/`, full path) as a page, in order, reading
    /// with `read_new` those that need it; `edited`, when known, holds the only files that may
    /// have changed.
    fn read_all(
        &mut self,
        files: &[(String, PathBuf)],
        edited: Option<&HashSet<String>>,
        read_new: ReadNew,
    ) -> Vec<Result<Page, Diagnostic>>;
}

/// Reads and parses one file (full path, path under `content/`, size in bytes).
pub type ReadNew = fn(&Path, &str, u64) -> Result<Page, Diagnostic>;

/// What a walk of `content/` found.
#[derive(Default, Clone)]
pub struct Listing {
    /// Markdown files: path under `content/` and full path.
    pub(crate) markdown: Vec<(String, PathBuf)>,
    assets: Vec<String>,
    /// Each folder holding markdown, and whether it has an `_index.md`.
    dirs_with_pages: BTreeMap<String, bool>,
    pub(crate) diagnostics: Vec<Diagnostic>,
    pub(crate) symlinks: bool,
}

/// Reads every file under `root/content`. Returns the site when there is one to build, and all
/// diagnostics found on the way (a bad file is reported and skipped so others are still checked).
/// `files` decides which files need reading again.
pub fn load(root: &Path, config: Config, files: &mut impl Reader) -> (Option<Site>, Vec<Diagnostic>) {
    let content_root = root.join(CONTENT_DIR);
    let (listing, edited) = match files.vouched_listing().filter(|_| content_root.is_dir()) {
        Some((listing, edited)) => (listing, Some(edited)),
        None => (walk(root, &content_root), None),
    };
    let mut diagnostics = listing.diagnostics.clone();
    let mut pages = Vec::new();
    for result in files.read_all(&listing.markdown, edited.as_ref(), read_new_page) {
        match result {
            Ok(page) if page.meta.draft => {}
            Ok(page) => pages.push(page),
            Err(d) => diagnostics.push(d),
        }
    }
    files.keep_listing(&listing);

    if !content_root.is_dir() {
        diagnostics.push(Diagnostic::error(CONTENT_DIR, 0, 0, "content folder not found"));
        return (None, diagnostics);
    }
    for (dir, has_index) in &listing.dirs_with_pages {
        if !has_index {
            let file = if dir.is_empty() {
                format!("{CONTENT_DIR}/{SECTION_INDEX}")
            } else {
                format!("{CONTENT_DIR}/{dir}/{SECTION_INDEX}")
            };
            diagnostics.push(
                Diagnostic::error(file, 0, 0, "section has notes but no _index.md")
                    .with_hint("add an _index.md with a title and a summary of the section"),
            );
        }
    }
    let assets = listing.assets;
    if pages.iter().all(|p| p.rel != SECTION_INDEX) {
        let home = format!("{CONTENT_DIR}/{SECTION_INDEX}");
        if !diagnostics.iter().any(|d| d.file.to_string_lossy() == home) {
            diagnostics.push(
                Diagnostic::error(home, 0, 0, "the site has no home page")
                    .with_hint("add an _index.md with a title at the top of the content folder"),
            );
        }
        return (None, diagnostics);
    }
    let (sections, reading_order) = build_sections(&mut pages);
    let site = Site {
        config,
        pages,
        sections,
        reading_order,
        assets,
    };
    (Some(site), diagnostics)
}

/// Lists the files under `content_root` in a stable order, leaving out hidden files and folders
/// and symbolic links that leave the folder.
fn walk(root: &Path, content_root: &Path) -> Listing {
    let mut listing = Listing::default();
    let walker = WalkDir::new(content_root).sort_by_file_name().follow_links(false);
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let file = e.path().map_or_else(|| CONTENT_DIR.into(), |p| display(root, p));
                listing
                    .diagnostics
                    .push(Diagnostic::error(file, 0, 0, format!("cannot read: {e}")));
                continue;
            }
        };
        let Some(rel) = rel_path(content_root, entry.path()) else {
            continue;
        };
        if rel.is_empty() || rel.split('/').any(|part| part.starts_with('.')) {
            continue;
        }
        let file_type = entry.file_type();
        if file_type.is_symlink() {
            listing.symlinks = true;
            let problem = match symlink_target_inside(content_root, entry.path()) {
                Ok(true) if entry.path().is_dir() => Some(Diagnostic::warning(
                    display(root, entry.path()),
                    0,
                    0,
                    "symbolic link to a folder is not followed",
                )),
                Ok(true) => None,
                Ok(false) => Some(Diagnostic::error(
                    display(root, entry.path()),
                    0,
                    0,
                    "symbolic link points outside the content folder",
                )),
                Err(e) => Some(Diagnostic::error(
                    display(root, entry.path()),
                    0,
                    0,
                    format!("broken symbolic link: {e}"),
                )),
            };
            if let Some(problem) = problem {
                listing.diagnostics.push(problem);
                continue;
            }
        } else if file_type.is_dir() {
            continue;
        }
        if !rel.ends_with(".md") {
            listing.assets.push(rel);
            continue;
        }
        let dir = parent_dir(&rel).to_string();
        *listing.dirs_with_pages.entry(dir).or_default() |= rel.ends_with(SECTION_INDEX);
        listing.markdown.push((rel, entry.into_path()));
    }
    listing
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

fn symlink_target_inside(content_root: &Path, link: &Path) -> std::io::Result<bool> {
    let target = link.canonicalize()?;
    Ok(target.starts_with(content_root.canonicalize()?))
}

/// The error for a file that cannot be read.
pub(crate) fn read_error(rel: &str, e: &std::io::Error) -> Diagnostic {
    Diagnostic::error(format!("{CONTENT_DIR}/{rel}"), 0, 0, format!("cannot read: {e}"))
}

/// Reads and parses one page, drafts included.
fn read_new_page(path: &Path, rel: &str, len: u64) -> Result<Page, Diagnostic> {
    let err = |line, msg: String| Diagnostic::error(format!("{CONTENT_DIR}/{rel}"), line, 0, msg);
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
    Page::parse(rel, source)
}

/// Splits `---`-fenced YAML front matter off the body of `file`. Errors carry the file line.
pub fn parse_front_matter(file: &str, source: &str) -> Result<(FrontMatter, usize), Diagnostic> {
    let err = |line: usize, message: &str| Diagnostic::error(file, line, 0, message);
    let bom = if source.starts_with('\u{feff}') { 3 } else { 0 };
    let text = &source[bom..];
    let first_line_end = text.find('\n').map_or(text.len(), |i| i + 1);
    if text[..first_line_end].trim_end() != "---" {
        return Err(err(
            1,
            "missing front matter: the file must start with a `---` line, then YAML with at least a `title`",
        ));
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
    Ok((meta, body_start))
}

/// serde-saphyr renders a source snippet in its message; we print our own location, so keep
/// only the first line of its text.
fn yaml_error_message(e: &serde_saphyr::Error) -> String {
    let text = e.to_string();
    let first = text.lines().next().unwrap_or("invalid YAML").trim();
    format!("front matter: {first}")
}

fn build_sections(pages: &mut [Page]) -> (Vec<Section>, Vec<usize>) {
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
    let order_key = |p: &Page| (p.meta.weight, p.meta.title.clone(), p.rel.clone());
    for s in 0..sections.len() {
        let mut list = std::mem::take(&mut sections[s].pages);
        list.sort_by_cached_key(|&i| order_key(&pages[i]));
        sections[s].pages = list;
        let mut subs = std::mem::take(&mut sections[s].subsections);
        subs.sort_by_cached_key(|&c| order_key(&pages[sections[c].index]));
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

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(src: &str) -> Result<(FrontMatter, usize), (usize, String)> {
        parse_front_matter("content/a.md", src).map_err(|d| {
            assert_eq!(d.file.to_string_lossy(), "content/a.md");
            (d.line, d.message)
        })
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
        assert!(parse("no front matter").is_err());
    }

    /// A build that fails says why: a site whose sections have no home page once failed with
    /// no error at all.
    #[test]
    fn a_site_without_a_home_page_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let sec = dir.path().join(CONTENT_DIR).join("sec");
        std::fs::create_dir_all(&sec).unwrap();
        std::fs::write(sec.join(SECTION_INDEX), "---\ntitle: 节\n---\n").unwrap();
        std::fs::write(sec.join("a.md"), "---\ntitle: 甲\n---\n").unwrap();
        std::fs::write(dir.path().join("site.toml"), "title = \"T\"\n").unwrap();
        let config = Config::load(dir.path()).unwrap();
        let (site, diagnostics) = load(dir.path(), config, &mut crate::memo::Files::default());
        assert!(site.is_none());
        let errors: Vec<String> = diagnostics.iter().map(ToString::to_string).collect();
        assert!(
            errors
                .iter()
                .any(|e| e.contains("content/_index.md") && e.contains("no home page")),
            "{errors:?}"
        );
    }

    #[test]
    fn output_paths() {
        assert_eq!(output_path("_index.md"), "index.html");
        assert_eq!(output_path("cnn/_index.md"), "cnn/index.html");
        assert_eq!(output_path("cnn/a.md"), "cnn/a.html");
    }
}
