//! Heading ids by GitHub's own rules (github-slugger), so `note.md#标题` points at the same
//! heading on GitHub and on the site.

use std::collections::HashMap;

/// The slug of one heading text, before de-duplication: lowercase; drop every character that is
/// not a letter, number, mark, connector punctuation, `-` or space; each space becomes `-`.
pub fn slug(text: &str) -> String {
    text.chars()
        .filter(|&c| keep(c))
        .flat_map(char::to_lowercase)
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

fn keep(c: char) -> bool {
    c.is_alphanumeric() || c == '-' || c == ' ' || is_connector(c) || is_mark(c)
}

/// Unicode category Pc.
fn is_connector(c: char) -> bool {
    matches!(
        c,
        '_' | '\u{203F}' | '\u{2040}' | '\u{2054}' | '\u{FE33}' | '\u{FE34}' | '\u{FE4D}'
            ..='\u{FE4F}' | '\u{FF3F}'
    )
}

/// The combining-mark blocks (category M) that `is_alphanumeric` does not already cover.
fn is_mark(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}'
        | '\u{1AB0}'..='\u{1AFF}'
        | '\u{1DC0}'..='\u{1DFF}'
        | '\u{20D0}'..='\u{20FF}'
        | '\u{3099}'..='\u{309A}'
        | '\u{FE00}'..='\u{FE0F}'
        | '\u{FE20}'..='\u{FE2F}'
        | '\u{E0100}'..='\u{E01EF}')
}

/// Hands out unique ids within one page the way github-slugger does: a repeated slug gets
/// `-1`, `-2`… and never collides with an id already handed out.
#[derive(Default)]
pub struct Slugger {
    occurrences: HashMap<String, usize>,
}

impl Slugger {
    pub fn unique(&mut self, text: &str) -> String {
        self.claim(slug(text))
    }

    /// Registers an id (an explicit `{#id}` too) and returns it, suffixed if already taken.
    pub fn claim(&mut self, base: String) -> String {
        let mut id = base.clone();
        while self.occurrences.contains_key(&id) {
            let n = self.occurrences.entry(base.clone()).or_default();
            *n += 1;
            id = format!("{base}-{n}");
        }
        self.occurrences.insert(id.clone(), 0);
        id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_examples() {
        assert_eq!(slug("Hello World"), "hello-world");
        assert_eq!(slug("1×1 卷积的作用"), "11-卷积的作用");
        assert_eq!(slug("为什么需要动量？"), "为什么需要动量");
        assert_eq!(slug("深度可分离卷积的概念和作用🌻"), "深度可分离卷积的概念和作用");
        assert_eq!(slug("Addition / Concatenate 区别"), "addition--concatenate-区别");
        assert_eq!(slug("ReLU（修正线性单元）：优点"), "relu修正线性单元优点");
        assert_eq!(slug("snake_case and C++"), "snake_case-and-c");
        assert_eq!(slug("  lead"), "--lead");
    }

    #[test]
    fn duplicates_get_numbered_suffixes() {
        let mut s = Slugger::default();
        assert_eq!(s.unique("优点"), "优点");
        assert_eq!(s.unique("优点"), "优点-1");
        assert_eq!(s.unique("优点-1"), "优点-1-1");
        assert_eq!(s.unique("优点"), "优点-2");
    }
}
