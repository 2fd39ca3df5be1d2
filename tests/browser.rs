//! The built site in a real browser: Debian's headless Chromium, driven over the DevTools
//! protocol by `headless_chrome` (synchronous, no system library), opening the repository's
//! own notes from `file://`. Without Chromium the tests say loudly that they are skipped,
//! unless `CI=true`, where a missing browser is a failure.

use std::ffi::OsStr;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

mod common;

use headless_chrome::protocol::cdp::Log::LogEntryLevel;
use headless_chrome::protocol::cdp::Network;
use headless_chrome::protocol::cdp::Runtime::ConsoleAPICalledEventTypeOption;
use headless_chrome::protocol::cdp::types::Event;
use headless_chrome::{Browser, LaunchOptions, Tab};
use serde_json::Value;

/// Debian's Chromium; `FIGMARK_CHROME` names another Chromium-based browser (GitHub's Ubuntu
/// runners ship Google Chrome, and their `chromium` package is only a Snap stub).
fn chromium() -> PathBuf {
    std::env::var_os("FIGMARK_CHROME").map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from)
}

struct Env {
    site: PathBuf,
    chromium: PathBuf,
}

/// One Chromium per test, ended when the test drops it: a browser kept in a static would never be
/// dropped and would outlive the test run.
struct Session {
    browser: Browser,
    _profile: tempfile::TempDir,
}

/// The repository's site, built once into cargo's test scratch folder. `None`: no Chromium here,
/// and not on CI.
fn env() -> Option<&'static Env> {
    static ENV: OnceLock<Option<Env>> = OnceLock::new();
    ENV.get_or_init(|| {
        let chromium = chromium();
        if !chromium.exists() {
            let shown = chromium.display();
            if std::env::var("CI").as_deref() == Ok("true") {
                panic!("CI=true but {shown} is missing: the browser tests must run on CI");
            }
            // Straight to stderr: the test harness hides `eprintln!` output of passing tests.
            let _ = writeln!(
                std::io::stderr(),
                "\n######## SKIPPED: {shown} not found, the browser tests did not run ########\n"
            );
            return None;
        }
        let scratch = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser");
        let _ = std::fs::remove_dir_all(&scratch);
        let site = scratch.join("public");
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        if let Err(diagnostics) = figmark::build::build(root, &site) {
            panic!("the repository's site does not build: {diagnostics:?}");
        }
        Some(Env { site, chromium })
    })
    .as_ref()
}

impl Env {
    fn launch(&self) -> Session {
        let profile = tempfile::tempdir().expect("a profile folder");
        // Any host name fails to resolve, so a request that slipped past the listener could
        // not reach the network either; loopback stays, for the tests' own Pages-like server.
        let args = [
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
            "--disable-quic",
            "--disable-component-update",
            "--no-first-run",
        ];
        let options = LaunchOptions::default_builder()
            .path(Some(self.chromium.clone()))
            .headless(true)
            .sandbox(false)
            .window_size(Some((1280, 900)))
            .user_data_dir(Some(profile.path().to_path_buf()))
            .args(args.iter().map(OsStr::new).collect())
            .idle_browser_timeout(Duration::from_secs(120))
            .build()
            .expect("launch options");
        let browser = Browser::new(options).expect("Chromium starts");
        Session {
            browser,
            _profile: profile,
        }
    }
}

fn open(session: &Session, env: &Env, page: &str) -> Arc<Tab> {
    let tab = session.browser.new_tab().expect("a new tab");
    tab.navigate_to(&url(env, page)).expect("navigate");
    tab.wait_until_navigated().expect("page loads");
    tab
}

fn url(env: &Env, page: &str) -> String {
    format!("file://{}/{page}", env.site.display())
}

/// Runs a JavaScript expression in the page and returns its value, passed as JSON.
fn eval(tab: &Tab, expression: &str) -> Value {
    let js = format!("JSON.stringify((() => {{ return {expression}; }})() ?? null)");
    let result = tab.evaluate(&js, false).expect("evaluate");
    let text = result.value.and_then(|v| v.as_str().map(String::from));
    serde_json::from_str(&text.unwrap_or_else(|| panic!("`{expression}` threw: {:?}", result.description)))
        .expect("JSON")
}

