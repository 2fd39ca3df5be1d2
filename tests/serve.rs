//! `figmark serve` through its real HTTP server on loopback: rebuild on edit, a failed rebuild
//! keeping the last good site, refusing paths outside the site, the 404 page, concurrency.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::time::{Duration, Instant};

use figmark::serve::Server;

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
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(TIMEOUT)).unwrap();
    write!(
        stream,
        "GET {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
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
