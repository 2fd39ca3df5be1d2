//! How long the notes' figures take to draw: every ` ```figure ` block under `content/`, drawn
//! 15 times; prints the median total. Run with `cargo bench --bench figures`.

use std::time::{Duration, Instant};

use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};

fn main() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
    let mut specs = Vec::new();
    for entry in walkdir::WalkDir::new(&root).sort_by_file_name() {
        let entry = entry.expect("readable content folder");
        if entry.path().extension().is_some_and(|e| e == "md") {
            let text = std::fs::read_to_string(entry.path()).expect("readable note");
            specs.extend(figure_specs(&text));
        }
    }
    let mut runs: Vec<Duration> = (0..15)
        .map(|_| {
            let start = Instant::now();
            for spec in &specs {
                if let Err(e) = figmark_figures::render(spec, figmark_figures::Lang::ZhCn) {
                    panic!("a figure of the notes fails: {e}");
                }
            }
            start.elapsed()
        })
        .collect();
    runs.sort();
    println!(
        "{} figures of the notes: median {:.1} ms, fastest {:.1} ms, slowest {:.1} ms (15 runs)",
        specs.len(),
        runs[runs.len() / 2].as_secs_f64() * 1e3,
        runs[0].as_secs_f64() * 1e3,
        runs[runs.len() - 1].as_secs_f64() * 1e3,
    );
}

fn figure_specs(markdown: &str) -> Vec<String> {
    let mut specs = Vec::new();
    let mut current: Option<String> = None;
    for event in Parser::new(markdown) {
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) if &*info == "figure" => {
                current = Some(String::new());
            }
            Event::Text(t) => {
                if let Some(spec) = &mut current {
                    spec.push_str(&t);
                }
            }
            Event::End(TagEnd::CodeBlock) => specs.extend(current.take()),
            _ => {}
        }
    }
    specs
}
