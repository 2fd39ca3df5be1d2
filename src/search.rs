//! Search index stage: after links, turns every page's title, summary and per-heading text into
//! an inverted index shipped as scripts (a manifest, `search-index.js`, and chunks under
//! `search-index/`), since browsers refuse `fetch()` of local files. `static/search.js`
//! tokenizes the query the same way, loads only the chunks the query needs as `<script>`
//! elements, and ranks the sections.
//!
//! **Tokens.** Chinese is written without spaces, so a run of CJK characters is indexed by its
//! overlapping character bigrams (感受野 → 感受, 受野), and by its last character (野), or by the
//! character itself when the run is one character long. Bigrams need no dictionary, never miss
//! a word that a segmenter would cut wrongly, and requiring all of a query's bigrams ranks real
//! phrase hits well on notes this size. A one-character query matches every term that starts
//! with the character: each place the character stands starts a bigram or ends a run, and the
//! terms it starts sort together, in one or two chunks. Any other run of letters and digits is
//! a word, lowercased, and so is a number times a number however the sign is written (`1×1`,
//! `1*1` and `1X1` are all the word `1x1`); everything else separates tokens.
//!
//! **Shape.** A section is a part of a page under one heading (the part before the first heading
//! has anchor `""` and the page's summary in front of its text). Its address is
//! `doc * stride + section`, where `doc` is the page's place in reading order and `stride` the
//! smallest power of two no smaller than the most sections any page has.
//! - The manifest: `window.FIGMARK_SEARCH = {"stride": S, "docs": N, "pages": P, "chunks":
//!   [first term, …]}`.
//! - Term chunk `t<i>.js`: `figmarkSearch({term: postings, …})`, the terms from the manifest's
//!   `i`-th first term up to the next one, in JavaScript's string order (UTF-16), so that the
//!   script finds a token's chunk by a binary search of the manifest. Postings are addresses
//!   ascending, each given as its distance from the one before (the first from 0) and followed
//!   by `-weight` when its weight is not 1 (three postings in four have weight 1), e.g.
//!   `[0, 3, -12, 14]` for addresses 0, 3 and 17. Bounds are chosen by [`Cache::layout`].
//! - Page chunk `d<i>.js`: `figmarkSearch([page, …])`, the pages `i * P` to `i * P + P - 1` in
//!   reading order (`P` is [`PAGES_PER_CHUNK`]), each `[title, path, [[anchor, heading, text],
//!   …]]`, read for the results shown (at most 20 pages).
//! - Word lists, for typos: `w<i>.js` and `b<i>.js`, `figmarkSearch(["word", …])`, every term of
//!   four letters or more (no digit, no CJK) in order, and each spelt backwards in the order of
//!   that spelling; the manifest's `words` and `backwards` give each chunk's first entry.
//!
//! **Typos.** A word of four letters or more that matches no term (`momentun`) is compared
//! with the listed words that share its start (from `w`) or its end (from `b`): one edit
//! leaves at least half of a word on one side untouched, so the word it was meant to be sorts
//! next to it in one of the lists. The nearest words, one edit away (two for eight letters or
//! more; a swap of two neighbours counts as one), stand in for it, and a section that holds all
//! of a query's words as typed ranks above one that needed a correction. A search loads the
//! lists' chunks only for such a word: at most two of each list, about 4 KB each, then the
//! term chunks of the words found. The lists hold names only, no postings, so they stay a few
//! percent of the index.
//!
//! On 10,000 generated notes (20 MB of markdown) the whole index is 25 MB (1.26×; it was 1.6×
//! as one file), two thirds of it the pages' text for snippets, and a query loads the 7 KB
//! manifest, one chunk per token (the largest, one very common term alone, 140 KB) and the page
//! chunk (about 4 KB, four pages) of each result shown: 165–421 KB typed a key at a time.
//! Everything is sorted, so the files are byte-identical on rebuild.
//!
//! **Why addresses.** `figmark serve` builds the index again after every edit. With sections
//! numbered across the whole site, a page gaining a heading renumbered every later section and
//! so changed the postings of nearly every term. With addresses, an edit to one page changes
//! only that page's chunk and the postings of the terms it held or holds, and there the page's
//! postings are one run (addresses start with the page's number). So [`Cache`] keeps each
//! page's chunk and each term's JSON (with absolute addresses), and after an edit finds the
//! terms of the changed pages only, replaces their runs (found by a binary search of the term's
//! JSON) and makes again only the term chunks that hold a changed term; the other files are
//! shared with the last build. When the sequence of pages or the stride changes (a page added,
//! removed, moved or renamed, or the largest page's sections passing a power of two) every
//! term's postings are laid out again, though terms are still found only for pages whose text
//! changed. A power of two rather than the largest count itself leaves room: most added
//! headings keep the stride.
//!
//! **Weights.** A term's weight in a section is `TITLE` if it is in the page title (first
//! section only), plus `HEADING` if it is in the section's heading, plus its count in the text
//! capped at `BODY_CAP`. `TITLE > HEADING + BODY_CAP` and `HEADING > BODY_CAP`, so for any one
//! term a title hit outranks a heading hit, which outranks any number of body hits. A query's
//! score for a section is the sum of its terms' weights; only the sections holding the most of
//! the query's terms are shown (all of them, when any section has all).

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::sync::Arc;

use rayon::prelude::*;

use crate::content::Site;
use crate::markdown::Rendered;

/// Where the index's manifest is written, relative to the output root.
pub const INDEX_FILE: &str = "search-index.js";
/// The folder of its chunks, beside it.
pub const CHUNK_DIR: &str = "search-index";
/// About how many bytes of kept term JSON (absolute addresses) a term chunk holds, and at most
/// (unless one term alone has more). A chunk file is about half that (see [`Cache::chunk`]).
const CHUNK_BYTES: usize = 24 * 1024;
const CHUNK_MAX: usize = 64 * 1024;

/// The word lists (typo tolerance) hold words of at least this many characters, in chunks of
/// about `WORDS_BYTES` (at most `WORDS_MAX`).
const WORD_MIN: usize = 4;
const WORDS_BYTES: usize = 4 * 1024;
const WORDS_MAX: usize = 16 * 1024;

/// Pages per page chunk. One file per page was a third of a site's files, and creating a file
/// is what writing a site costs most on a slow disk (0.03–0.9 ms each on this machine's ext4,
/// the most in the 30 s after a large delete): four to a chunk makes 7,500 fewer files at 10,000
/// notes, for at most 20 chunks of about 4 KB read per search.
pub const PAGES_PER_CHUNK: usize = 4;

pub const TITLE: u32 = 100;
pub const HEADING: u32 = 10;
pub const BODY_CAP: u32 = 9;

/// One page as the index sees it.
pub struct Doc<'a> {
    pub title: &'a str,
    pub path: String,
    pub summary: &'a str,
    /// `(anchor, heading, text)`; the first one is the part before any heading.
    pub sections: Sections<'a>,
    /// A key of what `sections` were made from (the page's render key), which stands for them
    /// in the page's key: hashing every page's text took a large share of a rebuild at 10,000
    /// notes. `None`: the sections are hashed themselves.
    pub made_from: Option<u64>,
}

