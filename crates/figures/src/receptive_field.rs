//! `receptive-field`: the receptive field of each layer of a stack.

use plotters::prelude::*;
use serde::Deserialize;

use crate::source::Source;
use crate::style::{self, Axes};
use crate::text::{self, Text};
use crate::{Drawn, FigureError, FigureKind};

pub(super) struct ReceptiveField;

const MAX_LAYERS: usize = 200;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Spec {
    layers: Vec<Layer>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Layer {
    kernel: u64,
    #[serde(default = "one")]
    stride: u64,
    #[serde(default = "one")]
    dilation: u64,
    name: Option<String>,
}

fn one() -> u64 {
    1
}

/// Receptive field and jump (product of earlier strides) after each layer.
#[derive(Debug, PartialEq)]
pub(super) struct Row {
    pub rf: u64,
    pub jump: u64,
}

/// r_l = r_{l-1} + (k_eff − 1)·∏_{i<l} s_i with k_eff = d(k − 1) + 1; `None` on overflow.
pub(super) fn receptive_fields(layers: &[(u64, u64, u64)]) -> Option<Vec<Row>> {
    let (mut rf, mut jump) = (1u64, 1u64);
    layers
        .iter()
        .map(|&(k, s, d)| {
            let k_eff = d.checked_mul(k.checked_sub(1)?)?.checked_add(1)?;
            rf = rf.checked_add((k_eff - 1).checked_mul(jump)?)?;
            jump = jump.checked_mul(s)?;
            Some(Row { rf, jump })
        })
        .collect()
}

/// Each layer's name and receptive field.
pub(super) struct Data {
    names: Vec<String>,
    rows: Vec<Row>,
}

impl FigureKind for ReceptiveField {
    const NAME: &'static str = "receptive-field";
    type Spec = Spec;
    type Data = Data;

    fn compute(spec: &Spec, src: &Source) -> Result<Data, FigureError> {
        if spec.layers.is_empty() || spec.layers.len() > MAX_LAYERS {
            return Err(src.error("layers", format!("give 1 to {MAX_LAYERS} layers")));
        }
        if let Some((i, _)) = spec
            .layers
            .iter()
            .enumerate()
            .find(|(_, l)| l.kernel == 0 || l.stride == 0 || l.dilation == 0)
        {
            return Err(src.error(
                "layers",
                format!("layer {}: kernel, stride and dilation must be at least 1", i + 1),
            ));
        }
        let shape: Vec<_> = spec
            .layers
            .iter()
            .map(|l| (l.kernel, l.stride, l.dilation))
            .collect();
        let rows =
            receptive_fields(&shape).ok_or_else(|| src.error("layers", "receptive field overflows"))?;
        let names: Vec<String> = spec
            .layers
            .iter()
            .enumerate()
            .map(|(i, l)| l.name.clone().unwrap_or_else(|| format!("L{}", i + 1)))
            .collect();
        Ok(Data { names, rows })
    }

    fn draw(data: &Data, t: &Text) -> Result<Drawn, FigureError> {
        let (names, rows) = (&data.names, &data.rows);
        let last = rows.last().map_or(1, |r| r.rf);
        let layers: Vec<String> = names
            .iter()
            .zip(rows)
            .map(|(n, r)| format!("{n} {}", r.rf))
            .collect();
        let description = text::fill(
            &t.receptive_field_description,
            &[
                ("n", &rows.len()),
                ("layers", &layers.join(&t.comma)),
                ("last", &last),
            ],
        );
        let n = rows.len();
        let svg = style::draw(640, 380, &description, |root, ov| {
            let ymax = last as f64 * 1.15;
            let axes = Axes {
                x: -0.6..n as f64 - 0.4,
                y: 0.0..ymax,
                xdesc: "",
                ydesc: &t.receptive_field_axis,
                title: None,
                ylog: false,
                categories: true,
            };
            let mut chart = style::chart(root, &axes)?;
            let c = style::color(0);
            chart.draw_series(rows.iter().enumerate().map(|(i, r)| {
                Rectangle::new(
                    [(i as f64 - 0.32, 0.0), (i as f64 + 0.32, r.rf as f64)],
                    c.mix(0.85).filled(),
                )
            }))?;
            label_bars(&chart, ov, rows, names);
            Ok(())
        })?;
        Ok(Drawn { svg, description })
    }
}

/// Writes each bar's receptive field above it and its layer's name below (every layer up to
/// 24, then every few and the last).
fn label_bars(chart: &style::Chart, ov: &mut style::Overlay, rows: &[Row], names: &[String]) {
    let n = rows.len();
    let show_every = n.div_ceil(24);
    for (i, (r, name)) in rows.iter().zip(names).enumerate() {
        if i % show_every != 0 && i + 1 != n {
            continue;
        }
        let (x, y) = chart.backend_coord(&(i as f64, r.rf as f64));
        ov.text(
            f64::from(x),
            f64::from(y) - style::SCALE * 5.0,
            12.0,
            "middle",
            &r.rf.to_string(),
        );
        let (_, y0) = chart.backend_coord(&(i as f64, 0.0));
        ov.text(
            f64::from(x),
            f64::from(y0) + style::SCALE * 17.0,
            12.0,
            "middle",
            name,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_3x3_stride_1_layers_see_7() {
        let rows = receptive_fields(&[(3, 1, 1); 3]).unwrap();
        assert_eq!(rows.iter().map(|r| r.rf).collect::<Vec<_>>(), [3, 5, 7]);
    }

    #[test]
    fn strides_and_dilation_multiply() {
        // 7x7/2 then 3x3/2 pool then 3x3: 7, 7 + 2·2 = 11, 11 + 2·4 = 19.
        let rows = receptive_fields(&[(7, 2, 1), (3, 2, 1), (3, 1, 1)]).unwrap();
        assert_eq!(rows.iter().map(|r| r.rf).collect::<Vec<_>>(), [7, 11, 19]);
        // Dilations 1, 2, 4 of 3x3: 3, 7, 15.
        let rows = receptive_fields(&[(3, 1, 1), (3, 1, 2), (3, 1, 4)]).unwrap();
        assert_eq!(rows.iter().map(|r| r.rf).collect::<Vec<_>>(), [3, 7, 15]);
        assert_eq!(receptive_fields(&[(3, u64::MAX, 1), (3, 2, 1), (3, 1, 1)]), None);
    }

    #[test]
    fn bad_layer_is_an_error() {
        let e = crate::render(
            "kind: receptive-field\nlayers:\n  - {kernel: 3}\n  - {kernel: 3, strid: 2}\n",
            crate::Lang::En,
        )
        .unwrap_err();
        assert_eq!((e.line, e.field.as_deref()), (3, Some("strid")));
        assert_eq!(e.hint.as_deref(), Some("did you mean `stride`?"), "{e}");
    }
}
