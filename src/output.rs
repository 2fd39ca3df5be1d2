//! Write stage: each file goes, as soon as it is made, into a temporary folder beside the
//! output, which is swapped in when the build succeeds. A failed or killed build never leaves
//! the previous output half-written. `figmark serve` keeps the files in memory instead.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io::{self, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use rayon::prelude::*;

/// The files of a site kept in memory, by path relative to the output folder.
/// Hashed with ahash: a rebuild at 10,000 notes puts 30,000 paths.
pub type Files = HashMap<String, Contents, ahash::RandomState>;

/// Files made by a stage, by output path, kept as made.
pub(crate) type Made = Arc<[(String, Arc<[u8]>)]>;

pub enum Contents {
    /// Made by the build. Shared, so that `figmark serve` keeps an unchanged page from one
    /// rebuild to the next without copying it.
    Bytes(Arc<[u8]>),
    /// Made of parts, each a range of a shared text, written one after the other: the print
    /// edition, megabytes made of every page's part, is never put together in memory, nor a
    /// page's part copied to change a few links in it.
    Parts(Arc<[(Arc<str>, Range<usize>)]>),
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

    /// Its size in bytes; a copied file's is read from the file system.
    pub fn size(&self) -> io::Result<u64> {
        match self {
            Contents::Bytes(bytes) => Ok(bytes.len() as u64),
            Contents::Parts(parts) => Ok(parts.iter().map(|(_, range)| range.len() as u64).sum()),
            Contents::Copy(src) => fs::metadata(src).map(|m| m.len()),
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

/// Where a build puts each file as it is made, and what it learns of their sizes (for the
/// output limit). Written as made, a page is dropped at once: a one-shot build of 10,000 notes
/// held every page's HTML (300 MB) until the end.
pub struct Sink {
    to: To,
    sizes: Mutex<HashMap<String, u64>>,
    /// The first write that failed: the build goes on and reports it at the end.
    failed: Mutex<Option<io::Error>>,
}

enum To {
    /// Kept in memory, for `figmark serve` and the tests.
    Memory(Mutex<Files>),
    /// Written into a folder beside the output, swapped in when the build succeeds.
    Disk(Staging),
    /// Nowhere: `figmark check` only wants the sizes.
    Nowhere,
}

impl Sink {
    /// Files kept in memory, room made for `expected` of them (the last build's count): a map
    /// grown from empty to 30,000 files rehashed them all several times.
    pub fn memory(expected: usize) -> Self {
        let files = Files::with_capacity_and_hasher(expected, ahash::RandomState::default());
        Self::to(To::Memory(Mutex::new(files)))
    }

    pub fn nowhere() -> Self {
        Self::to(To::Nowhere)
    }

    /// Files written into a temporary folder beside `out`, which [`Sink::finish`] swaps in for
    /// it; dropped unfinished (a failed build), the folder is removed and `out` left as it was.
    pub fn disk(out: &Path) -> io::Result<Self> {
        Ok(Self::to(To::Disk(Staging::new(out)?)))
    }

    fn to(to: To) -> Self {
        Self {
            to,
            sizes: Mutex::default(),
            failed: Mutex::default(),
        }
    }

    /// Puts one file; a write that fails is reported by [`Sink::finish`].
    pub fn put(&self, path: String, contents: Contents) {
        let size = match &self.to {
            // Files kept in memory are measured when asked (see [`Sink::sizes`]).
            To::Memory(files) => {
                lock(files).insert(path, contents);
                return;
            }
            // A copied file that went missing fails the write, not the check.
            To::Nowhere => Ok(contents.size().unwrap_or(0)),
            To::Disk(staging) => staging.write(&path, &contents),
        };
        match size {
            Ok(size) => {
                lock(&self.sizes).insert(path, size);
            }
            Err(e) => {
                lock(&self.failed).get_or_insert(e);
            }
        }
    }

    /// Puts every file of `files`: kept in memory at once, written in parallel.
    pub fn put_all(&self, files: Vec<(String, Contents)>) {
        match &self.to {
            To::Memory(kept) => lock(kept).extend(files),
            To::Disk(_) | To::Nowhere => files
                .into_par_iter()
                .for_each(|(path, contents)| self.put(path, contents)),
        }
    }

    /// The size of every file put so far, added up.
    pub fn total(&self) -> u64 {
        match &self.to {
            // A copied file that went missing fails the write, not the plan.
            To::Memory(files) => lock(files).values().map(|c| c.size().unwrap_or(0)).sum(),
            To::Disk(_) | To::Nowhere => lock(&self.sizes).values().sum(),
        }
    }

    /// The size of the file put at `path`.
    pub fn size_of(&self, path: &str) -> Option<u64> {
        match &self.to {
            To::Memory(files) => lock(files).get(path).map(|c| c.size().unwrap_or(0)),
            To::Disk(_) | To::Nowhere => lock(&self.sizes).get(path).copied(),
        }
    }

    /// Ends the build's output: the files kept in memory; written ones are swapped in for the
    /// output folder.
    pub fn finish(self) -> io::Result<Files> {
        if let Some(e) = lock(&self.failed).take() {
            return Err(e);
        }
        match self.to {
            To::Memory(files) => Ok(files.into_inner().unwrap_or_else(PoisonError::into_inner)),
            To::Disk(staging) => staging.swap_in().map(|()| Files::default()),
            To::Nowhere => Ok(Files::default()),
        }
    }
}

/// A mutex's value, also after a thread panicked holding it (the panic is reported on its own).
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A temporary folder beside the output that the site is written into.
struct Staging {
    tmp: PathBuf,
    out: PathBuf,
    /// Folders made so far, so that each is made once.
    folders: Mutex<HashSet<PathBuf>>,
}

impl Staging {
    fn new(out: &Path) -> io::Result<Self> {
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
        fs::create_dir_all(&tmp)?;
        Ok(Self {
            tmp,
            out: out.to_path_buf(),
            folders: Mutex::default(),
        })
    }

    /// Writes one file, whole, and returns its size.
    fn write(&self, rel: &str, contents: &Contents) -> io::Result<u64> {
        let path = self.tmp.join(rel);
        if let Some(folder) = path.parent()
            && !lock(&self.folders).contains(folder)
        {
            fs::create_dir_all(folder)?;
            lock(&self.folders).insert(folder.to_path_buf());
        }
        match contents {
            Contents::Bytes(bytes) => fs::write(&path, bytes).map(|()| bytes.len() as u64),
            Contents::Parts(parts) => {
                let mut out = io::BufWriter::with_capacity(1 << 16, fs::File::create(&path)?);
                parts
                    .iter()
                    .try_for_each(|(text, range)| out.write_all(text[range.clone()].as_bytes()))?;
                out.into_inner().map_err(io::IntoInnerError::into_error)?;
                contents.size()
            }
            Contents::Copy(src) => fs::copy(src, &path),
        }
    }

    fn swap_in(self) -> io::Result<()> {
        swap_in(&self.tmp, &self.out)
    }
}

impl Drop for Staging {
    /// A build that failed, or whose folder was swapped in: what is left at `tmp` goes.
    fn drop(&mut self) {
        fs::remove_dir_all(&self.tmp).ok();
    }
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

    fn file(path: &str, text: &str) -> (String, Contents) {
        (path.into(), text.to_string().into())
    }

    fn write_site(out: &Path, files: Vec<(String, Contents)>) -> io::Result<()> {
        let sink = Sink::disk(out)?;
        sink.put_all(files);
        sink.finish().map(drop)
    }

    #[test]
    fn replaces_previous_output_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write_site(&out, vec![file("a.html", "1"), file("old.html", "x")]).unwrap();
        write_site(&out, vec![file("a.html", "2"), file("sub/b.html", "3")]).unwrap();
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
        write_site(&out, vec![file("a.html", "1")]).unwrap();
        let missing = ("x.png".to_string(), Contents::Copy(dir.path().join("nope.png")));
        assert!(write_site(&out, vec![file("a.html", "2"), missing]).is_err());
        assert_eq!(fs::read_to_string(out.join("a.html")).unwrap(), "1");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
