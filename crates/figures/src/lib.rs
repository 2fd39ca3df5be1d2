//! figmark's figures: the YAML spec of a ` ```figure ` block in, an inline SVG and its caption
//! out.
//!
//! [`render`] reads `kind` and `caption` first, looks the kind up in one table, and hands the
//! rest of the body to that kind: it parses it into its own `#[serde(deny_unknown_fields)]`
//! struct, computes its data from first principles (`compute`, testable without any SVG) and
//! draws that data with plotters (`draw`) into an inline-safe SVG in the house style
//! (`style.rs`). Errors are [`FigureError`]s: the 0-based line in the YAML body, the offending
//! field, a message and a "did you mean …?" hint ([`nearest`]).
//!
//! # Why a crate of its own
//!
//! Figures are the one stage whose boundary is already real: a spec goes in, an SVG comes out,
//! and nothing here knows of pages, sites or diagnostics. As a crate that boundary is checked
//! by the compiler instead of by review: the figures cannot reach into the site, plotters stays
//! out of the main crate, the figures' tests run on their own (`cargo test -p
//! figmark-figures`), and an edit to the main crate no longer recompiles the figures. What is
//! public is exactly what the main crate uses: [`render`], [`Figure`], [`FigureError`], the
//! home page's [`LinkMap`], the [`Lang`] a figure speaks, and [`nearest`], the one typo rule
//! its link checker shares.
//!
//! # Field reference
//!
//! Every kind accepts `kind` (required) and `caption` (optional; shown as the `<figcaption>`;
//! when it is missing the generated description is used). Ranges are written `[lo, hi]` with
//! `lo < hi`.
//!
//! - **`function`**: curves of activations and free expressions in `x`.
//!   `series` (required): list of names — `relu`, `leaky_relu`, `sigmoid`, `tanh`, `elu`,
//!   `gelu`, `silu`, `swish`, `softplus`; a name with parameters such as `leaky_relu(0.1)` or
//!   `elu(0.5)`; or an expression in `x` with `+ - * / ^`, numbers, `e`, `pi` and the functions
//!   `exp ln log sqrt abs sin cos tanh sigmoid softplus erf max min` plus the activations.
//!   `labels`: legend labels, one per series (default: the series text). `x`: range (default
//!   `[-5, 5]`). `y`: fixed y range (default: fitted). `derivative`: `true` adds a second
//!   panel below with exact (symbolic) derivatives. `samples`: points per curve (default 401,
//!   at most 10,000).
//! - **`conv-cost`**: multiply-adds (FLOPs) or parameters of convolution variants.
//!   `k`, `c_in`, `c_out`, `h`, `w` (output size, stride 1), `groups` (default 1; used by
//!   `group`), `mid` (bottleneck width, default `c_in / 4`). `variants`: any of `standard`,
//!   `depthwise-separable`, `bottleneck`, `group` (default all but `group` unless `groups > 1`).
//!   `metric`: `flops` (default) or `params`. `sweep`: one of `k c_in c_out h w groups mid`,
//!   with `values` (at most 200). `style`: `bars` (default) or `lines`. `log`: log y axis.
//!   The ratio of each variant to `standard` is written on the chart.
//! - **`optimizer`**: optimizer paths over contour lines. `f`: expression in `x`, `y`
//!   (default `0.1*x^2 + 2*y^2`). `start` (default `[-5, -2]`), `lr`: step size η of `gd`,
//!   `momentum` and `nesterov` (default 0.3), `momentum`: μ (default 0.5), `steps` (default 20,
//!   at most 10,000), `methods`: any of `gd`, `momentum`, `nesterov`, `adagrad`, `rmsprop`,
//!   `adam`, `adamw` (default `[gd, momentum, nesterov]`), `x`, `y`: view ranges (default
//!   `[-5.5, 2]`, `[-3, 2]`). For the adaptive methods: `adaptive_lr`: step size α (default
//!   `lr`), `beta1` (0.9), `beta2` (0.999; also RMSProp's decay), `eps` (1e-8),
//!   `weight_decay`: λ (default 0), an L2 term λx in the gradient for every method but
//!   `adamw`, which decays x apart (x ← x − α(m̂/(√v̂ + ε) + λx)). Adam and AdamW are
//!   bias-corrected.
//! - **`receptive-field`**: `layers`: list of `{kernel, stride, dilation, name}` (stride and
//!   dilation default 1; at most 200 layers). Draws r_l = r_{l-1} + (k_eff − 1)·∏ s_i with
//!   k_eff = d(k − 1) + 1 per layer.
//! - **`grid`**: `op`: `max-pool`, `avg-pool`, `nearest`, `bilinear`, `transposed-conv`,
//!   `pixel-shuffle`, `space-to-depth`. `input`: a matrix (pooling, upsampling,
//!   space-to-depth); `channels`: a list of equal-size matrices (pixel-shuffle, a multiple of
//!   r² of them; space-to-depth). `size`: pooling window (default 2); `stride`: pooling stride
//!   (default `size`) or transposed-convolution stride (default 2); `scale`: upsampling or
//!   shuffle factor r (default 2); `kernel` (default 3) and `shape` (the input size `[h, w]`) for
//!   `transposed-conv`, which draws how many input positions write each output cell. At most
//!   4,096 cells in total.
//! - **`norm-axes`**: which activations batch, layer, instance and group normalisation
//!   average over: one panel per method, an N×C grid (each cell one H×W plane) with the cells
//!   that share the statistic of cell (0, 0) shaded. `methods`: any of `batch`, `layer`,
//!   `instance`, `group` (default all); `groups` (default 2; must divide `c`), `n` (default 4,
//!   at most 16), `c` (default 6, at most 32).
//! - **`init-variance`**: the std of the activations per layer (log y) of a deep MLP with
//!   standard-normal inputs and zero biases, simulated with a seeded generator. `layers`
//!   (default 20, at most 100), `width` (default 256, at most 1,024; width² × layers at most
//!   2²³), `activation`: `relu` (default), `tanh` or `linear`; `inits`: any of `xavier`
//!   (σ² = 2/(fan_in + fan_out)), `he` (σ² = 2/fan_in), `normal(σ)` (default
//!   `[xavier, he, normal(0.01)]`); `seed` (default 1).
//! - **`line`**: `series`: list of `{label, values}`; `x`: shared x values (default 1, 2, …);
//!   `xlabel`, `ylabel`; `log`: log y axis. At most 10,000 points per series.
//! - **`bar`**: `categories`: labels; `series`: list of `{label, values}`, one value per
//!   category; `ylabel`; `log`: log y axis; values are written above the bars.

