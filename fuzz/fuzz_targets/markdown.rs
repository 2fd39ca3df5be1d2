//! Markdown → HTML must never panic, sanitized or not: `cargo +nightly fuzz run markdown`.
#![no_main]

use std::collections::HashSet;

use figmark::content::{FrontMatter, Page};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(body) = std::str::from_utf8(data) else { return };
    let source = format!("---\ntitle: t\n---\n{body}");
    let page = Page {
        rel: "cnn/a.md".into(),
        meta: FrontMatter {
            title: "t".into(),
            weight: 0,
            tags: Vec::new(),
            summary: String::new(),
            draft: false,
        },
        body_start: source.len() - body.len(),
        source,
        section: 0,
    };
    let dirs: HashSet<String> = ["cnn".to_string()].into_iter().collect();
    let unsafe_html = body.len() % 2 == 0;
    figmark::markdown::render(&page, &dirs, unsafe_html);
});
