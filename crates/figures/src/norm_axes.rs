//! `norm-axes`: which activations batch, layer, instance and group normalisation average over.
//! Each panel is an N×C grid (a cell is one H×W plane); the cells that share the statistic of
//! cell (0, 0) are shaded. The sets come from each method's definition in [`Method::statistic`].

use plotters::prelude::*;
use serde::Deserialize;

use crate::source::Source;
use crate::style;
use crate::text::{self, Text};
use crate::{Drawn, FigureError, FigureKind};

pub(super) struct NormAxes;

const MAX_N: usize = 16;
const MAX_C: usize = 32;

#[derive(Deserialize, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "snake_case")]
pub(super) enum Method {
    Batch,
    Layer,
    Instance,
    Group,
}

const ALL: [Method; 4] = [Method::Batch, Method::Layer, Method::Instance, Method::Group];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Spec {
    methods: Option<Vec<Method>>,
    #[serde(default = "d_groups")]
    groups: usize,
    #[serde(default = "d_n")]
    n: usize,
    #[serde(default = "d_c")]
    c: usize,
}

fn d_groups() -> usize {
    2
}
fn d_n() -> usize {
    4
}
fn d_c() -> usize {
    6
}

impl Method {
    /// The index of the statistic (mean and variance) that normalises the plane of sample `i`,
    /// channel `j`, out of `c` channels in `groups` groups: equal indices share one statistic.
    pub(super) fn statistic(self, i: usize, j: usize, c: usize, groups: usize) -> usize {
        match self {
            // One per channel, over the batch and the plane.
            Method::Batch => j,
            // One per sample, over all its channels and the plane.
            Method::Layer => i,
            // One per sample and channel, over the plane only.
            Method::Instance => i * c + j,
            // One per sample and group of C/G consecutive channels.
            Method::Group => i * groups + j / (c / groups),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Method::Batch => "BatchNorm",
            Method::Layer => "LayerNorm",
            Method::Instance => "InstanceNorm",
            Method::Group => "GroupNorm",
        }
    }

    fn over(self) -> &'static str {
        match self {
            Method::Batch => "N, H, W",
            Method::Layer => "C, H, W",
            Method::Instance => "H, W",
            Method::Group => "C/G, H, W",
        }
    }
}

/// One panel: `stats[i][j]` is the statistic of sample `i`, channel `j`.
#[derive(Debug, PartialEq)]
pub(super) struct Panel {
    pub method: Method,
    pub stats: Vec<Vec<usize>>,
}

impl Panel {
    /// The cells that share the statistic of cell (0, 0): the shaded set.
    pub(super) fn shaded(&self) -> Vec<(usize, usize)> {
        let first = self.stats[0][0];
        let cells = self
            .stats
            .iter()
            .enumerate()
            .flat_map(|(i, row)| row.iter().enumerate().map(move |(j, s)| (i, j, *s)));
        cells.filter(|c| c.2 == first).map(|(i, j, _)| (i, j)).collect()
    }

    /// How many statistics the method computes.
    pub(super) fn count(&self) -> usize {
        let mut all: Vec<usize> = self.stats.iter().flatten().copied().collect();
        all.sort_unstable();
        all.dedup();
        all.len()
    }
}

/// One panel per method, for N×C cells in `groups` groups.
pub(super) struct Data {
    panels: Vec<Panel>,
    groups: usize,
}

