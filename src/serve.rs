//! `figmark serve`: builds the site, serves it over HTTP on a local address, watches the site's
//! sources and rebuilds on every change, then tells open pages to reload.
//!
//! The site is served from memory: each build's files are held in a map (pages as bytes, static
//! files and assets by their source path) and swapped in whole when the build succeeds. That
//! makes a rebuild cost only the pages a change touched ([`Memo`](crate::memo::Memo)), never a rewrite of
//! the output folder, and it makes serving safe by construction: only paths the build planned
//! can be answered, so `..`, encoded dots or absolute paths cannot reach other files. A failed
//! build keeps the last good map and publishes its errors instead.
//!
//! Live reload uses server-sent events (`/__figmark/events`); the small script that listens is
//! added to HTML responses only, so nothing of it reaches `figmark build`'s output.
//! `/__figmark/status` answers the last build's errors as text (`ok` when there are none).

use std::collections::{HashMap, HashSet};
use std::io::{self, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use notify::event::ModifyKind;
use notify::{EventKind, RecommendedWatcher, RecursiveMode, Watcher};
use percent_encoding::percent_decode_str;
use tiny_http::{Header, Request, Response, StatusCode};

use crate::build::{self, Plan, STATIC_DIR};
use crate::config;
use crate::content::CONTENT_DIR;
use crate::diagnostics::Diagnostic;
use crate::memo::Memo;
use crate::output::Contents;
use crate::templates::TEMPLATE_DIR;

pub const EVENTS_PATH: &str = "/__figmark/events";
pub const STATUS_PATH: &str = "/__figmark/status";
/// Threads answering ordinary requests; each live-reload stream gets a thread of its own.
const WORKERS: usize = 8;
/// Changes closer together than this are rebuilt once. An editor's save (write, rename, chmod)
/// takes a millisecond or two; anything longer adds to every reload, and a burst of changes
/// (a `git checkout`) that outlasts it costs only one more incremental rebuild.
const DEBOUNCE: Duration = Duration::from_millis(10);
/// How often an idle event stream is written to, so closed tabs free their thread.
const KEEPALIVE: Duration = Duration::from_secs(15);
const POLL: Duration = Duration::from_millis(200);

/// What happened in a build, for the command line to print.
pub enum Report<'a> {
    Built { plan: &'a Plan, elapsed: Duration },
    Failed { diagnostics: &'a [Diagnostic] },
}

/// A running server. Dropping it stops the watcher and the threads.
pub struct Server {
    addr: SocketAddr,
    shared: Arc<Shared>,
    threads: Vec<JoinHandle<()>>,
}

struct State {
    /// The last site that built, by output path; `None` until one has.
    files: Option<Arc<HashMap<String, Contents>>>,
    /// The last build's diagnostics when it failed; empty when it succeeded.
    errors: Vec<Diagnostic>,
    /// Counts finished builds, so a page can tell it is out of date.
    generation: u64,
}

struct Shared {
    state: Mutex<State>,
    changed: Condvar,
    stop: AtomicBool,
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Server {
    /// Builds the site at `root`, then serves it on `addr` (port 0 picks a free port) and rebuilds
    /// on changes. `report` is called after every build.
    pub fn start(
        root: &Path,
        addr: SocketAddr,
        report: impl Fn(Report) + Send + 'static,
    ) -> io::Result<Server> {
        let http = Arc::new(tiny_http::Server::http(addr).map_err(io::Error::other)?);
        let addr = http
            .server_addr()
            .to_ip()
            .ok_or_else(|| io::Error::other("not an IP address"))?;
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                files: None,
                errors: Vec::new(),
                generation: 0,
            }),
            changed: Condvar::new(),
            stop: AtomicBool::new(false),
        });
        let (tx, rx) = mpsc::channel::<Seen>();
        let watched_root = root.to_path_buf();
        let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
            if let Some(seen) = Seen::from_event(&watched_root, event) {
                tx.send(seen).ok();
            }
        })
        .map_err(io::Error::other)?;
        watcher
            .watch(root, RecursiveMode::NonRecursive)
            .map_err(io::Error::other)?;
        let mut watched = HashSet::new();
        watch_sources(&mut watcher, root, &mut watched)?;

        // Watching starts first, so that no change made during the first build goes unseen.
        let mut cache = Memo::default();
        rebuild(root, &mut cache, &shared, &report);

        let mut threads = Vec::new();
        let root = root.to_path_buf();
        let builder_shared = shared.clone();
        threads.push(std::thread::spawn(move || {
            while !builder_shared.stop.load(Ordering::Relaxed) {
                let first = match rx.recv_timeout(POLL) {
                    Ok(seen) => seen,
                    Err(mpsc::RecvTimeoutError::Timeout) => continue,
                    Err(mpsc::RecvTimeoutError::Disconnected) => break,
                };
                // An editor's save is often several events (write, rename, chmod): build once.
                let mut edited = Some(HashSet::new());
                for seen in
                    std::iter::once(first).chain(std::iter::from_fn(|| rx.recv_timeout(DEBOUNCE).ok()))
                {
                    match (seen, &mut edited) {
                        (Seen::Edited(paths), Some(all)) => all.extend(paths),
                        (Seen::Edited(_), None) => {}
                        (Seen::Unknown, _) => edited = None,
                    }
                }
                cache.watched(edited);
                // A source folder made since the start is watched from now on; its files are
                // in this build, since the root's watch saw it made.
                if let Err(e) = watch_sources(&mut watcher, &root, &mut watched) {
                    eprintln!("figmark: cannot watch a source folder: {e}");
                }
                rebuild(&root, &mut cache, &builder_shared, &report);
            }
        }));
        for _ in 0..WORKERS {
            let http = http.clone();
            let shared = shared.clone();
            threads.push(std::thread::spawn(move || {
                while !shared.stop.load(Ordering::Relaxed) {
                    match http.recv_timeout(POLL) {
                        Ok(Some(request)) => respond(request, &shared),
                        Ok(None) => {}
                        Err(_) => break,
                    }
                }
            }));
        }
        Ok(Server {
            addr,
            shared,
            threads,
        })
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Blocks while the server runs.
    pub fn wait(mut self) {
        for thread in std::mem::take(&mut self.threads) {
            thread.join().ok();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::Relaxed);
        self.shared.changed.notify_all();
        for thread in self.threads.drain(..) {
            thread.join().ok();
        }
    }
}

