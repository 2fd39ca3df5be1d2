//! `site.toml`: the site-wide settings.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Deserializer};
use toml::Spanned;

use crate::diagnostics::{Diagnostic, LineIndex};

pub const FILE_NAME: &str = "site.toml";

/// Every setting is optional: a folder with no `site.toml` builds with the defaults, and the
/// load stage fills in a title and language left out (see [`content::load`](crate::content::load)).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Empty: the home page's title, else the site folder's name.
    #[serde(default)]
    pub title: String,
    /// Used only for `sitemap.xml` and canonical links: every other URL is relative.
    #[serde(default)]
    pub base_url: String,
    #[serde(default)]
    pub description: String,
    /// Empty: `zh-CN` when the notes are mostly CJK, else `en`.
    #[serde(default)]
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
    /// The notes' folder, relative to the site's; else `content/`, `docs/` or the site's folder.
    #[serde(default)]
    pub content_dir: Option<String>,
    /// Every problem is a warning and a site is still written (for adopting existing notes).
    #[serde(default)]
    pub lenient: bool,
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

fn default_branch() -> String {
    "main".into()
}

impl Config {
    /// The settings in `root/site.toml`; the defaults when there is none.
    pub fn load(root: &Path) -> Result<Self, Diagnostic> {
        match std::fs::read_to_string(root.join(FILE_NAME)) {
            Ok(text) => Self::parse(&text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self {
                branch: default_branch(),
                ..Self::default()
            }),
            Err(e) => Err(Diagnostic::error(FILE_NAME, 0, 0, format!("cannot read: {e}"))),
        }
    }

    pub fn parse(text: &str) -> Result<Self, Diagnostic> {
        let config: Self = toml::from_str(text).map_err(|e| {
            let (line, col) = e
                .span()
                .map_or((0, 0), |span| LineIndex::new(text).line_col(span.start));
            Diagnostic::error(FILE_NAME, line, col, e.message().to_string())
        })?;
        crate::strings::check(&config.strings, text, FILE_NAME)?;
        Ok(config)
    }

    /// The site-wide math macros as the markdown stage takes them, in name order.
    pub fn math_macros(&self) -> Vec<(String, String)> {
        self.math.macros.clone().into_iter().collect()
    }

    /// The "edit this page" URL for a file (its path from the site's folder, as
    /// [`Page::file`](crate::content::Page::file) names it), when the repository is known.
    pub fn edit_url(&self, file: &str) -> Option<String> {
        let repo = self.repo_url.as_deref()?.trim_end_matches('/');
        // A generated page names its folder: there is no file to edit.
        (!file.ends_with('/')).then(|| format!("{repo}/edit/{}/{file}", self.branch))
    }
}

/// `[limits]` in `site.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Tags one note may list.
    pub tags_per_note: usize,
    /// Output files one note may add: its page and the tag pages that list it alone.
    pub files_per_note: usize,
    /// The whole output (pages, listings, print edition, search index, static files), in megabytes.
    pub output_mb: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            tags_per_note: 50,
            files_per_note: 20,
            output_mb: 512,
        }
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
    fn every_setting_is_optional() {
        let dir = tempfile::tempdir().unwrap();
        let c = Config::load(dir.path()).unwrap();
        assert_eq!(
            (c.title.as_str(), c.branch.as_str(), c.lenient),
            ("", "main", false)
        );
        std::fs::write(
            dir.path().join(FILE_NAME),
            "lenient = true\ncontent_dir = \"notes\"\n",
        )
        .unwrap();
        let c = Config::load(dir.path()).unwrap();
        assert!(c.lenient);
        assert_eq!(c.content_dir.as_deref(), Some("notes"));
    }

    #[test]
    fn edit_url_points_into_content() {
        let mut c = Config::parse("title = \"x\"\nrepo_url = \"https://github.com/o/r/\"").unwrap();
        c.branch = "dev".into();
        assert_eq!(
            c.edit_url("content/cnn/a.md").unwrap(),
            "https://github.com/o/r/edit/dev/content/cnn/a.md"
        );
    }
}
