//! `grid`: small matrices as labelled cells, with pooling, upsampling, the transposed
//! convolution overlap count, PixelShuffle and space-to-depth computed.

use plotters::prelude::*;
use serde::Deserialize;

use crate::source::Source;
use crate::style;
use crate::text::{self, Text};
use crate::{Drawn, FigureError, FigureKind};

pub(super) struct Grid;

const MAX_CELLS: usize = 4096;

pub(super) type Mat = Vec<Vec<f64>>;

#[derive(Deserialize, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "kebab-case")]
enum Op {
    MaxPool,
    AvgPool,
    Nearest,
    Bilinear,
    TransposedConv,
    PixelShuffle,
    SpaceToDepth,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Spec {
    op: Op,
    input: Option<Mat>,
    channels: Option<Vec<Mat>>,
    size: Option<usize>,
    stride: Option<usize>,
    scale: Option<usize>,
    kernel: Option<usize>,
    shape: Option<[usize; 2]>,
}

/// How cells are filled: by value, or by a group index (pooling window, source channel).
enum Fill {
    Value,
    Group(Vec<Vec<Vec<usize>>>),
}

fn dims(m: &Mat) -> (usize, usize) {
    (m.len(), m.first().map_or(0, Vec::len))
}

/// Max or average pooling with a `size`×`size` window; `size <= h, w`, `stride >= 1`.
pub(super) fn pool(m: &Mat, size: usize, stride: usize, max: bool) -> Mat {
    let (h, w) = dims(m);
    let (oh, ow) = ((h - size) / stride + 1, (w - size) / stride + 1);
    (0..oh)
        .map(|i| {
            (0..ow)
                .map(|j| {
                    let window = (0..size).flat_map(|a| (0..size).map(move |b| (a, b)));
                    let vals = window.map(|(a, b)| m[i * stride + a][j * stride + b]);
                    if max {
                        vals.fold(f64::NEG_INFINITY, f64::max)
                    } else {
                        vals.sum::<f64>() / (size * size) as f64
                    }
                })
                .collect()
        })
        .collect()
}

pub(super) fn nearest(m: &Mat, r: usize) -> Mat {
    let (h, w) = dims(m);
    (0..h * r)
        .map(|i| (0..w * r).map(|j| m[i / r][j / r]).collect())
        .collect()
}

/// Bilinear upsampling with half-pixel centres (PyTorch's `align_corners=False`).
pub(super) fn bilinear(m: &Mat, r: usize) -> Mat {
    let (h, w) = dims(m);
    let src = |o: usize, n: usize| {
        let s = ((o as f64 + 0.5) / r as f64 - 0.5).clamp(0.0, (n - 1) as f64);
        let i0 = s.floor() as usize;
        (i0, (i0 + 1).min(n - 1), s - i0 as f64)
    };
    (0..h * r)
        .map(|i| {
            let (y0, y1, fy) = src(i, h);
            (0..w * r)
                .map(|j| {
                    let (x0, x1, fx) = src(j, w);
                    let top = m[y0][x0] * (1.0 - fx) + m[y0][x1] * fx;
                    let bottom = m[y1][x0] * (1.0 - fx) + m[y1][x1] * fx;
                    top * (1.0 - fy) + bottom * fy
                })
                .collect()
        })
        .collect()
}

/// How many input positions write each output cell of a transposed convolution.
pub(super) fn overlap(h: usize, w: usize, k: usize, s: usize) -> Mat {
    let count = |o: usize, n: usize| (0..n).filter(|i| o >= i * s && o - i * s < k).count();
    let (oh, ow) = ((h - 1) * s + k, (w - 1) * s + k);
    (0..oh)
        .map(|i| (0..ow).map(|j| (count(i, h) * count(j, w)) as f64).collect())
        .collect()
}

/// PixelShuffle: C·r² channels of H×W to C channels of rH×rW, with
/// `out[c][h·r + i][w·r + j] = in[c·r² + i·r + j][h][w]` as in PyTorch.
pub(super) fn pixel_shuffle(chs: &[Mat], r: usize) -> Vec<Mat> {
    let (h, w) = dims(&chs[0]);
    (0..chs.len() / (r * r))
        .map(|c| {
            (0..h * r)
                .map(|y| {
                    (0..w * r)
                        .map(|x| chs[c * r * r + (y % r) * r + x % r][y / r][x / r])
                        .collect()
                })
                .collect()
        })
        .collect()
}

/// Space-to-depth (PyTorch's `pixel_unshuffle`), the inverse permutation of
/// [`pixel_shuffle`]. YOLOv5's Focus layer takes the same four slices in another channel
/// order.
pub(super) fn space_to_depth(chs: &[Mat], r: usize) -> Vec<Mat> {
    let (h, w) = dims(&chs[0]);
    (0..chs.len() * r * r)
        .map(|k| {
            let (c, i, j) = (k / (r * r), (k / r) % r, k % r);
            (0..h / r)
                .map(|y| (0..w / r).map(|x| chs[c][y * r + i][x * r + j]).collect())
                .collect()
        })
        .collect()
}

/// The matrices drawn on the left and on the right, how their cells are tinted, and the
/// operation's name.
pub(super) struct Data {
    inputs: Vec<Mat>,
    outputs: Vec<Mat>,
    fill: Fill,
    what: What,
}

/// The operation and its parameters, named in the figure's language when described.
enum What {
    Pool { max: bool, size: usize, stride: usize },
    Upsample { nearest: bool, r: usize },
    TransposedConv { k: usize, s: usize },
    PixelShuffle(usize),
    SpaceToDepth(usize),
}

impl What {
    fn name(&self, t: &Text) -> String {
        match *self {
            What::Pool { max, size, stride } => text::fill(
                if max { &t.grid_max_pool } else { &t.grid_avg_pool },
                &[("size", &size), ("stride", &stride)],
            ),
            What::Upsample { nearest, r } => text::fill(
                if nearest {
                    &t.grid_nearest
                } else {
                    &t.grid_bilinear
                },
                &[("r", &r)],
            ),
            What::TransposedConv { k, s } => text::fill(&t.grid_transposed, &[("k", &k), ("s", &s)]),
            What::PixelShuffle(r) => format!("PixelShuffle ×{r}"),
            What::SpaceToDepth(r) => format!("Space-to-depth (Focus) ×{r}"),
        }
    }
}

impl FigureKind for Grid {
    const NAME: &'static str = "grid";
    type Spec = Spec;
    type Data = Data;