/// Polls `expression` until it is truthy; panics naming `what` after a few seconds.
fn wait_for(tab: &Tab, expression: &str, what: &str) -> Value {
    let start = Instant::now();
    loop {
        let value = eval(tab, expression);
        if !matches!(value, Value::Null | Value::Bool(false)) {
            return value;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Types `query` into the search box and returns the results' hrefs (absolute, as resolved by
/// the browser from the relative links the script built).
fn search(tab: &Tab, query: &str) -> Vec<String> {
    eval(
        tab,
        "(() => { const i = document.getElementById('search-input'); i.value = ''; i.focus(); return true; })()",
    );
    tab.type_str(query).expect("typing");
    let hrefs = wait_for(
        tab,
        "(() => { const a = [...document.querySelectorAll('#search-results li[role=option] a')].map(a => a.href); \
         return a.length ? a : null; })()",
        &format!("search results for {query}"),
    );
    serde_json::from_value(hrefs).expect("a list of hrefs")
}

/// The page a result's href opens, without the query it carries (`?q=`) or the heading's anchor.
fn page_of(href: &str) -> &str {
    href.split(['?', '#']).next().unwrap_or(href)
}

#[test]
fn slash_focuses_search_and_chinese_title_ranks_first() {
    let Some(env) = env() else { return };
    let session = env.launch();
    let tab = open(&session, env, "optimization/momentum.html");
    tab.press_key("/").expect("key");
    assert_eq!(eval(&tab, "document.activeElement.id"), "search-input");
    assert_eq!(
        eval(&tab, "document.activeElement.value"),
        "",
        "`/` must not be typed into the box"
    );
    let hrefs = search(&tab, "感受野");
    assert_eq!(
        page_of(&hrefs[0]),
        url(env, "cnn/receptive-field.html"),
        "感受野 should list the receptive-field note first: {hrefs:?}"
    );
    let marked = eval(
        &tab,
        "[...document.querySelectorAll('#search-results mark')].map(m => m.textContent)",
    );
    assert!(
        marked.as_array().is_some_and(|m| m.iter().any(|t| t == "感受野")),
        "{marked}"
    );

    tab.press_key("ArrowDown").expect("key");
    assert_eq!(
        eval(&tab, "document.querySelector('#search-results li.active').id"),
        "search-hit-0"
    );
    tab.press_key("Enter").expect("key");
    wait_for(
        &tab,
        "location.pathname.endsWith('/cnn/receptive-field.html')",
        "Enter to open the first result",
    );
}

#[test]
fn momentum_found_in_english_and_chinese() {
    let Some(env) = env() else { return };
    let session = env.launch();
    let tab = open(&session, env, "index.html");
    let note = url(env, "optimization/momentum.html");
    for query in ["momentum", "动量"] {
        let hrefs = search(&tab, query);
        assert!(
            hrefs.iter().any(|h| page_of(h) == note),
            "{query} should find the momentum note: {hrefs:?}"
        );
    }
    tab.press_key("Escape").expect("key");
    assert_eq!(
        eval(&tab, "document.getElementById('search-results').hidden"),
        true
    );
}

/// `1x1`, `1X1` and `1*1` find the note titled 1×1 卷积 first, and mark its `1×1`.
#[test]
fn one_by_one_is_found_however_the_sign_is_typed() {
    let Some(env) = env() else { return };
    let session = env.launch();
    let tab = open(&session, env, "index.html");
    let note = url(env, "cnn/pointwise-convolution.html");
    for query in ["1x1", "1X1", "1*1", "1×1"] {
        let hrefs = search(&tab, query);
        assert_eq!(page_of(&hrefs[0]), note, "{query}: {hrefs:?}");
        let marked = eval(
            &tab,
            "[...document.querySelectorAll('#search-results li:first-child mark')].map(m => m.textContent)",
        );
        assert!(
            marked.as_array().is_some_and(|m| m.iter().any(|t| t == "1×1")),
            "{query}: {marked}"
        );
    }
}

/// A word one edit from a word of the notes finds the notes holding that word, whether the
/// typo is near its end (`momentun`) or its start (`nomentum`), and marks the word found.
#[test]
fn a_typo_finds_the_word_it_was_meant_to_be() {
    let Some(env) = env() else { return };
    let session = env.launch();
    let tab = open(&session, env, "index.html");
    let note = url(env, "optimization/momentum.html");
    let without_query = |hrefs: Vec<String>| -> Vec<String> {
        hrefs
            .iter()
            .map(|h| format!("{}#{}", page_of(h), h.split_once('#').map_or("", |(_, a)| a)))
            .collect()
    };
    let meant = without_query(search(&tab, "momentum "));
    for query in ["momentun", "nomentum", "momnetum"] {
        let hrefs = search(&tab, query);
        assert!(hrefs.iter().any(|h| page_of(h) == note), "{query}: {hrefs:?}");
        assert_eq!(without_query(hrefs), meant, "{query} finds what momentum finds");
        let marked = eval(
            &tab,
            "[...document.querySelectorAll('#search-results mark')].map(m => m.textContent.toLowerCase())",
        );
        assert!(
            marked
                .as_array()
                .is_some_and(|m| m.iter().any(|t| t == "momentum")),
            "{query}: {marked}"
        );
    }
}

/// A result reads "title › heading", then the snippet on a line of its own: the heading never
/// runs into the title or the text (it read "1×1 卷积1×1 卷积的作用").
#[test]
fn a_result_keeps_title_heading_and_snippet_apart() {
    let Some(env) = env() else { return };
    let session = env.launch();
    let tab = open(&session, env, "index.html");
    search(&tab, "1×1 卷积");
    let results = eval(
        &tab,
        "[...document.querySelectorAll('#search-results li[role=option] a')].map(a => [a.innerText,          a.querySelector('.search-title').textContent,          (a.querySelector('.search-heading') || {}).textContent || '',          (a.querySelector('.search-snippet') || {}).textContent || ''])",
    );
    let results: Vec<[String; 4]> = serde_json::from_value(results).unwrap();
    assert!(
        results.iter().any(|r| r[2] == "1×1 卷积的作用"),
        "the heading 1×1 卷积的作用 is found: {results:?}"
    );
    for [text, title, heading, snippet] in &results {
        let first = if heading.is_empty() {
            title.clone()
        } else {
            format!("{title} › {heading}")
        };
        let expected = if snippet.is_empty() {
            first
        } else {
            format!("{first}\n{snippet}")
        };
        assert_eq!(text.trim(), expected.trim(), "{results:?}");
    }
}

/// Opening a result marks the query's words in the article (not in code, formulas or
/// figures), still jumps to the result's heading, and the marks go with a click.
#[test]
fn the_page_a_result_opens_marks_the_query_until_cleared() {
    let Some(env) = env() else { return };
    let session = env.launch();
    let tab = open(&session, env, "index.html");
    let hrefs = search(&tab, "动量 momentum");
    let target = hrefs
        .iter()
        .find(|h| h.contains('#') && page_of(h) == url(env, "optimization/momentum.html"))
        .unwrap_or_else(|| panic!("a result under a heading of the momentum note: {hrefs:?}"))
        .clone();
    eval(
        &tab,
        &format!(
            "document.querySelector('#search-results a[href$=\"{}\"]').click() || true",
            target.split('/').next_back().unwrap()
        ),
    );
    wait_for(&tab, "location.search.startsWith('?q=')", "the result opens");
    wait_for(&tab, "document.readyState === 'complete'", "the page loads");
    let found = eval(
        &tab,
        "(() => { const m = [...document.querySelectorAll('mark.search-hit')];          const h = document.getElementById(decodeURIComponent(location.hash.slice(1)));          return { marks: m.map(e => e.textContent.toLowerCase()),            outside: m.filter(e => !e.closest('main article') || e.closest('pre, code, math, svg')).length,            heading: h && h.getBoundingClientRect().top,            bar: document.querySelector('.topbar').getBoundingClientRect().bottom,            clear: !!document.querySelector('.search-hits button') }; })()",
    );
    let marks: Vec<String> = serde_json::from_value(found["marks"].clone()).unwrap();
    assert!(marks.iter().any(|m| m == "momentum"), "{found}");
    assert!(marks.iter().any(|m| m == "动量"), "{found}");
    assert_eq!(found["outside"], 0, "marks only in the article's text: {found}");
    let (top, bar) = (found["heading"].as_f64(), found["bar"].as_f64().unwrap());
    assert!(
        top.is_some_and(|top| top >= bar && top < bar + 60.0),
        "the heading of {target} is in view below the bar: {found}"
    );
    eval(
        &tab,
        "document.querySelector('.search-hits button').click() || true",
    );
    assert_eq!(
        eval(
            &tab,
            "[document.querySelectorAll('mark').length, !!document.querySelector('.search-hits')]"
        ),
        serde_json::json!([0, false]),
        "the marks and the button are gone"
    );
}

#[test]
fn search_results_are_text_not_markup() {
    let Some(env) = env() else { return };
    let session = env.launch();
    let tab = open(&session, env, "index.html");
    search(&tab, "感受野");
    // Every result is built from text nodes, <mark>, <span> and <a> only. The notes' text holds
    // `<` (the TeX `\prod_{i<l}` in the receptive-field note), which innerHTML would turn into
    // an element.
    let tags = eval(
        &tab,
        "[...new Set([...document.querySelectorAll('#search-results *')].map(e => e.tagName))].sort()",
    );
    assert_eq!(tags, serde_json::json!(["A", "LI", "MARK", "SPAN"]));
}

#[test]
fn inline_math_is_mathml_with_size() {
    let Some(env) = env() else { return };
    let session = env.launch();
    let tab = open(&session, env, "cnn/receptive-field.html");
    let found = eval(
        &tab,
        "(() => { const m = document.querySelector('article p math'); if (!m) return null; \
         const r = m.getBoundingClientRect(); return [r.width, r.height]; })()",
    );
    let Value::Array(size) = found else {
        panic!("no inline <math> element in cnn/receptive-field.html: formulas are not rendered as MathML");
    };
    let (w, h) = (size[0].as_f64().unwrap(), size[1].as_f64().unwrap());
    assert!(w > 0.0 && h > 0.0, "inline <math> has no size: {w}×{h}");
}

#[test]
fn every_corpus_formula_has_a_size() {
    let Some(repo) = env() else { return };
    let site = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser-math");
    let _ = std::fs::remove_dir_all(&site);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/math-corpus");
    if let Err(diagnostics) = figmark::build::build(&root, &site) {
        panic!("the formula corpus does not build: {diagnostics:?}");
    }
    let env = Env {
        site,
        chromium: repo.chromium.clone(),
    };
    let session = env.launch();
    // A formula of Chinese characters alone (prose caught between two `$`) or of a circled number
    // past ⑩ is skipped: their glyphs come from a CJK font, and where none is installed, as on
    // CI, Chromium gives a glyph-less token no width.
    for (page, formulas) in [
        ("dl500.html", 1382),
        ("pumpkin-book.html", 2956),
        ("commands.html", 84),
    ] {
        let tab = open(&session, &env, page);
        let found = eval(
            &tab,
            "(() => { const all = [...document.querySelectorAll('article math')]; \
             const cjkOnly = m => /^[\\s\\u2460-\\u24ff\\u3000-\\u303f\\u3400-\\u9fff\\uff00-\\uffef]*$/.test(m.textContent); \
             const empty = all.filter(m => { const r = m.getBoundingClientRect(); return !cjkOnly(m) && !(r.width > 0 && r.height > 0); }); \
             return [all.length, empty.length, empty.slice(0, 3).map(m => m.outerHTML.slice(0, 300))]; })()",
        );
        assert_eq!(found[0], formulas, "{page}: formulas found");
        assert_eq!(found[1], 0, "{page}: formulas without a size: {}", found[2]);
    }
}

/// Helpers in the page: colours as [r, g, b, a], WCAG contrast, and the colour an element is
/// actually painted on (its first ancestor with a non-transparent background).
const COLOUR_JS: &str = "
  const rgba = s => { const c = document.createElement('canvas').getContext('2d'); c.fillStyle = s;
    c.fillRect(0, 0, 1, 1); return [...c.getImageData(0, 0, 1, 1).data]; };
  const lum = ([r, g, b]) => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const contrast = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const backdrop = e => { for (; e; e = e.parentElement) { const c = rgba(getComputedStyle(e).backgroundColor);
    if (c[3] > 0) return c; } return rgba(getComputedStyle(document.documentElement).backgroundColor); };
";

#[test]
fn dark_theme_keeps_code_and_figures_legible() {
    let Some(env) = env() else { return };
    let session = env.launch();
    let tab = open(&session, env, "optimization/momentum.html");
    // system → light → dark
    eval(&tab, "document.getElementById('theme-toggle').click()");
    eval(&tab, "document.getElementById('theme-toggle').click()");
    assert_eq!(eval(&tab, "document.documentElement.dataset.theme"), "dark");

    let worst = eval(
        &tab,
        &format!(
            "(() => {{ {COLOUR_JS}
              const spans = [...document.querySelectorAll('pre.hl-code span')].filter(s => s.textContent.trim());
              if (!spans.length) return null;
              return Math.min(...spans.map(s => contrast(rgba(getComputedStyle(s).color), backdrop(s)))); }})()"
        ),
    );
    let worst = worst.as_f64().expect("the momentum note has highlighted code");
    assert!(
        worst >= 4.5,
        "a code token in the dark theme has contrast {worst:.2} (< 4.5)"
    );
    let text = eval(
        &tab,
        &format!(
            "(() => {{ {COLOUR_JS} const p = document.querySelector('article p'); return contrast(rgba(getComputedStyle(p).color), backdrop(p)); }})()"
        ),
    );
    assert!(
        text.as_f64().unwrap() >= 7.0,
        "body text contrast in the dark theme: {text}"
    );

    // Figures have no card: each is painted on the page itself, its themed colours (text, axes,
    // grid, cells, legend) take the dark theme's values instead of the light ones their
    // attributes hold, labels keep 4.5:1 and series colours 3:1 against the page.
    let figures = eval(&tab, &format!("(() => {{ {COLOUR_JS} {FIGURE_COLOURS_JS} }})()"));
    let figures: Vec<Value> = serde_json::from_value(figures).expect("a list");
    assert!(!figures.is_empty(), "the momentum note has figures");
    for f in &figures {
        assert_eq!(f["backdrop"], f["page"], "a figure sits on a card: {f}");
        assert_eq!(f["paper"], f["page"], "a figure's paper is not the page: {f}");
        assert_eq!(f["stale"], 0, "themed colours left light in the dark theme: {f}");
        assert!(
            f["label"].as_f64().unwrap() >= 4.5,
            "a figure label's contrast: {f}"
        );
        assert!(
            f["series"].as_f64().unwrap() >= 3.0,
            "a series colour's contrast: {f}"
        );
    }
}

