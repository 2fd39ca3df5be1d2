//! Code blocks: syntax highlighting at build time with CSS classes, not inline colours, so one
//! light and one dark theme can be switched by CSS alone.

use std::ops::Range;
use std::sync::OnceLock;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, Tag, TagEnd};
use pulldown_cmark_escape::escape_html_body_text;
use syntect::highlighting::{Color, Theme, ThemeSet};
use syntect::html::{ClassStyle, css_for_theme_with_class_style, line_tokens_to_classed_spans};
use syntect::parsing::{ParseState, ScopeStack, SyntaxSet};
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
/// bat's set (two-face, 220 syntaxes) rather than syntect's 75: it has most of the languages
/// GitHub's Linguist highlights (shell sessions aside), for 1.1 ms more to load.
fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(two_face::syntax::extra_newlines)
}

/// Linguist's names and aliases that bat's syntaxes do not answer to, and the syntax that
/// highlights them (found by [`SyntaxSet::find_syntax_by_token`]).
const ALIASES: &[(&str, &str)] = &[
    ("shell", "bash"),
    ("shell-script", "bash"),
    ("cuda", "cpp"),
    ("cu", "cpp"),
    ("jsonc", "json"),
    ("json5", "json"),
    ("proto", "protobuf"),
    ("pwsh", "ps1"),
    ("posh", "ps1"),
    ("batch", "bat"),
    ("batchfile", "bat"),
    ("golang", "go"),
    ("docker", "dockerfile"),
    ("make", "makefile"),
    ("javascript", "js"),
    ("objective-c", "m"),
    ("c++", "cpp"),
    ("text", "txt"),
    ("plaintext", "txt"),
];

/// A session: prompt lines hold code in `language` after the prompt; other lines are output.
struct Session {
    language: &'static str,
    /// The prompt a line starts with, if it is one.
    prompt: fn(&str) -> Option<usize>,
}

/// Linguist's ShellSession and Python console, under their names and aliases.
const SESSIONS: &[(&str, Session)] = &[
    ("console", SHELL_SESSION),
    ("shellsession", SHELL_SESSION),
    ("shell-session", SHELL_SESSION),
    ("sh-session", SHELL_SESSION),
    ("bash-session", SHELL_SESSION),
    ("pycon", PYTHON_SESSION),
    ("python-console", PYTHON_SESSION),
    ("ipython", PYTHON_SESSION),
];

const SHELL_SESSION: Session = Session {
    language: "bash",
    prompt: shell_prompt,
};

const PYTHON_SESSION: Session = Session {
    language: "python",
    prompt: python_prompt,
};

/// `$ `, `# `, `% ` or `> ` after an optional `user@host:~` and `(venv) `, as Linguist's
/// ShellSession grammar reads them; the prompt's length with its space.
fn shell_prompt(line: &str) -> Option<usize> {
    let mut start = 0;
    if line.starts_with('(') {
        start = line.find(") ")? + 2;
    }
    let word_end = line[start..].find(' ').map_or(line.len(), |i| start + i);
    let word = &line[start..word_end];
    let last = word.chars().next_back()?;
    let plain = word[..word.len() - last.len_utf8()]
        .chars()
        .all(|c| !"$#%>".contains(c));
    ("$#%>".contains(last) && plain && word_end < line.len()).then_some(word_end + 1)
}

/// `>>> ` and `... ` (the standard console), `In [1]: ` and `   ...: ` (IPython).
fn python_prompt(line: &str) -> Option<usize> {
    for prompt in [">>> ", "... "] {
        if line.starts_with(prompt) || line == prompt.trim_end() {
            return Some(prompt.len().min(line.len()));
        }
    }
    let trimmed = line.trim_start();
    let indent = line.len() - trimmed.len();
    if let Some(rest) = trimmed.strip_prefix("In [") {
        let close = rest.find("]: ")?;
        rest[..close]
            .bytes()
            .all(|b| b.is_ascii_digit())
            .then_some(indent + 4 + close + 3)
    } else {
        trimmed.starts_with("...: ").then_some(indent + 5)
    }
}

/// Highlighted HTML for a code block, or `None` when the language is unknown.
pub fn highlight(lang: &str, code: &str) -> Option<String> {
    let lang = lang.to_ascii_lowercase();
    if let Some((_, session)) = SESSIONS.iter().find(|(name, _)| *name == lang) {
        return highlight_session(session, code);
    }
    let token = ALIASES
        .iter()
        .find(|(name, _)| *name == lang)
        .map_or(lang.as_str(), |(_, to)| to);
    highlight_as(token, code)
}

