//! When each note last changed, read from git history when the site is in a git checkout: one
//! `git log` for the whole content folder, started before rendering and read after it. Outside a
//! checkout (or without git) there are no dates: they are omitted, never guessed from file times,
//! so a build stays deterministic for a given commit.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use crate::content::CONTENT_DIR;

/// What an earlier build read (kept in the [`Memo`](crate::memo::Memo)): the commit checked out
/// then and the dates read at it. Dates change only with the commit, so a rebuild at the same
/// commit asks git only for it (`git rev-parse HEAD`), not for the whole history of the content
/// folder.
#[derive(Default)]
pub struct Cache {
    head: Option<String>,
    dates: HashMap<String, String>,
}

/// A running `git rev-parse HEAD`, and on a first build a running `git log` too (started beside
/// rendering, not after it); `finish` reads the answers.
pub struct Pending {
    root: PathBuf,
    log: Option<Child>,
    head: Option<Child>,
}

/// Starts asking git for the commit checked out, and for the log when `cache` holds no dates.
pub fn start(root: &Path, cache: &Cache) -> Pending {
    let log = cache.head.is_none().then(|| log(root)).flatten();
    let head = git(root, &["rev-parse", "HEAD"]);
    Pending {
        root: root.to_path_buf(),
        log,
        head,
    }
}

fn log(root: &Path) -> Option<Child> {
    git(
        root,
        &[
            "-c",
            "core.quotepath=off",
            "log",
            "--format=>%cs",
            "--name-only",
            "--relative",
            "--",
            CONTENT_DIR,
        ],
    )
}

fn git(root: &Path, args: &[&str]) -> Option<Child> {
    Command::new("git")
        .arg("-C")
        .arg(root)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()
}

/// What a git command printed, when it ran and succeeded.
fn output(child: Option<Child>) -> Option<String> {
    let output = child?.wait_with_output().ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}

impl Pending {
    /// The date (`YYYY-MM-DD`, committer date) of the newest commit that touched each file, by
    /// path under `content/`: those `cache` holds when the commit is the same, else read now and
    /// kept.
    pub fn finish(self, cache: &mut Cache) -> HashMap<String, String> {
        let head = output(self.head).map(|h| h.trim().to_string());
        if head.is_none() || head != cache.head {
            let log = self.log.or_else(|| head.as_ref().and_then(|_| log(&self.root)));
            cache.dates = output(log).map(|log| parse(&log)).unwrap_or_default();
            cache.head = head;
        }
        cache.dates.clone()
    }
}

fn parse(log: &str) -> HashMap<String, String> {
    let mut dates = HashMap::new();
    let mut date = "";
    let prefix = format!("{CONTENT_DIR}/");
    for line in log.lines() {
        if let Some(d) = line.strip_prefix('>') {
            date = d;
        } else if let Some(rel) = line.strip_prefix(&prefix) {
            dates.entry(rel.to_string()).or_insert_with(|| date.to_string());
        }
    }
    dates
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newest_commit_wins() {
        let log = ">2026-11-28\n\ncontent/a.md\n\n>2026-10-01\n\ncontent/a.md\ncontent/cnn/感受野.md\n";
        let dates = parse(log);
        assert_eq!(dates["a.md"], "2026-11-28");
        assert_eq!(dates["cnn/感受野.md"], "2026-10-01");
    }

    #[test]
    fn outside_a_checkout_there_are_no_dates() {
        let dir = tempfile::tempdir().unwrap();
        let mut cache = Cache::default();
        assert!(start(dir.path(), &cache).finish(&mut cache).is_empty());
    }

    /// Dates kept by a cache are read again when the commit changes, and equal a fresh read.
    #[test]
    fn cached_dates_follow_the_commit() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let git = |args: &[&str]| {
            let status = Command::new("git")
                .arg("-C")
                .arg(root)
                .args(["-c", "user.name=t", "-c", "user.email=t@t"])
                .args(args)
                .env("GIT_COMMITTER_DATE", "2026-01-02T00:00:00Z")
                .stdout(Stdio::null())
                .status();
            assert!(status.is_ok_and(|s| s.success()), "git {args:?}");
        };
        let commit = |file: &str| {
            std::fs::create_dir_all(root.join(CONTENT_DIR)).unwrap();
            std::fs::write(root.join(CONTENT_DIR).join(file), "x").unwrap();
            git(&["add", "."]);
            git(&["commit", "-q", "-m", file]);
        };
        git(&["init", "-q"]);
        commit("a.md");
        let mut cache = Cache::default();
        let first = start(root, &cache).finish(&mut cache);
        assert_eq!(first["a.md"], "2026-01-02");
        assert_eq!(start(root, &cache).finish(&mut cache), first);
        commit("b.md");
        let second = start(root, &cache).finish(&mut cache);
        let mut fresh = Cache::default();
        assert_eq!(second, start(root, &fresh).finish(&mut fresh));
        assert!(second.contains_key("b.md"), "{second:?}");
    }
}