/// Per figure on the page: the colour behind it and the page's, its paper's fill, how many
/// themed elements still show their attribute's (light) colour, the lowest contrast of a label
/// and of a series line or dot against the page.
const FIGURE_COLOURS_JS: &str = "
  const page = rgba(getComputedStyle(document.body).backgroundColor);
  const painted = (e, attr) => rgba(getComputedStyle(e)[attr]);
  return [...document.querySelectorAll('figure.figure svg')].map(svg => {
    const themed = [...svg.querySelectorAll('[class*=\"fill-\"], [class*=\"stroke-\"]')];
    const stale = themed.filter(e => [...e.classList].some(c => {
      const attr = c.split('-')[0];
      return painted(e, attr).join() === rgba(e.getAttribute(attr)).join(); }));
    const texts = [...svg.querySelectorAll('text')].map(t => contrast(painted(t, 'fill'), page));
    const lines = [...svg.querySelectorAll('polyline:not([class])[opacity=\"1\"]')].map(l => contrast(painted(l, 'stroke'), page));
    const dots = [...svg.querySelectorAll('circle:not([class])[opacity=\"1\"]')].map(c => contrast(painted(c, 'fill'), page));
    return { backdrop: backdrop(svg), page, paper: painted(svg.querySelector('.fill-paper'), 'fill'),
      stale: stale.length, label: Math.min(...texts), series: Math.min(...lines, ...dots) };
  });
