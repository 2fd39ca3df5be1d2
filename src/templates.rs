//! Template stage: loads the templates (the default theme, compiled in, overridden file by file
//! by a site's own `templates/` folder) and renders a view (see `views`) with tera. Tera's
//! errors become diagnostics naming the template file and line.

use std::hash::{Hash, Hasher};
use std::path::Path;

use serde::Serialize;
use tera::{Context, ErrorKind, Tera};

use crate::diagnostics::Diagnostic;

pub const TEMPLATE_DIR: &str = "templates";

/// The default theme: the repository's own `templates/`, compiled into the binary.
const DEFAULTS: &[(&str, &str)] = &[
    ("base.html", include_str!("../templates/base.html")),
    ("index.html", include_str!("../templates/index.html")),
    ("section.html", include_str!("../templates/section.html")),
    ("page.html", include_str!("../templates/page.html")),
    ("404.html", include_str!("../templates/404.html")),
    ("pager.html", include_str!("../templates/pager.html")),
    ("backlinks.html", include_str!("../templates/backlinks.html")),
    ("print.html", include_str!("../templates/print.html")),
];

pub struct Templates {
    tera: Tera,
    /// A hash of every template's name and text: equal fingerprints render equal views alike.
    pub fingerprint: u64,
}

impl Templates {
    /// Loads the default templates, replaced by any file of the same name in `root/templates/`,
    /// plus any other `.html` file there (partials).
    pub fn load(root: &Path) -> Result<Self, Vec<Diagnostic>> {
        let mut sources: Vec<(String, String)> = DEFAULTS
            .iter()
            .map(|(n, s)| (n.to_string(), s.to_string()))
            .collect();
        let mut diagnostics = Vec::new();
        let dir = root.join(TEMPLATE_DIR);
        if let Ok(entries) = std::fs::read_dir(&dir) {
            let mut names: Vec<String> = entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".html"))
                .collect();
            names.sort();
            for name in names {
                match std::fs::read_to_string(dir.join(&name)) {
                    Ok(text) => match sources.iter_mut().find(|(n, _)| *n == name) {
                        Some(slot) => slot.1 = text,
                        None => sources.push((name, text)),
                    },
                    Err(e) => diagnostics.push(Diagnostic::error(
                        format!("{TEMPLATE_DIR}/{name}"),
                        0,
                        0,
                        format!("cannot read: {e}"),
                    )),
                }
            }
        }
        let mut tera = Tera::new();
        tera.autoescape_on(vec![".html", ".xml"]);
        if let Err(e) = tera.add_raw_templates(sources.iter().map(|(n, t)| (n.as_str(), t.as_str()))) {
            diagnostics.extend(load_errors(&e));
        }
        if diagnostics.is_empty() {
            let mut hasher = std::hash::DefaultHasher::new();
            sources.hash(&mut hasher);
            Ok(Self {
                tera,
                fingerprint: hasher.finish(),
            })
        } else {
            Err(diagnostics)
        }
    }

    pub fn render(&self, name: &str, context: &Context) -> Result<String, Diagnostic> {
        self.tera
            .render(name, context)
            .map_err(|e| template_error(name, &e))
    }
}

/// Errors found while loading the templates. Syntax errors and cycles come as typed kinds; but
/// tera (2.4) joins its reports of unknown filters, tests, functions and includes of every
/// template into one `ErrorKind::Msg` text, each with a `--> file:line:col` line, and offers no
/// typed form of them: that text is split.
fn load_errors(e: &tera::Error) -> Vec<Diagnostic> {
    let ErrorKind::Msg(text) = e.kind() else {
        return vec![template_error("base.html", e)];
    };
    let mut diagnostics = Vec::new();
    let mut message = "";
    for line in text.lines() {
        if let Some(m) = line.trim_start().strip_prefix("error: ") {
            message = m;
        } else if let Some(place) = line.trim_start().strip_prefix("--> ") {
            let mut parts = place.rsplitn(3, ':');
            let (col, line, file) = (parts.next(), parts.next(), parts.next());
            if let (Some(file), Some(line), Some(col)) = (file, line, col) {
                diagnostics.push(Diagnostic::error(
                    format!("{TEMPLATE_DIR}/{file}"),
                    line.parse().unwrap_or(0),
                    col.parse().unwrap_or(0),
                    format!("template: {message}"),
                ));
            }
        }
    }
    if diagnostics.is_empty() {
        diagnostics.push(template_error("base.html", e));
    }
    diagnostics
}

