//! The pre-pass that turns TeX as MathJax and KaTeX accept it into what math-core accepts, in one
//! linear scan that also bounds the nesting depth. It keeps a map from each byte of its output
//! back to the formula, so an error math-core finds in the output names the column the author
//! wrote.

use std::ops::Range;

/// Deeper nesting (braces, environments and `\left` together) is an error found before
/// math-core runs: its parser recurses, and 20,000 nested braces overflow the stack.
pub const MAX_DEPTH: usize = 256;

/// What math-core is given for one formula.
#[derive(Debug, Default)]
pub struct Rewritten {
    pub tex: String,
    /// `(output offset, formula offset)` at the start of each run copied from the formula;
    /// inserted text maps to the formula offset where it was inserted.
    runs: Vec<(usize, usize)>,
}

impl Rewritten {
    /// Copies `formula` up to `replaced.start` (from where it was copied last, `copied`), then
    /// writes `text` in place of the replaced range.
    fn splice(&mut self, formula: &str, copied: &mut usize, replaced: Range<usize>, text: &str) {
        self.copy(formula, *copied..replaced.start);
        if !text.is_empty() {
            self.insert(text, replaced.start);
        }
        *copied = replaced.end;
    }

    /// The formula offset an output offset came from.
    pub fn source_offset(&self, out: usize) -> usize {
        let i = self.runs.partition_point(|&(o, _)| o <= out);
        match i.checked_sub(1).map(|i| self.runs[i]) {
            Some((o, s)) => s + (out - o),
            None => 0,
        }
    }

    fn copy(&mut self, formula: &str, range: Range<usize>) {
        if range.is_empty() {
            return;
        }
        self.runs.push((self.tex.len(), range.start));
        self.tex.push_str(&formula[range]);
    }

    fn insert(&mut self, text: &str, at: usize) {
        self.runs.push((self.tex.len(), at));
        self.tex.push_str(text);
        // Text after an insertion restarts its own run, so it maps past the insertion.
        self.runs.push((self.tex.len(), at));
    }
}

/// A mistake the pre-pass finds itself, at a byte offset of the formula.
#[derive(Debug, PartialEq, Eq)]
pub struct TexError {
    pub offset: usize,
    pub message: String,
}

/// A macro a formula defines with `\newcommand`, `\renewcommand`, `\def` or
/// `\DeclareMathOperator`: its name without the backslash and its body (`#1`… for arguments).
pub type Macro = (String, String);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token<'a> {
    /// A control word or symbol, without its backslash.
    Command(&'a str),
    Open,
    Close,
    Other,
}

/// The tokens of a formula with their byte ranges: linear, and never fails.
fn tokens(tex: &str) -> Vec<(Token<'_>, Range<usize>)> {
    let bytes = tex.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        let token = match bytes[i] {
            b'\\' => {
                i += 1;
                let name_start = i;
                while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
                    i += 1;
                }
                if i == name_start {
                    // A control symbol such as `\\` or `\{`: one character.
                    i += tex[i..].chars().next().map_or(0, char::len_utf8);
                } else if bytes.get(i) == Some(&b'*') && STARRED.contains(&&tex[name_start..i]) {
                    i += 1;
                }
                Token::Command(&tex[name_start..i])
            }
            b'{' => {
                i += 1;
                Token::Open
            }
            b'}' => {
                i += 1;
                Token::Close
            }
            _ => {
                i += tex[i..].chars().next().map_or(1, char::len_utf8);
                Token::Other
            }
        };
        out.push((token, start..i));
    }
    out
}

/// Commands whose starred form math-core knows; `\pi*` elsewhere is `\pi` then `*`.
const STARRED: &[&str] = &["operatorname", "DeclareMathOperator"];

/// Environments that number their rows, and what they become inside an `equation` that
/// carries the formula's own `\tag` or `\label`.
const NUMBERED_TO_INNER: &[(&str, &str)] = &[
    ("align", "aligned"),
    ("align*", "aligned"),
    ("gather", "gathered"),
    ("gather*", "gathered"),
    ("multline", "gathered"),
    ("multline*", "gathered"),
    ("equation", "gathered"),
    ("equation*", "gathered"),
];