/// A page's sections, `(anchor, heading, text)`.
pub enum Sections<'a> {
    #[cfg(test)]
    Listed(Vec<(&'a str, &'a str, &'a str)>),
    /// Those of a rendering, listed only for a page whose entry is made again: listing every
    /// page's took several milliseconds of each rebuild at 10,000 notes.
    Of(&'a Rendered),
}

impl<'a> Sections<'a> {
    fn len(&self) -> usize {
        match self {
            #[cfg(test)]
            Sections::Listed(sections) => sections.len(),
            Sections::Of(rendered) => rendered.blocks.len(),
        }
    }

    fn list(&self) -> Cow<'_, [(&'a str, &'a str, &'a str)]> {
        match self {
            #[cfg(test)]
            Sections::Listed(sections) => Cow::Borrowed(sections),
            Sections::Of(rendered) => Cow::Owned(sections_of(rendered)),
        }
    }
}

/// A rendering's text blocks with their headings' anchors and texts.
fn sections_of(rendered: &Rendered) -> Vec<(&str, &str, &str)> {
    let headings = &rendered.headings;
    rendered
        .blocks
        .iter()
        .map(|b| match b.heading.and_then(|h| headings.get(h)) {
            Some(h) => (h.id.as_str(), h.text.as_str(), b.text.as_str()),
            None => ("", "", b.text.as_str()),
        })
        .collect()
}

/// One page's share of the index, which depends on that page alone.
struct Entry {
    /// A hash of what the entry was made from, compared with the page's at the next build: the
    /// text itself is held once, in `chunk`, not again for the comparison.
    key: u64,
    /// The page's JSON in its page chunk: `[title, path, [[anchor, heading, text], …]]`.
    chunk: Arc<[u8]>,
    /// `(section, term, weight)`, sections ascending.
    postings: Vec<(u32, u32, u32)>,
}

impl Doc<'_> {
    /// What a page's entry depends on, hashed.
    fn key(&self, hasher: &ahash::RandomState) -> u64 {
        match self.made_from {
            Some(made_from) => hasher.hash_one((self.title, self.summary, made_from)),
            None => hasher.hash_one((self.title, self.summary, &*self.sections.list())),
        }
    }
}

/// Every term by number, so that putting the pages' terms together compares no strings.
#[derive(Default)]
struct Terms {
    names: Vec<String>,
    ids: HashMap<String, u32, ahash::RandomState>,
}

impl Terms {
    fn id(&mut self, term: &str) -> u32 {
        if let Some(&id) = self.ids.get(term) {
            return id;
        }
        let id = u32::try_from(self.names.len()).expect("fewer than 4 billion terms");
        self.names.push(term.to_string());
        self.ids.insert(term.to_string(), id);
        id
    }

    /// A page's postings from its terms as [`found`] returns them.
    fn number(&mut self, found: &Found) -> Vec<(u32, u32, u32)> {
        let ids: Vec<u32> = found.terms.iter().map(|term| self.id(term)).collect();
        let mut postings = Vec::new();
        for (s, weights) in (0u32..).zip(&found.sections) {
            postings.extend(weights.iter().map(|&(t, w)| (s, ids[t as usize], w)));
        }
        postings
    }
}

/// The index as the last build left it, in pieces: `figmark serve` keeps it so that a rebuild
/// finds terms again only for pages whose title, summary or text changed and, while the pages
/// and the stride stay the same, writes again only those pages' JSON and their terms' (see the
/// module comment).
#[derive(Default)]
pub struct Cache {
    /// Random per cache: page keys never leave the process.
    hasher: ahash::RandomState,
    /// Every term seen so far; terms no page holds any more are left out of the index.
    terms: Terms,
    /// Every page in reading order: its output path and its entry.
    docs: Vec<(String, Entry)>,
    stride: u64,
    /// By term number: its JSON as [`term_head`] describes it, empty when no page holds the term.
    json: Vec<String>,
    /// The numbers of the terms some page holds, sorted by name in UTF-16 order (JavaScript's).
    sorted: Vec<u32>,
    /// The term chunks of the last build by their first term: how many terms, the last one, and
    /// the file.
    chunks: HashMap<u32, (usize, u32, Arc<[u8]>)>,
    /// Terms whose JSON changed since `chunks` were made.
    dirty: HashSet<u32>,
    /// The page chunks of the last build, each with whether a page of it changed since.
    pages: Vec<(Arc<[u8]>, bool)>,
    /// The word lists of the last build, kept while the terms held stay the same (most edits:
    /// made again, they took 3 ms of each rebuild at 10,000 notes); made again, a chunk of the
    /// same bytes is shared.
    words: WordLists,
    /// Whether `words` still holds for the terms held.
    words_hold: bool,
}

/// How [`update`] brought a [`Cache`] up to date.
#[derive(Debug, PartialEq)]
enum Update {
    /// The pages and the stride were those of the last build: this many pages were patched.
    Patched(usize),
    /// Every term's postings were laid out again.
    Rebuilt,
}

/// The index of every page, in reading order, as the script files the pages load (the manifest
/// [`INDEX_FILE`] and the chunks), doing again only what changed since the build that left
/// `cache` (empty on a first build), and refreshing it.
pub fn files(
    site: &Site,
    rendered: &[Arc<Rendered>],
    render_keys: &[u64],
    cache: &mut Cache,
) -> Vec<(String, Arc<[u8]>)> {
    update(&docs(site, rendered, render_keys), cache);
    cache.files()
}

/// Brings `cache` up to date with `docs`.
fn update(docs: &[Doc], cache: &mut Cache) -> Update {
    let most = docs.iter().map(|doc| doc.sections.len()).max().unwrap_or(0);
    let stride = u64::try_from(most)
        .expect("a page's sections fit in 64 bits")
        .next_power_of_two();
    let same_pages = stride == cache.stride
        && cache.docs.len() == docs.len()
        && cache
            .docs
            .iter()
            .zip(docs)
            .all(|((path, _), doc)| *path == doc.path);
    if !same_pages {
        cache.rebuild(docs, stride);
        return Update::Rebuilt;
    }
    let hasher = &cache.hasher;
    let changed: Vec<usize> = (0..docs.len())
        .into_par_iter()
        .filter(|&d| cache.docs[d].1.key != docs[d].key(hasher))
        .collect();
    let found: Vec<(Entry, Found)> = changed.par_iter().map(|&d| found(&docs[d], hasher)).collect();
    for (&d, (mut entry, found)) in changed.iter().zip(found) {
        entry.postings = cache.terms.number(&found);
        let old = std::mem::replace(&mut cache.docs[d].1, entry);
        cache.patch(d, &old.postings);
        if let Some(chunk) = cache.pages.get_mut(d / PAGES_PER_CHUNK) {
            chunk.1 = true;
        }
    }
    Update::Patched(changed.len())
}