/// Watches each source folder (content, templates, static) that exists and is not watched yet.
fn watch_sources(
    watcher: &mut RecommendedWatcher,
    root: &Path,
    watched: &mut HashSet<&str>,
) -> io::Result<()> {
    for dir in [CONTENT_DIR, TEMPLATE_DIR, STATIC_DIR] {
        if !watched.contains(dir) && root.join(dir).is_dir() {
            watcher
                .watch(&root.join(dir), RecursiveMode::Recursive)
                .map_err(io::Error::other)?;
            watched.insert(dir);
        }
    }
    Ok(())
}

/// What a watcher event means for the next build.
enum Seen {
    /// Sources changed, and under `content/` only these files' contents (by path under
    /// `content/`), so the last listing of the folder still holds.
    Edited(Vec<String>),
    /// A file under `content/` was added, removed or renamed, or events may have been lost.
    Unknown,
}

impl Seen {
    /// `None` for an event that changes no source: a read (the build's own included), or a
    /// change outside the site's sources (the output folder, editor files in the root).
    fn from_event(root: &Path, event: notify::Result<notify::Event>) -> Option<Seen> {
        let Ok(event) = event else {
            return Some(Seen::Unknown);
        };
        if matches!(event.kind, EventKind::Access(_)) {
            return None;
        }
        let sources: Vec<PathBuf> = event
            .paths
            .iter()
            .filter_map(|p| site_rel(root, p))
            .filter(|rel| is_source_rel(rel))
            .collect();
        if sources.is_empty() {
            return None;
        }
        let edit = matches!(
            event.kind,
            EventKind::Modify(ModifyKind::Data(_) | ModifyKind::Metadata(_))
        );
        let mut edited = Vec::new();
        for rel in &sources {
            let Ok(in_content) = rel.strip_prefix(CONTENT_DIR) else {
                continue;
            };
            match in_content.to_str() {
                Some(path) if edit => edited.push(path.replace(std::path::MAIN_SEPARATOR, "/")),
                _ => return Some(Seen::Unknown),
            }
        }
        Some(Seen::Edited(edited))
    }
}

