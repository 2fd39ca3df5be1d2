//! `grid`: small matrices as labelled cells, with pooling, upsampling, the transposed
//! convolution overlap count, PixelShuffle and space-to-depth computed.

use plotters::prelude::*;
use serde::Deserialize;

use crate::style;
use crate::{Drawn, FigureError, FigureKind, Source};

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
    #[serde(rename = "kind")]
    _kind: String,
    #[serde(rename = "caption")]
    _caption: Option<String>,
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

impl FigureKind for Grid {
    const NAME: &'static str = "grid";
    const SUMMARY: &'static str =
        "matrices as cells: pooling, upsampling, transposed-conv overlap, PixelShuffle, space-to-depth";
    const FIELDS: &'static [&'static str] = &[
        "kind", "caption", "op", "input", "channels", "size", "stride", "scale", "kernel", "shape",
    ];
    type Spec = Spec;

    fn draw(spec: &Spec, src: &Source) -> Result<Drawn, FigureError> {
        let (inputs, outputs, fill, what) = compute(spec, src)?;
        let (oh, ow) = dims(&outputs[0]);
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
        let description = format!(
            "{what}: {} input{} of {}×{} give {} output{} of {oh}×{ow}{}",
            inputs.len(),
            if inputs.len() == 1 { "" } else { "s" },
            dims(&inputs[0]).0,
            dims(&inputs[0]).1,
            outputs.len(),
            if outputs.len() == 1 { "" } else { "s" },
            if total <= 64 {
                format!(": {}", shown.join(", "))
            } else {
                String::new()
            },
        );
        let svg = draw_grids(&inputs, &outputs, &fill, &description)?;
        Ok(Drawn { svg, description })
    }
}

type Computed = (Vec<Mat>, Vec<Mat>, Fill, String);

