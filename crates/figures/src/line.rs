//! `line`: inline data drawn as lines, e.g. training against validation error.

use plotters::prelude::*;
use serde::Deserialize;

use crate::source::Source;
use crate::style::{self, Axes};
use crate::text::{self, Text};
use crate::{Drawn, FigureError, FigureKind};

pub(super) struct Line;

const MAX_POINTS: usize = 10_000;

/// One labelled list of values; shared with `bar`.
#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub(super) struct Series {
    pub label: String,
    pub values: Vec<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Spec {
    series: Vec<Series>,
    x: Option<Vec<f64>>,
    #[serde(default)]
    xlabel: String,
    #[serde(default)]
    ylabel: String,
    #[serde(default)]
    log: bool,
}

/// Checks series lengths and values; with `log`, values must be positive.
pub(super) fn check_series(
    src: &Source,
    series: &[Series],
    len: Option<usize>,
    log: bool,
) -> Result<(), FigureError> {
    if series.is_empty() || series.len() > 16 {
        return Err(src.error("series", "give 1 to 16 series"));
    }
    for s in series {
        let bad = |m: String| FigureError {
            line: src.line_of_item("series", &s.label),
            field: Some("values".into()),
            message: format!("series `{}`: {m}", s.label),
            hint: None,
        };
        if s.values.is_empty() || s.values.len() > MAX_POINTS {
            return Err(bad(format!("give 1 to {MAX_POINTS} values")));
        }
        if let Some(n) = len.filter(|n| *n != s.values.len()) {
            return Err(bad(format!("{} values, expected {n}", s.values.len())));
        }
        if s.values.iter().any(|v| !v.is_finite() || (log && *v <= 0.0)) {
            return Err(bad(if log {
                "a log axis needs positive finite values".into()
            } else {
                "values must be finite".into()
            }));
        }
    }
    Ok(())
}

/// The checked series, each with its x values.
pub(super) struct Data {
    series: Vec<Series>,
    xs: Vec<Vec<f64>>,
    xlabel: String,
    ylabel: String,
    log: bool,
}

impl FigureKind for Line {
    const NAME: &'static str = "line";
    type Spec = Spec;
    type Data = Data;

    fn compute(spec: &Spec, src: &Source) -> Result<Data, FigureError> {
        let len = spec.x.as_ref().map(Vec::len);
        if let Some(x) = &spec.x
            && (x.is_empty() || x.len() > MAX_POINTS || x.iter().any(|v| !v.is_finite()))
        {
            return Err(src.error("x", format!("give 1 to {MAX_POINTS} finite x values")));
        }
        check_series(src, &spec.series, len, spec.log)?;
        let xs = |s: &Series| -> Vec<f64> {
            match &spec.x {
                Some(x) => x.clone(),
                None => (1..=s.values.len()).map(|i| i as f64).collect(),
            }
        };
        Ok(Data {
            series: spec.series.clone(),
            xs: spec.series.iter().map(xs).collect(),
            xlabel: spec.xlabel.clone(),
            ylabel: spec.ylabel.clone(),
            log: spec.log,
        })
    }

    fn draw(data: &Data, t: &Text) -> Result<Drawn, FigureError> {
        let tr = |v: f64| if data.log { v.log10() } else { v };
        let x_range = style::fit_range(data.xs.iter().flatten().copied()).unwrap_or(0.0..1.0);
        let y_range = style::fit_range(data.series.iter().flat_map(|s| s.values.iter().map(|v| tr(*v))))
            .unwrap_or(0.0..1.0);
        let description = describe(data, t);
        let svg = style::draw(640, 380, &description, |root, ov| {
            let axes = Axes {
                x: x_range,
                y: y_range,
                xdesc: &data.xlabel,
                ydesc: &data.ylabel,
                title: None,
                ylog: data.log,
                categories: false,
            };
            let mut chart = style::chart(root, &axes)?;
            let mut points = Vec::new();
            for (i, (s, xs)) in data.series.iter().zip(&data.xs).enumerate() {
                let pts: Vec<(f64, f64)> = xs.iter().copied().zip(s.values.iter().map(|v| tr(*v))).collect();
                points.extend(pts.iter().map(|p| chart.backend_coord(p)));
                let c = style::color(i);
                chart.draw_series(std::iter::once(PathElement::new(
                    pts.clone(),
                    style::stroke(c, 2.0),
                )))?;
                if pts.len() <= 40 {
                    chart.draw_series(pts.iter().map(|&p| Circle::new(p, style::px(2.5), c.filled())))?;
                }
            }
            let labels: Vec<&String> = data.series.iter().map(|s| &s.label).collect();
            ov.legend(&chart.plotting_area().get_pixel_range(), &labels, &points);
            Ok(())
        })?;
        Ok(Drawn { svg, description })
    }
}

fn describe(data: &Data, t: &Text) -> String {
    let series: Vec<String> = data
        .series
        .iter()
        .map(|s| {
            text::fill(
                &t.line_series,
                &[
                    ("label", &s.label),
                    ("n", &s.values.len()),
                    ("first", &style::num(s.values[0])),
                    ("last", &style::num(s.values[s.values.len() - 1])),
                ],
            )
        })
        .collect();
    let against = if data.xlabel.is_empty() {
        String::new()
    } else {
        text::fill(&t.line_against, &[("x", &data.xlabel)])
    };
    text::fill(
        &t.line_description,
        &[
            ("series", &series.join(&t.comma)),
            ("against", &against),
            ("log", &if data.log { t.log_scale.as_str() } else { "" }),
        ],
    )
}