";

/// The theme reaches into figures: their text is painted in another colour in the light and the
/// dark theme.
#[test]
fn figure_text_changes_colour_with_the_theme() {
    let Some(env) = env() else { return };
    let session = env.launch();
    let tab = open(&session, env, "optimization/momentum.html");
    let ink = "getComputedStyle(document.querySelector('figure.figure svg text')).fill";
    let mut seen = Vec::new();
    for theme in ["light", "dark"] {
        eval(&tab, "document.getElementById('theme-toggle').click()");
        assert_eq!(eval(&tab, "document.documentElement.dataset.theme"), theme);
        seen.push(eval(&tab, ink));
    }
    assert_ne!(seen[0], seen[1], "figure text is {} in both themes", seen[0]);
}

/// Mermaid diagrams follow the theme: a diagram's text is painted another colour in the dark
/// theme than in the light one, legible on the page there, and each diagram has a size.
#[test]
fn diagrams_follow_the_theme_and_have_a_size() {
    let Some(repo) = env() else { return };
    let site = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser-diagrams");
    let _ = std::fs::remove_dir_all(&site);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/github");
    if let Err(diagnostics) = figmark::build::build(&root, &site) {
        panic!("the github fixture does not build: {diagnostics:?}");
    }
    let env = Env {
        site,
        chromium: repo.chromium.clone(),
    };
    let session = env.launch();
    let tab = open(&session, &env, "g/diagrams.html");
    let look = |theme: &str| {
        eval(
            &tab,
            &format!("document.documentElement.dataset.theme = '{theme}'"),
        );
        eval(
            &tab,
            &format!(
                "(() => {{ {COLOUR_JS}
                  const svgs = [...document.querySelectorAll('figure.diagram svg')];
                  const texts = svgs.flatMap(s => [...s.querySelectorAll('text')]);
                  return {{
                    sizes: svgs.map(s => {{ const r = s.getBoundingClientRect(); return [r.width, r.height]; }}),
                    fill: getComputedStyle(texts[0]).fill,
                    worst: Math.min(...texts.map(t => contrast(rgba(getComputedStyle(t).fill), backdrop(t.closest('figure'))))),
                  }}; }})()"
            ),
        )
    };
    let (light, dark) = (look("light"), look("dark"));
    let sizes = light["sizes"].as_array().expect("sizes");
    assert_eq!(sizes.len(), 5, "diagrams on g/diagrams.html: {sizes:?}");
    for size in sizes {
        let (w, h) = (size[0].as_f64().unwrap(), size[1].as_f64().unwrap());
        assert!(w > 50.0 && h > 50.0, "a diagram is {w}×{h}");
    }
    assert_ne!(
        light["fill"], dark["fill"],
        "a diagram's text keeps its colour in the dark theme"
    );
    for (theme, look) in [("light", &light), ("dark", &dark)] {
        let worst = look["worst"].as_f64().unwrap();
        assert!(
            worst >= 4.5,
            "diagram text in the {theme} theme has contrast {worst:.2} (< 4.5)"
        );
    }
}

#[test]
fn no_network_requests_and_no_console_errors() {
    let Some(env) = env() else { return };
    let session = env.launch();
    let tab = session.browser.new_tab().expect("a new tab");
    let requests = Arc::new(Mutex::new(Vec::<String>::new()));
    let errors = Arc::new(Mutex::new(Vec::<String>::new()));
    tab.call_method(Network::Enable {
        max_total_buffer_size: None,
        max_resource_buffer_size: None,
        max_post_data_size: None,
        report_direct_socket_traffic: None,
        enable_durable_messages: None,
    })
    .expect("network events");
    tab.enable_runtime().expect("runtime events");
    tab.enable_log().expect("log events");
    let (req, err) = (requests.clone(), errors.clone());
    tab.add_event_listener(Arc::new(move |event: &Event| match event {
        Event::NetworkRequestWillBeSent(e) => req.lock().unwrap().push(e.params.request.url.clone()),
        Event::RuntimeConsoleAPICalled(e) if e.params.Type == ConsoleAPICalledEventTypeOption::Error => err
            .lock()
            .unwrap()
            .push(format!("console.error: {:?}", e.params.args)),
        Event::RuntimeExceptionThrown(e) => err
            .lock()
            .unwrap()
            .push(format!("{:?}", e.params.exception_details)),
        Event::LogEntryAdded(e) if e.params.entry.level == LogEntryLevel::Error => {
            err.lock().unwrap().push(format!(
                "{}: {}",
                e.params.entry.url.clone().unwrap_or_default(),
                e.params.entry.text
            ))
        }
        _ => {}
    }))
    .expect("listener");
    for page in [
        "index.html",
        "cnn/receptive-field.html",
        "optimization/momentum.html",
        "tags/index.html",
    ] {
        tab.navigate_to(&url(env, page)).expect("navigate");
        tab.wait_until_navigated().expect("page loads");
        search(&tab, "感受野");
    }
    let requests = requests.lock().unwrap();
    assert!(
        requests.iter().any(|u| u.ends_with("/search-index.js")),
        "the listener saw no request for the index: {requests:?}"
    );
    let remote: Vec<&String> = requests
        .iter()
        .filter(|u| !u.starts_with("file://") && !u.starts_with("data:"))
        .collect();
    assert!(remote.is_empty(), "requests off the page's own files: {remote:?}");
    let errors = errors.lock().unwrap();
    assert!(errors.is_empty(), "console errors: {errors:?}");
}