fn compute(spec: &Spec, src: &Source) -> Result<Computed, FigureError> {
    let positive = |field: &str, v: Option<usize>, default: usize| match v.unwrap_or(default) {
        0 => Err(src.error(field, "must be at least 1")),
        v if v > 64 => Err(src.error(field, "must be at most 64")),
        v => Ok(v),
    };
    let check = |field: &str, m: &Mat| -> Result<(), FigureError> {
        let (h, w) = dims(m);
        if h == 0 || w == 0 || m.iter().any(|r| r.len() != w) {
            return Err(src.error(field, "a matrix must be a non-empty list of rows of equal length"));
        }
        if m.iter().flatten().any(|v| !v.is_finite()) {
            return Err(src.error(field, "values must be finite"));
        }
        Ok(())
    };
    let matrix = || -> Result<&Mat, FigureError> {
        let m = spec
            .input
            .as_ref()
            .ok_or_else(|| src.error("op", "this op needs `input`: a matrix"))?;
        check("input", m)?;
        Ok(m)
    };
    let cells = |ms: &[Mat]| {
        ms.iter()
            .map(|m| m.len() * m.first().map_or(0, Vec::len))
            .sum::<usize>()
    };
    let too_big = |n: usize, field: &str| {
        (n > MAX_CELLS).then(|| src.error(field, format!("{n} cells; at most {MAX_CELLS} in total")))
    };
    if let Some(e) = too_big(
        spec.input.as_ref().map_or(0, |m| cells(std::slice::from_ref(m))),
        "input",
    ) {
        return Err(e);
    }
    if let Some(e) = too_big(spec.channels.as_ref().map_or(0, |c| cells(c)), "channels") {
        return Err(e);
    }
    let op = spec.op;
    let (inputs, outputs, fill, what) = match op {
        Op::MaxPool | Op::AvgPool => {
            let m = matrix()?;
            let size = positive("size", spec.size, 2)?;
            let stride = positive("stride", spec.stride, size)?;
            let (h, w) = dims(m);
            if size > h || size > w {
                return Err(src.error("size", format!("window {size} is larger than the {h}×{w} input")));
            }
            let out = pool(m, size, stride, op == Op::MaxPool);
            // Non-overlapping windows get one tint each, shared by input and output cells.
            let fill = if stride >= size {
                let group = |i: usize, j: usize| (i / stride + j / stride) % 2 + 2 * ((i / stride) % 2);
                let inside = |i: usize, j: usize| {
                    i % stride < size
                        && j % stride < size
                        && i / stride < out.len()
                        && j / stride < out[0].len()
                };
                let g_in = (0..h)
                    .map(|i| {
                        (0..w)
                            .map(|j| if inside(i, j) { group(i, j) } else { usize::MAX })
                            .collect()
                    })
                    .collect();
                let g_out = (0..out.len())
                    .map(|i| (0..out[0].len()).map(|j| group(i * stride, j * stride)).collect())
                    .collect();
                Fill::Group(vec![g_in, g_out])
            } else {
                Fill::Value
            };
            let name = if op == Op::MaxPool {
                "最大池化"
            } else {
                "平均池化"
            };
            (
                vec![m.clone()],
                vec![out],
                fill,
                format!("{name} {size}×{size}, 步幅 {stride}"),
            )
        }
        Op::Nearest | Op::Bilinear => {
            let m = matrix()?;
            let r = positive("scale", spec.scale, 2)?;
            let (h, w) = dims(m);
            if let Some(e) = too_big(h * w * r * r, "scale") {
                return Err(e);
            }
            let out = if op == Op::Nearest {
                nearest(m, r)
            } else {
                bilinear(m, r)
            };
            let name = if op == Op::Nearest {
                "最近邻上采样"
            } else {
                "双线性上采样"
            };
            (vec![m.clone()], vec![out], Fill::Value, format!("{name} ×{r}"))
        }
        Op::TransposedConv => {
            let [h, w] = spec
                .shape
                .ok_or_else(|| src.error("op", "`transposed-conv` needs `shape: [h, w]`"))?;
            if h == 0 || w == 0 || h > 64 || w > 64 {
                return Err(src.error("shape", "h and w must be between 1 and 64"));
            }
            let k = positive("kernel", spec.kernel, 3)?;
            let s = positive("stride", spec.stride, 2)?;
            if let Some(e) = too_big(((h - 1) * s + k) * ((w - 1) * s + k), "shape") {
                return Err(e);
            }
            let ones = vec![vec![1.0; w]; h];
            let out = overlap(h, w, k, s);
            (
                vec![ones],
                vec![out],
                Fill::Value,
                format!("转置卷积重叠次数 (kernel {k}, 步幅 {s})"),
            )
        }
        Op::PixelShuffle | Op::SpaceToDepth => {
            let r = positive("scale", spec.scale, 2)?;
            let chs = match (&spec.channels, &spec.input) {
                (Some(c), _) if !c.is_empty() => {
                    for m in c {
                        check("channels", m)?;
                    }
                    if c.iter().any(|m| dims(m) != dims(&c[0])) {
                        return Err(src.error("channels", "all channels must have the same size"));
                    }
                    c.clone()
                }
                (None, Some(_)) => vec![matrix()?.clone()],
                _ => {
                    return Err(src.error("op", "this op needs `channels` (a list of matrices) or `input`"));
                }
            };
            let (h, w) = dims(&chs[0]);
            if op == Op::PixelShuffle {
                if chs.len() % (r * r) != 0 {
                    return Err(src.error(
                        "channels",
                        format!(
                            "{} channels: PixelShuffle ×{r} needs a multiple of {}",
                            chs.len(),
                            r * r
                        ),
                    ));
                }
                let group = (0..chs.len())
                    .map(|c| vec![vec![c % (r * r); w]; h])
                    .collect::<Vec<_>>();
                let out = pixel_shuffle(&chs, r);
                let g_out = out
                    .iter()
                    .map(|_| {
                        (0..h * r)
                            .map(|y| (0..w * r).map(|x| (y % r) * r + x % r).collect())
                            .collect()
                    })
                    .collect::<Vec<_>>();
                let fill = Fill::Group(group.into_iter().chain(g_out).collect());
                (chs, out, fill, format!("PixelShuffle ×{r}"))
            } else {
                if h % r != 0 || w % r != 0 {
                    return Err(src.error(
                        if spec.channels.is_some() {
                            "channels"
                        } else {
                            "input"
                        },
                        format!("{h}×{w} is not divisible by {r}"),
                    ));
                }
                let g_in = chs
                    .iter()
                    .map(|_| {
                        (0..h)
                            .map(|y| (0..w).map(|x| (y % r) * r + x % r).collect())
                            .collect()
                    })
                    .collect::<Vec<_>>();
                let out = space_to_depth(&chs, r);
                let g_out = (0..out.len())
                    .map(|k| vec![vec![k % (r * r); w / r]; h / r])
                    .collect::<Vec<_>>();
                let fill = Fill::Group(g_in.into_iter().chain(g_out).collect());
                (chs, out, fill, format!("Space-to-depth (Focus) ×{r}"))
            }
        }
    };
    if let Some(e) = too_big(cells(&inputs) + cells(&outputs), "op") {
        return Err(e);
    }
    Ok((inputs, outputs, fill, what))
}

