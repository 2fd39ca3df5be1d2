//! Link targets: where a link written in a page points (another page, an anchor, a file, the
//! web), resolved as GitHub resolves relative links, and the site's href for it. Knows nothing of
//! events or outputs: the links step and the raw-HTML step both resolve through it, and each
//! output's [`Address`](super::address::Address) turns a target into its href.

use std::collections::HashSet;

use crate::content::{CONTENT_DIR, INDEX_NAMES, SECTION_INDEX, output_path};
use crate::urls;
use percent_encoding::percent_decode_str;

/// Where a link points, resolved against the linking page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// `http:`, `mailto:`, `//host`… passed through unchanged.
    External,
    /// `#anchor` on the same page (decoded, without `#`); empty for `[x]()`.
    SamePage(String),
    /// Another page, by its path under `content/`, with an optional decoded anchor.
    Page { rel: String, anchor: Option<String> },
    /// A file copied with the site: under `content/` (`from_static` false) or `static/`.
    Asset { rel: String, from_static: bool },
    /// A path that climbs out of the content and static folders.
    Escapes,
    /// `/path`: means the repository root on GitHub but the domain root on Pages.
    RootAbsolute,
}

/// Resolves `dest` written in the page `page_rel` (a path under `content/`).
pub fn resolve(page_rel: &str, dest: &str, section_dirs: &HashSet<String>) -> Target {
    let dest = dest.trim();
    if let Some(anchor) = dest.strip_prefix('#') {
        return Target::SamePage(decode(anchor));
    }
    if dest.is_empty() {
        return Target::SamePage(String::new());
    }
    if has_scheme(dest) || dest.starts_with("//") {
        return Target::External;
    }
    if dest.starts_with('/') || dest.starts_with('\\') {
        return Target::RootAbsolute;
    }
    let (path, fragment) = dest.split_once('#').map_or((dest, None), |(p, f)| (p, Some(f)));
    let path = path.split_once('?').map_or(path, |(p, _)| p);
    let path = decode(path).replace('\\', "/");
    let page_dir = format!("{CONTENT_DIR}/{}", parent(page_rel));
    let Some(joined) = urls::join(&page_dir, &path) else {
        return Target::Escapes;
    };
    if let Some(rel) = joined.strip_prefix("static/") {
        return Target::Asset {
            rel: rel.to_string(),
            from_static: true,
        };
    }
    let Some(rel) = joined.strip_prefix(CONTENT_DIR).and_then(|r| {
        if r.is_empty() {
            Some("")
        } else {
            r.strip_prefix('/')
        }
    }) else {
        return Target::Escapes;
    };
    let anchor = fragment.map(decode);
    // As on GitHub, a folder's README (or index) is the folder's page.
    let (dir, name) = rel.rsplit_once('/').unwrap_or(("", rel));
    if INDEX_NAMES.contains(&name) && section_dirs.contains(dir) {
        let index = if dir.is_empty() {
            SECTION_INDEX.to_string()
        } else {
            format!("{dir}/{SECTION_INDEX}")
        };
        return Target::Page { rel: index, anchor };
    }
    if rel.ends_with(".md") {
        return Target::Page {
            rel: rel.to_string(),
            anchor,
        };
    }
    if path.ends_with('/') || rel.is_empty() || section_dirs.contains(rel) {
        let index = if rel.is_empty() {
            SECTION_INDEX.to_string()
        } else {
            format!("{rel}/{SECTION_INDEX}")
        };
        return Target::Page { rel: index, anchor };
    }
    Target::Asset {
        rel: rel.to_string(),
        from_static: false,
    }
}

/// The href to write in the output for a link from `page_rel`. Output files keep their source
/// names (spaces, CJK, parentheses), as GitHub does; [`urls::relative`] encodes what a URL
/// cannot hold as it is.
pub fn href(page_rel: &str, dest: &str, target: &Target) -> String {
    let from = output_path(page_rel);
    let fragment = dest.split_once('#').map(|(_, f)| f);
    let with_fragment = |mut href: String| {
        if let Some(f) = fragment {
            href.push('#');
            href.push_str(f);
        }
        href
    };
    match target {
        Target::Page { rel, .. } => with_fragment(urls::relative(&from, &output_path(rel))),
        Target::Asset { rel, .. } => urls::relative(&from, rel),
        _ => dest.to_string(),
    }
}

fn has_scheme(dest: &str) -> bool {
    let Some((scheme, _)) = dest.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
}