/// A generated site of 2,000 notes (`common::generate_notes`), built once.
fn large_site() -> &'static Path {
    static SITE: OnceLock<PathBuf> = OnceLock::new();
    SITE.get_or_init(|| {
        let scratch = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser-large");
        let _ = std::fs::remove_dir_all(&scratch);
        common::generate_notes(&scratch.join("site"), 2000);
        let out = scratch.join("public");
        if let Err(diagnostics) = figmark::build::build(&scratch.join("site"), &out) {
            panic!("the generated site does not build: {diagnostics:?}");
        }
        out
    })
}

/// Over `file://` on 2,000 notes: a word only one note holds finds that note, so does that
/// word with a typo (among the notes of the other words one edit away), and a query typed a
/// key at a time, with every prefix searched on the way, loads at most 500 KB of scripts.
#[test]
fn large_site_finds_a_unique_word_loading_little() {
    let Some(env) = env() else { return };
    let site = large_site();
    let session = env.launch();
    for (query, note) in [
        (common::unique_word(1234), Some(1234)),
        (format!("{}e", common::unique_word(1234)), Some(1234)),
        ("卷积 参数 gradient".into(), None),
    ] {
        let tab = session.browser.new_tab().expect("a new tab");
        tab.navigate_to(&format!("file://{}/s010/n005.html", site.display()))
            .expect("navigate");
        tab.wait_until_navigated().expect("page loads");
        let hrefs = search(&tab, &query);
        if let Some(i) = note {
            let expected = format!("file://{}/{}", site.display(), common::note_path(i).1);
            if query == common::unique_word(i) {
                assert_eq!(hrefs.len(), 1, "{query}: {hrefs:?}");
            }
            assert!(hrefs.iter().any(|h| page_of(h) == expected), "{query}: {hrefs:?}");
        }
        let scripts: Vec<String> = serde_json::from_value(eval(
            &tab,
            // Chromium keeps no resource timing for `file://`; the loader's script elements stay.
            "[...document.querySelectorAll('script[src*=search-index]')].map(s => s.src)",
        ))
        .expect("names");
        let loaded: u64 = scripts
            .iter()
            .map(|url| {
                let path = url.strip_prefix("file://").expect("a file");
                std::fs::metadata(common::decode(path))
                    .expect("a loaded file")
                    .len()
            })
            .sum();
        assert!(
            loaded <= 500 * 1024,
            "{query}: {} scripts, {loaded} bytes",
            scripts.len()
        );
        assert!(scripts.len() > 1, "{query}: the manifest and chunks: {scripts:?}");
        eprintln!("{query}: {} scripts, {loaded} bytes", scripts.len());
    }
}

/// Opens `page` with the viewport `width` CSS px wide (a phone below 600).
fn open_at(session: &Session, env: &Env, page: &str, width: u32) -> Arc<Tab> {
    use headless_chrome::protocol::cdp::Emulation::SetDeviceMetricsOverride;
    let tab = session.browser.new_tab().expect("a new tab");
    tab.call_method(SetDeviceMetricsOverride {
        width,
        height: 900,
        device_scale_factor: 1.0,
        mobile: width < 600,
        scale: None,
        screen_width: None,
        screen_height: None,
        position_x: None,
        position_y: None,
        dont_set_visible_size: None,
        screen_orientation: None,
        viewport: None,
        display_feature: None,
        device_posture: None,
    })
    .expect("viewport");
    tab.navigate_to(&url(env, page)).expect("navigate");
    tab.wait_until_navigated().expect("page loads");
    tab
}

/// Following a link to a heading leaves the heading in view below the sticky bar, on a wide
/// screen and on a phone.
#[test]
fn jumps_land_below_the_bar() {
    let Some(env) = env() else { return };
    let session = env.launch();
    for width in [1400, 390, 320] {
        let tab = open_at(&session, env, "cnn/receptive-field.html", width);
        let gap = eval(
            &tab,
            "(() => { const h = [...document.querySelectorAll('article h2[id]')].at(-1); \
             location.hash = encodeURIComponent(h.id); \
             return h.getBoundingClientRect().top - document.querySelector('.topbar').getBoundingClientRect().bottom; })()",
        );
        let gap = gap.as_f64().expect("a number");
        assert!(
            (0.0..60.0).contains(&gap),
            "at {width} px the heading is {gap} px below the bar"
        );
        let bar = eval(
            &tab,
            "document.querySelector('.topbar').getBoundingClientRect().height",
        );
        assert!(
            bar.as_f64().is_some_and(|h| h <= 52.0),
            "at {width} px the bar is {bar} px tall"
        );
    }
}

#[test]
fn phone_search_results_stay_on_screen() {
    let Some(env) = env() else { return };
    let session = env.launch();
    for width in [320, 390, 414] {
        let tab = open_at(&session, env, "index.html", width);
        search(&tab, "卷积");
        let (left, right) = (
            eval(
                &tab,
                "document.getElementById('search-results').getBoundingClientRect().left",
            ),
            eval(
                &tab,
                "document.getElementById('search-results').getBoundingClientRect().right",
            ),
        );
        let (left, right) = (left.as_f64().unwrap(), right.as_f64().unwrap());
        assert!(
            left >= 0.0 && right <= f64::from(width),
            "at {width} px the results span {left}..{right}"
        );
    }
}

