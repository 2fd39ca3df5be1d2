//! `optimizer`: gradient descent, momentum and Nesterov paths over the contour lines of a
//! 2-D function.

use std::collections::BTreeMap;

use plotters::prelude::*;
use serde::Deserialize;

use super::expr::{self, Node};
use super::style::{self, Axes};
use super::{Drawn, FigureError, FigureKind, Source, check_range};

pub(super) struct Optimizer;

const MAX_STEPS: usize = 10_000;
const DEFAULT_F: &str = "0.1*x^2 + 2*y^2";

#[derive(Deserialize, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "snake_case")]
pub(super) enum Method {
    Gd,
    Momentum,
    Nesterov,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Spec {
    #[serde(rename = "kind")]
    _kind: String,
    #[serde(rename = "caption")]
    _caption: Option<String>,
    f: Option<String>,
    #[serde(default = "d_start")]
    start: [f64; 2],
    #[serde(default = "d_lr")]
    lr: f64,
    #[serde(default = "d_momentum")]
    momentum: f64,
    #[serde(default = "d_steps")]
    steps: usize,
    methods: Option<Vec<Method>>,
    #[serde(default = "d_x")]
    x: [f64; 2],
    #[serde(default = "d_y")]
    y: [f64; 2],
}

fn d_start() -> [f64; 2] {
    [-5.0, -2.0]
}
fn d_lr() -> f64 {
    0.3
}
fn d_momentum() -> f64 {
    0.5
}
fn d_steps() -> usize {
    20
}
fn d_x() -> [f64; 2] {
    [-5.5, 2.0]
}
fn d_y() -> [f64; 2] {
    [-3.0, 2.0]
}

/// Runs `steps` steps of `method`; stops early if the iterate stops being finite.
/// Momentum is the heavy ball `v ← βv + ∇f(x), x ← x − ηv`; Nesterov evaluates the gradient
/// at the look-ahead point `x − ηβv`.
pub(super) fn descend(
    method: Method,
    grad: &dyn Fn([f64; 2]) -> [f64; 2],
    start: [f64; 2],
    lr: f64,
    beta: f64,
    steps: usize,
) -> Vec<[f64; 2]> {
    let mut path = vec![start];
    let (mut p, mut v) = (start, [0.0; 2]);
    for _ in 0..steps {
        let g = match method {
            Method::Gd | Method::Momentum => grad(p),
            Method::Nesterov => grad([p[0] - lr * beta * v[0], p[1] - lr * beta * v[1]]),
        };
        let b = if method == Method::Gd { 0.0 } else { beta };
        v = [b * v[0] + g[0], b * v[1] + g[1]];
        p = [p[0] - lr * v[0], p[1] - lr * v[1]];
        if !(p[0].is_finite() && p[1].is_finite()) {
            break;
        }
        path.push(p);
    }
    path
}

impl Method {
    fn name(self) -> &'static str {
        match self {
            Method::Gd => "gradient descent",
            Method::Momentum => "momentum",
            Method::Nesterov => "Nesterov momentum",
        }
    }

    fn label(self, beta: f64) -> String {
        match self {
            Method::Gd => "梯度下降".into(),
            Method::Momentum => format!("动量法 (β = {})", style::num(beta)),
            Method::Nesterov => format!("Nesterov 动量 (β = {})", style::num(beta)),
        }
    }
}

