//! The one memo: what `figmark serve` keeps between rebuilds so that a rebuild redoes only what
//! a change touched. Stages are pure functions of their inputs; this module alone decides what is
//! reused, each entry keyed by a hash of everything its stage reads. A first build is a build
//! with an empty memo: there is no second, uncached path.
//!
//! What is kept, and by what key:
//! - **files** ([`Files`]): each markdown file as read, by its size and modification time; a file
//!   modified within [`RACY`] is read again every time (see there). While a file watcher vouches
//!   that files were only edited ([`Memo::watched`]), the last walk of `content/` is reused and
//!   only the edited files are looked at.
//! - **renders**: a page's markdown rendering, by its path, its source, the set of section
//!   folders, the `unsafe_html` setting, the site's math macros and its wording (language); in a
//!   lenient build, also by which of its links are marked broken.
//! - **layouts**: an output page's HTML, by the templates' fingerprint, the template's name and
//!   the page's view (whose hash stands a page body in by its render key, not its text).
//! - **pages**: a page of the notes' HTML again, by what its view is made of: the site's key
//!   (everything a view reads but a page's own rendering, backlinks and the home page's map,
//!   see `layout::site_key`), its render key and its backlinks, so that a rebuild makes the
//!   views of the pages an edit reached only.
//! - **editions**: each file of the print edition, as parts, by the frames' key (below) and its
//!   pages' render keys.
//! - **listings**: the tags index, the tag pages and 404, by the site's key.
//! - **frames**: the print edition's frames (cover and contents) and which file holds each
//!   page, by the site's key, the editions (which pages each holds) and the cover's date.
//! - **drawings**: the home page's map, by the site's key and the links between pages.
//! - **links**: the last link check, page by page (see [`links::Last`]).
//! - **search**: the search stage's index in pieces, patched in place for the pages whose text
//!   changed (see [`search`](crate::search): measured at 4 ms against 17–27 ms for a full index
//!   at 1,000 notes, so it is kept).
//! - **history**: git's dates, by the commit checked out.
//!
//! An entry not used by a successful build is dropped, so the memo holds one site's worth. A
//! one-shot build ([`Memo::one_shot`]) keeps nothing, so that what it made is dropped once used.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime};

use rayon::prelude::*;

use crate::content::{Listing, Page, ReadNew, Reader};
use crate::diagnostics::Diagnostic;
use crate::markdown::Rendered;
use crate::{history, links, search};

/// A file modified this recently may be written again within its timestamp's granularity
/// without its size or time changing (git's "racily clean" files): it is read every time.
pub const RACY: Duration = Duration::from_secs(2);

#[derive(Default)]
pub struct Memo {
    /// Random per memo: keys never leave the process, so they need not be stable.
    hasher: ahash::RandomState,
    pub(crate) files: Files,
    pub(crate) renders: Table<Arc<Rendered>>,
    pub(crate) layouts: Table<Arc<[u8]>>,
    pub(crate) pages: Table<Arc<[u8]>>,
    pub(crate) editions: Table<Arc<[crate::print::Piece]>>,
    pub(crate) listings: Table<crate::output::Made>,
    pub(crate) frames: Table<Arc<crate::print::Frames>>,
    pub(crate) drawings: Table<Arc<str>>,
    pub(crate) links: links::Last,
    pub(crate) search: search::Cache,
    pub(crate) history: history::Cache,
    /// How many files the last build made.
    pub(crate) files_made: usize,
}

impl Memo {
    /// The memo of a build that no other follows (`figmark build`): it keeps no rendering, page
    /// or drawing, so each is dropped once written rather than held to the end of the build.
    pub fn one_shot() -> Self {
        Self {
            renders: Table::forgetful(),
            layouts: Table::forgetful(),
            pages: Table::forgetful(),
            editions: Table::forgetful(),
            listings: Table::forgetful(),
            frames: Table::forgetful(),
            drawings: Table::forgetful(),
            links: links::Last::forgetful(),
            ..Self::default()
        }
    }

    /// What a file watcher saw since the last build: `Some(paths)` when the only changes under
    /// `content/` were edits to the files at `paths` (`/`-separated, under `content/`), `None`
    /// when it cannot vouch for that (a file added, removed or renamed, or events lost).
    pub fn watched(&mut self, edited: Option<HashSet<String>>) {
        self.files.edited = edited;
    }

    /// Whether this memo keeps nothing for a next build ([`Memo::one_shot`]): then a stage's
    /// inputs may be let go of once the stages after no longer read them.
    pub(crate) fn keeps_nothing(&self) -> bool {
        !self.renders.keeps
    }

    pub(crate) fn key(&self, value: impl Hash) -> u64 {
        self.hasher.hash_one(value)
    }

