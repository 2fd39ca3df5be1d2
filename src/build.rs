//! The pipeline, stage by stage: load content → render markdown (with figures) → check
//! cross-links → lay out pages (views and templates) → search index and other files → write
//! output. Each stage collects diagnostics and goes on; the pipeline stops between stages when
//! there are errors. What a stage may reuse from an earlier build is the [`Memo`]'s business.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use walkdir::WalkDir;

use crate::config::Config;
use crate::content::{self, Site};
use crate::diagnostics::{Diagnostic, Severity, has_errors};
use crate::markdown::{self, Rendered};
use crate::memo::Memo;
use crate::output::{Contents, Files, Sink};
use crate::templates::Templates;
use crate::{history, layout, limits, links, search};

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
    pub files: Files,
    pub summary: Summary,
}

/// What a build made, besides its files.
pub struct Summary {
    pub pages: usize,
    pub sections: usize,
    pub figures: usize,
    /// Pages whose markdown was rendered now (not reused from the [`Memo`]).
    pub rendered_pages: usize,
    /// Output pages laid out by a template now (not reused from the [`Memo`]).
    pub laid_out: usize,
    /// Warnings only: a site is made only when there are no errors.
    pub warnings: Vec<Diagnostic>,
    /// How long each stage took, in order: `figmark serve` logs them, so that work a rebuild
    /// does for every page shows.
    pub stages: Vec<(&'static str, Duration)>,
}

/// The time each stage of a build takes.
struct Stopwatch {
    last: Instant,
    stages: Vec<(&'static str, Duration)>,
}

impl Stopwatch {
    fn start() -> Self {
        Self {
            last: Instant::now(),
            stages: Vec::new(),
        }
    }

