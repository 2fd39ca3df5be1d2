//! Raw HTML written in notes. Notes arrive from strangers' pull requests, so raw HTML must never
//! run script in a reader's browser, yet harmless markup (`<sub>`, `<kbd>`, `<details>`, tables,
//! `<img width>`) and links written as HTML must keep working.
//!
//! Decision: two parts.
//! - [`raw_html`], an event step placed first in the chain (so it sees only HTML from the
//!   source, never HTML that later steps generate), tokenizes each raw HTML event (an HTML block
//!   as a whole, since pulldown-cmark splits it by line) and rewrites `<a href>` and `<img src>`
//!   exactly as markdown links are rewritten, recording each for the link checker. An inline tag
//!   that is not an HTML element (`List<T>`, `<Tensor>`) is shown as the text it is instead of
//!   vanishing as an unknown tag. This runs for trusted sites (`unsafe_html = true`) too.
//! - [`clean`] sanitizes the *whole rendered body* once with ammonia. Raw HTML arrives in
//!   fragments (`<details>` in one event, `</details>` several events later), so sanitizing
//!   fragments one by one would break their structure; the whole body is one well-formed
//!   fragment. The allow-list is therefore what figmark itself generates (pulldown-cmark's
//!   markup, heading anchors, `hl-*` highlighting classes, inline SVG figures, MathML) plus
//!   harmless user markup. A user may write `<svg>` or `<math>` too: they get the same
//!   constrained elements and attributes — never `<script>`, `<style>`, `<foreignObject>`,
//!   animation elements, event handlers, or URLs other than http(s), mailto, relative ones, and
//!   `data:image/*` in `<img src>`; `style` keeps only layout properties, none of which takes
//!   `url()`. A test renders every kind of generated markup and checks that cleaning keeps it.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashSet;
use std::ops::Range;
use std::sync::LazyLock;

use ammonia::Builder;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use pulldown_cmark::{CowStr, Event, Tag, TagEnd};
use pulldown_cmark_escape::{escape_html, escape_html_body_text};

use super::address::PageCx;
use super::links::Link;
use super::target::compact;