    fn compute(spec: &Spec, src: &Source) -> Result<Data, FigureError> {
        let c = Checks { spec, src };
        c.at_most(
            spec.input.as_ref().map_or(0, |m| cells(std::slice::from_ref(m))),
            "input",
        )?;
        c.at_most(spec.channels.as_ref().map_or(0, |ch| cells(ch)), "channels")?;
        let data = match spec.op {
            Op::MaxPool | Op::AvgPool => pooling(&c)?,
            Op::Nearest | Op::Bilinear => upsampling(&c)?,
            Op::TransposedConv => transposed_conv(&c)?,
            Op::PixelShuffle => shuffle(&c)?,
            Op::SpaceToDepth => to_depth(&c)?,
        };
        c.at_most(cells(&data.inputs) + cells(&data.outputs), "op")?;
        Ok(data)
    }

    fn draw(data: &Data, t: &Text) -> Result<Drawn, FigureError> {
        let description = describe(data, t);
        let svg = draw_grids(&data.inputs, &data.outputs, &data.fill, &description, t)?;
        Ok(Drawn { svg, description })
    }
}

fn describe(data: &Data, t: &Text) -> String {
    let (inputs, outputs) = (&data.inputs, &data.outputs);
    let shown: Vec<String> = outputs
        .iter()
        .map(|m| {
            format!(
                "[{}]",
                m.iter()
                    .map(|r| r.iter().map(|v| style::num(*v)).collect::<Vec<_>>().join(", "))
                    .collect::<Vec<_>>()
                    .join("; ")
            )
        })
        .collect();
    let total: usize = outputs.iter().map(|m| m.len() * m[0].len()).sum();
    let count = |n: usize, many: &str, one: &str| text::fill(if n == 1 { one } else { many }, &[("n", &n)]);
    let ((ih, iw), (oh, ow)) = (dims(&inputs[0]), dims(&outputs[0]));
    let values = if total <= 64 {
        text::fill(&t.grid_values, &[("values", &shown.join(", "))])
    } else {
        String::new()
    };
    text::fill(
        &t.grid_description,
        &[
            ("what", &data.what.name(t)),
            ("inputs", &count(inputs.len(), &t.grid_inputs, &t.grid_inputs_one)),
            (
                "outputs",
                &count(outputs.len(), &t.grid_outputs, &t.grid_outputs_one),
            ),
            ("ih", &ih),
            ("iw", &iw),
            ("oh", &oh),
            ("ow", &ow),
            ("values", &values),
        ],
    )
}

fn cells(ms: &[Mat]) -> usize {
    ms.iter()
        .map(|m| m.len() * m.first().map_or(0, Vec::len))
        .sum::<usize>()
}

/// The spec and its source, for the checks every op shares.
struct Checks<'a> {
    spec: &'a Spec,
    src: &'a Source<'a>,
}

