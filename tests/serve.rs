//! `figmark serve` through its real HTTP server on loopback: rebuild on edit, a failed rebuild
//! keeping the last good site, refusing paths outside the site, the 404 page, concurrency, and
//! the guards against other websites and runaway clients (foreign hosts, the cap on live-reload
//! streams, a fixed number of threads, idle connections, headers).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use figmark::serve::{Options, Server};

const TIMEOUT: Duration = Duration::from_secs(15);

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(&root.join("site.toml"), "title = \"T\"\n");
    write(
        &root.join("content/_index.md"),
        "---\ntitle: 首页\n---\n\n见 [a](s/a.md)。\n",
    );
    write(&root.join("content/s/_index.md"), "---\ntitle: 节\n---\n");
    write(
        &root.join("content/s/a.md"),
        "---\ntitle: 甲\n---\n\n第一版正文。\n",
    );
    write(
        &root.join("static/logo.svg"),
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    );
    dir
}

fn start(root: &Path) -> Server {
    Server::start(root, "127.0.0.1:0".parse().unwrap(), |_| {}).unwrap()
}

/// Sends `GET target` as written (no client-side normalization) and returns (status, headers, body).
fn get(addr: SocketAddr, target: &str) -> (u16, String, String) {
    request(addr, &format!("GET {target} HTTP/1.1\r\nHost: localhost\r\n"))
}

/// Sends `head` (request line and headers, without the blank line) and reads the whole response.
fn request(addr: SocketAddr, head: &str) -> (u16, String, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(TIMEOUT)).unwrap();
    write!(stream, "{head}Connection: close\r\n\r\n").unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let response = String::from_utf8_lossy(&response).into_owned();
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    (status, head.to_string(), body.to_string())
}

fn poll(what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < TIMEOUT, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn an_edit_is_rebuilt_and_a_broken_edit_keeps_the_last_good_page() {
    let dir = site();
    let server = start(dir.path());
    let addr = server.addr();
    let (status, head, body) = get(addr, "/s/a.html");
    assert_eq!(status, 200);
    assert!(head.contains("text/html"), "{head}");
    assert!(
        body.contains("第一版正文") && body.contains("/__figmark/events"),
        "{body}"
    );

    let note = dir.path().join("content/s/a.md");
    write(&note, "---\ntitle: 甲\n---\n\n第二版正文。\n");
    poll("the edited text", || {
        get(addr, "/s/a.html").2.contains("第二版正文")
    });

    write(&note, "---\ntitle: 甲\nweight: heavy\n---\n\n第三版正文。\n");
    poll("the error on the status endpoint", || {
        get(addr, "/__figmark/status").2.contains("content/s/a.md:3")
    });
    let (status, _, body) = get(addr, "/s/a.html");
    assert_eq!(status, 200);
    assert!(
        body.contains("第二版正文") && !body.contains("第三版正文"),
        "{body}"
    );
    assert!(
        body.contains("figmark-errors") && body.contains("content/s/a.md:3"),
        "{body}"
    );

    write(&note, "---\ntitle: 甲\n---\n\n第四版正文。\n");
    poll("the fixed page", || {
        get(addr, "/s/a.html").2.contains("第四版正文")
    });
    assert_eq!(get(addr, "/__figmark/status").2, "ok\n");
}

/// A folder of notes written for GitHub (no `site.toml`, no `content/`) is served and reloaded
/// like a figmark site: its root is the content folder the server watches, and a `docs/` made
/// later becomes it.
#[test]
fn a_folder_of_notes_is_watched_where_its_notes_are() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(&root.join("README.md"), "# 笔记\n\n见 [第二章](ch02_基础/)。\n");
    let note = root.join("ch02_基础/README.md");
    write(&note, "# 第二章\n\n第一版正文。\n");
    let server = start(root);
    let addr = server.addr();
    assert!(get(addr, "/ch02_基础/index.html").2.contains("第一版正文"));
    write(&note, "# 第二章\n\n第二版正文。\n");
    poll("the edited note", || {
        get(addr, "/ch02_基础/index.html").2.contains("第二版正文")
    });
    write(&root.join("ch03 (新)/a.md"), "# 新章\n\n新建的笔记。\n");
    poll("a note in a new folder", || {
        get(addr, "/ch03%20(新)/a.html").2.contains("新建的笔记")
    });
    write(&root.join("docs/README.md"), "# 文档\n\n文档首页。\n");
    poll("docs/ as the content folder", || {
        get(addr, "/index.html").2.contains("文档首页")
    });
    write(&root.join("docs/b.md"), "# 乙\n\n第一版。\n");
    poll("a note in docs/", || get(addr, "/b.html").2.contains("第一版"));
    write(&root.join("docs/b.md"), "# 乙\n\n第二版。\n");
    poll("an edit in docs/", || get(addr, "/b.html").2.contains("第二版"));
}