fn highlight_as(token: &str, code: &str) -> Option<String> {
    let mut lines = Lines::new(token)?;
    for line in LinesWithEndings::from(code) {
        lines.push(line)?;
    }
    Some(lines.finish())
}

/// Highlights line by line, so that other HTML (a session's prompts) can go between lines.
struct Lines {
    state: ParseState,
    scopes: ScopeStack,
    /// Spans opened and not yet closed.
    open: isize,
    html: String,
}

impl Lines {
    fn new(token: &str) -> Option<Self> {
        let syntax = syntaxes().find_syntax_by_token(token)?;
        Some(Self {
            state: ParseState::new(syntax),
            scopes: ScopeStack::new(),
            open: 0,
            html: String::new(),
        })
    }

    fn push(&mut self, line: &str) -> Option<()> {
        let ops = self.state.parse_line(line, syntaxes()).ok()?;
        let (html, delta) = line_tokens_to_classed_spans(line, &ops, CLASS_STYLE, &mut self.scopes).ok()?;
        self.html.push_str(&html);
        self.open += delta;
        Some(())
    }

    /// Text in a span of its own, not highlighted.
    fn plain(&mut self, class: &str, text: &str) {
        self.html.push_str(&format!("<span class=\"{class}\">"));
        escape_html_body_text(&mut self.html, text).ok();
        self.html.push_str("</span>");
    }

    fn finish(mut self) -> String {
        for _ in 0..self.open {
            self.html.push_str("</span>");
        }
        self.html
    }
}

/// Each prompt's code highlighted (with the lines a trailing `\` continues in a shell), the
/// prompt marked so that it is not selected with the command, the output plain.
fn highlight_session(session: &Session, code: &str) -> Option<String> {
    let mut lines = Lines::new(session.language)?;
    let mut continued = false;
    for line in LinesWithEndings::from(code) {
        if continued {
            lines.push(line)?;
        } else if let Some(at) = (session.prompt)(line) {
            lines.plain("hl-prompt", &line[..at]);
            lines.push(&line[at..])?;
        } else {
            lines.plain("hl-output", line);
            continue;
        }
        continued = session.language == "bash" && line.trim_end().ends_with('\\');
    }
    Some(lines.finish())
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
                    .with_hint(match nearest_language(&lang) {
                        Some(name) => format!("did you mean `{name}`?"),
                        None => "use a common name such as python, rust, bash, json".to_string(),
                    }),
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

/// The known language name closest to an unknown one, if one is close enough to be a typo.
fn nearest_language(unknown: &str) -> Option<&'static str> {
    static NAMES: OnceLock<Vec<String>> = OnceLock::new();
    let names = NAMES.get_or_init(|| {
        let set = syntaxes().syntaxes().iter();
        let own = set.flat_map(|s| s.file_extensions.iter().cloned().chain([s.name.to_lowercase()]));
        let ours = ALIASES.iter().map(|a| a.0).chain(SESSIONS.iter().map(|s| s.0));
        own.chain(ours.map(str::to_string))
            .filter(|name| !name.contains(' '))
            .collect()
    });
    let unknown = unknown.to_ascii_lowercase();
    let most = if unknown.chars().count() < 4 { 1 } else { 2 };
    names
        .iter()
        .map(|name| (strsim::damerau_levenshtein(&unknown, name), name))
        .filter(|&(distance, _)| distance <= most)
        .min_by_key(|&(distance, _)| distance)
        .map(|(_, name)| name.as_str())
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
            "/* Generated by figmark from syntect's {LIGHT_THEME} and {DARK_THEME} themes. */\n{PROMPT_CSS}{}{}@media (prefers-color-scheme: dark) {{\n{}}}\n@media not (prefers-color-scheme: dark) {{\n{}}}\n",
            scope(&light, ":root[data-theme=\"light\"]"),
            scope(&dark, ":root[data-theme=\"dark\"]"),
            scope(&dark, ":root:not([data-theme])"),
            scope(&light, ":root:not([data-theme])"),
        )
    })
}

