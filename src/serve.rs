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
//!
//! HTTP is a small loop on `std::net` (httparse reads the request head) rather than tiny_http,
//! whose pool gives every open connection a thread of its own and which sets no timeouts: here a
//! fixed set of threads serves, live-reload streams are capped, idle connections are closed and
//! only requests naming this machine are answered (see [`host_allowed`]).

use std::collections::HashSet;
use std::io::{self, Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, RwLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use notify::event::ModifyKind;
use notify::{EventKind, RecommendedWatcher, RecursiveMode, Watcher};
use percent_encoding::percent_decode_str;

use crate::build::{self, STATIC_DIR, Summary};
use crate::config;
use crate::content;
use crate::diagnostics::Diagnostic;
use crate::memo::Memo;
use crate::output::Files;
use crate::templates::TEMPLATE_DIR;

pub const EVENTS_PATH: &str = "/__figmark/events";
pub const STATUS_PATH: &str = "/__figmark/status";
/// The status endpoint's header naming the build it reports, so a polling page can tell.
pub const GENERATION_HEADER: &str = "X-Figmark-Generation";
/// Threads answering requests. Each answers one request per connection and closes it, and a
/// live-reload stream is handed to one broadcasting thread, so the thread count is fixed however
/// many connections are open.
const WORKERS: usize = 4;
/// Accepted connections waiting for a worker; beyond this, new ones wait in the kernel's backlog.
const QUEUE: usize = 64;
/// The longest request head read; a longer one is refused.
const MAX_HEAD: usize = 16 * 1024;
/// How long a write may block: a client that stops reading loses its connection.
const WRITE_TIMEOUT: Duration = Duration::from_secs(2);
/// Changes closer together than this are rebuilt once. An editor's save (write, rename, chmod)
/// takes a millisecond or two; anything longer adds to every reload, and a burst of changes
/// (a `git checkout`) that outlasts it costs only one more incremental rebuild.
const DEBOUNCE: Duration = Duration::from_millis(5);
/// How often idle event streams are written to, so closed tabs are noticed and dropped.
const KEEPALIVE: Duration = Duration::from_secs(15);
const POLL: Duration = Duration::from_millis(200);

/// How the server listens and what it accepts.
#[derive(Debug, Clone)]
pub struct Options {
    pub addr: SocketAddr,
    /// Host names a request may name besides loopback ones and IP addresses (`--allow-host`).
    pub allowed_hosts: Vec<String>,
    /// Live-reload streams held open at once; beyond this, a page polls [`STATUS_PATH`].
    pub max_streams: usize,
    /// A connection that sends no complete request within this time is closed.
    pub idle_timeout: Duration,
}

impl Options {
    pub fn new(addr: SocketAddr) -> Self {
        Self {
            addr,
            allowed_hosts: Vec::new(),
            max_streams: 64,
            idle_timeout: Duration::from_secs(10),
        }
    }
}

/// What happened in a build, for the command line to print.
pub enum Report<'a> {
    Built { summary: &'a Summary, elapsed: Duration },
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
    files: Option<Arc<Files>>,
    /// The last build's diagnostics when it failed; empty when it succeeded.
    errors: Vec<Diagnostic>,
    /// Counts finished builds, so a page can tell it is out of date.
    generation: u64,
}

struct Shared {
    state: Mutex<State>,
    changed: Condvar,
    stop: AtomicBool,
    /// Open live-reload streams, written to by one thread after each build.
    streams: Mutex<Vec<Stream>>,
    options: Options,
}

/// A live-reload stream and the last build it was told about.
struct Stream {
    conn: TcpStream,
    generation: u64,
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn streams(&self) -> MutexGuard<'_, Vec<Stream>> {
        self.streams.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Server {
    /// Builds the site at `root`, then serves it on `addr` (port 0 picks a free port) with the
    /// default [`Options`] and rebuilds on changes. `report` is called after every build.
    pub fn start(
        root: &Path,
        addr: SocketAddr,
        report: impl Fn(Report) + Send + 'static,
    ) -> io::Result<Server> {
        Self::start_with(root, Options::new(addr), report)
    }

    /// Like [`Server::start`], listening and guarding as `options` say.
    pub fn start_with(
        root: &Path,
        options: Options,
        report: impl Fn(Report) + Send + 'static,
    ) -> io::Result<Server> {
        let listener = TcpListener::bind(options.addr)?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                files: None,
                errors: Vec::new(),
                generation: 0,
            }),
            changed: Condvar::new(),
            stop: AtomicBool::new(false),
            streams: Mutex::new(Vec::new()),
            options: Options { addr, ..options },
        });
        // Watching starts first, so that no change made during the first build goes unseen.
        let (watched, rx) = watch(root)?;
        let mut cache = Memo::default();
        rebuild(root, &mut cache, &shared, &report);

        let mut threads = vec![spawn_builder(root, watched, rx, cache, &shared, report)];
        let (queue, waiting) = mpsc::sync_channel::<TcpStream>(QUEUE);
        let waiting = Arc::new(Mutex::new(waiting));
        threads.extend((0..WORKERS).map(|_| spawn_worker(&waiting, &shared)));
        threads.push(spawn_acceptor(listener, queue, &shared));
        let broadcaster_shared = shared.clone();
        threads.push(std::thread::spawn(move || broadcast(&broadcaster_shared)));
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
        // Wakes the acceptor, which then lets the workers go.
        TcpStream::connect(reachable(self.addr)).ok();
        for thread in self.threads.drain(..) {
            thread.join().ok();
        }
    }
}

