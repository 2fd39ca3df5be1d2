//! Addressing: what an id is called and where a link's target lives, in one output. A page is
//! rendered once for each output (its own page on the site, and its part of the print edition),
//! and every step that writes an id or an href (headings, links, footnotes, raw HTML) asks the
//! [`PageCx`] it is given, never which output it writes.

use std::borrow::Cow;
use std::collections::HashSet;

use super::target::{self, Target};
use crate::content::output_path;
use crate::urls;

/// Where the print edition is written, relative to the output folder.
pub const EDITION: &str = "print.html";

/// One output's ids and hrefs.
pub trait Address: Sync {
    /// What the id `id` of the page `page_rel` is called in this output.
    fn id<'i>(&self, page_rel: &str, id: &'i str) -> Cow<'i, str>;
    /// The href for a link from `page_rel`, written as `dest` and resolved to `target`.
    fn href(&self, page_rel: &str, dest: &str, target: &Target) -> String;
}

/// The page's own file on the site: ids as written, hrefs relative to the page.
pub struct OnSite;

impl Address for OnSite {
    fn id<'i>(&self, _: &str, id: &'i str) -> Cow<'i, str> {
        Cow::Borrowed(id)
    }

    fn href(&self, page_rel: &str, dest: &str, target: &Target) -> String {
        target::href(page_rel, dest, target)
    }
}

/// The page's part of the print edition, where every page shares one file at the output root:
/// each id takes the page's [`prefix`], a link to another page becomes a link into the edition,
/// and a link to a file is made relative to the root.
pub struct InEdition;

impl Address for InEdition {
    fn id<'i>(&self, page_rel: &str, id: &'i str) -> Cow<'i, str> {
        Cow::Owned(format!("{}:{id}", prefix(page_rel)))
    }

    fn href(&self, page_rel: &str, dest: &str, target: &Target) -> String {
        let in_edition = |rel: &str, anchor: Option<&str>| match anchor {
            None | Some("") => format!("#{}", prefix(rel)),
            Some(anchor) => format!("#{}:{anchor}", prefix(rel)),
        };
        match target {
            Target::SamePage(anchor) => in_edition(page_rel, Some(anchor)),
            Target::Page { rel, anchor } => in_edition(rel, anchor.as_deref()),
            Target::Asset { rel, .. } => urls::relative(EDITION, rel),
            Target::External | Target::Escapes | Target::RootAbsolute => dest.to_string(),
        }
    }
}

/// A page's id in the print edition, made from its own path alone (so adding a page changes no
/// other page's rendering): `/` and its output path without `.html`, e.g. `/cnn/receptive-field`.
/// The leading `/` keeps it apart from the theme's own ids (`main`, `sidebar`…); `:`, `%` and
/// white space (which an id may not hold) are percent-encoded, so `<prefix>:<id>` names one id of
/// one page.
pub fn prefix(page_rel: &str) -> String {
    let output = output_path(page_rel);
    let path = output.strip_suffix(".html").unwrap_or(&output);
    let mut prefix = String::with_capacity(path.len() + 1);
    prefix.push('/');
    for c in path.chars() {
        match c {
            ':' => prefix.push_str("%3A"),
            '%' => prefix.push_str("%25"),
            c if c.is_whitespace() => {
                for b in c.to_string().bytes() {
                    prefix.push_str(&format!("%{b:02X}"));
                }
            }
            c => prefix.push(c),
        }
    }
    prefix
}

/// What the steps of one rendering of one page know about where they write.
pub struct PageCx<'a> {
    /// The page's path under `content/`.
    pub rel: &'a str,
    /// Where the body starts in the page source (after the front matter).
    pub body_start: usize,
    /// Folders that are sections, so that a link to a folder reaches its index page.
    pub section_dirs: &'a HashSet<String>,
    pub address: &'a dyn Address,
    /// The accessible name of a heading's anchor link, in the site's language.
    pub anchor_label: &'a str,
}

impl PageCx<'_> {
    pub fn resolve(&self, dest: &str) -> Target {
        target::resolve(self.rel, dest, self.section_dirs)
    }

    pub fn href(&self, dest: &str, target: &Target) -> String {
        self.address.href(self.rel, dest, target)
    }

    pub fn id<'i>(&self, id: &'i str) -> Cow<'i, str> {
        self.address.id(self.rel, id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_depend_on_the_path_alone_and_never_collide() {
        assert_eq!(prefix("cnn/receptive-field.md"), "/cnn/receptive-field");
        assert_eq!(prefix("cnn/_index.md"), "/cnn/index");
        assert_eq!(prefix("main.md"), "/main");
        assert_eq!(prefix("a b:c%.md"), "/a%20b%3Ac%25");
        // Pages that an id-safe slug would merge stay apart.
        assert_ne!(prefix("a/b.md"), prefix("a-b.md"));
        assert_ne!(prefix("a b.md"), prefix("a_b.md"));
    }

    #[test]
    fn links_point_into_the_edition() {
        let page = |rel: &str, anchor: Option<&str>| Target::Page {
            rel: rel.into(),
            anchor: anchor.map(Into::into),
        };
        let e = InEdition;
        assert_eq!(
            e.href("cnn/a.md", "../opt/b.md#动量", &page("opt/b.md", Some("动量"))),
            "#/opt/b:动量"
        );
        assert_eq!(
            e.href("cnn/a.md", "../opt/b.md", &page("opt/b.md", None)),
            "#/opt/b"
        );
        assert_eq!(
            e.href("cnn/a.md", "#x", &Target::SamePage("x".into())),
            "#/cnn/a:x"
        );
        assert_eq!(e.id("cnn/a.md", "x"), "/cnn/a:x");
        let asset = Target::Asset {
            rel: "cnn/img/x.png".into(),
            from_static: false,
        };
        assert_eq!(e.href("cnn/a.md", "img/x.png", &asset), "cnn/img/x.png");
        assert_eq!(
            e.href("cnn/a.md", "https://a.b/c", &Target::External),
            "https://a.b/c"
        );
    }

    #[test]
    fn the_site_keeps_ids_and_links_relative_to_the_page() {
        let target = Target::Page {
            rel: "opt/b.md".into(),
            anchor: Some("动量".into()),
        };
        assert_eq!(
            OnSite.href("cnn/a.md", "../opt/b.md#动量", &target),
            "../opt/b.html#动量"
        );
        assert_eq!(OnSite.id("cnn/a.md", "x"), "x");
    }
}
