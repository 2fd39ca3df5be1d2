//! Search index stage: after links, turns every page's title, summary and per-heading text into
//! an inverted index shipped as a script (`search-index.js`), since browsers refuse `fetch()`
//! of local files. `static/search.js` tokenizes the query the same way and ranks the sections.
//!
//! **Tokens.** Chinese is written without spaces, so a run of CJK characters is indexed by its
//! overlapping character bigrams (感受野 → 感受, 受野), or by the character itself when the run
//! is one character long. Bigrams need no dictionary, never miss a word that a segmenter would
//! cut wrongly, and requiring all of a query's bigrams ranks real phrase hits well on notes
//! this size. A one-character query matches every term that contains the character (the
//! script scans the term list), so single characters need no postings of their own, which
//! keeps the index about a quarter smaller. Any other run of letters and digits is a word,
//! lowercased; everything else separates tokens.
//!
//! **Shape.** `docs` is `[title, output path]` per page; `sections` is
//! `[doc, anchor, heading, text]` per part of a page under one heading (the part before the
//! first heading has anchor `""` and the page's summary in front of its text); `terms` maps
//! each token to its postings: section ids ascending, each followed by `-weight` when its weight
//! is not 1 (three postings in four have weight 1), e.g. `[0, 3, -12, 17]`.
//! Every map is sorted, so the file is byte-identical on rebuild.
//!
//! **Weights.** A term's weight in a section is `TITLE` if it is in the page title (first
//! section only), plus `HEADING` if it is in the section's heading, plus its count in the text
//! capped at `BODY_CAP`. `TITLE > HEADING + BODY_CAP` and `HEADING > BODY_CAP`, so for any one
//! term a title hit outranks a heading hit, which outranks any number of body hits. A query's
//! score for a section is the sum of its terms' weights; only the sections holding the most of
//! the query's terms are shown (all of them, when any section has all).

use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;
use serde::Serialize;

use crate::content::Site;
use crate::markdown::Rendered;

/// Where the index is written, relative to the output root.
pub const INDEX_FILE: &str = "search-index.js";

pub const TITLE: u32 = 100;
pub const HEADING: u32 = 10;
pub const BODY_CAP: u32 = 9;

/// One page as the index sees it.
#[derive(Hash)]
pub struct Doc<'a> {
    pub title: &'a str,
    pub path: String,
    pub summary: &'a str,
    /// `(anchor, heading, text)`; the first one is the part before any heading.
    pub sections: Vec<(&'a str, &'a str, &'a str)>,
}