    /// Starts a build: entries kept by a failed build stay candidates.
    pub(crate) fn begin(&mut self) {
        self.renders.begin();
        self.layouts.begin();
        self.pages.begin();
        self.editions.begin();
        self.listings.begin();
        self.frames.begin();
        self.drawings.begin();
    }

    /// Ends a successful build: what it did not use is dropped.
    pub(crate) fn end(&mut self) {
        self.renders.end();
        self.layouts.end();
        self.pages.end();
        self.editions.end();
        self.listings.end();
        self.frames.end();
        self.drawings.end();
    }
}

/// Values by key: those the last successful build used, and those this build has used so far.
/// Values are kept from several threads at once.
pub struct Table<V> {
    last: ByKey<V>,
    this: Mutex<ByKey<V>>,
    /// Whether values are kept at all (see [`Memo::one_shot`]).
    keeps: bool,
}

/// A map by key: keys are hashes already, so they are their own hash.
type ByKey<V> = HashMap<u64, V, BuildHasherDefault<KeyHasher>>;

/// The hasher of [`ByKey`]: a key's hash is the key.
#[derive(Default)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, key: u64) {
        self.0 = key;
    }
}

impl<V> Default for Table<V> {
    fn default() -> Self {
        Self {
            last: ByKey::default(),
            this: Mutex::default(),
            keeps: true,
        }
    }
}

impl<V: Clone + Send + Sync> Table<V> {
    /// A table that keeps nothing.
    fn forgetful() -> Self {
        Self {
            keeps: false,
            ..Self::default()
        }
    }

    fn this(&self) -> MutexGuard<'_, ByKey<V>> {
        self.this.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn begin(&mut self) {
        let this = std::mem::take(self.this.get_mut().unwrap_or_else(PoisonError::into_inner));
        self.last.extend(this);
    }

    fn end(&mut self) {
        self.last = std::mem::take(self.this.get_mut().unwrap_or_else(PoisonError::into_inner));
    }

    pub fn get(&self, key: u64) -> Option<V> {
        let this = self.this().get(&key).cloned();
        this.or_else(|| self.last.get(&key).cloned())
    }

    /// Records that this build uses `value` under `key`.
    pub fn keep(&self, key: u64, value: V) {
        if self.keeps {
            self.this().insert(key, value);
        }
    }

    /// The value of each of `keys` that this or the last build has, each kept for this build;
    /// looked up all at once, not under the lock one by one.
    pub fn get_all(&mut self, keys: &[u64]) -> Vec<Option<V>> {
        let this = self.this.get_mut().unwrap_or_else(PoisonError::into_inner);
        let found: Vec<Option<V>> = keys
            .iter()
            .map(|k| this.get(k).or_else(|| self.last.get(k)).cloned())
            .collect();
        self.keep_all(
            keys.iter()
                .zip(&found)
                .filter_map(|(&k, v)| Some((k, v.clone()?))),
        );
        found
    }

    /// Records that this build uses each value under its key.
    fn keep_all(&mut self, values: impl Iterator<Item = (u64, V)>) {
        if self.keeps {
            let this = self.this.get_mut().unwrap_or_else(PoisonError::into_inner);
            this.reserve(values.size_hint().1.unwrap_or(0));
            this.extend(values);
        }
    }

    pub fn get_or_make(&mut self, key: u64, make: impl FnOnce() -> V) -> V {
        let value = self.get(key).unwrap_or_else(make);
        self.keep(key, value.clone());
        value
    }

    /// The value for each of `keys`, making the missing ones in parallel with `make(i)`; also
    /// how many were made. Looked up and kept all at once, not under the lock one by one.
    pub fn par_get_or_make(&mut self, keys: &[u64], make: impl Fn(usize) -> V + Sync) -> (Vec<V>, usize) {
        let found = self.get_all(keys);
        let made: Vec<usize> = (0..keys.len()).filter(|&i| found[i].is_none()).collect();
        let values: Vec<V> = found
            .into_par_iter()
            .enumerate()
            .map(|(i, v)| v.unwrap_or_else(|| make(i)))
            .collect();
        self.keep_all(made.iter().map(|&i| (keys[i], values[i].clone())));
        (values, made.len())
    }
}

/// Markdown files as read by earlier loads, by path under `content/`.
#[derive(Default)]
pub struct Files {
    read: HashMap<String, Read>,
    /// The last walk of `content/`, kept when it found nothing to report and no symbolic link
    /// (an edit to a link's target is seen under the target's path).
    listing: Option<Arc<Listing>>,
    /// The files a watcher saw edited since the last load; `None` unless it vouches for the rest.
    edited: Option<HashSet<String>>,
}