    /// Ends the stage `name`, started when the last one ended.
    fn lap(&mut self, name: &'static str) {
        let now = Instant::now();
        self.stages.push((name, now - self.last));
        self.last = now;
    }
}

/// Runs every stage but the write, reusing what `memo` holds from earlier builds (a first build
/// passes an empty one). `Err` holds every diagnostic found, errors and warnings, and at least
/// one error.
pub fn plan(root: &Path, memo: &mut Memo) -> Result<Plan, Vec<Diagnostic>> {
    plan_with(root, memo, Lenient::AsConfigured)
}

/// Whether problems in the notes stop the build (`site.toml`'s `lenient`, or a command's choice).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lenient {
    AsConfigured,
    Yes,
    No,
}

/// [`plan`], with `lenient` deciding over `site.toml`: when lenient, every problem in the notes is
/// a warning and the site is still made.
pub fn plan_with(root: &Path, memo: &mut Memo, lenient: Lenient) -> Result<Plan, Vec<Diagnostic>> {
    let sink = Sink::memory(memo.files_made);
    let summary = make(root, memo, lenient, &sink)?;
    let files = sink.finish().expect("files kept in memory are not written");
    memo.files_made = files.len();
    Ok(Plan { files, summary })
}

/// Every validation of a build, keeping no file (`figmark check`).
pub fn check(root: &Path) -> Result<Summary, Vec<Diagnostic>> {
    make(root, &mut Memo::one_shot(), Lenient::No, &Sink::nowhere())
}

/// Runs every stage, putting each file into `sink` as it is made. Errors in the notes are all
/// known before the first file is made (after the link check); a template or the output limit
/// can still fail the build after some were put.
fn make(root: &Path, memo: &mut Memo, lenient: Lenient, sink: &Sink) -> Result<Summary, Vec<Diagnostic>> {
    let mut watch = Stopwatch::start();
    memo.begin();
    let mut config = Config::load(root).map_err(|d| vec![d])?;
    config.lenient = match lenient {
        Lenient::AsConfigured => config.lenient,
        Lenient::Yes => true,
        Lenient::No => false,
    };
    let history = history::start(root, &memo.history);
    let (site, mut diagnostics) = content::load(root, config, &mut memo.files);
    let templates = Templates::load(root).map_err(|d| diagnostics.extend(d)).ok();
    let Some(mut site) = site else {
        return Err(failed(diagnostics));
    };
    diagnostics.extend(limits::check_notes(&site));
    watch.lap("load");
    let mut rendered = render(&site, memo);
    diagnostics.extend(rendered.pages.iter().flat_map(|r| r.diagnostics.iter().cloned()));
    watch.lap("render");
    let checked = links::check(root, &site, &rendered.pages, &rendered.keys, &mut memo.links);
    diagnostics.extend(checked.diagnostics);
    let backlinks = checked.backlinks;
    watch.lap("links");
    if site.config.lenient {
        for d in &mut diagnostics {
            d.severity = Severity::Warning;
        }
        mark_broken(&mut rendered, &checked.broken, memo);
    }
    let Some(templates) = templates.filter(|_| !has_errors(&diagnostics)) else {
        return Err(failed(diagnostics));
    };
    if memo.keeps_nothing() {
        release_sources(&mut site);
    }
    let last_changed = history.finish(&mut memo.history);
    let input = layout::Input {
        site: &site,
        rendered: &rendered.pages,
        render_keys: &rendered.keys,
        backlinks: &backlinks,
        backlink_keys: &checked.backlink_keys,
        last_changed: &last_changed,
        templates: &templates,
    };
    let laid_out =
        layout::lay_out(&input, memo, sink).map_err(|d| failed([diagnostics.clone(), d].concat()))?;
    watch.lap("layout");
    if memo.keeps_nothing() {
        release_laid_out(&mut rendered);
    }
    sink.put_all(site_files(root, &site, &rendered, memo));
    watch.lap("site files");
    limits::check_output(&site, sink.total(), |path| sink.size_of(path))
        .map_err(|d| failed([diagnostics.clone(), vec![d]].concat()))?;
    memo.end();
    watch.lap("limits");
    Ok(Summary {
        pages: site.pages.len(),
        sections: site.sections.len(),
        figures: rendered.pages.iter().map(|r| r.figures).sum(),
        rendered_pages: rendered.fresh,
        laid_out,
        warnings: sorted(diagnostics),
        stages: watch.stages,
    })
}

/// Every page's markdown rendered, with the key each rendering is kept under, and how many
/// were rendered now.
struct Renders {
    pages: Vec<Arc<Rendered>>,
    keys: Vec<u64>,
    fresh: usize,
}

/// Render stage: a page's rendering depends on its path and source, the set of sections (links
/// to folders reach their index), whether raw HTML is trusted, the site's math macros and its
/// language (the wording of anchors and figures).
fn render(site: &Site, memo: &mut Memo) -> Renders {
    let section_dirs: HashSet<String> = site.sections.iter().map(|s| s.dir.clone()).collect();
    let mut dirs: Vec<&String> = section_dirs.iter().collect();
    dirs.sort();
    let unsafe_html = site.config.unsafe_html;
    let math_macros = site.config.math_macros();
    let wording = markdown::Wording::of(&site.config);
    let shared = memo.key((dirs, unsafe_html, &math_macros, &wording));
    let keys: Vec<u64> = site
        .pages
        .par_iter()
        .map(|p| memo.key((shared, &p.rel, p.digest)))
        .collect();
    let (pages, fresh) = render_pool().install(|| {
        memo.renders.par_get_or_make(&keys, |i| {
            let mut made =
                markdown::render(&site.pages[i], &section_dirs, unsafe_html, &math_macros, &wording);
            // Every page's rendering is held until the pages are laid out: texts grown by
            // appending have up to twice their length allocated, a third of the renderings'
            // memory at 10,000 notes.
            made.html.shrink_to_fit();
            for block in &mut made.blocks {
                block.text.shrink_to_fit();
            }
            Arc::new(made)
        })
    });
    Renders { pages, keys, fresh }
}

/// Lenient builds: each page's links that lead nowhere are marked (`links::mark`), and its
/// rendering is kept under a key that says which, so a layout made before a link broke is not
/// reused.
fn mark_broken(rendered: &mut Renders, broken: &[Vec<usize>], memo: &Memo) {
    for (i, links) in broken.iter().enumerate().filter(|(_, l)| !l.is_empty()) {
        rendered.pages[i] = Arc::new(links::mark(&rendered.pages[i], links));
        rendered.keys[i] = memo.key((rendered.keys[i], links));
    }
}

/// A one-shot build lets go of the notes' text once the links are checked: nothing after reads
/// it (diagnostics with lines come from the stages before), and at 100,000 notes it is 400 MB
/// held to the end.
fn release_sources(site: &mut Site) {
    for page in &mut site.pages {
        page.source = "".into();
        page.body_start = 0;
    }
}

/// A one-shot build lets go of each page's HTML, its part of the print edition and its links
/// once the pages are laid out: the search stage after reads only the text blocks and
/// headings, and at 100,000 notes the HTML alone is a gigabyte held to the end.
fn release_laid_out(rendered: &mut Renders) {
    for page in &mut rendered.pages {
        if let Some(page) = Arc::get_mut(page) {
            page.html = String::new();
            page.edition_html = None;
            page.links = Vec::new();
        }
    }
}

/// The threads that render markdown. Their stacks are large: the math parser recurses once per
/// level of nesting, and a formula at the nesting limit (256) overflowed a default 2 MiB stack.
fn render_pool() -> &'static rayon::ThreadPool {
    static POOL: std::sync::OnceLock<rayon::ThreadPool> = std::sync::OnceLock::new();
    POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .stack_size(64 << 20)
            .thread_name(|i| format!("figmark-render-{i}"))
            .build()
            .expect("render threads start")
    })
}

