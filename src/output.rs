//! Write stage: the whole site goes into a temporary folder beside the output, which is then
//! swapped in. A failed or killed build never leaves the previous output half-written.

use std::collections::BTreeSet;
use std::fs;
use std::io::{self, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

/// One output file: its path relative to the output folder, and its bytes.
pub struct OutputFile {
    pub path: String,
    pub contents: Contents,
}

pub enum Contents {
    /// Made by the build. Shared, so that `figmark serve` keeps an unchanged page from one
    /// rebuild to the next without copying it.
    Bytes(Arc<[u8]>),
    /// Made of parts, each a range of a shared text, written one after the other: the print
    /// edition, megabytes made of every page's part, is never put together in memory, nor a
    /// page's part copied to change a few links in it.
    Parts(Vec<(Arc<str>, Range<usize>)>),
    /// A file copied as it is (images, static files).
    Copy(PathBuf),
}

impl Contents {
    /// The whole file.
    pub fn read(&self) -> io::Result<Vec<u8>> {
        match self {
            Contents::Bytes(bytes) => Ok(bytes.to_vec()),
            Contents::Parts(parts) => Ok(parts
                .iter()
                .flat_map(|(text, range)| text[range.clone()].bytes())
                .collect()),
            Contents::Copy(src) => fs::read(src),
        }
    }
}

impl From<Vec<u8>> for Contents {
    fn from(bytes: Vec<u8>) -> Self {
        Contents::Bytes(bytes.into())
    }
}

impl From<String> for Contents {
    fn from(text: String) -> Self {
        text.into_bytes().into()
    }
}

const TMP_MARK: &str = ".figmark-tmp-";

/// Writes `files` as the new content of `out`, replacing what was there in one step.
pub fn write_site(out: &Path, files: &[OutputFile]) -> io::Result<()> {
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent)?;
    let name = out
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "output path has no folder name"))?
        .to_string_lossy()
        .into_owned();
    remove_stale_temps(&parent, &name);
    let tmp = parent.join(format!(".{name}{TMP_MARK}{}", std::process::id()));
    let written = write_all(&tmp, files).and_then(|()| swap_in(&tmp, out));
    if written.is_err() {
        fs::remove_dir_all(&tmp).ok();
    }
    written
}

fn write_all(dir: &Path, files: &[OutputFile]) -> io::Result<()> {
    fs::create_dir_all(dir)?;
    let folders: BTreeSet<&Path> = files.iter().filter_map(|f| Path::new(&f.path).parent()).collect();
    for folder in folders {
        fs::create_dir_all(dir.join(folder))?;
    }
    // Writing is most of a large build's remaining time, much of it in the kernel: spread it over
    // the cores. Each file is written whole by one thread, so the order does not matter.
    files.par_iter().try_for_each(|file| {
        let path = dir.join(&file.path);
        match &file.contents {
            Contents::Bytes(bytes) => fs::write(&path, bytes),
            Contents::Parts(parts) => {
                let mut out = io::BufWriter::with_capacity(1 << 16, fs::File::create(&path)?);
                parts
                    .iter()
                    .try_for_each(|(text, range)| out.write_all(text[range.clone()].as_bytes()))?;
                out.into_inner().map_err(io::IntoInnerError::into_error).map(drop)
            }
            Contents::Copy(src) => fs::copy(src, &path).map(drop),
        }
    })
}

/// Exchanges the two folders atomically where the file system can (Linux `renameat2`), else
/// moves the old one aside first. The old output ends up at `tmp` and is removed.
fn swap_in(tmp: &Path, out: &Path) -> io::Result<()> {
    if !out.exists() {
        return fs::rename(tmp, out);
    }
    if !out.is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!("{} exists and is not a folder", out.display()),
        ));
    }
    let exchanged = rustix::fs::renameat_with(
        rustix::fs::CWD,
        tmp,
        rustix::fs::CWD,
        out,
        rustix::fs::RenameFlags::EXCHANGE,
    );
    if exchanged.is_err() {
        let aside = tmp.with_extension("old");
        fs::rename(out, &aside)?;
        fs::rename(tmp, out)?;
        return fs::remove_dir_all(&aside);
    }
    fs::remove_dir_all(tmp)
}

/// Temporary folders left by a build that was killed.
fn remove_stale_temps(parent: &Path, name: &str) {
    let prefix = format!(".{name}{TMP_MARK}");
    let Ok(entries) = fs::read_dir(parent) else { return };
    for entry in entries.flatten() {
        if entry.file_name().to_string_lossy().starts_with(&prefix) {
            fs::remove_dir_all(entry.path()).ok();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, text: &str) -> OutputFile {
        OutputFile {
            path: path.into(),
            contents: text.to_string().into(),
        }
    }

    #[test]
    fn replaces_previous_output_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write_site(&out, &[file("a.html", "1"), file("old.html", "x")]).unwrap();
        write_site(&out, &[file("a.html", "2"), file("sub/b.html", "3")]).unwrap();
        assert_eq!(fs::read_to_string(out.join("a.html")).unwrap(), "2");
        assert!(!out.join("old.html").exists());
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["public"]);
    }

    #[test]
    fn failed_write_keeps_previous_output() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write_site(&out, &[file("a.html", "1")]).unwrap();
        let missing = OutputFile {
            path: "x.png".into(),
            contents: Contents::Copy(dir.path().join("nope.png")),
        };
        assert!(write_site(&out, &[file("a.html", "2"), missing]).is_err());
        assert_eq!(fs::read_to_string(out.join("a.html")).unwrap(), "1");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
