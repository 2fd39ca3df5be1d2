//! A page's body as a part of the print edition, where every page shares one file at the output
//! root: each id the body defines takes the page's prefix (`<prefix>--<id>`), a link to another
//! page becomes a link into the edition, and a link to a file stays relative to the root.

use std::collections::HashMap;
use std::ops::Range;

use pulldown_cmark::{CowStr, Event, Tag};

use super::links::Target;
use crate::content::output_path;
use crate::urls;

/// Where the edition is written, relative to the output folder.
pub const OUTPUT: &str = "print.html";

pub struct InEdition<'a> {
    /// This page's prefix.
    pub prefix: &'a str,
    /// Every page's prefix (its id in the edition), by its path under `content/`.
    pub prefixes: &'a HashMap<String, String>,
}

impl InEdition<'_> {
    /// What an id of this page becomes in the edition.
    pub fn id(&self, id: &str) -> String {
        format!("{}--{id}", self.prefix)
    }

    /// The href for a link written as `dest` and resolved to `target`.
    pub fn href(&self, dest: &str, target: &Target) -> String {
        let in_page = |prefix: &str, anchor: &Option<String>| match anchor.as_deref() {
            None | Some("") => format!("#{prefix}"),
            Some(anchor) => format!("#{prefix}--{anchor}"),
        };
        match target {
            Target::SamePage(anchor) => in_page(self.prefix, &Some(anchor.clone())),
            Target::Page { rel, anchor } => match self.prefixes.get(rel) {
                Some(prefix) => in_page(prefix, anchor),
                // Not in the edition (the link check has already reported it): the page itself.
                None => urls::relative(OUTPUT, &output_path(rel)),
            },
            Target::Asset { rel, .. } => urls::relative(OUTPUT, rel),
            Target::External | Target::Escapes | Target::RootAbsolute => dest.to_string(),
        }
    }
}

/// Gives footnotes the page's prefix: pulldown-cmark uses a footnote's label as its id.
pub fn footnotes<'a>(
    events: impl Iterator<Item = (Event<'a>, Range<usize>)>,
    edition: Option<&InEdition>,
) -> impl Iterator<Item = (Event<'a>, Range<usize>)> {
    events.map(move |(event, range)| {
        let Some(edition) = edition else {
            return (event, range);
        };
        let event = match event {
            Event::FootnoteReference(label) => Event::FootnoteReference(CowStr::from(edition.id(&label))),
            Event::Start(Tag::FootnoteDefinition(label)) => {
                Event::Start(Tag::FootnoteDefinition(CowStr::from(edition.id(&label))))
            }
            other => other,
        };
        (event, range)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_point_into_the_edition() {
        let prefixes: HashMap<String, String> = [("cnn/a.md", "cnn-a"), ("opt/b.md", "opt-b")]
            .into_iter()
            .map(|(r, p)| (r.to_string(), p.to_string()))
            .collect();
        let e = InEdition {
            prefix: "cnn-a",
            prefixes: &prefixes,
        };
        let page = |rel: &str, anchor: Option<&str>| Target::Page {
            rel: rel.into(),
            anchor: anchor.map(Into::into),
        };
        assert_eq!(
            e.href("../opt/b.md#动量", &page("opt/b.md", Some("动量"))),
            "#opt-b--动量"
        );
        assert_eq!(e.href("../opt/b.md", &page("opt/b.md", None)), "#opt-b");
        assert_eq!(e.href("#x", &Target::SamePage("x".into())), "#cnn-a--x");
        assert_eq!(e.href("gone.md", &page("cnn/gone.md", None)), "cnn/gone.html");
        let asset = Target::Asset {
            rel: "cnn/img/x.png".into(),
            from_static: false,
        };
        assert_eq!(e.href("img/x.png", &asset), "cnn/img/x.png");
        assert_eq!(e.href("https://a.b/c", &Target::External), "https://a.b/c");
    }
}