/// HTML elements users may write and figmark generates.
const HTML_TAGS: &[&str] = &[
    "a",
    "abbr",
    "b",
    "bdi",
    "bdo",
    "blockquote",
    "br",
    "caption",
    "cite",
    "code",
    "col",
    "colgroup",
    "dd",
    "del",
    "details",
    "dfn",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "input",
    "ins",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "rp",
    "rt",
    "ruby",
    "s",
    "samp",
    "small",
    "span",
    "strike",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "time",
    "tr",
    "tt",
    "u",
    "ul",
    "var",
    "wbr",
];
/// SVG elements the figure and diagram steps draw with (no `foreignObject`, `use`, `image` or
/// animation).
const SVG_TAGS: &[&str] = &[
    "svg", "g", "rect", "line", "polyline", "polygon", "path", "circle", "ellipse", "text", "tspan", "title",
    "desc", "defs", "marker",
];
const MATHML_TAGS: &[&str] = &[
    "math",
    "semantics",
    "annotation",
    "mrow",
    "mi",
    "mo",
    "mn",
    "ms",
    "mtext",
    "mspace",
    "msup",
    "msub",
    "msubsup",
    "mfrac",
    "msqrt",
    "mroot",
    "mstyle",
    "mpadded",
    "mphantom",
    "menclose",
    "mtable",
    "mtr",
    "mtd",
    "mlabeledtr",
    "munder",
    "mover",
    "munderover",
    "mmultiscripts",
    "mprescripts",
    "none",
    "merror",
];
/// Removed together with their content: it is code or an embedded document, not prose.
const DROPPED_WITH_CONTENT: &[&str] = &[
    "script", "style", "iframe", "object", "embed", "noscript", "noembed", "noframes", "template", "xmp",
    "frameset", "applet",
];
/// Other elements of HTML: not allowed, but a tag of one of these is markup, not text.
const OTHER_HTML_TAGS: &[&str] = &[
    "acronym",
    "address",
    "area",
    "article",
    "aside",
    "audio",
    "base",
    "basefont",
    "big",
    "blink",
    "body",
    "button",
    "canvas",
    "center",
    "data",
    "datalist",
    "dialog",
    "dir",
    "fieldset",
    "font",
    "footer",
    "form",
    "frame",
    "head",
    "header",
    "hgroup",
    "html",
    "label",
    "legend",
    "link",
    "listing",
    "main",
    "map",
    "marquee",
    "menu",
    "meta",
    "meter",
    "nav",
    "nobr",
    "optgroup",
    "option",
    "output",
    "param",
    "picture",
    "plaintext",
    "progress",
    "rtc",
    "search",
    "section",
    "select",
    "slot",
    "source",
    "textarea",
    "track",
    "video",
];
/// Attributes allowed on every element: ids, classes, accessibility, and the presentation
/// attributes of SVG and MathML, none of which holds a URL.
const GENERIC_ATTRIBUTES: &[&str] = &[
    "id",
    "class",
    "lang",
    "title",
    "dir",
    "role",
    "aria-label",
    "aria-hidden",
    "aria-describedby",
    "aria-labelledby",
    "aria-roledescription",
    "style",
    "width",
    "height",
    "align",
    "xmlns",
    "viewBox",
    "preserveAspectRatio",
    "x",
    "y",
    "x1",
    "x2",
    "y1",
    "y2",
    "dx",
    "dy",
    "cx",
    "cy",
    "r",
    "rx",
    "ry",
    "d",
    "points",
    "transform",
    "fill",
    "fill-opacity",
    "fill-rule",
    "stroke",
    "stroke-width",
    "stroke-opacity",
    "stroke-dasharray",
    "stroke-linecap",
    "stroke-linejoin",
    "marker-start",
    "marker-mid",
    "marker-end",
    "markerWidth",
    "markerHeight",
    "refX",
    "refY",
    "orient",
    "opacity",
    "font-family",
    "font-size",
    "font-weight",
    "font-style",
    "text-anchor",
    "dominant-baseline",
    "display",
    "mathvariant",
    "stretchy",
    "fence",
    "separator",
    "lspace",
    "rspace",
    "accent",
    "accentunder",
    "columnalign",
    "rowalign",
    "columnspacing",
    "rowspacing",
    "columnlines",
    "rowlines",
    "frame",
    "depth",
    "linethickness",
    "scriptlevel",
    "displaystyle",
    "encoding",
    "minsize",
    "maxsize",
    "movablelimits",
    "largeop",
    "symmetric",
    "notation",
    "form",
    "voffset",
];
/// `style` keeps these only: layout, no property that takes `url()`, and the two custom
/// properties a figure sets for its smallest legible width (style.css reads them as `min-width`).
const STYLE_PROPERTIES: &[&str] = &[
    "text-align",
    "max-width",
    "width",
    "height",
    "vertical-align",
    "--fig-phone",
    "--fig-wide",
];
/// Allowed attributes whose value is CSS, where `url()` may name a resource.
const CSS_ATTRIBUTES: &[&str] = &[
    "fill",
    "stroke",
    "marker-start",
    "marker-mid",
    "marker-end",
    "style",
];
const URL_ATTRIBUTES: &[&str] = &["href", "src", "xlink:href", "action", "formaction", "poster"];

/// Whether `name` (lowercase) is an element a browser knows, as opposed to text in brackets.
fn is_element(name: &str) -> bool {
    [
        HTML_TAGS,
        SVG_TAGS,
        MATHML_TAGS,
        DROPPED_WITH_CONTENT,
        OTHER_HTML_TAGS,
    ]
    .iter()
    .any(|list| list.contains(&name))
}