mod bar;
mod conv_cost;
mod expr;
mod function;
mod grid;
mod init_variance;
mod line;
mod link_map;
mod names;
mod norm_axes;
mod optimizer;
mod receptive_field;
mod source;
mod style;
mod text;

use std::fmt;

use serde::Deserialize;
use serde::de::DeserializeOwned;

pub use link_map::{LinkMap, SectionMap};
pub use names::nearest;
use source::Source;
pub use text::Lang;
use text::Text;

/// One rendered figure.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    pub svg: String,
    pub caption: String,
    pub description: String,
}

/// A user error in a spec. `line` is 0-based within the spec body (the YAML text), `field`
/// the offending key if any, `hint` a "did you mean …?" for a misspelled name.
#[derive(Debug, Clone, PartialEq)]
pub struct FigureError {
    pub line: usize,
    pub field: Option<String>,
    pub message: String,
    pub hint: Option<String>,
}

impl fmt::Display for FigureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.field {
            Some(field) => write!(f, "line {}, `{}`: {}", self.line + 1, field, self.message)?,
            None => write!(f, "line {}: {}", self.line + 1, self.message)?,
        }
        match &self.hint {
            Some(hint) => write!(f, " ({hint})"),
            None => Ok(()),
        }
    }
}

impl std::error::Error for FigureError {}

/// One figure kind. Its spec is the body without `kind` and `caption`, which the dispatcher
/// reads; `compute` checks the spec and computes the data, `draw` turns the data into an SVG.
trait FigureKind {
    const NAME: &'static str;
    type Spec: DeserializeOwned;
    type Data;
    fn compute(spec: &Self::Spec, src: &Source) -> Result<Self::Data, FigureError>;
    /// Returns the SVG (already finished by [`style::draw`]) and the plain-text description,
    /// in the words of `t`.
    fn draw(data: &Self::Data, t: &Text) -> Result<Drawn, FigureError>;
}

/// What a kind draws: the finished SVG and its description.
struct Drawn {
    svg: String,
    description: String,
}

/// One row of the kind table.
struct KindInfo {
    name: &'static str,
    render: fn(&Source, &Text) -> Result<Drawn, FigureError>,
    /// The spec's fields as serde declares them, for the tests that keep errors and docs true.
    #[cfg(test)]
    fields: fn() -> &'static [&'static str],
}

const fn entry<K: FigureKind>() -> KindInfo {
    KindInfo {
        name: K::NAME,
        render: run::<K>,
        #[cfg(test)]
        fields: tests::fields::<K::Spec>,
    }
}

/// Every figure kind. Drives dispatch in [`render`] and the hint for a misspelled kind.
const KINDS: &[KindInfo] = &[
    entry::<function::Function>(),
    entry::<conv_cost::ConvCost>(),
    entry::<optimizer::Optimizer>(),
    entry::<receptive_field::ReceptiveField>(),
    entry::<grid::Grid>(),
    entry::<line::Line>(),
    entry::<bar::Bar>(),
    entry::<norm_axes::NormAxes>(),
    entry::<init_variance::InitVariance>(),
];

/// Renders one ` ```figure ` block body, its words in `lang`.
pub fn render(spec: &str, lang: Lang) -> Result<Figure, FigureError> {
    let src = Source { text: spec };
    /// What every spec may hold besides its kind's own fields.
    #[derive(Deserialize)]
    struct Head {
        kind: Option<String>,
        caption: Option<String>,
    }
    let head: Head = serde_saphyr::from_str(spec).map_err(|e| src.yaml_error(&e))?;
    let names: Vec<&str> = KINDS.iter().map(|k| k.name).collect();
    let Some(kind) = head.kind else {
        return Err(FigureError {
            line: 0,
            field: Some("kind".into()),
            message: format!("missing `kind`; one of: {}", names.join(", ")),
            hint: None,
        });
    };
    let Some(info) = KINDS.iter().find(|k| k.name == kind) else {
        let mut e = src.error(
            "kind",
            format!("unknown kind `{kind}`; one of: {}", names.join(", ")),
        );
        e.hint = names::hint(&kind, &names);
        return Err(e);
    };
    let drawn = (info.render)(&src, lang.text())?;
    let caption = match head.caption {
        Some(c) if !c.trim().is_empty() => c.trim().to_string(),
        _ => drawn.description.clone(),
    };
    Ok(Figure {
        svg: drawn.svg,
        caption,
        description: drawn.description,
    })
}

fn run<K: FigureKind>(src: &Source, t: &Text) -> Result<Drawn, FigureError> {
    let spec: K::Spec = src.parse()?;
    K::draw(&K::compute(&spec, src)?, t)
}

#[cfg(test)]
mod tests;
