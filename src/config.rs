//! `site.toml`: the site-wide settings.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use crate::diagnostics::{Diagnostic, LineIndex};

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
    /// The site's own interface strings, replacing the theme's by key (see `strings`).
    #[serde(default)]
    pub strings: BTreeMap<String, Spanned<String>>,
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
    fn edit_url_points_into_content() {
        let mut c = Config::parse("title = \"x\"\nrepo_url = \"https://github.com/o/r/\"").unwrap();
        c.branch = "dev".into();
        assert_eq!(
            c.edit_url("cnn/a.md").unwrap(),
            "https://github.com/o/r/edit/dev/content/cnn/a.md"
        );
    }
}
