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
    // (link index, byte position in `paragraph`) of links whose sentence is not known yet.
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
                flush(&mut paragraph, &mut open_links, sentences);
            }
            Event::Start(Tag::Link { .. } | Tag::Image { .. }) => {
                open_links.push((links_seen, paragraph.len()));
                links_seen += 1;
            }
            Event::Text(t) | Event::Code(t) => {
                paragraph.push_str(t);
                if !in_heading {
                    let block = blocks.last_mut().expect("a block is pushed before any event");
                    block.text.push_str(t);
                }
            }
            // A formula, as the math step wrote it: its text is what a reader sees (`rl=…`),
            // never its TeX source (`\prod_{i<l}`).
            Event::InlineHtml(html) if html.starts_with("<math") => {
                let text = math_text(html);
                paragraph.push_str(&text);
                if !in_heading {
                    let block = blocks.last_mut().expect("a block is pushed before any event");
                    block.text.push_str(&text);
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

/// The text of MathML markup: its tags dropped and its character references decoded.
fn math_text(mathml: &str) -> String {
    let mut text = String::new();
    let mut rest = mathml;
    while let Some(open) = rest.find('<') {
        text.push_str(&rest[..open]);
        rest = rest[open..]
            .find('>')
            .map_or("", |close| &rest[open + close + 1..]);
    }
    text.push_str(rest);
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
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
/// The paragraph is split into sentences once, and each sentence is cut and trimmed once however
/// many links it holds, so a paragraph of n links costs O(n), not O(n²).
fn flush(paragraph: &mut String, open: &mut Vec<(usize, usize)>, sentences: &mut Vec<String>) {
    if !open.is_empty() {
        let ends = sentence_ends(paragraph);
        let mut last: Option<(usize, String)> = None;
        for (link, at) in open.drain(..) {
            // The sentence holding `at` is the k-th: it starts after the last end at or before
            // `at` and runs to the next end.
            let k = ends.partition_point(|&end| end <= at);
            let sentence = match &last {
                Some((seen, sentence)) if *seen == k => sentence.clone(),
                _ => {
                    let start = k.checked_sub(1).map_or(0, |i| ends[i]);
                    let end = ends.get(k).copied().unwrap_or(paragraph.len());
                    let sentence = shorten(&paragraph[start..end]);
                    last = Some((k, sentence.clone()));
                    sentence
                }
            };
            if sentences.len() <= link {
                sentences.resize(link + 1, String::new());
            }
            sentences[link] = sentence;
        }
    }
    paragraph.clear();
}

const MAX_SENTENCE_CHARS: usize = 160;

fn ends_sentence(c: char) -> bool {
    matches!(c, '。' | '！' | '？' | '；' | '!' | '?' | ';' | '\n')
}

/// The byte offset just after each sentence-ending character of `text`.
fn sentence_ends(text: &str) -> Vec<usize> {
    text.char_indices()
        .filter(|&(_, c)| ends_sentence(c))
        .map(|(i, c)| i + c.len_utf8())
        .collect()
}

/// A sentence trimmed, and cut at [`MAX_SENTENCE_CHARS`] with an ellipsis.
fn shorten(sentence: &str) -> String {
    let sentence = sentence.trim();
    match sentence.char_indices().nth(MAX_SENTENCE_CHARS) {
        Some((cut, _)) => format!("{}…", &sentence[..cut]),
        None => sentence.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pulldown_cmark::Parser;

    /// The sentence of each link in `markdown`, in link order.
    fn sentences(markdown: &str) -> Vec<String> {
        let (mut blocks, mut sentences) = (Vec::new(), Vec::new());
        collect(
            Parser::new(markdown).into_offset_iter(),
            &mut blocks,
            &mut sentences,
        )
        .for_each(drop);
        sentences
    }

    #[test]
    fn each_link_gets_the_sentence_around_it() {
        assert_eq!(
            sentences("[第一句](a)。网络越深，[感受野](b)越大。第三句[c](c)\n\n[no end](d)"),
            ["第一句。", "网络越深，感受野越大。", "第三句c", "no end"]
        );
        assert_eq!(sentences("# 标题 [a](a)\n\n正文。"), ["标题 a"]);
        let long = format!("[长](a){}。", "长".repeat(200));
        assert_eq!(sentences(&long), [format!("{}…", "长".repeat(160))]);
    }

    /// Search text and backlink sentences hold what a formula shows, never its TeX.
    #[test]
    fn formulas_are_text_as_shown_not_tex() {
        let source = "---\ntitle: t\n---\n见[乙](b.md)：$\\prod_{i<l} s_i$ 与 $\\frac{1}{4}$。\n\n$$\n\\begin{cases} a \\\\ b \\end{cases}\n$$\n";
        let page = crate::content::Page::parse("a.md", source.to_string()).expect("front matter");
        let rendered = crate::markdown::render(&page, &Default::default(), false, &[], &Default::default());
        let text: String = rendered.blocks.iter().map(|b| b.text.as_str()).collect();
        let sentence = &rendered.links[0].sentence;
        for shown in [&text, sentence] {
            assert!(!shown.contains('\\'), "TeX in {shown:?}");
        }
        assert!(
            sentence.contains("∏i<lsi") && sentence.contains("14"),
            "{sentence:?}"
        );
    }
}
