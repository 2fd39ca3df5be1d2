//! No note makes the build super-linear: each generator makes one hostile note at sizes n, 2n
//! and 4n, and the whole pipeline (load, render, link check, search index, templates; all but
//! the write) must finish within 2 s at 4n, or refuse the note at once with a limit error.
//!
//! Tests run in a debug build (`cargo test`), which is about ten times slower than release, so
//! the sizes are chosen for debug: n is large enough that work growing with the square of the
//! input takes tens of seconds at 4n, and linear work takes well under a second. Building a
//! release binary in the suite would cost minutes of compiling on CI for no stronger claim.
//! A build counts as within the bound when either its wall time or the CPU time the process
//! spent on it is: on a machine shared with other builds the wall time grows while the work
//! does not, and on an idle one a build using both cores spends more CPU than wall time.
//! `cargo test --test complexity -- --nocapture` prints the time at each size (README table).

use std::fmt::Write as _;
use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use figmark::diagnostics::Severity;

const BOUND: Duration = Duration::from_secs(2);
/// Builds run one at a time: the bound is for one build, and the CPU time is the process's.
static ALONE: Mutex<()> = Mutex::new(());

/// The CPU time this process has used (user and system, all threads), from `/proc/self/stat`.
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    let fields: Vec<&str> = stat.rsplit_once(')').unwrap().1.split_whitespace().collect();
    // utime and stime, the 14th and 15th fields, in clock ticks of 1/100 s.
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    Duration::from_millis(ticks * 10)
}

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A note's front matter lines (besides its title) and body.
struct Note {
    front: String,
    body: String,
}

fn body(body: String) -> Note {
    Note {
        front: String::new(),
        body,
    }
}

fn repeat(piece: &str, n: usize) -> String {
    piece.repeat(n)
}

fn links_in_one_paragraph(n: usize) -> Note {
    body(format!("见{}。\n", repeat("[乙](b.md)和", n)))
}

fn links_in_sentences(n: usize) -> Note {
    body(format!("{}\n", repeat("见[乙](b.md)。", n)))
}

fn math_nested_braces(n: usize) -> Note {
    body(format!("$$\n{}x{}\n$$\n", repeat("{", n), repeat("}", n)))
}

fn math_nested_commands(n: usize) -> Note {
    body(format!("$$\n{}x{}\n$$\n", repeat("\\sqrt{", n), repeat("}", n)))
}

fn math_many_formulas(n: usize) -> Note {
    body(repeat("$\\frac{a}{b}$ ", n))
}

fn nested_lists(n: usize) -> Note {
    body(format!("{}x\n", repeat("- ", n)))
}

fn nested_quotes(n: usize) -> Note {
    body(format!("{}x\n", repeat("> ", n)))
}

fn repeated_headings(n: usize) -> Note {
    body(repeat("## 同名\n\n", n))
}

fn footnotes(n: usize) -> Note {
    let mut text = String::new();
    for i in 0..n {
        write!(text, "正文[^{i}]。").unwrap();
    }
    text.push_str("\n\n");
    for i in 0..n {
        writeln!(text, "[^{i}]: 注 {i}").unwrap();
    }
    body(text)
}

fn table_columns(n: usize) -> Note {
    body(format!(
        "|{}\n|{}\n|{}\n",
        repeat(" a |", n),
        repeat("-|", n),
        repeat(" 1 |", n)
    ))
}

fn raw_html_nesting(n: usize) -> Note {
    body(format!("{}x{}\n", repeat("<div>", n), repeat("</div>", n)))
}

/// Nesting just under the limit, again and again: each element costs the parser its depth.
fn raw_html_deep_blocks(n: usize) -> Note {
    let block = format!("{}x{}\n\n", repeat("<div>", 250), repeat("</div>", 250));
    body(repeat(&block, n))
}

fn tags(n: usize) -> Note {
    Note {
        front: format!(
            "tags: [{}]\n",
            (0..n).map(|i| format!("t{i}")).collect::<Vec<_>>().join(", ")
        ),
        body: "正文。\n".into(),
    }
}