/// Every file's time set an hour back, so that the server's cache trusts it when unchanged.
fn age(root: &Path) {
    let old = std::time::SystemTime::now() - Duration::from_secs(3600);
    for entry in walkdir::WalkDir::new(root.join("content")) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let file = std::fs::File::options().write(true).open(entry.path()).unwrap();
            file.set_modified(old).unwrap();
        }
    }
}

/// While the watcher sees only edits, the server reuses its listing of `content/`: notes added,
/// removed and renamed in between must still show up and go away.
#[test]
fn notes_added_removed_and_renamed_while_serving() {
    let dir = site();
    let root = dir.path();
    age(root);
    let server = start(root);
    let addr = server.addr();
    let note = root.join("content/s/a.md");

    write(&note, "---\ntitle: 甲\n---\n\n见 [乙](b.md)。\n");
    poll("the broken link reported", || {
        get(addr, "/__figmark/status").2.contains("content/s/a.md:5")
    });
    write(&root.join("content/s/b.md"), "---\ntitle: 乙\n---\n\n新笔记。\n");
    poll("the new note", || get(addr, "/s/b.html").2.contains("新笔记"));
    assert_eq!(get(addr, "/__figmark/status").2, "ok\n");

    write(&note, "---\ntitle: 甲\n---\n\n只改正文。\n");
    poll("the edit", || get(addr, "/s/a.html").2.contains("只改正文"));
    std::fs::rename(root.join("content/s/b.md"), root.join("content/s/c.md")).unwrap();
    poll("the renamed note", || get(addr, "/s/c.html").2.contains("新笔记"));
    assert_eq!(get(addr, "/s/b.html").0, 404);

    std::fs::remove_file(root.join("content/s/c.md")).unwrap();
    poll("the removed note gone", || get(addr, "/s/c.html").0 == 404);
    write(&note, "---\ntitle: 甲\n---\n\n又改正文。\n");
    poll("the last edit", || get(addr, "/s/a.html").2.contains("又改正文"));
    assert!(!get(addr, "/s/index.html").2.contains("乙"));
}

#[test]
fn the_event_stream_announces_a_rebuild() {
    let dir = site();
    let server = start(dir.path());
    let mut stream = TcpStream::connect(server.addr()).unwrap();
    stream.set_read_timeout(Some(TIMEOUT)).unwrap();
    write!(
        stream,
        "GET /__figmark/events HTTP/1.1\r\nHost: localhost\r\n\r\n"
    )
    .unwrap();
    let mut seen = Vec::new();
    let mut buf = [0; 4096];
    let n = stream.read(&mut buf).unwrap();
    seen.extend_from_slice(&buf[..n]);
    assert!(String::from_utf8_lossy(&seen).contains("text/event-stream"));
    write(
        &dir.path().join("content/s/a.md"),
        "---\ntitle: 甲\n---\n\n改了。\n",
    );
    while !String::from_utf8_lossy(&seen).contains("event: reload") {
        let n = stream.read(&mut buf).expect("an event before the timeout");
        assert!(n > 0, "stream closed: {}", String::from_utf8_lossy(&seen));
        seen.extend_from_slice(&buf[..n]);
    }
}