impl Checks<'_> {
    /// `v` (or `default`), between 1 and 64.
    fn positive(&self, field: &str, v: Option<usize>, default: usize) -> Result<usize, FigureError> {
        match v.unwrap_or(default) {
            0 => Err(self.src.error(field, "must be at least 1")),
            v if v > 64 => Err(self.src.error(field, "must be at most 64")),
            v => Ok(v),
        }
    }

    fn check(&self, field: &str, m: &Mat) -> Result<(), FigureError> {
        let (h, w) = dims(m);
        if h == 0 || w == 0 || m.iter().any(|r| r.len() != w) {
            return Err(self
                .src
                .error(field, "a matrix must be a non-empty list of rows of equal length"));
        }
        if m.iter().flatten().any(|v| !v.is_finite()) {
            return Err(self.src.error(field, "values must be finite"));
        }
        Ok(())
    }

    /// The checked `input` matrix.
    fn matrix(&self) -> Result<&Mat, FigureError> {
        let m = self
            .spec
            .input
            .as_ref()
            .ok_or_else(|| self.src.error("op", "this op needs `input`: a matrix"))?;
        self.check("input", m)?;
        Ok(m)
    }

    /// An error on `field` when `n` cells are too many.
    fn at_most(&self, n: usize, field: &str) -> Result<(), FigureError> {
        if n > MAX_CELLS {
            return Err(self
                .src
                .error(field, format!("{n} cells; at most {MAX_CELLS} in total")));
        }
        Ok(())
    }
}

fn pooling(c: &Checks) -> Result<Data, FigureError> {
    let (spec, max) = (c.spec, c.spec.op == Op::MaxPool);
    let m = c.matrix()?;
    let size = c.positive("size", spec.size, 2)?;
    let stride = c.positive("stride", spec.stride, size)?;
    let (h, w) = dims(m);
    if size > h || size > w {
        return Err(c
            .src
            .error("size", format!("window {size} is larger than the {h}×{w} input")));
    }
    let out = pool(m, size, stride, max);
    // Non-overlapping windows get one tint each, shared by input and output cells.
    let fill = if stride >= size {
        Fill::Group(pool_windows((h, w), dims(&out), size, stride))
    } else {
        Fill::Value
    };
    Ok(Data {
        inputs: vec![m.clone()],
        outputs: vec![out],
        fill,
        what: What::Pool { max, size, stride },
    })
}

/// The window of each input cell (`usize::MAX` outside every window) and of each output cell.
fn pool_windows(
    (h, w): (usize, usize),
    (oh, ow): (usize, usize),
    size: usize,
    stride: usize,
) -> Vec<Vec<Vec<usize>>> {
    let group = |i: usize, j: usize| (i / stride + j / stride) % 2 + 2 * ((i / stride) % 2);
    let inside =
        |i: usize, j: usize| i % stride < size && j % stride < size && i / stride < oh && j / stride < ow;
    let g_in = (0..h)
        .map(|i| {
            (0..w)
                .map(|j| if inside(i, j) { group(i, j) } else { usize::MAX })
                .collect()
        })
        .collect();
    let g_out = (0..oh)
        .map(|i| (0..ow).map(|j| group(i * stride, j * stride)).collect())
        .collect();
    vec![g_in, g_out]
}

fn upsampling(c: &Checks) -> Result<Data, FigureError> {
    let near = c.spec.op == Op::Nearest;
    let m = c.matrix()?;
    let r = c.positive("scale", c.spec.scale, 2)?;
    let (h, w) = dims(m);
    c.at_most(h * w * r * r, "scale")?;
    let out = if near { nearest(m, r) } else { bilinear(m, r) };
    Ok(Data {
        inputs: vec![m.clone()],
        outputs: vec![out],
        fill: Fill::Value,
        what: What::Upsample { nearest: near, r },
    })
}

