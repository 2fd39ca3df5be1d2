//! The renderer's SVG, made fit for a page: read back as XML and written again with
//! - only the elements and attributes the sanitizer keeps (so cleaning a page with raw HTML leaves
//!   a diagram as it is, and a page without raw HTML, which is never cleaned, is as safe): a
//!   `click` link's `<a>` is dropped but its content kept, and anything scripted or embedded
//!   (`<script>`, `<foreignObject>`) is dropped whole, as is a paint or marker that points outside
//!   the diagram (`url(https:…)`);
//! - every id (and every reference to one) prefixed, so that two diagrams on one page, or in one
//!   print edition, never share an id;
//! - each colour of the renderer's default theme given a class that repaints it from the site's
//!   palette in `style.css` ("Diagrams"), so a diagram follows the light and dark themes. The
//!   colour itself stays, for an SVG read without the stylesheet;
//! - its text escaped again, and collected as the diagram's labels.

use std::fmt::Write as _;

use quick_xml::escape::{escape, partial_escape, resolve_predefined_entity};
use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

use crate::markdown::sanitize;

/// Dropped with everything inside: script, style and embedded documents.
const DROPPED_WITH_CONTENT: &[&str] = &["script", "style", "foreignObject", "iframe", "object"];

/// The colours of the renderer's default theme (`mermaid_svg::Theme::default_theme`, its pie and
/// categorical scales) and the role each is repainted as: `style.css` has a `.df-<role>` (fill)
/// and a `.ds-<role>` (stroke) rule for each. `tint` (the categorical scales) keeps its hue and is
/// drawn fainter in the dark theme, so text on it stays legible.
pub const PAINTS: &[(&str, &str)] = &[
    ("#333", "ink"),
    ("#333333", "ink"),
    ("black", "ink"),
    ("#666", "muted"),
    ("#fff", "paper"),
    ("#ffffff", "paper"),
    ("white", "paper"),
    ("#ECECFF", "node"),
    ("#9370DB", "line"),
    ("#FFF5AD", "note"),
    ("#aaaa33", "note-line"),
    ("#e8e8e8", "label"),
    ("#FFFFDE", "cluster"),
    // pie1..12 past the first two (#ECECFF, #FFFFDE), then cScale0..11
    ("#B5FF20", "tint"),
    ("#B9B9FF", "tint"),
    ("#FFFF45", "tint"),
    ("#D7FF86", "tint"),
    ("#FF86FF", "tint"),
    ("#20FFFF", "tint"),
    ("#FF2020", "tint"),
    ("#FF20FF", "tint"),
    ("#20FF8F", "tint"),
    ("#FF5353", "tint"),
    ("#FFFFAB", "tint"),
    ("#E8FFB9", "tint"),
    ("#DCB9FF", "tint"),
    ("#FFB9FF", "tint"),
    ("#FFB9DC", "tint"),
    ("#FFB9B9", "tint"),
    ("#FFDCB9", "tint"),
    ("#DCFFB9", "tint"),
    ("#B9FFDC", "tint"),
    ("#B9FFFF", "tint"),
    ("#B9DCFF", "tint"),
];

/// A diagram ready for the page.
#[derive(Debug, Default, PartialEq)]
pub struct Drawn {
    /// The `<svg>` start tag.
    pub open: String,
    /// Everything after it, up to and with `</svg>`.
    pub rest: String,
    /// The text of each label once, in the order drawn.
    pub labels: Vec<String>,
}

/// Rewrites the renderer's `svg` with each id prefixed by `ids` (see the module comment). An
/// error is XML the renderer should never write.
pub fn rewrite(svg: &str, ids: &str) -> Result<Drawn, String> {
    let mut reader = Reader::from_str(svg);
    let mut out = Writer {
        ids,
        drawn: Drawn::default(),
        open: Vec::new(),
        dropped_depth: 0,
        label: None,
    };
    loop {
        match reader.read_event().map_err(|e| e.to_string())? {
            Event::Start(e) => out.start(&e, false)?,
            Event::Empty(e) => out.start(&e, true)?,
            Event::End(_) => out.end(),
            Event::Text(t) => out.text(&t.xml10_content()),
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref().map_err(|e| e.to_string())? {
                    Some(c) => c.to_string(),
                    None => {
                        let name = r.xml10_content();
                        resolve_predefined_entity(&name)
                            .ok_or_else(|| format!("unknown entity `&{name};`"))?
                            .to_string()
                    }
                };
                out.text(&resolved);
            }
            Event::Eof => break,
            // Comments, CDATA, declarations and processing instructions: nothing a reader sees.
            _ => {}
        }
    }
    Ok(out.drawn)
}