/// What the server watches: the site's root, and each source folder in it (the content folder,
/// `templates/`, `static/`) once it exists. The content folder is found as a build finds it
/// (`content/`, `docs/`, `content_dir`, or the root itself for a folder of notes), and looked
/// for again before each rebuild, since it may be made or named later.
struct Watched {
    watcher: RecommendedWatcher,
    /// Each folder watched, and whether recursively.
    folders: HashSet<(PathBuf, bool)>,
    /// The content folder relative to the root ("" for the root), which the watcher's events
    /// are told apart by.
    content: Arc<RwLock<String>>,
}

/// Starts watching the site at `root`; the channel reports what each change means.
fn watch(root: &Path) -> io::Result<(Watched, mpsc::Receiver<Seen>)> {
    let (tx, rx) = mpsc::channel::<Seen>();
    let watched_root = root.to_path_buf();
    let content = Arc::new(RwLock::new(content_dir(root)));
    let seen_content = content.clone();
    let watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        let content = seen_content.read().unwrap_or_else(|e| e.into_inner());
        if let Some(seen) = Seen::from_event(&watched_root, &content, event) {
            tx.send(seen).ok();
        }
    })
    .map_err(io::Error::other)?;
    let mut watched = Watched {
        watcher,
        folders: HashSet::new(),
        content,
    };
    watched.watch_sources(root)?;
    Ok((watched, rx))
}

/// The content folder as the next build will find it, relative to `root`.
fn content_dir(root: &Path) -> String {
    let config = config::Config::load(root).unwrap_or_default();
    content::content_folder(root, &config).1
}

impl Watched {
    /// Watches the root (recursively when it is the content folder) and each source folder that
    /// exists and is not watched yet.
    fn watch_sources(&mut self, root: &Path) -> io::Result<()> {
        let content = content_dir(root);
        let mut folders = vec![(root.to_path_buf(), content.is_empty())];
        for dir in [content.as_str(), TEMPLATE_DIR, STATIC_DIR] {
            if !dir.is_empty() && root.join(dir).is_dir() {
                folders.push((root.join(dir), true));
            }
        }
        for (folder, recursive) in folders {
            if self.folders.contains(&(folder.clone(), recursive)) {
                continue;
            }
            let mode = if recursive {
                RecursiveMode::Recursive
            } else {
                RecursiveMode::NonRecursive
            };
            self.watcher.watch(&folder, mode).map_err(io::Error::other)?;
            self.folders.insert((folder, recursive));
        }
        *self.content.write().unwrap_or_else(|e| e.into_inner()) = content;
        Ok(())
    }
}