/// A file as read, with the size and time it had then.
#[derive(Clone)]
struct Read {
    len: u64,
    modified: SystemTime,
    page: Page,
}

impl Reader for Files {
    /// The last walk, reused only while a watcher vouches that files were only edited.
    fn vouched_listing(&mut self) -> Option<(Arc<Listing>, HashSet<String>)> {
        self.listing.take().zip(self.edited.take())
    }

    /// Kept only when the walk found nothing to report and no symbolic link.
    fn keep_listing(&mut self, listing: &Arc<Listing>) {
        if listing.diagnostics.is_empty() && !listing.symlinks {
            self.listing = Some(Arc::clone(listing));
        }
    }

    /// A file is read again unless an earlier read holds (the same size and time, or the
    /// watcher vouched it unchanged), in parallel; files no longer listed are forgotten.
    fn read_all(
        &mut self,
        files: &[(String, std::path::PathBuf)],
        edited: Option<&HashSet<String>>,
        read_new: ReadNew,
    ) -> Vec<Result<Page, Diagnostic>> {
        let earlier = &self.read;
        let results: Vec<(Result<Page, Diagnostic>, Keep)> = files
            .par_iter()
            .map(|(rel, path)| {
                let unchanged = edited.is_some_and(|e| !e.contains(rel));
                match earlier.get(rel) {
                    Some(f) if unchanged => (Ok(f.page.clone()), Keep::AsItIs),
                    _ => {
                        let (page, read) = read_checked(path, rel, earlier.get(rel), read_new);
                        (page, read.map_or(Keep::Forget(rel), Keep::Now))
                    }
                }
            })
            .collect();
        // Vouched, the files are those of the last load: only the edited ones' reads change
        // (rebuilding the whole table took 10 ms of each rebuild at 10,000 notes).
        if edited.is_none() {
            self.read = HashMap::with_capacity(files.len());
        }
        results
            .into_iter()
            .map(|(page, keep)| {
                match keep {
                    Keep::Now(read) => {
                        self.read.insert(read.page.rel.clone(), read);
                    }
                    Keep::Forget(rel) => {
                        self.read.remove(rel);
                    }
                    Keep::AsItIs => {}
                }
                page
            })
            .collect()
    }
}

/// What happens to a file's earlier read.
enum Keep<'a> {
    AsItIs,
    Now(Read),
    Forget(&'a str),
}

/// Reads `path` unless `earlier` has the size and time it has now; returns what to keep for the
/// next load when its time is settled.
fn read_checked(
    path: &Path,
    rel: &str,
    earlier: Option<&Read>,
    read_new: ReadNew,
) -> (Result<Page, Diagnostic>, Option<Read>) {
    let metadata = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) => return (Err(crate::content::read_error(rel, &e)), None),
    };
    let len = metadata.len();
    let modified = metadata.modified().unwrap_or(SystemTime::UNIX_EPOCH);
    let page = match earlier {
        Some(f) if f.len == len && f.modified == modified => Ok(f.page.clone()),
        _ => read_new(path, rel, len),
    };
    let settled = modified.elapsed().is_ok_and(|age| age > RACY);
    let read = match (&page, settled) {
        (Ok(page), true) => Some(Read {
            len,
            modified,
            page: page.clone(),
        }),
        _ => None,
    };
    (page, read)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_keeps_what_the_last_successful_build_used() {
        let mut t: Table<u32> = Table::default();
        t.begin();
        assert_eq!(t.get_or_make(1, || 10), 10);
        assert_eq!(t.get_or_make(2, || 20), 20);
        t.end();
        t.begin();
        assert_eq!(t.get_or_make(1, || 99), 10, "reused");
        t.end();
        assert_eq!(t.get(2), None, "unused by the last build: dropped");
        // A failed build (no `end`) leaves its entries as candidates for the next one.
        t.begin();
        t.get_or_make(3, || 30);
        t.begin();
        assert_eq!(t.get(3), Some(30));
        assert_eq!(t.get(1), Some(10));
    }

    #[test]
    fn a_one_shot_table_keeps_nothing() {
        let mut t: Table<u32> = Table::forgetful();
        t.begin();
        assert_eq!(t.get_or_make(1, || 10), 10);
        assert_eq!(t.get(1), None, "dropped once used");
    }

    #[test]
    fn parallel_lookups_make_only_what_is_missing() {
        let mut t: Table<u64> = Table::default();
        t.begin();
        t.keep(5, 50);
        let (values, made) = t.par_get_or_make(&[5, 6, 7], |i| i as u64);
        assert_eq!(values, [50, 1, 2]);
        assert_eq!(made, 2);
    }
}
