//! `function`: curves of activations and free expressions in `x`, with an optional panel of
//! exact derivatives.

use serde::Deserialize;

use crate::expr::{self, Node};
use crate::source::{Source, check_range};
use crate::style::{self, Axes, DrawResult};
use crate::text::{self, Text};
use crate::{Drawn, FigureError, FigureKind};

pub(super) struct Function;

const MAX_SAMPLES: usize = 10_000;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Spec {
    series: Vec<String>,
    labels: Option<Vec<String>>,
    #[serde(default = "default_x")]
    x: [f64; 2],
    y: Option<[f64; 2]>,
    #[serde(default)]
    derivative: bool,
    #[serde(default = "default_samples")]
    samples: usize,
}

fn default_x() -> [f64; 2] {
    [-5.0, 5.0]
}

fn default_samples() -> usize {
    401
}

/// Sampled curves: one `(x, y)` list per series, and per derivative when asked.
pub(super) struct Data {
    x: (f64, f64),
    y: Option<[f64; 2]>,
    labels: Vec<String>,
    curves: Vec<Vec<(f64, f64)>>,
    derivatives: Option<Vec<Vec<(f64, f64)>>>,
}

impl FigureKind for Function {
    const NAME: &'static str = "function";
    type Spec = Spec;
    type Data = Data;

    fn compute(spec: &Spec, src: &Source) -> Result<Data, FigureError> {
        compute(spec, src)
    }

    fn draw(data: &Data, t: &Text) -> Result<Drawn, FigureError> {
        let (lo, hi) = data.x;
        let mut description = text::fill(
            &t.function_description,
            &[
                ("labels", &data.labels.join(&t.comma)),
                ("lo", &style::num(lo)),
                ("hi", &style::num(hi)),
            ],
        );
        if data.derivatives.is_some() {
            description.push_str(&t.function_derivative);
        }
        let y = data.y;
        let svg = match &data.derivatives {
            None => style::draw(640, 400, &description, |root, ov| {
                panel(root, ov, lo..hi, y, &data.curves, &data.labels, "", true)
            })?,
            // Stacked, not side by side: two panels of a 900 px figure had to scroll sideways in
            // a 714 px column to keep their 12 px text (style.css), and stacked they read on a
            // phone too.
            Some(ds) => style::draw(640, 620, &description, |root, ov| {
                let (top, bottom) = root.split_vertically(root.dim_in_pixel().1 / 2);
                panel(&top, ov, lo..hi, y, &data.curves, &data.labels, "f(x)", true)?;
                panel(&bottom, ov, lo..hi, None, ds, &data.labels, "f′(x)", false)
            })?,
        };
        Ok(Drawn { svg, description })
    }
}

fn compute(spec: &Spec, src: &Source) -> Result<Data, FigureError> {
    let (lo, hi) = check_range(src, "x", spec.x)?;
    if let Some(y) = spec.y {
        check_range(src, "y", y)?;
    }
    if !(2..=MAX_SAMPLES).contains(&spec.samples) {
        return Err(src.error("samples", format!("samples must be between 2 and {MAX_SAMPLES}")));
    }
    if spec.series.is_empty() {
        return Err(src.error("series", "give at least one series"));
    }
    if spec.series.len() > 16 {
        return Err(src.error("series", "at most 16 series"));
    }
    let labels = match &spec.labels {
        Some(l) if l.len() != spec.series.len() => {
            return Err(src.error(
                "labels",
                format!(
                    "{} labels for {} series: give one per series",
                    l.len(),
                    spec.series.len()
                ),
            ));
        }
        Some(l) => l.clone(),
        None => spec.series.iter().map(|s| s.trim().to_string()).collect(),
    };
    let nodes: Vec<Node> = spec
        .series
        .iter()
        .map(|s| {
            expr::parse_series(s).map_err(|e| FigureError {
                line: src.line_of_item("series", s),
                ..src.expr_error("series", s, e)
            })
        })
        .collect::<Result<_, _>>()?;
    let n = spec.samples;
    let xs: Vec<f64> = (0..n)
        .map(|i| lo + (hi - lo) * i as f64 / (n - 1) as f64)
        .collect();
    let sample = |node: &Node| {
        xs.iter()
            .map(|&x| (x, expr::eval(node, &[x])))
            .collect::<Vec<_>>()
    };
    let curves: Vec<_> = nodes.iter().map(sample).collect();
    for (c, s) in curves.iter().zip(&spec.series) {
        if !c.iter().any(|p| p.1.is_finite()) {
            return Err(FigureError {
                line: src.line_of_item("series", s),
                field: Some("series".into()),
                message: format!("`{s}` is not a finite number anywhere on [{lo}, {hi}]"),
                hint: None,
            });
        }
    }
    let derivatives = spec
        .derivative
        .then(|| nodes.iter().map(|n| sample(&expr::diff(n, 0))).collect());
    Ok(Data {
        x: (lo, hi),
        y: spec.y,
        labels,
        curves,
        derivatives,
    })
}