/// The thread that rebuilds after each change the watcher reports.
fn spawn_builder(
    root: &Path,
    mut watched: Watched,
    rx: mpsc::Receiver<Seen>,
    mut cache: Memo,
    shared: &Arc<Shared>,
    report: impl Fn(Report) + Send + 'static,
) -> JoinHandle<()> {
    let root = root.to_path_buf();
    let shared = shared.clone();
    std::thread::spawn(move || {
        while !shared.stop.load(Ordering::Relaxed) {
            let first = match rx.recv_timeout(POLL) {
                Ok(seen) => seen,
                Err(mpsc::RecvTimeoutError::Timeout) => continue,
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            };
            // An editor's save is often several events (write, rename, chmod): build once.
            let mut edited = Some(HashSet::new());
            for seen in std::iter::once(first).chain(std::iter::from_fn(|| rx.recv_timeout(DEBOUNCE).ok())) {
                match (seen, &mut edited) {
                    (Seen::Edited(paths), Some(all)) => all.extend(paths),
                    (Seen::Edited(_), None) => {}
                    (Seen::Unknown, _) => edited = None,
                }
            }
            cache.watched(edited);
            // A source folder made since the start is watched from now on; its files are in
            // this build, since the root's watch saw it made.
            if let Err(e) = watched.watch_sources(&root) {
                eprintln!("figmark: cannot watch a source folder: {e}");
            }
            rebuild(&root, &mut cache, &shared, &report);
        }
    })
}

/// One of the fixed worker threads: serves the connections the acceptor queues.
fn spawn_worker(waiting: &Arc<Mutex<mpsc::Receiver<TcpStream>>>, shared: &Arc<Shared>) -> JoinHandle<()> {
    let (waiting, shared) = (waiting.clone(), shared.clone());
    std::thread::spawn(move || {
        loop {
            let next = waiting.lock().unwrap_or_else(|e| e.into_inner()).recv();
            match next {
                Ok(conn) => serve_connection(conn, &shared),
                Err(mpsc::RecvError) => break,
            }
        }
    })
}

/// The thread that accepts connections and queues them for the workers.
fn spawn_acceptor(
    listener: TcpListener,
    queue: mpsc::SyncSender<TcpStream>,
    shared: &Arc<Shared>,
) -> JoinHandle<()> {
    let shared = shared.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            if shared.stop.load(Ordering::Relaxed) {
                break;
            }
            match conn {
                Ok(conn) => {
                    if queue.send(conn).is_err() {
                        break;
                    }
                }
                // Out of file descriptors, say: wait rather than spin.
                Err(_) => std::thread::sleep(POLL),
            }
        }
    })
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
    /// `content` is the content folder relative to `root` ("" for the root itself).
    fn from_event(root: &Path, content: &str, event: notify::Result<notify::Event>) -> Option<Seen> {
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
            .filter(|rel| is_source_rel(rel, content))
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
            let Some(in_content) = in_content(rel, content) else {
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

/// Whether a change at `rel` (from the root) may change the site.
fn is_source_rel(rel: &Path, content: &str) -> bool {
    let mut parts = rel.components();
    match parts.next().and_then(|c| c.as_os_str().to_str()) {
        Some(config::FILE_NAME) => parts.next().is_none(),
        Some(dir) if [TEMPLATE_DIR, STATIC_DIR].contains(&dir) => true,
        Some(_) => in_content(rel, content).is_some(),
        None => false,
    }
}

/// `rel` (from the root) as a path in the content folder `content`. When the root is the content
/// folder, hidden paths and the folders a build leaves out by name (`target/`, `node_modules/`,
/// the default output `public/`) are not in it: an editor's swap file or a `figmark build` run
/// beside the server does not rebuild.
fn in_content<'r>(rel: &'r Path, content: &str) -> Option<&'r Path> {
    if !content.is_empty() {
        return rel.strip_prefix(content).ok();
    }
    let skipped = |part: &str| part.starts_with('.') || ["target", "node_modules", "public"].contains(&part);
    let outside = rel
        .components()
        .any(|c| c.as_os_str().to_str().is_none_or(skipped));
    (!outside).then_some(rel)
}