static SANITIZER: LazyLock<Builder<'static>> = LazyLock::new(|| {
    let set = |list: &[&'static str]| list.iter().copied().collect::<HashSet<_>>();
    let mut b = Builder::empty();
    b.tags(set(HTML_TAGS))
        .add_tags(SVG_TAGS)
        .add_tags(MATHML_TAGS)
        .clean_content_tags(set(DROPPED_WITH_CONTENT))
        .generic_attributes(set(GENERIC_ATTRIBUTES))
        .tag_attributes(
            [
                ("a", &["href", "hreflang"][..]),
                ("img", &["src", "alt", "loading"]),
                ("ol", &["start", "type"]),
                ("li", &["value"]),
                ("td", &["colspan", "rowspan"]),
                ("th", &["colspan", "rowspan", "scope"]),
                ("col", &["span"]),
                ("colgroup", &["span"]),
                ("details", &["open"]),
                ("time", &["datetime"]),
                ("input", &["checked", "disabled"]),
            ]
            .into_iter()
            .map(|(tag, attrs)| (tag, set(attrs)))
            .collect(),
        )
        .tag_attribute_values([("input", [("type", set(&["checkbox"]))].into())].into())
        .url_schemes(set(&["http", "https", "mailto", "data"]))
        .filter_style_properties(set(STYLE_PROPERTIES))
        .link_rel(None)
        .strip_comments(true)
        .attribute_filter(|element, attribute, value| {
            if !is_local_paint(attribute, value) {
                return None;
            }
            if URL_ATTRIBUTES.contains(&attribute) && is_data_url(value) {
                let image = element == "img" && attribute == "src" && is_data_image(value);
                return image.then_some(Cow::Borrowed(value));
            }
            Some(Cow::Borrowed(value))
        });
    b
});

/// Whether the value of `attribute`, if it is read as CSS, names no resource or only an element
/// of the same page (`url(#id)`, how a paint or a marker points at its definition):
/// `url(https:…)` in `fill` or `marker-end` would load from elsewhere. A CSS escape (`\75 rl(`)
/// could spell `url(` otherwise, so a value with a backslash and a bracket is refused too.
fn is_local_paint(attribute: &str, value: &str) -> bool {
    if !CSS_ATTRIBUTES.contains(&attribute) {
        return true;
    }
    let compact = compact(value);
    let escaped = compact.contains('\\') && compact.contains('(');
    !escaped
        && compact.match_indices("url(").all(|(at, _)| {
            compact[at + 4..]
                .trim_start_matches(|c: char| c.is_whitespace() || c == '"' || c == '\'')
                .starts_with('#')
        })
}

/// Whether [`clean`] keeps the SVG element `name`: what figmark's own SVG may hold.
pub(super) fn keeps_svg_element(name: &str) -> bool {
    SVG_TAGS.contains(&name)
}

/// Whether [`clean`] keeps the attribute `name` with `value` on any element.
pub(super) fn keeps_attribute(name: &str, value: &str) -> bool {
    GENERIC_ATTRIBUTES.contains(&name) && is_local_paint(name, value)
}

fn is_data_url(url: &str) -> bool {
    compact(url).starts_with("data:")
}

fn is_data_image(url: &str) -> bool {
    compact(url).starts_with("data:image/")
}

/// Sanitizes a rendered page body (see the module comment for what stays).
pub fn clean(html: &str) -> String {
    SANITIZER.clean(html).to_string()
}