#[test]
fn only_files_of_the_site_are_served() {
    let dir = site();
    let server = start(dir.path());
    let addr = server.addr();
    for target in [
        "/../site.toml",
        "/s/../../site.toml",
        "/%2e%2e/site.toml",
        "/%2E%2E%2Fsite.toml",
        "/..%5csite.toml",
    ] {
        let (status, _, body) = get(addr, target);
        assert!(status == 403 || status == 404, "{target}: {status}");
        assert!(!body.contains("title = "), "{target}: {body}");
    }
    let absolute = dir.path().join("site.toml");
    let (status, _, body) = get(addr, &format!("/{}", absolute.display()));
    assert_eq!(status, 404, "{body}");
    assert!(!body.contains("title = "), "{body}");

    let (status, _, body) = get(addr, "/no/such/page.html");
    assert_eq!(status, 404);
    assert!(body.contains("找不到页面"), "{body}");

    let (status, head, _) = get(addr, "/logo.svg");
    assert_eq!(status, 200);
    assert!(head.contains("image/svg+xml"), "{head}");
    let (status, head, body) = get(addr, "/style.css");
    assert_eq!(status, 200);
    assert!(head.contains("text/css") && !body.contains("__figmark"), "{head}");
    let (status, head, _) = get(addr, "/s");
    assert_eq!(status, 301);
    assert!(head.contains("Location: /s/"), "{head}");
}

#[test]
fn fifty_concurrent_requests_all_succeed() {
    let dir = site();
    let server = start(dir.path());
    let addr = server.addr();
    let threads: Vec<_> = (0..50)
        .map(|i| {
            std::thread::spawn(move || {
                let target = if i % 2 == 0 { "/" } else { "/s/a.html" };
                get(addr, target)
            })
        })
        .collect();
    for thread in threads {
        let (status, _, body) = thread.join().unwrap();
        assert_eq!(status, 200);
        assert!(body.contains("</html>"), "{body}");
    }
}

#[test]
fn a_site_that_never_built_shows_its_errors() {
    let dir = site();
    write(&dir.path().join("content/s/a.md"), "---\ntitle: [甲\n---\n");
    let server = start(dir.path());
    let (status, _, body) = get(server.addr(), "/s/a.html");
    assert_eq!(status, 503);
    assert!(body.contains("content/s/a.md:2"), "{body}");
}

#[test]
fn a_foreign_host_is_refused_and_allowed_hosts_are_served() {
    let dir = site();
    let options = Options {
        allowed_hosts: vec!["notes.test".into()],
        ..Options::new("127.0.0.1:0".parse().unwrap())
    };
    let server = Server::start_with(dir.path(), options, |_| {}).unwrap();
    let addr = server.addr();
    let port = addr.port();
    for host in [
        "attacker.example".to_string(),
        format!("attacker.example:{port}"),
        format!("localhost.attacker.example:{port}"),
        "192.0.2.1".to_string(),
    ] {
        for target in ["/s/a.html", "/__figmark/status", "/__figmark/events"] {
            let (status, _, body) = request(addr, &format!("GET {target} HTTP/1.1\r\nHost: {host}\r\n"));
            assert_eq!(status, 403, "{host} {target}");
            assert!(
                body.contains("--allow-host") && !body.contains("第一版"),
                "{body}"
            );
        }
    }
    let (status, _, _) = request(addr, "GET /s/a.html HTTP/1.0\r\n");
    assert_eq!(status, 403, "no Host at all");
    for host in [
        format!("localhost:{port}"),
        format!("127.0.0.1:{port}"),
        format!("notes.test:{port}"),
        "site.localhost".to_string(),
    ] {
        let (status, _, body) = request(addr, &format!("GET /s/a.html HTTP/1.1\r\nHost: {host}\r\n"));
        assert_eq!(status, 200, "{host}");
        assert!(body.contains("第一版正文"), "{host}");
    }
}

#[test]
fn responses_say_nosniff_and_allow_no_other_origin() {
    let dir = site();
    let server = start(dir.path());
    let addr = server.addr();
    for (target, expected) in [
        ("/s/a.html", 200),
        ("/logo.svg", 200),
        ("/__figmark/status", 200),
        ("/nothing.html", 404),
        ("/../x", 403),
    ] {
        let (status, head, _) = request(
            addr,
            &format!("GET {target} HTTP/1.1\r\nHost: localhost\r\nOrigin: http://attacker.example\r\n"),
        );
        assert_eq!(status, expected, "{target}");
        assert!(
            head.contains("\r\nX-Content-Type-Options: nosniff\r\n"),
            "{target}: {head}"
        );
        assert!(
            !head.to_ascii_lowercase().contains("access-control"),
            "{target}: {head}"
        );
    }
    let (status, head, body) = request(addr, "POST /s/a.html HTTP/1.1\r\nHost: localhost\r\n");
    assert_eq!((status, body.as_str()), (405, "only GET and HEAD\n"), "{head}");
    let (status, head, body) = request(addr, "HEAD /s/a.html HTTP/1.1\r\nHost: localhost\r\n");
    assert_eq!(status, 200);
    assert!(body.is_empty() && head.contains("Content-Length: "), "{head}");
}