impl Cache {
    /// Lays out every term's postings for `docs`, reusing the entries of pages that an earlier
    /// build indexed under the same path.
    fn rebuild(&mut self, docs: &[Doc], stride: u64) {
        let mut earlier: HashMap<String, Entry> = self.docs.drain(..).collect();
        let hasher = &self.hasher;
        let kept: Vec<Option<Entry>> = docs
            .iter()
            .map(|doc| earlier.remove(&doc.path).filter(|e| e.key == doc.key(hasher)))
            .collect();
        // Pages' terms are found in parallel and numbered in order, a batch at a time: the terms
        // of every page at once took 100 MB at 10,000 notes.
        let terms = &mut self.terms;
        let mut kept = kept.into_iter();
        let mut entries = Vec::with_capacity(docs.len());
        for batch in docs.chunks(256) {
            let made: Vec<(Entry, Option<Found>)> = kept
                .by_ref()
                .take(batch.len())
                .collect::<Vec<_>>()
                .into_par_iter()
                .zip(batch.par_iter())
                .map(|(kept, doc)| match kept {
                    Some(entry) => (entry, None),
                    None => {
                        let (entry, found) = found(doc, hasher);
                        (entry, Some(found))
                    }
                })
                .collect();
            for (mut entry, found) in made {
                if let Some(found) = found {
                    entry.postings = terms.number(&found);
                }
                entries.push(entry);
            }
        }
        self.docs = docs
            .iter()
            .zip(entries)
            .map(|(doc, entry)| (doc.path.clone(), entry))
            .collect();
        // Pages in order, and a page's sections in order, so each term's postings are appended
        // with addresses ascending, straight into its JSON: no list of every posting is made
        // (at 10,000 notes it was a transient 100 MB).
        let mut json: Vec<String> = vec![String::new(); terms.names.len()];
        for (d, (_, entry)) in self.docs.iter().enumerate() {
            let base = d as u64 * stride;
            for &(s, t, w) in &entry.postings {
                let json = &mut json[t as usize];
                if json.is_empty() {
                    *json = term_head(&terms.names[t as usize]);
                }
                push_posting(json, base + u64::from(s), w);
            }
        }
        json.par_iter_mut().for_each(String::shrink_to_fit);
        let mut sorted: Vec<u32> = (0u32..)
            .zip(&json)
            .filter(|(_, json)| !json.is_empty())
            .map(|(t, _)| t)
            .collect();
        let names = &terms.names;
        sorted.par_sort_unstable_by(|&a, &b| utf16_cmp(&names[a as usize], &names[b as usize]));
        self.sorted = sorted;
        self.words_hold = false;
        self.json = json;
        self.stride = stride;
        self.chunks.clear();
        self.pages.clear();
    }

    /// Replaces the postings that page `d` gave in `old` with those of its current entry, in
    /// the JSON of each term it held or holds. Addresses start with the page's number, so a
    /// page's postings are one run in each term's, found by a binary search of the JSON.
    fn patch(&mut self, d: usize, old: &[(u32, u32, u32)]) {
        self.json.resize_with(self.terms.names.len(), String::new);
        let (from, to) = (d as u64 * self.stride, (d as u64 + 1) * self.stride);
        let mut new: Vec<(u32, u64, u32)> = self.docs[d]
            .1
            .postings
            .iter()
            .map(|&(s, t, w)| (t, from + u64::from(s), w))
            .collect();
        new.sort_unstable();
        let mut held: Vec<u32> = old.iter().map(|p| p.1).chain(new.iter().map(|p| p.0)).collect();
        held.sort_unstable();
        held.dedup();
        let mut rest = &new[..];
        for t in held {
            let (ours, after) = rest.split_at(rest.partition_point(|p| p.0 == t));
            rest = after;
            let name = &self.terms.names[t as usize];
            let json = &mut self.json[t as usize];
            let was_held = !json.is_empty();
            let head = term_head(name);
            if !was_held {
                json.clone_from(&head);
            }
            let start = head.len() + find(&json[head.len()..], from);
            let end = start + find(&json[start..], to);
            let mut run = String::new();
            for &(_, address, weight) in ours {
                push_posting(&mut run, address, weight);
            }
            // Most terms of an edited page keep their postings: their chunks stay as they were.
            if json[start..end] == run {
                continue;
            }
            self.dirty.insert(t);
            json.replace_range(start..end, &run);
            if json.len() == head.len() {
                json.clear();
            }
            if was_held == json.is_empty() {
                let names = &self.terms.names;
                match self
                    .sorted
                    .binary_search_by(|&u| utf16_cmp(&names[u as usize], name))
                {
                    Ok(at) => {
                        self.sorted.remove(at);
                    }
                    Err(at) => self.sorted.insert(at, t),
                }
                // The word lists hold only some terms: most edits leave them as they were.
                if is_word(name) {
                    self.words_hold = false;
                }
            }
        }
    }

    /// The manifest, then every term chunk and every page's chunk. A term chunk is made again
    /// only when one of its terms changed or its bounds moved; the others are shared with the
    /// last build's.
    fn files(&mut self) -> Vec<(String, Arc<[u8]>)> {
        let ranges = self.layout();
        let mut manifest = String::from("window.FIGMARK_SEARCH = {\"stride\":");
        manifest.push_str(itoa::Buffer::new().format(self.stride));
        manifest.push_str(",\"docs\":");
        manifest.push_str(itoa::Buffer::new().format(self.docs.len()));
        manifest.push_str(",\"pages\":");
        manifest.push_str(itoa::Buffer::new().format(PAGES_PER_CHUNK));
        manifest.push_str(",\"chunks\":");
        let firsts: Vec<&str> = ranges
            .iter()
            .map(|r| self.terms.names[self.sorted[r.start] as usize].as_str())
            .collect();
        manifest.push_str(&json(&firsts));
        if !self.words_hold {
            self.words = self.word_lists();
            self.words_hold = true;
        }
        manifest.push_str(",\"words\":");
        manifest.push_str(&json(&self.words.firsts[0]));
        manifest.push_str(",\"backwards\":");
        manifest.push_str(&json(&self.words.firsts[1]));
        manifest.push_str("};\n");
        let dirty = self.dirty_chunks(&ranges);
        let made: Vec<(&[u32], Arc<[u8]>)> = ranges
            .into_par_iter()
            .zip(dirty)
            .map(|(range, dirty)| {
                let ids = &self.sorted[range];
                let last = *ids.last().expect("a chunk holds a term");
                let kept = self
                    .chunks
                    .get(&ids[0])
                    .filter(|&&(len, end, _)| !dirty && len == ids.len() && end == last);
                let bytes = match kept {
                    Some((_, _, bytes)) => Arc::clone(bytes),
                    None => self.chunk(ids),
                };
                (ids, bytes)
            })
            .collect();
        let mut files = Vec::with_capacity(1 + made.len() + self.docs.len());
        files.push((INDEX_FILE.to_string(), Arc::from(manifest.into_bytes())));
        let mut chunks = HashMap::with_capacity(made.len());
        for (i, (ids, bytes)) in made.into_iter().enumerate() {
            files.push((chunk_file('t', i), Arc::clone(&bytes)));
            let last = *ids.last().expect("a chunk holds a term");
            chunks.insert(ids[0], (ids.len(), last, bytes));
        }
        self.pages = self.page_chunks();
        for (i, (bytes, _)) in self.pages.iter().enumerate() {
            files.push((chunk_file('d', i), Arc::clone(bytes)));
        }
        files.extend(self.words.files.iter().cloned());
        self.chunks = chunks;
        self.dirty.clear();
        files
    }