/// The URL as a browser's URL parser reads its scheme: leading and trailing controls and spaces
/// trimmed, tabs and newlines removed, lowercase.
pub(super) fn compact(url: &str) -> String {
    url.trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Whether a link may point to `url`: relative URLs, http(s) and mailto, and for images
/// `data:image/*`, the same schemes the sanitizer allows.
pub fn is_safe_url(url: &str, is_image: bool) -> bool {
    let url = compact(url);
    if !has_scheme(&url) {
        return true;
    }
    ["http:", "https:", "mailto:"].iter().any(|s| url.starts_with(s))
        || (is_image && url.starts_with("data:image/"))
}

fn parent(rel: &str) -> &str {
    rel.rfind('/').map_or("", |i| &rel[..i])
}

fn decode(s: &str) -> String {
    percent_decode_str(s).decode_utf8_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dirs() -> HashSet<String> {
        ["cnn".to_string()].into_iter().collect()
    }

    #[test]
    fn only_safe_schemes_are_allowed() {
        for url in [
            "https://x.org",
            "HTTP://x",
            "mailto:a@b",
            "a.html#b",
            "../x:y",
            "#top",
            "",
            "//x.org/a",
            "a b:c",
        ] {
            assert!(is_safe_url(url, false), "{url}");
        }
        for url in [
            "javascript:alert(1)",
            " JavaScript:x",
            "java\tscr\nipt:x",
            "\u{1}vbscript:x",
            "data:text/html,x",
        ] {
            assert!(!is_safe_url(url, false) && !is_safe_url(url, true), "{url}");
        }
        assert!(is_safe_url("data:image/png;base64,AA", true));
        assert!(!is_safe_url("data:image/png;base64,AA", false));
    }

    #[test]
    fn md_links_become_html_links() {
        let t = resolve("cnn/a.md", "../opt/m.md#动量", &dirs());
        assert_eq!(
            t,
            Target::Page {
                rel: "opt/m.md".into(),
                anchor: Some("动量".into())
            }
        );
        assert_eq!(href("cnn/a.md", "../opt/m.md#动量", &t), "../opt/m.html#动量");
    }

    #[test]
    fn folders_and_index_files_become_index_html() {
        for dest in ["../cnn/", "../cnn", "../cnn/_index.md"] {
            let t = resolve("opt/m.md", dest, &dirs());
            assert_eq!(
                t,
                Target::Page {
                    rel: "cnn/_index.md".into(),
                    anchor: None
                },
                "{dest}"
            );
            assert_eq!(href("opt/m.md", dest, &t), "../cnn/index.html");
        }
        let t = resolve("cnn/a.md", "../", &dirs());
        assert_eq!(href("cnn/a.md", "../", &t), "../index.html");
    }

    #[test]
    fn readme_and_index_files_are_their_folders_page() {
        let mut with_home = dirs();
        with_home.insert(String::new());
        for dest in [
            "../cnn/README.md",
            "../cnn/readme.md",
            "../cnn/index.md",
            "../README.md",
        ] {
            let t = resolve("opt/m.md", dest, &with_home);
            let Target::Page { rel, .. } = &t else {
                panic!("{dest}: {t:?}");
            };
            assert!(rel.ends_with(SECTION_INDEX), "{dest}: {rel}");
        }
        assert_eq!(
            resolve("a.md", "other/README.md", &dirs()),
            Target::Page {
                rel: "other/README.md".into(),
                anchor: None
            },
            "not a section: checked as a page"
        );
    }

    #[test]
    fn spaced_and_encoded_names_resolve_and_hrefs_are_encoded() {
        for dest in ["my%20note%20(1).md", "<my note (1).md>"] {
            let dest = dest.trim_matches(['<', '>']);
            let t = resolve("cnn/a.md", dest, &dirs());
            assert_eq!(
                t,
                Target::Page {
                    rel: "cnn/my note (1).md".into(),
                    anchor: None
                }
            );
            assert_eq!(href("cnn/a.md", dest, &t), "my%20note%20(1).html");
        }
        let t = resolve("a.md", "ch02_机器学习基础/img/图 1#2.png", &dirs());
        assert_eq!(href("a.md", "x", &t), "ch02_机器学习基础/img/图%201");
        let t = resolve("a.md", "100%25.pdf", &dirs());
        assert_eq!(href("a.md", "100%25.pdf", &t), "100%25.pdf");
    }

    #[test]
    fn percent_encoded_anchor_is_decoded_for_checking() {
        let t = resolve("a.md", "b.md#%E6%84%9F%E5%8F%97%E9%87%8E", &dirs());
        assert_eq!(
            t,
            Target::Page {
                rel: "b.md".into(),
                anchor: Some("感受野".into())
            }
        );
    }

    #[test]
    fn external_escape_absolute_and_assets() {
        assert_eq!(resolve("a.md", "https://x.org/a.md", &dirs()), Target::External);
        assert_eq!(resolve("a.md", "mailto:a@b", &dirs()), Target::External);
        assert_eq!(
            resolve("cnn/a.md", "../../../etc/passwd", &dirs()),
            Target::Escapes
        );
        assert_eq!(resolve("cnn/a.md", "../../src/main.rs", &dirs()), Target::Escapes);
        assert_eq!(resolve("a.md", "/cnn/a.md", &dirs()), Target::RootAbsolute);
        assert_eq!(
            resolve("cnn/a.md", "img/x.png", &dirs()),
            Target::Asset {
                rel: "cnn/img/x.png".into(),
                from_static: false
            }
        );
        let t = resolve("cnn/a.md", "../../static/logo.svg", &dirs());
        assert_eq!(
            t,
            Target::Asset {
                rel: "logo.svg".into(),
                from_static: true
            }
        );
        assert_eq!(href("cnn/a.md", "../../static/logo.svg", &t), "../logo.svg");
        assert_eq!(
            resolve("cnn/a.md", "img\\x.png", &dirs()),
            Target::Asset {
                rel: "cnn/img/x.png".into(),
                from_static: false
            }
        );
    }
}