/// Rewrites links in raw HTML for `cx`'s output and shows bracketed non-tags as text. Raw HTML
/// links are recorded in `links` (kept apart from markdown links, whose order the text step
/// relies on). `html_seen` becomes true when the page holds raw HTML, which [`clean`] must then
/// sanitize. Raw HTML is what pulldown-cmark gives as inline HTML or inside an HTML block; a
/// bare `Html` event is markup made by figmark's own steps (figures, code), left as it is.
pub fn raw_html<'a: 'o, 'o>(
    mut events: impl Iterator<Item = (Event<'a>, Range<usize>)> + 'o,
    cx: &'o PageCx<'o>,
    links: &'o mut Vec<Link>,
    html_seen: &'o mut bool,
) -> impl Iterator<Item = (Event<'a>, Range<usize>)> + 'o {
    let mut pending: Vec<(Event<'a>, Range<usize>)> = Vec::new();
    std::iter::from_fn(move || {
        if let Some(ev) = pending.pop() {
            return Some(ev);
        }
        let (event, range) = events.next()?;
        let mut linker = Linker { cx, links };
        match event {
            Event::InlineHtml(html) => {
                let tokens = tokenize(&html);
                if let [(Token::TagToken(tag), _)] = tokens.as_slice()
                    && !is_element(&tag.name)
                {
                    return Some((Event::Text(html), range));
                }
                *html_seen = true;
                let pieces = [(0, cx.body_start + range.start)];
                let out = linker.serialize(&tokens, &html, &pieces);
                Some((Event::InlineHtml(CowStr::from(out)), range))
            }
            Event::Start(Tag::HtmlBlock) => {
                *html_seen = true;
                let mut text = String::new();
                // (offset in `text`, offset in the page source) of each line pulldown-cmark gave.
                let mut pieces = Vec::new();
                let mut end = (Event::End(TagEnd::HtmlBlock), range.clone());
                for (ev, r) in events.by_ref() {
                    match ev {
                        Event::Html(line) => {
                            pieces.push((text.len(), cx.body_start + r.start));
                            text.push_str(&line);
                        }
                        other => {
                            end = (other, r);
                            break;
                        }
                    }
                }
                let out = linker.serialize(&tokenize(&text), &text, &pieces);
                pending.push(end);
                pending.push((Event::Html(CowStr::from(out)), range.clone()));
                Some((Event::Start(Tag::HtmlBlock), range))
            }
            other => Some((other, range)),
        }
    })
}

struct Linker<'s> {
    cx: &'s PageCx<'s>,
    links: &'s mut Vec<Link>,
}

impl Linker<'_> {
    /// Writes the tokens back as HTML, with link attributes rewritten. `pieces` maps offsets in
    /// `text` to offsets in the page source, for the recorded links' positions.
    fn serialize(&mut self, tokens: &[(Token, u64)], text: &str, pieces: &[(usize, usize)]) -> String {
        let line_starts: Vec<usize> = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        let source_offset = |line: u64| {
            let at = line_starts
                .get((line as usize).saturating_sub(1))
                .copied()
                .unwrap_or(0);
            let piece = pieces
                .partition_point(|&(start, _)| start <= at)
                .saturating_sub(1);
            pieces
                .get(piece)
                .map_or(0, |&(start, source)| source + (at - start))
        };
        let mut out = String::new();
        let mut raw_text = false;
        for (token, line) in tokens {
            match token {
                Token::TagToken(tag) => {
                    let name: &str = &tag.name;
                    if tag.kind == TagKind::EndTag {
                        raw_text = false;
                        out.push_str(&format!("</{name}>"));
                        continue;
                    }
                    raw_text = raw_kind(name).is_some_and(|k| k != RawKind::Rcdata) && !tag.self_closing;
                    out.push('<');
                    out.push_str(name);
                    for attr in &tag.attrs {
                        let attr_name = attr.name.local.to_string();
                        let is_link =
                            (name == "a" && attr_name == "href") || (name == "img" && attr_name == "src");
                        let value = if is_link {
                            self.record(&attr.value, name == "img", source_offset(*line))
                        } else {
                            attr.value.to_string()
                        };
                        out.push(' ');
                        out.push_str(&attr_name);
                        out.push_str("=\"");
                        escape_html(&mut out, &value).ok();
                        out.push('"');
                    }
                    out.push_str(if tag.self_closing { " />" } else { ">" });
                }
                Token::CharacterTokens(t) if raw_text => out.push_str(t),
                Token::CharacterTokens(t) => {
                    escape_html_body_text(&mut out, t).ok();
                }
                Token::CommentToken(c) => out.push_str(&format!("<!--{c}-->")),
                Token::DoctypeToken(_)
                | Token::NullCharacterToken
                | Token::EOFToken
                | Token::ParseError(_) => {}
            }
        }
        out
    }

    fn record(&mut self, dest: &str, is_image: bool, offset: usize) -> String {
        // As a browser's URL parser reads it, so `&#14;javascript:` is seen as the scheme it is.
        let dest: String = dest
            .trim_matches(|c: char| c <= ' ')
            .chars()
            .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
            .collect();
        let dest = dest.as_str();
        let target = self.cx.resolve(dest);
        let new = self.cx.href(dest, &target);
        self.links.push(Link {
            dest: dest.to_string(),
            target,
            href: new.clone(),
            edition_href: String::new(),
            is_image,
            offset,
            sentence: String::new(),
        });
        new
    }
}