fn long_line(n: usize) -> Note {
    body(format!("{}\n", repeat("感受野", n)))
}

fn emphasis_runs(n: usize) -> Note {
    body(format!("{}\n", repeat("*a **b", n)))
}

/// Builds a site holding the note in memory; the time taken (the lesser of wall and CPU time)
/// and the error, if it was refused.
fn run(note: &Note) -> (Duration, Option<String>) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "site.toml", "title = \"t\"\n");
    write(root, "content/_index.md", "---\ntitle: 首页\n---\n");
    write(root, "content/b.md", "---\ntitle: 乙\n---\n乙。\n");
    write(
        root,
        "content/a.md",
        &format!("---\ntitle: 甲\n{}---\n{}", note.front, note.body),
    );
    let (start, cpu) = (Instant::now(), cpu_time());
    let result = figmark::build::plan(root, &mut figmark::memo::Memo::default());
    let elapsed = start.elapsed().min(cpu_time() - cpu);
    let error = result.err().map(|diagnostics| {
        diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    });
    (elapsed, error)
}

/// Times the generator at n, 2n and 4n. Each size either builds or is refused with a limit error
/// that names the note; the largest size must finish within [`BOUND`].
fn check(name: &str, generate: fn(usize) -> Note, n: usize) {
    // One case at a time: the bound is for one build on this machine, not for several sharing it.
    let _alone = ALONE.lock().unwrap_or_else(|e| e.into_inner());
    let mut times = Vec::new();
    for size in [n, 2 * n, 4 * n] {
        let note = generate(size);
        assert!(
            note.body.len() + note.front.len() < 2 * 1024 * 1024,
            "{name} at {size}: over the 2 MB file limit, which would test nothing else"
        );
        let (elapsed, error) = run(&note);
        if let Some(error) = &error {
            assert!(
                // Limits word their errors "over the … limit"; math's says "deeper than 256".
                error.contains("content/a.md:") && (error.contains("limit") || error.contains("deeper than")),
                "{name} at {size}: failed with no limit error:\n{error}"
            );
        }
        times.push(format!(
            "{size}: {:.2} s{}",
            elapsed.as_secs_f64(),
            if error.is_some() { " (refused)" } else { "" }
        ));
        if size == 4 * n {
            assert!(elapsed < BOUND, "{name}: {} (bound {BOUND:?})", times.join(", "));
        }
    }
    println!("{name}: {}", times.join(", "));
}

#[test]
fn links_in_one_paragraph_are_linear() {
    check("links in one paragraph", links_in_one_paragraph, 4_000);
}

#[test]
fn links_in_many_sentences_are_linear() {
    check("links, one sentence each", links_in_sentences, 4_000);
}

#[test]
fn nested_braces_in_math_are_linear_or_refused() {
    check("nested braces in math", math_nested_braces, 5_000);
}

#[test]
fn nested_commands_in_math_are_linear_or_refused() {
    check("nested commands in math", math_nested_commands, 2_500);
}

/// A formula nested just under math's limit of 256, through the real binary: a stack overflow
/// aborts the process, which would take every other case of this suite with it.
#[test]
fn a_formula_nested_under_the_limit_does_not_crash() {
    let depth = 250;
    let dir = site_with(
        "",
        &[(
            "a.md",
            &format!(
                "---\ntitle: 甲\n---\n\n$$\n{}x{}\n$$\n",
                repeat("{", depth),
                repeat("}", depth)
            ),
        )],
    );
    let start = Instant::now();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_figmark"))
        .arg("--root")
        .arg(dir.path())
        .arg("check")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.code().is_some(),
        "figmark check crashed ({}) on a formula {depth} deep:\n{stderr}",
        output.status
    );
    assert!(start.elapsed() < BOUND, "{:?}", start.elapsed());
}

#[test]
fn many_formulas_are_linear() {
    check("formulas in one paragraph", math_many_formulas, 2_500);
}

#[test]
fn nested_lists_are_linear() {
    check("nested lists", nested_lists, 2_500);
}

#[test]
fn nested_quotes_are_linear() {
    check("nested quotes", nested_quotes, 2_500);
}

