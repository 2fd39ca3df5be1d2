//! Figures drawn at build time from ` ```figure ` blocks.
//!
//! A contributor writes a fenced block whose info string is `figure` and whose body is YAML.
//! [`render`] reads `kind` first, looks it up in [`KINDS`], and lets that kind parse the rest
//! of the body into its own `#[serde(deny_unknown_fields)]` struct, compute its data from
//! first principles and draw it with plotters into an inline-safe SVG (see [`style`] for the
//! house style). Errors are [`FigureError`]s carrying the 0-based line in the YAML body and
//! the offending field, with a "did you mean …?" hint for a misspelled kind or field.
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
//!   panel with exact (symbolic) derivatives. `samples`: points per curve (default 401,
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
//!   shuffle factor r (default 2); `kernel` (default 3) and `shape: [h, w]` (input size) for
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
mod norm_axes;
mod optimizer;
mod receptive_field;
mod style;

use std::fmt;

use serde::Deserialize;
use serde::de::DeserializeOwned;

pub use link_map::{LinkMap, SectionMap};

/// One rendered figure.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    pub svg: String,
    pub caption: String,
    pub description: String,
}

/// A user error in a spec. `line` is 0-based within the spec body (the YAML text), `field`
/// the offending key if any.
#[derive(Debug, Clone, PartialEq)]
pub struct FigureError {
    pub line: usize,
    pub field: Option<String>,
    pub message: String,
}

impl fmt::Display for FigureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.field {
            Some(field) => write!(f, "line {}, `{}`: {}", self.line + 1, field, self.message),
            None => write!(f, "line {}: {}", self.line + 1, self.message),
        }
    }
}

impl std::error::Error for FigureError {}

/// One figure kind: parse its spec, compute its data, draw it.
trait FigureKind {
    const NAME: &'static str;
    const SUMMARY: &'static str;
    /// Field names for the docs, in the order of the spec struct; equal to serde's list (tested).
    const FIELDS: &'static [&'static str];
    type Spec: DeserializeOwned;
    /// Checks the spec, computes the data and draws it. Returns the SVG (already finished
    /// by [`style::finish`]) and the plain-text description.
    fn draw(spec: &Self::Spec, src: &Source) -> Result<Drawn, FigureError>;
}

/// What a kind hands back: the finished SVG and its description.
struct Drawn {
    svg: String,
    description: String,
}

/// One row of the kind table.
pub struct KindInfo {
    pub name: &'static str,
    pub summary: &'static str,
    pub fields: &'static [&'static str],
    render: fn(&Source) -> Result<Drawn, FigureError>,
}

const fn entry<K: FigureKind>() -> KindInfo {
    KindInfo {
        name: K::NAME,
        summary: K::SUMMARY,
        fields: K::FIELDS,
        render: run::<K>,
    }
}

