//! `figmark init`: a small site that builds at once, with every setting shown and a workflow that
//! publishes it on GitHub Pages. The files are data beside this module (`src/init/`).

use std::path::{Path, PathBuf};

/// Each file `init` writes: its path in the new site and its text.
pub const FILES: &[(&str, &str)] = &[
    ("site.toml", include_str!("init/site.toml")),
    ("content/_index.md", include_str!("init/content/_index.md")),
    (
        "content/notes/_index.md",
        include_str!("init/content/notes/_index.md"),
    ),
    (
        "content/notes/first-note.md",
        include_str!("init/content/notes/first-note.md"),
    ),
    (".gitignore", include_str!("init/gitignore")),
    (
        ".github/workflows/pages.yml",
        include_str!("init/workflows/pages.yml"),
    ),
];

/// Why `init` wrote nothing.
#[derive(Debug)]
pub enum Error {
    /// These files exist already; nothing is overwritten.
    Exists(Vec<PathBuf>),
    Io(PathBuf, std::io::Error),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Exists(paths) => {
                let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
                write!(f, "not overwriting what exists: {}", names.join(", "))
            }
            Error::Io(path, e) => write!(f, "{}: {e}", path.display()),
        }
    }
}

/// Writes the new site's files into `dir` (made if missing) and returns their paths. When any of
/// them exists, nothing is written.
pub fn init(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let paths: Vec<PathBuf> = FILES.iter().map(|(rel, _)| dir.join(rel)).collect();
    let existing: Vec<PathBuf> = paths.iter().filter(|p| p.exists()).cloned().collect();
    if !existing.is_empty() {
        return Err(Error::Exists(existing));
    }
    for (path, (_, text)) in paths.iter().zip(FILES) {
        let io = |e| Error::Io(path.clone(), e);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io)?;
        }
        // `create_new`: a file made meanwhile by someone else is not overwritten either.
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
            .and_then(|mut f| std::io::Write::write_all(&mut f, text.as_bytes()))
            .map_err(io)?;
    }
    Ok(paths)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_to_overwrite_and_writes_nothing_then() {
        let dir = tempfile::tempdir().unwrap();
        // The last file in the list: none before it may be written either.
        let last = dir.path().join(FILES[FILES.len() - 1].0);
        std::fs::create_dir_all(last.parent().unwrap()).unwrap();
        std::fs::write(&last, "mine").unwrap();
        let err = init(dir.path()).unwrap_err();
        assert!(err.to_string().contains(FILES[FILES.len() - 1].0), "{err}");
        assert_eq!(std::fs::read_to_string(&last).unwrap(), "mine");
        assert!(!dir.path().join("site.toml").exists() && !dir.path().join("content").exists());
        std::fs::remove_file(&last).unwrap();
        assert_eq!(init(dir.path()).unwrap().len(), FILES.len());
    }

    #[test]
    fn the_settings_file_shows_every_setting() {
        let text = FILES[0].1;
        let uncommented: String = text
            .lines()
            .map(|l| l.strip_prefix("# ").filter(|l| l.contains(" = ")).unwrap_or(l))
            .collect::<Vec<_>>()
            .join("\n");
        let uncommented = uncommented.replace("# [", "[");
        let config = crate::config::Config::parse(&uncommented).unwrap();
        assert!(config.content_dir.is_some() && config.repo_url.is_some());
        assert_eq!(config.math.macros.len(), 2);
        assert_eq!(config.strings.len(), 1);
        assert_eq!(
            config.limits,
            crate::config::Limits::default(),
            "the defaults are shown"
        );
        for key in [
            "title",
            "description",
            "base_url",
            "language",
            "repo_url",
            "branch",
            "content_dir",
            "unsafe_html",
            "lenient",
        ] {
            assert!(text.contains(&format!("{key} = ")), "{key}");
        }
    }
}