/// Opens a live-reload stream and returns it with the status of its answer.
fn open_stream(addr: SocketAddr) -> (TcpStream, u16) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(TIMEOUT)).unwrap();
    write!(
        stream,
        "GET /__figmark/events HTTP/1.1\r\nHost: localhost\r\n\r\n"
    )
    .unwrap();
    let mut head = Vec::new();
    let mut byte = [0];
    while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap() == 1 {
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    (stream, status)
}

#[test]
fn above_the_stream_cap_a_stream_is_refused_and_pages_still_served() {
    let dir = site();
    let options = Options {
        max_streams: 3,
        ..Options::new("127.0.0.1:0".parse().unwrap())
    };
    let server = Server::start_with(dir.path(), options, |_| {}).unwrap();
    let addr = server.addr();
    let mut open: Vec<TcpStream> = (0..3)
        .map(|_| {
            let (stream, status) = open_stream(addr);
            assert_eq!(status, 200);
            stream
        })
        .collect();
    let (mut refused, status) = open_stream(addr);
    assert_eq!(status, 503);
    let mut body = String::new();
    refused.read_to_string(&mut body).unwrap();
    assert!(body.contains("/__figmark/status"), "{body}");

    // The page is still served, and its script falls back to polling the status.
    let (status, _, body) = get(addr, "/s/a.html");
    assert_eq!(status, 200);
    assert!(body.contains("EventSource.CLOSED)poll()"), "{body}");
    let (_, head, body) = get(addr, "/__figmark/status");
    assert!(
        head.contains("X-Figmark-Generation: 1\r\n") && body == "ok\n",
        "{head}"
    );
    write(
        &dir.path().join("content/s/a.md"),
        "---\ntitle: 甲\n---\n\n改了。\n",
    );
    poll("the status of the next build", || {
        get(addr, "/__figmark/status")
            .1
            .contains("X-Figmark-Generation: 2\r\n")
    });

    // The open streams were told, and a reloading page's stream is closed, which frees its place.
    let mut told = String::new();
    open[0].read_to_string(&mut told).unwrap();
    assert!(told.contains("event: reload"), "{told}");
    let reopened: Vec<(TcpStream, u16)> = (0..4).map(|_| open_stream(addr)).collect();
    let statuses: Vec<u16> = reopened.iter().map(|(_, status)| *status).collect();
    assert_eq!(statuses, [200, 200, 200, 503]);
    // A tab closed without a word: its place is found free when the cap is reached.
    drop(reopened);
    assert_eq!(open_stream(addr).1, 200);
}

#[test]
fn idle_and_half_sent_requests_are_closed() {
    let dir = site();
    let options = Options {
        idle_timeout: Duration::from_millis(300),
        ..Options::new("127.0.0.1:0".parse().unwrap())
    };
    let server = Server::start_with(dir.path(), options, |_| {}).unwrap();
    for sent in ["", "GET / HTTP/1.1\r\nHost: local"] {
        let mut stream = TcpStream::connect(server.addr()).unwrap();
        stream.set_read_timeout(Some(TIMEOUT)).unwrap();
        stream.write_all(sent.as_bytes()).unwrap();
        let start = Instant::now();
        let mut rest = Vec::new();
        stream.read_to_end(&mut rest).ok();
        assert!(rest.is_empty(), "{sent:?}");
        assert!(
            start.elapsed() < Duration::from_secs(3),
            "{sent:?}: closed after {:?}",
            start.elapsed()
        );
    }
    assert_eq!(get(server.addr(), "/s/a.html").0, 200);
}

/// `figmark serve` run as a process, with the address it printed.
struct Process {
    child: Child,
    addr: SocketAddr,
    printed: Vec<String>,
}

