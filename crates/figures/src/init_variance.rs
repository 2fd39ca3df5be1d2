//! `init-variance`: the standard deviation of the activations, layer by layer, of a deep MLP
//! initialised in several ways, simulated on a small batch of standard-normal inputs.

use plotters::prelude::*;
use serde::Deserialize;

use crate::source::Source;
use crate::style::{self, Axes};
use crate::text::{self, Text};
use crate::{Drawn, FigureError, FigureKind};

pub(super) struct InitVariance;

const MAX_LAYERS: usize = 100;
const MAX_WIDTH: usize = 1024;
/// width² · layers: about 8M multiply-adds per sample and init keeps a figure under a second.
const MAX_WORK: usize = 1 << 23;
/// Inputs per forward pass; each layer's std is taken over `BATCH · width` activations.
const BATCH: usize = 4;

#[derive(Deserialize, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "snake_case")]
pub(super) enum Activation {
    Relu,
    Tanh,
    Linear,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Spec {
    #[serde(default = "d_layers")]
    layers: usize,
    #[serde(default = "d_width")]
    width: usize,
    #[serde(default = "d_activation")]
    activation: Activation,
    inits: Option<Vec<String>>,
    #[serde(default = "d_seed")]
    seed: u64,
}

fn d_layers() -> usize {
    20
}
fn d_width() -> usize {
    256
}
fn d_activation() -> Activation {
    Activation::Relu
}
fn d_seed() -> u64 {
    1
}

/// A weight initialisation: weights are drawn from N(0, σ²).
#[derive(Clone, Copy, PartialEq, Debug)]
pub(super) enum Init {
    /// Glorot & Bengio: σ² = 2 / (fan_in + fan_out).
    Xavier,
    /// He et al.: σ² = 2 / fan_in.
    He,
    /// A fixed σ.
    Normal(f64),
}

impl Init {
    fn parse(text: &str) -> Option<Init> {
        match text.trim() {
            "xavier" => Some(Init::Xavier),
            "he" => Some(Init::He),
            t => {
                let sigma: f64 = t
                    .strip_prefix("normal(")?
                    .strip_suffix(')')?
                    .trim()
                    .parse()
                    .ok()?;
                (sigma.is_finite() && sigma > 0.0).then_some(Init::Normal(sigma))
            }
        }
    }

    /// σ for a square layer of `width` units.
    fn sigma(self, width: usize) -> f64 {
        let n = width as f64;
        match self {
            Init::Xavier => (2.0 / (n + n)).sqrt(),
            Init::He => (2.0 / n).sqrt(),
            Init::Normal(s) => s,
        }
    }

    fn label(self) -> String {
        match self {
            Init::Xavier => "Xavier (σ² = 1/n)".into(),
            Init::He => "He (σ² = 2/n)".into(),
            Init::Normal(s) => format!("N(0, {}²)", style::num(s)),
        }
    }