    /// The page chunks: those of the last build whose pages did not change, the others made
    /// again.
    fn page_chunks(&self) -> Vec<(Arc<[u8]>, bool)> {
        self.docs
            .par_chunks(PAGES_PER_CHUNK)
            .enumerate()
            .map(|(i, docs)| match self.pages.get(i) {
                Some((bytes, false)) => (Arc::clone(bytes), false),
                _ => {
                    let mut out = b"figmarkSearch([".to_vec();
                    for (k, (_, entry)) in docs.iter().enumerate() {
                        if k > 0 {
                            out.push(b',');
                        }
                        out.extend_from_slice(&entry.chunk);
                    }
                    out.extend_from_slice(b"]);\n");
                    (Arc::from(out), false)
                }
            })
            .collect()
    }

    /// Whether each chunk of `ranges` holds a term whose JSON changed, found from the changed
    /// terms (each by a binary search of the names) rather than by looking up every term.
    fn dirty_chunks(&self, ranges: &[Range<usize>]) -> Vec<bool> {
        let mut dirty = vec![false; ranges.len()];
        let names = &self.terms.names;
        for &t in &self.dirty {
            let name = &names[t as usize];
            let Ok(at) = self
                .sorted
                .binary_search_by(|&u| utf16_cmp(&names[u as usize], name))
            else {
                continue;
            };
            let chunk = ranges.partition_point(|r| r.end <= at);
            dirty[chunk] = true;
        }
        dirty
    }

    /// The term chunks, as ranges of `sorted`, about [`CHUNK_BYTES`] of kept JSON each (see
    /// [`bounds`]).
    fn layout(&self) -> Vec<Range<usize>> {
        let names: Vec<&str> = self
            .sorted
            .iter()
            .map(|&t| self.terms.names[t as usize].as_str())
            .collect();
        let sizes: Vec<usize> = self.sorted.iter().map(|&t| self.json[t as usize].len()).collect();
        bounds(&names, &sizes, CHUNK_BYTES, CHUNK_MAX)
    }

    /// The two word lists of typo tolerance (see the module comment): the terms [`is_word`]
    /// takes, in order, and the same spelt backwards, in the order of that spelling. A chunk
    /// whose bytes the last build made too is shared.
    fn word_lists(&self) -> WordLists {
        let words: Vec<&str> = self
            .sorted
            .iter()
            .map(|&t| self.terms.names[t as usize].as_str())
            .filter(|name| is_word(name))
            .collect();
        let mut backwards: Vec<String> = words.iter().map(|w| w.chars().rev().collect()).collect();
        backwards.par_sort_unstable_by(|a, b| utf16_cmp(a, b));
        let backwards: Vec<&str> = backwards.iter().map(String::as_str).collect();
        let last: HashMap<&[u8], &Arc<[u8]>> = self.words.files.iter().map(|(_, b)| (&b[..], b)).collect();
        let mut lists = WordLists::default();
        for (k, (letter, list)) in [('w', &words), ('b', &backwards)].into_iter().enumerate() {
            let sizes: Vec<usize> = list.iter().map(|w| w.len() + 3).collect();
            for (i, range) in bounds(list, &sizes, WORDS_BYTES, WORDS_MAX)
                .into_iter()
                .enumerate()
            {
                lists.firsts[k].push(list[range.start].to_string());
                let made = format!("figmarkSearch({});\n", json(&list[range]));
                let bytes = match last.get(made.as_bytes()) {
                    Some(&bytes) => Arc::clone(bytes),
                    None => Arc::from(made.into_bytes()),
                };
                lists.files.push((chunk_file(letter, i), bytes));
            }
        }
        lists
    }

    /// A term chunk: `figmarkSearch({"term":[address,-weight?,…],…});`, each address after a
    /// term's first written as its distance from the one before (`search.js` adds them up),
    /// which takes about half the digits.
    fn chunk(&self, ids: &[u32]) -> Arc<[u8]> {
        let mut out = String::from("figmarkSearch({");
        for (i, &t) in ids.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            let json = &self.json[t as usize];
            let head = term_head(&self.terms.names[t as usize]).len();
            out.push_str(&json[..head]);
            let mut last = 0;
            let mut number = itoa::Buffer::new();
            for posting in json[head..].split_terminator(',') {
                if posting.starts_with('-') {
                    out.push_str(posting);
                } else {
                    let address: u64 = posting.parse().expect("an address");
                    out.push_str(number.format(address - last));
                    last = address;
                }
                out.push(',');
            }
            out.pop();
            out.push(']');
        }
        out.push_str("});\n");
        Arc::from(out.into_bytes())
    }
}

/// The word lists' chunk files, and the first word of each chunk of each list for the manifest.
#[derive(Default)]
struct WordLists {
    firsts: [Vec<String>; 2],
    files: Vec<(String, Arc<[u8]>)>,
}

/// Whether a term is in the word lists: letters only, none of them CJK, at least [`WORD_MIN`].
fn is_word(term: &str) -> bool {
    term.chars().count() >= WORD_MIN && term.chars().all(|c| c.is_alphabetic() && !is_cjk(c))
}

/// Chunks of a sorted list whose items have `sizes` in bytes, as ranges. A chunk ends before a
/// name whose hash is a multiple of `every` (a power of two chosen so that chunks hold about
/// `target` bytes), or before an item that would take it past `max`. The bounds depend on the
/// names around them, not on a count from the start, so an item added or removed moves the
/// bounds of its own chunk only.
fn bounds(names: &[&str], sizes: &[usize], target: usize, max: usize) -> Vec<Range<usize>> {
    let per_item = sizes.iter().sum::<usize>() / sizes.len().max(1) + 1;
    let every = (target / per_item).max(1).next_power_of_two() as u64;
    let mut ranges = Vec::new();
    let (mut start, mut bytes) = (0, 0);
    for (i, (name, &size)) in names.iter().zip(sizes).enumerate() {
        if i > start && (fnv(name) & (every - 1) == 0 || bytes + size > max) {
            ranges.push(start..i);
            (start, bytes) = (i, 0);
        }
        bytes += size;
    }
    if start < sizes.len() {
        ranges.push(start..sizes.len());
    }
    ranges
}

/// The path of chunk `i` of kind `letter`: `search-index/d12.js`. Put together by hand: a
/// rebuild at 10,000 notes names 10,000 page chunks, and `format!` took most of their cost.
fn chunk_file(letter: char, i: usize) -> String {
    let mut number = itoa::Buffer::new();
    let number = number.format(i);
    let mut path = String::with_capacity(CHUNK_DIR.len() + number.len() + 5);
    path.push_str(CHUNK_DIR);
    path.push('/');
    path.push(letter);
    path.push_str(number);
    path.push_str(".js");
    path
}

/// FNV-1a: a hash that is the same on every build and machine, for chunk bounds.
fn fnv(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Strings in JavaScript's order (UTF-16 code units), so that `search.js` can binary-search the
/// manifest's terms; it differs from Rust's above U+FFFF.
fn utf16_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    if a.is_ascii() && b.is_ascii() {
        return a.cmp(b);
    }
    a.encode_utf16().cmp(b.encode_utf16())
}

/// The JSON of a term, `"term":[address,-weight?,…]`, is kept as `"term":[address,-weight?,…,`:
/// each posting followed by a comma (the last one written as `]`), so that a run of postings
/// has a text of its own. This is the part before the postings.
fn term_head(name: &str) -> String {
    json(name) + ":["
}

