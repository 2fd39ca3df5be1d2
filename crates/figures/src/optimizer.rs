//! `optimizer`: paths of gradient descent, momentum, Nesterov and the adaptive methods
//! (AdaGrad, RMSProp, Adam, AdamW) over the contour lines of a 2-D function.

use std::collections::BTreeMap;

use plotters::prelude::*;
use serde::Deserialize;

use crate::expr::{self, Node};
use crate::source::{Source, check_range};
use crate::style::{self, Axes};
use crate::text::{self, Text};
use crate::{Drawn, FigureError, FigureKind};

pub(super) struct Optimizer;

const MAX_STEPS: usize = 10_000;
const DEFAULT_F: &str = "0.1*x^2 + 2*y^2";

#[derive(Deserialize, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "snake_case")]
pub(super) enum Method {
    Gd,
    Momentum,
    Nesterov,
    Adagrad,
    Rmsprop,
    Adam,
    Adamw,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Spec {
    f: Option<String>,
    #[serde(default = "d_start")]
    start: [f64; 2],
    #[serde(default = "d_lr")]
    lr: f64,
    #[serde(default = "d_momentum")]
    momentum: f64,
    adaptive_lr: Option<f64>,
    #[serde(default = "d_beta1")]
    beta1: f64,
    #[serde(default = "d_beta2")]
    beta2: f64,
    #[serde(default = "d_eps")]
    eps: f64,
    #[serde(default)]
    weight_decay: f64,
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
fn d_beta1() -> f64 {
    0.9
}
fn d_beta2() -> f64 {
    0.999
}
fn d_eps() -> f64 {
    1e-8
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

/// The hyper-parameters every method reads its own from.
#[derive(Clone, Copy, Debug)]
pub(super) struct Hyper {
    /// η of gradient descent, momentum and Nesterov.
    pub lr: f64,
    /// μ of momentum and Nesterov.
    pub momentum: f64,
    /// α of AdaGrad, RMSProp, Adam and AdamW.
    pub adaptive_lr: f64,
    pub beta1: f64,
    /// β₂ of Adam and AdamW, and the decay ρ of RMSProp's average of squared gradients.
    pub beta2: f64,
    pub eps: f64,
    /// λ: an L2 term λx added to the gradient, except in AdamW, which decays x apart.
    pub weight_decay: f64,
}

/// Runs `steps` steps of `method`; stops early if the iterate stops being finite.
pub(super) fn descend(
    method: Method,
    grad: &dyn Fn([f64; 2]) -> [f64; 2],
    start: [f64; 2],
    h: &Hyper,
    steps: usize,
) -> Vec<[f64; 2]> {
    let mut path = vec![start];
    let (mut p, mut m, mut v) = (start, [0.0; 2], [0.0; 2]);
    for t in 1..=steps {
        p = step(method, grad, h, p, (&mut m, &mut v), t);
        if !(p[0].is_finite() && p[1].is_finite()) {
            break;
        }
        path.push(p);
    }
    path
}

/// One step at iteration `t` (from 1), updating the method's state: `m` is the velocity or
/// first moment, `v` the sum or average of squared gradients.
/// - momentum (heavy ball): `m ← μm + g, x ← x − ηm`; Nesterov takes g at `x − ημm`;
/// - AdaGrad: `v ← v + g², x ← x − αg/(√v + ε)`;
/// - RMSProp: `v ← β₂v + (1 − β₂)g², x ← x − αg/(√v + ε)`;
/// - Adam: `m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g²`, bias-corrected `m̂ = m/(1 − β₁ᵗ)`,
///   `v̂ = v/(1 − β₂ᵗ)`, `x ← x − αm̂/(√v̂ + ε)`; AdamW adds `−αλx` to that step.
fn step(
    method: Method,
    grad: &dyn Fn([f64; 2]) -> [f64; 2],
    h: &Hyper,
    p: [f64; 2],
    (m, v): (&mut [f64; 2], &mut [f64; 2]),
    t: usize,
) -> [f64; 2] {
    let at = match method {
        Method::Nesterov => [p[0] - h.lr * h.momentum * m[0], p[1] - h.lr * h.momentum * m[1]],
        _ => p,
    };
    let mut g = grad(at);
    if method != Method::Adamw && h.weight_decay > 0.0 {
        g = [g[0] + h.weight_decay * at[0], g[1] + h.weight_decay * at[1]];
    }
    let t = i32::try_from(t).unwrap_or(i32::MAX);
    let (c1, c2) = (1.0 - h.beta1.powi(t), 1.0 - h.beta2.powi(t));
    let a = h.adaptive_lr;
    let mut next = p;
    for i in 0..2 {
        let gi = g[i];
        next[i] = match method {
            Method::Gd => p[i] - h.lr * gi,
            Method::Momentum | Method::Nesterov => {
                m[i] = h.momentum * m[i] + gi;
                p[i] - h.lr * m[i]
            }
            Method::Adagrad => {
                v[i] += gi * gi;
                p[i] - a * gi / (v[i].sqrt() + h.eps)
            }
            Method::Rmsprop => {
                v[i] = h.beta2 * v[i] + (1.0 - h.beta2) * gi * gi;
                p[i] - a * gi / (v[i].sqrt() + h.eps)
            }
            Method::Adam | Method::Adamw => {
                m[i] = h.beta1 * m[i] + (1.0 - h.beta1) * gi;
                v[i] = h.beta2 * v[i] + (1.0 - h.beta2) * gi * gi;
                let decay = if method == Method::Adamw {
                    h.weight_decay * p[i]
                } else {
                    0.0
                };
                p[i] - a * ((m[i] / c1) / ((v[i] / c2).sqrt() + h.eps) + decay)
            }
        };
    }
    next
}

impl Method {
    fn name(self, t: &Text) -> &str {
        match self {
            Method::Gd => &t.optimizer_gd,
            Method::Momentum => &t.optimizer_momentum,
            Method::Nesterov => &t.optimizer_nesterov,
            Method::Adagrad => "AdaGrad",
            Method::Rmsprop => "RMSProp",
            Method::Adam => "Adam",
            Method::Adamw => "AdamW",
        }
    }

    fn is_adaptive(self) -> bool {
        !matches!(self, Method::Gd | Method::Momentum | Method::Nesterov)
    }

    /// The legend label with the parameters that shape this method's path.
    fn label(self, h: &Hyper, t: &Text) -> String {
        let n = style::num;
        let l2 = if h.weight_decay > 0.0 {
            format!(", L2 λ = {}", n(h.weight_decay))
        } else {
            String::new()
        };
        let params = match self {
            Method::Gd if h.weight_decay > 0.0 => format!("L2 λ = {}", n(h.weight_decay)),
            Method::Gd => return self.name(t).to_string(),
            Method::Momentum | Method::Nesterov => format!("μ = {}{l2}", n(h.momentum)),
            Method::Adagrad => format!("α = {}{l2}", n(h.adaptive_lr)),
            Method::Rmsprop => format!("α = {}, β₂ = {}{l2}", n(h.adaptive_lr), n(h.beta2)),
            Method::Adam => format!(
                "α = {}, β₁ = {}, β₂ = {}{l2}",
                n(h.adaptive_lr),
                n(h.beta1),
                n(h.beta2)
            ),
            Method::Adamw => format!("α = {}, λ = {}", n(h.adaptive_lr), n(h.weight_decay)),
        };
        format!("{} ({params})", self.name(t))
    }
}

/// The paths of each method and the contour lines under them.
pub(super) struct Data {
    f: String,
    start: [f64; 2],
    steps: usize,
    h: Hyper,
    view: ((f64, f64), (f64, f64)),
    methods: Vec<Method>,
    paths: Vec<Vec<[f64; 2]>>,
    contours: Vec<Vec<(f64, f64)>>,
}

impl FigureKind for Optimizer {
    const NAME: &'static str = "optimizer";
    type Spec = Spec;
    type Data = Data;

    fn compute(spec: &Spec, src: &Source) -> Result<Data, FigureError> {
        let text = spec.f.as_deref().unwrap_or(DEFAULT_F);
        let f = expr::parse(text, &["x", "y"]).map_err(|e| src.expr_error("f", text, e))?;
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
        let h = hyper(spec, src)?;
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
        let paths = methods
            .iter()
            .map(|&m| descend(m, &grad, spec.start, &h, spec.steps))
            .collect();
        Ok(Data {
            f: text.to_string(),
            start: spec.start,
            steps: spec.steps,
            h,
            view: ((x0, x1), (y0, y1)),
            methods,
            paths,
            contours: grid.lines(),
        })
    }

    fn draw(data: &Data, t: &Text) -> Result<Drawn, FigureError> {
        let description = describe(data, t);
        let ((x0, x1), (y0, y1)) = data.view;
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
            let contour = style::stroke(style::CONTOUR, 1.0);
            chart.draw_series(data.contours.iter().map(|l| PathElement::new(l.clone(), contour)))?;
            let mut points = Vec::new();
            for (i, path) in data.paths.iter().enumerate() {
                draw_path(&mut chart, &mut points, path, data.view, style::color(i))?;
            }
            let labels: Vec<String> = data.methods.iter().map(|m| m.label(&data.h, t)).collect();
            ov.legend(&chart.plotting_area().get_pixel_range(), &labels, &points);
            Ok(())
        })?;
        Ok(Drawn { svg, description })
    }
}

fn describe(data: &Data, t: &Text) -> String {
    let names: Vec<&str> = data.methods.iter().map(|m| m.name(t)).collect();
    let adaptive = if data.methods.iter().any(|m| m.is_adaptive()) {
        text::fill(&t.optimizer_adaptive, &[("lr", &style::num(data.h.adaptive_lr))])
    } else {
        String::new()
    };
    let ends: Vec<String> = names
        .iter()
        .zip(&data.paths)
        .map(|(name, p)| {
            let e = p[p.len() - 1];
            let end = if p.len() <= data.steps {
                &t.optimizer_diverged
            } else {
                &t.optimizer_end
            };
            let (x, y) = (style::num(e[0]), style::num(e[1]));
            text::fill(end, &[("method", name), ("x", &x), ("y", &y)])
        })
        .collect();
    text::fill(
        &t.optimizer_description,
        &[
            ("methods", &names.join(&t.comma)),
            ("f", &data.f),
            ("x", &style::num(data.start[0])),
            ("y", &style::num(data.start[1])),
            ("lr", &style::num(data.h.lr)),
            ("adaptive", &adaptive),
            ("steps", &data.steps),
            ("ends", &ends.join(&t.comma)),
        ],
    )
}

/// Draws one path, broken where it leaves the view, with a dot per step when there are few;
/// adds its backend points to `points` for the legend.
fn draw_path(
    chart: &mut style::Chart,
    points: &mut Vec<(i32, i32)>,
    path: &[[f64; 2]],
    ((x0, x1), (y0, y1)): ((f64, f64), (f64, f64)),
    c: RGBColor,
) -> style::DrawResult {
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
    Ok(())
}

/// Checks the hyper-parameters; `adaptive_lr` defaults to `lr`.
fn hyper(spec: &Spec, src: &Source) -> Result<Hyper, FigureError> {
    let adaptive_lr = spec.adaptive_lr.unwrap_or(spec.lr);
    if !(adaptive_lr.is_finite() && adaptive_lr > 0.0) {
        return Err(src.error("adaptive_lr", "the adaptive step size must be a positive number"));
    }
    for (field, beta) in [("beta1", spec.beta1), ("beta2", spec.beta2)] {
        if !(0.0..1.0).contains(&beta) {
            return Err(src.error(field, format!("`{field}` must be in [0, 1)")));
        }
    }
    if !(spec.eps.is_finite() && spec.eps > 0.0) {
        return Err(src.error("eps", "`eps` must be a positive number"));
    }
    if !(spec.weight_decay.is_finite() && spec.weight_decay >= 0.0) {
        return Err(src.error("weight_decay", "`weight_decay` must be a number ≥ 0"));
    }
    Ok(Hyper {
        lr: spec.lr,
        momentum: spec.momentum,
        adaptive_lr,
        beta1: spec.beta1,
        beta2: spec.beta2,
        eps: spec.eps,
        weight_decay: spec.weight_decay,
    })
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
        let path = descend(method, &grad, d_start(), &hyper(0.3, 0.0), 1000);
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

    /// The defaults with step size `lr` for every method, and weight decay `wd`.
    fn hyper(lr: f64, wd: f64) -> Hyper {
        Hyper {
            lr,
            momentum: d_momentum(),
            adaptive_lr: lr,
            beta1: d_beta1(),
            beta2: d_beta2(),
            eps: d_eps(),
            weight_decay: wd,
        }
    }

    const QUADRATIC: &dyn Fn([f64; 2]) -> [f64; 2] = &|p| [0.2 * p[0], 4.0 * p[1]];
    const CONSTANT: &dyn Fn([f64; 2]) -> [f64; 2] = &|_| [1.0, 1.0];

    fn close(a: [f64; 2], b: [f64; 2]) -> bool {
        (a[0] - b[0]).abs() < 1e-6 && (a[1] - b[1]).abs() < 1e-6
    }

    /// Every first (and, where the state matters, second) step, worked by hand from
    /// g(−5, −2) = (−1, −8) on 0.1x² + 2y², or a constant gradient (1, 1).
    #[test]
    fn first_steps_match_the_hand_computed_ones() {
        let path = descend(Method::Gd, QUADRATIC, [-5.0, -2.0], &hyper(0.4, 0.0), 1);
        assert_eq!(path[1], [-5.0 + 0.4, -2.0 + 0.4 * 8.0]);
        // v = g₁ + μg₀ = 1.5 after two constant steps of 0.1.
        let path = descend(Method::Momentum, CONSTANT, [0.0, 0.0], &hyper(0.1, 0.0), 2);
        assert!(close(path[2], [-0.25, -0.25]), "{path:?}");
        // p₁ = (−4.9, −1.2); look-ahead p₁ − 0.1·0.5·(−1, −8) = (−4.85, −0.8), g = (−0.97, −3.2),
        // v = 0.5·(−1, −8) + g = (−1.47, −7.2), p₂ = p₁ − 0.1v.
        let path = descend(Method::Nesterov, QUADRATIC, [-5.0, -2.0], &hyper(0.1, 0.0), 2);
        assert!(close(path[2], [-4.753, -0.48]), "{path:?}");
        // AdaGrad: v = g², so the first step is α·sign(g) in each coordinate.
        let path = descend(Method::Adagrad, QUADRATIC, [-5.0, -2.0], &hyper(0.5, 0.0), 1);
        assert!(close(path[1], [-4.5, -1.5]), "{path:?}");
        // RMSProp with β₂ = 0.9: v = 0.1g², step α·g/√(0.1g²) = α·sign(g)/√0.1.
        let h = Hyper {
            beta2: 0.9,
            ..hyper(0.1, 0.0)
        };
        let path = descend(Method::Rmsprop, QUADRATIC, [-5.0, -2.0], &h, 1);
        let s = 0.1 / 0.1f64.sqrt();
        assert!(close(path[1], [-5.0 + s, -2.0 + s]), "{path:?}");
        // Adam: with bias correction m̂ = g and v̂ = g², so the first step is α·sign(g)
        // (without it, it would be α(1 − β₁)/√(1 − β₂) ≈ 3.16α).
        let path = descend(Method::Adam, QUADRATIC, [-5.0, -2.0], &hyper(0.1, 0.0), 1);
        assert!(close(path[1], [-4.9, -1.9]), "{path:?}");
    }

    /// Adam's L2 term enters the gradient (and flips its sign at x = −5), AdamW's decays x apart.
    #[test]
    fn adam_adds_l2_to_the_gradient_and_adamw_decays_apart() {
        // g + λx = (1 − 5, 1 + 2) = (−4, 3): the step is α·sign of that.
        let path = descend(Method::Adam, CONSTANT, [-5.0, 2.0], &hyper(0.1, 1.0), 1);
        assert!(close(path[1], [-4.9, 1.9]), "{path:?}");
        // x − α(sign(g) + λx) = (−5 − 0.1(1 − 5), 2 − 0.1(1 + 2)).
        let path = descend(Method::Adamw, CONSTANT, [-5.0, 2.0], &hyper(0.1, 1.0), 1);
        assert!(close(path[1], [-4.6, 1.7]), "{path:?}");
    }

    #[test]
    fn the_legend_writes_mu_for_momentum() {
        let h = hyper(0.3, 0.0);
        assert_eq!(
            Method::Momentum.label(&h, crate::Lang::ZhCn.text()),
            "动量法 (μ = 0.5)"
        );
        assert_eq!(
            Method::Nesterov.label(&h, crate::Lang::ZhCn.text()),
            "Nesterov 动量 (μ = 0.5)"
        );
        assert_eq!(
            Method::Adam.label(&h, crate::Lang::ZhCn.text()),
            "Adam (α = 0.3, β₁ = 0.9, β₂ = 0.999)"
        );
    }

    #[test]
    fn adaptive_specs_and_their_errors() {
        let render = crate::render;
        let f = render("kind: optimizer\nmethods: [adagrad, rmsprop, adam, adamw]\nadaptive_lr: 0.2\nweight_decay: 0.01\n", crate::Lang::En)
            .unwrap();
        assert!(
            f.description
                .starts_with("AdaGrad, RMSProp, Adam, AdamW on f(x, y) = 0.1*x^2 + 2*y^2 from (-5, -2), learning rate 0.3, adaptive step 0.2, 20 steps"),
            "{}",
            f.description
        );
        assert!(f.svg.contains("AdamW (α = 0.2, λ = 0.01)"));
        for (bad, line, field) in [
            ("beta1: 1\n", 1, "beta1"),
            ("beta2: -0.1\n", 1, "beta2"),
            ("eps: 0\n", 1, "eps"),
            ("weight_decay: -1\n", 1, "weight_decay"),
            ("lr: 0.1\nadaptive_lr: .nan\n", 2, "adaptive_lr"),
        ] {
            let e = render(&format!("kind: optimizer\n{bad}"), crate::Lang::En).unwrap_err();
            assert_eq!((e.line, e.field.as_deref()), (line, Some(field)), "{bad}");
        }
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
        let render = crate::render;
        let f = render(
            "kind: optimizer\nlr: 0.6\nsteps: 5000\nmethods: [gd]\n",
            crate::Lang::En,
        )
        .unwrap();
        assert!(
            f.description.contains("gradient descent (") && f.description.contains("(diverged)"),
            "{}",
            f.description
        );
        let e = render("kind: optimizer\nf: x^2 +* y\n", crate::Lang::En).unwrap_err();
        assert_eq!((e.line, e.field.as_deref()), (1, Some("f")));
        let e = render("kind: optimizer\nsteps: 100000\n", crate::Lang::En).unwrap_err();
        assert_eq!((e.line, e.field.as_deref()), (1, Some("steps")));
        let e = render("kind: optimizer\nf: sqrt(-1 - x^2)\n", crate::Lang::En).unwrap_err();
        assert_eq!((e.line, e.field.as_deref()), (1, Some("f")));
    }
}
