//! When each note last changed, read from git history when the site is in a git checkout: one
//! `git log` for the whole content folder, started before rendering and read after it. Outside a
//! checkout (or without git) there are no dates: they are omitted, never guessed from file times,
//! so a build stays deterministic for a given commit.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use crate::content::CONTENT_DIR;

/// What an earlier build read, kept by `figmark serve`: the commit checked out then and the
/// dates read at it. Dates change only with the commit, so a rebuild at the same commit asks
/// git only for it (`git rev-parse HEAD`), not for the whole history of the content folder.
#[derive(Default)]
pub struct Cache {
    head: Option<String>,
    dates: HashMap<String, String>,
}

/// A running `git log`, or with a [`Cache`] a running `git rev-parse HEAD`; `finish` reads the
/// answer.
pub struct Pending {
    root: PathBuf,
    log: Option<Child>,
    head: Option<Child>,
}

/// Starts asking git; with `cached`, only for the commit checked out.
pub fn start(root: &Path, cached: bool) -> Pending {
    let (log, head) = if cached {
        (None, git(root, &["rev-parse", "HEAD"]))
    } else {
        (log(root), None)
    };
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
    /// path under `content/`. With `cache` (the one `start` was told of), the dates it holds
    /// when the commit is the same, else read now and kept.
    pub fn finish(self, cache: Option<&mut Cache>) -> HashMap<String, String> {
        let Some(cache) = cache else {
            return output(self.log).map(|log| parse(&log)).unwrap_or_default();
        };
        let head = output(self.head).map(|h| h.trim().to_string());
        if head.is_none() || head != cache.head {
            cache.dates = head
                .as_ref()
                .and_then(|_| output(log(&self.root)))
                .map(|log| parse(&log))
                .unwrap_or_default();
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
        assert!(start(dir.path(), false).finish(None).is_empty());
        assert!(
            start(dir.path(), true)
                .finish(Some(&mut Cache::default()))
                .is_empty()
        );
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
        let first = start(root, true).finish(Some(&mut cache));
        assert_eq!(first["a.md"], "2026-01-02");
        assert_eq!(start(root, true).finish(Some(&mut cache)), first);
        commit("b.md");
        let second = start(root, true).finish(Some(&mut cache));
        assert_eq!(second, start(root, false).finish(None));
        assert!(second.contains_key("b.md"), "{second:?}");
    }
}