/// The text state a start tag switches the tokenizer to, as a browser's parser would.
fn raw_kind(name: &str) -> Option<RawKind> {
    match name {
        "title" | "textarea" => Some(RawKind::Rcdata),
        "style" | "xmp" | "iframe" | "noembed" | "noframes" | "noscript" => Some(RawKind::Rawtext),
        "script" => Some(RawKind::ScriptData),
        _ => None,
    }
}

#[derive(Default)]
struct Collector {
    tokens: RefCell<Vec<(Token, u64)>>,
}

impl TokenSink for Collector {
    type Handle = ();

    fn process_token(&self, token: Token, line: u64) -> TokenSinkResult<()> {
        let switch = match &token {
            Token::TagToken(tag) if tag.kind == TagKind::StartTag && !tag.self_closing => raw_kind(&tag.name),
            _ => None,
        };
        if matches!(token, Token::EOFToken | Token::ParseError(_)) {
            return TokenSinkResult::Continue;
        }
        let mut tokens = self.tokens.borrow_mut();
        // Adjacent character tokens are merged so text is escaped in one piece.
        match (tokens.last_mut(), token) {
            (Some((Token::CharacterTokens(prev), _)), Token::CharacterTokens(t)) => prev.push_tendril(&t),
            (_, token) => tokens.push((token, line)),
        }
        switch.map_or(TokenSinkResult::Continue, TokenSinkResult::RawData)
    }
}

fn tokenize(html: &str) -> Vec<(Token, u64)> {
    let tokenizer = Tokenizer::new(Collector::default(), TokenizerOpts::default());
    let queue = BufferQueue::default();
    queue.push_back(html.into());
    let _ = tokenizer.feed(&queue);
    tokenizer.end();
    tokenizer.sink.tokens.take()
}

#[cfg(test)]
mod tests {

    use crate::content::Page;

    fn page(body: &str) -> Page {
        Page::parse("cnn/a.md", format!("---\ntitle: t\n---\n{body}")).expect("valid front matter")
    }

    fn render(body: &str, unsafe_html: bool) -> crate::markdown::Rendered {
        let dirs = ["cnn".to_string()].into_iter().collect();
        crate::markdown::render(&page(body), &dirs, unsafe_html, &[], &Default::default())
    }

    /// The same markup as a browser's parser would write it back; ammonia also drops the
    /// spaces in `style` values and a `;` that ends one.
    fn normalized(html: &str) -> String {
        let html = html.replace(": ", ":").replace("; ", ";").replace(";\"", "\"");
        scraper::Html::parse_fragment(&html).root_element().inner_html()
    }

