//! Code blocks: syntax highlighting at build time with CSS classes, not inline colours, so one
//! light and one dark theme can be switched by CSS alone.

use std::ops::Range;
use std::sync::OnceLock;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, Tag, TagEnd};
use pulldown_cmark_escape::escape_html_body_text;
use syntect::highlighting::{Color, Theme, ThemeSet};
use syntect::html::{ClassStyle, ClassedHTMLGenerator, css_for_theme_with_class_style};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

use crate::diagnostics::Diagnostic;

const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };
const LIGHT_THEME: &str = "InspiredGitHub";
const DARK_THEME: &str = "base16-ocean.dark";
/// WCAG AA for body text. Both themes colour some tokens (comments above all: 2.7:1 in the dark
/// theme, 2.9:1 in the light one) too faintly to read, so `legible` moves those colours toward
/// the theme's text colour until they reach it; the other colours are kept.
const MIN_CONTRAST: f64 = 4.5;

/// The syntax definitions, loaded once on first use: a site without code never pays for them.
fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(SyntaxSet::load_defaults_newlines)
}

/// Highlighted HTML for a code block, or `None` when the language is unknown.
pub fn highlight(lang: &str, code: &str) -> Option<String> {
    let set = syntaxes();
    let syntax = set.find_syntax_by_token(lang)?;
    let mut generator = ClassedHTMLGenerator::new_with_class_style(syntax, set, CLASS_STYLE);
    for line in LinesWithEndings::from(code) {
        generator.parse_html_for_line_which_includes_newline(line).ok()?;
    }
    Some(generator.finalize())
}

/// Replaces every fenced or indented code block (except `figure` blocks, handled before) by
/// its highlighted HTML. An unknown language is a warning and renders as plain code.
pub fn code_blocks<'a>(
    mut events: impl Iterator<Item = (Event<'a>, Range<usize>)>,
    file: &str,
    line_of: impl Fn(usize) -> usize,
    diagnostics: &mut Vec<Diagnostic>,
) -> impl Iterator<Item = (Event<'a>, Range<usize>)> {
    std::iter::from_fn(move || {
        let (event, range) = events.next()?;
        let Event::Start(Tag::CodeBlock(kind)) = event else {
            return Some((event, range));
        };
        let lang = match &kind {
            CodeBlockKind::Fenced(info) => info.split_whitespace().next().unwrap_or("").to_string(),
            CodeBlockKind::Indented => String::new(),
        };
        let (code, end) = block_text(&mut events, range.end);
        let body = if lang.is_empty() {
            None
        } else {
            let highlighted = highlight(&lang, &code);
            if highlighted.is_none() {
                diagnostics.push(
                    Diagnostic::warning(
                        file,
                        line_of(range.start),
                        0,
                        format!("unknown code language `{lang}`: shown without highlighting"),
                    )
                    .with_hint("use a common name such as python, rust, bash, json"),
                );
            }
            highlighted
        };
        let body = body.unwrap_or_else(|| {
            let mut escaped = String::new();
            escape_html_body_text(&mut escaped, &code).ok();
            escaped
        });
        let mut class = String::new();
        if !lang.is_empty() {
            class.push_str(" class=\"language-");
            pulldown_cmark_escape::escape_html(&mut class, &lang).ok();
            class.push('"');
        }
        let html = format!("<pre class=\"hl-code\"><code{class}>{body}</code></pre>\n");
        Some((Event::Html(CowStr::from(html)), range.start..end))
    })
}

/// Consumes a code block's events up to its end; returns its text and where the block ends.
pub(super) fn block_text<'a>(
    events: &mut impl Iterator<Item = (Event<'a>, Range<usize>)>,
    unclosed_end: usize,
) -> (String, usize) {
    let mut text = String::new();
    for (event, range) in events {
        match event {
            Event::End(TagEnd::CodeBlock) => return (text, range.end),
            Event::Text(t) => text.push_str(&t),
            _ => {}
        }
    }
    (text, unclosed_end)
}

