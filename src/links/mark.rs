//! Lenient builds write the site despite broken links: a link that leads nowhere becomes marked
//! text and a missing image its alt text in a marked box, so a reader sees what is missing
//! instead of following a dead link or an empty frame.

use pulldown_cmark_escape::escape_href;

use crate::markdown::Rendered;

/// `page` with its links at `broken` (indices into its `links`) marked, on the site page and in
/// its print-edition part. Links are found by the URL written for them: links with one URL share
/// one target, so they are broken together.
pub fn mark(page: &Rendered, broken: &[usize]) -> Rendered {
    let mut html = page.html.clone();
    let mut edition = page.edition_html.as_deref().map(str::to_string);
    for link in broken.iter().filter_map(|&k| page.links.get(k)) {
        html = mark_url(&html, &link.href, link.is_image);
        if let Some(part) = &mut edition {
            *part = mark_url(part, &link.edition_href, link.is_image);
        }
    }
    Rendered {
        html,
        edition_html: edition.map(Into::into),
        ..page.clone()
    }
}

/// Replaces every `<a>` whose `href` is `url` (or `<img>` whose `src` is) in `html`.
fn mark_url(html: &str, url: &str, is_image: bool) -> String {
    let mut escaped = String::new();
    escape_href(&mut escaped, url).ok();
    let (open, attribute) = if is_image {
        ("<img ", format!(" src=\"{escaped}\""))
    } else {
        ("<a ", format!(" href=\"{escaped}\""))
    };
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find(open) {
        let Some(tag_len) = rest[at..].find('>').map(|end| end + 1) else {
            break;
        };
        let tag = &rest[at..at + tag_len];
        out.push_str(&rest[..at]);
        rest = &rest[at + tag_len..];
        if !format!(" {}", &tag[open.len()..]).contains(&attribute) {
            out.push_str(tag);
        } else if is_image {
            out.push_str(&missing_image(tag, url));
        } else {
            let end = rest.find("</a>").unwrap_or(rest.len());
            out.push_str(r#"<span class="broken-link">"#);
            out.push_str(&rest[..end]);
            out.push_str("</span>");
            rest = rest.get(end + "</a>".len()..).unwrap_or_default();
        }
    }
    out.push_str(rest);
    out
}

/// An image's alt text (already escaped in its tag), or its file name when it has none, in a box.
fn missing_image(tag: &str, url: &str) -> String {
    let alt = tag
        .split_once(" alt=\"")
        .and_then(|(_, rest)| rest.split_once('"'))
        .map(|(alt, _)| alt.to_string())
        .filter(|alt| !alt.trim().is_empty())
        .unwrap_or_else(|| {
            let mut name = String::new();
            let file = url.rsplit('/').next().unwrap_or(url);
            pulldown_cmark_escape::escape_html(&mut name, file).ok();
            name
        });
    format!(r#"<span class="missing-image" role="img" aria-label="{alt}">{alt}</span>"#)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_broken_link_becomes_marked_text_and_others_stay() {
        let html = r#"<p>见 <a href="gone.html#x">旧笔记</a> 和 <a href="ok.html">新笔记</a>。</p>"#;
        assert_eq!(
            mark_url(html, "gone.html#x", false),
            r#"<p>见 <span class="broken-link">旧笔记</span> 和 <a href="ok.html">新笔记</a>。</p>"#
        );
    }

    #[test]
    fn a_missing_image_becomes_its_alt_text_in_a_box() {
        let html = r#"<p><img src="img/%E5%9B%BE%201.png" alt="卷积 &amp; 池化" title="t" /></p>"#;
        assert_eq!(
            mark_url(html, "img/图 1.png", true),
            r#"<p><span class="missing-image" role="img" aria-label="卷积 &amp; 池化">卷积 &amp; 池化</span></p>"#
        );
        let bare = r#"<img src="a/b.png" alt="" />"#;
        assert!(mark_url(bare, "a/b.png", true).contains(">b.png</span>"));
    }

    #[test]
    fn a_longer_url_with_the_same_start_is_not_marked() {
        let html = r#"<a href="a.html#b">x</a>"#;
        assert_eq!(mark_url(html, "a.html", false), html);
    }
}
