//! Markdown → HTML must never panic, sanitized or not: `cargo +nightly fuzz run markdown`.
#![no_main]

use std::collections::HashSet;

use figmark::content::Page;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(body) = std::str::from_utf8(data) else { return };
    let Ok(page) = Page::parse("cnn/a.md", format!("---\ntitle: t\n---\n{body}")) else { return };
    let dirs: HashSet<String> = ["cnn".to_string()].into_iter().collect();
    let unsafe_html = body.len() % 2 == 0;
    figmark::markdown::render(&page, &dirs, unsafe_html, &[]);
});