/// Circled numbers and letters for `\textcircled`, as MathJax draws them.
fn circled(content: &str) -> Option<char> {
    let code = match content.trim() {
        "0" => 0x24EA,
        s if s.len() <= 2 && s.bytes().all(|b| b.is_ascii_digit()) => {
            let n: u32 = s.parse().ok()?;
            match n {
                1..=20 => 0x2460 + n - 1,
                _ => return None,
            }
        }
        s if s.len() == 1 && s.as_bytes()[0].is_ascii_uppercase() => {
            0x24B6 + u32::from(s.as_bytes()[0] - b'A')
        }
        s if s.len() == 1 && s.as_bytes()[0].is_ascii_lowercase() => {
            0x24D0 + u32::from(s.as_bytes()[0] - b'a')
        }
        _ => return None,
    };
    char::from_u32(code)
}

/// The id prefix of every equation label, so a label never collides with a heading's id.
pub const LABEL_PREFIX: &str = "eq-";

/// What a display formula is wrapped in: an `equation` when it is numbered (a `\tag` or
/// `\label` outside any group), and rows when a `\\` stands outside any environment (MathJax
/// breaks the line there; math-core drops it).
struct Frame {
    numbered: bool,
    rows: Option<&'static str>,
}

impl Frame {
    fn of(formula: &str, toks: &[(Token, Range<usize>)], display: bool) -> Self {
        let numbered = display && top_level(toks, |t| matches!(t, Token::Command("tag" | "label")));
        let lines = display && top_level(toks, |t| t == Token::Command("\\"));
        let rows = lines.then(|| {
            if has_top_ampersand(formula, toks) {
                "aligned"
            } else {
                "gathered"
            }
        });
        Self { numbered, rows }
    }

    fn open(&self) -> String {
        let rows = self.rows.map(|r| format!("\\begin{{{r}}}")).unwrap_or_default();
        if self.numbered {
            format!("\\begin{{equation}}{rows}")
        } else {
            rows
        }
    }

    /// The end, with the numbered formula's `\tag`/`\label` (`trailer`) before its close.
    fn close(&self, trailer: &str) -> String {
        let rows = self.rows.map(|r| format!("\\end{{{r}}}")).unwrap_or_default();
        if self.numbered {
            format!("{rows}{trailer}\\end{{equation}}")
        } else {
            rows
        }
    }
}

/// Rewrites one formula; the macros it defines are added to `macros` (they hold for the whole
/// page, as in MathJax once defined).
pub fn rewrite(formula: &str, display: bool, macros: &mut Vec<Macro>) -> Result<Rewritten, TexError> {
    let toks = tokens(formula);
    check_depth(&toks)?;
    let frame = Frame::of(formula, &toks, display);
    let wrap = frame.numbered;
    let (mut out, mut trailer) = (Rewritten::default(), String::new());
    let open = frame.open();
    if !open.is_empty() {
        out.insert(&open, 0);
    }
    let (mut copied, mut braces, mut envs, mut i) = (0, 0usize, 0usize, 0);
    while i < toks.len() {
        let (token, range) = toks[i].clone();
        i += 1;
        let replacement: Option<String> = match token {
            Token::Open | Token::Close | Token::Other => {
                braces = match token {
                    Token::Open => braces + 1,
                    Token::Close => braces.saturating_sub(1),
                    _ => braces,
                };
                None
            }
            Token::Command(
                name @ ("newcommand"
                | "renewcommand"
                | "providecommand"
                | "def"
                | "DeclareMathOperator"
                | "DeclareMathOperator*"),
            ) => {
                let (defined, next) = definition(formula, &toks, i, name)?;
                macros.push(defined);
                i = next;
                Some(String::new())
            }
            Token::Command(name @ ("text" | "mbox" | "hbox" | "fbox" | "textcircled" | "mathop")) => {
                let (text, next) = text_like(formula, &toks, i, name)?;
                i = next;
                text
            }
            Token::Command(which @ ("begin" | "end")) => {
                let top = wrap && braces == 0 && (envs == 0 || (which == "end" && envs == 1));
                if which == "begin" {
                    envs += 1;
                } else {
                    envs = envs.saturating_sub(1);
                }
                let (text, next) = environment(formula, &toks, i, which, top)?;
                i = next;
                text
            }
            Token::Command(cmd @ ("label" | "eqref" | "ref" | "tag"))
                if cmd != "tag" || (wrap && braces == 0 && envs == 0) =>
            {
                let outermost = wrap && braces == 0 && envs == 0;
                let (text, next) = reference(formula, &toks, i, cmd, outermost, &mut trailer)?;
                i = next;
                Some(text)
            }
            Token::Command(name)
                if formula[range.end..].starts_with('*') && name.bytes().all(|b| b.is_ascii_alphabetic()) =>
            {
                // `\pi*` is `\pi` times `*`: math-core would read a starred command.
                Some(format!("\\{name} "))
            }
            Token::Command(_) => None,
        };
        if let Some(text) = replacement {
            out.splice(formula, &mut copied, range.start..toks[i - 1].1.end, &text);
        }
    }
    out.copy(formula, copied..formula.len());
    let close = frame.close(&trailer);
    if !close.is_empty() {
        out.insert(&close, formula.len());
    }
    Ok(out)
}