/// Lays out matrices in a near-square block; returns (cols, rows) of matrices.
fn block(n: usize) -> (usize, usize) {
    let cols = (1..=n).find(|c| c * c >= n).unwrap_or(1);
    (cols, n.div_ceil(cols))
}

fn draw_grids(
    inputs: &[Mat],
    outputs: &[Mat],
    fill: &Fill,
    description: &str,
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
    let left = (f64::from(width) - cols * cell) / 2.0;
    let top = 44.0;
    let all: Vec<f64> = inputs
        .iter()
        .chain(outputs)
        .flatten()
        .flatten()
        .copied()
        .collect();
    let (lo, hi) = all.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| {
        (l.min(*v), h.max(*v))
    });
    style::draw(width, height, description, |root, ov| {
        let s = style::SCALE;
        let mut draw_set = |set: &[Mat],
                            x0: f64,
                            cols_in_block: usize,
                            (mh, mw): (usize, usize),
                            first_index: usize|
         -> style::DrawResult {
            for (k, m) in set.iter().enumerate() {
                let bx = x0 + ((k % cols_in_block) * (mw + 1)) as f64 * cell;
                let by = top + ((k / cols_in_block) * (mh + 1)) as f64 * cell;
                for (i, row) in m.iter().enumerate() {
                    for (j, v) in row.iter().enumerate() {
                        let (x, y) = (bx + j as f64 * cell, by + i as f64 * cell);
                        let tint = match fill {
                            Fill::Value => {
                                let t = if hi > lo { (v - lo) / (hi - lo) } else { 0.5 };
                                style::color(0).mix(0.08 + 0.5 * t)
                            }
                            Fill::Group(g) => match g[first_index + k][i][j] {
                                usize::MAX => RGBColor(0xF2, 0xF2, 0xF2).mix(1.0),
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
        };
        draw_set(inputs, left, ic, (ih, iw), 0)?;
        let out_x = left + (in_w + 3) as f64 * cell;
        draw_set(outputs, out_x, oc, (oh, ow), inputs.len())?;
        let label = |n: usize, h: usize, w: usize, name: &str| {
            if n == 1 {
                format!("{name} {h}×{w}")
            } else {
                format!("{name} {n}×{h}×{w}")
            }
        };
        ov.text(
            left * s,
            (top - 12.0) * s,
            13.0,
            "start",
            &label(inputs.len(), ih, iw, "输入"),
        );
        ov.text(
            out_x * s,
            (top - 12.0) * s,
            13.0,
            "start",
            &label(outputs.len(), oh, ow, "输出"),
        );
        let mid_x = left + (in_w as f64 + 1.5) * cell;
        ov.text(
            mid_x * s,
            (top + rows * cell / 2.0 + 8.0) * s,
            22.0,
            "middle",
            "→",
        );
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(rows: &[&[f64]]) -> Mat {
        rows.iter().map(|r| r.to_vec()).collect()
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
        let e = render("kind: grid\nop: max-pool\ninput: [[1, 2], [3]]\n").unwrap_err();
        assert_eq!((e.line, e.field.as_deref()), (2, Some("input")));
        let e = render("kind: grid\nop: max-pool\ninput: [[1, 2], [3, 4]]\nsize: 3\n").unwrap_err();
        assert_eq!((e.line, e.field.as_deref()), (3, Some("size")));
        let e = render("kind: grid\nop: nearest\nscale: 64\ninput: [[1, 2, 3, 4]]\n").unwrap_err();
        assert_eq!((e.line, e.field.as_deref()), (2, Some("scale")));
        let e = render("kind: grid\nop: maxpool\n").unwrap_err();
        assert_eq!((e.line, e.field.as_deref()), (1, Some("op")));
        assert!(e.message.contains("did you mean `max-pool`"), "{}", e.message);
    }
}
