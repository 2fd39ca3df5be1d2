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

/// The commit checked out, as read from git's files or asked of a running `git rev-parse HEAD`,
/// and on a first build a running `git log` too (started beside rendering, not after it);
/// `finish` reads the answers.
pub struct Pending {
    root: PathBuf,
    log: Option<Child>,
    head: Head,
}

/// The commit checked out at the site's folder.
enum Head {
    /// Read from the files of the repository, or none: no repository holds the folder.
    Read(Option<String>),
    /// Asked of git, where its files are laid out in a way [`read_head`] does not follow.
    Asking(Option<Child>),
}

/// Starts asking git for the commit checked out (unless its files tell), and for the log when
/// `cache` holds no dates and a repository holds the folder.
pub fn start(root: &Path, cache: &Cache) -> Pending {
    let head = match read_head(root) {
        Some(head) => Head::Read(head),
        None => Head::Asking(git(root, &["rev-parse", "HEAD"])),
    };
    let in_repository = !matches!(head, Head::Read(None));
    let log = (cache.head.is_none() && in_repository)
        .then(|| log(root))
        .flatten();
    Pending {
        root: root.to_path_buf(),
        log,
        head,
    }
}

/// The commit checked out at `root`, from the files of the repository holding it: `Some(None)`
/// when none does, `None` when its files do not say plainly (a reftable, `GIT_DIR` set, a ref
/// missing): then git is asked. Spawning `git rev-parse` took 30 ms of every rebuild of
/// `figmark serve` at 10,000 notes, waiting on a process as large as the server.
fn read_head(root: &Path) -> Option<Option<String>> {
    if std::env::var_os("GIT_DIR").is_some() {
        return None;
    }
    let root = root.canonicalize().ok()?;
    let Some(dot_git) = root.ancestors().map(|d| d.join(".git")).find(|p| p.exists()) else {
        return Some(None);
    };
    let git_dir = if dot_git.is_dir() {
        dot_git
    } else {
        let text = std::fs::read_to_string(&dot_git).ok()?;
        dot_git.parent()?.join(text.strip_prefix("gitdir:")?.trim())
    };
    let common = match std::fs::read_to_string(git_dir.join("commondir")) {
        Ok(dir) => git_dir.join(dir.trim()),
        Err(_) => git_dir.clone(),
    };
    let head = std::fs::read_to_string(git_dir.join("HEAD")).ok()?;
    let Some(name) = head.trim().strip_prefix("ref:").map(str::trim) else {
        return Some(Some(head.trim().to_string()).filter(|h| is_commit(h)));
    };
    let loose = [&git_dir, &common]
        .iter()
        .find_map(|dir| std::fs::read_to_string(dir.join(name)).ok());
    let commit = loose.or_else(|| {
        let packed = std::fs::read_to_string(common.join("packed-refs")).ok()?;
        packed
            .lines()
            .find_map(|line| line.strip_suffix(name)?.strip_suffix(' ').map(str::to_string))
    })?;
    let commit = commit.trim();
    is_commit(commit).then(|| Some(commit.to_string()))
}

fn is_commit(text: &str) -> bool {
    matches!(text.len(), 40 | 64) && text.bytes().all(|b| b.is_ascii_hexdigit())
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
        let head = match self.head {
            Head::Read(head) => head,
            Head::Asking(child) => output(child).map(|h| h.trim().to_string()),
        };
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

    fn git_head(root: &Path) -> Option<Child> {
        git(root, &["rev-parse", "HEAD"])
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
        let asked = output(git_head(root));
        assert_eq!(
            read_head(root),
            Some(asked.map(|h| h.trim().to_string())),
            "HEAD as git says"
        );
        assert_eq!(first["a.md"], "2026-01-02");
        assert_eq!(start(root, &cache).finish(&mut cache), first);
        commit("b.md");
        git(&["pack-refs", "--all"]);
        let asked = output(git_head(root)).map(|h| h.trim().to_string());
        assert_eq!(read_head(root), Some(asked), "HEAD from packed refs");
        let second = start(root, &cache).finish(&mut cache);
        let mut fresh = Cache::default();
        assert_eq!(second, start(root, &fresh).finish(&mut fresh));
        assert!(second.contains_key("b.md"), "{second:?}");
    }
}