impl Process {
    fn start(root: &Path, args: &[&str]) -> Process {
        let mut child = Command::new(env!("CARGO_BIN_EXE_figmark"))
            .arg("--root")
            .arg(root)
            .arg("serve")
            .args(["--port", "0"])
            .args(args)
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let mut printed = Vec::new();
        let addr = loop {
            let line = lines.next().expect("the server printed its address").unwrap();
            printed.push(line.clone());
            if let Some(rest) = line.strip_prefix("serving http://") {
                break rest.split('/').next().unwrap().parse().unwrap();
            }
        };
        // Keeps reading, so the server never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Process { child, addr, printed }
    }

    fn threads(&self) -> usize {
        std::fs::read_dir(format!("/proc/{}/task", self.child.id()))
            .unwrap()
            .count()
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

#[test]
fn a_thousand_open_streams_leave_the_thread_count_fixed() {
    let dir = site();
    let server = Process::start(dir.path(), &[]);
    assert!(server.addr.ip().is_loopback(), "{}", server.addr);
    assert!(
        !server.printed.iter().any(|l| l.contains("warning")),
        "{:?}",
        server.printed
    );
    let idle = server.threads();
    let mut streams = Vec::new();
    let mut statuses = std::collections::BTreeMap::new();
    for _ in 0..1000 {
        let (stream, status) = open_stream(server.addr);
        *statuses.entry(status).or_insert(0) += 1;
        streams.push(stream);
    }
    let busy = server.threads();
    eprintln!("threads: {idle} idle, {busy} with 1,000 streams asked for; answers {statuses:?}");
    assert_eq!(statuses[&200], 64, "{statuses:?}");
    assert_eq!(statuses[&503], 936, "{statuses:?}");
    assert!(
        busy <= idle + 1 && busy < 16,
        "{idle} threads idle, {busy} with 1,000 streams"
    );
    let (status, _, body) = get(server.addr, "/s/a.html");
    assert_eq!(status, 200);
    assert!(body.contains("第一版正文"));
}

#[test]
fn binding_beyond_loopback_warns() {
    let dir = site();
    let server = Process::start(dir.path(), &["--bind", "0.0.0.0"]);
    assert!(
        server
            .printed
            .iter()
            .any(|l| l.starts_with("warning: listening on 0.0.0.0, not loopback")),
        "{:?}",
        server.printed
    );
    let addr: SocketAddr = ([127, 0, 0, 1], server.addr.port()).into();
    assert_eq!(get(addr, "/s/a.html").0, 200);
}

/// In Chromium: with every live-reload stream refused, the page polls the status and still
/// reloads after an edit, and shows a failed build's errors.
#[test]
fn a_page_refused_a_stream_polls_and_reloads_in_a_browser() {
    use headless_chrome::{Browser, LaunchOptions};
    let chromium = Path::new("/usr/bin/chromium");
    if !chromium.exists() && std::env::var("CI").as_deref() != Ok("true") {
        eprintln!("SKIPPED: no {}", chromium.display());
        return;
    }
    let dir = site();
    let options = Options {
        max_streams: 0,
        ..Options::new("127.0.0.1:0".parse().unwrap())
    };
    let server = Server::start_with(dir.path(), options, |_| {}).unwrap();
    let profile = tempfile::tempdir().unwrap();
    let launch = LaunchOptions::default_builder()
        .path(Some(chromium.to_path_buf()))
        .headless(true)
        .sandbox(false)
        .user_data_dir(Some(profile.path().to_path_buf()))
        .idle_browser_timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    let browser = Browser::new(launch).expect("Chromium starts");
    let tab = browser.new_tab().unwrap();
    tab.navigate_to(&format!("http://{}/s/a.html", server.addr()))
        .unwrap();
    tab.wait_until_navigated().unwrap();
    let text = |tab: &headless_chrome::Tab| {
        let value = tab.evaluate("document.body.innerText", false).unwrap().value;
        value
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default()
    };
    assert!(text(&tab).contains("第一版正文"));

    let note = dir.path().join("content/s/a.md");
    write(&note, "---\ntitle: 甲\n---\n\n轮询看到的新版。\n");
    poll("the page reloaded by polling", || {
        text(&tab).contains("轮询看到的新版")
    });
    write(&note, "---\ntitle: 甲\nweight: heavy\n---\n");
    poll("the errors shown by polling", || {
        text(&tab).contains("content/s/a.md:3")
    });
}