    fn name(self) -> String {
        match self {
            Init::Xavier => "Xavier".into(),
            Init::He => "He".into(),
            Init::Normal(s) => format!("normal({})", style::num(s)),
        }
    }
}

impl Activation {
    fn apply(self, v: f64) -> f64 {
        match self {
            Activation::Relu => v.max(0.0),
            Activation::Tanh => v.tanh(),
            Activation::Linear => v,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Activation::Relu => "ReLU",
            Activation::Tanh => "tanh",
            Activation::Linear => "linear",
        }
    }
}

/// SplitMix64: a tiny, well-mixed generator, so the figure is the same on every machine
/// without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in (0, 1).
    fn uniform(&mut self) -> f64 {
        ((self.next() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    /// `n` standard normal draws (Box–Muller, both values of each pair).
    fn normals(&mut self, n: usize) -> Vec<f64> {
        let mut out = Vec::with_capacity(n + 1);
        while out.len() < n {
            let (u, v) = (self.uniform(), self.uniform());
            let r = (-2.0 * u.ln()).sqrt();
            let a = std::f64::consts::TAU * v;
            out.extend([r * a.cos(), r * a.sin()]);
        }
        out.truncate(n);
        out
    }
}

/// Population standard deviation.
fn std(values: &[f64]) -> f64 {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    (values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n).sqrt()
}

/// The std of the activations after each layer (index 0 is the input), one list per init.
/// Every init sees the same input and the same standard-normal weights, scaled by its σ, so
/// the curves differ only by the initialisation.
pub(super) fn simulate(
    layers: usize,
    width: usize,
    act: Activation,
    inits: &[Init],
    seed: u64,
) -> Vec<Vec<f64>> {
    let mut rng = Rng(seed);
    let input = rng.normals(BATCH * width);
    let mut xs: Vec<Vec<f64>> = vec![input; inits.len()];
    let mut stds: Vec<Vec<f64>> = xs.iter().map(|x| vec![std(x)]).collect();
    for _ in 0..layers {
        let w = rng.normals(width * width);
        for ((x, init), out) in xs.iter_mut().zip(inits).zip(&mut stds) {
            let sigma = init.sigma(width);
            let next: Vec<f64> = x
                .chunks_exact(width)
                .flat_map(|sample| {
                    w.chunks_exact(width).map(move |row| {
                        let dot: f64 = row.iter().zip(sample).map(|(a, b)| a * b).sum();
                        act.apply(sigma * dot)
                    })
                })
                .collect();
            out.push(std(&next));
            *x = next;
        }
    }
    stds
}

/// A std for the description: three significant digits, scientific when tiny or huge.
fn sci(v: f64) -> String {
    if v != 0.0 && !(1e-3..1e4).contains(&v.abs()) {
        format!("{v:.2e}")
    } else {
        style::num(v)
    }
}

/// Checks the spec; returns the inits (default Xavier, He and normal(0.01)).
fn check(spec: &Spec, src: &Source) -> Result<Vec<Init>, FigureError> {
    if !(1..=MAX_LAYERS).contains(&spec.layers) {
        return Err(src.error("layers", format!("give 1 to {MAX_LAYERS} layers")));
    }
    if !(1..=MAX_WIDTH).contains(&spec.width) {
        return Err(src.error("width", format!("the width must be 1 to {MAX_WIDTH}")));
    }
    if spec.width * spec.width * spec.layers > MAX_WORK {
        return Err(src.error(
            "width",
            format!("width² × layers must be at most {MAX_WORK} (e.g. 512 wide, 32 layers)"),
        ));
    }
    let Some(texts) = &spec.inits else {
        return Ok(vec![Init::Xavier, Init::He, Init::Normal(0.01)]);
    };
    if texts.is_empty() || texts.len() > 7 {
        return Err(src.error("inits", "give 1 to 7 inits"));
    }
    texts
        .iter()
        .map(|t| {
            Init::parse(t).ok_or_else(|| FigureError {
                line: src.line_of_item("inits", t),
                field: Some("inits".into()),
                message: format!("unknown init `{t}`: write xavier, he or normal(σ) with σ > 0"),
                hint: None,
            })
        })
        .collect()
}

/// The std after each layer, one list per init.
pub(super) struct Data {
    width: usize,
    activation: Activation,
    inits: Vec<Init>,
    stds: Vec<Vec<f64>>,
}

impl FigureKind for InitVariance {
    const NAME: &'static str = "init-variance";
    type Spec = Spec;
    type Data = Data;

    fn compute(spec: &Spec, src: &Source) -> Result<Data, FigureError> {
        let inits = check(spec, src)?;
        let stds = simulate(spec.layers, spec.width, spec.activation, &inits, spec.seed);
        Ok(Data {
            width: spec.width,
            activation: spec.activation,
            inits,
            stds,
        })
    }

    fn draw(data: &Data, t: &Text) -> Result<Drawn, FigureError> {
        let inits: Vec<String> = data
            .inits
            .iter()
            .zip(&data.stds)
            .map(|(i, s)| format!("{} {} → {}", i.name(), sci(s[0]), sci(s[s.len() - 1])))
            .collect();
        let description = text::fill(
            &t.init_description,
            &[
                ("layers", &(data.stds[0].len() - 1)),
                ("width", &data.width),
                ("activation", &data.activation.name()),
                ("inits", &inits.join(&t.comma)),
            ],
        );
        let labels: Vec<String> = data.inits.iter().map(|i| i.label()).collect();
        let svg = draw_curves(&data.stds, &labels, &description, t)?;
        Ok(Drawn { svg, description })
    }
}

fn draw_curves(
    stds: &[Vec<f64>],
    labels: &[String],
    description: &str,
    t: &Text,
) -> Result<String, FigureError> {
    let curves: Vec<Vec<(f64, f64)>> = stds
        .iter()
        .map(|s| s.iter().enumerate().map(|(l, v)| (l as f64, v.log10())).collect())
        .collect();
    let layers = stds[0].len() - 1;
    let y = style::fit_range(curves.iter().flatten().map(|p| p.1)).unwrap_or(-1.0..1.0);
    style::draw(640, 400, description, |root, ov| {
        let axes = Axes {
            x: 0.0..layers.max(1) as f64,
            y,
            xdesc: &t.init_layer,
            ydesc: &t.init_std,
            title: None,
            ylog: true,
            categories: false,
        };
        let mut chart = style::chart(root, &axes)?;
        let mut points = Vec::new();
        for (i, curve) in curves.iter().enumerate() {
            let c = style::color(i);
            for run in style::finite_runs(curve) {
                points.extend(run.iter().map(|p| chart.backend_coord(p)));
                chart.draw_series(std::iter::once(PathElement::new(
                    run.clone(),
                    style::stroke(c, 2.0),
                )))?;
                if run.len() <= 40 {
                    chart.draw_series(run.iter().map(|&p| Circle::new(p, style::px(2.5), c.filled())))?;
                }
            }
        }
        ov.legend(&chart.plotting_area().get_pixel_range(), labels, &points);
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(act: Activation, inits: &[Init]) -> Vec<Vec<f64>> {
        simulate(20, 256, act, inits, 1)
    }

    /// He keeps the ReLU activations' scale over 20 layers; N(0, 0.01²) lets it collapse
    /// (each layer multiplies it by about 0.01·√(256/2) ≈ 0.11) and Xavier halves the variance
    /// per layer under ReLU.
    #[test]
    fn he_keeps_relu_std_and_small_normal_collapses() {
        let s = run(Activation::Relu, &[Init::He, Init::Normal(0.01), Init::Xavier]);
        let first = s[0][1];
        assert!(
            s[0].iter().skip(1).all(|v| *v > first / 2.0 && *v < first * 2.0),
            "{:?}",
            s[0]
        );
        assert!(s[1][20] < 1e-15, "{:?}", s[1]);
        let xavier = s[2][20] / s[2][1];
        assert!(
            xavier > 2f64.powf(-19.0 / 2.0) / 2.0 && xavier < 2f64.powf(-19.0 / 2.0) * 2.0,
            "{xavier}"
        );
    }

    /// Xavier keeps linear layers at a steady scale; under tanh the variance q shrinks only
    /// slowly (q ← E[tanh²] ≈ q − 2q², about 1/(2l)), far from N(0, 0.01²)'s collapse.
    #[test]
    fn xavier_keeps_linear_std_and_tanh_shrinks_slowly() {
        let s = &run(Activation::Linear, &[Init::Xavier])[0];
        assert!(s.iter().all(|v| *v > 0.5 && *v < 2.0), "{s:?}");
        let s = run(Activation::Tanh, &[Init::Xavier, Init::Normal(0.01)]);
        assert!(s[0][20] > 0.1 && s[0][20] < 0.5, "{:?}", s[0]);
        assert!(s[1][20] < 1e-12, "{:?}", s[1]);
    }

    #[test]
    fn the_generator_is_standard_normal_and_seeded() {
        let z = Rng(1).normals(20_000);
        let mean = z.iter().sum::<f64>() / z.len() as f64;
        assert!(
            mean.abs() < 0.03 && (std(&z) - 1.0).abs() < 0.03,
            "{mean} {}",
            std(&z)
        );
        assert_eq!(Rng(7).normals(5), Rng(7).normals(5));
        assert_ne!(Rng(7).normals(5), Rng(8).normals(5));
    }

    #[test]
    fn renders_and_bad_specs_are_errors() {
        let render = crate::render;
        let f = render(
            "kind: init-variance\nlayers: 5\nwidth: 64\ninits: [he, normal(0.5)]\n",
            crate::Lang::En,
        )
        .unwrap();
        assert!(
            f.description.contains("5-layer MLP, 64 wide, ReLU"),
            "{}",
            f.description
        );
        assert!(f.svg.contains("He (σ² = 2/n)") && f.svg.contains("N(0, 0.5²)"));
        assert_eq!(
            f,
            render(
                "kind: init-variance\nlayers: 5\nwidth: 64\ninits: [he, normal(0.5)]\n",
                crate::Lang::En
            )
            .unwrap()
        );
        for (bad, line, field) in [
            ("inits:\n  - he\n  - normal(-1)\n", 3, "inits"),
            ("inits: [kaiming]\n", 1, "inits"),
            ("layers: 0\n", 1, "layers"),
            ("width: 1024\nlayers: 100\n", 1, "width"),
            ("activation: gelu\n", 1, "activation"),
        ] {
            let e = render(&format!("kind: init-variance\n{bad}"), crate::Lang::En).unwrap_err();
            assert_eq!((e.line, e.field.as_deref()), (line, Some(field)), "{bad}");
        }
    }
}