/// Checks the spec and computes one panel per method.
fn panels(spec: &Spec, src: &Source) -> Result<Vec<Panel>, FigureError> {
    let methods = spec.methods.clone().unwrap_or_else(|| ALL.to_vec());
    if methods.is_empty() || methods.len() > 4 {
        return Err(src.error("methods", "give 1 to 4 methods"));
    }
    if !(1..=MAX_N).contains(&spec.n) {
        return Err(src.error("n", format!("`n` must be 1 to {MAX_N}")));
    }
    if !(1..=MAX_C).contains(&spec.c) {
        return Err(src.error("c", format!("`c` must be 1 to {MAX_C}")));
    }
    if methods.contains(&Method::Group) && (spec.groups == 0 || !spec.c.is_multiple_of(spec.groups)) {
        return Err(src.error("groups", format!("`groups` must divide the {} channels", spec.c)));
    }
    let (n, c, g) = (spec.n, spec.c, spec.groups);
    Ok(methods
        .into_iter()
        .map(|method| Panel {
            method,
            stats: (0..n)
                .map(|i| (0..c).map(|j| method.statistic(i, j, c, g)).collect())
                .collect(),
        })
        .collect())
}

impl FigureKind for NormAxes {
    const NAME: &'static str = "norm-axes";
    type Spec = Spec;
    type Data = Data;

    fn compute(spec: &Spec, src: &Source) -> Result<Data, FigureError> {
        Ok(Data {
            panels: panels(spec, src)?,
            groups: spec.groups,
        })
    }

    fn draw(data: &Data, t: &Text) -> Result<Drawn, FigureError> {
        let (n, c) = (data.panels[0].stats.len(), data.panels[0].stats[0].len());
        let panels: Vec<String> = data
            .panels
            .iter()
            .map(|p| {
                let method = format!("{}{}", p.method.name(), group_note(p.method, data.groups));
                text::fill(
                    &t.norm_panel,
                    &[
                        ("method", &method),
                        ("over", &p.method.over()),
                        ("count", &p.count()),
                    ],
                )
            })
            .collect();
        let description = text::fill(
            &t.norm_description,
            &[("n", &n), ("c", &c), ("panels", &panels.join(&t.semicolon))],
        );
        let svg = draw_panels(&data.panels, data.groups, &description, t)?;
        Ok(Drawn { svg, description })
    }
}

fn group_note(m: Method, groups: usize) -> String {
    if m == Method::Group {
        format!(" (G = {groups})")
    } else {
        String::new()
    }
}

