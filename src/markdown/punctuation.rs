//! Closing punctuation stays on the line of the formula before it. Browsers may break a line
//! between an inline formula and the text after it, so `$x$。` could put 。 at the start of a
//! line, which Chinese typesetting forbids (and which looks wrong in any language). The formula
//! and the punctuation mark after it are wrapped in one unbreakable span.

use std::collections::VecDeque;
use std::ops::Range;

use pulldown_cmark::{CowStr, Event};

/// Marks that may not start a line: closing brackets and quotes, full stops, commas, colons,
/// question and exclamation marks (UAX #14 classes CL, CP, EX, IS), full-width and ASCII.
const CLOSING: &str = "。，、；：？！）」』】》〉〕”’.,;:?!)]}";

/// Wraps each inline formula (as the math step writes it) and the closing mark after it in a
/// `nobr` span.
pub fn keep_with_formula<'a>(
    events: impl Iterator<Item = (Event<'a>, Range<usize>)>,
) -> impl Iterator<Item = (Event<'a>, Range<usize>)> {
    let mut events = events.peekable();
    let mut queued: VecDeque<(Event<'a>, Range<usize>)> = VecDeque::new();
    std::iter::from_fn(move || {
        if let Some(next) = queued.pop_front() {
            return Some(next);
        }
        let (event, range) = events.next()?;
        let inline_formula = matches!(&event, Event::InlineHtml(h) if h.starts_with("<math") && !h.contains("display=\"block\""));
        let closing =
            matches!(events.peek(), Some((Event::Text(t), _)) if t.starts_with(|c| CLOSING.contains(c)));
        if !(inline_formula && closing) {
            return Some((event, range));
        }
        let Some((Event::Text(text), text_range)) = events.next() else {
            unreachable!("peeked a text event");
        };
        let Event::InlineHtml(formula) = event else {
            unreachable!("matched inline HTML");
        };
        let mark = text.chars().next().map_or(0, char::len_utf8);
        queued.push_back((
            Event::Text(CowStr::from(text[..mark].to_string())),
            text_range.clone(),
        ));
        queued.push_back((Event::InlineHtml(CowStr::from("</span>")), text_range.clone()));
        if text.len() > mark {
            queued.push_back((Event::Text(CowStr::from(text[mark..].to_string())), text_range));
        }
        Some((
            Event::InlineHtml(CowStr::from(format!("<span class=\"nobr\">{formula}"))),
            range,
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(events: Vec<Event<'static>>) -> Vec<Event<'static>> {
        keep_with_formula(events.into_iter().map(|e| (e, 0..0)))
            .map(|(e, _)| e)
            .collect()
    }

    #[test]
    fn a_closing_mark_is_kept_with_the_formula_before_it() {
        let formula = "<math><mi>x</mi></math>";
        let out = run(vec![
            Event::InlineHtml(formula.into()),
            Event::Text("。之后".into()),
        ]);
        assert_eq!(
            out,
            [
                Event::InlineHtml(format!("<span class=\"nobr\">{formula}").into()),
                Event::Text("。".into()),
                Event::InlineHtml("</span>".into()),
                Event::Text("之后".into()),
            ]
        );
    }

    #[test]
    fn other_text_and_display_formulas_are_left_alone() {
        let inline = Event::InlineHtml("<math><mi>x</mi></math>".into());
        let display = Event::InlineHtml("<math display=\"block\"><mi>x</mi></math>".into());
        for events in [
            vec![inline.clone(), Event::Text(" 是变量".into())],
            vec![display, Event::Text("。".into())],
            vec![Event::InlineHtml("<b>".into()), Event::Text("。".into())],
        ] {
            assert_eq!(run(events.clone()), events);
        }
    }
}