/// What `\label`, `\eqref`, `\ref` or `\tag` (`cmd`) at `toks[i]` becomes, and where it ends.
/// A label or tag of a numbered formula, outside every group (`outermost`), moves to `trailer`,
/// the end of the equation it numbers.
fn reference(
    formula: &str,
    toks: &[(Token, Range<usize>)],
    i: usize,
    cmd: &str,
    outermost: bool,
    trailer: &mut String,
) -> Result<(String, usize), TexError> {
    let (key, next) = argument(formula, toks, i, cmd)?;
    let text = match cmd {
        "tag" => format!("\\tag{{{key}}}"),
        "label" => format!("\\label{{{LABEL_PREFIX}{}}}", key.trim()),
        _ => format!("\\eqref{{{LABEL_PREFIX}{}}}", key.trim()),
    };
    if outermost && (cmd == "label" || cmd == "tag") {
        trailer.push_str(&text);
        Ok((String::new(), next))
    } else {
        Ok((text, next))
    }
}

/// A definition of a macro at `toks[i]` (after the command `name`), and where it ends.
fn definition(
    formula: &str,
    toks: &[(Token, Range<usize>)],
    i: usize,
    name: &str,
) -> Result<(Macro, usize), TexError> {
    match name {
        "def" => def(formula, toks, i),
        "DeclareMathOperator" | "DeclareMathOperator*" => {
            let (cmd, next) = argument(formula, toks, i, name)?;
            let (text, next) = argument(formula, toks, next, name)?;
            let star = if name.ends_with('*') { "*" } else { "" };
            Ok(((macro_name(cmd), format!("\\operatorname{star}{{{text}}}")), next))
        }
        _ => new_command(formula, toks, i, name),
    }
}

/// What a text command at `toks[i]` (after `name`) becomes, if it changes, and where it ends.
fn text_like(
    formula: &str,
    toks: &[(Token, Range<usize>)],
    i: usize,
    name: &str,
) -> Result<(Option<String>, usize), TexError> {
    let (content, next) = argument(formula, toks, i, name)?;
    Ok(match name {
        "textcircled" => (
            Some(match circled(content) {
                Some(c) => format!("\\text{{{c}}}"),
                None => format!("\\text{{({content})}}"),
            }),
            next,
        ),
        "mathop" => {
            let after = skip_spaces(formula, toks, next);
            match toks.get(after).map(|t| t.0) {
                // math-core takes `\limits` only after a large operator it knows.
                Some(Token::Command(limits @ ("limits" | "nolimits"))) => {
                    let star = if limits == "limits" { "*" } else { "" };
                    (Some(format!("\\operatorname{star}{{{content}}}")), after + 1)
                }
                _ => (None, i),
            }
        }
        _ => {
            // KaTeX takes the old font switches inside text; math-core does not, and the text
            // is upright already.
            let plain = content.replace(r"\rm ", "").replace(r"\rm", "");
            if name == "text" && plain == content {
                (None, i)
            } else {
                (Some(format!("\\text{{{plain}}}")), next)
            }
        }
    })
}