fn rebuild(root: &Path, cache: &mut Memo, shared: &Shared, report: &dyn Fn(Report)) {
    let start = Instant::now();
    match build::plan(root, cache) {
        Ok(mut plan) => {
            let files = std::mem::take(&mut plan.files);
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
            report(Report::Built {
                summary: &plan.summary,
                elapsed,
            });
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

/// The loopback address to reach a server listening on `addr` (which may be "any address").
fn reachable(addr: SocketAddr) -> SocketAddr {
    match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => (Ipv4Addr::LOCALHOST, addr.port()).into(),
        IpAddr::V6(ip) if ip.is_unspecified() => (Ipv6Addr::LOCALHOST, addr.port()).into(),
        _ => addr,
    }
}

/// Whether a request naming `host` (its `Host` header) is answered by a server on `bound`.
///
/// This is the defence against DNS rebinding: a page on `attacker.example` can have that name
/// resolve to 127.0.0.1 once the page has loaded; its scripts then read from this server as
/// their own origin, and the same-origin policy no longer protects the site and its drafts. The
/// one thing that still tells such a request apart is the `Host` header, which names the
/// attacker's domain. So only names that no other site can rebind are answered: `localhost` and
/// names under `.localhost` (which browsers resolve to loopback themselves), loopback and bound
/// addresses (when bound to every address, any address, since the machine's own are not known
/// here), and the names given with `--allow-host`.
pub fn host_allowed(host: &str, bound: IpAddr, allowed: &[String]) -> bool {
    let name = match host.strip_prefix('[') {
        Some(v6) => v6.split_once(']').map_or(v6, |(ip, _)| ip),
        None => host
            .rsplit_once(':')
            .filter(|(_, port)| port.bytes().all(|b| b.is_ascii_digit()))
            .map_or(host, |(name, _)| name),
    };
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    if name == "localhost" || name.ends_with(".localhost") {
        return true;
    }
    if let Ok(ip) = name.parse::<IpAddr>() {
        return ip.is_loopback() || ip == bound || bound.is_unspecified();
    }
    allowed.iter().any(|a| a.eq_ignore_ascii_case(&name))
}

/// A response to write: status, headers besides those every response has, and body.
struct Reply {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn new(status: u16, kind: &str, body: impl Into<Vec<u8>>) -> Self {
        Self {
            status,
            headers: vec![("Content-Type", kind.to_string())],
            body: body.into(),
        }
    }

    fn text(status: u16, text: &str) -> Self {
        Self::new(status, "text/plain; charset=utf-8", text)
    }

    fn with(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        _ => "",
    }
}

/// The status line and headers every response has: `nosniff`, so a browser never runs a file
/// as another type than it was served as; no caching; one request per connection. No
/// `Access-Control-*` header is ever sent: other sites' pages must not read this one's answers.
fn write_head(
    conn: &mut TcpStream,
    status: u16,
    headers: &[(&str, String)],
    length: Option<usize>,
) -> io::Result<()> {
    let mut head = format!("HTTP/1.1 {status} {}\r\n", reason(status));
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if let Some(length) = length {
        head.push_str(&format!("Content-Length: {length}\r\n"));
    }
    head.push_str("X-Content-Type-Options: nosniff\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n");
    conn.write_all(head.as_bytes())
}

fn send(mut conn: TcpStream, reply: Reply, head_only: bool) {
    let sent = write_head(&mut conn, reply.status, &reply.headers, Some(reply.body.len()))
        .and_then(|()| {
            if head_only {
                Ok(())
            } else {
                conn.write_all(&reply.body)
            }
        })
        .and_then(|()| conn.flush());
    // A client that went away is no error of the server's.
    if sent.is_ok() {
        conn.shutdown(Shutdown::Write).ok();
    }
}

/// Reads the request head (up to the blank line); `Err` holds the reply for a head too long,
/// `Ok(None)` means the client sent nothing complete before it closed or went idle.
fn read_head(conn: &mut TcpStream) -> Result<Option<Vec<u8>>, Reply> {
    let mut head = Vec::new();
    let mut buf = [0; 4096];
    loop {
        let n = match conn.read(&mut buf) {
            Ok(0) | Err(_) => return Ok(None),
            Ok(n) => n,
        };
        let from = head.len().saturating_sub(3);
        head.extend_from_slice(&buf[..n]);
        if let Some(end) = head[from..].windows(4).position(|w| w == b"\r\n\r\n") {
            head.truncate(from + end + 4);
            return Ok(Some(head));
        }
        if head.len() > MAX_HEAD {
            return Err(Reply::text(431, "request head too long\n"));
        }
    }
}

/// Answers one connection: one request, then the connection is closed, unless it becomes a
/// live-reload stream.
fn serve_connection(mut conn: TcpStream, shared: &Shared) {
    let options = &shared.options;
    if conn.set_read_timeout(Some(options.idle_timeout)).is_err()
        || conn.set_write_timeout(Some(WRITE_TIMEOUT)).is_err()
    {
        return;
    }
    let head = match read_head(&mut conn) {
        Ok(Some(head)) => head,
        Ok(None) => return,
        Err(reply) => return send(conn, reply, false),
    };
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut request = httparse::Request::new(&mut headers);
    let (Ok(httparse::Status::Complete(_)), Some(method), Some(target)) =
        (request.parse(&head), request.method, request.path)
    else {
        return send(conn, Reply::text(400, "bad request\n"), false);
    };
    let head_only = method == "HEAD";
    if method != "GET" && !head_only {
        return send(
            conn,
            Reply::text(405, "only GET and HEAD\n").with("Allow", "GET, HEAD"),
            false,
        );
    }
    let host = request
        .headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case("host"))
        .and_then(|h| std::str::from_utf8(h.value).ok());
    if !host.is_some_and(|h| host_allowed(h, options.addr.ip(), &options.allowed_hosts)) {
        let text = "figmark serve answers only requests naming localhost or its own address \
                    (a defence against DNS rebinding); `figmark serve --allow-host NAME` adds a name\n";
        return send(conn, Reply::text(403, text), head_only);
    }
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    if path == EVENTS_PATH {
        let since = query
            .split('&')
            .find_map(|kv| kv.strip_prefix("since="))
            .and_then(|g| g.parse().ok());
        return open_stream(conn, shared, since);
    }
    let reply = respond(path, shared);
    send(conn, reply, head_only);
}

fn respond(path: &str, shared: &Shared) -> Reply {
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
        return Reply::text(200, &text).with(GENERATION_HEADER, generation.to_string());
    }
    let rel = match resolve(path) {
        Ok(rel) => rel,
        Err(Refused::Forbidden) => return Reply::text(403, "forbidden\n"),
        Err(Refused::Malformed) => return Reply::text(400, "bad request\n"),
    };
    let Some(files) = files else {
        // No build has succeeded yet: every page shows the errors and reloads once fixed.
        let page = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>figmark</title></head><body></body></html>";
        let html = with_live_reload(page.as_bytes(), generation, &errors);
        return Reply::new(503, content_type("x.html"), html);
    };
    let (status, rel, served) = match files.get(&rel) {
        Some(served) => (200, rel, served),
        None if files.contains_key(&format!("{rel}/index.html")) => {
            return Reply::text(301, "").with("Location", format!("{path}/"));
        }
        None => match files.get("404.html") {
            Some(served) => (404, "404.html".to_string(), served),
            None => return Reply::text(404, "not found\n"),
        },
    };
    let kind = content_type(&rel);
    let Ok(bytes) = served.read() else {
        return Reply::text(404, "not found\n");
    };
    let bytes = if kind.starts_with("text/html") {
        with_live_reload(&bytes, generation, &errors)
    } else {
        bytes
    };
    Reply::new(status, kind, bytes)
}

