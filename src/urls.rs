//! Relative URLs by construction: every internal link in the output is computed here from the
//! linking file's output path, so the site works from `file://`, under any sub-path, and on a
//! custom domain. `base_url` is used only for the sitemap and canonical links.

/// The href from the output file `from` to the output file `to` (both relative to the output
/// root, `/`-separated), e.g. `cnn/a.html` → `optimization/b.html` gives `../optimization/b.html`.
pub fn relative(from: &str, to: &str) -> String {
    let from_dirs: Vec<&str> = from.split('/').collect();
    let from_dirs = &from_dirs[..from_dirs.len() - 1];
    let to_parts: Vec<&str> = to.split('/').collect();
    let common = from_dirs
        .iter()
        .zip(&to_parts[..to_parts.len() - 1])
        .take_while(|(a, b)| a == b)
        .count();
    let mut href = "../".repeat(from_dirs.len() - common);
    href.push_str(&to_parts[common..].join("/"));
    href
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