/// Every figure kind. Drives dispatch in [`render`], the field hints and the docs.
pub const KINDS: &[KindInfo] = &[
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

/// Renders one ` ```figure ` block body.
pub fn render(spec: &str) -> Result<Figure, FigureError> {
    let src = Source { text: spec };
    /// What every kind's spec holds (each spec also names them, as it refuses unknown fields).
    #[derive(Deserialize)]
    struct Head {
        kind: Option<String>,
        caption: Option<String>,
    }
    let head: Head = serde_saphyr::from_str(spec).map_err(|e| src.yaml_error(&e))?;
    let Some(kind) = head.kind else {
        return Err(FigureError {
            line: 0,
            field: Some("kind".into()),
            message: format!("missing `kind`; one of: {}", kind_names()),
        });
    };
    match KINDS.iter().find(|k| k.name == kind) {
        Some(info) => {
            let drawn = (info.render)(&src)?;
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
        None => {
            let names: Vec<&str> = KINDS.iter().map(|k| k.name).collect();
            Err(src.error(
                "kind",
                format!(
                    "unknown kind `{kind}`{}; one of: {}",
                    did_you_mean(&kind, &names),
                    kind_names()
                ),
            ))
        }
    }
}

fn kind_names() -> String {
    KINDS.iter().map(|k| k.name).collect::<Vec<_>>().join(", ")
}

fn run<K: FigureKind>(src: &Source) -> Result<Drawn, FigureError> {
    let spec: K::Spec = serde_saphyr::from_str(src.text).map_err(|e| src.yaml_error(&e))?;
    K::draw(&spec, src)
}

/// The YAML body, kept to map fields back to lines.
struct Source<'a> {
    text: &'a str,
}

impl Source<'_> {
    /// The 0-based line where `field` is written as a key: top level first, then nested.
    fn line_of(&self, field: &str) -> usize {
        let is_key = |l: &str| {
            let l = l.trim_start().trim_start_matches("- ");
            l.strip_prefix(field)
                .is_some_and(|rest| rest.trim_start().starts_with(':'))
        };
        let lines: Vec<&str> = self.text.lines().collect();
        lines
            .iter()
            .position(|l| !l.starts_with([' ', '\t', '-']) && is_key(l))
            .or_else(|| lines.iter().position(|l| is_key(l)))
            .unwrap_or(0)
    }

    /// The line of a list item `item` under `field` (inline or block list).
    fn line_of_item(&self, field: &str, item: &str) -> usize {
        let start = self.line_of(field);
        self.text
            .lines()
            .enumerate()
            .skip(start)
            .find(|(_, l)| l.contains(item.trim()))
            .map_or(start, |(i, _)| i)
    }

    fn error(&self, field: &str, message: impl Into<String>) -> FigureError {
        FigureError {
            line: self.line_of(field),
            field: Some(field.to_string()),
            message: message.into(),
        }
    }

    /// The key written on a 0-based line, if that line is `key: …` or `- key: …`.
    fn key_on_line(&self, line: usize) -> Option<String> {
        let l = self.text.lines().nth(line)?.trim_start().trim_start_matches("- ");
        let (key, _) = l.split_once(':')?;
        let ok = !key.is_empty() && key.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '-');
        ok.then(|| key.to_string())
    }

    fn yaml_error(&self, e: &serde_saphyr::Error) -> FigureError {
        use serde_saphyr::Error as E;
        let line = e
            .location()
            .map_or(0, |l| usize::try_from(l.line()).unwrap_or(1).saturating_sub(1));
        let (field, message) = match e.without_snippet() {
            E::SerdeUnknownField { field, expected, .. } => (
                Some(field.clone()),
                format!(
                    "unknown field `{field}`{}; fields: {}",
                    did_you_mean(field, expected),
                    expected.join(", ")
                ),
            ),
            E::SerdeMissingField { field, .. } => {
                (Some((*field).to_string()), format!("missing field `{field}`"))
            }
            E::SerdeUnknownVariant {
                variant, expected, ..
            } => (
                self.key_on_line(line),
                format!(
                    "unknown value `{variant}`{}; one of: {}",
                    did_you_mean(variant, expected),
                    expected.join(", ")
                ),
            ),
            other => (self.key_on_line(line), plain_message(other)),
        };
        FigureError { line, field, message }
    }
}

/// serde-saphyr's message without its "at line …" suffix, since the line is reported apart.
fn plain_message(e: &serde_saphyr::Error) -> String {
    let text = e.to_string();
    let first = text.lines().next().unwrap_or("invalid YAML");
    match first.find(" at line ") {
        Some(i) => first[..i].to_string(),
        None => first.to_string(),
    }
}

/// " (did you mean `x`?)" when one candidate is within a small edit distance.
fn did_you_mean(word: &str, candidates: &[&str]) -> String {
    candidates
        .iter()
        .map(|c| (edit_distance(word, c), *c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 3) || (word.len() >= 3 && c.starts_with(word)))
        .min()
        .map(|(_, c)| format!(" (did you mean `{c}`?)"))
        .unwrap_or_default()
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Checks a `[lo, hi]` range field.
fn check_range(src: &Source, field: &str, r: [f64; 2]) -> Result<(f64, f64), FigureError> {
    let [lo, hi] = r;
    if !lo.is_finite() || !hi.is_finite() {
        return Err(src.error(field, "range bounds must be finite numbers"));
    }
    if lo >= hi {
        return Err(src.error(
            field,
            format!("empty or inverted range [{lo}, {hi}]: write [low, high] with low < high"),
        ));
    }
    Ok((lo, hi))
}

#[cfg(test)]
mod tests;