/// A changed path relative to the site's root; `None` when it lies outside.
fn site_rel(root: &Path, path: &Path) -> Option<PathBuf> {
    if let Ok(rel) = path.strip_prefix(root) {
        return Some(rel.to_path_buf());
    }
    // Watchers may report canonical paths.
    let root = root.canonicalize().ok()?;
    path.strip_prefix(root).ok().map(Path::to_path_buf)
}

fn is_source_rel(rel: &Path) -> bool {
    let mut parts = rel.components();
    match parts.next().and_then(|c| c.as_os_str().to_str()) {
        Some(config::FILE_NAME) => parts.next().is_none(),
        Some(dir) => [CONTENT_DIR, TEMPLATE_DIR, STATIC_DIR].contains(&dir),
        None => false,
    }
}

fn rebuild(root: &Path, cache: &mut Memo, shared: &Shared, report: &dyn Fn(Report)) {
    let start = Instant::now();
    match build::plan(root, cache) {
        Ok(mut plan) => {
            let files: HashMap<String, Contents> = std::mem::take(&mut plan.files)
                .into_iter()
                .map(|f| (f.path, f.contents))
                .collect();
            let last = {
                let mut state = shared.state();
                state.errors.clear();
                state.generation += 1;
                state.files.replace(Arc::new(files))
            };
            let elapsed = start.elapsed();
            // Pages are told to reload before the last site is freed.
            shared.changed.notify_all();
            drop(last);
            report(Report::Built { plan: &plan, elapsed });
        }
        Err(diagnostics) => {
            report(Report::Failed {
                diagnostics: &diagnostics,
            });
            {
                let mut state = shared.state();
                state.errors = diagnostics;
                state.generation += 1;
            }
            shared.changed.notify_all();
        }
    }
}

/// Why a request path is not looked up.
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    /// It tries to leave the site (`..`, a drive or a backslash).
    Forbidden,
    /// It is not valid percent-encoded UTF-8.
    Malformed,
}

/// The output path a request path names: percent-decoded, `.` and empty segments dropped, a
/// folder meaning its `index.html`. Paths that climb (`..`, `%2e%2e`) are refused rather than
/// resolved, so no request can name a file outside the site.
pub fn resolve(url_path: &str) -> Result<String, Refused> {
    let decoded = percent_decode_str(url_path)
        .decode_utf8()
        .map_err(|_| Refused::Malformed)?;
    let mut parts = Vec::new();
    for part in decoded.split('/') {
        if part == ".." || part.contains(['\\', '\0', ':']) {
            return Err(Refused::Forbidden);
        }
        if !part.is_empty() && part != "." {
            parts.push(part);
        }
    }
    if decoded.ends_with('/') || parts.is_empty() {
        parts.push("index.html");
    }
    Ok(parts.join("/"))
}

pub fn content_type(path: &str) -> &'static str {
    let ext = path.rsplit_once('.').map_or("", |(_, e)| e);
    match ext.to_ascii_lowercase().as_str() {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "xml" => "application/xml",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "txt" | "md" => "text/plain; charset=utf-8",
        "pdf" => "application/pdf",
        _ => "application/octet-stream",
    }
}

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("header names and values are ASCII")
}