/// At 1400 px the outline stands beside the article, and marks the heading scrolled to.
#[test]
fn wide_screens_show_an_outline_that_follows_the_reading() {
    let Some(env) = env() else { return };
    let session = env.launch();
    let tab = open_at(&session, env, "cnn/receptive-field.html", 1400);
    let beside = eval(
        &tab,
        "(() => { const t = document.querySelector('.toc').getBoundingClientRect(); \
         const a = document.querySelector('article p').getBoundingClientRect(); \
         return t.width > 100 && t.left >= a.right && getComputedStyle(document.querySelector('.toc')).position === 'fixed'; })()",
    );
    assert_eq!(beside, true, "the outline is not beside the article");
    eval(
        &tab,
        "document.getElementById(decodeURIComponent([...document.querySelectorAll('.toc a')].at(-1).hash.slice(1))).scrollIntoView()",
    );
    let active = wait_for(
        &tab,
        "(() => { const links = [...document.querySelectorAll('.toc a')]; return links.at(-1).classList.contains('active') && links.filter(a => a.classList.contains('active')).length === 1; })()",
        "the last outline entry marked after scrolling to it",
    );
    assert_eq!(active, true);
    let narrow = open_at(&session, env, "cnn/receptive-field.html", 1000);
    assert_eq!(
        eval(
            &narrow,
            "getComputedStyle(document.querySelector('.toc')).position"
        ),
        "static",
        "below 1200 px the outline stays in the article"
    );
}

#[test]
fn code_blocks_have_a_language_label_and_a_copy_button() {
    let Some(env) = env() else { return };
    let session = env.launch();
    let tab = open(&session, env, "cnn/focus-module.html");
    let counts = eval(
        &tab,
        "[document.querySelectorAll('main pre').length, document.querySelectorAll('main .code-block > button.copy').length]",
    );
    let counts: Vec<u64> = serde_json::from_value(counts).unwrap();
    assert!(
        counts[0] > 0 && counts[0] == counts[1],
        "pre blocks and copy buttons: {counts:?}"
    );
    let labels = eval(
        &tab,
        "[...document.querySelectorAll('.code-lang')].map(l => l.textContent)",
    );
    assert!(
        labels.as_array().is_some_and(|l| l.iter().any(|t| t == "python")),
        "{labels}"
    );
    tab.bring_to_front().expect("focus");
    tab.find_element(".code-block .copy")
        .expect("a copy button")
        .click()
        .expect("click");
    wait_for(
        &tab,
        "document.querySelector('.code-block .copy').textContent === '已复制'",
        "the button to say the code was copied",
    );
}

#[test]
fn arrow_keys_open_the_previous_and_next_page() {
    let Some(env) = env() else { return };
    let session = env.launch();
    let tab = open(&session, env, "cnn/receptive-field.html");
    let next = eval(&tab, "document.querySelector('.pager a[rel=next]').href");
    let prev = eval(&tab, "document.querySelector('.pager a[rel=prev]').href");
    let here = serde_json::json!(url(env, "cnn/receptive-field.html"));
    for (key, to, what) in [
        ("ArrowRight", &next, "→ to open the next page"),
        ("ArrowLeft", &here, "← to come back"),
        ("ArrowLeft", &prev, "← to open the previous page"),
    ] {
        tab.press_key(key).expect("key");
        wait_for(
            &tab,
            &format!("location.href === {to} && document.readyState === 'complete'"),
            what,
        );
    }
}

#[test]
fn the_theme_button_cycles_system_light_dark_and_names_its_state() {
    let Some(env) = env() else { return };
    let session = env.launch();
    let tab = open(&session, env, "index.html");
    let state = |tab: &Tab| {
        eval(
            tab,
            "[document.documentElement.dataset.theme || 'system', document.getElementById('theme-toggle').getAttribute('aria-label')]",
        )
    };
    assert_eq!(state(&tab), serde_json::json!(["system", "主题：跟随系统"]));
    for expected in [["light", "主题：浅色"], ["dark", "主题：深色"]] {
        eval(&tab, "document.getElementById('theme-toggle').click()");
        assert_eq!(state(&tab), serde_json::json!(expected));
    }
    tab.reload(false, None).expect("reload");
    wait_for(
        &tab,
        "document.readyState === 'complete'",
        "the page to load again",
    );
    assert_eq!(
        state(&tab),
        serde_json::json!(["dark", "主题：深色"]),
        "the choice is remembered"
    );
    eval(&tab, "document.getElementById('theme-toggle').click()");
    assert_eq!(state(&tab), serde_json::json!(["system", "主题：跟随系统"]));
}

#[test]
fn a_figure_opens_full_size_and_closes_on_escape() {
    let Some(env) = env() else { return };
    let session = env.launch();
    let tab = open(&session, env, "activation/activation-functions.html");
    let width = |tab: &Tab| {
        eval(
            tab,
            "document.querySelector('figure.figure svg').getBoundingClientRect().width",
        )
    };
    let small = width(&tab).as_f64().unwrap();
    eval(&tab, "document.querySelector('figure.figure').click()");
    assert_eq!(
        eval(
            &tab,
            "document.querySelector('figure.figure').classList.contains('zoomed')"
        ),
        true
    );
    let large = width(&tab).as_f64().unwrap();
    assert!(large > small, "zoomed {large} px, not larger than {small} px");
    tab.press_key("Escape").expect("key");
    assert_eq!(eval(&tab, "document.querySelectorAll('figure.zoomed').length"), 0);
}

/// axe-core, run inside the page: no serious or critical violation on the home page, a section
/// and three notes, in both themes. `FIGMARK_AXE` names axe.min.js (`.ci/run` installs it).
#[test]
fn axe_finds_no_serious_or_critical_violations() {
    let Some(env) = env() else { return };
    let Some(axe) = std::env::var_os("FIGMARK_AXE").and_then(|p| std::fs::read_to_string(p).ok()) else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true but FIGMARK_AXE names no axe.min.js"
        );
        let _ = writeln!(
            std::io::stderr(),
            "\n######## SKIPPED: FIGMARK_AXE not set, axe-core did not run ########\n"
        );
        return;
    };
    let session = env.launch();
    let mut found = Vec::new();
    for page in [
        "index.html",
        "cnn/index.html",
        "cnn/receptive-field.html",
        "optimization/momentum.html",
        "activation/activation-functions.html",
        // A page a search result opened: the query marked, and the button that clears it.
        "optimization/momentum.html?q=momentum%20%E5%8A%A8%E9%87%8F",
        "print.html",
    ] {
        for theme in ["light", "dark"] {
            let tab = open(&session, env, page);
            eval(
                &tab,
                &format!("document.documentElement.dataset.theme = '{theme}'"),
            );
            tab.evaluate(&axe, false).expect("axe loads");
            let result = tab
                .evaluate(
                    "axe.run(document, { resultTypes: ['violations'] }).then(r => JSON.stringify(r.violations\
                     .filter(v => v.impact === 'serious' || v.impact === 'critical')\
                     .map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))))",
                    true,
                )
                .expect("axe runs");
            let text = result
                .value
                .and_then(|v| v.as_str().map(String::from))
                .expect("a JSON list");
            let violations: Vec<String> = serde_json::from_str(&text).unwrap();
            found.extend(violations.into_iter().map(|v| format!("{page} ({theme}): {v}")));
        }
    }
    assert!(found.is_empty(), "axe violations:\n{}", found.join("\n"));
}