struct Writer<'i> {
    ids: &'i str,
    drawn: Drawn,
    /// For each open element: its name when its tags are written, `None` when they are dropped.
    open: Vec<Option<String>>,
    /// Depth inside an element dropped with its content (0: not inside one).
    dropped_depth: usize,
    /// The label being read, and the depth of its `<text>`.
    label: Option<(String, usize)>,
}

impl Writer<'_> {
    fn start(&mut self, e: &BytesStart, empty: bool) -> Result<(), String> {
        let name = e.name().into_inner();
        if self.dropped_depth > 0 || DROPPED_WITH_CONTENT.contains(&name) {
            self.dropped_depth += usize::from(!empty);
            return Ok(());
        }
        let root = self.open.is_empty() && self.drawn.open.is_empty();
        let keep = sanitize::keeps_svg_element(name);
        if name == "text" && !empty {
            self.label = Some((String::new(), self.open.len()));
        } else if name == "tspan"
            && let Some((label, _)) = &mut self.label
            && !label.is_empty()
            && has_attribute(e, "x")
        {
            // A tspan placed on its own `x` starts a new line of the label.
            label.push(' ');
        }
        if keep {
            let tag = self.tag(name, e, empty)?;
            if root {
                self.drawn.open = tag;
            } else {
                self.drawn.rest.push_str(&tag);
            }
        }
        if !empty {
            self.open.push(keep.then(|| name.to_string()));
        }
        Ok(())
    }

    /// The start tag as written: allowed attributes only, ids prefixed, theme colours classed.
    fn tag(&self, name: &str, e: &BytesStart, empty: bool) -> Result<String, String> {
        let mut tag = format!("<{name}");
        let mut classes = Vec::new();
        for attr in e.attributes() {
            let attr = attr.map_err(|e| e.to_string())?;
            let key = attr.key.into_inner();
            let value = attr
                .normalized_value(XmlVersion::Implicit1_0)
                .map_err(|e| e.to_string())?;
            if !sanitize::keeps_attribute(key, &value) {
                continue;
            }
            if key == "class" {
                classes.push(value.into_owned());
                continue;
            }
            if let Some(role) = paint_role(&value) {
                match key {
                    "fill" => classes.push(format!("df-{role}")),
                    "stroke" => classes.push(format!("ds-{role}")),
                    _ => {}
                }
            }
            let value = self.prefixed(key, &value);
            let _ = write!(tag, " {key}=\"{}\"", escape(value.as_str()));
        }
        if !classes.is_empty() {
            let _ = write!(tag, " class=\"{}\"", escape(classes.join(" ")));
        }
        tag.push_str(if empty { "/>" } else { ">" });
        Ok(tag)
    }

    /// An attribute's value with the ids it names prefixed: `id`, the ARIA references, and
    /// `url(#…)` in paints and markers.
    fn prefixed(&self, key: &str, value: &str) -> String {
        match key {
            "id" => format!("{}{value}", self.ids),
            "aria-labelledby" | "aria-describedby" => value
                .split_whitespace()
                .map(|id| format!("{}{id}", self.ids))
                .collect::<Vec<_>>()
                .join(" "),
            _ => value.replace("url(#", &format!("url(#{}", self.ids)),
        }
    }

    fn end(&mut self) {
        if self.dropped_depth > 0 {
            self.dropped_depth -= 1;
            return;
        }
        let Some(written) = self.open.pop() else { return };
        if let Some(name) = written {
            let _ = write!(self.drawn.rest, "</{name}>");
        }
        if let Some((label, _)) = self.label.take_if(|(_, depth)| *depth == self.open.len()) {
            let label = label.split_whitespace().collect::<Vec<_>>().join(" ");
            if !label.is_empty() && !self.drawn.labels.contains(&label) {
                self.drawn.labels.push(label);
            }
        }
    }

    fn text(&mut self, text: &str) {
        if self.dropped_depth > 0 {
            return;
        }
        if let Some((label, _)) = &mut self.label {
            label.push_str(text);
        }
        self.drawn.rest.push_str(&partial_escape(text));
    }
}

