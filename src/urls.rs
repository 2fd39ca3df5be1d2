//! Relative URLs by construction: every internal link in the output is computed here from the
//! linking file's output path, so the site works from `file://`, under any sub-path, and on a
//! custom domain. `base_url` is used only for the sitemap and canonical links.

/// The href from the output file `from` to the output file `to` (both relative to the output
/// root, `/`-separated), e.g. `cnn/a.html` → `optimization/b.html` gives `../optimization/b.html`.
/// Output files keep their source names (spaces, CJK, parentheses), as GitHub does: what a URL
/// path cannot hold as it is (space, `%`, `#`, `?`, quotes, angle brackets, controls) is
/// percent-encoded, so the href reaches the file on a server and from `file://`; other
/// characters, CJK included, stay as written (browsers encode them as UTF-8).
pub fn relative(from: &str, to: &str) -> String {
    // Views make several hrefs per page on every rebuild: one allocation each.
    let from_dir = from.rfind('/').map_or("", |i| &from[..=i]);
    let to_dir = to.rfind('/').map_or("", |i| &to[..=i]);
    let common: usize = from_dir
        .split_inclusive('/')
        .zip(to_dir.split_inclusive('/'))
        .take_while(|(a, b)| a == b)
        .map(|(a, _)| a.len())
        .sum();
    let up = from_dir[common..].matches('/').count();
    let rest = &to[common..];
    let mut href = String::with_capacity(3 * up + rest.len());
    for _ in 0..up {
        href.push_str("../");
    }
    if rest.contains(needs_encoding) {
        for c in rest.chars() {
            if needs_encoding(c) {
                href.push_str(&format!("%{:02X}", c as u32));
            } else {
                href.push(c);
            }
        }
    } else {
        href.push_str(rest);
    }
    href
}

fn needs_encoding(c: char) -> bool {
    c.is_ascii_control() || matches!(c, ' ' | '"' | '#' | '%' | '<' | '>' | '?' | '`')
}

/// The prefix that leads from the output file `from` to the output root: `""` or `"../"`….
pub fn to_root(from: &str) -> String {
    "../".repeat(from.matches('/').count())
}

/// Joins a relative link onto a base folder, resolving `.` and `..`. `None` when the link climbs
/// above the root.
pub fn join(base_dir: &str, link: &str) -> Option<String> {
    let mut parts: Vec<&str> = base_dir.split('/').filter(|p| !p.is_empty()).collect();
    for part in link.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_hrefs() {
        assert_eq!(relative("index.html", "cnn/a.html"), "cnn/a.html");
        assert_eq!(relative("cnn/a.html", "index.html"), "../index.html");
        assert_eq!(relative("cnn/a.html", "cnn/b.html"), "b.html");
        assert_eq!(relative("cnn/a.html", "opt/b.html"), "../opt/b.html");
        assert_eq!(relative("a/b/c.html", "a/d.html"), "../d.html");
        assert_eq!(relative("a/b/c.html", "style.css"), "../../style.css");
        assert_eq!(relative("a/b/c.html", "a/bc/d.html"), "../bc/d.html");
        assert_eq!(relative("ab/x.html", "a/y.html"), "../a/y.html");
        assert_eq!(relative("a/x.html", "a/b/y.html"), "b/y.html");
        assert_eq!(
            relative("a b/x.html", "a b/c #1 (100%).html"),
            "c%20%231%20(100%25).html"
        );
        assert_eq!(relative("x.html", "第一章/图.png"), "第一章/图.png");
    }

    #[test]
    fn join_resolves_dots_and_refuses_escape() {
        assert_eq!(join("cnn", "../opt/m.md").unwrap(), "opt/m.md");
        assert_eq!(join("cnn", "./x.md").unwrap(), "cnn/x.md");
        assert_eq!(join("", "a/../b.md").unwrap(), "b.md");
        assert_eq!(join("cnn", "../../etc/passwd"), None);
    }

    #[test]
    fn to_root_prefix() {
        assert_eq!(to_root("index.html"), "");
        assert_eq!(to_root("a/b/c.html"), "../../");
    }
}