/// An inline formula and the closing mark after it (。, ）…) never part at a line break.
#[test]
fn closing_punctuation_never_starts_a_line_after_a_formula() {
    let Some(env) = env() else { return };
    let session = env.launch();
    let mut seen = 0;
    for width in [320, 390] {
        for page in [
            "cnn/receptive-field.html",
            "optimization/momentum.html",
            "cnn/depthwise-separable-convolution.html",
        ] {
            let tab = open_at(&session, env, page, width);
            let spans = eval(
                &tab,
                "[...document.querySelectorAll('main .nobr')].map(s => s.getClientRects().length)",
            );
            let spans: Vec<u64> = serde_json::from_value(spans).unwrap();
            assert!(
                spans.iter().all(|&lines| lines == 1),
                "{page} at {width} px: {spans:?}"
            );
            seen += spans.len();
        }
    }
    assert!(
        seen > 0,
        "no formula followed by a closing mark in the pages tried"
    );
    // Squeezed into a box as wide as the formula alone, the mark would wrap if it could.
    let tab = open_at(&session, env, "cnn/receptive-field.html", 390);
    let lines = eval(
        &tab,
        "(() => { const s = document.querySelector('main .nobr'); \
         const box = document.createElement('div'); \
         box.style.width = (s.querySelector('math').getBoundingClientRect().width + 2) + 'px'; \
         box.appendChild(s.cloneNode(true)); document.querySelector('main').appendChild(box); \
         return box.firstChild.getClientRects().length; })()",
    );
    assert_eq!(lines, 1, "the mark wrapped away from its formula");
}

/// Serves `site` under `/figmark/` on loopback as GitHub Pages does: a file when there is one,
/// else `404.html` with status 404. Returns the base URL; the server lives as long as the test.
fn pages_server(site: &'static Path) -> String {
    use std::io::{BufRead, BufReader};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    let base = format!("http://{}/figmark/", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream);
            let mut request = String::new();
            if reader.read_line(&mut request).is_err() {
                continue;
            }
            let path = request
                .split(' ')
                .nth(1)
                .unwrap_or("/")
                .split('?')
                .next()
                .unwrap_or("/");
            let rel = path.strip_prefix("/figmark/").map(common::decode);
            let file = rel
                .map(|r| {
                    if r.is_empty() || r.ends_with('/') {
                        format!("{r}index.html")
                    } else {
                        r
                    }
                })
                .map(|r| site.join(r));
            let (status, body) = match file.filter(|f| f.is_file() && !f.to_string_lossy().contains("..")) {
                Some(f) => ("200 OK", std::fs::read(f).unwrap()),
                None => ("404 Not Found", std::fs::read(site.join("404.html")).unwrap()),
            };
            let kind = if path.ends_with(".css") {
                "text/css"
            } else if path.ends_with(".js") {
                "text/javascript"
            } else if path.ends_with(".woff2") {
                "font/woff2"
            } else {
                "text/html; charset=utf-8"
            };
            let mut stream = reader.into_inner();
            let head = format!(
                "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream
                .write_all(head.as_bytes())
                .and_then(|()| stream.write_all(&body));
        }
    });
    base
}

/// 404.html works where GitHub Pages serves it (any missing path under the site's sub-path) and
/// opened from disk: styled, with navigation that leads to real pages.
#[test]
fn the_404_page_works_under_a_sub_path_and_from_disk() {
    let Some(env) = env() else { return };
    let session = env.launch();
    let base = pages_server(&env.site);
    let check = |tab: &Tab, how: &str| {
        let styled = eval(
            tab,
            "getComputedStyle(document.querySelector('.topbar')).position",
        );
        assert_eq!(styled, "sticky", "404.html {how} is not styled");
        let hrefs = eval(
            tab,
            "[...document.querySelectorAll('#sidebar a, main a')].map(a => a.href)",
        );
        serde_json::from_value::<Vec<String>>(hrefs).unwrap()
    };
    let tab = session.browser.new_tab().expect("a tab");
    tab.navigate_to(&format!("{base}cnn/no-such-note.html"))
        .expect("navigate");
    tab.wait_until_navigated().expect("loads");
    let hrefs = check(&tab, "served under a sub-path");
    assert!(!hrefs.is_empty());
    for href in &hrefs {
        let rel = href
            .strip_prefix(&base)
            .unwrap_or_else(|| panic!("{href} leaves the site"));
        let rel = if rel.is_empty() || rel.ends_with('/') {
            format!("{rel}index.html")
        } else {
            rel.to_string()
        };
        assert!(
            env.site.join(common::decode(&rel)).is_file(),
            "{href} leads nowhere"
        );
    }
    let offline = open(&session, env, "404.html");
    for href in check(&offline, "from disk") {
        let rel = href
            .strip_prefix(&url(env, ""))
            .unwrap_or_else(|| panic!("{href} leaves the site"));
        assert!(
            env.site.join(common::decode(rel)).is_file(),
            "{href} leads nowhere"
        );
    }
}

/// Snippets show formulas as a reader sees them, never their TeX (`\prod`, `\frac`).
#[test]
fn search_snippets_hold_no_tex() {
    let Some(env) = env() else { return };
    let session = env.launch();
    let tab = open(&session, env, "index.html");
    for query in ["感受野", "卷积核", "梯度", "softmax"] {
        search(&tab, query);
        let snippets = eval(
            &tab,
            "[...document.querySelectorAll('.search-snippet')].map(s => s.textContent)",
        );
        let snippets: Vec<String> = serde_json::from_value(snippets).unwrap();
        assert!(!snippets.is_empty(), "{query}: no snippets");
        for s in &snippets {
            assert!(!s.contains('\\'), "{query}: TeX in snippet {s:?}");
        }
    }
}