/// A tera error as a diagnostic naming the template file and line.
fn template_error(name: &str, e: &tera::Error) -> Diagnostic {
    let (file, line, col, message) = match e.kind() {
        ErrorKind::SyntaxError(report) | ErrorKind::RenderingError(report) => {
            let file = if report.filename().is_empty() {
                name
            } else {
                report.filename()
            };
            let span = report.span();
            (
                file.to_string(),
                span.start_line,
                span.start_col + 1,
                report.message().to_string(),
            )
        }
        ErrorKind::CircularExtend { tpl, .. }
        | ErrorKind::CircularInclude { tpl, .. }
        | ErrorKind::MissingParent { current: tpl, .. } => (tpl.clone(), 0, 0, e.to_string()),
        _ => (name.to_string(), 0, 0, e.to_string()),
    };
    Diagnostic::error(
        format!("{TEMPLATE_DIR}/{file}"),
        line,
        col,
        format!("template: {message}"),
    )
}

/// The tera context of a view. A view that does not serialize to a map is an error, never an
/// empty page.
pub fn context(view: &impl Serialize) -> Result<Context, Diagnostic> {
    Context::from_serialize(view).map_err(|e| {
        Diagnostic::error(
            TEMPLATE_DIR,
            0,
            0,
            format!("template: cannot pass the page's view to the templates: {e}"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Loads the default templates with `files` (name, text) put in the site's `templates/`.
    fn load(files: &[(&str, &str)]) -> Result<Templates, Vec<Diagnostic>> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join(TEMPLATE_DIR)).unwrap();
        for (name, text) in files {
            std::fs::write(dir.path().join(TEMPLATE_DIR).join(name), text).unwrap();
        }
        Templates::load(dir.path())
    }

    fn place(d: &Diagnostic) -> (String, usize) {
        (d.file.to_string_lossy().into_owned(), d.line)
    }

    #[test]
    fn syntax_error_names_the_file_and_line() {
        let errors = load(&[("extra.html", "line one\n{% if %}\n")]).err().unwrap();
        assert_eq!(
            place(&errors[0]),
            ("templates/extra.html".into(), 2),
            "{errors:?}"
        );
    }

    #[test]
    fn unknown_filters_of_several_templates_are_one_diagnostic_each() {
        let errors = load(&[("a.html", "{{ x | nope_a }}"), ("b.html", "\n\n{{ x | nope_b }}")])
            .err()
            .unwrap();
        let places: Vec<_> = errors.iter().map(place).collect();
        assert_eq!(
            places,
            [("templates/a.html".into(), 1), ("templates/b.html".into(), 3)]
        );
        assert!(errors[1].message.contains("nope_b"), "{errors:?}");
    }

    #[test]
    fn rendering_error_names_the_file_and_line() {
        let templates = load(&[("extra.html", "a\nb\n{{ missing.field }}\n")]).unwrap();
        let error = templates.render("extra.html", &Context::new()).unwrap_err();
        assert_eq!(place(&error), ("templates/extra.html".into(), 3), "{error}");
    }

    #[test]
    fn site_template_replaces_the_default_and_changes_the_fingerprint() {
        let default = load(&[]).unwrap();
        let own = load(&[("404.html", "gone")]).unwrap();
        assert_ne!(default.fingerprint, own.fingerprint);
        assert_eq!(own.render("404.html", &Context::new()).unwrap(), "gone");
    }

    #[test]
    fn a_view_that_is_not_a_map_is_an_error() {
        let error = context(&42).unwrap_err();
        assert!(error.message.contains("view"), "{error}");
        assert!(context(&serde_json::json!({"title": "t"})).is_ok());
    }
}