fn transposed_conv(c: &Checks) -> Result<Data, FigureError> {
    let [h, w] = c
        .spec
        .shape
        .ok_or_else(|| c.src.error("op", "`transposed-conv` needs `shape: [h, w]`"))?;
    if h == 0 || w == 0 || h > 64 || w > 64 {
        return Err(c.src.error("shape", "h and w must be between 1 and 64"));
    }
    let k = c.positive("kernel", c.spec.kernel, 3)?;
    let s = c.positive("stride", c.spec.stride, 2)?;
    c.at_most(((h - 1) * s + k) * ((w - 1) * s + k), "shape")?;
    Ok(Data {
        inputs: vec![vec![vec![1.0; w]; h]],
        outputs: vec![overlap(h, w, k, s)],
        fill: Fill::Value,
        what: What::TransposedConv { k, s },
    })
}

/// The checked `channels` of PixelShuffle and space-to-depth, or `input` as one channel.
fn channels(c: &Checks) -> Result<Vec<Mat>, FigureError> {
    match (&c.spec.channels, &c.spec.input) {
        (Some(chs), _) if !chs.is_empty() => {
            for m in chs {
                c.check("channels", m)?;
            }
            if chs.iter().any(|m| dims(m) != dims(&chs[0])) {
                return Err(c.src.error("channels", "all channels must have the same size"));
            }
            Ok(chs.clone())
        }
        (None, Some(_)) => Ok(vec![c.matrix()?.clone()]),
        _ => Err(c
            .src
            .error("op", "this op needs `channels` (a list of matrices) or `input`")),
    }
}

/// The position (y mod r)·r + x mod r of every cell of `n` matrices of `h`×`w`.
fn sub_pixels(n: usize, h: usize, w: usize, r: usize) -> Vec<Vec<Vec<usize>>> {
    (0..n)
        .map(|_| {
            (0..h)
                .map(|y| (0..w).map(|x| (y % r) * r + x % r).collect())
                .collect()
        })
        .collect()
}

fn shuffle(c: &Checks) -> Result<Data, FigureError> {
    let r = c.positive("scale", c.spec.scale, 2)?;
    let chs = channels(c)?;
    let (h, w) = dims(&chs[0]);
    if chs.len() % (r * r) != 0 {
        return Err(c.src.error(
            "channels",
            format!(
                "{} channels: PixelShuffle ×{r} needs a multiple of {}",
                chs.len(),
                r * r
            ),
        ));
    }
    let group = (0..chs.len()).map(|k| vec![vec![k % (r * r); w]; h]);
    let out = pixel_shuffle(&chs, r);
    let g_out = sub_pixels(out.len(), h * r, w * r, r);
    Ok(Data {
        inputs: chs,
        outputs: out,
        fill: Fill::Group(group.chain(g_out).collect()),
        what: What::PixelShuffle(r),
    })
}

fn to_depth(c: &Checks) -> Result<Data, FigureError> {
    let r = c.positive("scale", c.spec.scale, 2)?;
    let chs = channels(c)?;
    let (h, w) = dims(&chs[0]);
    if h % r != 0 || w % r != 0 {
        let field = if c.spec.channels.is_some() {
            "channels"
        } else {
            "input"
        };
        return Err(c.src.error(field, format!("{h}×{w} is not divisible by {r}")));
    }
    let g_in = sub_pixels(chs.len(), h, w, r);
    let out = space_to_depth(&chs, r);
    let g_out = (0..out.len()).map(|k| vec![vec![k % (r * r); w / r]; h / r]);
    Ok(Data {
        inputs: chs,
        outputs: out,
        fill: Fill::Group(g_in.into_iter().chain(g_out).collect()),
        what: What::SpaceToDepth(r),
    })
}

/// Lays out matrices in a near-square block; returns (cols, rows) of matrices.
fn block(n: usize) -> (usize, usize) {
    let cols = (1..=n).find(|c| c * c >= n).unwrap_or(1);
    (cols, n.div_ceil(cols))
}

/// Where the cells go: display pixels per cell, the left and top edges, the value range.
struct Layout {
    cell: f64,
    left: f64,
    top: f64,
    lo: f64,
    hi: f64,
}

