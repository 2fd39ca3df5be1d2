//! `bar`: inline data drawn as grouped bars, e.g. gradient magnitude per layer.

use plotters::prelude::*;
use serde::Deserialize;

use crate::line::{Series, check_series};
use crate::source::Source;
use crate::style::{self, Axes};
use crate::text::{self, Text};
use crate::{Drawn, FigureError, FigureKind};

pub(super) struct Bar;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Spec {
    categories: Vec<String>,
    series: Vec<Series>,
    #[serde(default)]
    ylabel: String,
    #[serde(default)]
    log: bool,
}

/// The checked data, values on the drawn scale (log10 with `log`), and the y range.
pub(super) struct Data {
    categories: Vec<String>,
    series: Vec<Series>,
    ylabel: String,
    log: bool,
    y: std::ops::Range<f64>,
}

impl Data {
    /// A value on the drawn scale.
    fn tr(&self, v: f64) -> f64 {
        if self.log { v.log10() } else { v }
    }

    /// Where bars start: 0, or the bottom of a log axis.
    fn base(&self) -> f64 {
        if self.log { self.y.start } else { 0.0 }
    }
}

impl FigureKind for Bar {
    const NAME: &'static str = "bar";
    type Spec = Spec;
    type Data = Data;

    fn compute(spec: &Spec, src: &Source) -> Result<Data, FigureError> {
        let n = spec.categories.len();
        if n == 0 || n > 200 {
            return Err(src.error("categories", "give 1 to 200 categories"));
        }
        check_series(src, &spec.series, Some(n), spec.log)?;
        let tr = |v: f64| if spec.log { v.log10() } else { v };
        let values = spec.series.iter().flat_map(|s| s.values.iter().map(|v| tr(*v)));
        let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| {
            (l.min(v), h.max(v))
        });
        let y = if spec.log {
            (lo - 0.3).floor()..hi + 0.3
        } else {
            let span = (hi.max(0.0) - lo.min(0.0)).max(1e-12);
            lo.min(0.0) - if lo < 0.0 { span * 0.12 } else { 0.0 }..hi.max(0.0) + span * 0.12
        };
        Ok(Data {
            categories: spec.categories.clone(),
            series: spec.series.clone(),
            ylabel: spec.ylabel.clone(),
            log: spec.log,
            y,
        })
    }

    fn draw(data: &Data, t: &Text) -> Result<Drawn, FigureError> {
        let description = describe(data, t);
        let n = data.categories.len();
        let svg = style::draw(640, 380, &description, |root, ov| {
            let axes = Axes {
                x: -0.5..n as f64 - 0.5,
                y: data.y.clone(),
                xdesc: "",
                ydesc: &data.ylabel,
                title: None,
                ylog: data.log,
                categories: true,
            };
            let mut chart = style::chart(root, &axes)?;
            let points = draw_bars(&mut chart, ov, data)?;
            let base = data.base();
            let every = n.div_ceil(20);
            for (i, cat) in data.categories.iter().enumerate().filter(|(i, _)| i % every == 0) {
                let (x, _) = chart.backend_coord(&(i as f64, base));
                let y0 = chart.plotting_area().get_pixel_range().1.end;
                ov.text(
                    f64::from(x),
                    f64::from(y0) + style::SCALE * 17.0,
                    12.0,
                    "middle",
                    cat,
                );
            }
            if data.series.len() > 1 {
                let labels: Vec<&String> = data.series.iter().map(|s| &s.label).collect();
                ov.legend(&chart.plotting_area().get_pixel_range(), &labels, &points);
            }
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
            let values: Vec<String> = s.values.iter().map(|v| style::num(*v)).collect();
            format!("{} = {}", s.label, values.join(", "))
        })
        .collect();
    text::fill(
        &t.bar_description,
        &[
            ("categories", &data.categories.join(&t.comma)),
            ("series", &series.join(&t.semicolon)),
            ("log", &if data.log { t.log_scale.as_str() } else { "" }),
        ],
    )
}

/// Draws the bars and their values; returns the backend points they cover, for the legend.
fn draw_bars(
    chart: &mut style::Chart,
    ov: &mut style::Overlay,
    data: &Data,
) -> style::DrawResult<Vec<(i32, i32)>> {
    let n = data.categories.len();
    let base = data.base();
    let width = 0.8 / data.series.len() as f64;
    let mut points = Vec::new();
    let label_values = n * data.series.len() <= 40;
    for (si, s) in data.series.iter().enumerate() {
        let c = style::color(si);
        let pos = |i: usize| i as f64 - 0.4 + width * (si as f64 + 0.5);
        chart.draw_series(s.values.iter().enumerate().map(|(i, v)| {
            Rectangle::new(
                [
                    (pos(i) - width * 0.45, base),
                    (pos(i) + width * 0.45, data.tr(*v)),
                ],
                c.filled(),
            )
        }))?;
        for (i, v) in s.values.iter().enumerate() {
            let (x, py) = chart.backend_coord(&(pos(i), data.tr(*v)));
            let (_, by) = chart.backend_coord(&(pos(i), base));
            // The whole bar, not just its top, should keep the legend away.
            points.extend((0..=4).map(|k| (x, py + (by - py) * k / 4)));
            if label_values {
                let dy = if data.tr(*v) >= base { -5.0 } else { 14.0 };
                ov.text(
                    f64::from(x),
                    f64::from(py) + style::SCALE * dy,
                    11.0,
                    "middle",
                    &style::num(*v),
                );
            }
        }
    }
    Ok(points)
}