/// Panels side by side; the shaded cells take the method's palette colour.
fn draw_panels(panels: &[Panel], groups: usize, description: &str, t: &Text) -> Result<String, FigureError> {
    let (n, c) = (panels[0].stats.len(), panels[0].stats[0].len());
    let gap = 36.0;
    let k = panels.len() as f64;
    // 30 px on the left for the first panel's "N ↓", 10 on the right.
    let cell = ((600.0 - gap * (k - 1.0)) / (k * c as f64))
        .min(220.0 / n as f64)
        .min(26.0);
    let panel_w = cell * c as f64;
    let left = 30.0 + (600.0 - (panel_w * k + gap * (k - 1.0))) / 2.0;
    let top = 56.0;
    let height = (top + cell * n as f64 + 60.0).ceil() as u32;
    style::draw(640, height, description, |root, ov| {
        let s = style::SCALE;
        for (p, panel) in panels.iter().enumerate() {
            let x0 = left + p as f64 * (panel_w + gap);
            let colour = style::color(ALL.iter().position(|m| *m == panel.method).unwrap_or(0));
            let shaded = panel.shaded();
            for (i, row) in panel.stats.iter().enumerate() {
                for j in 0..row.len() {
                    let (x, y) = (x0 + j as f64 * cell, top + i as f64 * cell);
                    let r = [
                        (style::px(x), style::px(y)),
                        (style::px(x + cell), style::px(y + cell)),
                    ];
                    let fill = if shaded.contains(&(i, j)) {
                        colour.mix(0.75)
                    } else {
                        style::CELL.mix(1.0)
                    };
                    root.draw(&Rectangle::new(r, fill.filled()))?;
                    root.draw(&Rectangle::new(r, style::stroke(style::AXIS, 0.6)))?;
                }
            }
            let mid = (x0 + panel_w / 2.0) * s;
            let title = format!("{}{}", panel.method.name(), group_note(panel.method, groups));
            ov.text(mid, (top - 26.0) * s, 13.0, "middle", &title);
            ov.text(mid, (top - 8.0) * s, 12.0, "middle", "C →");
            ov.text(
                (x0 - 5.0) * s,
                (top + cell * n as f64 / 2.0 + 4.0) * s,
                12.0,
                "end",
                "N ↓",
            );
            let below = top + cell * n as f64;
            ov.text(
                mid,
                (below + 20.0) * s,
                12.0,
                "middle",
                &text::fill(&t.norm_over, &[("over", &panel.method.over())]),
            );
            ov.text(
                mid,
                (below + 38.0) * s,
                12.0,
                "middle",
                &text::fill(&t.norm_count, &[("count", &panel.count())]),
            );
        }
        ov.text(
            632.0 * s,
            (f64::from(height) - 6.0) * s,
            12.0,
            "end",
            &t.norm_cell,
        );
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn panels(spec: &str) -> Vec<Panel> {
        let src = Source { text: spec };
        NormAxes::compute(&src.parse().unwrap(), &src).unwrap().panels
    }

    /// The shaded sets are what each method averages over (Wu & He 2018, fig. 2).
    #[test]
    fn each_method_shares_its_statistic_over_its_own_axes() {
        let p = panels("kind: norm-axes\n");
        let methods: Vec<Method> = p.iter().map(|p| p.method).collect();
        assert_eq!(methods, ALL);
        // BN: channel 0 of every sample; LN: every channel of sample 0; IN: one cell;
        // GN with 2 groups of 3 channels: the first three channels of sample 0.
        assert_eq!(p[0].shaded(), [(0, 0), (1, 0), (2, 0), (3, 0)]);
        assert_eq!(p[1].shaded(), (0..6).map(|j| (0, j)).collect::<Vec<_>>());
        assert_eq!(p[2].shaded(), [(0, 0)]);
        assert_eq!(p[3].shaded(), [(0, 0), (0, 1), (0, 2)]);
        let counts: Vec<usize> = p.iter().map(Panel::count).collect();
        assert_eq!(counts, [6, 4, 24, 8], "C, N, N·C and N·G statistics");
    }

    /// GN spans LN (one group) and IN (one channel per group).
    #[test]
    fn group_norm_between_layer_and_instance_norm() {
        let stats = |spec: &str| panels(spec).remove(0).stats;
        let gn1 = stats("kind: norm-axes\nmethods: [group]\ngroups: 1\n");
        assert_eq!(gn1, stats("kind: norm-axes\nmethods: [layer]\n"));
        let gn6 = stats("kind: norm-axes\nmethods: [group]\ngroups: 6\n");
        assert_eq!(gn6, stats("kind: norm-axes\nmethods: [instance]\n"));
    }

    #[test]
    fn renders_and_bad_specs_are_errors() {
        let f = crate::render(
            "kind: norm-axes\nmethods: [batch, group]\ngroups: 3\n",
            crate::Lang::En,
        )
        .unwrap();
        assert!(
            f.description
                .contains("GroupNorm (G = 3) averages over C/G, H, W (12 statistics)"),
            "{}",
            f.description
        );
        assert!(f.svg.contains(">mean over N, H, W</text>"), "{}", f.svg);
        let zh = crate::render("kind: norm-axes\nmethods: [batch]\n", crate::Lang::ZhCn).unwrap();
        assert!(zh.svg.contains(">在 N, H, W 上平均</text>"), "{}", zh.svg);
        for (bad, line, field) in [
            ("groups: 4\n", 1, "groups"),
            ("n: 0\n", 1, "n"),
            ("c: 33\n", 1, "c"),
            ("methods: []\n", 1, "methods"),
        ] {
            let e = crate::render(&format!("kind: norm-axes\n{bad}"), crate::Lang::En).unwrap_err();
            assert_eq!((e.line, e.field.as_deref()), (line, Some(field)), "{bad}");
        }
    }
}
