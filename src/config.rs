//! `site.toml`: the site-wide settings.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Deserializer};
use toml::Spanned;

use crate::diagnostics::{Diagnostic, LineIndex};
use crate::limits::Limits;

pub const FILE_NAME: &str = "site.toml";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub title: String,
    /// Used only for `sitemap.xml` and canonical links: every other URL is relative.
    #[serde(default)]
    pub base_url: String,
    #[serde(default)]
    pub description: String,
    #[serde(default = "default_language")]
    pub language: String,
    /// The GitHub repository, for "edit this page" links.
    #[serde(default)]
    pub repo_url: Option<String>,
    #[serde(default = "default_branch")]
    pub branch: String,
    /// Trusted sites may keep raw HTML unsanitized.
    #[serde(default)]
    pub unsafe_html: bool,
    #[serde(default)]
    pub math: Math,
    /// The site's own interface strings, replacing the theme's by key (see `strings`).
    #[serde(default)]
    pub strings: BTreeMap<String, Spanned<String>>,
    /// What one note can make the build produce (see [`Limits`]).
    #[serde(default)]
    pub limits: Limits,
}

/// `[math]`: settings of every page's formulas.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Math {
    /// `[math.macros]`: `R = '\mathbb{R}'` or `'\norm' = '\lVert #1 \rVert'`, as KaTeX's
    /// `macros` option: name (backslash optional) → body, `#1`… for arguments.
    #[serde(default, deserialize_with = "macros")]
    pub macros: BTreeMap<String, String>,
}

/// Macro names without their backslash; a name that is not one TeX command is an error at
/// its key's line.
fn macros<'de, D: Deserializer<'de>>(deserializer: D) -> Result<BTreeMap<String, String>, D::Error> {
    let raw = BTreeMap::<String, String>::deserialize(deserializer)?;
    let mut out = BTreeMap::new();
    for (name, body) in raw {
        let bare = name.strip_prefix('\\').unwrap_or(&name);
        let word = !bare.is_empty() && bare.bytes().all(|b| b.is_ascii_alphabetic());
        let symbol = bare.chars().count() == 1;
        if !(word || symbol) {
            return Err(serde::de::Error::custom(format!(
                "math macro `{name}`: a name is letters only (`R`, `norm`) or one symbol"
            )));
        }
        out.insert(bare.to_string(), body);
    }
    Ok(out)
}

fn default_language() -> String {
    "zh-CN".into()
}

fn default_branch() -> String {
    "main".into()
}

impl Config {
    pub fn load(root: &Path) -> Result<Self, Diagnostic> {
        let path = root.join(FILE_NAME);
        let text = std::fs::read_to_string(&path)
            .map_err(|e| Diagnostic::error(FILE_NAME, 0, 0, format!("cannot read: {e}")))?;
        Self::parse(&text)
    }

    pub fn parse(text: &str) -> Result<Self, Diagnostic> {
        let config: Self = toml::from_str(text).map_err(|e| {
            let (line, col) = e
                .span()
                .map_or((0, 0), |span| LineIndex::new(text).line_col(span.start));
            Diagnostic::error(FILE_NAME, line, col, e.message().to_string())
        })?;
        crate::strings::check(&config.strings, text)?;
        Ok(config)
    }

    /// The site-wide math macros as the markdown stage takes them, in name order.
    pub fn math_macros(&self) -> Vec<(String, String)> {
        self.math.macros.clone().into_iter().collect()
    }

    /// The "edit this page" URL for a file under `content/`, when the repository is known.
    pub fn edit_url(&self, content_rel: &str) -> Option<String> {
        let repo = self.repo_url.as_deref()?.trim_end_matches('/');
        Some(format!("{repo}/edit/{}/content/{content_rel}", self.branch))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_key_names_its_line() {
        let err = Config::parse("title = \"x\"\n\nbogus = 1\n").unwrap_err();
        assert_eq!(err.line, 3);
        assert!(err.message.contains("bogus"), "{}", err.message);
    }

    #[test]
    fn limits_default_and_can_be_changed() {
        let c = Config::parse("title = \"x\"\n").unwrap();
        assert_eq!(c.limits, Limits::default());
        let c = Config::parse("title = \"x\"\n[limits]\ntags_per_note = 3\n").unwrap();
        assert_eq!(c.limits.tags_per_note, 3);
        assert_eq!(c.limits.output_mb, Limits::default().output_mb);
        let err = Config::parse("title = \"x\"\n[limits]\ntags = 3\n").unwrap_err();
        assert_eq!(err.line, 3);
    }

    #[test]
    fn math_macros_drop_the_backslash() {
        let c = Config::parse(
            "title = \"x\"\n[math.macros]\nR = '\\mathbb{R}'\n'\\norm' = '\\lVert #1 \\rVert'\n",
        )
        .unwrap();
        assert_eq!(
            c.math_macros(),
            [
                ("R".to_string(), r"\mathbb{R}".to_string()),
                ("norm".to_string(), r"\lVert #1 \rVert".to_string())
            ]
        );
    }

    #[test]
    fn bad_macro_name_names_its_line() {
        let err = Config::parse("title = \"x\"\n\n[math.macros]\n'a b' = 'x'\n").unwrap_err();
        assert_eq!(err.line, 3, "{err:?}");
        assert!(err.message.contains("`a b`"), "{}", err.message);
    }

    #[test]
    fn edit_url_points_into_content() {
        let mut c = Config::parse("title = \"x\"\nrepo_url = \"https://github.com/o/r/\"").unwrap();
        c.branch = "dev".into();
        assert_eq!(
            c.edit_url("cnn/a.md").unwrap(),
            "https://github.com/o/r/edit/dev/content/cnn/a.md"
        );
    }
}