/// Appends a posting: its address and, when its weight is not 1, `-weight`, each followed by a
/// comma.
fn push_posting(out: &mut String, address: u64, weight: u32) {
    let mut number = itoa::Buffer::new();
    out.push_str(number.format(address));
    out.push(',');
    if weight != 1 {
        out.push('-');
        out.push_str(number.format(weight));
        out.push(',');
    }
}

/// The offset in `postings` (written by [`push_posting`]) of the first posting whose address is
/// `address` or more, or its length when there is none: a binary search over the bytes, which
/// reads the posting that starts at or after the middle of the range.
fn find(postings: &str, address: u64) -> usize {
    let text = postings.as_bytes();
    // A posting starts at 0 and after every comma not followed by `-` (a weight).
    let starts_at = |i: usize| i == 0 || (text[i - 1] == b',' && text.get(i) != Some(&b'-'));
    // Every posting before `lo` has a smaller address, every one from `hi` on not.
    let (mut lo, mut hi) = (0, text.len());
    while lo < hi {
        let mid = (lo + (hi - lo) / 2..hi).find(|&i| starts_at(i)).unwrap_or(lo);
        let digits = text[mid..]
            .iter()
            .position(|&b| b == b',')
            .expect("a comma ends a posting");
        let found: u64 = postings[mid..mid + digits].parse().expect("an address");
        if found < address {
            lo = (mid + digits + 1..=text.len())
                .find(|&i| starts_at(i))
                .expect("the end is a start");
        } else {
            hi = mid;
        }
    }
    lo
}

fn json<T: serde::Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).expect("the index holds only strings and numbers")
}

fn docs<'a>(site: &'a Site, rendered: &'a [Arc<Rendered>], render_keys: &[u64]) -> Vec<Doc<'a>> {
    site.reading_order
        .iter()
        .map(|&i| {
            let page = &site.pages[i];
            Doc {
                title: &page.meta.title,
                path: page.output_path(),
                summary: &page.meta.summary,
                sections: Sections::Of(&rendered[i]),
                made_from: Some(render_keys[i]),
            }
        })
        .collect()
}

/// A page's terms: each term once, and per section, its terms (by place in `terms`) with their
/// weights. Putting the page's terms in one list first makes them fewer to number for the site,
/// which is done one page after another.
struct Found<'a> {
    terms: Vec<Cow<'a, str>>,
    sections: Vec<Vec<(u32, u32)>>,
}

/// One page's entry, but for its postings, and its terms, section by section.
fn found<'a>(doc: &Doc<'a>, hasher: &ahash::RandomState) -> (Entry, Found<'a>) {
    let mut distinct: HashMap<Cow<'a, str>, u32, ahash::RandomState> = HashMap::default();
    let listed = doc.sections.list();
    let mut shown = Vec::with_capacity(listed.len());
    let sections = listed
        .iter()
        .enumerate()
        .map(|(s, &(anchor, heading, text))| {
            // Snippets show the section's text with whitespace collapsed, after the page's
            // summary for the first section. Whitespace separates tokens, so the tokens are
            // those of the summary and the text as they are.
            let summary = if s == 0 { doc.summary } else { "" };
            let words: Vec<&str> = summary
                .split_whitespace()
                .chain(text.split_whitespace())
                .collect();
            shown.push((anchor, heading, words.join(" ")));
            let mut weights: HashMap<Cow<'a, str>, u32, ahash::RandomState> = HashMap::default();
            for t in index_tokens(summary).into_iter().chain(index_tokens(text)) {
                let w = weights.entry(t).or_default();
                *w = (*w + 1).min(BODY_CAP);
            }
            let mut boost = |field, weight: u32| {
                let mut seen = index_tokens(field);
                seen.sort();
                seen.dedup();
                for t in seen {
                    *weights.entry(t).or_default() += weight;
                }
            };
            if s == 0 {
                boost(doc.title, TITLE);
            }
            boost(heading, HEADING);
            let weights = weights.into_iter().map(|(term, w)| {
                let next = u32::try_from(distinct.len()).expect("fewer than 4 billion terms");
                (*distinct.entry(term).or_insert(next), w)
            });
            weights.collect()
        })
        .collect();
    let mut terms = vec![Cow::Borrowed(""); distinct.len()];
    for (term, t) in distinct {
        terms[t as usize] = term;
    }
    let chunk = json(&(doc.title, &doc.path, shown));
    let entry = Entry {
        key: doc.key(hasher),
        chunk: Arc::from(chunk.into_bytes()),
        postings: Vec::new(),
    };
    (entry, Found { terms, sections })
}

/// CJK scripts written without spaces: Han, kana, Hangul syllables, and CJK symbols' neighbours.
fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3040}'..='\u{30ff}'
        | '\u{3400}'..='\u{4dbf}'
        | '\u{4e00}'..='\u{9fff}'
        | '\u{ac00}'..='\u{d7af}'
        | '\u{f900}'..='\u{faff}'
        | '\u{20000}'..='\u{2ffff}')
}

/// The tokens of `text` in order, repeats kept: per CJK run its bigrams (or its one character),
/// per other run of letters and digits the word, each character lowercased. `static/search.js`
/// mirrors this for queries (so only the tests here make them in Rust). A token borrows from
/// `text` unless lowercasing changed it.
#[cfg(test)]
fn tokens(text: &str) -> Vec<Cow<'_, str>> {
    tokens_of(text, false)
}

/// The tokens a page is indexed by: [`tokens`], and also the last character of each CJK run
/// longer than one. A query of one character then finds every place it stands as a prefix of
/// some term (each other character of a run starts a bigram), in the chunks where that prefix
/// sorts, rather than by a scan of every term.
fn index_tokens(text: &str) -> Vec<Cow<'_, str>> {
    tokens_of(text, true)
}

fn tokens_of(text: &str, run_ends: bool) -> Vec<Cow<'_, str>> {
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        let mut end = start + c.len_utf8();
        if is_cjk(c) {
            let mut last = start;
            while let Some(&(at, c)) = chars.peek().filter(|&&(_, c)| is_cjk(c)) {
                chars.next();
                end = at + c.len_utf8();
                out.push(Cow::Borrowed(&text[last..end]));
                last = at;
            }
            if last == start || run_ends {
                out.push(Cow::Borrowed(&text[last..end]));
            }
        } else if c.is_alphanumeric() {
            let mut times = false;
            while let Some(&(at, c)) = chars.peek() {
                if is_times(c) && between_digits(text, at, c) {
                    times = true;
                } else if !c.is_alphanumeric() || is_cjk(c) {
                    break;
                }
                chars.next();
                end = at + c.len_utf8();
            }
            let word = lowercase(&text[start..end]);
            out.push(if times {
                Cow::Owned(word.replace(is_times, "x"))
            } else {
                word
            });
        }
    }
    out
}

/// The signs read as "by" between two numbers: `1×1`, `3*3` and `1x1` are one word, `1x1`,
/// so that a reader who types an `x` finds the notes written with `×` (and `X`, lowercased).
fn is_times(c: char) -> bool {
    matches!(c, '×' | '*')
}

