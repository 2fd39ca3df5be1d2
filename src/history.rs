//! When each note last changed, read from git history when the site is in a git checkout: one
//! `git log` for the whole content folder, started before rendering and read after it. Outside a
//! checkout (or without git) there are no dates: they are omitted, never guessed from file times,
//! so a build stays deterministic for a given commit.

use std::collections::HashMap;
use std::path::Path;
use std::process::{Child, Command, Stdio};

use crate::content::CONTENT_DIR;

/// A running `git log`; `finish` reads its answer.
pub struct Pending(Option<Child>);

pub fn start(root: &Path) -> Pending {
    let child = Command::new("git")
        .arg("-C")
        .arg(root)
        .args([
            "-c",
            "core.quotepath=off",
            "log",
            "--format=>%cs",
            "--name-only",
            "--relative",
            "--",
        ])
        .arg(CONTENT_DIR)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok();
    Pending(child)
}

impl Pending {
    /// The date (`YYYY-MM-DD`, committer date) of the newest commit that touched each file, by
    /// path under `content/`.
    pub fn finish(self) -> HashMap<String, String> {
        let Some(output) = self.0.and_then(|child| child.wait_with_output().ok()) else {
            return HashMap::new();
        };
        if !output.status.success() {
            return HashMap::new();
        }
        parse(&String::from_utf8_lossy(&output.stdout))
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
        assert!(start(dir.path()).finish().is_empty());
    }
}