    #[test]
    fn figmark_markup_survives_cleaning() {
        let body = concat!(
            "# 标题 {#custom .c}\n\n## 二\n\n| a | b | c |\n|:--|:-:|--:|\n| 1 | 2 | 3 |\n\n",
            "- [x] done\n- [ ] todo\n\n1. one\n\n3. three\n\n~~old~~ **b** *i* `c` [l](b.md#x) ![i](img/a.png \"t\")\n\n",
            "脚注[^n]\n\n[^n]: 注\n\n> [!NOTE]\n> alert\n\n```rust\nfn f() -> u8 { 1 }\n```\n\n$x^2$ and\n\n$$\\frac12$$\n\n---\n\n",
            "```mermaid\n---\ntitle: 图\n---\nflowchart LR\n  accTitle: t\n  accDescr: d\n  A[a] -->|x| B((b)) --x C{c}\n```\n\n",
            "```mermaid\nsequenceDiagram\n  A->>B: m\n  Note over A,B: n\n```\n\n```mermaid\nclassDiagram\n  A <|-- B\n  A *-- C\n```\n\n",
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\" width=\"100%\" role=\"img\" ",
            "aria-label=\"d\" class=\"figmark-figure\" font-family=\"sans-serif\" style=\"--fig-phone: 534px; --fig-wide: 742px; max-width: 640px; height: auto\">",
            "<title>d</title><desc>d</desc><rect x=\"0\" y=\"0\" width=\"10\" height=\"10\" rx=\"8\" fill=\"#ffffff\"/>",
            "<g transform=\"translate(1,1)\"><line x1=\"0\" y1=\"0\" x2=\"1\" y2=\"1\" opacity=\"1\" stroke=\"#000\" stroke-width=\"1\"/>",
            "<polyline fill=\"none\" points=\"0,0 1,1\"/><circle cx=\"1\" cy=\"1\" r=\"1\"/>",
            "<text x=\"1\" y=\"1\" dy=\"0.5ex\" text-anchor=\"middle\" font-size=\"12\">a&lt;b</text></g></svg>\n\n",
            "<math display=\"block\"><semantics><mrow><mi>x</mi><mo stretchy=\"false\">=</mo>",
            "<mfrac><mn>1</mn><msup><mi>y</mi><mn>2</mn></msup></mfrac></mrow>",
            "<annotation encoding=\"application/x-tex\">x=\\frac1{y^2}</annotation></semantics></math>\n",
        );
        let trusted = render(body, true).html;
        let cleaned = render(body, false).html;
        assert!(trusted.contains("<svg") && trusted.contains("hl-") && trusted.contains("type=\"checkbox\""));
        assert_eq!(
            trusted.matches("<figure class=\"diagram\">").count(),
            3,
            "{trusted}"
        );
        assert!(
            trusted.contains("<marker") && trusted.contains("aria-labelledby"),
            "{trusted}"
        );
        assert_eq!(normalized(&cleaned), normalized(&trusted));
    }

    #[test]
    fn dangerous_markup_is_removed_and_harmless_markup_kept() {
        let html = render(
            concat!(
                "<script>alert(1)</script>\n\n<img src=x onerror=alert(1) alt=a width=3>\n\n",
                "<a href=\"jav&#x61;script:alert(1)\">j</a> <a href=\"data:text/html,x\">d</a> ",
                "<img src=\"data:image/png;base64,AA\"> <a href=\"data:image/png;base64,AA\">di</a>\n\n",
                "<iframe src=\"https://x.org\">inner</iframe><object data=\"x\"></object><style>*{}</style>",
                "<form action=\"https://x.org\"><input type=\"text\" formaction=\"javascript:x\"></form>\n\n",
                "<svg><script>alert(1)</script><a href=\"javascript:alert(1)\"><text>t</text></a></svg>\n\n",
                "<svg><rect fill=\"url(https://x.org/p.svg#g)\" stroke=\"u\\72l(//x.org/p)\"/>",
                "<path marker-end=\"url(#m)\" d=\"M0 0\"/></svg>\n\n",
                "[m](javascript:alert(1)) [v](VBScript:x) <p style=\"background: url(x)\">s</p>\n\n",
                "<details><summary>S</summary>\n\n**inside**\n\n</details>\n\nH<sub>2</sub>O <kbd>K</kbd> <mark>m</mark><br>\n",
            ),
            false,
        )
        .html;
        for bad in [
            "script",
            "onerror",
            "javascript",
            "vbscript",
            "data:text",
            "iframe",
            "inner",
            "object",
            "<style",
            "background",
            "<form",
            "formaction",
            "type=\"text\"",
            "x.org",
        ] {
            assert!(!html.to_lowercase().contains(bad), "{bad} in {html}");
        }
        for good in [
            "src=\"data:image/png;base64,AA\"",
            "<details><summary>S</summary>",
            "<strong>inside</strong>",
            "</details>",
            "<sub>2</sub>",
            "<kbd>K</kbd>",
            "<mark>m</mark>",
            "<br>",
            "alt=\"a\"",
            "width=\"3\"",
            "marker-end=\"url(#m)\"",
        ] {
            assert!(html.contains(good), "{good} missing in {html}");
        }
        assert!(!html.contains("href=\"data:"), "{html}");
    }