/// Makes `conn` a live-reload stream, unless [`Options::max_streams`] are open: then it gets a
/// 503 and the page polls [`STATUS_PATH`] instead. A page served before the latest build
/// (`since`) is told about it at once.
fn open_stream(mut conn: TcpStream, shared: &Shared, since: Option<u64>) {
    let mut streams = shared.streams();
    if streams.len() >= shared.options.max_streams {
        streams.retain(|s| !is_closed(&s.conn));
    }
    if streams.len() >= shared.options.max_streams {
        drop(streams);
        let text = "too many live-reload streams: the page polls /__figmark/status instead\n";
        return send(conn, Reply::text(503, text).with("Retry-After", "60"), false);
    }
    let (generation, message) = {
        let state = shared.state();
        let message = (since.is_some_and(|s| s != state.generation)).then(|| event(&state));
        (state.generation, message)
    };
    let headers = [("Content-Type", "text/event-stream".to_string())];
    let opened = write_head(&mut conn, 200, &headers, None)
        .and_then(|()| {
            message
                .as_deref()
                .map_or(Ok(()), |m| conn.write_all(m.as_bytes()))
        })
        .and_then(|()| conn.flush());
    if opened.is_ok() {
        streams.push(Stream { conn, generation });
    }
}

/// Whether the client closed its end; a stream's client never sends anything after its request.
fn is_closed(conn: &TcpStream) -> bool {
    if conn.set_nonblocking(true).is_err() {
        return true;
    }
    let closed = !matches!(conn.peek(&mut [0; 1]), Err(e) if e.kind() == io::ErrorKind::WouldBlock);
    conn.set_nonblocking(false).is_err() || closed
}