/// Whether the character `c` at byte `at` of `text` stands between two ASCII digits.
fn between_digits(text: &str, at: usize, c: char) -> bool {
    text[..at].ends_with(|p: char| p.is_ascii_digit())
        && text[at + c.len_utf8()..].starts_with(|n: char| n.is_ascii_digit())
}

/// Each character lowercased on its own, as `toLowerCase` of one character in `search.js`.
fn lowercase(word: &str) -> Cow<'_, str> {
    let unchanged = |c: char| {
        let mut lower = c.to_lowercase();
        lower.next() == Some(c) && lower.next().is_none()
    };
    if word.chars().all(unchanged) {
        Cow::Borrowed(word)
    } else {
        Cow::Owned(word.chars().flat_map(char::to_lowercase).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mixed_chinese_and_english() {
        assert_eq!(
            tokens("感受野（Receptive field）的3x3卷积, SGD"),
            ["感受", "受野", "receptive", "field", "的", "3x3", "卷积", "sgd"]
        );
        assert_eq!(tokens("momentum_sgd(x)"), ["momentum", "sgd", "x"]);
        for by in ["1×1", "1x1", "1X1", "1*1"] {
            assert_eq!(tokens(&format!("{by} 卷积")), ["1x1", "卷积"], "{by}");
        }
        assert_eq!(
            tokens("3×3×3, a×1, 2×, ×4, 2 × 2"),
            ["3x3x3", "a", "1", "2", "4", "2", "2"]
        );
        assert_eq!(tokens("动量法"), ["动量", "量法"]);
        assert_eq!(tokens("是 Adam 的改进"), ["是", "adam", "的改", "改进"]);
        assert!(tokens("，。 ——").is_empty());
    }

    #[test]
    fn pages_are_indexed_by_the_last_character_of_each_run_too() {
        assert_eq!(
            index_tokens("感受野, 卷积 和 SGD"),
            ["感受", "受野", "野", "卷积", "积", "和", "sgd"]
        );
    }

    /// The tokenizer as first written, a character at a time into owned strings: [`tokens`]
    /// (`run_ends` false) and [`index_tokens`] (true) must find the same tokens.
    fn tokens_by_char(text: &str, run_ends: bool) -> Vec<String> {
        let mut out = Vec::new();
        let mut word = String::new();
        let mut run: Vec<char> = Vec::new();
        let flush_run = |run: &mut Vec<char>, out: &mut Vec<String>| {
            match run.as_slice() {
                [] => {}
                [c] => out.push(c.to_string()),
                [.., last] => {
                    out.extend(run.windows(2).map(|w| w.iter().collect::<String>()));
                    if run_ends {
                        out.push(last.to_string());
                    }
                }
            }
            run.clear();
        };
        let flush_word = |word: &mut String, out: &mut Vec<String>| {
            if !word.is_empty() {
                out.push(std::mem::take(word));
            }
        };
        let chars: Vec<char> = text.chars().collect();
        for (i, &c) in chars.iter().enumerate() {
            let digit = |j: Option<usize>| j.and_then(|j| chars.get(j)).is_some_and(char::is_ascii_digit);
            if is_cjk(c) {
                flush_word(&mut word, &mut out);
                run.push(c);
            } else if matches!(c, '×' | '*')
                && !word.is_empty()
                && digit(i.checked_sub(1))
                && digit(Some(i + 1))
            {
                word.push('x');
            } else if c.is_alphanumeric() {
                flush_run(&mut run, &mut out);
                word.extend(c.to_lowercase());
            } else {
                flush_word(&mut word, &mut out);
                flush_run(&mut run, &mut out);
            }
        }
        flush_word(&mut word, &mut out);
        flush_run(&mut run, &mut out);
        out
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        #[test]
        fn tokens_are_those_found_a_character_at_a_time(
            picked in proptest::collection::vec(proptest::sample::select(&[
                "a", "Z", "7", "_", " ", "\n", "，", "-", "感", "受", "野", "カ", "한", "\u{20000}", "\u{f900}",
                "Σ", "ς", "İ", "ß", "Ǆ", "Ａ", "\u{301}", "é", "Ⅻ", "²", "×", "*", "x",
            ][..]), 0..24),
            any in ".{0,16}",
        ) {
            for text in [picked.concat(), any] {
                let found: Vec<String> = tokens(&text).into_iter().map(Cow::into_owned).collect();
                proptest::prop_assert_eq!(found, tokens_by_char(&text, false), "{:?}", text);
                let found: Vec<String> = index_tokens(&text).into_iter().map(Cow::into_owned).collect();
                proptest::prop_assert_eq!(found, tokens_by_char(&text, true), "{:?}", text);
            }
        }
    }

    /// The index of `docs` made in a plain way, independent of [`Cache`] and [`found`]: each
    /// section's text and weights as first written, every term's postings from scratch, as one
    /// JSON value `{stride, docs, terms}` with absolute addresses.
    fn plain(docs: &[Doc]) -> serde_json::Value {
        /// Title, path, and per section anchor, heading and text.
        type Shown<'a> = (&'a str, &'a str, Vec<(&'a str, &'a str, String)>);
        #[derive(serde::Serialize)]
        struct Index<'a> {
            stride: u64,
            docs: Vec<Shown<'a>>,
            terms: std::collections::BTreeMap<String, Vec<i64>>,
        }
        let most = docs.iter().map(|d| d.sections.len()).max().unwrap_or(0);
        let stride = (most as u64).next_power_of_two();
        let mut index = Index {
            stride,
            docs: Vec::new(),
            terms: Default::default(),
        };
        for (d, doc) in docs.iter().enumerate() {
            let mut sections = Vec::new();
            for (s, &(anchor, heading, text)) in doc.sections.list().iter().enumerate() {
                let text = if s == 0 && !doc.summary.is_empty() {
                    format!("{} {text}", doc.summary)
                } else {
                    text.to_string()
                };
                let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
                let mut weights: std::collections::BTreeMap<String, u32> = Default::default();
                for t in tokens_by_char(&text, true) {
                    let w = weights.entry(t).or_default();
                    *w = (*w + 1).min(BODY_CAP);
                }
                let mut boost = |field: &str, weight: u32| {
                    let seen: std::collections::BTreeSet<String> =
                        tokens_by_char(field, true).into_iter().collect();
                    for t in seen {
                        *weights.entry(t).or_default() += weight;
                    }
                };
                if s == 0 {
                    boost(doc.title, TITLE);
                }
                boost(heading, HEADING);
                let at = (d as u64 * stride + s as u64) as i64;
                for (term, w) in weights {
                    let list = index.terms.entry(term).or_default();
                    list.push(at);
                    if w != 1 {
                        list.push(-i64::from(w));
                    }
                }
                sections.push((anchor, heading, text));
            }
            index.docs.push((doc.title, &doc.path, sections));
        }
        let mut value = serde_json::to_value(&index).unwrap();
        let mut words: Vec<&String> = index.terms.keys().filter(|t| is_word(t)).collect();
        words.sort_by(|a, b| utf16_cmp(a, b));
        let mut backwards: Vec<String> = words.iter().map(|w| w.chars().rev().collect()).collect();
        backwards.sort_by(|a, b| utf16_cmp(a, b));
        value["words"] = serde_json::json!(words);
        value["backwards"] = serde_json::json!(backwards);
        value
    }

    /// The JSON a script passes to its one call, `prefix(json);`.
    fn call(script: &[u8], prefix: &str) -> serde_json::Value {
        let script = std::str::from_utf8(script).unwrap();
        let json = script.strip_prefix(prefix).unwrap().strip_suffix(";\n").unwrap();
        serde_json::from_str(json.strip_suffix(')').unwrap_or(json)).unwrap()
    }

    /// The chunked index put back together as [`plain`] makes it, reading the files as
    /// `static/search.js` does: the manifest, each term chunk where the manifest says its terms
    /// start (distances added up), each page's chunk by its number.
    fn assemble(files: &[(String, Arc<[u8]>)]) -> serde_json::Value {
        let file = |name: &str| {
            &files
                .iter()
                .find(|(path, _)| path == name)
                .unwrap_or_else(|| panic!("{name}"))
                .1
        };
        let manifest = call(file(INDEX_FILE), "window.FIGMARK_SEARCH = ");
        let firsts: Vec<String> = serde_json::from_value(manifest["chunks"].clone()).unwrap();
        let mut terms = serde_json::Map::new();
        let mut last: Option<String> = None;
        for (i, first) in firsts.iter().enumerate() {
            let chunk = call(file(&format!("{CHUNK_DIR}/t{i}.js")), "figmarkSearch(");
            let chunk = chunk.as_object().unwrap();
            assert_eq!(
                chunk.keys().next(),
                Some(first),
                "chunk {i} starts where the manifest says"
            );
            for (term, postings) in chunk {
                let next = firsts.get(i + 1);
                assert!(
                    next.is_none_or(|n| utf16_cmp(term, n).is_lt()),
                    "{term} sorts before chunk {}",
                    i + 1
                );
                assert!(
                    last.as_ref().is_none_or(|l| utf16_cmp(l, term).is_lt()),
                    "{term} in order"
                );
                last = Some(term.clone());
                let mut at = 0;
                let absolute: Vec<i64> = serde_json::from_value::<Vec<i64>>(postings.clone())
                    .unwrap()
                    .into_iter()
                    .map(|p| {
                        if p < 0 {
                            p
                        } else {
                            at += p;
                            at
                        }
                    })
                    .collect();
                terms.insert(term.clone(), absolute.into());
            }
        }
        let per_chunk = manifest["pages"].as_u64().unwrap();
        let page_chunks = manifest["docs"].as_u64().unwrap().div_ceil(per_chunk);
        let docs: Vec<serde_json::Value> = (0..page_chunks)
            .flat_map(|i| {
                let chunk = call(file(&format!("{CHUNK_DIR}/d{i}.js")), "figmarkSearch(");
                let pages = chunk.as_array().unwrap().clone();
                assert!(
                    pages.len() as u64 <= per_chunk,
                    "chunk {i} holds {} pages",
                    pages.len()
                );
                pages
            })
            .collect();
        assert_eq!(docs.len() as u64, manifest["docs"].as_u64().unwrap());
        let (mut lists, mut list_chunks) = (Vec::new(), 0);
        for (key, letter) in [("words", 'w'), ("backwards", 'b')] {
            let firsts: Vec<String> = serde_json::from_value(manifest[key].clone()).unwrap();
            list_chunks += firsts.len();
            let mut list: Vec<String> = Vec::new();
            for (i, first) in firsts.iter().enumerate() {
                let chunk = call(file(&format!("{CHUNK_DIR}/{letter}{i}.js")), "figmarkSearch(");
                let chunk: Vec<String> = serde_json::from_value(chunk).unwrap();
                assert_eq!(
                    chunk.first(),
                    Some(first),
                    "{key} chunk {i} starts where the manifest says"
                );
                list.extend(chunk);
            }
            lists.push(list);
        }
        assert_eq!(
            files.len(),
            1 + firsts.len() + page_chunks as usize + list_chunks,
            "no other file"
        );
        serde_json::json!({"stride": manifest["stride"], "docs": docs, "terms": terms,
            "words": lists[0], "backwards": lists[1]})
    }

    /// Decodes one posting the way `static/search.js` does.
    fn weight(index: &serde_json::Value, term: &str, address: i64) -> i64 {
        let postings: Vec<i64> = serde_json::from_value(index["terms"][term].clone()).unwrap();
        let at = postings.iter().position(|&p| p == address).expect("a posting");
        match postings.get(at + 1) {
            Some(&w) if w < 0 => -w,
            _ => 1,
        }
    }

    fn full(docs: &[Doc]) -> Vec<(String, Arc<[u8]>)> {
        let mut cache = Cache::default();
        assert_eq!(update(docs, &mut cache), Update::Rebuilt);
        cache.files()
    }

    #[test]
    fn title_outranks_heading_outranks_body() {
        let body = "动量".repeat(50);
        let docs = [
            Doc {
                title: "词在正文",
                path: "a.html".into(),
                summary: "",
                sections: Sections::Listed(vec![("", "", &body)]),
                made_from: None,
            },
            Doc {
                title: "词在小标题",
                path: "b.html".into(),
                summary: "",
                sections: Sections::Listed(vec![("", "", ""), ("dong-liang", "动量", "")]),
                made_from: None,
            },
            Doc {
                title: "动量法",
                path: "c.html".into(),
                summary: "一句话。",
                sections: Sections::Listed(vec![("", "", "")]),
                made_from: None,
            },
        ];
        let index = assemble(&full(&docs));
        assert_eq!(index, plain(&docs));
        assert_eq!(index["stride"], 2, "two sections at most");
        let body_w = weight(&index, "动量", 0);
        let heading_w = weight(&index, "动量", 3);
        let title_w = weight(&index, "动量", 4);
        assert_eq!(body_w, i64::from(BODY_CAP));
        assert_eq!(
            index["terms"]["动量"],
            serde_json::json!([0, -9, 3, -10, 4, -100])
        );
        assert_eq!(
            index["terms"]["句话"],
            serde_json::json!([4]),
            "weight 1 is left out"
        );
        assert!(
            title_w > heading_w && heading_w > body_w,
            "{title_w} {heading_w} {body_w}"
        );
        const { assert!(TITLE > HEADING + BODY_CAP && HEADING > BODY_CAP) };
        assert_eq!(
            index["docs"][2],
            serde_json::json!(["动量法", "c.html", [["", "", "一句话。"]]])
        );
        assert_eq!(
            index["docs"][1][2][1],
            serde_json::json!(["dong-liang", "动量", ""])
        );
    }

    #[test]
    fn find_a_posting_in_the_json() {
        let postings: Vec<(u64, u32)> = (0..150u64)
            .filter(|a| a % 3 != 1)
            .map(|a| (a * a, if a % 4 == 0 { 1 } else { (a % 120) as u32 + 2 }))
            .collect();
        let mut text = String::new();
        let mut starts = Vec::new();
        for &(address, weight) in &postings {
            starts.push(text.len());
            push_posting(&mut text, address, weight);
        }
        assert!(text.starts_with("0,4,-4,9,-5,25,-7,"), "{}", &text[..20]);
        for address in 0..150 * 150 + 2 {
            let first = postings.partition_point(|p| p.0 < address);
            let expected = starts.get(first).copied().unwrap_or(text.len());
            assert_eq!(find(&text, address), expected, "address {address}");
        }
        assert_eq!(find("", 5), 0);
    }

    /// A page as a test edits it.
    #[derive(Clone)]
    struct Page {
        title: String,
        path: String,
        summary: String,
        sections: Vec<(String, String, String)>,
    }

    fn page(name: &str, sections: &[(&str, &str)]) -> Page {
        Page {
            title: format!("{name} 的标题"),
            path: format!("{name}.html"),
            summary: format!("{name} 摘要"),
            sections: sections
                .iter()
                .map(|&(heading, text)| (heading.to_lowercase(), heading.into(), text.into()))
                .collect(),
        }
    }

    fn as_docs(pages: &[Page]) -> Vec<Doc<'_>> {
        pages
            .iter()
            .map(|p| Doc {
                title: &p.title,
                path: p.path.clone(),
                summary: &p.summary,
                sections: Sections::Listed(
                    p.sections
                        .iter()
                        .map(|(a, h, t)| (a.as_str(), h.as_str(), t.as_str()))
                        .collect(),
                ),
                made_from: None,
            })
            .collect()
    }

    /// Edits go through one cache, as in `figmark serve`; after each, the index equals a full
    /// build's and the plain one, and the cache patched only when the pages and stride stayed.
    #[test]
    fn incremental_updates_equal_full_builds() {
        type Edit = fn(&mut Vec<Page>);
        let edits: [(&str, Edit, Update); 13] = [
            ("nothing", |_| {}, Update::Patched(0)),
            (
                "text",
                |p| p[1].sections[1].2 = "动量 momentum 全新的词 fresh".into(),
                Update::Patched(1),
            ),
            (
                "a heading added",
                |p| {
                    p[0].sections
                        .push(("新节".into(), "新节".into(), "正文 text".into()))
                },
                Update::Patched(1),
            ),
            (
                "a heading removed",
                |p| _ = p[2].sections.pop(),
                Update::Patched(1),
            ),
            (
                "a title",
                |p| p[3].title = "动量 改名 renamed".into(),
                Update::Patched(1),
            ),
            (
                "two pages",
                |p| {
                    p[0].summary = "换了摘要".into();
                    p[3].sections[0].2 = String::new();
                },
                Update::Patched(2),
            ),
            (
                "a page's only term gone",
                |p| p[1].sections[1].2 = "动量".into(),
                Update::Patched(1),
            ),
            (
                "stride passes a power of two",
                |p| {
                    p[2].sections
                        .extend((0..3).map(|i| (format!("h{i}"), format!("H{i}"), format!("第{i}段 part"))));
                },
                Update::Rebuilt,
            ),
            (
                "a page added",
                |p| p.insert(1, page("new", &[("", "新页 新页 new"), ("Adam", "自适应 adam")])),
                Update::Rebuilt,
            ),
            ("a page removed", |p| _ = p.remove(3), Update::Rebuilt),
            ("pages reordered", |p| p.swap(0, 2), Update::Rebuilt),
            (
                "text after reordering",
                |p| p[0].sections[0].2.push_str(" 又改了 again"),
                Update::Patched(1),
            ),
            (
                "headings dropped to one section",
                |p| p[0].sections.truncate(1),
                Update::Patched(1),
            ),
        ];
        let mut pages = vec![
            page(
                "a",
                &[
                    ("", "卷积  convolution\n\t动量 "),
                    ("Stride", "步长 stride"),
                    ("Padding", "填充"),
                ],
            ),
            page(
                "b",
                &[("", "梯度 gradient"), ("Momentum", "动量法 momentum only_b")],
            ),
            page(
                "c",
                &[("", ""), ("Adam", "adam 优化器"), ("动量", "动量 动量 动量")],
            ),
            page("d", &[("", "正则化 dropout")]),
        ];
        let mut cache = Cache::default();
        assert_eq!(update(&as_docs(&pages), &mut cache), Update::Rebuilt);
        for (what, edit, how) in edits {
            edit(&mut pages);
            let docs = as_docs(&pages);
            assert_eq!(update(&docs, &mut cache), how, "{what}");
            let files = cache.files();
            assert!(files == full(&docs), "{what}: incremental differs from full");
            assert!(
                assemble(&files) == plain(&docs),
                "{what}: differs from the plain index"
            );
        }
        let index = assemble(&cache.files());
        for gone in ["only", "fresh", "全新"] {
            assert!(
                index["terms"].get(gone).is_none(),
                "{gone}: no page holds it any more"
            );
        }
        assert!(index["terms"].get("again").is_some());
    }

    /// After an edit to one page, only that page's chunk and the term chunks holding a term it
    /// gained or lost are made again; every other file is the last build's, shared.
    #[test]
    fn an_edit_makes_again_only_the_chunks_it_changed() {
        let mut pages: Vec<Page> = (0..400)
            .map(|i| {
                let words: String = (0..40).map(|k| format!("w{}x{} ", i * 7 + k, k % 9)).collect();
                page(&format!("p{i}"), &[("", &words), ("Part", "共同的 text")])
            })
            .collect();
        let mut cache = Cache::default();
        update(&as_docs(&pages), &mut cache);
        let before = cache.files();
        pages[123].sections[1].2 = "全新 brandnew text".into();
        assert_eq!(update(&as_docs(&pages), &mut cache), Update::Patched(1));
        let after = cache.files();
        assert!(after == full(&as_docs(&pages)));
        let remade: Vec<&str> = after
            .iter()
            .filter(|(path, bytes)| !before.iter().any(|(p, b)| p == path && Arc::ptr_eq(b, bytes)))
            .map(|(path, _)| path.as_str())
            .collect();
        let terms = after.iter().filter(|(p, _)| p.contains("/t")).count();
        assert!(terms > 5, "{terms} term chunks");
        // 共同 and 同的 lost a posting, 全新, 新 and brandnew gained one; the manifest may hold
        // a new first term; brandnew joins a chunk of each word list.
        assert!(
            remade.contains(&"search-index/d30.js"),
            "page 123 is in chunk 30: {remade:?}"
        );
        assert!(remade.len() <= 8, "{remade:?} of {terms} term chunks");
        let lists = remade
            .iter()
            .filter(|p| p.contains("/w") || p.contains("/b"))
            .count();
        assert!(lists <= 2, "{remade:?}");
    }

    /// The notes' index, measured against their markdown: postings for bigrams cost about as
    /// much as the text kept for snippets, so it stays well under three times the markdown.
    #[test]
    fn index_of_the_notes_stays_small() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let plan = crate::build::plan(root, &mut Default::default()).expect("the notes build");
        let size: u64 = plan
            .files
            .iter()
            .filter(|(path, _)| *path == INDEX_FILE || path.starts_with(&format!("{CHUNK_DIR}/")))
            .map(|(_, contents)| match contents {
                crate::output::Contents::Bytes(bytes) => bytes.len() as u64,
                _ => panic!("the index is generated"),
            })
            .sum();
        let markdown: u64 = walkdir::WalkDir::new(root.join(crate::content::CONTENT_DIR))
            .into_iter()
            .flatten()
            .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
            .map(|e| e.metadata().map_or(0, |m| m.len()))
            .sum();
        assert!(
            size < 3 * markdown,
            "index {size} bytes for {markdown} bytes of markdown"
        );
    }
}