/// What `\begin`/`\end` (`which`) at `toks[i]` becomes, if it changes, and where it ends. `top`:
/// the outermost environment of a formula wrapped to be numbered.
fn environment(
    formula: &str,
    toks: &[(Token, Range<usize>)],
    i: usize,
    which: &str,
    top: bool,
) -> Result<(Option<String>, usize), TexError> {
    let (env, next) = argument(formula, toks, i, which)?;
    let renamed = top
        .then(|| {
            NUMBERED_TO_INNER
                .iter()
                .find(|(from, _)| *from == env)
                .map(|(_, to)| *to)
        })
        .flatten()
        .or(match env {
            "split" => Some("aligned"),
            "smallmatrix" => Some("matrix"),
            "eqnarray" | "eqnarray*" => Some("darray"),
            _ => None,
        });
    Ok(match renamed {
        Some(to) => {
            let spec = if which == "begin" && to == "darray" {
                "{rcl}"
            } else {
                ""
            };
            (Some(format!("\\{which}{{{to}}}{spec}")), next)
        }
        None if which == "begin" && env == "array" && empty_group(toks, next) => {
            // MathJax and KaTeX take `{}` as "no declared columns"; math-core needs a spec, and
            // left-aligned columns read the same.
            let spec = "l".repeat(columns(formula, toks, next + 2));
            (Some(format!("\\begin{{array}}{{{spec}}}")), next + 2)
        }
        None => (None, i),
    })
}

/// Whether an `&` stands outside every group and environment: rows of an `aligned`.
fn has_top_ampersand(formula: &str, toks: &[(Token, Range<usize>)]) -> bool {
    let (mut depth, mut envs) = (0usize, 0usize);
    toks.iter().any(|(token, range)| {
        match token {
            Token::Open => depth += 1,
            Token::Close => depth = depth.saturating_sub(1),
            Token::Command("begin") => envs += 1,
            Token::Command("end") => envs = envs.saturating_sub(1),
            Token::Other => return depth == 0 && envs == 0 && &formula[range.clone()] == "&",
            _ => {}
        }
        false
    })
}

/// Whether a token matching `wanted` stands outside every group and environment.
fn top_level(toks: &[(Token, Range<usize>)], wanted: impl Fn(Token) -> bool) -> bool {
    let mut depth = 0usize;
    let mut envs = 0usize;
    let mut i = 0;
    while i < toks.len() {
        let token = toks[i].0;
        match token {
            Token::Open => depth += 1,
            Token::Close => depth = depth.saturating_sub(1),
            Token::Command("begin") => envs += 1,
            Token::Command("end") => envs = envs.saturating_sub(1),
            _ if depth == 0 && envs == 0 && wanted(token) => return true,
            _ => {}
        }
        i += 1;
    }
    false
}

fn check_depth(toks: &[(Token, Range<usize>)]) -> Result<(), TexError> {
    let mut depth = 0usize;
    for (token, range) in toks {
        match token {
            Token::Open | Token::Command("begin" | "left") => depth += 1,
            Token::Close | Token::Command("end" | "right") => depth = depth.saturating_sub(1),
            _ => continue,
        }
        if depth > MAX_DEPTH {
            return Err(TexError {
                offset: range.start,
                message: format!("math nests deeper than {MAX_DEPTH} levels"),
            });
        }
    }
    Ok(())
}

fn skip_spaces(formula: &str, toks: &[(Token, Range<usize>)], mut i: usize) -> usize {
    while let Some((Token::Other, range)) = toks.get(i) {
        if !formula[range.clone()].trim().is_empty() {
            break;
        }
        i += 1;
    }
    i
}

