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
        // not reach the network either.
        let args = [
            "--host-resolver-rules=MAP * ~NOTFOUND",
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
        hrefs[0],
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
            hrefs.iter().any(|h| h.split('#').next() == Some(note.as_str())),
            "{query} should find the momentum note: {hrefs:?}"
        );
    }
    tab.press_key("Escape").expect("key");
    assert_eq!(
        eval(&tab, "document.getElementById('search-results').hidden"),
        true
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

    // Figures are drawn with dark ink for a light page, so in the dark theme each one needs a
    // light card: every label must keep its contrast against what the figure is painted on.
    let labels = eval(
        &tab,
        &format!(
            "(() => {{ {COLOUR_JS}
              return [...document.querySelectorAll('figure.figure svg')].map(svg => {{
                const card = backdrop(svg);
                const texts = [...svg.querySelectorAll('text')];
                return texts.length ? Math.min(...texts.map(t => contrast(rgba(getComputedStyle(t).fill), card))) : 21;
              }}); }})()"
        ),
    );
    let labels: Vec<f64> = serde_json::from_value(labels).expect("numbers");
    assert!(!labels.is_empty(), "the momentum note has figures");
    for c in labels {
        assert!(
            c >= 4.5,
            "a figure label in the dark theme has contrast {c:.2} (< 4.5)"
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

/// Over `file://` on 2,000 notes: a word only one note holds finds that note, and a query typed
/// a key at a time, with every prefix searched on the way, loads at most 500 KB of scripts.
#[test]
fn large_site_finds_a_unique_word_loading_little() {
    let Some(env) = env() else { return };
    let site = large_site();
    let session = env.launch();
    for (query, note) in [
        (common::unique_word(1234), Some(1234)),
        ("卷积 参数 gradient".into(), None),
    ] {
        let tab = session.browser.new_tab().expect("a new tab");
        tab.navigate_to(&format!("file://{}/s010/n005.html", site.display()))
            .expect("navigate");
        tab.wait_until_navigated().expect("page loads");
        let hrefs = search(&tab, &query);
        if let Some(i) = note {
            let expected = format!("file://{}/{}", site.display(), common::note_path(i).1);
            assert_eq!(hrefs.len(), 1, "{query}: {hrefs:?}");
            assert_eq!(hrefs[0].split('#').next(), Some(expected.as_str()), "{query}");
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