fn draw_grids(
    inputs: &[Mat],
    outputs: &[Mat],
    fill: &Fill,
    description: &str,
    t: &Text,
) -> Result<String, FigureError> {
    let (ih, iw) = dims(&inputs[0]);
    let (oh, ow) = dims(&outputs[0]);
    let (ic, ir) = block(inputs.len());
    let (oc, or) = block(outputs.len());
    // Sizes in cells, with one cell of gap between matrices of a block.
    let in_w = ic * iw + ic.saturating_sub(1);
    let in_h = ir * ih + ir.saturating_sub(1);
    let out_w = oc * ow + oc.saturating_sub(1);
    let out_h = or * oh + or.saturating_sub(1);
    let cols = (in_w + out_w + 3) as f64;
    let rows = in_h.max(out_h) as f64;
    let cell = (600.0 / cols).min(300.0 / rows).clamp(3.0, 40.0);
    let width = 640u32;
    let height = (rows * cell + 70.0).ceil() as u32;
    let all = inputs.iter().chain(outputs).flatten().flatten();
    let (lo, hi) = all.fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| {
        (l.min(*v), h.max(*v))
    });
    let l = Layout {
        cell,
        left: (f64::from(width) - cols * cell) / 2.0,
        top: 44.0,
        lo,
        hi,
    };
    style::draw(width, height, description, |root, ov| {
        let s = style::SCALE;
        draw_set(root, ov, &l, fill, (inputs, 0), l.left, ic)?;
        let out_x = l.left + (in_w + 3) as f64 * cell;
        draw_set(root, ov, &l, fill, (outputs, inputs.len()), out_x, oc)?;
        let label = |n: usize, h: usize, w: usize, name: &str| {
            if n == 1 {
                format!("{name} {h}×{w}")
            } else {
                format!("{name} {n}×{h}×{w}")
            }
        };
        let label_y = (l.top - 12.0) * s;
        ov.text(
            l.left * s,
            label_y,
            13.0,
            "start",
            &label(inputs.len(), ih, iw, &t.grid_input),
        );
        ov.text(
            out_x * s,
            label_y,
            13.0,
            "start",
            &label(outputs.len(), oh, ow, &t.grid_output),
        );
        let mid_x = l.left + (in_w as f64 + 1.5) * cell;
        ov.text(
            mid_x * s,
            (l.top + rows * cell / 2.0 + 8.0) * s,
            22.0,
            "middle",
            "→",
        );
        Ok(())
    })
}

