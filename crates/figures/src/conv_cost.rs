//! `conv-cost`: multiply-adds and parameters of convolution variants, swept over one shape
//! parameter.

use plotters::prelude::*;
use serde::Deserialize;

use crate::style::{self, Axes};
use crate::{Drawn, FigureError, FigureKind, Source};

pub(super) struct ConvCost;

const MAX_POINTS: usize = 200;

#[derive(Deserialize, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "kebab-case")]
pub(super) enum Variant {
    Standard,
    DepthwiseSeparable,
    Bottleneck,
    Group,
}

impl Variant {
    fn name(self) -> &'static str {
        match self {
            Variant::Standard => "standard",
            Variant::DepthwiseSeparable => "depthwise separable",
            Variant::Bottleneck => "1×1 bottleneck",
            Variant::Group => "group",
        }
    }

    fn label(self, shape: &Shape) -> String {
        match self {
            Variant::Standard => "标准卷积".into(),
            Variant::DepthwiseSeparable => "深度可分离卷积".into(),
            Variant::Bottleneck => format!("1×1 瓶颈 (中间 {} 通道)", shape.mid),
            Variant::Group => format!("分组卷积 (g = {})", shape.groups),
        }
    }
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum Param {
    K,
    CIn,
    COut,
    H,
    W,
    Groups,
    Mid,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
enum Metric {
    #[default]
    Flops,
    Params,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
enum ChartStyle {
    #[default]
    Bars,
    Lines,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Spec {
    #[serde(rename = "kind")]
    _kind: String,
    #[serde(rename = "caption")]
    _caption: Option<String>,
    #[serde(default = "d_k")]
    k: u64,
    #[serde(default = "d_c")]
    c_in: u64,
    #[serde(default = "d_c")]
    c_out: u64,
    #[serde(default = "d_hw")]
    h: u64,
    #[serde(default = "d_hw")]
    w: u64,
    #[serde(default = "d_g")]
    groups: u64,
    mid: Option<u64>,
    variants: Option<Vec<Variant>>,
    #[serde(default)]
    metric: Metric,
    sweep: Option<Param>,
    values: Option<Vec<u64>>,
    #[serde(default)]
    style: ChartStyle,
    #[serde(default)]
    log: bool,
}

fn d_k() -> u64 {
    3
}
fn d_c() -> u64 {
    256
}
fn d_hw() -> u64 {
    56
}
fn d_g() -> u64 {
    1
}

/// One layer's shape; `h`, `w` are the output size (stride 1, same padding).
#[derive(Clone, Copy, Debug)]
pub(super) struct Shape {
    pub k: u64,
    pub c_in: u64,
    pub c_out: u64,
    pub h: u64,
    pub w: u64,
    pub groups: u64,
    pub mid: u64,
}

/// (multiply-adds, parameters) of one variant, without biases; `None` on overflow.
///
/// - standard: K²·C_in·C_out·H·W and K²·C_in·C_out
/// - depthwise separable: K²·C_in·H·W + C_in·C_out·H·W and K²·C_in + C_in·C_out
/// - 1×1 bottleneck (C_in → M → M → C_out with 1×1, K×K, 1×1): (C_in·M + K²·M² + M·C_out)·H·W
/// - group: K²·(C_in/g)·C_out·H·W and K²·(C_in/g)·C_out
pub(super) fn cost(v: Variant, s: &Shape) -> Option<(u64, u64)> {
    let k2 = s.k.checked_mul(s.k)?;
    let hw = s.h.checked_mul(s.w)?;
    let m = |a: u64, b: u64| a.checked_mul(b);
    let params = match v {
        Variant::Standard => m(m(k2, s.c_in)?, s.c_out)?,
        Variant::DepthwiseSeparable => m(k2, s.c_in)?.checked_add(m(s.c_in, s.c_out)?)?,
        Variant::Bottleneck => m(s.c_in, s.mid)?
            .checked_add(m(k2, m(s.mid, s.mid)?)?)?
            .checked_add(m(s.mid, s.c_out)?)?,
        Variant::Group => m(m(k2, s.c_in / s.groups)?, s.c_out)?,
    };
    // Every weight is used once per output position.
    Some((m(params, hw)?, params))
}

impl FigureKind for ConvCost {
    const NAME: &'static str = "conv-cost";
    const SUMMARY: &'static str =
        "FLOPs and parameters of standard, depthwise separable, bottleneck and group convolution";
    const FIELDS: &'static [&'static str] = &[
        "kind", "caption", "k", "c_in", "c_out", "h", "w", "groups", "mid", "variants", "metric", "sweep",
        "values", "style", "log",
    ];
    type Spec = Spec;

    fn draw(spec: &Spec, src: &Source) -> Result<Drawn, FigureError> {
        let base = Shape {
            k: spec.k,
            c_in: spec.c_in,
            c_out: spec.c_out,
            h: spec.h,
            w: spec.w,
            groups: spec.groups,
            mid: spec.mid.unwrap_or((spec.c_in / 4).max(1)),
        };
        let variants = spec.variants.clone().unwrap_or_else(|| {
            let mut v = vec![
                Variant::Standard,
                Variant::DepthwiseSeparable,
                Variant::Bottleneck,
            ];
            if spec.groups > 1 {
                v.push(Variant::Group);
            }
            v
        });
        if variants.is_empty() {
            return Err(src.error("variants", "give at least one variant"));
        }
        let (param, values) = match (spec.sweep, &spec.values) {
            (Some(p), Some(v)) => (Some(p), v.clone()),
            (None, None) => (None, vec![0]),
            (Some(_), None) => return Err(src.error("sweep", "`sweep` needs `values`")),
            (None, Some(_)) => {
                return Err(src.error("values", "`values` needs `sweep` (which parameter to vary)"));
            }
        };
        if values.is_empty() || values.len() > MAX_POINTS {
            return Err(src.error("values", format!("give 1 to {MAX_POINTS} values")));
        }
        let shapes: Vec<Shape> = values
            .iter()
            .map(|&v| {
                let mut s = base;
                match param {
                    Some(Param::K) => s.k = v,
                    Some(Param::CIn) => s.c_in = v,
                    Some(Param::COut) => s.c_out = v,
                    Some(Param::H) => s.h = v,
                    Some(Param::W) => s.w = v,
                    Some(Param::Groups) => s.groups = v,
                    Some(Param::Mid) => s.mid = v,
                    None => {}
                }
                s
            })
            .collect();
        let field = if param.is_some() { "values" } else { "k" };
        for s in &shapes {
            if [s.k, s.c_in, s.c_out, s.h, s.w, s.groups, s.mid].contains(&0) {
                return Err(src.error(field, "every shape parameter must be at least 1"));
            }
            if variants.contains(&Variant::Group) && (s.c_in % s.groups != 0 || s.c_out % s.groups != 0) {
                return Err(src.error(
                    if param == Some(Param::Groups) {
                        "values"
                    } else {
                        "groups"
                    },
                    format!(
                        "groups = {} must divide c_in = {} and c_out = {}",
                        s.groups, s.c_in, s.c_out
                    ),
                ));
            }
        }
        let pick = |c: (u64, u64)| {
            if spec.metric == Metric::Flops { c.0 } else { c.1 }
        };
        let table: Vec<Vec<f64>> = variants
            .iter()
            .map(|&v| {
                shapes
                    .iter()
                    .map(|s| {
                        cost(v, s)
                            .map(|c| pick(c) as f64)
                            .ok_or_else(|| src.error(field, "cost overflows 64 bits"))
                    })
                    .collect()
            })
            .collect::<Result<_, _>>()?;
        let standard: Vec<f64> = shapes
            .iter()
            .map(|s| cost(Variant::Standard, s).map_or(f64::NAN, |c| pick(c) as f64))
            .collect();
        let sweep_name = match param {
            Some(Param::K) => "K",
            Some(Param::CIn) => "C_in",
            Some(Param::COut) => "C_out",
            Some(Param::H) => "H",
            Some(Param::W) => "W",
            Some(Param::Groups) => "groups",
            Some(Param::Mid) => "mid",
            None => "",
        };
        let metric = if spec.metric == Metric::Flops {
            "乘加次数 (FLOPs)"
        } else {
            "参数量"
        };
        let last = values.len() - 1;
        let ratios: Vec<String> = variants
            .iter()
            .zip(&table)
            .filter(|(v, _)| **v != Variant::Standard)
            .map(|(v, row)| format!("{} / standard = {}", v.name(), ratio(row[last], standard[last])))
            .collect();
        let description = format!(
            "{} of {} for K={}, C_in={}, C_out={}, H={}, W={}{}{}",
            if spec.metric == Metric::Flops {
                "Multiply-adds"
            } else {
                "Parameters"
            },
            variants.iter().map(|v| v.name()).collect::<Vec<_>>().join(", "),
            base.k,
            base.c_in,
            base.c_out,
            base.h,
            base.w,
            if param.is_some() {
                format!(
                    ", swept over {sweep_name} = {}",
                    values.iter().map(u64::to_string).collect::<Vec<_>>().join(", ")
                )
            } else {
                String::new()
            },
            if ratios.is_empty() {
                String::new()
            } else {
                format!("; {}", ratios.join(", "))
            },
        );
        let labels: Vec<String> = variants.iter().map(|v| v.label(&base)).collect();
        let tr = |v: f64| if spec.log { v.log10() } else { v };
        let all = table.iter().flatten().copied();
        let (lo, hi) = all
            .clone()
            .fold((f64::INFINITY, 0f64), |(l, h), v| (l.min(v), h.max(v)));
        let y = if spec.log {
            (lo.log10() - 0.3).floor()..(hi.log10() + 0.35)
        } else {
            0.0..hi * 1.15
        };
        let svg = style::draw(680, 400, &description, |root, ov| {
            let n = values.len();
            let bars = spec.style == ChartStyle::Bars;
            let x = if bars {
                -0.5..n as f64 - 0.5
            } else {
                let (a, b) = (values[0] as f64, values[last] as f64);
                let pad = ((b - a) * 0.05).max(0.5);
                a.min(b) - pad..a.max(b) + pad
            };
            let axes = Axes {
                x,
                y: y.clone(),
                xdesc: if bars { "" } else { sweep_name },
                ydesc: metric,
                title: None,
                ylog: spec.log,
                categories: bars,
            };
            let mut chart = style::chart(root, &axes)?;
            let mut points = Vec::new();
            let nv = variants.len() as f64;
            let width = 0.8 / nv;
            for (vi, (row, &v)) in table.iter().zip(&variants).enumerate() {
                let c = style::color(vi);
                let pos = |i: usize| {
                    if bars {
                        i as f64 - 0.4 + width * (vi as f64 + 0.5)
                    } else {
                        values[i] as f64
                    }
                };
                if bars {
                    chart.draw_series(row.iter().enumerate().map(|(i, &val)| {
                        let x = pos(i);
                        Rectangle::new(
                            [(x - width * 0.45, y.start), (x + width * 0.45, tr(val))],
                            c.filled(),
                        )
                    }))?;
                } else {
                    let pts: Vec<(f64, f64)> = row
                        .iter()
                        .enumerate()
                        .map(|(i, &val)| (pos(i), tr(val)))
                        .collect();
                    chart.draw_series(std::iter::once(PathElement::new(
                        pts.clone(),
                        style::stroke(c, 2.0),
                    )))?;
                    chart.draw_series(pts.iter().map(|&p| Circle::new(p, style::px(3.0), c.filled())))?;
                }
                for (i, &val) in row.iter().enumerate() {
                    let (x, top) = chart.backend_coord(&(pos(i), tr(val)));
                    let (_, bottom) = chart.backend_coord(&(pos(i), y.start));
                    let k_max = if bars { 4 } else { 0 };
                    points.extend((0..=k_max).map(|k| (x, top + (bottom - top) * k / 4)));
                }
                let (px, py) = chart.backend_coord(&(pos(last), tr(row[last])));
                if v != Variant::Standard {
                    let anchor = if bars { "middle" } else { "end" };
                    let text = format!("×{}", ratio(row[last], standard[last]));
                    ov.text(
                        f64::from(px),
                        f64::from(py) - style::SCALE * 6.0,
                        11.0,
                        anchor,
                        &text,
                    );
                }
            }
            if bars && param.is_some() {
                for (i, v) in values.iter().enumerate() {
                    let (bx, by) = chart.backend_coord(&(i as f64, y.start));
                    ov.text(
                        f64::from(bx),
                        f64::from(by) + style::SCALE * 17.0,
                        12.0,
                        "middle",
                        &format!("{sweep_name} = {v}"),
                    );
                }
            }
            ov.legend(&chart.plotting_area().get_pixel_range(), &labels, &points);
            Ok(())
        })?;
        Ok(Drawn { svg, description })
    }
}

fn ratio(a: f64, b: f64) -> String {
    let r = a / b;
    if r >= 0.01 {
        format!("{r:.3}")
    } else {
        format!("{r:.2e}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(k: u64, c_in: u64, c_out: u64) -> Shape {
        Shape {
            k,
            c_in,
            c_out,
            h: 56,
            w: 56,
            groups: 4,
            mid: 64,
        }
    }

    #[test]
    fn textbook_formulas() {
        let s = shape(3, 128, 256);
        let hw = 56 * 56;
        assert_eq!(
            cost(Variant::Standard, &s),
            Some((9 * 128 * 256 * hw, 9 * 128 * 256))
        );
        assert_eq!(
            cost(Variant::DepthwiseSeparable, &s).unwrap().0,
            9 * 128 * hw + 128 * 256 * hw
        );
        assert_eq!(cost(Variant::Group, &s).unwrap().1, 9 * 128 * 256 / 4);
        assert_eq!(
            cost(Variant::Bottleneck, &s).unwrap().1,
            128 * 64 + 9 * 64 * 64 + 64 * 256
        );
    }

    #[test]
    fn depthwise_ratio_is_one_over_c_out_plus_one_over_k_squared() {
        let s = shape(3, 64, 256);
        let r = cost(Variant::DepthwiseSeparable, &s).unwrap().0 as f64
            / cost(Variant::Standard, &s).unwrap().0 as f64;
        assert!((r - (1.0 / 256.0 + 1.0 / 9.0)).abs() < 1e-15);
    }

    #[test]
    fn overflow_and_bad_groups_are_errors() {
        assert_eq!(cost(Variant::Standard, &shape(u64::MAX, 2, 2)), None);
        let e = crate::render("kind: conv-cost\nc_in: 30\ngroups: 4\nvariants: [group]\n").unwrap_err();
        assert_eq!((e.line, e.field.as_deref()), (2, Some("groups")));
        let e = crate::render("kind: conv-cost\nsweep: c_out\nvalues: [1, 0]\n").unwrap_err();
        assert_eq!((e.line, e.field.as_deref()), (2, Some("values")));
        let e = crate::render("kind: conv-cost\nvariants: [standard, depthwise]\n").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("variants"));
        assert!(
            e.message.contains("did you mean `depthwise-separable`"),
            "{}",
            e.message
        );
    }
}