#[derive(Debug, Serialize)]
pub struct Index<'a> {
    docs: Vec<(&'a str, String)>,
    sections: Vec<(usize, &'a str, &'a str, &'a str)>,
    terms: BTreeMap<&'a str, Vec<i64>>,
}

/// One page's share of the index, which depends on that page alone: per section of the page,
/// its text (whitespace collapsed) and its terms (by number in [`Terms`]) with their weights.
#[derive(Debug, Default)]
pub struct DocTerms {
    sections: Vec<(String, Vec<(u32, u32)>)>,
}

/// Every term by number, so that putting the pages' terms together compares no strings.
#[derive(Default)]
pub struct Terms {
    names: Vec<String>,
    ids: HashMap<String, u32, ahash::RandomState>,
}

impl Terms {
    fn id(&mut self, term: String) -> u32 {
        if let Some(&id) = self.ids.get(&term) {
            return id;
        }
        let id = u32::try_from(self.names.len()).expect("fewer than 4 billion terms");
        self.names.push(term.clone());
        self.ids.insert(term, id);
        id
    }
}

/// What earlier builds indexed, kept by `figmark serve`: a page's terms are found again only
/// when its title, summary or text changed.
#[derive(Default)]
pub struct Cache {
    /// By output path: a hash of the page's [`Doc`] and its terms.
    docs: HashMap<String, (u64, DocTerms)>,
    /// Every term seen so far (terms no page holds any more are left out of the index).
    terms: Terms,
    hasher: ahash::RandomState,
}

/// The index of every page, in reading order, as the script the pages load.
pub fn script(site: &Site, rendered: &[Rendered]) -> String {
    let docs = docs(site, rendered);
    let mut names = Terms::default();
    let terms = find_terms(&docs, docs.iter().map(|_| None).collect(), &mut names);
    to_script(&index(&docs, &terms, &names))
}

/// Like [`script`], finding terms only for pages that `cache` does not hold, and refreshing it.
pub fn script_incremental(site: &Site, rendered: &[Rendered], cache: &mut Cache) -> String {
    let docs = docs(site, rendered);
    let hasher = &cache.hasher;
    let keys: Vec<u64> = docs.par_iter().map(|doc| hasher.hash_one(doc)).collect();
    let mut old = std::mem::take(&mut cache.docs);
    let kept: Vec<Option<DocTerms>> = docs
        .iter()
        .zip(&keys)
        .map(|(doc, key)| match old.remove(&doc.path) {
            Some((k, terms)) if k == *key => Some(terms),
            _ => None,
        })
        .collect();
    let terms = find_terms(&docs, kept, &mut cache.terms);
    let script = to_script(&index(&docs, &terms, &cache.terms));
    cache.docs = docs
        .iter()
        .zip(keys)
        .zip(terms)
        .map(|((doc, key), terms)| (doc.path.clone(), (key, terms)))
        .collect();
    script
}

/// Each page's terms: `kept[d]` when it holds them, else found now (in parallel) and numbered.
fn find_terms(docs: &[Doc], kept: Vec<Option<DocTerms>>, names: &mut Terms) -> Vec<DocTerms> {
    let found: Vec<Result<DocTerms, Found>> = kept
        .into_par_iter()
        .zip(docs.par_iter())
        .map(|(kept, doc)| kept.ok_or_else(|| doc_terms(doc)))
        .collect();
    found
        .into_iter()
        .map(|terms| {
            terms.unwrap_or_else(|found| DocTerms {
                sections: found
                    .into_iter()
                    .map(|(text, weights)| {
                        let weights = weights.into_iter().map(|(t, w)| (names.id(t), w)).collect();
                        (text, weights)
                    })
                    .collect(),
            })
        })
        .collect()
}

/// The index as `serde_json` writes it, its three parts written in parallel (megabytes at
/// 10,000 notes).
fn to_script(index: &Index) -> String {
    fn json<T: Serialize>(part: &T) -> String {
        serde_json::to_string(part).expect("the index holds only strings and numbers")
    }
    let (docs, (sections, terms)) = rayon::join(
        || json(&index.docs),
        || rayon::join(|| json(&index.sections), || json(&index.terms)),
    );
    format!("window.FIGMARK_INDEX = {{\"docs\":{docs},\"sections\":{sections},\"terms\":{terms}}};\n")
}

fn docs<'a>(site: &'a Site, rendered: &'a [Rendered]) -> Vec<Doc<'a>> {
    site.reading_order
        .iter()
        .map(|&i| {
            let page = &site.pages[i];
            let headings = &rendered[i].headings;
            Doc {
                title: &page.meta.title,
                path: page.output_path(),
                summary: &page.meta.summary,
                sections: rendered[i]
                    .blocks
                    .iter()
                    .map(|b| match b.heading.and_then(|h| headings.get(h)) {
                        Some(h) => (h.id.as_str(), h.text.as_str(), b.text.as_str()),
                        None => ("", "", b.text.as_str()),
                    })
                    .collect(),
            }
        })
        .collect()
}

/// Per section of a page: its text and its terms with their weights.
type Found = Vec<(String, Vec<(String, u32)>)>;

/// The terms of one page, section by section.
fn doc_terms(doc: &Doc) -> Found {
    doc.sections
        .iter()
        .enumerate()
        .map(|(s, &(_, heading, text))| {
            let text = if s == 0 && !doc.summary.is_empty() {
                format!("{} {text}", doc.summary)
            } else {
                text.to_string()
            };
            let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
            let mut weights: HashMap<String, u32, ahash::RandomState> = HashMap::default();
            for t in tokens(&text) {
                let w = weights.entry(t).or_default();
                *w = (*w + 1).min(BODY_CAP);
            }
            let mut boost = |field: &str, weight: u32| {
                let mut seen: Vec<String> = tokens(field);
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
            (text, weights.into_iter().collect())
        })
        .collect()
}

/// Puts the pages' terms together: `terms[d]` belongs to `docs[d]`.
pub fn index<'a>(docs: &'a [Doc<'a>], terms: &'a [DocTerms], names: &'a Terms) -> Index<'a> {
    let mut index = Index {
        docs: Vec::new(),
        sections: Vec::new(),
        terms: BTreeMap::new(),
    };
    let mut postings: Vec<Vec<i64>> = vec![Vec::new(); names.names.len()];
    for (d, (doc, doc_terms)) in docs.iter().zip(terms).enumerate() {
        index.docs.push((doc.title, doc.path.clone()));
        for (&(anchor, heading, _), (text, weights)) in doc.sections.iter().zip(&doc_terms.sections) {
            let id = u32::try_from(index.sections.len()).expect("fewer than 4 billion sections");
            for &(term, weight) in weights {
                let list = &mut postings[term as usize];
                list.push(i64::from(id));
                if weight != 1 {
                    list.push(-i64::from(weight));
                }
            }
            index.sections.push((d, anchor, heading, text));
        }
    }
    index.terms = names
        .names
        .iter()
        .zip(postings)
        .filter(|(_, list)| !list.is_empty())
        .map(|(name, list)| (name.as_str(), list))
        .collect();
    index
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
/// per other run of letters and digits the lowercased word. `static/search.js` mirrors this.
pub fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut run: Vec<char> = Vec::new();
    let flush_run = |run: &mut Vec<char>, out: &mut Vec<String>| {
        match run.as_slice() {
            [] => {}
            [c] => out.push(c.to_string()),
            _ => out.extend(run.windows(2).map(|w| w.iter().collect::<String>())),
        }
        run.clear();
    };
    let flush_word = |word: &mut String, out: &mut Vec<String>| {
        if !word.is_empty() {
            out.push(std::mem::take(word));
        }
    };
    for c in text.chars() {
        if is_cjk(c) {
            flush_word(&mut word, &mut out);
            run.push(c);
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
        assert_eq!(tokens("动量法"), ["动量", "量法"]);
        assert_eq!(tokens("是 Adam 的改进"), ["是", "adam", "的改", "改进"]);
        assert!(tokens("，。 ——").is_empty());
    }

    /// Decodes one posting the way `static/search.js` does.
    fn weight(index: &Index, term: &str, section: i64) -> i64 {
        let postings = &index.terms[term];
        let at = postings.iter().position(|&p| p == section).expect("a posting");
        match postings.get(at + 1) {
            Some(&w) if w < 0 => -w,
            _ => 1,
        }
    }

    #[test]
    fn title_outranks_heading_outranks_body() {
        let body = "动量".repeat(50);
        let docs = [
            Doc {
                title: "词在正文",
                path: "a.html".into(),
                summary: "",
                sections: vec![("", "", &body)],
            },
            Doc {
                title: "词在小标题",
                path: "b.html".into(),
                summary: "",
                sections: vec![("", "", ""), ("dong-liang", "动量", "")],
            },
            Doc {
                title: "动量法",
                path: "c.html".into(),
                summary: "一句话。",
                sections: vec![("", "", "")],
            },
        ];
        let mut names = Terms::default();
        let terms = find_terms(&docs, docs.iter().map(|_| None).collect(), &mut names);
        let index = index(&docs, &terms, &names);
        let body_w = weight(&index, "动量", 0);
        let heading_w = weight(&index, "动量", 2);
        let title_w = weight(&index, "动量", 3);
        assert_eq!(body_w, i64::from(BODY_CAP));
        assert_eq!(index.terms["动量"], [0, -9, 2, -10, 3, -100]);
        assert_eq!(index.terms["句话"], [3], "weight 1 is left out");
        assert!(
            title_w > heading_w && heading_w > body_w,
            "{title_w} {heading_w} {body_w}"
        );
        const { assert!(TITLE > HEADING + BODY_CAP && HEADING > BODY_CAP) };
        assert_eq!(index.sections[3].3, "一句话。");
        let whole = serde_json::to_string(&index).unwrap();
        assert_eq!(to_script(&index), format!("window.FIGMARK_INDEX = {whole};\n"));
        assert_eq!(index.sections[2].1, "dong-liang");
    }

    /// The notes' index, measured against their markdown: postings for bigrams cost about as
    /// much as the text kept for snippets, so it stays well under three times the markdown.
    #[test]
    fn index_of_the_notes_stays_small() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let plan = crate::build::plan(root).expect("the notes build");
        let index = plan
            .files
            .iter()
            .find(|f| f.path == INDEX_FILE)
            .expect("an index");
        let crate::output::Contents::Bytes(bytes) = &index.contents else {
            panic!("the index is generated");
        };
        let markdown: u64 = walkdir::WalkDir::new(root.join(crate::content::CONTENT_DIR))
            .into_iter()
            .flatten()
            .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
            .map(|e| e.metadata().map_or(0, |m| m.len()))
            .sum();
        let size = bytes.len() as u64;
        assert!(
            size < 3 * markdown,
            "index {size} bytes for {markdown} bytes of markdown"
        );
    }
}