/// The stylesheet for both themes, each scoped on its own so a light rule never applies in
/// dark mode: an explicit `data-theme` on `<html>` wins, else the reader's system preference.
pub fn theme_css() -> &'static str {
    // The stylesheet never changes within a run; `serve` would otherwise decode syntect's themes again on every rebuild.
    static CSS: OnceLock<String> = OnceLock::new();
    CSS.get_or_init(|| {
        let themes = ThemeSet::load_defaults();
        let css = |name: &str| {
            themes
                .themes
                .get(name)
                .and_then(|t| css_for_theme_with_class_style(&legible(t.clone()), CLASS_STYLE).ok())
                .unwrap_or_default()
        };
        let (light, dark) = (css(LIGHT_THEME), css(DARK_THEME));
        format!(
            "/* Generated by figmark from syntect's {LIGHT_THEME} and {DARK_THEME} themes. */\n{}{}@media (prefers-color-scheme: dark) {{\n{}}}\n@media not (prefers-color-scheme: dark) {{\n{}}}\n",
            scope(&light, ":root[data-theme=\"light\"]"),
            scope(&dark, ":root[data-theme=\"dark\"]"),
            scope(&dark, ":root:not([data-theme])"),
            scope(&light, ":root:not([data-theme])"),
        )
    })
}

fn legible(mut theme: Theme) -> Theme {
    let (Some(background), Some(text)) = (theme.settings.background, theme.settings.foreground) else {
        return theme;
    };
    for item in &mut theme.scopes {
        if let Some(colour) = &mut item.style.foreground {
            let original = *colour;
            for step in 1..=10 {
                if contrast(*colour, background) >= MIN_CONTRAST {
                    break;
                }
                *colour = mix(original, text, f64::from(step) / 10.0);
            }
        }
    }
    theme
}

/// WCAG relative luminance.
fn luminance(c: Color) -> f64 {
    let channel = |v: u8| {
        let v = f64::from(v) / 255.0;
        if v <= 0.03928 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b)
}

fn contrast(a: Color, b: Color) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

fn mix(a: Color, b: Color, t: f64) -> Color {
    let m = |x: u8, y: u8| (f64::from(x) + (f64::from(y) - f64::from(x)) * t).round() as u8;
    Color {
        r: m(a.r, b.r),
        g: m(a.g, b.g),
        b: m(a.b, b.b),
        a: a.a,
    }
}

/// Prefixes every selector of a flat stylesheet (no at-rules) with `prefix`.
fn scope(css: &str, prefix: &str) -> String {
    let mut out = String::new();
    let without_comments = strip_comments(css);
    for rule in without_comments.split('}') {
        let Some((selectors, body)) = rule.split_once('{') else {
            continue;
        };
        let scoped: Vec<String> = selectors
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| format!("{prefix} {s}"))
            .collect();
        if scoped.is_empty() {
            continue;
        }
        let body: Vec<&str> = body.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
        out.push_str(&format!("{} {{ {} }}\n", scoped.join(", "), body.join(" ")));
    }
    out
}

fn strip_comments(css: &str) -> String {
    let mut out = String::new();
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        out.push_str(&rest[..start]);
        rest = rest[start..]
            .find("*/")
            .map_or("", |end| &rest[start + end + 2..]);
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_gets_classes_not_colours() {
        let html = highlight("python", "def f(x):\n    return x\n").unwrap();
        assert!(html.contains("class=\"hl-"), "{html}");
        assert!(!html.contains("style="), "{html}");
    }

    #[test]
    fn unknown_language_is_none() {
        assert!(highlight("no-such-language", "x").is_none());
    }

    #[test]
    fn every_token_colour_reaches_aa_contrast() {
        let themes = ThemeSet::load_defaults();
        for name in [LIGHT_THEME, DARK_THEME] {
            let theme = legible(themes.themes[name].clone());
            let background = theme.settings.background.unwrap();
            for item in &theme.scopes {
                if let Some(c) = item.style.foreground {
                    let ratio = contrast(c, background);
                    assert!(
                        ratio >= MIN_CONTRAST,
                        "{name}: {c:?} on {background:?} is {ratio:.2}"
                    );
                }
            }
        }
    }

    #[test]
    fn every_theme_rule_is_scoped() {
        let css = theme_css();
        for line in css.lines().filter(|l| l.contains('{') && !l.starts_with('@')) {
            for selector in line.split('{').next().unwrap().split(',') {
                assert!(selector.trim().starts_with(":root"), "unscoped: {line}");
            }
        }
        assert!(css.contains(":root[data-theme=\"dark\"] .hl-"));
    }
}
