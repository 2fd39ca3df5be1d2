//! Plain text found on the way to HTML: the text under each heading (for search) and the
//! sentence each link sits in (for backlinks), in link order. Inspects events, never changes them.

use std::ops::Range;

use pulldown_cmark::{Event, Tag, TagEnd};

/// The text of the part of a page under one heading (`None`: before the first heading).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextBlock {
    pub heading: Option<usize>,
    pub text: String,
}

pub fn collect<'a, 'l>(
    events: impl Iterator<Item = (Event<'a>, Range<usize>)>,
    blocks: &'l mut Vec<TextBlock>,
    sentences: &'l mut Vec<String>,
) -> impl Iterator<Item = (Event<'a>, Range<usize>)> {
    let mut headings_seen = 0usize;
    let mut in_heading = false;
    let mut paragraph = String::new();
    // (link index, char position in `paragraph`) of links whose sentence is not known yet.
    let mut open_links: Vec<(usize, usize)> = Vec::new();
    let mut links_seen = 0usize;
    blocks.push(TextBlock::default());
    let mut events = events.fuse();
    std::iter::from_fn(move || {
        let Some((event, range)) = events.next() else {
            flush(&mut paragraph, &mut open_links, sentences);
            return None;
        };
        match &event {
            Event::Start(Tag::Heading { .. }) => {
                flush(&mut paragraph, &mut open_links, sentences);
                in_heading = true;
                blocks.push(TextBlock {
                    heading: Some(headings_seen),
                    text: String::new(),
                });
                headings_seen += 1;
            }
            Event::End(TagEnd::Heading(_)) => {
                in_heading = false;
                paragraph.clear();
            }
            Event::Start(Tag::Link { .. } | Tag::Image { .. }) => {
                open_links.push((links_seen, paragraph.chars().count()));
                links_seen += 1;
            }
            Event::Text(t) | Event::Code(t) | Event::InlineMath(t) | Event::DisplayMath(t) => {
                paragraph.push_str(t);
                if !in_heading {
                    let block = blocks.last_mut().expect("a block is pushed before any event");
                    block.text.push_str(t);
                }
            }
            Event::SoftBreak | Event::HardBreak => paragraph.push(' '),
            Event::Start(_) | Event::End(_) if is_block_boundary(&event) => {
                flush(&mut paragraph, &mut open_links, sentences);
                if let Some(block) = blocks.last_mut()
                    && !block.text.ends_with('\n')
                    && !block.text.is_empty()
                {
                    block.text.push('\n');
                }
            }
            _ => {}
        }
        Some((event, range))
    })
}

fn is_block_boundary(event: &Event) -> bool {
    match event {
        Event::Start(tag) => matches!(
            tag,
            Tag::Paragraph | Tag::Item | Tag::TableCell | Tag::BlockQuote(_) | Tag::FootnoteDefinition(_)
        ),
        Event::End(tag) => matches!(
            tag,
            TagEnd::Paragraph
                | TagEnd::Item
                | TagEnd::TableCell
                | TagEnd::BlockQuote(_)
                | TagEnd::FootnoteDefinition
        ),
        _ => false,
    }
}

/// Sentences are pushed in link order: a link's sentence is known once its paragraph ends.
fn flush(paragraph: &mut String, open: &mut Vec<(usize, usize)>, sentences: &mut Vec<String>) {
    for (link, at) in open.drain(..) {
        if sentences.len() <= link {
            sentences.resize(link + 1, String::new());
        }
        sentences[link] = sentence_at(paragraph, at);
    }
    paragraph.clear();
}

const MAX_SENTENCE_CHARS: usize = 160;

/// The sentence of `text` that contains the character at `at`.
pub fn sentence_at(text: &str, at: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    let ends = |c: char| matches!(c, '。' | '！' | '？' | '；' | '!' | '?' | ';' | '\n');
    let at = at.min(chars.len());
    let start = chars[..at].iter().rposition(|&c| ends(c)).map_or(0, |i| i + 1);
    let end = chars[at..]
        .iter()
        .position(|&c| ends(c))
        .map_or(chars.len(), |i| at + i + 1);
    let sentence: String = chars[start..end].iter().collect();
    let sentence = sentence.trim();
    if sentence.chars().count() > MAX_SENTENCE_CHARS {
        let cut: String = sentence.chars().take(MAX_SENTENCE_CHARS).collect();
        format!("{cut}…")
    } else {
        sentence.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentence_around_a_position() {
        let text = "第一句。网络越深，感受野越大。第三句";
        let at = text.chars().position(|c| c == '感').unwrap();
        assert_eq!(sentence_at(text, at), "网络越深，感受野越大。");
        assert_eq!(sentence_at("no end", 3), "no end");
    }
}
