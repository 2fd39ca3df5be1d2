//! `conv-cost`: multiply-adds and parameters of convolution variants, swept over one shape
//! parameter.

use plotters::prelude::*;
use serde::Deserialize;

use crate::source::Source;
use crate::style::{self, Axes};
use crate::text::{self, Text};
use crate::{Drawn, FigureError, FigureKind};

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
    /// The legend label; a parameter that is `swept` has no single value, so the label names
    /// the axis instead of the base shape's value.
    fn label(self, shape: &Shape, swept: Option<Param>, t: &Text) -> String {
        match (self, swept) {
            (Variant::Standard, _) => t.conv_standard.clone(),
            (Variant::DepthwiseSeparable, _) => t.conv_depthwise.clone(),
            (Variant::Bottleneck, Some(Param::Mid)) => t.conv_bottleneck_swept.clone(),
            (Variant::Bottleneck, _) => text::fill(&t.conv_bottleneck, &[("mid", &shape.mid)]),
            (Variant::Group, Some(Param::Groups)) => t.conv_group_swept.clone(),
            (Variant::Group, _) => text::fill(&t.conv_group, &[("groups", &shape.groups)]),
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

impl Param {
    fn name(self) -> &'static str {
        match self {
            Param::K => "K",
            Param::CIn => "C_in",
            Param::COut => "C_out",
            Param::H => "H",
            Param::W => "W",
            Param::Groups => "groups",
            Param::Mid => "mid",
        }
    }

    /// `base` with this parameter set to `v`.
    fn set(self, base: Shape, v: u64) -> Shape {
        let mut s = base;
        match self {
            Param::K => s.k = v,
            Param::CIn => s.c_in = v,
            Param::COut => s.c_out = v,
            Param::H => s.h = v,
            Param::W => s.w = v,
            Param::Groups => s.groups = v,
            Param::Mid => s.mid = v,
        }
        s
    }
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

/// The cost of every variant (rows) at every swept shape (columns), in the chosen metric.
pub(super) struct Data {
    base: Shape,
    variants: Vec<Variant>,
    param: Option<Param>,
    values: Vec<u64>,
    table: Vec<Vec<f64>>,
    standard: Vec<f64>,
    flops: bool,
    bars: bool,
    log: bool,
}

impl Data {
    fn sweep_name(&self) -> &'static str {
        self.param.map_or("", Param::name)
    }

    /// A value on the drawn scale.
    fn tr(&self, v: f64) -> f64 {
        if self.log { v.log10() } else { v }
    }
}

impl FigureKind for ConvCost {
    const NAME: &'static str = "conv-cost";
    type Spec = Spec;
    type Data = Data;

    fn compute(spec: &Spec, src: &Source) -> Result<Data, FigureError> {
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
            .map(|&v| param.map_or(base, |p| p.set(base, v)))
            .collect();
        let field = if param.is_some() { "values" } else { "k" };
        for s in &shapes {
            check_shape(src, s, &variants, param, field)?;
        }
        let flops = spec.metric == Metric::Flops;
        let pick = |c: (u64, u64)| if flops { c.0 } else { c.1 };
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
        Ok(Data {
            base,
            variants,
            param,
            values,
            table,
            standard,
            flops,
            bars: spec.style == ChartStyle::Bars,
            log: spec.log,
        })
    }

    fn draw(data: &Data, t: &Text) -> Result<Drawn, FigureError> {
        let labels: Vec<String> = data
            .variants
            .iter()
            .map(|v| v.label(&data.base, data.param, t))
            .collect();
        let description = describe(data, &labels, t);
        let all = data.table.iter().flatten().copied();
        let (lo, hi) = all.fold((f64::INFINITY, 0f64), |(l, h), v| (l.min(v), h.max(v)));
        let y = if data.log {
            (lo.log10() - 0.3).floor()..(hi.log10() + 0.35)
        } else {
            0.0..hi * 1.15
        };
        let (values, last) = (&data.values, data.values.len() - 1);
        let svg = style::draw(680, 400, &description, |root, ov| {
            let n = values.len();
            let x = if data.bars {
                -0.5..n as f64 - 0.5
            } else {
                let (a, b) = (values[0] as f64, values[last] as f64);
                let pad = ((b - a) * 0.05).max(0.5);
                a.min(b) - pad..a.max(b) + pad
            };
            let axes = Axes {
                x,
                y: y.clone(),
                xdesc: if data.bars { "" } else { data.sweep_name() },
                ydesc: if data.flops { &t.conv_flops } else { &t.conv_params },
                title: None,
                ylog: data.log,
                categories: data.bars,
            };
            let mut chart = style::chart(root, &axes)?;
            let mut points = Vec::new();
            for vi in 0..data.variants.len() {
                draw_variant(&mut chart, ov, &mut points, data, vi, y.start)?;
            }
            if data.bars && data.param.is_some() {
                for (i, v) in values.iter().enumerate() {
                    let (bx, by) = chart.backend_coord(&(i as f64, y.start));
                    ov.text(
                        f64::from(bx),
                        f64::from(by) + style::SCALE * 17.0,
                        12.0,
                        "middle",
                        &format!("{} = {v}", data.sweep_name()),
                    );
                }
            }
            ov.legend(&chart.plotting_area().get_pixel_range(), &labels, &points);
            Ok(())
        })?;
        Ok(Drawn { svg, description })
    }
}

/// Checks one swept shape: no zero, and groups dividing both channel counts when drawn.
fn check_shape(
    src: &Source,
    s: &Shape,
    variants: &[Variant],
    param: Option<Param>,
    field: &str,
) -> Result<(), FigureError> {
    if [s.k, s.c_in, s.c_out, s.h, s.w, s.groups, s.mid].contains(&0) {
        return Err(src.error(field, "every shape parameter must be at least 1"));
    }
    if variants.contains(&Variant::Group)
        && (!s.c_in.is_multiple_of(s.groups) || !s.c_out.is_multiple_of(s.groups))
    {
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
    Ok(())
}

/// The description, naming the variants by their legend `labels`.
fn describe(data: &Data, labels: &[String], t: &Text) -> String {
    let last = data.values.len() - 1;
    let ratios: Vec<String> = data
        .variants
        .iter()
        .zip(labels)
        .zip(&data.table)
        .filter(|((v, _), _)| **v != Variant::Standard)
        .map(|((_, label), row)| {
            let r = ratio(row[last], data.standard[last]);
            text::fill(&t.conv_ratio, &[("variant", label), ("ratio", &r)])
        })
        .collect();
    let sweep = if data.param.is_some() {
        let values: Vec<String> = data.values.iter().map(u64::to_string).collect();
        text::fill(
            &t.conv_sweep,
            &[("name", &data.sweep_name()), ("values", &values.join(", "))],
        )
    } else {
        String::new()
    };
    let ratios = if ratios.is_empty() {
        String::new()
    } else {
        format!("{}{}", t.semicolon, ratios.join(&t.comma))
    };
    let base = &data.base;
    text::fill(
        &t.conv_description,
        &[
            ("metric", &if data.flops { &t.conv_flops } else { &t.conv_params }),
            ("variants", &labels.join(&t.comma)),
            ("k", &base.k),
            ("c_in", &base.c_in),
            ("c_out", &base.c_out),
            ("h", &base.h),
            ("w", &base.w),
            ("sweep", &sweep),
            ("ratios", &ratios),
        ],
    )
}

/// Draws variant `vi` as bars or a line from `floor`, with its ratio to standard at the last
/// value; adds the backend points it covers to `points`, for the legend.
fn draw_variant(
    chart: &mut style::Chart,
    ov: &mut style::Overlay,
    points: &mut Vec<(i32, i32)>,
    data: &Data,
    vi: usize,
    floor: f64,
) -> style::DrawResult {
    let (row, v) = (&data.table[vi], data.variants[vi]);
    let (bars, last) = (data.bars, data.values.len() - 1);
    let c = style::color(vi);
    let width = 0.8 / data.variants.len() as f64;
    let pos = |i: usize| {
        if bars {
            i as f64 - 0.4 + width * (vi as f64 + 0.5)
        } else {
            data.values[i] as f64
        }
    };
    if bars {
        chart.draw_series(row.iter().enumerate().map(|(i, &val)| {
            let x = pos(i);
            Rectangle::new(
                [(x - width * 0.45, floor), (x + width * 0.45, data.tr(val))],
                c.filled(),
            )
        }))?;
    } else {
        let pts: Vec<(f64, f64)> = row
            .iter()
            .enumerate()
            .map(|(i, &val)| (pos(i), data.tr(val)))
            .collect();
        chart.draw_series(std::iter::once(PathElement::new(
            pts.clone(),
            style::stroke(c, 2.0),
        )))?;
        chart.draw_series(pts.iter().map(|&p| Circle::new(p, style::px(3.0), c.filled())))?;
    }
    for (i, &val) in row.iter().enumerate() {
        let (x, top) = chart.backend_coord(&(pos(i), data.tr(val)));
        let (_, bottom) = chart.backend_coord(&(pos(i), floor));
        let k_max = if bars { 4 } else { 0 };
        points.extend((0..=k_max).map(|k| (x, top + (bottom - top) * k / 4)));
    }
    if v != Variant::Standard {
        let (px, py) = chart.backend_coord(&(pos(last), data.tr(row[last])));
        let anchor = if bars { "middle" } else { "end" };
        let text = format!("×{}", ratio(row[last], data.standard[last]));
        ov.text(
            f64::from(px),
            f64::from(py) - style::SCALE * 6.0,
            12.0,
            anchor,
            &text,
        );
    }
    Ok(())
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
        let e = crate::render(
            "kind: conv-cost\nc_in: 30\ngroups: 4\nvariants: [group]\n",
            crate::Lang::En,
        )
        .unwrap_err();
        assert_eq!((e.line, e.field.as_deref()), (2, Some("groups")));
        let e =
            crate::render("kind: conv-cost\nsweep: c_out\nvalues: [1, 0]\n", crate::Lang::En).unwrap_err();
        assert_eq!((e.line, e.field.as_deref()), (2, Some("values")));
        let e = crate::render(
            "kind: conv-cost\nvariants: [standard, depthwise]\n",
            crate::Lang::En,
        )
        .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("variants"));
        assert_eq!(
            e.hint.as_deref(),
            Some("did you mean `depthwise-separable`?"),
            "{e}"
        );
    }

    #[test]
    fn a_swept_parameter_is_not_printed_as_the_base_value() {
        let swept = crate::render(
            "kind: conv-cost\nvariants: [group]\nsweep: groups\nvalues: [1, 2, 4]\n",
            crate::Lang::ZhCn,
        )
        .unwrap();
        assert!(swept.svg.contains("分组卷积 (g 见横轴)"), "{}", swept.svg);
        assert!(!swept.svg.contains("g = 1)"), "{}", swept.svg);
        let fixed = crate::render(
            "kind: conv-cost\ngroups: 4\nvariants: [group]\n",
            crate::Lang::ZhCn,
        )
        .unwrap();
        assert!(fixed.svg.contains("分组卷积 (g = 4)"), "{}", fixed.svg);
    }
}