#[allow(clippy::too_many_arguments)]
fn panel(
    area: &style::Area,
    ov: &mut style::Overlay,
    x: std::ops::Range<f64>,
    y: Option<[f64; 2]>,
    curves: &[Vec<(f64, f64)>],
    labels: &[String],
    title: &str,
    legend: bool,
) -> DrawResult {
    let y = match y {
        Some([a, b]) => a..b,
        None => style::fit_range(curves.iter().flatten().map(|p| p.1)).unwrap_or(-1.0..1.0),
    };
    let (ylo, yhi) = (y.start, y.end);
    let axes = Axes {
        x,
        y,
        xdesc: "x",
        ydesc: "",
        title: (!title.is_empty()).then_some(title),
        ylog: false,
        categories: false,
    };
    let mut chart = style::chart(area, &axes)?;
    let mut points = Vec::new();
    for (i, c) in curves.iter().enumerate() {
        let visible: Vec<(f64, f64)> = c
            .iter()
            .map(|&(x, v)| (x, if v >= ylo && v <= yhi { v } else { f64::NAN }))
            .collect();
        for run in style::finite_runs(&visible) {
            points.extend(run.iter().step_by(8).map(|p| chart.backend_coord(p)));
            chart.draw_series(std::iter::once(plotters::element::PathElement::new(
                run,
                style::stroke(style::color(i), 2.0),
            )))?;
        }
    }
    if legend {
        ov.legend(&chart.plotting_area().get_pixel_range(), labels, &points);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::render;

    #[test]
    fn issue_example_renders_both_panels() {
        let f = render("kind: function\ncaption: 常用激活函数及其导数\nx: [-5, 5]\nseries: [relu, leaky_relu, sigmoid, tanh]\nderivative: true\n", crate::Lang::En).unwrap();
        assert_eq!(f.caption, "常用激活函数及其导数");
        assert_eq!(
            f.description,
            "Curves of relu, leaky_relu, sigmoid, tanh on x ∈ [-5, 5]; derivative panel"
        );
        assert!(f.svg.contains("f′(x)"));
    }

    #[test]
    fn bad_series_points_at_its_line() {
        let e = render(
            "kind: function\nseries:\n  - relu\n  - 1/(1+exp(-x)\n",
            crate::Lang::En,
        )
        .unwrap_err();
        assert_eq!((e.line, e.field.as_deref()), (3, Some("series")));
        let e = render("kind: function\nseries: [relu]\nx: [3, 3]\n", crate::Lang::En).unwrap_err();
        assert_eq!((e.line, e.field.as_deref()), (2, Some("x")));
        let e = render("kind: function\nseries: [ln(-1 - x^2)]\n", crate::Lang::En).unwrap_err();
        assert_eq!((e.line, e.field.as_deref()), (1, Some("series")));
        let e = render(
            "kind: function\nseries: [relu]\nsamples: 1000000\n",
            crate::Lang::En,
        )
        .unwrap_err();
        assert_eq!((e.line, e.field.as_deref()), (2, Some("samples")));
    }
}