impl FigureKind for Optimizer {
    const NAME: &'static str = "optimizer";
    const SUMMARY: &'static str = "gradient descent, momentum and Nesterov paths over contour lines";
    const FIELDS: &'static [&'static str] = &[
        "kind", "caption", "f", "start", "lr", "momentum", "steps", "methods", "x", "y",
    ];
    type Spec = Spec;

    fn draw(spec: &Spec, src: &Source) -> Result<Drawn, FigureError> {
        let text = spec.f.as_deref().unwrap_or(DEFAULT_F);
        let f = expr::parse(text, &["x", "y"]).map_err(|e| {
            src.error(
                "f",
                format!("cannot parse `{text}` at character {}: {}", e.at + 1, e.message),
            )
        })?;
        let (x0, x1) = check_range(src, "x", spec.x)?;
        let (y0, y1) = check_range(src, "y", spec.y)?;
        if spec.steps > MAX_STEPS {
            return Err(src.error("steps", format!("at most {MAX_STEPS} steps")));
        }
        if !(spec.lr.is_finite() && spec.lr > 0.0) {
            return Err(src.error("lr", "the learning rate must be a positive number"));
        }
        if !(0.0..1.0).contains(&spec.momentum) {
            return Err(src.error("momentum", "momentum must be in [0, 1)"));
        }
        if !(spec.start[0].is_finite() && spec.start[1].is_finite()) {
            return Err(src.error("start", "the start must be finite"));
        }
        let methods = spec
            .methods
            .clone()
            .unwrap_or_else(|| vec![Method::Gd, Method::Momentum, Method::Nesterov]);
        if methods.is_empty() {
            return Err(src.error("methods", "give at least one method"));
        }
        let grid = Contours::sample(&f, (x0, x1), (y0, y1));
        if !grid.values.iter().flatten().any(|v| v.is_finite()) {
            return Err(src.error("f", format!("`{text}` is not finite anywhere in the view")));
        }
        let (dx, dy) = (expr::diff(&f, 0), expr::diff(&f, 1));
        let grad = |p: [f64; 2]| [expr::eval(&dx, &p), expr::eval(&dy, &p)];
        let paths: Vec<Vec<[f64; 2]>> = methods
            .iter()
            .map(|&m| descend(m, &grad, spec.start, spec.lr, spec.momentum, spec.steps))
            .collect();
        let description = format!(
            "{} on f(x, y) = {text} from ({}, {}), learning rate {}, {} steps; ends at {}",
            methods.iter().map(|m| m.name()).collect::<Vec<_>>().join(", "),
            style::num(spec.start[0]),
            style::num(spec.start[1]),
            style::num(spec.lr),
            spec.steps,
            methods
                .iter()
                .zip(&paths)
                .map(|(m, p)| {
                    let e = p[p.len() - 1];
                    let diverged = if p.len() <= spec.steps { " (diverged)" } else { "" };
                    format!(
                        "{} ({}, {}){diverged}",
                        m.name(),
                        style::num(e[0]),
                        style::num(e[1])
                    )
                })
                .collect::<Vec<_>>()
                .join(", "),
        );
        let svg = style::draw(640, 440, &description, |root, ov| {
            let axes = Axes {
                x: x0..x1,
                y: y0..y1,
                xdesc: "x",
                ydesc: "y",
                title: None,
                ylog: false,
                categories: false,
            };
            let mut chart = style::chart(root, &axes)?;
            let contour = style::stroke(RGBColor(0xB8, 0xB8, 0xB8), 1.0);
            chart.draw_series(grid.lines().into_iter().map(|l| PathElement::new(l, contour)))?;
            let mut points = Vec::new();
            for (i, path) in paths.iter().enumerate() {
                let c = style::color(i);
                let inside: Vec<(f64, f64)> = path
                    .iter()
                    .map(|p| {
                        if p[0] >= x0 && p[0] <= x1 && p[1] >= y0 && p[1] <= y1 {
                            (p[0], p[1])
                        } else {
                            (p[0], f64::NAN)
                        }
                    })
                    .collect();
                for run in style::finite_runs(&inside) {
                    points.extend(run.iter().map(|p| chart.backend_coord(p)));
                    chart.draw_series(std::iter::once(PathElement::new(
                        run.clone(),
                        style::stroke(c, 1.8),
                    )))?;
                    if run.len() <= 200 {
                        chart.draw_series(run.iter().map(|&p| Circle::new(p, style::px(2.2), c.filled())))?;
                    }
                }
            }
            let labels: Vec<String> = methods.iter().map(|m| m.label(spec.momentum)).collect();
            ov.legend(&chart.plotting_area().get_pixel_range(), &labels, &points);
            Ok(())
        })?;
        Ok(Drawn { svg, description })
    }
}