fn empty_group(toks: &[(Token, Range<usize>)], i: usize) -> bool {
    matches!(
        (toks.get(i).map(|t| t.0), toks.get(i + 1).map(|t| t.0)),
        (Some(Token::Open), Some(Token::Close))
    )
}

/// The most cells in a row of the environment whose body starts at token `i`.
fn columns(formula: &str, toks: &[(Token, Range<usize>)], i: usize) -> usize {
    let (mut most, mut cells, mut depth, mut envs) = (1, 1, 0usize, 0usize);
    for (token, range) in &toks[i..] {
        let outside = depth == 0 && envs == 0;
        match token {
            Token::Open => depth += 1,
            Token::Close => depth = depth.saturating_sub(1),
            Token::Command("begin") => envs += 1,
            Token::Command("end") if envs == 0 => break,
            Token::Command("end") => envs -= 1,
            Token::Command("\\") if outside => cells = 1,
            Token::Other if outside && &formula[range.clone()] == "&" => {
                cells += 1;
                most = most.max(cells);
            }
            _ => {}
        }
    }
    most
}

/// The text of the argument at token `i` (a group's inside, or one token) and the token after.
fn argument<'a>(
    formula: &'a str,
    toks: &[(Token, Range<usize>)],
    i: usize,
    command: &str,
) -> Result<(&'a str, usize), TexError> {
    let i = skip_spaces(formula, toks, i);
    let missing = |offset| TexError {
        offset,
        message: format!("`\\{command}` needs an argument"),
    };
    let Some((token, range)) = toks.get(i) else {
        return Err(missing(formula.len()));
    };
    match token {
        Token::Open => {
            let mut depth = 0usize;
            for (j, (t, r)) in toks.iter().enumerate().skip(i) {
                match t {
                    Token::Open => depth += 1,
                    Token::Close => {
                        depth -= 1;
                        if depth == 0 {
                            return Ok((&formula[range.end..r.start], j + 1));
                        }
                    }
                    _ => {}
                }
            }
            Err(TexError {
                offset: range.start,
                message: format!("the argument of `\\{command}` is never closed"),
            })
        }
        Token::Close => Err(missing(range.start)),
        _ => Ok((&formula[range.clone()], i + 1)),
    }
}

/// `\newcommand{\name}[n][default]{body}` (the braces around the name may be left out).
fn new_command(
    formula: &str,
    toks: &[(Token, Range<usize>)],
    i: usize,
    command: &str,
) -> Result<(Macro, usize), TexError> {
    let (name, mut next) = argument(formula, toks, i, command)?;
    // Optional `[n]` and `[default]`: math-core counts the arguments from the body.
    loop {
        next = skip_spaces(formula, toks, next);
        match toks.get(next) {
            Some((Token::Other, r)) if &formula[r.clone()] == "[" => {
                while toks.get(next).is_some_and(|(_, r)| &formula[r.clone()] != "]") {
                    next += 1;
                }
                next += 1;
            }
            _ => break,
        }
    }
    let (body, next) = argument(formula, toks, next, command)?;
    Ok(((macro_name(name), body.to_string()), next))
}

/// `\def\name#1#2{body}`.
fn def(formula: &str, toks: &[(Token, Range<usize>)], i: usize) -> Result<(Macro, usize), TexError> {
    let i = skip_spaces(formula, toks, i);
    let Some((Token::Command(name), _)) = toks.get(i) else {
        let offset = toks.get(i).map_or(formula.len(), |t| t.1.start);
        return Err(TexError {
            offset,
            message: "`\\def` needs a command name".into(),
        });
    };
    let mut next = i + 1;
    while toks.get(next).is_some_and(|t| t.0 == Token::Other) {
        next += 1;
    }
    let (body, next) = argument(formula, toks, next, "def")?;
    Ok(((name.to_string(), body.to_string()), next))
}

