//! Fenced blocks: the warning for an unclosed fence, and the replacement of blocks a step draws
//! itself (figures, mermaid diagrams, math) by the events it makes of their text.
//!
//! Unclosed code fences: CommonMark closes a fence left open at the end of the document (or of
//! its container), so everything after it silently becomes code; warn on the fence's line.

use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, Event, Tag};

use crate::diagnostics::Diagnostic;

/// Replaces each fenced block whose info string's first word is `name` by the events `make`
/// returns for its text and its range (opening to closing fence), each carrying that range.
pub fn replace<'a>(
    mut events: impl Iterator<Item = (Event<'a>, Range<usize>)>,
    name: &'static str,
    mut make: impl FnMut(String, &Range<usize>) -> Vec<Event<'a>>,
) -> impl Iterator<Item = (Event<'a>, Range<usize>)> {
    let mut queued: Vec<(Event<'a>, Range<usize>)> = Vec::new();
    std::iter::from_fn(move || {
        if let Some(next) = queued.pop() {
            return Some(next);
        }
        let (event, range) = events.next()?;
        let named = matches!(&event, Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info)))
            if info.split_whitespace().next() == Some(name));
        if !named {
            return Some((event, range));
        }
        let (text, end) = super::highlight::block_text(&mut events, range.end);
        let range = range.start..end;
        let made = make(text, &range);
        queued.extend(made.into_iter().rev().map(|event| (event, range.clone())));
        queued.pop()
    })
}

pub fn check_closed<'a>(
    events: impl Iterator<Item = (Event<'a>, Range<usize>)>,
    body: &'a str,
    file: &'a str,
    line_of: impl Fn(usize) -> usize,
    diagnostics: &'a mut Vec<Diagnostic>,
) -> impl Iterator<Item = (Event<'a>, Range<usize>)> {
    events.inspect(move |(event, range)| {
        if let Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(_))) = event
            && let Some(block) = body.get(range.clone())
            && !is_closed(block)
        {
            diagnostics.push(
                Diagnostic::warning(file, line_of(range.start), 0, "code fence is never closed")
                    .with_hint("everything after it is shown as code; close it with a matching fence line"),
            );
        }
    })
}

/// Whether the source of a fenced block ends with a fence line that closes its opening one.
fn is_closed(block: &str) -> bool {
    let mut lines = block.lines();
    let Some(first) = lines.next() else { return true };
    let open = first.trim_start_matches(|c: char| c == '>' || c.is_whitespace());
    let Some(fence_char) = open.chars().next() else {
        return true;
    };
    let width = open.chars().take_while(|&c| c == fence_char).count();
    let Some(last) = lines.rfind(|l| !l.trim().is_empty()) else {
        return false;
    };
    let close = last
        .trim_start_matches(|c: char| c == '>' || c.is_whitespace())
        .trim_end();
    close.chars().all(|c| c == fence_char) && close.chars().count() >= width
}

#[cfg(test)]
mod tests {
    use super::is_closed;

    #[test]
    fn closing_fence_must_match_the_opening_one() {
        assert!(is_closed("```rust\nfn f() {}\n```\n"));
        assert!(is_closed("~~~~\nx\n~~~~~\n"));
        assert!(is_closed("> ```\n> x\n> ```\n"));
        assert!(!is_closed("```\nx\n"));
        assert!(!is_closed("````\nx\n```\n"));
        assert!(!is_closed("```\nx\n~~~\n"));
        assert!(!is_closed("```"));
    }
}