/// f sampled on a grid for marching squares.
struct Contours {
    xs: Vec<f64>,
    ys: Vec<f64>,
    /// `values[i][j]` is f(xs[j], ys[i]).
    values: Vec<Vec<f64>>,
}

/// A cell edge: horizontal (`true`) from (i, j) to (i, j+1), or vertical to (i+1, j).
type Edge = (bool, usize, usize);

impl Contours {
    fn sample(f: &Node, (x0, x1): (f64, f64), (y0, y1): (f64, f64)) -> Self {
        let (nx, ny) = (90, 60);
        let xs: Vec<f64> = (0..nx)
            .map(|j| x0 + (x1 - x0) * j as f64 / (nx - 1) as f64)
            .collect();
        let ys: Vec<f64> = (0..ny)
            .map(|i| y0 + (y1 - y0) * i as f64 / (ny - 1) as f64)
            .collect();
        let values = ys
            .iter()
            .map(|&y| xs.iter().map(|&x| expr::eval(f, &[x, y])).collect())
            .collect();
        Contours { xs, ys, values }
    }

    /// Contour polylines at levels packed towards the minimum (quadratic spacing), so the
    /// valley floor is visible as well as the walls.
    fn lines(&self) -> Vec<Vec<(f64, f64)>> {
        let finite = self.values.iter().flatten().filter(|v| v.is_finite());
        let (lo, hi) = finite.fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| {
            (l.min(*v), h.max(*v))
        });
        let mut out = Vec::new();
        if lo >= hi {
            return out;
        }
        let n = 14;
        for k in 1..n {
            let t = k as f64 / n as f64;
            out.extend(self.level(lo + (hi - lo) * t * t));
        }
        out
    }

    fn level(&self, level: f64) -> Vec<Vec<(f64, f64)>> {
        let v = &self.values;
        let point = |(h, i, j): Edge| -> (f64, f64) {
            let (a, b) = if h {
                (v[i][j], v[i][j + 1])
            } else {
                (v[i][j], v[i + 1][j])
            };
            let t = ((level - a) / (b - a)).clamp(0.0, 1.0);
            if h {
                (self.xs[j] + t * (self.xs[j + 1] - self.xs[j]), self.ys[i])
            } else {
                (self.xs[j], self.ys[i] + t * (self.ys[i + 1] - self.ys[i]))
            }
        };
        let mut segments: Vec<(Edge, Edge)> = Vec::new();
        for i in 0..self.ys.len() - 1 {
            for j in 0..self.xs.len() - 1 {
                let corners = [v[i][j], v[i][j + 1], v[i + 1][j + 1], v[i + 1][j]];
                if corners.iter().any(|c| !c.is_finite()) {
                    continue;
                }
                let edges: [(Edge, f64, f64); 4] = [
                    ((true, i, j), corners[0], corners[1]),
                    ((false, i, j + 1), corners[1], corners[2]),
                    ((true, i + 1, j), corners[3], corners[2]),
                    ((false, i, j), corners[0], corners[3]),
                ];
                let cut: Vec<Edge> = edges
                    .iter()
                    .filter(|(_, a, b)| (*a < level) != (*b < level))
                    .map(|(e, ..)| *e)
                    .collect();
                for pair in cut.chunks_exact(2) {
                    segments.push((pair[0], pair[1]));
                }
            }
        }
        // Chain segments sharing an edge into polylines, to keep the SVG small.
        let mut at: BTreeMap<Edge, Vec<usize>> = BTreeMap::new();
        for (k, (a, b)) in segments.iter().enumerate() {
            at.entry(*a).or_default().push(k);
            at.entry(*b).or_default().push(k);
        }
        let mut used = vec![false; segments.len()];
        let mut lines = Vec::new();
        for k in 0..segments.len() {
            if used[k] {
                continue;
            }
            used[k] = true;
            let mut chain = std::collections::VecDeque::from([segments[k].0, segments[k].1]);
            for forward in [true, false] {
                loop {
                    let end = if forward { chain.back() } else { chain.front() };
                    let Some(&end) = end else { break };
                    let next = at.get(&end).and_then(|ks| ks.iter().copied().find(|&s| !used[s]));
                    let Some(s) = next else { break };
                    used[s] = true;
                    let (a, b) = segments[s];
                    let other = if a == end { b } else { a };
                    if forward {
                        chain.push_back(other);
                    } else {
                        chain.push_front(other);
                    }
                }
            }
            lines.push(chain.into_iter().map(point).collect());
        }
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn steps_to_minimum(method: Method) -> usize {
        let f = expr::parse(DEFAULT_F, &["x", "y"]).unwrap();
        let (dx, dy) = (expr::diff(&f, 0), expr::diff(&f, 1));
        let grad = |p: [f64; 2]| [expr::eval(&dx, &p), expr::eval(&dy, &p)];
        let path = descend(method, &grad, d_start(), d_lr(), d_momentum(), 1000);
        path.iter()
            .position(|p| p[0].hypot(p[1]) < 1e-3)
            .expect("converges")
    }

    #[test]
    fn momentum_beats_gradient_descent_on_the_default_quadratic() {
        let (gd, mom, nesterov) = (
            steps_to_minimum(Method::Gd),
            steps_to_minimum(Method::Momentum),
            steps_to_minimum(Method::Nesterov),
        );
        assert!(mom < gd, "momentum {mom} vs gd {gd}");
        assert!(nesterov < gd, "nesterov {nesterov} vs gd {gd}");
    }

    #[test]
    fn gradient_descent_step_is_exact() {
        let path = descend(
            Method::Gd,
            &|p| [0.2 * p[0], 4.0 * p[1]],
            [-5.0, -2.0],
            0.4,
            0.5,
            1,
        );
        assert_eq!(path[1], [-5.0 + 0.4, -2.0 + 0.4 * 8.0]);
    }

    #[test]
    fn contours_are_closed_ellipses_around_the_minimum() {
        let f = expr::parse(DEFAULT_F, &["x", "y"]).unwrap();
        let c = Contours::sample(&f, (-5.5, 5.5), (-3.0, 3.0));
        let ring = c.level(1.0);
        assert_eq!(ring.len(), 1);
        let r = &ring[0];
        assert!((r[0].0 - r[r.len() - 1].0).abs() < 1e-9 && (r[0].1 - r[r.len() - 1].1).abs() < 1e-9);
        assert!(
            r.iter()
                .all(|(x, y)| (0.1 * x * x + 2.0 * y * y - 1.0).abs() < 0.05)
        );
    }

    #[test]
    fn divergence_and_bad_specs() {
        let render = super::super::render;
        let f = render("kind: optimizer\nlr: 0.6\nsteps: 5000\nmethods: [gd]\n").unwrap();
        assert!(
            f.description.contains("gradient descent (") && f.description.contains("(diverged)"),
            "{}",
            f.description
        );
        let e = render("kind: optimizer\nf: x^2 +* y\n").unwrap_err();
        assert_eq!((e.line, e.field.as_deref()), (1, Some("f")));
        let e = render("kind: optimizer\nsteps: 100000\n").unwrap_err();
        assert_eq!((e.line, e.field.as_deref()), (1, Some("steps")));
        let e = render("kind: optimizer\nf: sqrt(-1 - x^2)\n").unwrap_err();
        assert_eq!((e.line, e.field.as_deref()), (1, Some("f")));
    }
}