/// A session's prompts are not selected with the commands, as on GitHub.
const PROMPT_CSS: &str = ":root .hl-prompt { user-select: none; }\n";

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

    /// Every language the issue names, as GitHub's Linguist names it, with a line of it.
    const LINGUIST: &[(&str, &str)] = &[
        ("shell", "echo \"$HOME\""),
        ("sh", "echo \"$HOME\""),
        ("bash", "for f in *; do echo $f; done"),
        ("zsh", "export PATH=$HOME/bin"),
        ("console", "$ pip install torch"),
        ("powershell", "Get-ChildItem -Path $env:HOME"),
        ("ps1", "$x = Get-Date"),
        ("bat", "@echo off\nset X=1"),
        ("cmd", "@echo off\nset X=1"),
        ("protobuf", "message A { int32 id = 1; }"),
        ("toml", "[a]\nb = 1"),
        ("yaml", "a: 1"),
        ("dockerfile", "FROM python:3.12\nRUN pip install torch"),
        ("makefile", "all:\n\tcc -o a a.c"),
        ("cmake", "add_executable(a a.c)"),
        ("typescript", "const a: number = 1;"),
        ("ts", "let a: string = 'x';"),
        ("tsx", "const A = () => <div>{1}</div>;"),
        ("jsx", "const A = () => <div>{1}</div>;"),
        ("vue", "<template><div>{{ a }}</div></template>"),
        ("go", "func main() { fmt.Println(1) }"),
        ("rust", "fn main() { let a = 1; }"),
        ("java", "public class A { int a = 1; }"),
        ("kotlin", "fun main() { val a = 1 }"),
        ("scala", "object A { val a = 1 }"),
        ("c", "int main(void) { return 0; }"),
        ("cpp", "int main() { std::vector<int> v; }"),
        ("cuda", "__global__ void k(float *x) { x[0] = 1; }"),
        ("python", "def f(x):\n    return x"),
        ("py", "import torch"),
        (
            "ipython",
            "In [1]: import torch\n\nIn [2]: torch.ones(2)\nOut[2]: tensor([1., 1.])",
        ),
        ("pycon", ">>> import torch\n>>> torch.ones(2)\ntensor([1., 1.])"),
        ("r", "x <- c(1, 2)"),
        ("julia", "function f(x)\n  x + 1\nend"),
        ("matlab", "function y = f(x)\n  y = x + 1;\nend"),
        ("sql", "SELECT a FROM t WHERE b = 1;"),
        ("json", "{\"a\": 1}"),
        ("jsonc", "{\"a\": 1 // one\n}"),
        ("xml", "<a b=\"1\"/>"),
        ("html", "<p class=\"a\">x</p>"),
        ("css", "a { color: red; }"),
        ("scss", "$a: 1px; a { b: $a; }"),
        ("latex", "\\section{A} $x^2$"),
        ("tex", "\\begin{document}\\end{document}"),
        ("diff", "--- a\n+++ b\n-x\n+y"),
        ("ini", "[a]\nb = 1"),
        ("nginx", "server { listen 80; }"),
        ("lua", "local a = 1"),
        ("swift", "let a: Int = 1"),
    ];

    /// Highlighted means tokens in spans of their own, beyond the one span of the whole block.
    fn spans(html: &str) -> usize {
        html.matches("<span class=\"hl-").count()
    }

    #[test]
    fn every_linguist_name_highlights() {
        for (lang, code) in LINGUIST {
            let html = highlight(lang, code).unwrap_or_else(|| panic!("{lang} is unknown"));
            assert!(spans(&html) >= 3, "{lang} is not highlighted: {html}");
        }
        // Linguist's names are case-insensitive: ```Python is python.
        assert!(highlight("Python", "import torch").is_some());
    }

    #[test]
    fn console_marks_prompts_and_output() {
        let html = highlight("console", "$ ls \\\n  -l\nfile.txt\n(venv) user@host:~$ echo 1\n").unwrap();
        assert!(html.starts_with("<span class=\"hl-prompt\">$ </span>"), "{html}");
        assert!(
            html.contains("<span class=\"hl-output\">file.txt\n</span>"),
            "{html}"
        );
        assert!(
            html.contains("<span class=\"hl-prompt\">(venv) user@host:~$ </span>"),
            "{html}"
        );
        assert!(
            !html.contains("hl-output\">  -l"),
            "a continued line is output: {html}"
        );
        let html = highlight("pycon", ">>> def f():\n...     return 1\n").unwrap();
        assert_eq!(html.matches("hl-prompt").count(), 2, "{html}");
        assert!(!html.contains("hl-output"), "{html}");
    }

    #[test]
    fn unknown_language_is_none_with_the_nearest_name() {
        assert!(highlight("no-such-language", "x").is_none());
        assert_eq!(nearest_language("pyhton"), Some("python"));
        assert_eq!(nearest_language("Typescirpt"), Some("typescript"));
        assert_eq!(nearest_language("no-such-language"), None);
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