/// The event that tells a page about the build in `state`.
fn event(state: &State) -> String {
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

/// After each build, tells every open stream: `reload` (then closes it, as the page is going
/// away) or `failed` with the error text. Idle streams get a comment now and then, so that
/// closed tabs are noticed.
fn broadcast(shared: &Shared) {
    let mut seen = shared.state().generation;
    while !shared.stop.load(Ordering::Relaxed) {
        let (message, is_event, reload) = {
            let state = shared.state();
            let (state, _) = shared
                .changed
                .wait_timeout_while(state, KEEPALIVE, |s| {
                    s.generation == seen && !shared.stop.load(Ordering::Relaxed)
                })
                .unwrap_or_else(|e| e.into_inner());
            if state.generation == seen {
                (": keep-alive\n\n".to_string(), false, false)
            } else {
                seen = state.generation;
                (event(&state), true, state.errors.is_empty())
            }
        };
        if shared.stop.load(Ordering::Relaxed) {
            break;
        }
        shared.streams().retain_mut(|stream| {
            if is_event && stream.generation == seen {
                return true;
            }
            let written = stream
                .conn
                .write_all(message.as_bytes())
                .and_then(|()| stream.conn.flush());
            stream.generation = seen;
            written.is_ok() && !reload
        });
    }
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
/// When the server refuses the stream (too many open), it asks for the status every second.
const LIVE_RELOAD_JS: &str = r#"(function(){var g=GENERATION;
function show(t){var o=document.getElementById("figmark-errors");
if(!o){o=document.createElement("pre");o.id="figmark-errors";document.body.appendChild(o)}
o.setAttribute("style",STYLE);o.textContent=t;o.onclick=function(){o.remove()}}
function poll(){setInterval(function(){fetch("/__figmark/status",{cache:"no-store"}).then(function(r){
var n=Number(r.headers.get("X-Figmark-Generation"));return r.text().then(function(t){
if(n&&n!==g){g=n;if(t==="ok\n")location.reload();else show(t)}})}).catch(function(){})},1000)}
var es=new EventSource("/__figmark/events?since="+g);
es.addEventListener("reload",function(){location.reload()});
es.addEventListener("failed",function(e){show(e.data)});
es.onerror=function(){if(es.readyState===EventSource.CLOSED)poll()};})();"#;

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
        assert!(html.contains("var g=3;"), "{html}");
        assert!(html.ends_with("</script></body></html>"), "{html}");
    }

    #[test]
    fn hosts_that_cannot_be_rebound_are_allowed() {
        let loopback: IpAddr = "127.0.0.1".parse().unwrap();
        let allowed = ["notes.test".to_string()];
        for host in [
            "localhost",
            "localhost:1111",
            "LOCALHOST.",
            "app.localhost:80",
            "127.0.0.1:1111",
            "127.1.2.3",
            "[::1]:1111",
            "notes.test:1111",
            "Notes.Test",
        ] {
            assert!(host_allowed(host, loopback, &allowed), "{host}");
        }
        for host in [
            "attacker.example",
            "attacker.example:1111",
            "localhost.attacker.example",
            "192.168.1.5:1111",
            "[fe80::1]",
            "notes.test.attacker.example",
            "",
        ] {
            assert!(!host_allowed(host, loopback, &allowed), "{host}");
        }
        let lan: IpAddr = "192.168.1.5".parse().unwrap();
        assert!(host_allowed("192.168.1.5:1111", lan, &[]));
        let any: IpAddr = "0.0.0.0".parse().unwrap();
        assert!(host_allowed("10.0.0.7", any, &[]));
        assert!(!host_allowed("attacker.example", any, &[]));
    }

    fn seen(kind: EventKind, path: &str) -> Option<Seen> {
        Seen::from_event(
            Path::new("/site"),
            "content",
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
        // A folder of notes is its own content folder; what a build leaves out is not watched.
        let in_root = |path: &str| {
            Seen::from_event(
                Path::new("/site"),
                "",
                Ok(notify::Event::new(write).add_path(PathBuf::from(path))),
            )
        };
        assert!(
            matches!(in_root("/site/ch02_基础/a b.md"), Some(Seen::Edited(p)) if p == ["ch02_基础/a b.md"])
        );
        for path in [
            "/site/.git/index",
            "/site/public/a.html",
            "/site/ch02/.a.md.swp",
            "/site/target/x",
        ] {
            assert!(in_root(path).is_none(), "{path}");
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
            Seen::from_event(Path::new("/site"), "content", Err(notify::Error::generic("lost"))),
            Some(Seen::Unknown)
        ));
    }
}