#[test]
fn repeated_headings_are_linear() {
    check("repeated headings", repeated_headings, 4_000);
}

#[test]
fn footnotes_are_linear() {
    check("footnotes", footnotes, 4_000);
}

#[test]
fn table_columns_are_linear() {
    check("table columns", table_columns, 5_000);
}

#[test]
fn raw_html_nesting_is_linear() {
    check("raw HTML nesting", raw_html_nesting, 5_000);
}

#[test]
fn raw_html_nested_near_the_limit_many_times_is_linear_or_refused() {
    check("raw HTML 250 deep, repeated", raw_html_deep_blocks, 4);
}

#[test]
fn tags_are_linear_or_refused() {
    check("tags", tags, 5_000);
}

#[test]
fn long_lines_are_linear() {
    check("one long line", long_line, 40_000);
}

#[test]
fn emphasis_runs_are_linear() {
    check("emphasis runs", emphasis_runs, 10_000);
}

/// A site with `site.toml` holding `config` and notes (path under `content/`, text).
fn site_with(config: &str, notes: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "site.toml", &format!("title = \"t\"\n{config}"));
    write(dir.path(), "content/_index.md", "---\ntitle: 首页\n---\n");
    for (rel, text) in notes {
        write(dir.path(), &format!("content/{rel}"), text);
    }
    dir
}

fn errors(dir: &tempfile::TempDir) -> Vec<String> {
    let _alone = ALONE.lock().unwrap_or_else(|e| e.into_inner());
    match figmark::build::plan(dir.path(), &mut figmark::memo::Memo::default()) {
        Ok(_) => Vec::new(),
        Err(diagnostics) => diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .map(ToString::to_string)
            .collect(),
    }
}

#[test]
fn limits_on_one_note_are_errors_at_its_line_and_can_be_raised() {
    let tags = |n: usize| {
        format!(
            "---\ntitle: 甲\nweight: 1\ntags: [{}]\n---\n正文。\n",
            (0..n).map(|i| format!("t{i}")).collect::<Vec<_>>().join(", ")
        )
    };
    let many = tags(51);
    let dir = site_with("", &[("a.md", &many)]);
    assert_eq!(
        errors(&dir),
        [
            "error: content/a.md:4: 51 tags, over the limit of 50 tags per note (tags_per_note)\n  \
          = hint: limits are set in site.toml's [limits] table"
        ]
    );
    let dir = site_with(
        "[limits]\ntags_per_note = 51\nfiles_per_note = 52\n",
        &[("a.md", &many)],
    );
    assert_eq!(errors(&dir), Vec::<String>::new());

    // Tags another note lists too add no page of this note's own.
    let three = tags(3);
    let shared = "---\ntitle: 乙\ntags: [t0]\n---\n";
    let dir = site_with(
        "[limits]\nfiles_per_note = 3\n",
        &[("a.md", &three), ("b.md", shared)],
    );
    assert_eq!(errors(&dir), Vec::<String>::new());
    let dir = site_with(
        "[limits]\nfiles_per_note = 2\n",
        &[("a.md", &three), ("b.md", shared)],
    );
    let found = errors(&dir);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with("error: content/a.md:4: this note adds 3 output files"),
        "{found:?}"
    );
}

#[test]
fn the_output_limit_names_the_largest_page() {
    let big = format!("---\ntitle: 大\n---\n{}\n", "大段正文。".repeat(100_000));
    let dir = site_with(
        "[limits]\noutput_mb = 1\n",
        &[("a.md", "---\ntitle: 甲\n---\n短。\n"), ("big.md", &big)],
    );
    let found = errors(&dir);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with("error: content/big.md:1: the site's output comes to ")
            && found[0].contains("MB, over the limit of 1 MB (output_mb); this note's page is the largest"),
        "{found:?}"
    );
    let dir = site_with(
        "[limits]\noutput_mb = 8\n",
        &[("a.md", "---\ntitle: 甲\n---\n短。\n"), ("big.md", &big)],
    );
    assert_eq!(errors(&dir), Vec::<String>::new());
}