fn has_attribute(e: &BytesStart, name: &str) -> bool {
    e.attributes().flatten().any(|a| a.key.into_inner() == name)
}

/// The role of one of the default theme's colours (any case), if `value` is one.
fn paint_role(value: &str) -> Option<&'static str> {
    PAINTS
        .iter()
        .find(|(colour, _)| colour.eq_ignore_ascii_case(value.trim()))
        .map(|&(_, role)| role)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the renderer could write if a label or a directive slipped through it: none of it
    /// may reach the page.
    #[test]
    fn scripts_links_and_outside_references_are_dropped() {
        let svg = concat!(
            r##"<svg xmlns="http://www.w3.org/2000/svg" onload="x()" viewBox="0 0 9 9">"##,
            r##"<script>alert(1)</script><foreignObject><div>html</div></foreignObject>"##,
            r##"<a href="javascript:alert(1)"><text x="1" onclick="x()">kept &lt;b&gt; &amp; &#x4e2d;</text></a>"##,
            r##"<rect fill="url(https://example.com/p.svg#g)" stroke="url( 'https://x/#m')" width="1"/>"##,
            r##"<path marker-end="url(#arrow)" fill="\75 rl(x)" d="M0 0"/><image href="x.png"/>"##,
            r##"<!-- comment --><![CDATA[cdata]]></svg>"##,
        );
        let drawn = rewrite(svg, "p-").unwrap();
        let all = format!("{}{}", drawn.open, drawn.rest);
        assert_eq!(
            all,
            concat!(
                r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 9 9">"##,
                r##"<text x="1">kept &lt;b&gt; &amp; 中</text>"##,
                r##"<rect width="1"/><path marker-end="url(#p-arrow)" d="M0 0"/></svg>"##,
            )
        );
        assert_eq!(drawn.labels, ["kept <b> & 中"]);
    }

    #[test]
    fn ids_are_prefixed_and_theme_colours_classed() {
        let svg = concat!(
            r##"<svg aria-labelledby="t d"><title id="t">T</title><desc id="d">D</desc>"##,
            r##"<defs><marker id="m"><path fill="#333"/></marker></defs>"##,
            r##"<rect class="own" fill="#ececff" stroke="#9370DB"/><line stroke="#123456" marker-start="url(#m)"/>"##,
            r##"<text>a<tspan x="1" dy="1">b</tspan><tspan>c</tspan></text><text>a bc</text></svg>"##,
        );
        let drawn = rewrite(svg, "d1-").unwrap();
        assert_eq!(drawn.open, r#"<svg aria-labelledby="d1-t d1-d">"#);
        assert_eq!(
            drawn.rest,
            concat!(
                r##"<title id="d1-t">T</title><desc id="d1-d">D</desc>"##,
                r##"<defs><marker id="d1-m"><path fill="#333" class="df-ink"/></marker></defs>"##,
                r##"<rect fill="#ececff" stroke="#9370DB" class="own df-node ds-line"/>"##,
                r##"<line stroke="#123456" marker-start="url(#d1-m)"/>"##,
                r##"<text>a<tspan x="1" dy="1">b</tspan><tspan>c</tspan></text><text>a bc</text></svg>"##,
            )
        );
        // A label's lines are joined by a space, and a label drawn twice is listed once.
        assert_eq!(drawn.labels, ["a bc"]);
    }

    #[test]
    fn broken_xml_is_an_error() {
        assert!(rewrite("<svg><g></svg>", "p-").is_err());
        assert!(rewrite("<svg>&nbsp;</svg>", "p-").is_err());
    }
}