/// Draws the matrices of `set` (the first is matrix `first` of the fill) in a block of
/// `cols` matrices per row from `x0`, each cell tinted and, when large enough, labelled.
fn draw_set(
    root: &style::Area,
    ov: &mut style::Overlay,
    l: &Layout,
    fill: &Fill,
    (set, first): (&[Mat], usize),
    x0: f64,
    cols: usize,
) -> style::DrawResult {
    let (s, cell) = (style::SCALE, l.cell);
    let (mh, mw) = dims(&set[0]);
    for (k, m) in set.iter().enumerate() {
        let bx = x0 + ((k % cols) * (mw + 1)) as f64 * cell;
        let by = l.top + ((k / cols) * (mh + 1)) as f64 * cell;
        for (i, row) in m.iter().enumerate() {
            for (j, v) in row.iter().enumerate() {
                let (x, y) = (bx + j as f64 * cell, by + i as f64 * cell);
                let tint = match fill {
                    Fill::Value => {
                        let t = if l.hi > l.lo {
                            (v - l.lo) / (l.hi - l.lo)
                        } else {
                            0.5
                        };
                        style::color(0).mix(0.08 + 0.5 * t)
                    }
                    Fill::Group(g) => match g[first + k][i][j] {
                        usize::MAX => style::CELL.mix(1.0),
                        n => style::color(n).mix(0.3),
                    },
                };
                let r = [
                    (style::px(x), style::px(y)),
                    (style::px(x + cell), style::px(y + cell)),
                ];
                root.draw(&Rectangle::new(r, tint.filled()))?;
                root.draw(&Rectangle::new(r, style::stroke(style::AXIS, 0.6)))?;
                if cell >= 16.0 {
                    let size = (cell * 0.36).min(13.0);
                    ov.text(
                        (x + cell / 2.0) * s,
                        (y + cell / 2.0 + size * 0.36) * s,
                        size,
                        "middle",
                        &style::num(*v),
                    );
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(rows: &[&[f64]]) -> Mat {
        rows.iter().map(|r| r.to_vec()).collect()
    }

    #[test]
    fn strides_use_the_glossary_term() {
        for spec in [
            "kind: grid\nop: max-pool\ninput: [[1, 2], [3, 4]]\n",
            "kind: grid\nop: transposed-conv\nshape: [2, 2]\n",
        ] {
            let f = crate::render(spec, crate::Lang::ZhCn).unwrap();
            assert!(f.svg.contains("步长") && !f.svg.contains("步幅"), "{}", f.svg);
        }
    }

    #[test]
    fn max_and_average_pooling() {
        let x = m(&[
            &[1., 2., 5., 6.],
            &[3., 4., 7., 8.],
            &[9., 10., 13., 14.],
            &[11., 12., 15., 16.],
        ]);
        assert_eq!(pool(&x, 2, 2, true), m(&[&[4., 8.], &[12., 16.]]));
        assert_eq!(pool(&x, 2, 2, false), m(&[&[2.5, 6.5], &[10.5, 14.5]]));
        assert_eq!(pool(&x, 3, 1, true), m(&[&[13., 14.], &[15., 16.]]));
    }

    #[test]
    fn transposed_conv_overlap_is_a_checkerboard() {
        let row = &overlap(1, 5, 3, 2)[0];
        assert_eq!(row, &[1., 1., 2., 1., 2., 1., 2., 1., 2., 1., 1.]);
        let grid = overlap(3, 3, 3, 2);
        assert_eq!(grid[2][2], 4.0);
        assert_eq!(grid[2][3], 2.0);
        // Stride 1 or kernel divisible by stride: even overlap inside.
        assert!(overlap(1, 5, 4, 2)[0][2..8].iter().all(|v| *v == 2.0));
    }

    #[test]
    fn pixel_shuffle_and_space_to_depth_are_inverse() {
        let chs: Vec<Mat> = (0..8)
            .map(|c| {
                (0..3)
                    .map(|i| (0..2).map(|j| f64::from(c * 100 + i * 10 + j)).collect())
                    .collect()
            })
            .collect();
        let shuffled = pixel_shuffle(&chs, 2);
        assert_eq!((shuffled.len(), dims(&shuffled[0])), (2, (6, 4)));
        assert_eq!(shuffled[0][1][1], chs[3][0][0]);
        assert_eq!(space_to_depth(&shuffled, 2), chs);
        let image = vec![(0..4).map(f64::from).collect::<Vec<_>>(); 4];
        assert_eq!(
            pixel_shuffle(&space_to_depth(std::slice::from_ref(&image), 2), 2),
            vec![image]
        );
    }

    #[test]
    fn upsampling() {
        let x = m(&[&[0., 4.]]);
        assert_eq!(nearest(&x, 2), m(&[&[0., 0., 4., 4.], &[0., 0., 4., 4.]]));
        assert_eq!(bilinear(&x, 2)[0], vec![0., 1., 3., 4.]);
    }

    #[test]
    fn bad_grids_are_errors() {
        let render = crate::render;
        let e = render(
            "kind: grid\nop: max-pool\ninput: [[1, 2], [3]]\n",
            crate::Lang::En,
        )
        .unwrap_err();
        assert_eq!((e.line, e.field.as_deref()), (2, Some("input")));
        let e = render(
            "kind: grid\nop: max-pool\ninput: [[1, 2], [3, 4]]\nsize: 3\n",
            crate::Lang::En,
        )
        .unwrap_err();
        assert_eq!((e.line, e.field.as_deref()), (3, Some("size")));
        let e = render(
            "kind: grid\nop: nearest\nscale: 64\ninput: [[1, 2, 3, 4]]\n",
            crate::Lang::En,
        )
        .unwrap_err();
        assert_eq!((e.line, e.field.as_deref()), (2, Some("scale")));
        let e = render("kind: grid\nop: maxpool\n", crate::Lang::En).unwrap_err();
        assert_eq!((e.line, e.field.as_deref()), (1, Some("op")));
        assert_eq!(e.hint.as_deref(), Some("did you mean `max-pool`?"), "{e}");
    }
}