/// The files beside the laid-out pages: search index, theme and site static files, content
/// assets, sitemap.
fn site_files(root: &Path, site: &Site, rendered: &Renders, memo: &mut Memo) -> Vec<(String, Contents)> {
    let mut files: Vec<(String, Contents)> = vec![
        (".nojekyll".into(), Vec::new().into()),
        (
            "highlight.css".into(),
            Contents::Bytes(markdown::highlight::theme_css().as_bytes().into()),
        ),
    ];
    let index = search::files(site, &rendered.pages, &rendered.keys, &mut memo.search);
    files.extend(
        index
            .into_iter()
            .map(|(path, bytes)| (path, Contents::Bytes(bytes))),
    );
    let base = site.config.base_url.trim_end_matches('/');
    if !base.is_empty() {
        files.push(("sitemap.xml".into(), sitemap(site, base).into()));
    }
    for (name, bytes) in DEFAULT_STATIC {
        files.push(((*name).into(), Contents::Bytes((*bytes).into())));
    }
    for (rel, path) in walk_files(&root.join(STATIC_DIR)) {
        files.push((rel, Contents::Copy(path)));
    }
    for asset in &site.assets {
        files.push((asset.clone(), Contents::Copy(site.content_root.join(asset))));
    }
    files
}

/// Builds the site at `root` into `output`. On any error the previous output is left as it was.
pub fn build(root: &Path, output: &Path) -> Result<Summary, Vec<Diagnostic>> {
    build_with(root, output, Lenient::AsConfigured)
}

/// [`build`], with `lenient` deciding over `site.toml`. Each file is written as it is made, into
/// a folder that is swapped in for `output` only when the build succeeds, and nothing is kept
/// for a next build.
pub fn build_with(root: &Path, output: &Path, lenient: Lenient) -> Result<Summary, Vec<Diagnostic>> {
    let cannot_write = |e: std::io::Error| {
        vec![Diagnostic::error(
            output,
            0,
            0,
            format!("cannot write the site: {e}"),
        )]
    };
    let sink = Sink::disk(output).map_err(cannot_write)?;
    let summary = make(root, &mut Memo::one_shot(), lenient, &sink)?;
    sink.finish().map_err(cannot_write)?;
    Ok(summary)
}

/// The diagnostics of a failed build, sorted. A build that fails says why: without an error
/// among them, that is a bug of figmark's, reported as one.
fn failed(mut diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    if !has_errors(&diagnostics) {
        debug_assert!(false, "a build failed without an error: {diagnostics:?}");
        diagnostics.push(Diagnostic::error(
            "figmark",
            0,
            0,
            "the build stopped without saying why: this is a bug in figmark, please report it",
        ));
    }
    sorted(diagnostics)
}

fn sorted(mut diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    diagnostics.sort();
    diagnostics.dedup();
    diagnostics
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