/// The smallest figure text, as rendered: its font size times the SVG's scale on screen (the
/// length of the matrix's first column, as labels may be rotated).
const SMALLEST_FIGURE_TEXT_JS: &str = "(() => { const t = [...document.querySelectorAll('figure.figure svg text')]; \
     if (!t.length) return null; \
     return Math.min(...t.map(e => { const m = e.getScreenCTM(); return parseFloat(getComputedStyle(e).fontSize) * Math.hypot(m.a, m.b); })); })()";

/// Figure text stays legible: at least 10 CSS px on a phone and 12 px on a wide screen.
#[test]
fn figure_text_is_legible_on_a_phone_and_a_wide_screen() {
    let Some(env) = env() else { return };
    let session = env.launch();
    for page in [
        "index.html",
        "activation/activation-functions.html",
        "cnn/depthwise-separable-convolution.html",
        "optimization/momentum.html",
    ] {
        for (width, least) in [(390, 10.0), (1400, 12.0)] {
            let tab = open_at(&session, env, page, width);
            let smallest = eval(&tab, SMALLEST_FIGURE_TEXT_JS)
                .as_f64()
                .unwrap_or_else(|| panic!("{page} has no figure text"));
            assert!(
                smallest >= least - 0.01,
                "{page} at {width} px: smallest figure text {smallest:.2} px (< {least})"
            );
        }
    }
}

/// The site `figmark init` writes, read as a newcomer first sees it over `file://`: its figure
/// and formula have a size, its cross-links reach pages that exist and search finds the note. A
/// lenient note beside it shows what could not be made, marked where it is.
#[test]
fn the_init_site_works_from_disk() {
    let Some(env) = env() else { return };
    let scratch = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser-init");
    let _ = std::fs::remove_dir_all(&scratch);
    let root = scratch.join("site");
    figmark::init::init(&root).expect("init writes the site");
    std::fs::write(
        root.join("content/notes/adopted.md"),
        "# Adopted\n\nSee [a lost note](lost.md).\n\n![a lost plot](img/lost.png)\n\n$\\frobnicate{x}$\n",
    )
    .unwrap();
    let out = root.join("public");
    figmark::build::build_with(&root, &out, figmark::build::Lenient::Yes)
        .unwrap_or_else(|d| panic!("the init site does not build: {d:?}"));
    let session = env.launch();
    let tab = session.browser.new_tab().expect("a new tab");
    let page = |rel: &str| format!("file://{}/{rel}", out.display());
    tab.navigate_to(&page("notes/first-note.html")).expect("navigate");
    tab.wait_until_navigated().expect("page loads");
    let sized = "(s) => { const r = document.querySelector(s)?.getBoundingClientRect(); return !!r && r.width > 20 && r.height > 10; }";
    for what in ["figure.figure svg", "math[display=block]"] {
        assert_eq!(
            eval(&tab, &format!("({sized})('{what}')")),
            Value::Bool(true),
            "{what} has a size"
        );
    }
    let links: Vec<String> = serde_json::from_value(eval(
        &tab,
        "[...document.querySelectorAll('main article a[href]')].map(a => a.href).filter(h => h.startsWith('file:'))",
    ))
    .unwrap();
    assert!(links.len() >= 2, "{links:?}");
    for link in &links {
        let path = common::decode(link.trim_start_matches("file://").split('#').next().unwrap());
        assert!(Path::new(&path).is_file(), "{link} reaches a file");
    }
    let hrefs = search(&tab, "sigmoid");
    assert!(
        hrefs.iter().any(|h| h.contains("notes/first-note.html")),
        "{hrefs:?}"
    );
    // The search box speaks the site's language (English here), from the strings tables.
    eval(
        &tab,
        "(() => { const i = document.getElementById('search-input'); i.value = ''; i.focus(); return true; })()",
    );
    tab.type_str("qqzzyyxx").expect("typing");
    wait_for(
        &tab,
        "document.getElementById('search-results').textContent.includes('No note holds “qqzzyyxx”')",
        "the English message for no results",
    );

    tab.navigate_to(&page("notes/adopted.html")).expect("navigate");
    tab.wait_until_navigated().expect("page loads");
    let marks: Vec<String> = serde_json::from_value(eval(
        &tab,
        "[...document.querySelectorAll('.broken-link, .missing-image, .math-error')].map(e => \
         e.className + ':' + e.textContent + ':' + (e.getBoundingClientRect().width > 0) + ':' + getComputedStyle(e).borderStyle + getComputedStyle(e).textDecorationStyle)",
    ))
    .unwrap();
    assert_eq!(
        marks,
        [
            "broken-link:a lost note:true:nonewavy",
            "missing-image:a lost plot:true:dashedsolid",
            "math-error:\\frobnicate{x}:true:dashedsolid",
        ],
        "each problem is marked where it is"
    );
}

/// The home page (its link map) and the notes' pages that hold a figure, as output paths.
fn pages_with_figures() -> Vec<String> {
    fn walk(dir: &Path, rel: &str, pages: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).expect("the notes' folder").flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = entry.path();
            if path.is_dir() {
                walk(&path, &format!("{rel}{name}/"), pages);
            } else if let Some(stem) = name.strip_suffix(".md")
                && std::fs::read_to_string(&path).is_ok_and(|text| text.contains("```figure"))
            {
                pages.push(format!("{rel}{stem}.html"));
            }
        }
    }
    let mut pages = vec!["index.html".to_string()];
    walk(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("content"),
        "",
        &mut pages,
    );
    pages.sort();
    pages
}

/// On a wide screen every figure fits its column: none scrolls sideways.
#[test]
fn figures_fit_a_wide_screen_without_scrolling() {
    let Some(env) = env() else { return };
    let session = env.launch();
    let mut scrolled = Vec::new();
    for page in pages_with_figures() {
        let tab = open_at(&session, env, &page, 1400);
        let wide = eval(
            &tab,
            "[...document.querySelectorAll('figure.figure')].filter(f => f.scrollWidth > f.clientWidth + 1) \
             .map(f => `${f.clientWidth} < ${f.scrollWidth}: ${f.querySelector('svg').getAttribute('aria-label').slice(0, 60)}`)",
        );
        for f in wide.as_array().expect("a list") {
            scrolled.push(format!("{page}: {f}"));
        }
    }
    assert!(
        scrolled.is_empty(),
        "figures scroll at 1400 px:\n{}",
        scrolled.join("\n")
    );
}