fn respond(request: Request, shared: &Arc<Shared>) {
    let url = request.url().to_string();
    let (path, query) = url.split_once('?').unwrap_or((&url, ""));
    if path == EVENTS_PATH {
        let since = query
            .split('&')
            .find_map(|kv| kv.strip_prefix("since="))
            .and_then(|g| g.parse().ok());
        let shared = shared.clone();
        std::thread::spawn(move || stream_events(request.into_writer(), &shared, since));
        return;
    }
    let (files, errors, generation) = {
        let state = shared.state();
        (state.files.clone(), state.errors.clone(), state.generation)
    };
    if path == STATUS_PATH {
        let text = if errors.is_empty() {
            "ok\n".to_string()
        } else {
            errors.iter().map(|d| format!("{d}\n")).collect()
        };
        send(request, 200, "text/plain; charset=utf-8", text.into_bytes());
        return;
    }
    let rel = match resolve(path) {
        Ok(rel) => rel,
        Err(Refused::Forbidden) => return send(request, 403, "text/plain", b"forbidden\n".to_vec()),
        Err(Refused::Malformed) => return send(request, 400, "text/plain", b"bad request\n".to_vec()),
    };
    let Some(files) = files else {
        // No build has succeeded yet: every page shows the errors and reloads once fixed.
        let page = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>figmark</title></head><body></body></html>";
        let html = with_live_reload(page.as_bytes(), generation, &errors);
        return send(request, 503, content_type("x.html"), html);
    };
    let (status, rel, served) = match files.get(&rel) {
        Some(served) => (200, rel, served),
        None if files.contains_key(&format!("{rel}/index.html")) => {
            let response = Response::empty(301).with_header(header("Location", &format!("{path}/")));
            request.respond(response).ok();
            return;
        }
        None => match files.get("404.html") {
            Some(served) => (404, "404.html".to_string(), served),
            None => return send(request, 404, "text/plain", b"not found\n".to_vec()),
        },
    };
    let kind = content_type(&rel);
    let Ok(bytes) = served.read() else {
        return send(request, 404, "text/plain", b"not found\n".to_vec());
    };
    let bytes = if kind.starts_with("text/html") {
        with_live_reload(&bytes, generation, &errors)
    } else {
        bytes
    };
    send(request, status, kind, bytes);
}

fn send(request: Request, status: u16, kind: &str, body: Vec<u8>) {
    let response = Response::from_data(body)
        .with_status_code(StatusCode(status))
        .with_header(header("Content-Type", kind))
        .with_header(header("Cache-Control", "no-store"));
    // A client that went away is no error of the server's.
    request.respond(response).ok();
}