    #[test]
    fn markdown_alone_cannot_inject_so_pages_without_raw_html_skip_the_sanitizer() {
        let body = concat!(
            "# t {onclick=alert(1) style=\"background:url(x)\" #id .c}\n\n",
            "[a](javascript:alert(1)) [b](  JaVaScRiPt:x) [c](java&#x09;script:x) [d](data:text/html,x)\n\n",
            "![i](javascript:alert(1)) ![j](vbscript:x) <javascript:alert(1)> [e](<java script:x>)\n\n",
            "[r]: javascript:alert(2)\n\n[r] ![ok](data:image/png;base64,AA) [ok](https://x.org)\n\n",
            "$\\text{<script>alert(1)</script>}$ `<script>` [^n]\n\n[^n]: <b\n",
        );
        // Sanitizing is skipped for this page (no raw HTML) even when the site is not trusted.
        let html = render(body, false).html;
        assert_eq!(html, render(body, true).html);
        let doc = scraper::Html::parse_fragment(&html);
        for el in doc
            .root_element()
            .descendants()
            .filter_map(|n| n.value().as_element())
        {
            assert_ne!(el.name(), "script", "{html}");
            for (name, value) in el.attrs() {
                assert!(!name.starts_with("on") && name != "style", "{name} in {html}");
                if name == "href" || name == "src" {
                    assert!(
                        super::super::target::is_safe_url(value, name == "src"),
                        "{value} in {html}"
                    );
                }
            }
        }
        for good in [
            "id=\"id\"",
            "class=\"c\"",
            "src=\"data:image/png;base64,AA\"",
            "href=\"https://x.org\"",
        ] {
            assert!(html.contains(good), "{good} missing in {html}");
        }
        // With raw HTML the sanitizer runs.
        let with_html = render(&format!("{body}<b>x</b>\n"), false).html;
        assert_ne!(with_html, render(&format!("{body}<b>x</b>\n"), true).html);
    }

    #[test]
    fn raw_html_links_are_rewritten_and_recorded() {
        let body = "x\n\n<a href=\"../opt/m.md#动量\">m</a>\n<img\n  src=\"img\\a.png\" alt=\"a\">\n\n行 <a href='b.md'>b</a>\n";
        let r = render(body, false);
        assert!(r.html.contains("href=\"../opt/m.html#动量\""), "{}", r.html);
        assert!(r.html.contains("src=\"img/a.png\""), "{}", r.html);
        assert!(r.html.contains("href=\"b.html\""), "{}", r.html);
        let p = page(body);
        let found: Vec<(usize, &str, bool)> = r
            .links
            .iter()
            .map(|l| {
                (
                    crate::content::line_of(&p, l.offset).0,
                    l.dest.as_str(),
                    l.is_image,
                )
            })
            .collect();
        assert_eq!(
            found,
            [
                (6, "../opt/m.md#动量", false),
                (8, "img\\a.png", true),
                (10, "b.md", false)
            ]
        );
    }

    #[test]
    fn bracketed_words_that_are_not_tags_stay_text() {
        for unsafe_html in [false, true] {
            let html = render("`List<T>` 与 List<T> 和 <卷积核> 以及 <Tensor>\n", unsafe_html).html;
            assert!(
                html.contains("List&lt;T&gt; 和 &lt;卷积核&gt; 以及 &lt;Tensor&gt;"),
                "{html}"
            );
        }
    }

    #[test]
    fn trusted_sites_keep_raw_html_but_links_are_rewritten() {
        let html = render("<div onclick=\"go()\"><a href=\"b.md\">b</a></div>\n", true).html;
        assert!(html.contains("onclick=\"go()\""), "{html}");
        assert!(html.contains("href=\"b.html\""), "{html}");
        let html = render("<script>if (a<b && c) {}</script>\n", true).html;
        assert!(html.contains("<script>if (a<b && c) {}</script>"), "{html}");
    }
}
