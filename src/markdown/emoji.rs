//! GitHub's `:emoji:` shortcodes (gemoji's names, from the `emojis` crate) become the
//! characters. Only text is touched: code, math, URLs and raw HTML keep their colons.

use std::ops::Range;

use pulldown_cmark::{CowStr, Event};

/// Replaces every known `:name:` in text events; an unknown name stays as written, as on GitHub.
pub fn shortcodes<'a>(
    events: impl Iterator<Item = (Event<'a>, Range<usize>)>,
) -> impl Iterator<Item = (Event<'a>, Range<usize>)> {
    events.map(|(event, range)| match event {
        Event::Text(text) if text.contains(':') => (Event::Text(replace(text)), range),
        other => (other, range),
    })
}

fn replace(text: CowStr<'_>) -> CowStr<'_> {
    let mut out = String::new();
    let mut copied = 0;
    let mut from = 0;
    while let Some(open) = text[from..].find(':').map(|i| from + i) {
        let name_len = text[open + 1..]
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'+' | b'-'))
            .count();
        let close = open + 1 + name_len;
        let emoji = (name_len > 0 && text[close..].starts_with(':'))
            .then(|| emojis::get_by_shortcode(&text[open + 1..close]))
            .flatten();
        match emoji {
            Some(emoji) => {
                out.push_str(&text[copied..open]);
                out.push_str(emoji.as_str());
                copied = close + 1;
                from = close + 1;
            }
            // The closing colon may open the next shortcode: `:x:smile:`.
            None => from = open + 1,
        }
    }
    if copied == 0 {
        return text;
    }
    out.push_str(&text[copied..]);
    CowStr::from(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn html(markdown: &str) -> String {
        let events =
            pulldown_cmark::Parser::new_ext(markdown, crate::content::markdown_options()).into_offset_iter();
        let mut html = String::new();
        pulldown_cmark::html::push_html(&mut html, shortcodes(events).map(|(e, _)| e));
        html
    }

    #[test]
    fn shortcodes_become_characters() {
        assert_eq!(html("好 :+1: :tada:!"), "<p>好 👍 🎉!</p>\n");
        assert_eq!(html(":x:smile:"), "<p>❌smile:</p>\n");
        assert_eq!(html("a:smile:b"), "<p>a😄b</p>\n");
    }

    #[test]
    fn unknown_names_code_and_times_keep_their_colons() {
        assert_eq!(
            html(":no_such_emoji: 12:30:45 ::"),
            "<p>:no_such_emoji: 12:30:45 ::</p>\n"
        );
        assert_eq!(html("`:smile:`"), "<p><code>:smile:</code></p>\n");
        assert_eq!(html("[a](x:smile:y)"), "<p><a href=\"x:smile:y\">a</a></p>\n");
    }
}