/// The page with the live-reload script added before `</body>`. The script knows the build it
/// was served from, so a page loaded before the latest build reloads at once.
fn with_live_reload(html: &[u8], generation: u64, errors: &[Diagnostic]) -> Vec<u8> {
    let script = format!(
        "<script>{}</script>",
        LIVE_RELOAD_JS
            .replace("GENERATION", &generation.to_string())
            .replace("STYLE", &format!("{OVERLAY_STYLE:?}"))
    );
    let errors_note = if errors.is_empty() {
        String::new()
    } else {
        // Served while the latest build failed: show its errors straight away.
        let mut text = String::new();
        pulldown_cmark_escape::escape_html(&mut text, &error_text(errors)).ok();
        format!("<pre id=\"figmark-errors\" style=\"{OVERLAY_STYLE}\">{text}</pre>")
    };
    let at = find_last(html, b"</body>").unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + script.len() + errors_note.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(errors_note.as_bytes());
    out.extend_from_slice(script.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

fn find_last(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

fn error_text(errors: &[Diagnostic]) -> String {
    let mut text = String::from("figmark: the build failed; showing the last good site.\n\n");
    for d in errors {
        text.push_str(&format!("{d}\n"));
    }
    text
}

const OVERLAY_STYLE: &str = "position:fixed;inset:auto 0 0 0;max-height:60vh;overflow:auto;margin:0;\
padding:1em;background:#3b0d0d;color:#fff;font:14px/1.5 monospace;white-space:pre-wrap;z-index:99999";

/// Listens for builds: reloads after a good one, shows the errors of a failed one over the page.
const LIVE_RELOAD_JS: &str = r#"(function(){var es=new EventSource("/__figmark/events?since=GENERATION");
es.addEventListener("reload",function(){location.reload()});
es.addEventListener("failed",function(e){var o=document.getElementById("figmark-errors");
if(!o){o=document.createElement("pre");o.id="figmark-errors";document.body.appendChild(o)}
o.setAttribute("style",STYLE);o.textContent=e.data;o.onclick=function(){o.remove()}});})();"#;

/// One live-reload stream: after each build, `reload` or `failed` with the error text.
fn stream_events(mut out: Box<dyn Write + Send>, shared: &Shared, since: Option<u64>) {
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\n\r\n";
    if out.write_all(head.as_bytes()).and_then(|()| out.flush()).is_err() {
        return;
    }
    let mut seen = since.unwrap_or_else(|| shared.state().generation);
    loop {
        let message = {
            let state = shared.state();
            let (state, _) = shared
                .changed
                .wait_timeout_while(state, KEEPALIVE, |s| {
                    s.generation == seen && !shared.stop.load(Ordering::Relaxed)
                })
                .unwrap_or_else(|e| e.into_inner());
            if shared.stop.load(Ordering::Relaxed) {
                return;
            }
            if state.generation == seen {
                ": keep-alive\n\n".to_string()
            } else {
                seen = state.generation;
                if state.errors.is_empty() {
                    "event: reload\ndata: \n\n".to_string()
                } else {
                    let data: String = error_text(&state.errors)
                        .lines()
                        .map(|l| format!("data: {l}\n"))
                        .collect();
                    format!("event: failed\n{data}\n")
                }
            }
        };
        if out
            .write_all(message.as_bytes())
            .and_then(|()| out.flush())
            .is_err()
        {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_folders_and_refuses_climbing() {
        assert_eq!(resolve("/").unwrap(), "index.html");
        assert_eq!(resolve("/cnn/").unwrap(), "cnn/index.html");
        assert_eq!(resolve("/cnn/a.html").unwrap(), "cnn/a.html");
        assert_eq!(resolve("//etc/passwd").unwrap(), "etc/passwd");
        assert_eq!(resolve("/%E6%84%9F.html").unwrap(), "感.html");
        assert_eq!(resolve("/../x"), Err(Refused::Forbidden));
        assert_eq!(resolve("/%2e%2e/x"), Err(Refused::Forbidden));
        assert_eq!(resolve("/a/%2E%2E%2Fb"), Err(Refused::Forbidden));
        assert_eq!(resolve("/C:/x"), Err(Refused::Forbidden));
        assert_eq!(resolve("/a%5c..%5cb"), Err(Refused::Forbidden));
        assert_eq!(resolve("/%ff"), Err(Refused::Malformed));
    }

    #[test]
    fn live_reload_goes_before_body_end() {
        let html = with_live_reload(b"<html><body><p>x</p></body></html>", 3, &[]);
        let html = String::from_utf8(html).unwrap();
        assert!(html.contains("since=3"), "{html}");
        assert!(html.ends_with("</script></body></html>"), "{html}");
    }

    fn seen(kind: EventKind, path: &str) -> Option<Seen> {
        Seen::from_event(
            Path::new("/site"),
            Ok(notify::Event::new(kind).add_path(PathBuf::from(path))),
        )
    }

    #[test]
    fn only_sources_trigger_a_rebuild() {
        let write = EventKind::Modify(ModifyKind::Data(notify::event::DataChange::Content));
        for path in [
            "/site/content/a.md",
            "/site/site.toml",
            "/site/templates/base.html",
        ] {
            assert!(seen(write, path).is_some(), "{path}");
        }
        for path in [
            "/site/public/index.html",
            "/site/.public.figmark-tmp-1",
            "/elsewhere/content/a.md",
        ] {
            assert!(seen(write, path).is_none(), "{path}");
        }
        let read = EventKind::Access(notify::event::AccessKind::Read);
        assert!(seen(read, "/site/content/a.md").is_none());
    }

    /// Only edits to files under `content/` let the next build trust the last listing of it.
    #[test]
    fn edits_are_told_from_changes_to_the_listing() {
        let write = EventKind::Modify(ModifyKind::Data(notify::event::DataChange::Content));
        assert!(matches!(seen(write, "/site/content/cnn/a.md"), Some(Seen::Edited(p)) if p == ["cnn/a.md"]));
        assert!(matches!(seen(write, "/site/static/style.css"), Some(Seen::Edited(p)) if p.is_empty()));
        let create = EventKind::Create(notify::event::CreateKind::File);
        assert!(matches!(seen(create, "/site/static/new.css"), Some(Seen::Edited(p)) if p.is_empty()));
        for kind in [
            create,
            EventKind::Remove(notify::event::RemoveKind::File),
            EventKind::Modify(ModifyKind::Name(notify::event::RenameMode::Any)),
            EventKind::Any,
        ] {
            assert!(
                matches!(seen(kind, "/site/content/b.md"), Some(Seen::Unknown)),
                "{kind:?}"
            );
        }
        assert!(matches!(
            Seen::from_event(Path::new("/site"), Err(notify::Error::generic("lost"))),
            Some(Seen::Unknown)
        ));
    }
}
