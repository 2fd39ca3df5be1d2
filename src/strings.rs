//! Interface strings: the text the theme shows around the notes (labels, headings, the 404
//! page…), by key, in Chinese and English. The table is chosen by the site's `language` and any
//! key can be replaced in the `[strings]` table of site.toml. Templates read them as
//! `{{ t.key }}`; the few made in Rust (listing titles) come from [`Strings::format`].

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};

use serde::Serialize;
use toml::Spanned;

use crate::diagnostics::{Diagnostic, LineIndex};

const ZH_CN: &str = include_str!("../templates/strings/zh-CN.toml");
const EN: &str = include_str!("../templates/strings/en.toml");

/// The strings a site shows, and a hash of them that stands for them in a view's hash.
pub struct Strings {
    table: BTreeMap<String, String>,
    key: u64,
}

/// A shipped table. They are compiled in and a test parses them: no site can make this fail.
fn table(text: &str) -> BTreeMap<String, String> {
    toml::from_str(text).expect("the shipped strings tables parse")
}

/// The shipped table for `language`: Chinese for `zh…`, English otherwise.
fn shipped(language: &str) -> &'static str {
    if language.to_ascii_lowercase().starts_with("zh") {
        ZH_CN
    } else {
        EN
    }
}

impl Strings {
    /// The table for `language`, with the site's `overrides` put in.
    pub fn new(language: &str, overrides: &BTreeMap<String, Spanned<String>>) -> Self {
        let mut table = table(shipped(language));
        for (name, text) in overrides {
            table.insert(name.clone(), text.get_ref().clone());
        }
        let key = crate::stable::hash(&table);
        Self { table, key }
    }

    /// The string `name`; the name itself if there is none, so a slip shows on the page.
    pub fn get<'s>(&'s self, name: &'s str) -> &'s str {
        self.table.get(name).map_or(name, String::as_str)
    }

    /// The string `name` with each `{arg}` filled in.
    pub fn format(&self, name: &str, args: &[(&str, &str)]) -> String {
        let mut text = self.get(name).to_string();
        for (arg, value) in args {
            text = text.replace(&format!("{{{arg}}}"), value);
        }
        text
    }

    /// The string `name` (or `name_one` when `n` is 1) with `{n}` filled in.
    pub fn count(&self, name: &str, n: usize) -> String {
        let one = format!("{name}_one");
        let name = if n == 1 && self.table.contains_key(&one) {
            &one
        } else {
            name
        };
        self.format(name, &[("n", &n.to_string())])
    }
}

impl Hash for Strings {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.key.hash(state);
    }
}

impl Serialize for Strings {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.table.serialize(serializer)
    }
}

/// Checks a site's `[strings]` (from site.toml's `text`): every key must be one the theme has.
pub fn check(
    overrides: &BTreeMap<String, Spanned<String>>,
    text: &str,
    file: &str,
) -> Result<(), Diagnostic> {
    let known = table(ZH_CN);
    let Some((name, value)) = overrides.iter().find(|(name, _)| !known.contains_key(*name)) else {
        return Ok(());
    };
    let (line, col) = LineIndex::new(text).line_col(value.span().start);
    let names: Vec<&str> = known.keys().map(String::as_str).collect();
    Err(Diagnostic::error(
        file,
        line,
        col,
        format!(
            "unknown interface string `{name}` in [strings]; the strings are: {}",
            names.join(", ")
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_tables_parse_and_have_the_same_keys() {
        for text in [ZH_CN, EN] {
            let parsed: Result<BTreeMap<String, String>, _> = toml::from_str(text);
            assert!(parsed.is_ok(), "{parsed:?}");
        }
        let zh: Vec<String> = table(ZH_CN).into_keys().collect();
        let en: Vec<String> = table(EN).into_keys().collect();
        assert!(zh.len() > 20, "{zh:?}");
        assert_eq!(zh, en);
    }

    #[test]
    fn language_chooses_the_table() {
        let none = BTreeMap::new();
        assert_eq!(Strings::new("zh-CN", &none).get("prev"), "上一篇");
        assert_eq!(Strings::new("zh-TW", &none).get("prev"), "上一篇");
        assert_eq!(Strings::new("ZH", &none).get("prev"), "上一篇");
        assert_eq!(Strings::new("en", &none).get("prev"), "Previous");
        assert_eq!(Strings::new("fr", &none).get("prev"), "Previous");
    }

    #[test]
    fn overrides_replace_one_key_and_change_the_hash() {
        let none = BTreeMap::new();
        let overrides = BTreeMap::from([("prev".to_string(), Spanned::new(0..1, "Back".to_string()))]);
        let own = Strings::new("en", &overrides);
        assert_eq!(own.get("prev"), "Back");
        assert_eq!(own.get("next"), "Next");
        let hash = |s: &Strings| ahash::RandomState::with_seeds(0, 0, 0, 0).hash_one(s);
        assert_ne!(hash(&own), hash(&Strings::new("en", &none)));
    }

    #[test]
    fn counts_and_names_are_filled_in() {
        let none = BTreeMap::new();
        let en = Strings::new("en", &none);
        assert_eq!(en.count("tag_count", 1), "1 note");
        assert_eq!(en.count("tag_count", 3), "3 notes");
        assert_eq!(Strings::new("zh-CN", &none).count("tag_count", 1), "1 篇笔记");
        assert_eq!(en.format("tag_title", &[("name", "CNN")]), "Tag: CNN");
        assert_eq!(en.get("no_such_key"), "no_such_key");
    }

    #[test]
    fn an_unknown_override_names_its_line_in_site_toml() {
        #[derive(serde::Deserialize)]
        struct Site {
            strings: BTreeMap<String, Spanned<String>>,
        }
        let text = "title = \"t\"\n\n[strings]\nprev = \"Back\"\nnxet = \"On\"\n";
        let site: Site = toml::from_str(text).unwrap();
        let error = check(&site.strings, text, "site.toml").unwrap_err();
        assert_eq!((error.line, error.col), (5, 8), "{error}");
        assert!(error.message.contains("`nxet`"), "{error}");
        let fine: Site = toml::from_str("[strings]\nprev = \"Back\"\n").unwrap();
        assert!(check(&fine.strings, text, "site.toml").is_ok());
    }
}