fn macro_name(name: &str) -> String {
    name.trim().trim_start_matches('\\').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rewritten(tex: &str, display: bool) -> String {
        rewrite(tex, display, &mut Vec::new()).unwrap().tex
    }

    #[test]
    fn top_level_tag_wraps_the_formula_in_an_equation() {
        assert_eq!(
            rewritten(r"E=mc^2 \tag{1}", true),
            r"\begin{equation}E=mc^2 \tag{1}\end{equation}"
        );
        assert_eq!(
            rewritten(r"\begin{align} a &= b \end{align} \tag{2}", true),
            r"\begin{equation}\begin{aligned} a &= b \end{aligned} \tag{2}\end{equation}"
        );
        assert_eq!(
            rewritten(r"a \\ b \tag{3}", true),
            r"\begin{equation}\begin{gathered}a \\ b \end{gathered}\tag{3}\end{equation}"
        );
        assert_eq!(
            rewritten(r"\begin{align} a \tag{1} \end{align}", true),
            r"\begin{align} a \tag{1} \end{align}"
        );
        assert_eq!(
            rewritten(r"a &= b \\ &= c", true),
            r"\begin{aligned}a &= b \\ &= c\end{aligned}"
        );
        assert_eq!(rewritten(r"a \\ b", false), r"a \\ b");
    }

    #[test]
    fn labels_take_the_equation_prefix() {
        assert_eq!(
            rewritten(r"x \label{loss}", true),
            r"\begin{equation}x \label{eq-loss}\end{equation}"
        );
        assert_eq!(rewritten(r"\eqref{loss}", false), r"\eqref{eq-loss}");
    }

    #[test]
    fn macros_are_collected_and_removed() {
        let mut macros = Vec::new();
        let out = rewrite(
            r"\newcommand{\R}{\mathbb{R}}\def\sq#1{#1^2} \R",
            false,
            &mut macros,
        )
        .unwrap();
        assert_eq!(out.tex, r" \R");
        assert_eq!(
            macros,
            vec![
                ("R".to_string(), r"\mathbb{R}".to_string()),
                ("sq".to_string(), "#1^2".to_string())
            ]
        );
        assert_eq!(out.source_offset(1), 43);
    }

    #[test]
    fn offsets_map_back_across_rewrites() {
        let tex = r"\mbox{a} + \frobnicate";
        let out = rewrite(tex, false, &mut Vec::new()).unwrap();
        let at = out.tex.find(r"\frobnicate").unwrap();
        assert_eq!(out.source_offset(at), tex.find(r"\frobnicate").unwrap());
    }

    #[test]
    fn rewrites_what_math_core_lacks() {
        assert_eq!(
            rewritten(r"\textcircled{1}\textcircled{a}", false),
            "\\text{\u{2460}}\\text{\u{24d0}}"
        );
        assert_eq!(
            rewritten(r"\mathop{\arg\max}\limits_x", false),
            r"\operatorname*{\arg\max}_x"
        );
        assert_eq!(rewritten(r"\pi* x", false), r"\pi * x");
        assert_eq!(
            rewritten(r"\mbox{a} \text{ {\rm s.t.} }", false),
            r"\text{a} \text{ {s.t.} }"
        );
        assert_eq!(rewritten(r"\operatorname*{a}", false), r"\operatorname*{a}");
        assert_eq!(
            rewritten(r"\begin{eqnarray} a &=& b \end{eqnarray}", true),
            r"\begin{darray}{rcl} a &=& b \end{darray}"
        );
        assert_eq!(
            rewritten(r"\begin{array}{} a & b \\ c \end{array}", true),
            r"\begin{array}{ll} a & b \\ c \end{array}"
        );
    }

    #[test]
    fn nesting_is_bounded_in_linear_time() {
        let ok = format!("{}x{}", "{".repeat(MAX_DEPTH), "}".repeat(MAX_DEPTH));
        assert!(rewrite(&ok, true, &mut Vec::new()).is_ok());
        let deep = format!("{}x{}", "{".repeat(50_000), "}".repeat(50_000));
        let start = std::time::Instant::now();
        let err = rewrite(&deep, true, &mut Vec::new()).unwrap_err();
        assert_eq!(err.offset, MAX_DEPTH);
        assert!(start.elapsed().as_millis() < 500, "{:?}", start.elapsed());
    }
}
